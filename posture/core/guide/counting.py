"""Counting a guided stretch: holds and reps, phase by phase, from the debounced position or,
for what the camera cannot check, by the clock; and what that calls for saying. Pure: time comes
from the frames' timestamps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from posture.core.stretches import Stretch

# The check must hold ENTER_S before the user counts as in position, and fail EXIT_S before
# they count as out of it (a blink of the model). The checks' enter and exit bands already keep
# a held position from flickering; a longer EXIT_S merges quick real reps (shrugs of 0.3-0.5 s
# with 0.3 s between them, ../shared/data) into one.
ENTER_S = 0.2
EXIT_S = 0.2
MAX_PAUSE_S = 3.0  # a hold resumes after a break of up to this (and a quarter of the hold)
STEP_S = 4.0  # each step of a phase is given this long before the next is read out
READY_S = 5.0  # timed stretches: time to get into position before the first hold
REST_S = 5.0  # timed stretches: rest between holds
MOVE_S = 3.0  # timed stretches without a hold: one movement every this many seconds
REMAINING_MARKS = (10, 5)  # "hold, N seconds left" for holds long enough to need it
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen", "twenty")


@dataclass(frozen=True)
class Cue:
    """One thing to say. A rep count or "N seconds left" (`count`) is superseded by a newer
    count: the announcer drops a count still waiting when the next one comes."""

    text: str
    count: bool = False


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
               present: bool = True) -> list[Cue]:
        """Advance by one frame; return what it calls for saying."""
        if self.done:
            return []
        if self._phase_start is None:
            self._phase_start = t
        if self.timed:
            return self._clock(t, dt, present)
        return self._position(t, dt, in_position, side)

    def _position(self, t: float, dt: float, in_position: bool, side: str | None) -> list[Cue]:
        """Counting from the checked position."""
        phase = self.current
        if not in_position:
            return self._out(t)
        self._out_since = None
        if not self._released:
            self.hold += dt  # still holding after the rep: shown, not counted again
            return []
        out: list[Cue] = []
        if self._holding and side is None:  # the side can blink out mid-hold
            side = self._hold_side
        if not self._holding or side != self._hold_side:  # a new hold, or one on the other side
            self._holding, self.hold, self._marks, self._nagged = True, 0.0, set(), False
            self._hold_side = side
            if phase.hold_s is not None:
                out.append(Cue("hold"))
        else:
            self.hold += dt
        if phase.per_side and side is not None and side == self._last_side:
            if not self._nagged:
                self._nagged = True
                out.append(Cue("now the other side"))
            return out
        if phase.hold_s is None or self.hold >= phase.hold_s:
            return out + self._rep(side)
        return out + self._remaining(phase.hold_s)

    def _out(self, t: float) -> list[Cue]:
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
            return [Cue("back into position")]
        return []

    def _clock(self, t: float, dt: float, present: bool) -> list[Cue]:
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
        out: list[Cue] = []
        if not self._holding:
            self._holding, self.hold, self._marks = True, 0.0, set()
            out.append(Cue("hold" if phase.hold_s is not None else "go"))
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

    def _remaining(self, length: float) -> list[Cue]:
        """ "hold, N seconds left" as the hold passes each mark (the nearest one, should a
        resumed hold pass several at once), for holds long enough to need it."""
        due = [m for m in REMAINING_MARKS
               if length > m + 3 and length - self.hold <= m and m not in self._marks]
        self._marks.update(due)
        return [Cue(f"hold, {min(due)} seconds left", count=True)] if due else []

    def _rep(self, side: str | None) -> list[Cue]:
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
        out = [Cue(text, count=True)]
        if self._phase_reps >= phase.target:
            out += self._next_phase()
        elif phase.per_side and self.timed:  # checked: the count names the side already
            out.append(Cue("now the other side"))
        return out

    def _next_phase(self) -> list[Cue]:
        """Start the next phase (its first step is read out by the session) or finish."""
        self.phase += 1
        self._phase_reps, self._per_side, self._last_side = 0, Counter(), None
        self._phase_start, self._rest_until = None, None
        if self.phase >= len(self.phases):
            self.done = True
            return [Cue(f"That's all {self.target}. Well done.")]
        return []
