"""Calibration: record how the user sits when sitting well, as a versioned JSON profile.

Frames pass quality gates (face and shoulders visible, still, centred, near enough); the kept
frames' metrics give each metric a robust centre (median) and spread (scaled MAD). An optional
second recording of the user's usual slouch sets per-user thresholds between the two.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from posture import __version__
from posture.config import profiles_dir
from posture.errors import UserError
from posture.metrics import SHOULDER_VISIBLE, VISIBLE, Measurement, detect_view, measure
from posture.pose import LM, Pose
from posture.score import DEFAULT_THRESHOLD, signals

PROTOCOL_PATH = Path(__file__).resolve().parent.parent / "calibration" / "protocol.json"
PROFILE_FORMAT = "posture-profile"
PROFILE_VERSION = 1
MIN_FRAMES = 5  # fewer kept frames than this (or than the source has) fails calibration
MAX_MOTION = 0.5  # body sizes per second: faster movement is "not sitting still"
MIN_SPAN = 0.1  # upper-body size / frame size below this is "too far from the camera"
CENTRE_BAND = (0.15, 0.85)  # the shoulders' centre must lie in this part of the frame width
MIN_THRESHOLD = 2.0  # per-user thresholds never go below this many spreads
CAMERA = "camera"  # Profile.source of a calibration recorded at a camera

# Population defaults for an uncalibrated run: (centre, spread) per metric, from upright
# people in ../shared/data; spreads are wide so that defaults only flag clear slouching.
DEFAULT_BASELINE = {
    "front": {
        "head_height": (0.52, 0.06), "ear_height": (0.57, 0.06), "face_size": (0.42, 0.025),
        "neck_length": (1.35, 0.15), "head_pitch": (-0.12, 0.06), "shoulder_tilt": (0.0, 2.0),
        "head_offset": (0.0, 0.05), "span_scale": (0.3, 0.1),
    },
    "side": {
        "neck_inclination": (15.0, 6.0), "torso_inclination": (-5.0, 6.0),
        "head_forward": (0.0, 0.1), "head_lift": (0.48, 0.06),
    },
}


@dataclass(frozen=True)
class Baseline:
    """A metric's calibrated centre and spread (in the metric's units)."""

    centre: float
    spread: float


@dataclass(frozen=True)
class Profile:
    """How this user sits well, seen from one camera view."""

    view: str
    baseline: dict[str, Baseline]
    thresholds: dict[str, float] = field(default_factory=dict)
    frame_size: tuple[int, int] = (0, 0)
    created: str = ""
    program_version: str = __version__
    frames: int = 0
    calibrated: bool = True
    source: str = ""  # CAMERA, or the recording it was calibrated on ("" in older profiles)

    @property
    def from_recording(self) -> bool:
        """True when calibrated on a file: someone else, or another setup, than a camera's."""
        return self.source not in ("", CAMERA)

    def threshold(self, problem: str) -> float:
        """Signal (in spreads) at which `problem` counts as present."""
        return self.thresholds.get(problem, DEFAULT_THRESHOLD)

    @staticmethod
    def defaults(view: str = "front") -> Profile:
        """Uncalibrated population profile for `view`."""
        base = {k: Baseline(c, s) for k, (c, s) in DEFAULT_BASELINE[view].items()}
        return Profile(view=view, baseline=base, calibrated=False)

    def to_json(self) -> dict:
        """The profile as the JSON object saved to disk."""
        return {
            "format": PROFILE_FORMAT,
            "version": PROFILE_VERSION,
            "view": self.view,
            "baseline": {k: {"centre": b.centre, "spread": b.spread}
                         for k, b in self.baseline.items()},
            "thresholds": self.thresholds,
            "frame_size": list(self.frame_size),
            "created": self.created,
            "program_version": self.program_version,
            "frames": self.frames,
            "source": self.source,
        }


def profile_path(name_or_path: str | None) -> Path:
    """A profile name (stored in the user data folder) or an explicit .json path."""
    text = "default" if name_or_path is None else name_or_path.strip()
    if not text:
        raise UserError("the profile name is empty: give a name such as desk, or a .json path")
    path = (Path(text).expanduser() if text.endswith(".json") or os.sep in text or "/" in text
            else profiles_dir() / f"{text}.json")
    if path.is_dir():
        raise UserError(f"profile {path} is a folder: give a profile name, or a .json file path")
    return path


def recorded_at(name: str, camera: bool) -> str:
    """Profile.source for a calibration recorded from the source `name` (a camera or not)."""
    return CAMERA if camera else name


def save_profile(profile: Profile, path: Path) -> None:
    """Write the profile atomically, so an interrupted save never loses the previous one;
    a profile not yet dated is dated now."""
    data = profile.to_json()
    data["created"] = data["created"] or dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds")
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # nothing may be left to remove
            tmp.unlink()
        raise UserError(f"cannot save the profile {path} ({exc.strerror}): choose another "
                        "--profile path") from None


def load_profile(path: Path) -> Profile:
    """Read and validate a saved profile; UserError naming the problem and the fix."""
    fix = f"recalibrate with: posture calibrate --profile {path}"
    if not path.is_file():
        raise UserError(f"no profile at {path}: {fix}")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"profile {path} is corrupt ({exc.__class__.__name__}): {fix}") from None
    if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT:
        raise UserError(f"{path} is not a posture profile: {fix}")
    if data.get("version") != PROFILE_VERSION:
        raise UserError(f"profile {path} has version {data.get('version')!r}, this program "
                        f"reads version {PROFILE_VERSION}: {fix}")
    try:
        view = data["view"]
        if view not in DEFAULT_BASELINE:
            raise ValueError(f"unknown view {view!r}")
        baseline = {str(k): Baseline(float(v["centre"]), float(v["spread"]))
                    for k, v in data["baseline"].items()}
        if not baseline or not all(np.isfinite([b.centre, b.spread]).all()
                                   for b in baseline.values()):
            raise ValueError("empty or non-finite baseline")
        thresholds = {str(k): float(v) for k, v in data.get("thresholds", {}).items()}
        width, height = (int(x) for x in data.get("frame_size", [0, 0]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserError(f"profile {path} is corrupt ({exc}): {fix}") from None
    return Profile(view=view, baseline=baseline, thresholds=thresholds,
                   frame_size=(width, height), created=str(data.get("created", "")),
                   program_version=str(data.get("program_version", "")),
                   frames=int(data.get("frames", 0)), source=str(data.get("source", "")))


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
    ears = pose.xy[[LM.LEFT_EAR, LM.RIGHT_EAR]]
    if not CENTRE_BAND[0] <= shoulders[:, 0].mean() / pose.width <= CENTRE_BAND[1]:
        return "off-centre"
    # Upper-body size: the shoulder span from the front, twice the neck's reach from the side.
    span = max(float(np.linalg.norm(shoulders[0] - shoulders[1])),
               2 * float(np.linalg.norm(ears.mean(axis=0) - shoulders.mean(axis=0))))
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


def build_profile(good: Recording, slouch: Recording | None = None,
                  min_frames: int = MIN_FRAMES) -> Profile:
    """Turn a recording of good posture (and optionally of slouching) into a Profile."""
    kept = good.measurements
    if len(kept) < max(1, min(min_frames, good.seen)):
        raise UserError(_failure(good))
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
    """Per-problem thresholds halfway to the user's own slouch, for the problems it shows."""
    frames = [signals(m, profile) for m in slouch.measurements if m.view == profile.view]
    if not frames:
        raise UserError("the slouch recording shows no usable frames from the calibrated view: "
                        "record it with the same camera, head and shoulders in view")
    out = {}
    for problem in frames[0]:
        typical = float(np.median([f[problem] for f in frames]))
        if typical >= 2 * MIN_THRESHOLD:
            out[problem] = round(min(DEFAULT_THRESHOLD, typical / 2), 3)
    return out


def _failure(rec: Recording) -> str:
    """One line saying why calibration failed and what to do."""
    if not rec.rejected:
        return "calibration failed: the source gave no frames: check the source and --start"
    return f"calibration failed: {usable(rec)} Then run posture calibrate again"


def usable(rec: Recording) -> str:
    """How many frames were usable, the main reason the others were not, and its fix."""
    reason, count = rec.rejected.most_common(1)[0]
    return (f"only {len(rec.measurements)} of {rec.seen} frames were usable ({count} {reason}): "
            f"{load_protocol().feedback[reason]}")


def unsteady(rec: Recording) -> bool:
    """True when fewer than half of a continuous recording's frames were usable: the profile
    stands on few frames and may be noisy."""
    return rec.continuous and len(rec.measurements) < 0.5 * rec.seen


@dataclass(frozen=True)
class Step:
    """One step of the guided calibration: what to say and show, for how long."""

    id: str
    say: str
    show: str
    seconds: float
    min_frames: int = 0


@dataclass(frozen=True)
class Protocol:
    """The guided calibration as data (calibration/protocol.json)."""

    steps: tuple[Step, ...]
    feedback: dict[str, str]  # gate rejection reason -> what to tell the user
    feedback_every_s: float
    retry_after_failures: int


def load_protocol(path: Path = PROTOCOL_PATH) -> Protocol:
    """Read and check the calibration protocol; UserError naming the broken field."""
    try:
        data = json.loads(path.read_text())
        steps = tuple(Step(id=str(s["id"]), say=str(s["say"]), show=str(s["show"]),
                           seconds=float(s["seconds"]), min_frames=int(s.get("min_frames", 0)))
                      for s in data["steps"])
        protocol = Protocol(steps=steps, feedback={str(k): str(v)
                                                   for k, v in data["feedback"].items()},
                            feedback_every_s=float(data["feedback_every_s"]),
                            retry_after_failures=int(data["retry_after_failures"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"calibration protocol {path} is unreadable ({exc}): restore it from "
                        "the repository") from None
    missing = {"intro", "record", "done"} - {s.id for s in steps}
    gaps = set(REASONS) - protocol.feedback.keys()
    if missing or gaps:
        raise UserError(f"calibration protocol {path} lacks {sorted(missing | gaps)}: restore it "
                        "from the repository")
    return protocol


@dataclass(frozen=True)
class Guidance:
    """What the guided calibration wants shown and said now, and its outcome when finished."""

    step: str  # a protocol step id, "finished" or "failed"
    show: str
    say: str | None  # something to speak now, or None
    remaining_s: float  # seconds left in this step
    profile: Profile | None = None  # set once finished
    failure: str | None = None  # set once failed: the reason, in words


class GuidedCalibration:
    """First-use calibration as a state machine fed by frames: speak, count down, record, confirm.

    Pure: time comes from frame timestamps. Poor frames are rejected by the same gates as
    `posture calibrate` and the user hears why (at most every feedback_every_s seconds); a
    recording with too few good frames is retried, and after retry_after_failures it fails.
    """

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self._index = 0
        self._started: float | None = None
        self._announced = False
        self._recording = Recording()
        self._last_feedback = -1e9
        self._failures = 0
        self._profile: Profile | None = None

    def feed(self, t: float, pose: Pose | None) -> Guidance:
        """Advance with one frame; return what to show and say."""
        if self._index >= len(self.protocol.steps):
            return Guidance("finished", "Calibrated", None, 0.0, profile=self._profile)
        step = self.protocol.steps[self._index]
        if self._started is None:
            self._started = t
        say = None if self._announced else step.say
        self._announced = True
        show = step.show
        if step.id == "record":
            reason = self._recording.add(pose, t)
            if reason is not None and t - self._last_feedback >= self.protocol.feedback_every_s:
                say = say or self.protocol.feedback[reason]
                self._last_feedback = t
            if reason is not None:
                show = self.protocol.feedback[reason]
        remaining = step.seconds - (t - self._started)
        if remaining > 0:
            return Guidance(step.id, show, say, remaining)
        if step.id == "record":
            return self._finish_recording(t, step)
        return self._next(t)

    def _next(self, t: float) -> Guidance:
        """Move to the following step (or finish) at time t, announcing it."""
        self._index += 1
        if self._index >= len(self.protocol.steps):
            return Guidance("finished", "Calibrated", None, 0.0, profile=self._profile)
        step = self.protocol.steps[self._index]
        self._started, self._announced = t, True
        return Guidance(step.id, step.show, step.say, step.seconds)

    def _finish_recording(self, t: float, step: Step) -> Guidance:
        """Build the profile from the recording, or retry, or give up."""
        try:
            self._profile = build_profile(self._recording, min_frames=max(step.min_frames, 1))
        except UserError:
            self._failures += 1
            reason = (self._recording.rejected.most_common(1)[0][0]
                      if self._recording.rejected else "nobody in view")
            advice = self.protocol.feedback[reason]
            if self._failures >= self.protocol.retry_after_failures:
                return Guidance("failed", advice, advice, 0.0, failure=reason)
            self._recording = Recording()
            self._started, self._announced = t, True
            return Guidance(step.id, advice, f"{advice} Let's try again.", step.seconds)
        return self._next(t)

