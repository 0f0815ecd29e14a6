"""The user's relaxed pose, which the position checks measure against: from the profile where
it says, else from the first moments of the run."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, fields, replace

import numpy as np

from posture.core.checks.geometry import (
    ARMS,
    FACE_PAIRS,
    ear_nose,
    ear_nose_name,
    eye_height,
    face,
    head_line,
    in_frame,
    in_view,
    nose_offset,
    shoulder_yaw,
    span,
    tilt,
)
from posture.core.metrics import VISIBLE, front_metrics
from posture.core.pose import LM, Pose
from posture.core.profile import Profile

REFERENCE_S = 1.5  # seconds of the run (with someone in view) that give the relaxed reference
RATCHET_S = 0.5  # a more relaxed level held this long replaces the reference (see RELAXED_HIGH)
STILL_SPAN = 0.05  # ...if the shoulder span stayed within this share (not leaning in or back)
# Reference measures whose relaxed value is their highest (ears highest above the shoulders,
# shoulders lowest in the image when they drop), per stretch. Only the shrug has them: a
# twisting or leaning user has no "highest" relaxed span that a lean could not fake.
RELAXED_HIGH = {"shrugs_and_rolls": ("ear_height", "shoulder_y")}


@dataclass(frozen=True)
class Reference:
    """The user's relaxed pose as numbers; a field is None until it is known.

    ear_height: ear midpoint above the shoulder line / span (posture.core.metrics). shoulder_y,
    span_y: shoulder midpoint height and shoulder span as shares of the frame height.
    span_scale: span / frame diagonal. span_neck: span / eye height above the shoulders.
    shoulder_yaw: the shoulder line's turn from the image plane in world depth, degrees.
    nose_offset: nose along the shoulder line, spans. shoulder_tilt, head_tilt: the shoulder
    and head lines from horizontal, degrees. ears_turn, eyes_turn: nose off the pair's centre
    along its line / its length; ears_width, eyes_width: its length / span.
    ear_nose_image_left, ear_nose_image_right: the ear on that side of the nose in the image
    to the nose / span (by image side: labels may swap). elbow_drop: elbows below the
    shoulders / span (only when both elbows are in the frame).
    """

    ear_height: float | None = None
    shoulder_y: float | None = None
    span_y: float | None = None
    span_scale: float | None = None
    span_neck: float | None = None
    shoulder_yaw: float | None = None
    nose_offset: float | None = None
    shoulder_tilt: float | None = None
    head_tilt: float | None = None
    ears_turn: float | None = None
    ears_width: float | None = None
    eyes_turn: float | None = None
    eyes_width: float | None = None
    ear_nose_image_left: float | None = None
    ear_nose_image_right: float | None = None
    elbow_drop: float | None = None

    @staticmethod
    def from_profile(profile: Profile | None) -> Reference:
        """The measure a calibrated profile holds (its relaxed, upright ear height).

        The rest is left to the run: it depends on the camera's place and distance, and a
        profile does not record the arms or the face's width.
        """
        if profile is None or not profile.calibrated or profile.view != "front":
            return Reference()
        base = profile.baseline.get("ear_height")
        return Reference(ear_height=base.centre if base is not None else None)


NOTHING_KNOWN = Reference()  # before anything of the relaxed pose is known


def relaxed_measures(pose: Pose) -> dict[str, float]:
    """The Reference's measures in this pose (those its confident landmarks allow)."""
    width = span(pose)
    out = {k: v for k, v in front_metrics(pose).items() if k in ("ear_height", "span_scale")}
    out["shoulder_y"] = float(pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)[1]) / pose.height
    out["span_y"] = width / pose.height
    out["nose_offset"] = nose_offset(pose)
    out["shoulder_tilt"] = tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    neck = eye_height(pose)
    if neck > 0:
        out["span_neck"] = width / neck
    yaw = shoulder_yaw(pose)
    if yaw is not None:
        out["shoulder_yaw"] = yaw
    line = head_line(pose)
    if line is not None:
        out["head_tilt"] = tilt(pose, *FACE_PAIRS[line])
    for name in FACE_PAIRS:
        found = face(pose, name)
        if found is not None:
            out[f"{name}_turn"], out[f"{name}_width"] = found
    for ear in (LM.LEFT_EAR, LM.RIGHT_EAR):
        if pose.visible(ear, LM.NOSE, threshold=VISIBLE):
            out[ear_nose_name(pose, ear)] = ear_nose(pose, ear)
    if in_frame(pose, LM.LEFT_ELBOW) and in_frame(pose, LM.RIGHT_ELBOW):
        drops = [pose.xy[e][1] - pose.xy[s][1] for s, e, _ in ARMS]
        out["elbow_drop"] = float(np.mean(drops)) / width
    return out


class ReferenceTracker:
    """The relaxed reference for one run.

    Profile values come first (the user's own calibrated posture); the rest is the median of
    the first REFERENCE_S seconds with someone in view, when the user is still listening to the
    instructions. A measure not seen then stays unknown: learning it later could take a
    stretched position for the relaxed one (elbows that only come into the frame when pushed
    back). For the measures in RELAXED_HIGH the reference also rises to any higher level
    held for RATCHET_S with the shoulder span unchanged (within STILL_SPAN), so a recording that
    starts mid-shrug recovers once the user relaxes, while leaning in or back moves nothing. It
    never falls: a profile calibrated with another camera, whose ears sit higher above the
    shoulders than this camera shows, makes relaxed shoulders look shrugged.
    """

    def __init__(self, stretch_id: str, profile: Profile | None = None) -> None:
        self.reference = Reference.from_profile(profile)
        self._high = RELAXED_HIGH.get(stretch_id, ())
        self._start: float | None = None
        self._samples: list[dict[str, float]] | None = []  # None once settled
        self._recent: deque[tuple[float, dict[str, float]]] = deque()

    @property
    def settled(self) -> bool:
        """True once the first moments have given their medians."""
        return self._samples is None

    def update(self, t: float, pose: Pose | None) -> Reference:
        """Take one frame into account and return the reference to judge it by."""
        if pose is None or (self.settled and not self._high) or not in_view(pose):
            return self.reference  # settled, and nothing to ratchet: nothing to measure
        measures = relaxed_measures(pose)
        if self._start is None:
            self._start = t
        if self._samples is not None and t - self._start < REFERENCE_S:
            self._samples.append(measures)
            return self.reference
        if self._samples is not None:
            self._settle()
        self._ratchet(t, measures)
        return self.reference

    def _settle(self) -> None:
        """Fill the fields the profile left empty with the medians of the first moments."""
        assert self._samples is not None
        known = {f.name: getattr(self.reference, f.name) for f in fields(Reference)}
        for name, value in known.items():
            values = [m[name] for m in self._samples if name in m]
            if value is None and values:
                known[name] = float(np.median(values))
        self.reference = Reference(**known)
        self._samples = None

    def _ratchet(self, t: float, measures: dict[str, float]) -> None:
        """Raise RELAXED_HIGH measures to higher levels held over RATCHET_S at an unchanged
        shoulder span (leaning in lowers the shoulders in the image too)."""
        if not self._high or self.reference.span_y is None:
            return
        self._recent.append((t, measures))
        while t - self._recent[0][0] > RATCHET_S:
            self._recent.popleft()
        if self._recent[-1][0] - self._recent[0][0] < 0.8 * RATCHET_S:
            return
        spans = [m["span_y"] for _, m in self._recent]
        if max(abs(v / self.reference.span_y - 1.0) for v in spans) > STILL_SPAN:
            return
        for name in self._high:
            values = [m[name] for _, m in self._recent if name in m]
            current = getattr(self.reference, name)
            if len(values) == len(self._recent) and current is not None:
                level = float(np.median(values))
                if level > current:
                    self.reference = replace(self.reference, **{name: level})
