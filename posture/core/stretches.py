"""The stretch library as plain data, and the choice of stretches for the problems seen.

The stretches themselves are content (posture/data/stretches.json), read and validated by
`posture.io.library`; here they are matched to problems (`suggest`) and their dose is put in
words (`dose`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from posture.core.errors import UserError

PLACES = ("seat", "standing", "doorway", "floor")
# A prescription of the user's own (posture stretch --hold S --reps N) stays within these: a
# hold beyond ten minutes or more than 50 reps is a typing slip, not a desk stretch.
MAX_HOLD_S = 600.0
MAX_REPS = 50
DESK_PLACES = frozenset({"seat", "standing"})
SOURCES = ("guide", "added")


@dataclass(frozen=True)
class Movement:
    """Movements without a hold that follow the held reps, from one step on (the shrug's rolls)."""

    step: int  # 1-based number of the step that starts them
    reps: int
    name: str  # as in "10 rolls forward"


@dataclass(frozen=True)
class Stretch:
    """One stretch as the guide gives it: where, how, how long, and which problems it helps.

    hold_s is [min, max] seconds, max None for "at least min"; the guided stretch counts the
    minimum hold and the minimum reps (`hold_target`, `reps_target`), and every card and
    spoken count takes them from here (`prescribe` replaces them with the user's own).
    """

    id: str
    name: str
    places: tuple[str, ...]
    equipment: tuple[str, ...]
    targets: tuple[str, ...]
    steps: tuple[str, ...]
    hold_s: tuple[float, float | None] | None
    reps: tuple[int, int]
    per_side: bool
    variant: str | None
    script: str
    checkable: bool
    source: str
    movements: tuple[Movement, ...]

    @property
    def at_desk(self) -> bool:
        """True when it can be done without leaving the desk (seated or standing beside it)."""
        return not DESK_PLACES.isdisjoint(self.places)

    @property
    def hold_target(self) -> float | None:
        """Seconds each hold is counted for: the guide's minimum (None: movements, no hold)."""
        return self.hold_s[0] if self.hold_s else None

    @property
    def reps_target(self) -> int:
        """Reps counted (per side when per_side): the guide's minimum."""
        return self.reps[0]

    def to_dict(self) -> dict[str, Any]:
        """Every field, in the file's shape (tuples serialize as JSON lists)."""
        return asdict(self)


@dataclass(frozen=True)
class Reason:
    """Why one stretch helps one problem (one line, shown and spoken with the suggestion)."""

    stretch: str
    reason: str


@dataclass(frozen=True)
class Suggestion:
    """A stretch chosen for a problem, with the one-line reason it helps."""

    stretch: Stretch
    problem: str
    reason: str


@dataclass(frozen=True)
class Library:
    """The validated library: stretches in file order, reasons per problem (best first), safety."""

    stretches: Mapping[str, Stretch]
    reasons: Mapping[str, tuple[Reason, ...]]
    safety: str

    def get(self, stretch_id: str) -> Stretch:
        """The stretch with this id; an unknown id is the user's mistake, so name the valid ones."""
        try:
            return self.stretches[stretch_id]
        except KeyError:
            valid = ", ".join(self.stretches)
            raise UserError(f"unknown stretch {stretch_id!r}; valid ids: {valid}") from None

    def to_dict(self) -> dict[str, Any]:
        """The whole library in the file's shape, so the output can be loaded back."""
        return {
            "safety": self.safety,
            "stretches": [s.to_dict() for s in self.stretches.values()],
            "reasons": {p: [asdict(r) for r in rs] for p, rs in self.reasons.items()},
        }


def suggest(
    problems: Sequence[str],
    library: Library,
    *,
    at_desk: bool = True,
    recent: Sequence[str] = (),
    limit: int = 2,
) -> list[Suggestion]:
    """Stretches for the problems (most important first), taking turns between problems.

    At the desk only seat or standing stretches fit (a doorway means leaving the desk); on a break
    every stretch fits and the floor and doorway ones, which the desk cannot offer, come first.
    Within a problem the library's order is preference, except that stretches in `recent` (most
    recent last) go to the back, least recent first, so the same one is not offered twice in a
    row while another fits. Pure and deterministic: same input, same output.
    """
    last_seen = {sid: i for i, sid in enumerate(recent)}
    queues: list[tuple[str, deque[Reason]]] = []
    for problem in dict.fromkeys(problems):
        if problem not in library.reasons:
            raise UserError(f"unknown problem {problem!r}; valid: {', '.join(library.reasons)}")
        desk = {r.stretch: library.stretches[r.stretch].at_desk for r in library.reasons[problem]}
        fits = [r for r in library.reasons[problem] if desk[r.stretch] or not at_desk]
        # Stable sort: not recent before least recent before most recent; on a break, the
        # stretches the desk cannot offer first; otherwise the library's order of preference.
        fits.sort(key=lambda r: (last_seen.get(r.stretch, -1), not at_desk and desk[r.stretch]))
        queues.append((problem, deque(fits)))
    chosen: list[Suggestion] = []
    taken: set[str] = set()
    while len(chosen) < limit and any(queue for _, queue in queues):
        for problem, queue in queues:
            while queue and queue[0].stretch in taken:
                queue.popleft()
            if queue and len(chosen) < limit:
                pick = queue.popleft()
                taken.add(pick.stretch)
                chosen.append(Suggestion(library.stretches[pick.stretch], problem, pick.reason))
    return chosen


def prescribe(stretch: Stretch, hold_s: float | None = None, reps: int | None = None) -> Stretch:
    """The stretch with a prescription of the user's own (a physiotherapist's may differ from
    the guide's): each hold `hold_s` seconds, `reps` reps (per side for a per-side stretch);
    None keeps the guide's. A hold for a stretch counted in movements is the user's mistake."""
    if hold_s is not None and stretch.hold_s is None:
        raise UserError(f"{stretch.id} is counted in movements, not holds: drop --hold")
    return replace(stretch, hold_s=stretch.hold_s if hold_s is None else (hold_s, hold_s),
                   reps=stretch.reps if reps is None else (reps, reps))


def dose_text(hold: str | None, reps: str, per_side: bool) -> str:
    """A hold (in seconds; None: movements, no hold) and reps in words: 'hold 20-30 s,
    3 times', '10 times each side'."""
    times = f"{reps} times" + (" each side" if per_side else "")
    return times if hold is None else f"hold {hold} s, {times}"


def dose(stretch: Stretch) -> str:
    """How long and how often the guide says, in words: 'hold 20-30 s, 3 times', '10 times
    each side', 'hold at least 20 s, 3 times', and any movements after the holds ('then 10
    rolls forward')."""

    def span(pair: tuple[float, float | None]) -> str:
        low, high = pair
        return (f"at least {low:g}" if high is None else f"{low:g}" if low == high
                else f"{low:g}-{high:g}")

    text = dose_text(span(stretch.hold_s) if stretch.hold_s else None, span(stretch.reps),
                     stretch.per_side)
    if stretch.movements:
        text += "; then " + ", ".join(f"{m.reps} {m.name}" for m in stretch.movements)
    return text
