"""Guided stretch: `posture stretch ID` speaks the steps, checks the position and counts reps.

Layers, pure up to the last:
- posture.checks: is this pose in the stretch's position (True/False/None), against the
  user's relaxed reference.
- `RepCounter`: holds and reps, phase by phase, from the debounced position, or by the clock
  for what the camera cannot check.
- `Session`: reference, check, debounce and counter over a sequence of poses, plus what to say
  when the camera cannot judge (nobody in view, elbows out of the frame): tell the user once,
  and time the holds instead (reported as unverified) until the camera can judge again.
- `Announcer` and `run`: the CLI subcommand and the voice: frames -> poses -> Session -> voice,
  JSON Lines, overlay card.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from posture.calibration import Profile, load_profile, profile_path
from posture.checks import ReferenceTracker, check, in_view, side_of
from posture.console import check_outputs, jsonl_output, say, summary_stream
from posture.history import History, placed_start
from posture.overlay import Card, render_stretch
from posture.pose import Pose, PoseEstimator, to_bgr
from posture.settings import Settings, load_settings
from posture.sources import open_source
from posture.stretches import Stretch, dose, load_library
from posture.voice import DEFAULT_MAX_AGE_S, Voice
from posture.window import QUIT_KEYS, show

ENTER_S = 0.2  # the check must hold this long before the user counts as in position...
EXIT_S = 0.4  # ...and fail this long before they count as out of it (noise, blinks of the model)
MAX_PAUSE_S = 3.0  # a hold resumes after a break of up to this (and a quarter of the hold)
STEP_S = 4.0  # each step of a phase is given this long before the next is read out
READY_S = 5.0  # timed stretches: time to get into position before the first hold
REST_S = 5.0  # timed stretches: rest between holds
MOVE_S = 3.0  # timed stretches without a hold: one movement every this many seconds
REMAINING_MARKS = (10, 5)  # "hold, N seconds left" for holds long enough to need it
AWAY_S = 3.0  # nobody in view this long: say so (once per absence); the count waits meanwhile
UNJUDGED_S = 4.0  # someone in view but the check cannot judge for this long: time the holds
REJUDGED_S = 2.0  # ...until it has judged again for this long
# What to ask when someone is in view but the check cannot judge them.
HINTS = {
    "overhead_reach": "Move back so I can see your arms and hands.",
    "butterfly": "Move back so I can see your elbows.",
    "shoulder_blade_squeeze": "Move back so I can see your elbows.",
}
HINT = "Face the camera so I can see your head and shoulders."
AWAY = "I can't see you: sit facing the camera with your head and shoulders in view."
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen", "twenty")

Kind = Literal["script", "step", "count", "cue"]


@dataclass(frozen=True)
class Line:
    """One thing to say. kind "count" (a rep count, "N seconds left") is superseded by a newer
    count: the voice drops a count still waiting when the next one comes."""

    text: str
    kind: Kind = "cue"


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
    """The stretch's phases: its held reps, then one per movement of the library entry (the
    shrug's rolls pass through the raised position once per roll, without a hold)."""
    hold = stretch.hold_target
    starts = [0, *(m.step - 1 for m in stretch.movements)]
    ends = [s - 1 for s in starts[1:]] + [len(stretch.steps) - 1]
    reps = [stretch.reps_target, *(m.reps for m in stretch.movements)]
    return tuple(
        Phase(first, last, n, float(hold) if hold is not None and k == 0 else None,
              stretch.per_side if k == 0 else False)
        for k, (first, last, n) in enumerate(zip(starts, ends, reps, strict=True)))


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
    """Holds and reps of one stretch, phase by phase, from the debounced position, or (`timed`)
    from the clock. Returns what to say at each frame.

    A hold only grows while in position; a break of up to a quarter of the hold (at most
    MAX_PAUSE_S) pauses it, a longer one starts it over. After a rep the user must leave the
    position before the next one starts. Per-side phases count a rep only on the other side from
    the last one, where the side can be seen. The clock waits while nobody is in view.
    """

    def __init__(self, stretch: Stretch, timed: bool) -> None:
        self.phases = phases(stretch)
        self.timed = timed
        self.phase = 0
        self.reps_done = 0
        self.verified_reps = 0  # of reps_done, counted from checked holds
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

    @property
    def holding(self) -> bool:
        """True while a hold is running (or paused), so a countdown means something."""
        return self._holding and self.current.hold_s is not None

    def set_timed(self, timed: bool) -> None:
        """Count by the clock (True) or from the position (False); a running hold starts over."""
        if timed != self.timed:
            self.timed = timed
            self._holding, self.hold, self._released = False, 0.0, True
            self._out_since, self._rest_until = None, None

    def step_index(self, t: float) -> int:
        """The step being given: one per STEP_S from the phase's start, then its last step."""
        phase = self.current
        start = t if self._phase_start is None else self._phase_start
        return min(phase.first_step + int((t - start) // STEP_S), phase.last_step)

    def update(self, t: float, dt: float, in_position: bool, side: str | None,
               present: bool = True) -> list[Line]:
        """Advance by one frame; return what it calls for saying."""
        if self.done:
            return []
        if self._phase_start is None:
            self._phase_start = t
        if self.timed:
            return self._clock(t, dt, present)
        return self._position(t, dt, in_position, side)

    def _position(self, t: float, dt: float, in_position: bool, side: str | None) -> list[Line]:
        """Counting from the checked position."""
        phase = self.current
        if not in_position:
            return self._out(t)
        self._out_since = None
        if not self._released:
            self.hold += dt  # still holding after the rep: shown, not counted again
            return []
        out: list[Line] = []
        if self._holding and side is None:  # the side can blink out mid-hold
            side = self._hold_side
        if not self._holding or side != self._hold_side:  # a new hold, or one on the other side
            self._holding, self.hold, self._marks, self._nagged = True, 0.0, set(), False
            self._hold_side = side
            if phase.hold_s is not None:
                out.append(Line("hold"))
        else:
            self.hold += dt
        if phase.per_side and side is not None and side == self._last_side:
            if not self._nagged:
                self._nagged = True
                out.append(Line("now the other side"))
            return out
        if phase.hold_s is None or self.hold >= phase.hold_s:
            return out + self._rep(side)
        return out + self._remaining(phase.hold_s)

    def _out(self, t: float) -> list[Line]:
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
            return [Line("back into position")]
        return []

    def _clock(self, t: float, dt: float, present: bool) -> list[Line]:
        """Counting by time alone: get ready, then hold, rest, hold... paused while nobody is
        in view."""
        phase = self.current
        assert self._phase_start is not None
        if self._rest_until is None:
            self._rest_until = t + READY_S
        if not present:
            self._rest_until += dt
            return []
        if t < self._rest_until:
            return []
        out: list[Line] = []
        if not self._holding:
            self._holding, self.hold, self._marks = True, 0.0, set()
            out.append(Line("hold" if phase.hold_s is not None else "go"))
        else:
            self.hold += dt
        length = phase.hold_s if phase.hold_s is not None else MOVE_S
        if self.hold < length:
            return out + (self._remaining(length) if phase.hold_s is not None else [])
        self._holding, self.hold = False, 0.0
        self._rest_until = t + (REST_S if phase.hold_s is not None else 0.0)
        side = None
        if phase.per_side:
            side = "first" if self._phase_reps % 2 == 0 else "second"
        return out + self._rep(side)

    def _remaining(self, length: float) -> list[Line]:
        """ "hold, N seconds left" as the hold passes each mark (the nearest one, should a
        resumed hold pass several at once), for holds long enough to need it."""
        due = [m for m in REMAINING_MARKS
               if length > m + 3 and length - self.hold <= m and m not in self._marks]
        self._marks.update(due)
        return [Line(f"hold, {min(due)} seconds left", "count")] if due else []

    def _rep(self, side: str | None) -> list[Line]:
        """Count a rep; move on to the next phase or finish when the phase has them all."""
        phase = self.current
        self.reps_done += 1
        self.verified_reps += not self.timed
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
        out = [Line(text, "count")]
        if self._phase_reps >= phase.target:
            out += self._next_phase()
        elif phase.per_side and self.timed:  # checked: the count names the side already
            out.append(Line("now the other side"))
        return out

    def _next_phase(self) -> list[Line]:
        """Start the next phase (its first step is read out by the session) or finish."""
        self.phase += 1
        self._phase_reps, self._per_side, self._last_side = 0, Counter(), None
        self._phase_start, self._rest_until = None, None
        if self.phase >= len(self.phases):
            self.done = True
            return [Line(f"That's all {self.target}. Well done.")]
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
    lines: tuple[Line, ...]
    verified: bool = True  # the count comes from the camera's check (False: timed only)

    @property
    def say(self) -> tuple[str, ...]:
        """The texts said at this frame, in order."""
        return tuple(line.text for line in self.lines)

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
            "verified": self.verified,
        }


def _mirror_side(side: str | None) -> str | None:
    """The person's side as seen in a mirrored (selfie-view) picture."""
    return {"left": "right", "right": "left"}.get(side or "", side)


class Session:
    """One guided stretch over a sequence of poses: reference, check, debounce, count.

    Pure: time comes from the frames' timestamps, so a file gives the same result at any speed.
    `mirrored`: the camera flips the picture (selfie view), so sides seen in it are swapped.
    """

    def __init__(self, stretch: Stretch, profile: Profile | None = None,
                 mirrored: bool = False) -> None:
        self.stretch = stretch
        self.checked = stretch.checkable  # the library has a check for every checkable one
        self.mirrored = mirrored
        self.reference = ReferenceTracker(stretch.id, profile)
        self.debounce = Debounce()
        self.counter = RepCounter(stretch, timed=not self.checked)
        self.seconds = 0.0  # time covered by the frames so far
        self.checked_s = 0.0  # of which the position could be judged
        self.in_position_s = 0.0  # of which the user was in position
        self.fallback = False  # checkable, but the camera cannot judge now: timing the holds
        self._last_t: float | None = None
        self._step: int | None = None
        self._frames = 0
        self._away_since: float | None = None
        self._told_away = False
        self._unjudged_since: float | None = None
        self._judged_since: float | None = None
        self._hinted = False

    @property
    def done(self) -> bool:
        """True once every rep of every phase is counted."""
        return self.counter.done

    @property
    def verified(self) -> bool:
        """True while the count comes from the camera's check of the position."""
        return self.checked and not self.fallback

    def step(self, t: float, pose: Pose | None, frame: int | None = None) -> GuideFrame:
        """Judge one frame (taken at `t` seconds) and advance the count."""
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        frame = self._frames if frame is None else frame
        self._frames += 1
        present = in_view(pose)
        reference = self.reference.update(t, pose)
        passed = (check(self.stretch.id, pose, reference, held=self.debounce.state)
                  if self.checked else None)
        state = self.debounce.update(t, passed)
        in_position = None if passed is None else state
        side = side_of(self.stretch.id, pose, reference) if in_position else None
        if self.mirrored:
            side = _mirror_side(side)
        lines = self._step_lines(t)
        lines += self._presence(t, present)
        if self.checked:
            lines += self._judging(t, present, passed)
        lines += self.counter.update(t, dt, state, side, present)
        self.seconds += dt
        self.checked_s += dt if in_position is not None else 0.0
        self.in_position_s += dt if in_position else 0.0
        return GuideFrame(t, frame, self.stretch.id, self._step or 0, in_position,
                          self.counter.hold, self.counter.reps_done, self.counter.target, side,
                          tuple(lines), self.verified)

    def _step_lines(self, t: float) -> list[Line]:
        """The script at the start, then each step as it becomes current."""
        lines = [Line(self.stretch.script, "script")] if self._step is None else []
        step = self.counter.step_index(t)
        if self._step is None or step > self._step:
            start = self.counter.current.first_step if self._step is None else self._step + 1
            lines += [Line(text, "step") for text in self.stretch.steps[start:step + 1]]
            self._step = step
        return lines

    def _presence(self, t: float, present: bool) -> list[Line]:
        """Say once per absence that nobody is in view (the count waits meanwhile)."""
        if present:
            self._away_since, self._told_away = None, False
            return []
        if self._away_since is None:
            self._away_since = t
        if not self._told_away and t - self._away_since >= AWAY_S:
            self._told_away = True
            return [Line(AWAY)]
        return []

    def _judging(self, t: float, present: bool, passed: bool | None) -> list[Line]:
        """Switch to timing the holds when someone is in view but the check has not judged them
        for UNJUDGED_S (telling the user, once, what would let it), back once it judges again."""
        if passed is not None:
            self._unjudged_since = None
            self._judged_since = t if self._judged_since is None else self._judged_since
            if self.fallback and t - self._judged_since >= REJUDGED_S:
                self.fallback = False
                self.counter.set_timed(False)
                return [Line("I can see you now: counting from your position again.")]
            return []
        self._judged_since = None
        if not present or not self.reference.settled:
            self._unjudged_since = None
            return []
        self._unjudged_since = t if self._unjudged_since is None else self._unjudged_since
        if self.fallback or t - self._unjudged_since < UNJUDGED_S:
            return []
        self.fallback = True
        self.counter.set_timed(True)
        if self._hinted:
            return []
        self._hinted = True
        hint = HINTS.get(self.stretch.id, HINT)
        return [Line(f"{hint} Until then I'll time your holds.")]

    def card(self) -> Card:
        """The overlay card now: steps (the current one marked), what is counted, a countdown
        while a hold runs, reps and whether the camera verifies them."""
        phase = self.counter.current
        countdown = None
        if self.counter.holding and phase.hold_s is not None:
            countdown = max(0.0, phase.hold_s - self.counter.hold)
        if not self.checked:
            state = "timed (the camera cannot check this stretch)"
        elif self.fallback:
            state = "timed (the camera cannot see you well enough)"
        else:
            state = "in position" if self.debounce.state else "get into position"
        counted = (f"hold {phase.hold_s:g} s x {phase.reps}" if phase.hold_s is not None
                   else f"{phase.reps} times")
        if phase.per_side:
            counted += " each side"
        return Card(title=self.stretch.name, steps=self.stretch.steps, dose=counted,
                    countdown_s=countdown, countdown_of=phase.hold_s,
                    current=self._step, footer=f"reps {self.counter.reps_done}/"
                    f"{self.counter.target} - {state}")

    def summary(self) -> str:
        """Reps counted (verified and timed) and time in position, in two lines."""
        c = self.counter
        line = f"{self.stretch.name}: {c.reps_done} of {c.target} reps counted"
        if not self.checked:
            return (f"{line} by the clock\nposition not checked: a front camera cannot see "
                    f"this stretch ({self.seconds:.1f} s timed)")
        timed = c.reps_done - c.verified_reps
        how = (" from verified holds" if not timed else
               f": {c.verified_reps} from verified holds, {timed} timed (unverified: the camera "
               "could not see you well enough)")
        return (f"{line}{how}\nin position {self.in_position_s:.1f} s of "
                f"{self.checked_s:.1f} s checked ({self.seconds:.1f} s in all)")


def follow(stretch: Stretch, poses: Iterable[tuple[float, Pose | None]],
           profile: Profile | None = None) -> Iterator[GuideFrame]:
    """Run a Session over (t, pose) pairs until the stretch is done or the poses run out."""
    session = Session(stretch, profile)
    for t, pose in poses:
        yield session.step(t, pose)
        if session.done:
            return


# ---- voice and command line -----------------------------------------------------------------

class Announcer:
    """Hands lines to a Voice one at a time, so a burst (script, steps, a count) is said in
    order, without a backlog: a count still waiting is dropped for a newer count, a line that
    waited longer than `max_age` seconds is dropped, and closing drops what waits (only the
    utterance under way finishes). Writing to files (speak_to), every line is kept: a batch run
    must not depend on the machine's speed. Without a Voice (--mute) each line is shown."""

    def __init__(self, voice: Voice | None, show: Callable[[str], None], *,
                 max_age: float = DEFAULT_MAX_AGE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._voice = voice
        self._show = show
        self._max_age = max_age
        self._clock = clock
        self._queue: deque[tuple[float, Line]] = deque()

    @property
    def waiting(self) -> tuple[str, ...]:
        """The texts not yet handed to the voice, oldest first."""
        return tuple(line.text for _, line in self._queue)

    def add(self, lines: Iterable[Line | str]) -> None:
        """Queue lines (shown at once when there is no voice) and hand one on if idle."""
        now = self._clock()
        for line in lines:
            line = line if isinstance(line, Line) else Line(line)
            if self._voice is None:
                self._show(line.text)
            elif self._voice.keeps_all:  # files: hand everything over, the voice keeps order
                self._voice.say(line.text)
            else:
                if line.kind == "count":
                    self._queue = deque(q for q in self._queue if q[1].kind != "count")
                self._queue.append((now, line))
        self.pump()

    def pump(self) -> None:
        """Drop stale lines, then give the voice the next one if it is idle."""
        if self._voice is None:
            return
        now = self._clock()
        while self._queue and now - self._queue[0][0] > self._max_age:
            self._queue.popleft()
        if self._queue and self._voice.flush(0):
            self._voice.say(self._queue.popleft()[1].text)

    def close(self, timeout: float) -> None:
        """Stop: drop what waits and let only the current utterance finish (files: write all)."""
        if self._voice is None:
            return
        if not self._voice.keeps_all:
            self._queue.clear()
            self._voice.cancel()
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
    parser.add_argument("--mirrored", action="store_true",
                        help="the camera shows a mirror image (selfie view): swap the sides "
                        "it names")
    parser.set_defaults(func=run)


VOICE_CLOSE_S = 120.0  # rendering every prompt of a long stretch into WAVs takes a while
QUIT_CLOSE_S = 15.0  # live: the utterance under way may finish, nothing after it


def voice_for(settings: Settings, mute: bool, speak_to: Path | None) -> Voice | None:
    """The Voice the settings and flags ask for: None when muted (flag or monitor.mute) or
    voice.enabled is false, unless --speak-to asks for files."""
    if speak_to is None and (mute or settings.monitor.mute):
        return None
    return settings.voice.voice(say, speak_to=speak_to)


def draw(image: np.ndarray, pose: Pose | None, session: Session) -> np.ndarray:
    """The guided stretch's view of a camera frame: skeleton and card (shared with posture run)."""
    return render_stretch(to_bgr(image), pose, session.card())


def run(args: argparse.Namespace) -> int:
    """Lead the stretch over the source; write JSON Lines; print the summary at the end."""
    stretch = load_library().get(args.id)
    profile_file = profile_path(args.profile) if args.profile else None
    profile = load_profile(profile_file) if profile_file else None
    settings = load_settings()
    session = Session(stretch, profile, mirrored=args.mirrored)
    check_outputs([args.source, profile_file], jsonl=args.jsonl)
    with ExitStack() as stack:
        source = stack.enter_context(open_source(args.source))
        out = jsonl_output(args.jsonl, stack)
        voice = voice_for(settings, args.mute, args.speak_to)
        history = stack.enter_context(History())  # opened now: a damaged file is told at once
        if not session.checked:
            say(f"{stretch.id} cannot be checked from a front camera: the count is timed only")
        say(f"{stretch.name}: {dose(stretch)}")
        announcer = Announcer(voice, say, max_age=settings.voice.max_age_s)
        quit_timeout = VOICE_CLOSE_S if args.speak_to else QUIT_CLOSE_S
        stack.callback(announcer.close, quit_timeout)
        estimator = stack.enter_context(PoseEstimator(video=source.continuous))
        wall_start = placed_start(source.duration)  # a camera's clock starts with its frames
        for frame in source:
            pose = estimator.estimate(frame.image, frame.t)
            record = session.step(frame.t, pose, frame.index)
            announcer.add(record.lines)
            if out is not None:
                out.write(json.dumps(record.to_json()) + "\n")
            if source.is_camera and show(draw(frame.image, pose, session)) in QUIT_KEYS:
                break
            if session.done:  # a session of its own, only for a stretch done to the end
                history.start_session(f"stretch {stretch.id}: {source.name}",
                                      str(profile_file or ""), wall_start=wall_start)
                history.record_stretch(frame.t, stretch.id, record.reps_done,
                                       session.in_position_s)
                history.end_session(frame.t)
                break
    print(session.summary(), file=summary_stream(args.jsonl))
    return 0
