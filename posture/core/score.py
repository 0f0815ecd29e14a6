"""Assessment of one frame against the calibration, and the slouch score over time.

Pure functions and plain data: time comes only from frame timestamps, never from a clock.

Each metric's deviation is measured in units of its calibrated spread, floored (SPREAD_FLOOR)
so a very still calibration does not make the tool twitchy. Problems are recognised from the
pattern of deviations (PROBLEM_RULES): each gives a signal, in spreads, and a problem is present
when its signal reaches the profile's threshold for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from posture.core.metrics import Measurement
from posture.core.profile import Profile

# Smallest spread a metric is credited with, in its own units (see metrics.py): about 3 % of a
# typical value for the ratios, so 3 floors (the default threshold) is a change of about 8 %.
SPREAD_FLOOR = {
    "head_height": 0.02, "ear_height": 0.02, "face_size": 0.008, "neck_length": 0.035,
    "head_pitch": 0.03, "shoulder_tilt": 2.5, "head_offset": 0.04, "span_scale": 0.01,
    "neck_inclination": 3.0, "torso_inclination": 2.5, "head_forward": 0.04, "head_lift": 0.04,
}

SEVERITY_START = 1.0  # signal (spreads) where severity starts to grow above 0
SEVERITY_FULL = 8.0  # signal (spreads) where severity reaches 1

Deviations = Mapping[str, float]


def _d(dev: Deviations, name: str) -> float:
    """Deviation of one metric, 0 when the metric was not measured in this frame."""
    return dev.get(name, 0.0)


def _pos(x: float) -> float:
    """The positive part of x."""
    return max(0.0, x)


def _face_share(m: Mapping[str, float], base: Mapping[str, float]) -> float:
    """Share (0..1) of a face_size increase owed to the face growing rather than the span shrinking.

    Uses the span_scale cue: forward head grows the face's pixel width at a constant shoulder
    span, rounded shoulders shrink the span at a constant face width.
    """
    if not all(k in m and k in base and m[k] > 0 and base[k] > 0
               for k in ("face_size", "span_scale")):
        return 0.5
    span = math.log(m["span_scale"] / base["span_scale"])
    face = span + math.log(m["face_size"] / base["face_size"])
    if face - span <= 1e-9:
        return 0.5
    return min(1.0, max(0.0, face / (face - span)))


# Signal of each problem (in spreads) from the deviations `d` and the face share `f`. The rules
# follow the signatures of each problem on the synthetic body (tests/core/test_metrics.py):
# head drop pitches the nose below the ears; a sinking trunk lowers and pitches the head while
# the ears stay as high over the shoulders; forward head and rounded shoulders both enlarge
# face_size and are told apart by `f`; raised shoulders shorten the neck without pitching the
# head or enlarging the face; a sideways lean tilts the shoulder line or shifts the head.
FRONT_RULES: dict[str, Callable[[Deviations, float], float]] = {
    "head_drop": lambda d, f: -_d(d, "head_pitch"),
    "slouch": lambda d, f: (min(-_d(d, "head_pitch"), -_d(d, "head_height"))
                            - 2.0 * _pos(-_d(d, "ear_height"))),
    "forward_head": lambda d, f: _d(d, "face_size") * f,
    "rounded_shoulders": lambda d, f: _d(d, "face_size") * (1.0 - f),
    "shoulder_elevation": lambda d, f: (min(-_d(d, "ear_height"), -_d(d, "neck_length"))
                                        - _pos(-_d(d, "head_pitch")) - _pos(_d(d, "face_size"))),
    "lateral_lean": lambda d, f: max(abs(_d(d, "shoulder_tilt")), abs(_d(d, "head_offset"))),
}
SIDE_RULES: dict[str, Callable[[Deviations, float], float]] = {
    "slouch": lambda d, f: max(_d(d, "torso_inclination"), _d(d, "head_forward")),
    "forward_head": lambda d, f: _d(d, "neck_inclination") - _pos(_d(d, "torso_inclination")),
    "head_drop": lambda d, f: -_d(d, "head_lift") - _pos(_d(d, "torso_inclination")),
}
RULES = {"front": FRONT_RULES, "side": SIDE_RULES}


@dataclass(frozen=True)
class Assessment:
    """One frame judged against the profile."""

    view: str
    deviations: dict[str, float]  # per metric, in spreads (signed)
    signals: dict[str, float]  # per problem, in spreads
    problems: tuple[str, ...]  # ids present, strongest first
    posture: str  # "good" or "slouched"
    severity: float  # 0..1, grows with the distance from the calibrated posture


def deviations(measurement: Measurement, profile: Profile) -> dict[str, float]:
    """Each measured metric's deviation from the baseline, in floored spreads."""
    out = {}
    for name, value in measurement.values.items():
        base = profile.baseline.get(name)
        if base is None:
            continue
        spread = max(base.spread, SPREAD_FLOOR.get(name, 0.0))
        out[name] = (value - base.centre) / spread if spread > 0 else 0.0
    return out


def signals(measurement: Measurement, profile: Profile) -> dict[str, float]:
    """Each problem's signal (in spreads) for one frame measured against the profile."""
    dev = deviations(measurement, profile)
    centres = {k: b.centre for k, b in profile.baseline.items()}
    share = _face_share(measurement.values, centres)
    return {problem: float(rule(dev, share)) for problem, rule in RULES[profile.view].items()}


def assess(measurement: Measurement | None, profile: Profile) -> Assessment | None:
    """Judge one frame's metrics; None when nothing comparable was measured.

    A frame seen from another view than the calibration's cannot be compared and gives None.
    """
    if measurement is None or measurement.view != profile.view:
        return None
    dev = deviations(measurement, profile)
    if not dev:
        return None
    sig = signals(measurement, profile)
    present = [p for p, s in sig.items() if s >= profile.threshold(p)]
    present.sort(key=lambda p: -sig[p] / profile.threshold(p))
    worst = max(sig.values(), default=0.0)
    severity = min(1.0, max(0.0, (worst - SEVERITY_START) / (SEVERITY_FULL - SEVERITY_START)))
    return Assessment(
        view=profile.view,
        deviations=dev,
        signals=sig,
        problems=tuple(present),
        posture="slouched" if present else "good",
        severity=severity,
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
