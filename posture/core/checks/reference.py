"""The user's relaxed pose, which some position checks measure against. Each relaxed measure is
taken where the relaxed posture is unambiguous, so a user who starts in position or moving is
judged right:

- overhead_reach, side_bend, butterfly: none (the position is absolute: arms above the head,
  the trunk leaning, elbows together in front).
- upper_trapezius_stretch: the head's relaxed roll against the shoulders and the face's relaxed
  turn, from the calibrated profile, clamped to MAX_RELAXED_ROLL (upright heads are level
  within a few degrees: on 2 900 upright frames in ../shared/data the ear line stayed within 8
  degrees of the shoulder line) and MAX_RELAXED_TURN (a camera up to about 30 degrees to one
  side turns a face looking at the screen that far); 0 without a profile.
- shrugs_and_rolls: the most relaxed level seen so far, the HIGHEST gap between the eyes and
  the shoulder line (a median over RELAXED_FRAMES frames, so one bad frame cannot set it), with
  the shoulders' place and span at that moment. It ratchets up from the first frame: a run that
  starts mid-shrug recovers at the first relaxed moment, and no settling time is needed.
- trunk_rotation, shoulder_blade_squeeze: medians of the first REFERENCE_S seconds with
  someone in view, when the user is still listening to the instructions (no real footage of
  these stretches exists to measure a better rule by).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, fields, replace

import numpy as np

from posture.core.checks.geometry import (
    ARMS,
    eye_height,
    in_view,
    nose_offset,
    shoulder_yaw,
    span,
)
from posture.core.metrics import in_frame
from posture.core.pose import LM, Pose
from posture.core.profile import Profile

REFERENCE_S = 1.5  # seconds of the run (with someone in view) that give the first-seconds medians
MAX_RELAXED_ROLL = 5.0  # degrees: a profile's relaxed head roll is trusted up to this
MAX_RELAXED_TURN = 0.35  # ear spans: a profile's relaxed face turn is trusted up to this
RELAXED_FRAMES = 3  # frames whose median can become the relaxed eye level
FIRST_SECONDS = ("span_scale", "span_neck", "shoulder_yaw", "nose_offset", "elbow_drop")


@dataclass(frozen=True)
class Reference:
    """The user's relaxed pose as numbers; a field is None until it is known.

    head_roll: relaxed ear line against the shoulder line, degrees; face_turn: relaxed nose off
    the ears' midpoint along their line, ear spans (posture.core.metrics). eye_height: eyes (else
    ears) above the shoulder line / span; shoulder_y, span_y: the shoulder midpoint's row and
    the span, as shares of the frame height, when that eye level was seen. From the first
    seconds: span_scale (span / frame diagonal), span_neck (span / eye height above the
    shoulders), shoulder_yaw (the shoulder line's turn in world depth, degrees), nose_offset
    (nose along the shoulder line, spans), elbow_drop (elbows below the shoulders / span, only
    with both elbows in the frame).
    """

    head_roll: float = 0.0
    face_turn: float = 0.0
    eye_height: float | None = None
    shoulder_y: float | None = None
    span_y: float | None = None
    span_scale: float | None = None
    span_neck: float | None = None
    shoulder_yaw: float | None = None
    nose_offset: float | None = None
    elbow_drop: float | None = None

    @staticmethod
    def from_profile(profile: Profile | None) -> Reference:
        """The relaxed head a calibrated front profile holds, clamped (see the module)."""
        if profile is None or not profile.calibrated or profile.view != "front":
            return Reference()

        def relaxed(name: str, limit: float) -> float:
            base = profile.baseline.get(name)
            return 0.0 if base is None else float(np.clip(base.centre, -limit, limit))

        return Reference(head_roll=relaxed("head_roll", MAX_RELAXED_ROLL),
                         face_turn=relaxed("face_turn", MAX_RELAXED_TURN))


NOTHING_KNOWN = Reference()  # before anything of the relaxed pose is known


def relaxed_measures(pose: Pose) -> dict[str, float]:
    """The Reference's measures in this pose (those its confident landmarks allow)."""
    width = span(pose)
    out = {"shoulder_y": float(pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)[1]) / pose.height,
           "span_y": width / pose.height,
           "span_scale": width / float(np.hypot(pose.width, pose.height)),
           "nose_offset": nose_offset(pose)}
    eyes = eye_height(pose)
    if eyes is not None and eyes > 0:
        out["eye_height"] = eyes
        out["span_neck"] = 1.0 / eyes
    yaw = shoulder_yaw(pose)
    if yaw is not None:
        out["shoulder_yaw"] = yaw
    if in_frame(pose, LM.LEFT_ELBOW) and in_frame(pose, LM.RIGHT_ELBOW):
        drops = [pose.xy[e][1] - pose.xy[s][1] for s, e, _ in ARMS]
        out["elbow_drop"] = float(np.mean(drops)) / width
    return out


class ReferenceTracker:
    """The relaxed reference for one run (see the module docstring)."""

    def __init__(self, stretch_id: str, profile: Profile | None = None) -> None:
        self.reference = Reference.from_profile(profile)
        self._ratchets = stretch_id == "shrugs_and_rolls"
        self._start: float | None = None
        self._samples: list[dict[str, float]] | None = []  # None once settled
        self._recent: deque[dict[str, float]] = deque(maxlen=RELAXED_FRAMES)

    @property
    def settled(self) -> bool:
        """True once the first seconds have given their medians."""
        return self._samples is None

    def update(self, t: float, pose: Pose | None) -> Reference:
        """Take one frame into account and return the reference to judge it by."""
        if pose is None or not in_view(pose) or (self.settled and not self._ratchets):
            return self.reference
        measures = relaxed_measures(pose)
        if self._ratchets:
            self._ratchet(measures)
        if self._samples is not None:
            self._start = t if self._start is None else self._start
            if t - self._start < REFERENCE_S:
                self._samples.append(measures)
            else:
                self._settle()
        return self.reference

    def _settle(self) -> None:
        """Fill the first-seconds fields with the medians of the frames seen then."""
        assert self._samples is not None
        known = {f.name: getattr(self.reference, f.name) for f in fields(Reference)}
        for name in FIRST_SECONDS:
            values = [m[name] for m in self._samples if name in m]
            if values:
                known[name] = float(np.median(values))
        self.reference = Reference(**known)
        self._samples = None

    def _ratchet(self, measures: dict[str, float]) -> None:
        """Raise the relaxed eye level to a higher median of the last RELAXED_FRAMES frames,
        with the shoulders' row and span of the median frame."""
        if "eye_height" not in measures:
            return
        self._recent.append(measures)
        ordered = sorted(self._recent, key=lambda m: m["eye_height"])
        middle = ordered[len(ordered) // 2]
        current = self.reference.eye_height
        if current is None or middle["eye_height"] > current:
            self.reference = replace(self.reference, eye_height=middle["eye_height"],
                                     shoulder_y=middle["shoulder_y"], span_y=middle["span_y"])
