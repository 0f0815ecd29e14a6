"""Posture metrics: pure functions of a Pose, invariant to the user's distance and image size.

Every metric is a ratio of pixel distances (or an angle in pixels), so it stays the same when
the user sits nearer or farther or the frame is scaled (two deliberate exceptions below).
Landmarks the model is unsure of are left out: a metric that needs them is simply absent.
The assessment (`posture.core.score`) judges a few of them; the others describe the frame in
the JSON Lines and the overlay (names are kept once published: fields are only ever added).

Front view (laptop webcam), judged:
  nose_height    nose above the shoulder line / shoulder width, divided by the cosine of the
                 head's roll against the shoulders (capped at MAX_ROLL): a neck side bend
                 swings the nose down an arc about the neck, which this undoes, while a
                 dropped head, a slouch or raised shoulders lower it for real
  shoulder_tilt  the shoulder line from horizontal, degrees (positive: its image-right end
                 lower); only with both shoulders seen inside the frame, since a shoulder at or
                 past the edge is the model's guess and swings by about 10 degrees
  trunk_lean     the hip-to-shoulder line from vertical, degrees (positive: shoulders toward the
                 image right); only with both hips and shoulders inside the frame
Front view, naming what lowered the head:
  head_height    nose above the shoulder line / shoulder width (without the roll correction)
  ear_height     ear midpoint above the shoulder line / shoulder width (ear_height less
                 head_height is how far the nose has sunk below the ears: the face pitching down)
  shoulder_level shoulder midpoint above the frame's bottom edge / frame diagonal: NOT distance
                 invariant on purpose; against the calibration (same camera, same chair) it
                 tells shoulders that rose toward the ears from a trunk that sank
Front view, described only:
  face_size      ear-to-ear width / shoulder width
  neck_length    ear midpoint above the shoulder line / ear-to-ear width
  head_pitch     nose above the ear midpoint / ear-to-ear width
  head_offset    ear midpoint sideways from the shoulder midpoint / shoulder width
  head_roll      the ear (else eye) line against the shoulder line, degrees
  face_turn      the nose off the ears' midpoint along the ear line / ear-to-ear width (+ toward
                 the image right): a camera off to one side turns every face (head_roll and
                 face_turn of a profile are the relaxed head of a neck side bend's check,
                 posture.core.checks)
  span_scale     shoulder width / frame diagonal (follows distance, like shoulder_level)
Side view (shoulders overlapping), judged:
  neck_inclination   shoulder-to-ear line from vertical, degrees, positive forward
  head_forward       ear ahead of the hips / torso length (hips needed)
  face_pitch         ear-to-nose line below horizontal, degrees (positive: looking down)
Side view, described only:
  torso_inclination  hip-to-shoulder line from vertical, degrees, positive forward (hips needed)
  head_lift          ear above the shoulders / torso length (hips needed)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posture.core.pose import LM, Pose, shoulder_span

VISIBLE = 0.5  # landmark visibility below this is "unsure": metrics needing it are left out
# Shoulders at the frame's bottom edge (a tight webcam framing) get a visibility of about 0.4
# while MediaPipe still places them steadily (OpenTalker face_5: median 0.45); below this they
# are unsure.
SHOULDER_VISIBLE = 0.3
SIDE_RATIO = 0.9  # shoulder width / ear-to-shoulder distance below this means a side camera
EDGE = 0.02  # a landmark nearer the frame's edge than this share of its size is extrapolated
# Head roll the nose height is corrected for, at most: real neck side bends reach 24 degrees
# (../shared/data); beyond 30 the correction (1 / cos) would hide a dropped head.
MAX_ROLL = 30.0


@dataclass(frozen=True)
class Measurement:
    """The metrics of one pose: the camera view it was seen from and the named values."""

    view: str  # "front" or "side"
    values: dict[str, float]


def _seen(pose: Pose, *indices: int) -> bool:
    return pose.visible(*indices, threshold=VISIBLE)


def in_frame(pose: Pose, index: int) -> bool:
    """A landmark seen inside the frame, away from its edges: anything else is extrapolated."""
    x, y = pose.xy[index]
    mx, my = EDGE * pose.width, EDGE * pose.height
    return _seen(pose, index) and mx <= x <= pose.width - mx and my <= y <= pose.height - my


def line_tilt(pose: Pose, a: int, b: int) -> float:
    """Angle of the line through two landmarks from horizontal, in degrees, label-free:
    positive when its image-right end is lower (toward the person's left, camera unmirrored)."""
    d = pose.xy[a] - pose.xy[b]
    if d[0] < 0:
        d = -d
    return math.degrees(math.atan2(float(d[1]), float(d[0])))


def head_roll(pose: Pose) -> float | None:
    """The head line (ears, else eyes) against the shoulder line, degrees, label-free; None when
    neither pair is seen."""
    for a, b in ((LM.LEFT_EAR, LM.RIGHT_EAR), (LM.LEFT_EYE, LM.RIGHT_EYE)):
        if _seen(pose, a, b):
            return line_tilt(pose, a, b) - line_tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return None


def detect_view(pose: Pose) -> str | None:
    """'front' or 'side' from the landmark geometry, None when the shoulders or head are unsure.

    From the side the two shoulders overlap (or the far one is hidden), so the shoulder span is
    small against the distance from the shoulders up to the ears; from the front it is about
    twice that distance.
    """
    head = [i for i in (LM.LEFT_EAR, LM.RIGHT_EAR, LM.NOSE) if _seen(pose, i)]
    shoulders = [i for i in (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
                 if pose.visible(i, threshold=SHOULDER_VISIBLE)]
    if not head or not shoulders:
        return None
    if len(shoulders) == 1:
        return "side"
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    top = pose.xy[head].mean(axis=0)
    span = shoulder_span(pose)
    reach = float(np.linalg.norm(top - centre))
    if reach <= 1e-6:
        return "front"
    return "front" if span / reach >= SIDE_RATIO else "side"


def measure(pose: Pose) -> Measurement | None:
    """All metrics that the pose's confident landmarks allow; None if the view is unknown."""
    view = detect_view(pose)
    if view is None:
        return None
    values = front_metrics(pose) if view == "front" else side_metrics(pose)
    if not values:
        return None
    return Measurement(view=view, values=values)


def front_metrics(pose: Pose) -> dict[str, float]:
    """Metrics for a camera facing the user (see the module docstring)."""
    ls, rs = pose.xy[LM.LEFT_SHOULDER], pose.xy[LM.RIGHT_SHOULDER]
    span = shoulder_span(pose)
    if span < 1e-6:
        return {}
    centre = (ls + rs) / 2.0
    along = (ls - rs) / span  # unit vector along the shoulder line, pointing image-right
    if along[0] < 0:
        along = -along
    up = np.array([along[1], -along[0]])  # perpendicular, pointing up in the image
    diagonal = math.hypot(pose.width, pose.height)

    def height(p: np.ndarray) -> float:
        return float(np.dot(p - centre, up))

    values: dict[str, float] = {
        "span_scale": span / diagonal,
        "shoulder_level": (pose.height - float(centre[1])) / diagonal,
    }
    if in_frame(pose, LM.LEFT_SHOULDER) and in_frame(pose, LM.RIGHT_SHOULDER):
        values["shoulder_tilt"] = line_tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
        if in_frame(pose, LM.LEFT_HIP) and in_frame(pose, LM.RIGHT_HIP):
            v = centre - pose.mid(LM.LEFT_HIP, LM.RIGHT_HIP)
            values["trunk_lean"] = math.degrees(math.atan2(float(v[0]), -float(v[1])))
    if _seen(pose, LM.NOSE):
        values["head_height"] = height(pose.xy[LM.NOSE]) / span
        roll = head_roll(pose)
        corrected = math.radians(min(abs(roll or 0.0), MAX_ROLL))
        values["nose_height"] = values["head_height"] / math.cos(corrected)
        if roll is not None:
            values["head_roll"] = roll
    if _seen(pose, LM.LEFT_EAR, LM.RIGHT_EAR):
        ears = pose.mid(LM.LEFT_EAR, LM.RIGHT_EAR)
        face = float(np.linalg.norm(pose.xy[LM.LEFT_EAR] - pose.xy[LM.RIGHT_EAR]))
        values["ear_height"] = height(ears) / span
        values["head_offset"] = float(ears[0] - centre[0]) / span
        if face > 1e-6:
            values["face_size"] = face / span
            values["neck_length"] = height(ears) / face
            if _seen(pose, LM.NOSE):
                values["head_pitch"] = (height(pose.xy[LM.NOSE]) - height(ears)) / face
                along_ears = pose.xy[LM.LEFT_EAR] - pose.xy[LM.RIGHT_EAR]
                along_ears = along_ears if along_ears[0] >= 0 else -along_ears
                values["face_turn"] = float(np.dot(pose.xy[LM.NOSE] - ears, along_ears)) / face ** 2
    return values


def _near_mid(pose: Pose, left: int, right: int) -> np.ndarray:
    """Midpoint of a left/right pair when both are seen, else the one that is (the near side)."""
    if _seen(pose, left, right):
        return pose.mid(left, right)
    return pose.xy[left] if pose.visibility[left] >= pose.visibility[right] else pose.xy[right]


def side_metrics(pose: Pose) -> dict[str, float]:
    """Metrics for a camera at the user's side (see the module docstring)."""
    ears = [i for i in (LM.LEFT_EAR, LM.RIGHT_EAR) if _seen(pose, i)]
    if not ears:
        return {}
    ear = pose.xy[ears].mean(axis=0)
    shoulder = _near_mid(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    facing = 1.0
    if _seen(pose, LM.NOSE):
        facing = 1.0 if pose.xy[LM.NOSE][0] >= ear[0] else -1.0

    def inclination(base: np.ndarray, tip: np.ndarray) -> float:
        d = tip - base
        return math.degrees(math.atan2(facing * d[0], -d[1]))

    values = {"neck_inclination": inclination(shoulder, ear)}
    if _seen(pose, LM.NOSE):
        d = pose.xy[LM.NOSE] - ear
        values["face_pitch"] = math.degrees(math.atan2(float(d[1]), facing * float(d[0])))
    if _seen(pose, LM.LEFT_HIP) or _seen(pose, LM.RIGHT_HIP):
        hip = _near_mid(pose, LM.LEFT_HIP, LM.RIGHT_HIP)
        torso = float(np.linalg.norm(shoulder - hip))
        if torso > 1e-6:
            values["torso_inclination"] = inclination(hip, shoulder)
            values["head_forward"] = facing * float(ear[0] - hip[0]) / torso
            values["head_lift"] = float(shoulder[1] - ear[1]) / torso
    return values
