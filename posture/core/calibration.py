"""Calibration arithmetic: record how the user sits when sitting well, and turn it into a profile.

Frames pass quality gates (face and shoulders visible, still, centred, near enough); a recording
whose kept frames show more than one posture is refused (MIXED_LIMITS); the kept frames'
metrics give each metric a robust centre (median) and spread (scaled MAD). An optional
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
# Upper-body size / frame size below this is "too far from the camera" (about 4 m for a 65-degree
# webcam). A real side recording at 0.086-0.099 (a person small inside an app's window) still
# calibrates and agrees with that app's verdicts on 0.97 of frames (README, "How well it works").
MIN_SPAN = 0.08
CENTRE_BAND = (0.15, 0.85)  # the shoulders' centre must lie in this part of the frame width
# How far a frame may lie from the recording's median, in each key metric's own units (see
# metrics.py), and still show the same posture: above what people sitting still show (talking
# heads and drivers in ../shared/data: head height within 0.09 of their median, neck length
# within 0.18, side-view torso within 5 degrees), well below what a posture change does (a
# laptop webcam's slouch: head height 0.47 -> 0.24; a side view: torso -10 degrees upright,
# +25 to +41 hunched, -30 reclined).
MIXED_LIMITS = {
    "head_height": 0.12, "ear_height": 0.12, "head_pitch": 0.12, "neck_length": 0.3,
    "torso_inclination": 12.0, "neck_inclination": 12.0, "head_forward": 0.25,
}
MIXED_SHARE = 0.2  # more usable frames than this beyond a limit (or from another view): refused

Feedback = Mapping[str, str]  # rejection reason -> what to tell the user (the protocol's)

# Why a frame is unfit (the gates), or why a whole recording is ("mixed postures").
REASONS = ("nobody in view", "face or shoulders not visible", "ears not visible", "off-centre",
           "too far from the camera", "moving", "mixed postures")


class CalibrationFailed(UserError):
    """No profile could be made: the message says why and what to do; `reason` (one of REASONS)
    names the main cause, for the guided calibration's spoken advice."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


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
    """Turn a recording of good posture (and optionally of slouching) into a Profile;
    CalibrationFailed saying why (with the `feedback` for the reason) when too few frames were
    fit, or when they show more than one posture."""
    kept = good.measurements
    if len(kept) < max(1, min(min_frames, good.seen)):
        reason = good.rejected.most_common(1)[0][0] if good.rejected else "nobody in view"
        raise CalibrationFailed(_failure(good, feedback), reason)
    view = Counter(m.view for m in kept).most_common(1)[0][0]
    why = mixed(kept, view)
    if why is not None:
        raise CalibrationFailed(f"calibration refused: {why}: {feedback['mixed postures']} "
                                "(from a file, --start and --seconds pick the part to use)",
                                "mixed postures")
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


def mixed(kept: list[Measurement], view: str) -> str | None:
    """Why the frames show more than one posture (too many from another view than `view`, or
    too far from the others in a key metric), or None when they agree."""
    others = sum(m.view != view for m in kept)
    if others > MIXED_SHARE * len(kept):
        return (f"the recording mixes camera views: {others} of {len(kept)} usable frames are "
                f"not from the {view}")
    same = [m for m in kept if m.view == view]
    off: dict[str, list[bool]] = {}  # per key metric: each frame too far from the others
    for name, limit in MIXED_LIMITS.items():
        values = np.array([m.values.get(name, np.nan) for m in same])
        if np.count_nonzero(~np.isnan(values)) < 2:  # measured once at most: nothing to compare
            continue
        rest = [np.nanmedian(np.delete(values, i)) for i in range(len(values))]
        off[name] = [bool(abs(v - r) > limit) for v, r in zip(values, rest, strict=True)]
    far = sum(any(flags[i] for flags in off.values()) for i in range(len(same)))
    if far <= MIXED_SHARE * len(same):
        return None
    name = max(off, key=lambda n: sum(off[n]))
    values = [m.values[name] for m in same if name in m.values]
    return (f"the recording mixes postures: {far} of {len(same)} usable frames differ from "
            f"the others by more than sitting still does ({name.replace('_', ' ')} from "
            f"{min(values):.3g} to {max(values):.3g}, where one posture stays within "
            f"{MIXED_LIMITS[name]:g} of the others)")


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
