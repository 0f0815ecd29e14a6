"""Guided stretch: `posture stretch ID` speaks the steps, checks the position and counts reps.

Three layers, pure up to the last:
- `check(stretch_id, pose, reference)`: is this pose in the stretch's position? True, False, or
  None when nobody is in view or the position cannot be judged from this view. Scale-free
  geometry in pixels (never normalized coordinates: a 16:9 frame would skew every angle), and
  independent of MediaPipe's left/right labels, which swap when the torso turns far.
- `Session`: a relaxed `Reference` (from the profile where it has the measure, else the first
  REFERENCE_S seconds of the run), a debounce on the check, and the hold/rep state machine.
  Reps are counted from verified holds; stretches the camera cannot check are timed only.
- `run`: the CLI subcommand: frames -> poses -> Session -> voice, JSON Lines, overlay card.

What a front camera can and cannot see, per check (thresholds below, as (enter, exit) pairs
where the looser exit value keeps a held position from flickering out):
- overhead_reach: both upper arms near vertical with the elbows well above the shoulders; where
  a wrist is in the frame, that arm must be straight and the wrist well above the nose. A wrist
  outside the frame is extrapolated by MediaPipe (confidently, and wrongly), so then the upper
  arm alone decides: a bent press with vertical upper arms and hands out of frame passes.
- shrugs_and_rolls: ears nearer the shoulder line than in the relaxed reference, while the head
  is not pitched down (a nod also brings the ears down). Rolls count each pass through the raised
  position; forward and backward rolls look the same from the front.
- upper_trapezius_stretch (neck side bend): the ear (or eye) line rolled, both against the image
  horizontal and against the shoulder line, so neither a whole-body lean nor the perspective
  tilt of turned shoulders counts; a nod changes pitch, not roll.
- side_bend: the shoulder line tilted with an upper arm raised and the shoulders still facing
  the camera (a twist also tilts the shoulder line in perspective).
- butterfly: elbows close together (against the shoulder span: elbows that close can only be
  in front) and both hands seen near a shoulder (either one: labels may swap).
- trunk_rotation: the shoulder span shrinks against the relaxed span both in frame size and
  against the eye height above the shoulders (which turning does not change); the side comes
  from the nose's offset along the shoulder line, never from which shoulder is "left".
- shoulder_blade_squeeze: only partly checkable. Elbows pushed back move along the camera's own
  axis; what a camera above elbow height (a laptop's) sees is the elbows rising toward the
  shoulders in the image as they go back (forward elbows drop instead), with the arms down. It
  needs the elbows in the frame, cannot see the shoulder blades themselves, and a deep slouch
  foreshortens the upper arms a little the same way.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from posture.calibration import Profile, load_profile, profile_path
from posture.console import jsonl_output, say, summary_stream
from posture.metrics import detect_view, front_metrics
from posture.overlay import Card, draw_card
from posture.pose import LM, Pose, PoseEstimator
from posture.sources import open_source
from posture.stretches import Stretch, load_library
from posture.voice import Voice
from posture.window import show

Band = tuple[float, float]  # (threshold to enter the position, looser threshold to stay in it)

PRESENT = 0.5  # landmark visibility that counts as seen
EDGE = 0.02  # a landmark nearer the frame's edge than this share of its size is extrapolated

# overhead_reach
UPPER_ARM_TILT: Band = (45.0, 55.0)  # degrees from vertical, at most
ELBOW_RISE: Band = (0.4, 0.3)  # elbow above its shoulder, in shoulder spans, at least
STRAIGHT_ELBOW: Band = (150.0, 140.0)  # shoulder-elbow-wrist angle, degrees, at least
WRIST_RISE: Band = (0.6, 0.45)  # wrist above the nose, in shoulder spans, at least
# shrugs_and_rolls
SHRUG_DROP: Band = (0.10, 0.07)  # ear height (in spans) below the relaxed level, at least
NOD_PITCH = 0.2  # head_pitch below the relaxed level by more than this is a nod, not a shrug
# upper_trapezius_stretch
HEAD_ROLL: Band = (16.0, 12.0)  # degrees, at least, against the horizontal and the shoulders
# side_bend
TRUNK_TILT: Band = (14.0, 10.0)  # shoulder line from horizontal, degrees, at least
RAISED_ELBOW = 0.2  # an arm counts as raised with its elbow this many spans above its shoulder
FACING_NOSE = 0.3  # nose offset along the shoulder line (spans) beyond this: shoulders turned
# butterfly
ELBOWS_TOGETHER: Band = (1.1, 1.3)  # elbow-to-elbow distance in shoulder spans, at most
HAND_ON_SHOULDER: Band = (0.8, 0.95)  # wrist to the nearest shoulder in spans, at most
# trunk_rotation
SPAN_SHRINK: Band = (0.9, 0.94)  # shoulder span against the relaxed span, at most
TWIST_SIDE = 0.1  # nose offset along the shoulder line (spans) that tells the side of a twist
# shoulder_blade_squeeze
ELBOW_BACK: Band = (0.8, 0.85)  # elbow drop below the shoulders against the relaxed drop, at most

REFERENCE_S = 1.5  # seconds of the run (with someone in view) that give the relaxed reference
RATCHET_S = 0.5  # a more relaxed level held this long replaces the reference (see RELAXED_HIGH)
ENTER_S = 0.2  # the check must hold this long before the user counts as in position...
EXIT_S = 0.4  # ...and fail this long before they count as out of it (noise, blinks of the model)
MAX_PAUSE_S = 3.0  # a hold resumes after a break of up to this (and a quarter of the hold)
STEP_S = 4.0  # each step of a phase is given this long before the next is read out
READY_S = 5.0  # timed stretches: time to get into position before the first hold
REST_S = 5.0  # timed stretches: rest between holds
MOVE_S = 3.0  # timed stretches without a hold: one movement every this many seconds
REMAINING_MARKS = (10, 5)  # "hold, N seconds left" for holds long enough to need it
# Steps from which a stretch is counted as movements without a hold: the shrug's rolls pass
# through the raised position once per roll.
MOVEMENT_STEPS = {"shrugs_and_rolls": (3, 4)}
# Reference measures whose relaxed value is their highest: ears highest above the shoulders
# when the shoulders drop; shoulders widest when facing the camera.
RELAXED_HIGH = {
    "shrugs_and_rolls": ("ear_height",),
    "trunk_rotation": ("span_scale", "span_neck"),
}
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen", "twenty")
ARMS = (
    (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
)


# ---- reference ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """The user's relaxed pose as scale-free numbers; a field is None until it is known.

    ear_height, head_pitch: as in posture.metrics (ear midpoint above the shoulder line / span;
    nose above the ears / face width). span_scale: shoulder span / frame diagonal. span_neck:
    shoulder span / eye height above the shoulders. elbow_drop: elbows below the shoulders /
    span (only when both elbows are in the frame).
    """

    ear_height: float | None = None
    head_pitch: float | None = None
    span_scale: float | None = None
    span_neck: float | None = None
    elbow_drop: float | None = None

    @staticmethod
    def from_profile(profile: Profile | None) -> Reference:
        """The posture measures a calibrated profile holds (its relaxed, upright sitting).

        The rest is left to the run: span_scale depends on the camera's distance, and a profile
        does not record the eyes' height or the elbows.
        """
        if profile is None or not profile.calibrated or profile.view != "front":
            return Reference()
        base = profile.baseline
        return Reference(**{name: base[name].centre for name in ("ear_height", "head_pitch")
                            if name in base})


def relaxed_measures(pose: Pose) -> dict[str, float]:
    """The Reference's measures in this pose (those its confident landmarks allow)."""
    values = front_metrics(pose)
    out = {k: values[k] for k in ("ear_height", "head_pitch", "span_scale") if k in values}
    neck = _eye_height(pose)
    if neck > 0:
        out["span_neck"] = _span(pose) / neck
    if _in_frame(pose, LM.LEFT_ELBOW) and _in_frame(pose, LM.RIGHT_ELBOW):
        drops = [pose.xy[e][1] - pose.xy[s][1] for s, e, _ in ARMS]
        out["elbow_drop"] = float(np.mean(drops)) / _span(pose)
    return out


class ReferenceTracker:
    """The relaxed reference for one run.

    Profile values come first (the user's own calibrated posture); the rest is the median of
    the first REFERENCE_S seconds with someone in view, when the user is still listening to the
    instructions. For the measures in RELAXED_HIGH the reference also rises to any higher level
    held for RATCHET_S, so a recording that starts mid-shrug or mid-twist recovers once the user
    relaxes. It never falls: a profile calibrated with another camera, whose ears sit higher
    above the shoulders than this camera shows, makes relaxed shoulders look shrugged.
    """

    def __init__(self, stretch_id: str, profile: Profile | None = None) -> None:
        self.reference = Reference.from_profile(profile)
        self._high = RELAXED_HIGH.get(stretch_id, ())
        self._start: float | None = None
        self._samples: list[dict[str, float]] | None = []  # None once settled
        self._recent: deque[tuple[float, dict[str, float]]] = deque()

    def update(self, t: float, pose: Pose | None) -> Reference:
        """Take one frame into account and return the reference to judge it by."""
        if not _in_view(pose):
            return self.reference
        assert pose is not None
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
        known = {f.name: getattr(self.reference, f.name) for f in fields(Reference)}
        for name, value in known.items():
            values = [m[name] for m in self._samples if name in m]
            if value is None and values:
                known[name] = float(np.median(values))
        self.reference = Reference(**known)
        self._samples = None

    def _ratchet(self, t: float, measures: dict[str, float]) -> None:
        """Raise RELAXED_HIGH measures to a higher level held over the last RATCHET_S."""
        if not self._high:
            return
        self._recent.append((t, measures))
        while t - self._recent[0][0] > RATCHET_S:
            self._recent.popleft()
        if self._recent[-1][0] - self._recent[0][0] < 0.8 * RATCHET_S:
            return
        for name in self._high:
            values = [m[name] for _, m in self._recent if name in m]
            current = getattr(self.reference, name)
            if len(values) == len(self._recent) and current is not None:
                level = float(np.median(values))
                if level > current:
                    self.reference = replace(self.reference, **{name: level})


# ---- geometry (pixels, label-free) ----------------------------------------------------------

def _in_view(pose: Pose | None) -> bool:
    """Someone is in view: the nose seen, both shoulders seen inside the frame (shoulders at or
    past its edge are extrapolated, and every check measures from them)."""
    return (pose is not None and pose.visible(LM.NOSE, threshold=PRESENT)
            and _in_frame(pose, LM.LEFT_SHOULDER) and _in_frame(pose, LM.RIGHT_SHOULDER))


def _span(pose: Pose) -> float:
    """Shoulder span in pixels."""
    return float(np.linalg.norm(pose.xy[LM.LEFT_SHOULDER] - pose.xy[LM.RIGHT_SHOULDER]))


def _along(pose: Pose) -> np.ndarray:
    """Unit vector along the shoulder line pointing image-right, whatever the labels say."""
    d = pose.xy[LM.LEFT_SHOULDER] - pose.xy[LM.RIGHT_SHOULDER]
    d = d / max(float(np.linalg.norm(d)), 1e-9)
    return d if d[0] >= 0 else -d


def _tilt(pose: Pose, a: int, b: int) -> float:
    """Angle of the line through two landmarks from horizontal, in degrees, label-free:
    positive when its image-right end is lower (toward the person's left, camera unmirrored)."""
    p, q = pose.xy[a], pose.xy[b]
    if p[0] > q[0]:
        p, q = q, p
    return math.degrees(math.atan2(q[1] - p[1], q[0] - p[0]))


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle at b between b->a and b->c, in degrees (180 = straight)."""
    u, v = a - b, c - b
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    if norm < 1e-9:
        return 0.0
    return math.degrees(math.acos(float(np.clip(np.dot(u, v) / norm, -1.0, 1.0))))


def _from_vertical(v: np.ndarray) -> float:
    """Angle of an image vector from straight up, in degrees (0 = up, 180 = down)."""
    return math.degrees(math.atan2(abs(float(v[0])), -float(v[1])))


def _in_frame(pose: Pose, index: int) -> bool:
    """A landmark seen inside the frame, away from its edges: anything else is extrapolated."""
    x, y = pose.xy[index]
    mx, my = EDGE * pose.width, EDGE * pose.height
    return (pose.visible(index, threshold=PRESENT)
            and mx <= x <= pose.width - mx and my <= y <= pose.height - my)


def _eye_height(pose: Pose) -> float:
    """Pixels from the shoulder midpoint up to the eyes (to the nose if no eye is seen)."""
    eyes = [i for i in (LM.LEFT_EYE, LM.RIGHT_EYE) if pose.visible(i, threshold=PRESENT)]
    top = pose.xy[eyes].mean(axis=0) if eyes else pose.xy[LM.NOSE]
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return float(centre[1] - top[1])


def _nose_offset(pose: Pose) -> float:
    """Nose along the shoulder line from the shoulders' midpoint, in spans (+ = image right)."""
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return float(np.dot(pose.xy[LM.NOSE] - centre, _along(pose))) / max(_span(pose), 1e-9)


def _head_line(pose: Pose) -> tuple[int, int] | None:
    """The ears when both are seen, else the eyes, else None: the line that rolls with the head."""
    for pair in ((LM.LEFT_EAR, LM.RIGHT_EAR), (LM.LEFT_EYE, LM.RIGHT_EYE)):
        if pose.visible(*pair, threshold=PRESENT):
            return pair
    return None


def _pick(band: Band, held: bool) -> float:
    """The threshold that applies: the looser exit value while the position is held."""
    return band[1] if held else band[0]


def _front(pose: Pose | None) -> bool:
    """Someone in view, from the front (a side view hides what these checks measure)."""
    return _in_view(pose) and detect_view(pose) == "front"


# ---- checks ---------------------------------------------------------------------------------

def _arm_overhead(pose: Pose, arm: tuple[int, int, int], held: bool) -> bool:
    """One arm straight up: upper arm near vertical and high; straight, hand high, if seen."""
    s, e, w = (pose.xy[i] for i in arm)
    span = _span(pose)
    if _from_vertical(e - s) > _pick(UPPER_ARM_TILT, held):
        return False
    if (s[1] - e[1]) / span < _pick(ELBOW_RISE, held):  # also an upper arm aimed at the camera
        return False
    if not _in_frame(pose, arm[2]):  # hand above the frame: its wrist is a guess
        return True
    return (_angle(s, e, w) >= _pick(STRAIGHT_ELBOW, held)
            and (pose.xy[LM.NOSE][1] - w[1]) / span >= _pick(WRIST_RISE, held))


def _overhead_reach(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Both arms straight up above the head (one arm, or bent arms, is not the reach)."""
    if not _front(pose):
        return None
    return all(_arm_overhead(pose, arm, held) for arm in ARMS)


def _shrug(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Shoulders raised toward the ears against the relaxed level, the head not pitched down."""
    if not _front(pose) or reference.ear_height is None:
        return None
    values = front_metrics(pose)
    if "ear_height" not in values:
        return None
    if reference.ear_height - values["ear_height"] < _pick(SHRUG_DROP, held):
        return False
    pitch = values.get("head_pitch")
    return not (pitch is not None and reference.head_pitch is not None
                and reference.head_pitch - pitch > NOD_PITCH)


def _head_roll(pose: Pose) -> float | None:
    """Head roll in degrees, the smaller of: against horizontal, against the shoulder line.

    Signed (+ toward the image right); 0 when the two disagree in sign. None without a head line.
    """
    line = _head_line(pose)
    if line is None:
        return None
    absolute = _tilt(pose, *line)
    relative = absolute - _tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    if absolute * relative <= 0:
        return 0.0
    return math.copysign(min(abs(absolute), abs(relative)), absolute)


def _neck_side_bend(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Head tilted toward a shoulder: rolled against both the horizontal and the shoulders."""
    if not _front(pose):
        return None
    roll = _head_roll(pose)
    return None if roll is None else abs(roll) >= _pick(HEAD_ROLL, held)


def _side_bend(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Trunk leaning sideways with an arm raised, shoulders still facing the camera."""
    if not _front(pose):
        return None
    span = _span(pose)
    raised = any((pose.xy[s][1] - pose.xy[e][1]) / span >= RAISED_ELBOW for s, e, _ in ARMS)
    return (raised and abs(_nose_offset(pose)) <= FACING_NOSE
            and abs(_tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)) >= _pick(TRUNK_TILT, held))


def _butterfly(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Elbows together in front, hands on the shoulders (either shoulder: labels may swap)."""
    if not _front(pose):
        return None
    span = _span(pose)
    elbows = float(np.linalg.norm(pose.xy[LM.LEFT_ELBOW] - pose.xy[LM.RIGHT_ELBOW])) / span
    if elbows > _pick(ELBOWS_TOGETHER, held):
        return False
    shoulders = pose.xy[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]]
    for wrist in (LM.LEFT_WRIST, LM.RIGHT_WRIST):
        near = float(np.min(np.linalg.norm(shoulders - pose.xy[wrist], axis=1))) / span
        if not _in_frame(pose, wrist) or near > _pick(HAND_ON_SHOULDER, held):
            return False
    return True


def _trunk_rotation(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Shoulders turned: the span shrinks against the relaxed span, in frame size and against
    the eye height above the shoulders (leaning back shrinks the first, a nod the second).

    No front-view test: narrowing shoulders are what a side view is recognized by."""
    if not _in_view(pose) or reference.span_scale is None or reference.span_neck is None:
        return None
    measures = relaxed_measures(pose)
    if "span_neck" not in measures:
        return None
    limit = _pick(SPAN_SHRINK, held)
    return (measures["span_scale"] <= limit * reference.span_scale
            and measures["span_neck"] <= limit * reference.span_neck)


def _squeeze(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Elbows pushed back (partly checkable): arms down, the elbows risen toward the shoulders
    in the image against the relaxed arms, as elbows going back do for a camera above them."""
    if not _front(pose) or reference.elbow_drop is None:
        return None
    drop = relaxed_measures(pose).get("elbow_drop")
    if drop is None:  # elbows out of the frame: nothing to judge by
        return None
    return 0.0 < drop <= _pick(ELBOW_BACK, held) * reference.elbow_drop


Check = Callable[[Pose, Reference, bool], bool | None]
CHECKS: dict[str, Check] = {
    "overhead_reach": _overhead_reach,
    "shrugs_and_rolls": _shrug,
    "upper_trapezius_stretch": _neck_side_bend,
    "side_bend": _side_bend,
    "butterfly": _butterfly,
    "trunk_rotation": _trunk_rotation,
    "shoulder_blade_squeeze": _squeeze,
}


def check(stretch_id: str, pose: Pose | None, reference: Reference = Reference(),
          held: bool = False) -> bool | None:
    """Is `pose` in the stretch's position? None: nobody in view, a view or stretch the camera
    cannot judge, or a reference the check needs is not known yet. `held` applies the looser
    thresholds that keep a position once it is taken (hysteresis)."""
    judge = CHECKS.get(stretch_id)
    if judge is None or pose is None:
        return None
    return judge(pose, reference, held)


def _person_side(offset: float, dead_zone: float) -> str | None:
    """'left' or 'right' of the person for an image-right-positive offset (camera unmirrored:
    the person's left is on the image's right)."""
    if abs(offset) < dead_zone:
        return None
    return "left" if offset > 0 else "right"


SIDES: dict[str, Callable[[Pose], str | None]] = {
    "trunk_rotation": lambda pose: _person_side(_nose_offset(pose), TWIST_SIDE),
    "upper_trapezius_stretch": lambda pose: _person_side(_head_roll(pose) or 0.0, 1.0),
    "side_bend": lambda pose: _person_side(
        _tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER), 1.0),
}


def side_of(stretch_id: str, pose: Pose | None) -> str | None:
    """Which side a per-side position is on ('left'/'right' of the person), None if unknown.

    Taken from label-free geometry (tilts and offsets in the image), so a left/right swap by the
    model cannot flip it.
    """
    find = SIDES.get(stretch_id)
    return None if find is None or not _in_view(pose) else find(pose)


# ---- counting -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Phase:
    """A run of steps counted one way: `reps` reps (per side when `per_side`), each a hold of
    `hold_s` seconds, or (hold_s None) each entry into the position."""

    first_step: int
    last_step: int
    reps: int
    hold_s: float | None
    per_side: bool

    @property
    def target(self) -> int:
        """Reps to count in this phase, all sides together."""
        return self.reps * (2 if self.per_side else 1)


def phases(stretch: Stretch) -> tuple[Phase, ...]:
    """The stretch's phases: one, unless MOVEMENT_STEPS splits off movements without a hold."""
    starts = [0, *MOVEMENT_STEPS.get(stretch.id, ())]
    ends = [s - 1 for s in starts[1:]] + [len(stretch.steps) - 1]
    hold = float(stretch.hold_s[0]) if stretch.hold_s else None
    return tuple(
        Phase(first, last, stretch.reps[0], hold if k == 0 else None,
              stretch.per_side if k == 0 else False)
        for k, (first, last) in enumerate(zip(starts, ends, strict=True)))


def word(n: int) -> str:
    """A count as a spoken word ("three"), digits beyond twenty."""
    return WORDS[n] if 0 <= n < len(WORDS) else str(n)


class Debounce:
    """In position once the check has passed for ENTER_S, out once it has failed for EXIT_S."""

    def __init__(self) -> None:
        self.state = False
        self._since: float | None = None  # when the check started disagreeing with the state

    def update(self, t: float, passed: bool | None) -> bool:
        """Feed one frame's check (None counts as failed) and return the debounced state."""
        if bool(passed) == self.state:
            self._since = None
        else:
            if self._since is None:
                self._since = t
            if t - self._since >= (ENTER_S if passed else EXIT_S) - 1e-9:
                self.state = bool(passed)
                self._since = None
        return self.state


class RepCounter:
    """Holds and reps of one stretch, phase by phase, from the debounced position (or, for a
    stretch the camera cannot check, from the clock). Returns what to say at each frame.

    A hold only grows while in position; a break of up to a quarter of the hold (at most
    MAX_PAUSE_S) pauses it, a longer one starts it over. After a rep the user must leave the
    position before the next one starts. Per-side phases count a rep only on the other side from
    the last one, where the side can be seen.
    """

    def __init__(self, stretch: Stretch, timed: bool) -> None:
        self.phases = phases(stretch)
        self.timed = timed
        self.phase = 0
        self.reps_done = 0
        self.hold = 0.0
        self.done = False
        self._per_side: Counter[str | None] = Counter()
        self._phase_reps = 0
        self._phase_start: float | None = None
        self._holding = False  # a hold is running or paused
        self._released = True  # out of position since the last rep
        self._out_since: float | None = None
        self._last_side: str | None = None  # side of the last rep
        self._hold_side: str | None = None  # side of the running hold
        self._nagged = False  # "back into position" or "other side" said for this hold
        self._marks: set[int] = set()
        self._rest_until: float | None = None

    @property
    def current(self) -> Phase:
        """The phase being counted."""
        return self.phases[min(self.phase, len(self.phases) - 1)]

    @property
    def target(self) -> int:
        """Reps to count in the whole stretch."""
        return sum(p.target for p in self.phases)

    def step_index(self, t: float) -> int:
        """The step being given: one per STEP_S from the phase's start, then its last step."""
        phase = self.current
        start = t if self._phase_start is None else self._phase_start
        return min(phase.first_step + int((t - start) // STEP_S), phase.last_step)

    def update(self, t: float, dt: float, in_position: bool, side: str | None) -> list[str]:
        """Advance by one frame; return the prompts it calls for."""
        if self.done:
            return []
        if self._phase_start is None:
            self._phase_start = t
        return self._clock(t, dt) if self.timed else self._position(t, dt, in_position, side)

    def _position(self, t: float, dt: float, in_position: bool, side: str | None) -> list[str]:
        """Counting from the checked position."""
        phase = self.current
        if not in_position:
            return self._out(t)
        self._out_since = None
        if not self._released:
            self.hold += dt  # still holding after the rep: shown, not counted again
            return []
        say: list[str] = []
        if self._holding and side is None:  # the side can blink out mid-hold
            side = self._hold_side
        if not self._holding or side != self._hold_side:  # a new hold, or one on the other side
            self._holding, self.hold, self._marks, self._nagged = True, 0.0, set(), False
            self._hold_side = side
            if phase.hold_s is not None:
                say.append("hold")
        else:
            self.hold += dt
        if phase.per_side and side is not None and side == self._last_side:
            if not self._nagged:
                self._nagged = True
                say.append("now the other side")
            return say
        if phase.hold_s is None or self.hold >= phase.hold_s:
            return say + self._rep(side)
        return say + self._remaining(phase.hold_s)

    def _out(self, t: float) -> list[str]:
        """Out of position: release after a rep, pause or abandon a running hold."""
        if not self._released:
            self._released, self._holding, self.hold = True, False, 0.0
            return []
        if not self._holding:
            return []
        if self._out_since is None:
            self._out_since = t
        limit = min(MAX_PAUSE_S, (self.current.hold_s or 0.0) / 4)
        if t - self._out_since > limit:
            self._holding, self.hold = False, 0.0
            return []
        if not self._nagged and self.hold >= 1.0:
            self._nagged = True
            return ["back into position"]
        return []

    def _clock(self, t: float, dt: float) -> list[str]:
        """Counting by time alone: get ready, then hold, rest, hold..."""
        phase = self.current
        assert self._phase_start is not None
        if self._rest_until is None:
            self._rest_until = self._phase_start + READY_S
        if t < self._rest_until:
            return []
        say: list[str] = []
        if not self._holding:
            self._holding, self.hold, self._marks = True, 0.0, set()
            say.append("hold" if phase.hold_s is not None else "go")
        else:
            self.hold += dt
        length = phase.hold_s if phase.hold_s is not None else MOVE_S
        if self.hold < length:
            return say + (self._remaining(length) if phase.hold_s is not None else [])
        self._holding, self.hold = False, 0.0
        self._rest_until = t + (REST_S if phase.hold_s is not None else 0.0)
        side = None
        if phase.per_side:
            side = "first" if self._phase_reps % 2 == 0 else "second"
        return say + self._rep(side)

    def _remaining(self, length: float) -> list[str]:
        """ "hold, N seconds left" as the hold passes each mark (the nearest one, should a
        resumed hold pass several at once), for holds long enough to need it."""
        due = [m for m in REMAINING_MARKS
               if length > m + 3 and length - self.hold <= m and m not in self._marks]
        self._marks.update(due)
        return [f"hold, {min(due)} seconds left"] if due else []

    def _rep(self, side: str | None) -> list[str]:
        """Count a rep; move on to the next phase or finish when the phase has them all."""
        phase = self.current
        self.reps_done += 1
        self._phase_reps += 1
        self._per_side[side] += 1
        self._last_side = side
        self._released = self.timed
        count = self._per_side[side] if phase.per_side else self._phase_reps
        text = word(count)
        if phase.per_side and side in ("left", "right"):
            text = f"{side}, {text}"
        if phase.hold_s is not None:
            text += ", release"
        say = [text]
        if self._phase_reps >= phase.target:
            say += self._next_phase()
        elif phase.per_side:
            say.append("now the other side")
        return say

    def _next_phase(self) -> list[str]:
        """Start the next phase (its first step is read out by the session) or finish."""
        self.phase += 1
        self._phase_reps, self._per_side, self._last_side = 0, Counter(), None
        self._phase_start, self._rest_until = None, None
        if self.phase >= len(self.phases):
            self.done = True
            return [f"That's all {self.target}. Well done."]
        return []


# ---- session --------------------------------------------------------------------------------

@dataclass(frozen=True)
class GuideFrame:
    """What the guide decided at one frame, and what it says there."""

    t: float
    frame: int
    stretch: str
    step: int
    in_position: bool | None
    hold_s: float
    reps_done: int
    reps_target: int
    side: str | None
    say: tuple[str, ...]

    def to_json(self) -> dict:
        """The JSON Lines record (fields are only ever added, never renamed)."""
        return {
            "t": round(self.t, 3),
            "frame": self.frame,
            "stretch": self.stretch,
            "step": self.step,
            "in_position": self.in_position,
            "hold_s": round(self.hold_s, 2),
            "reps_done": self.reps_done,
            "reps_target": self.reps_target,
            "side": self.side,
            "say": list(self.say),
        }


class Session:
    """One guided stretch over a sequence of poses: reference, check, debounce, count.

    Pure: time comes from the frames' timestamps, so a file gives the same result at any speed.
    """

    def __init__(self, stretch: Stretch, profile: Profile | None = None) -> None:
        self.stretch = stretch
        self.checked = stretch.checkable and stretch.id in CHECKS
        self.reference = ReferenceTracker(stretch.id, profile)
        self.debounce = Debounce()
        self.counter = RepCounter(stretch, timed=not self.checked)
        self.seconds = 0.0  # time covered by the frames so far
        self.checked_s = 0.0  # of which the position could be judged
        self.in_position_s = 0.0  # of which the user was in position
        self._last_t: float | None = None
        self._step: int | None = None
        self._frames = 0

    @property
    def done(self) -> bool:
        """True once every rep of every phase is counted."""
        return self.counter.done

    def step(self, t: float, pose: Pose | None, frame: int | None = None) -> GuideFrame:
        """Judge one frame (taken at `t` seconds) and advance the count."""
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        frame = self._frames if frame is None else frame
        self._frames += 1
        reference = self.reference.update(t, pose)
        passed = check(self.stretch.id, pose, reference, held=self.debounce.state)
        state = self.debounce.update(t, passed)
        in_position = None if passed is None else state
        side = side_of(self.stretch.id, pose) if in_position else None
        say = self._step_prompts(t)
        say += self.counter.update(t, dt, state, side)
        self.seconds += dt
        self.checked_s += dt if in_position is not None else 0.0
        self.in_position_s += dt if in_position else 0.0
        return GuideFrame(t, frame, self.stretch.id, self._step or 0, in_position,
                          self.counter.hold, self.counter.reps_done, self.counter.target, side,
                          tuple(say))

    def _step_prompts(self, t: float) -> list[str]:
        """The script at the start, then each step as it becomes current."""
        say = [self.stretch.script] if self._step is None else []
        step = self.counter.step_index(t)
        if self._step is None or step > self._step:
            start = self.counter.current.first_step if self._step is None else self._step + 1
            say += list(self.stretch.steps[start:step + 1])
            self._step = step
        return say

    def card(self) -> Card:
        """The overlay card for the current state: steps, countdown, reps and position."""
        phase = self.counter.current
        remaining = None if phase.hold_s is None else max(0.0, phase.hold_s - self.counter.hold)
        if not self.checked:
            state = "timed (not checked by the camera)"
        else:
            state = "in position" if self.debounce.state else "get into position"
        return Card(title=self.stretch.name, steps=self.stretch.steps, hold_s=phase.hold_s,
                    remaining_s=remaining,
                    footer=f"reps {self.counter.reps_done}/{self.counter.target} - {state}")

    def summary(self) -> str:
        """Reps counted and time in position, in two lines."""
        c = self.counter
        line = f"{self.stretch.name}: {c.reps_done} of {c.target} reps counted"
        if not self.checked:
            return (f"{line} by the clock\nposition not checked: a front camera cannot see "
                    f"this stretch ({self.seconds:.1f} s timed)")
        return (f"{line} from verified holds\nin position {self.in_position_s:.1f} s of "
                f"{self.checked_s:.1f} s checked ({self.seconds:.1f} s in all)")


def follow(stretch: Stretch, poses: Iterable[tuple[float, Pose | None]],
           profile: Profile | None = None) -> Iterator[GuideFrame]:
    """Run a Session over (t, pose) pairs until the stretch is done or the poses run out."""
    session = Session(stretch, profile)
    for t, pose in poses:
        yield session.step(t, pose)
        if session.done:
            return


# ---- command line ---------------------------------------------------------------------------

class Announcer:
    """Hands prompts to a Voice one at a time: a live Voice keeps only the newest pending prompt,
    so a burst (script, steps, a count) would otherwise lose all but the last. Without a Voice
    (--mute) each prompt is only shown."""

    def __init__(self, voice: Voice | None, show: Callable[[str], None]) -> None:
        self._voice = voice
        self._show = show
        self._queue: deque[str] = deque()

    def add(self, texts: Iterable[str]) -> None:
        """Queue prompts (shown at once when there is no voice)."""
        for text in texts:
            if self._voice is None:
                self._show(text)
            else:
                self._queue.append(text)
        self.pump()

    def pump(self) -> None:
        """Give the voice the next prompt if it is idle."""
        if self._voice is not None and self._queue and self._voice.flush(0):
            self._voice.say(self._queue.popleft())

    def close(self, timeout: float) -> None:
        """Say what is still queued, in order, then close the voice."""
        if self._voice is None:
            return
        while self._queue:
            self._voice.flush(timeout)
            self._voice.say(self._queue.popleft())
        self._voice.close(timeout)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `posture stretch ID` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "stretch",
        help="lead one stretch: speak the steps, check the position, count holds and reps",
        description="Lead one stretch from the library (see: posture stretches). Stretches a "
        "front camera can see are checked from the pose and the count pauses while you are out "
        "of position; the others are timed only. Not medical advice.",
    )
    parser.add_argument("id", metavar="ID", help="a stretch id from: posture stretches")
    parser.add_argument("--source", default="0",
                        help="camera index (default 0), or a video, image or folder (runs "
                        "without questions, as fast as it can, and ends with the file)")
    parser.add_argument("--profile", help="calibration profile name or .json path: its relaxed "
                        "posture is the reference (default: the first seconds of the run)")
    parser.add_argument("--jsonl", metavar="OUT",
                        help="write one JSON object per frame to OUT (- for stdout)")
    parser.add_argument("--mute", action="store_true", help="print the prompts, speak nothing")
    parser.add_argument("--speak-to", metavar="DIR", type=Path,
                        help="write each spoken prompt to DIR as a WAV file instead of playing it")
    parser.set_defaults(func=run)


VOICE_CLOSE_S = 120.0  # rendering every prompt of a long stretch into WAVs takes a while


def run(args: argparse.Namespace) -> int:
    """Lead the stretch over the source; write JSON Lines; print the summary at the end."""

    stretch = load_library().get(args.id)
    profile = load_profile(profile_path(args.profile)) if args.profile else None
    session = Session(stretch, profile)
    if not session.checked:
        say(f"{stretch.id} cannot be checked from a front camera: the count is timed only")
    with ExitStack() as stack:
        source = stack.enter_context(open_source(args.source))
        out = jsonl_output(args.jsonl, stack)
        voice = None if args.mute else Voice(speak_to=args.speak_to, fallback=say)
        announcer = Announcer(voice, say)
        stack.callback(announcer.close, VOICE_CLOSE_S)
        estimator = stack.enter_context(PoseEstimator(video=source.continuous))
        for frame in source:
            record = session.step(frame.t, estimator.estimate(frame.image, frame.t), frame.index)
            announcer.add(record.say)
            if out is not None:
                out.write(json.dumps(record.to_json()) + "\n")
            if source.is_camera and show(draw_card(frame.image, session.card())) in (
                    ord("q"), 27):
                break
            if session.done:
                break
    print(session.summary(), file=summary_stream(args.jsonl))
    return 0

