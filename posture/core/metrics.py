"""Posture metrics: pure functions of a Pose, invariant to the user's distance and image size.

Every metric is a ratio of pixel distances (or an angle in pixels), so it stays the same when
the user sits nearer or farther or the frame is scaled. Landmarks the model is unsure of are
left out: a metric that needs them is simply absent from the result.

Front view (laptop webcam):
  head_height    nose above the shoulder line / shoulder width (falls when the head drops)
  ear_height     ear midpoint above the shoulder line / shoulder width
  face_size      ear-to-ear width / shoulder width (grows as the head comes toward the screen,
                 and as rounded shoulders narrow the span)
  neck_length    ear midpoint above the shoulder line / ear-to-ear width (shrinks with a
                 forward head, head drop or raised shoulders; not with rounded shoulders)
  head_pitch     nose above the ear midpoint / ear-to-ear width (falls when looking down)
  shoulder_tilt  angle of the shoulder line from horizontal, degrees
  head_offset    ear midpoint sideways from the shoulder midpoint / shoulder width
  span_scale     shoulder width / frame diagonal: the one scale cue, deliberately NOT distance
                 invariant (like Dorso's face width). Against the calibration it tells whether a
                 larger face_size comes from the face nearing the camera (forward head) or from
                 the shoulders narrowing (rounded shoulders).
Side view (shoulders overlapping):
  neck_inclination   shoulder-to-ear line from vertical, degrees, positive forward
  torso_inclination  hip-to-shoulder line from vertical, degrees, positive forward (hips needed)
  head_forward       ear ahead of the hips / torso length (hips needed; the strongest side cue)
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

FRONT_METRICS = ("head_height", "ear_height", "face_size", "neck_length", "head_pitch",
                 "shoulder_tilt", "head_offset", "span_scale")


@dataclass(frozen=True)
class Measurement:
    """The metrics of one pose: the camera view it was seen from and the named values."""

    view: str  # "front" or "side"
    values: dict[str, float]


def _seen(pose: Pose, *indices: int) -> bool:
    return pose.visible(*indices, threshold=VISIBLE)


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

    def height(p: np.ndarray) -> float:
        return float(np.dot(p - centre, up))

    values: dict[str, float] = {
        "shoulder_tilt": math.degrees(math.atan2(ls[1] - rs[1], abs(ls[0] - rs[0]))),
        "span_scale": span / math.hypot(pose.width, pose.height),
    }
    if _seen(pose, LM.NOSE):
        values["head_height"] = height(pose.xy[LM.NOSE]) / span
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
    if _seen(pose, LM.LEFT_HIP) or _seen(pose, LM.RIGHT_HIP):
        hip = _near_mid(pose, LM.LEFT_HIP, LM.RIGHT_HIP)
        torso = float(np.linalg.norm(shoulder - hip))
        if torso > 1e-6:
            values["torso_inclination"] = inclination(hip, shoulder)
            values["head_forward"] = facing * float(ear[0] - hip[0]) / torso
            values["head_lift"] = float(shoulder[1] - ear[1]) / torso
    return values
