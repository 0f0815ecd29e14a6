"""Assessment of one frame against the calibration, and the slouch score over time.

Pure functions and plain data: time comes only from frame timestamps, never from a clock.

A few cues, each anatomically meaningful and each with a physical minimum below which it
never fires, whatever the calibration: the calibrated spread can only raise a threshold (a
restless calibration), never lower it (a still one). Signed cues are compared as magnitudes,
so a mirrored camera gives the same verdict. The minimums were measured on real people in
../shared/data (README, "How well it works"): the noise of upright people, including frames
seen nearer, farther, shifted, darker, brighter and mirrored, on one side; real slouches on the
other.

Front camera:
- the head lowered: nose_height has lost HEAD_LOWERED of its calibrated value. Named by what
  moved: the shoulders rose toward the ears (shoulder_elevation) or sank with the trunk
  (slouch), else the face pitched down so the nose sank below the ears (head_drop), else the
  trunk sank toward the camera (slouch).
- the trunk leaning sideways: |trunk_lean| (hips in view), else |shoulder_tilt|, beyond its
  calibrated magnitude by LEAN_DEG (lateral_lean). Never the head: a head turned or tilted on
  its own is not a posture problem.
Side camera:
- the head carried ahead of the hips: head_forward grew by HEAD_AHEAD torso lengths (slouch);
- the neck inclined forward: neck_inclination grew by NECK_FORWARD degrees, named head_drop
  when the face also pitched down by FACE_DOWN, else forward_head.
Rounded shoulders are not named from either view (see README): no cue measures them above the
noise of the landmarks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from posture.core.metrics import Measurement
from posture.core.profile import Baseline, Profile

# Physical minimums, in each cue's own units.
# Share of the calibrated nose height lost. Upright frames lose at most 23 % to landmark noise
# (every change included; 19 % at the 99.9th percentile); the two real frontal slouches lose
# 40 and 49 %. Midway.
HEAD_LOWERED = 0.30
# Degrees of sideways trunk lean: the "clearly visible sideways bending" limit of static
# working posture standards (ISO 11226, EN 1005-4); upright frames reach 8.3 (99.9th pct).
LEAN_DEG = 10.0
# Torso lengths the ear moved ahead of the hips (about 10 cm): typing at a desk moved it 0.14,
# real hunches 0.7-1.0.
HEAD_AHEAD = 0.20
# Degrees the neck (shoulder to ear) inclined forward: the craniovertebral angle down by 12,
# about twice the 6.7 that upright typing varied; real hunches 20-60.
NECK_FORWARD = 12.0
K_SPREAD = 3.0  # a threshold is at least this many calibrated spreads (restless calibrations)
# Naming a lowered head or an inclined neck (the cue has fired; these only say which problem).
# Shoulder line up (raised) or down (sunk with the trunk) the image, calibrated shoulder widths
# (about 4 cm): the real hunch sank 0.30, the real head drop moved 0.005.
SHOULDERS_MOVED = 0.10
# Nose sunk below the ears, shoulder widths (about 20 degrees of face pitch): the real head
# drop sank 0.12.
NOSE_SANK = 0.08
FACE_DOWN = 20.0  # side: degrees the face pitched down (as NOSE_SANK from the front)
# A metric a version-1 profile lacks, and the one it held in its place (the same at a level
# calibration: the roll correction is 1 when the head is level).
FALLBACK = {"nose_height": "head_height"}

# Smallest spread a metric is credited with in `deviations`, in its own units: the pipeline
# takes every metric far off at once for a moved camera (posture.core.pipeline).
SPREAD_FLOOR = {
    "head_height": 0.02, "nose_height": 0.02, "ear_height": 0.02, "face_size": 0.008,
    "neck_length": 0.035, "head_pitch": 0.03, "shoulder_tilt": 2.5, "trunk_lean": 2.5,
    "head_offset": 0.04, "head_roll": 3.0, "face_turn": 0.05,
    "span_scale": 0.01, "shoulder_level": 0.01,
    "neck_inclination": 3.0, "torso_inclination": 2.5, "head_forward": 0.04, "head_lift": 0.04,
    "face_pitch": 3.0,
}


@dataclass(frozen=True)
class Assessment:
    """One frame judged against the profile."""

    view: str
    deviations: dict[str, float]  # per metric, in floored spreads (signed)
    signals: dict[str, float]  # per problem measured: its cue against its threshold (1 = at it)
    problems: tuple[str, ...]  # ids present, strongest first
    posture: str  # "good" or "slouched"
    severity: float  # 0..1: how far past its threshold the strongest cue is (1 = twice it)


@dataclass(frozen=True)
class Cue:
    """One cue of one frame: the problem it names, its value and threshold (same units)."""

    problem: str
    value: float
    limit: float

    @property
    def fired(self) -> bool:
        return self.value >= self.limit


def baseline(profile: Profile, name: str) -> Baseline | None:
    """The profile's baseline of a metric, from the metric it replaced in older profiles."""
    base = profile.baseline.get(name)
    if base is None and name in FALLBACK:
        base = profile.baseline.get(FALLBACK[name])
    return base


def deviations(measurement: Measurement, profile: Profile) -> dict[str, float]:
    """Each measured metric's deviation from the baseline, in floored spreads."""
    out = {}
    for name, value in measurement.values.items():
        base = baseline(profile, name)
        if base is None:
            continue
        spread = max(base.spread, SPREAD_FLOOR.get(name, 0.0))
        out[name] = (value - base.centre) / spread if spread > 0 else 0.0
    return out


def _limit(profile: Profile, problem: str, minimum: float, spread: float) -> float:
    """A cue's threshold: the user's own (from a slouch recording) or the physical minimum,
    raised to K_SPREAD calibrated spreads."""
    return max(profile.thresholds.get(problem, minimum), K_SPREAD * spread)


def cues(measurement: Measurement, profile: Profile) -> list[Cue]:
    """The cues this frame allows against the profile (see the module docstring)."""
    m = measurement.values
    base = {name: b for name in m if (b := baseline(profile, name)) is not None}
    return _front(m, base, profile) if profile.view == "front" else _side(m, base, profile)


def _front(m: Mapping[str, float], base: Mapping[str, Baseline], profile: Profile
           ) -> list[Cue]:
    out = []
    nose = base.get("nose_height")
    if "nose_height" in m and nose is not None and nose.centre > 0:
        name = _lowered_head(m, base)
        out.append(Cue(name, 1.0 - m["nose_height"] / nose.centre,
                       _limit(profile, name, HEAD_LOWERED, nose.spread / nose.centre)))
    for lean in ("trunk_lean", "shoulder_tilt"):  # the trunk itself when the hips are seen
        if lean in m and lean in base:
            b = base[lean]
            out.append(Cue("lateral_lean", abs(m[lean]) - abs(b.centre),
                           _limit(profile, "lateral_lean", LEAN_DEG, b.spread)))
            break
    return out


def _lowered_head(m: Mapping[str, float], base: Mapping[str, Baseline]) -> str:
    """Which problem lowered the head: what moved (see the module docstring)."""
    if "shoulder_level" in base and "span_scale" in base:
        moved = (m["shoulder_level"] - base["shoulder_level"].centre) / base["span_scale"].centre
        if abs(moved) >= SHOULDERS_MOVED:
            return "shoulder_elevation" if moved > 0 else "slouch"
    if "ear_height" in m and "ear_height" in base and "head_height" in base:
        sank = (m["ear_height"] - m["head_height"]) - (base["ear_height"].centre
                                                       - base["head_height"].centre)
        if sank >= NOSE_SANK:
            return "head_drop"
    return "slouch"


def _side(m: Mapping[str, float], base: Mapping[str, Baseline], profile: Profile
          ) -> list[Cue]:
    out = []
    if "head_forward" in base:
        b = base["head_forward"]
        out.append(Cue("slouch", m["head_forward"] - b.centre,
                       _limit(profile, "slouch", HEAD_AHEAD, b.spread)))
    if "neck_inclination" in base:
        b = base["neck_inclination"]
        pitch = base.get("face_pitch")
        name = ("head_drop" if pitch is not None and "face_pitch" in m
                and m["face_pitch"] - pitch.centre >= FACE_DOWN else "forward_head")
        out.append(Cue(name, m["neck_inclination"] - b.centre,
                       _limit(profile, name, NECK_FORWARD, b.spread)))
    return out


def assess(measurement: Measurement | None, profile: Profile) -> Assessment | None:
    """Judge one frame's metrics; None when nothing comparable was measured.

    A frame seen from another view than the calibration's cannot be compared and gives None.
    """
    if measurement is None or measurement.view != profile.view:
        return None
    found = cues(measurement, profile)
    if not found:
        return None
    signals: dict[str, float] = {}
    for cue in found:
        ratio = cue.value / cue.limit if cue.limit > 0 else 0.0
        signals[cue.problem] = max(signals.get(cue.problem, ratio), ratio)
    fired = sorted((c for c in found if c.fired), key=lambda c: -c.value / c.limit)
    problems = tuple(dict.fromkeys(c.problem for c in fired))
    severity = max((signals[p] - 1.0 for p in problems), default=0.0)
    return Assessment(
        view=profile.view,
        deviations=deviations(measurement, profile),
        signals=signals,
        problems=problems,
        posture="slouched" if problems else "good",
        severity=min(1.0, max(0.0, severity)),
    )


# Slouch score constants, in score points (0..100) per second of source time.
RISE_BASE = 1.0  # while slouched, the score rises at least this fast...
RISE_SEVERITY = 5.0  # ...plus this much more at full severity
FALL = 4.0  # while posture is good the score falls this fast


class SlouchScore:
    """A 0..100 score that rises while posture is bad and falls while it is good.

    Driven by frame timestamps: the state seen at one frame holds until the next, so the score
    follows the same curve at 2 fps and at 30 fps. Held while nobody is in view. A gap longer
    than `stall_s` (the sampling policy's, `Sampling.stall_s`) counts as `stall_s`: the source
    stalled, and what happened meanwhile was not seen.
    """

    def __init__(self, stall_s: float) -> None:
        self.stall_s = stall_s
        self.value = 0.0
        self._last: tuple[float, Assessment] | None = None

    def update(self, t: float, assessment: Assessment | None) -> float:
        """Advance to time `t` with this frame's assessment (None: nobody, score held)."""
        self._advance(t)
        self._last = (t, assessment) if assessment is not None else None
        return self.value

    def stop(self, t: float) -> None:
        """Frames stopped at `t` (a pause, a lost camera): the last state counts until then,
        and the score holds until the next frame."""
        self._advance(t)
        self._last = None

    def _advance(self, t: float) -> None:
        """Move the score along the last frame's state up to `t` (at most `stall_s` on)."""
        if self._last is not None:
            t0, previous = self._last
            dt = min(max(t - t0, 0.0), self.stall_s)
            if previous.posture == "slouched":
                self.value += dt * (RISE_BASE + RISE_SEVERITY * previous.severity)
            else:
                self.value -= dt * FALL
            self.value = min(100.0, max(0.0, self.value))
