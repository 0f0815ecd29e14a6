"""Calibration arithmetic: record how the user sits when sitting well, and turn it into a profile.

Frames pass quality gates (face and shoulders visible, still, centred, near enough); the kept
frames' metrics give each metric a robust centre (median) and spread (scaled MAD). An optional
second recording of the user's usual slouch sets per-user thresholds between the two. What to
tell the user about a rejected frame comes from the calibration protocol's `feedback` (data:
calibration/protocol.json), passed in by the caller.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from posture.core.errors import UserError
from posture.core.metrics import SHOULDER_VISIBLE, VISIBLE, Measurement, detect_view, measure
from posture.core.pose import LM, Pose, head_reach, shoulder_span
from posture.core.profile import Baseline, Profile
from posture.core.score import assess, cues

CALIBRATION_SECONDS = 5.0  # default length of a calibration recording from a camera or video
MIN_FRAMES = 5  # fewer kept frames than this (or than the source has) fails calibration
MAX_MOTION = 0.5  # body sizes per second: faster movement is "not sitting still"
MIN_SPAN = 0.1  # upper-body size / frame size below this is "too far from the camera"
CENTRE_BAND = (0.15, 0.85)  # the shoulders' centre must lie in this part of the frame width

Feedback = Mapping[str, str]  # gate rejection reason -> what to tell the user (the protocol's)


REASONS = ("nobody in view", "face or shoulders not visible", "ears not visible", "off-centre",
           "too far from the camera", "moving")


def gate(pose: Pose | None, previous: tuple[float, Pose] | None, t: float) -> str | None:
    """Why this frame is unfit for calibration, or None when it is fit."""
    if pose is None:
        return "nobody in view"
    view = detect_view(pose)
    if view is None or (view == "front" and not (
            pose.visible(LM.NOSE, threshold=VISIBLE)
            and pose.visible(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, threshold=SHOULDER_VISIBLE))):
        return "face or shoulders not visible"
    if not (pose.visible(LM.LEFT_EAR, threshold=VISIBLE)
            or pose.visible(LM.RIGHT_EAR, threshold=VISIBLE)):
        return "ears not visible"
    shoulders = pose.xy[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]]
    if not CENTRE_BAND[0] <= shoulders[:, 0].mean() / pose.width <= CENTRE_BAND[1]:
        return "off-centre"
    # Upper-body size: the shoulder span from the front, twice the neck's reach from the side.
    span = max(shoulder_span(pose), 2 * head_reach(pose))
    if span / max(pose.width, pose.height) < MIN_SPAN:
        return "too far from the camera"
    if previous is not None:
        t0, before = previous
        if t > t0:
            keys = [LM.NOSE, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]
            moved = float(np.max(np.linalg.norm(pose.xy[keys] - before.xy[keys], axis=1)))
            if moved / span / (t - t0) > MAX_MOTION:
                return "moving"
    return None


@dataclass
class Recording:
    """Metrics of the frames that passed the gates, and why the others were rejected.

    `continuous`: the frames follow each other in time, so movement between them is gated;
    separate stills are not compared with each other.
    """

    continuous: bool = True
    measurements: list[Measurement] = field(default_factory=list)
    rejected: Counter = field(default_factory=Counter)
    frame_size: tuple[int, int] = (0, 0)
    seen: int = 0
    _previous: tuple[float, Pose] | None = None

    def add(self, pose: Pose | None, t: float) -> str | None:
        """Gate one frame and keep its metrics when fit; return the rejection reason."""
        self.seen += 1
        reason = gate(pose, self._previous, t)
        self._previous = (t, pose) if pose is not None and self.continuous else None
        measurement = measure(pose) if reason is None and pose is not None else None
        if reason is None and (measurement is None or not measurement.values):
            reason = "face or shoulders not visible"
        if reason is not None:
            self.rejected[reason] += 1
            return reason
        assert pose is not None and measurement is not None
        self.frame_size = (pose.width, pose.height)
        self.measurements.append(measurement)
        return None


def record(poses: Iterable[tuple[float, Pose | None]], continuous: bool = True) -> Recording:
    """Gate a sequence of (t, pose) and collect the fit frames' metrics."""
    rec = Recording(continuous)
    for t, pose in poses:
        rec.add(pose, t)
    return rec


def build_profile(good: Recording, slouch: Recording | None = None, *, feedback: Feedback,
                  min_frames: int = MIN_FRAMES) -> Profile:
    """Turn a recording of good posture (and optionally of slouching) into a Profile; a
    UserError saying why (with the `feedback` for the main reason) when too few frames were
    fit."""
    kept = good.measurements
    if len(kept) < max(1, min(min_frames, good.seen)):
        raise UserError(_failure(good, feedback))
    view = Counter(m.view for m in kept).most_common(1)[0][0]
    kept = [m for m in kept if m.view == view]
    names = sorted({k for m in kept for k in m.values})
    baseline = {}
    for name in names:
        values = np.array([m.values[name] for m in kept if name in m.values])
        centre = float(np.median(values))
        spread = float(1.4826 * np.median(np.abs(values - centre))) if len(values) > 1 else 0.0
        baseline[name] = Baseline(centre, spread)
    profile = Profile(view=view, baseline=baseline, frame_size=good.frame_size, frames=len(kept))
    if slouch is None:
        return profile
    return replace(profile, thresholds=slouch_thresholds(profile, slouch))


def slouch_thresholds(profile: Profile, slouch: Recording) -> dict[str, float]:
    """Per-problem thresholds halfway to the user's own slouch, for the problems most of its
    frames show; never below a cue's physical minimum (a slouch too mild to clear it twice
    over leaves the minimum in place)."""
    frames = [cues(m, profile) for m in slouch.measurements if m.view == profile.view]
    if not frames:
        raise UserError("the slouch recording shows no usable frames from the calibrated view: "
                        "record it with the same camera, head and shoulders in view")
    values: dict[str, list[float]] = {}
    for found in frames:
        for cue in found:
            values.setdefault(cue.problem, []).append(cue.value)
    out = {}
    for problem, seen in values.items():
        typical = float(np.median(seen))
        limit = next(c.limit for found in frames for c in found if c.problem == problem)
        if 2 * len(seen) >= len(frames) and typical / 2 > limit:
            out[problem] = round(typical / 2, 3)
    return out


def caught(profile: Profile, slouch: Recording) -> float:
    """Share of a slouch recording's frames that the profile judges slouched."""
    verdicts = [assess(m, profile) for m in slouch.measurements]
    return sum(a is not None and a.posture == "slouched" for a in verdicts) / max(1, len(verdicts))


def _failure(rec: Recording, feedback: Feedback) -> str:
    """One line saying why calibration failed and what to do."""
    if not rec.rejected:
        return "calibration failed: the source gave no frames: check the source and --start"
    return f"calibration failed: {usable(rec, feedback)} Then run posture calibrate again"


def usable(rec: Recording, feedback: Feedback) -> str:
    """How many frames were usable, the main reason the others were not, and its fix."""
    reason, count = rec.rejected.most_common(1)[0]
    return (f"only {len(rec.measurements)} of {rec.seen} frames were usable ({count} {reason}): "
            f"{feedback[reason]}")


def unsteady(rec: Recording) -> bool:
    """True when fewer than half of a continuous recording's frames were usable: the profile
    stands on few frames and may be noisy."""
    return rec.continuous and len(rec.measurements) < 0.5 * rec.seen
