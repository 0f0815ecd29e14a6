"""Per-minute sums of the monitor's verdicts, the arithmetic under the history and the report.

Pure: time comes from frame timestamps. Each frame's state holds from its time until the next
frame's; a minute's sums are split at clock-minute boundaries.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

MINUTE = 60


@dataclass(frozen=True)
class Minute:
    """One clock minute of monitoring, aggregated over the frames that fell in it."""

    start: int  # on the aggregator's clock (origin + t): a multiple of 60
    monitored_s: float
    present_s: float
    good_s: float
    slouched_s: float
    mean_score: float
    max_score: float
    problems: dict[str, float]  # problem id -> seconds seen


@dataclass(frozen=True)
class _Frame:
    """A frame's state, which holds from its time until the next frame."""

    t: float
    person: bool
    posture: str | None
    problems: tuple[str, ...]
    score: float


@dataclass
class Tally:
    """Running sums for one clock minute: from frames as they come (`credit`), or from the
    minutes several sessions recorded for the same clock minute (`merge`)."""

    monitored_s: float = 0.0
    present_s: float = 0.0
    good_s: float = 0.0
    slouched_s: float = 0.0
    score_area: float = 0.0  # the score integrated over monitored time
    max_score: float = 0.0
    problems: Counter[str] = field(default_factory=Counter)

    def credit(self, dt: float, f: _Frame) -> None:
        """Credit `dt` seconds of the frame's state."""
        self.monitored_s += dt
        self.score_area += dt * f.score
        self.max_score = max(self.max_score, f.score)
        if f.person:
            self.present_s += dt
            self.good_s += dt if f.posture == "good" else 0.0
            self.slouched_s += dt if f.posture == "slouched" else 0.0
            for problem in f.problems:
                self.problems[problem] += dt

    def merge(self, m: Minute) -> None:
        """Add a finished minute's sums (another session's record of the same clock minute)."""
        self.monitored_s += m.monitored_s
        self.present_s += m.present_s
        self.good_s += m.good_s
        self.slouched_s += m.slouched_s
        self.score_area += m.mean_score * m.monitored_s
        self.max_score = max(self.max_score, m.max_score)
        self.problems.update(m.problems)

    def minute(self, start: int) -> Minute:
        """The sums as a finished minute starting at `start`."""
        mean = self.score_area / self.monitored_s if self.monitored_s else 0.0
        return Minute(start, self.monitored_s, self.present_s, self.good_s, self.slouched_s,
                      mean, self.max_score, dict(self.problems))


class MinuteAggregator:
    """Per-frame verdicts in, finished clock minutes out. Pure: time comes from `t` only.

    Each frame's state holds until the next frame, at most `stall_s` seconds (the sampling
    policy's `Sampling.stall_s`, as in the slouch score: a longer gap is a stalled source or a
    pause, not monitored time). Minutes lie on the
    clock `origin + t` (History passes the session's wall start, so minutes are wall-clock
    minutes); a minute is finished when a frame from a later minute arrives, or at `finish`.
    Minutes without any monitored time are not emitted.
    """

    def __init__(self, stall_s: float, origin: float = 0.0) -> None:
        self.stall_s = stall_s
        self.origin = origin
        self._open: dict[int, Tally] = {}  # minute index -> sums, for minutes not yet emitted
        self._last: _Frame | None = None

    def add(self, t: float, person: bool, posture: str | None, problems: Sequence[str],
            score: float) -> list[Minute]:
        """Advance to frame time `t` with this frame's verdict; the minutes now finished.

        `posture` is "good", "slouched" or None (no verdict), `problems` the problem ids seen
        and `score` the slouch score after this frame. A time before the previous frame's is
        taken as the previous frame's (the clock never runs backwards).
        """
        if self._last is not None:
            t = max(t, self._last.t)
            self._hold(t)
        self._last = _Frame(t, person, posture if person else None,
                            tuple(problems) if person else (), score)
        return self._finished(math.floor((self.origin + t) / MINUTE))

    def stop(self, t: float) -> None:
        """Frames stopped at `t` (a pause, a lost camera): the last frame's state counts until
        then, and nothing more until the next frame."""
        if self._last is not None:
            self._hold(max(t, self._last.t))
            self._last = None

    def finish(self, t: float | None = None) -> list[Minute]:
        """End of the session at time `t` (default: the last frame's): every minute left."""
        if self._last is not None:
            self._hold(self._last.t if t is None else max(t, self._last.t))
            self._last = None
        return self._finished(math.inf)

    def _hold(self, until: float) -> None:
        """Credit the last frame's state up to `until` (capped), split at minute boundaries."""
        last = self._last
        assert last is not None
        a = self.origin + last.t
        end = a + min(until - last.t, self.stall_s)
        while a < end:
            index = math.floor(a / MINUTE)
            b = min(end, (index + 1) * MINUTE)
            self._open.setdefault(index, Tally()).credit(b - a, last)
            a = b

    def _finished(self, before: float) -> list[Minute]:
        """Pop and return the minutes whose index is below `before`, oldest first."""
        done = sorted(k for k in self._open if k < before)
        return [self._open.pop(k).minute(k * MINUTE) for k in done]
