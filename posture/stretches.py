"""The stretch library: stretches as data (posture/data/stretches.json), validated and matched.

The guide's stretches are content, not code: keeping them in JSON lets them be reviewed and
extended without touching the matching logic, and validating at load turns a typo into one clear
error line instead of a wrong prompt hours into a session.
"""

from __future__ import annotations

import argparse
import json
import re
import textwrap
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from posture.checks import CHECKS
from posture.errors import UserError
from posture.problems import PROBLEMS

PLACES = ("seat", "standing", "doorway", "floor")
DESK_PLACES = frozenset({"seat", "standing"})
SOURCES = ("guide", "added")
PACKAGED = "posture/data/stretches.json"

_ID = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


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
    spoken count takes them from here.
    """

    id: str
    name: str
    places: tuple[str, ...]
    equipment: tuple[str, ...]
    targets: tuple[str, ...]
    steps: tuple[str, ...]
    hold_s: tuple[int, int | None] | None
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
    def hold_target(self) -> int | None:
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


class _Invalid(Exception):
    """A field's problem, before the loader adds which file, stretch and field it is in."""


def _text(value: Any) -> str:
    """A non-empty string (names, steps, scripts are spoken or shown, so never blank)."""
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("must be a non-empty string")
    return value


def _optional_text(value: Any) -> str | None:
    """A non-empty string or null (for fields most stretches leave out)."""
    return None if value is None else _text(value)


def _flag(value: Any) -> bool:
    """A real JSON boolean, so 0 or "no" cannot pass for false."""
    if not isinstance(value, bool):
        raise _Invalid("must be true or false")
    return value


def _texts(allowed: Sequence[str] | None = None, *, empty_ok: bool = False) -> Callable:
    """A checker for a list of distinct strings, optionally drawn from `allowed`."""

    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _Invalid("must be a list of strings")
        if not value and not empty_ok:
            raise _Invalid("must not be empty")
        items = tuple(_text(v) for v in value)
        for item in items:
            if allowed is not None and item not in allowed:
                raise _Invalid(f"unknown value {item!r} (valid: {', '.join(allowed)})")
        if len(set(items)) != len(items):
            raise _Invalid("lists a value twice")
        return items

    return check


def _whole(value: Any) -> bool:
    """A JSON whole number (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _span(*, nullable: bool, open_max: bool = False) -> Callable:
    """A checker for [min, max] of positive whole numbers (or null when `nullable`; max null
    for "at least min" when `open_max`)."""

    def check(value: Any) -> tuple[int, int | None] | None:
        if value is None and nullable:
            return None
        if not (
            isinstance(value, list)
            and len(value) == 2
            and _whole(value[0])
            and (_whole(value[1]) or (open_max and value[1] is None))
        ):
            raise _Invalid("must be [min, max] whole numbers" + (" or null" if nullable else "")
                           + (" (max null: at least min)" if open_max else ""))
        low, high = value
        if low < 1:
            raise _Invalid(f"min {low} must be at least 1")
        if high is not None and low > high:
            raise _Invalid(f"min {low} is greater than max {high}")
        return (low, high)

    return check


def _movements(value: Any) -> tuple[Movement, ...]:
    """A list of {step, reps, name} objects, steps increasing (their order in the stretch)."""
    if not isinstance(value, list):
        raise _Invalid("must be a list of {step, reps, name} objects")
    out: list[Movement] = []
    for item in value:
        if not (isinstance(item, dict) and set(item) == {"step", "reps", "name"}
                and _whole(item["step"]) and _whole(item["reps"]) and item["reps"] >= 1):
            raise _Invalid("items must be {step, reps, name} with whole step and reps >= 1")
        if out and item["step"] <= out[-1].step or item["step"] < 2:
            raise _Invalid(f"step {item['step']} must be above 1 and above the one before")
        out.append(Movement(item["step"], item["reps"], _text(item["name"])))
    return tuple(out)


def _source(value: Any) -> str:
    """Where the stretch comes from: the guide, or added for desk work."""
    if value not in SOURCES:
        raise _Invalid(f"must be one of {', '.join(SOURCES)}")
    return value


_FIELDS: dict[str, Callable[[Any], Any]] = {
    "id": _text,
    "name": _text,
    "places": _texts(PLACES),
    "equipment": _texts(empty_ok=True),
    "targets": _texts(PROBLEMS),
    "steps": _texts(),
    "hold_s": _span(nullable=True, open_max=True),
    "reps": _span(nullable=False),
    "per_side": _flag,
    "variant": _optional_text,
    "script": _text,
    "checkable": _flag,
    "source": _source,
    "movements": _movements,
}


def _parse_stretch(entry: Any, index: int, where: str) -> Stretch:
    """One entry of `stretches`, checked field by field; errors name the stretch and field."""
    if not isinstance(entry, dict):
        raise UserError(f"{where}: stretch #{index + 1}: must be an object")
    sid = entry.get("id")
    label = repr(sid) if isinstance(sid, str) and sid.strip() else f"#{index + 1}"
    values: dict[str, Any] = {}
    for field, check in _FIELDS.items():
        if field not in entry:
            raise UserError(f"{where}: stretch {label}, field {field!r}: missing")
        try:
            values[field] = check(entry[field])
        except _Invalid as problem:
            raise UserError(f"{where}: stretch {label}, field {field!r}: {problem}") from None
    if not _ID.fullmatch(values["id"]):
        raise UserError(f"{where}: stretch {label}, field 'id': must be snake_case, like chin_tuck")
    unknown = sorted(set(entry) - set(_FIELDS))
    if unknown:
        raise UserError(f"{where}: stretch {label}, field {unknown[0]!r}: unknown field")
    if values["checkable"] and values["id"] not in CHECKS:
        raise UserError(f"{where}: stretch {label}, field 'checkable': true, but the guide has no "
                        f"position check for it (checks exist for: {', '.join(CHECKS)})")
    if values["movements"] and values["movements"][-1].step > len(values["steps"]):
        raise UserError(f"{where}: stretch {label}, field 'movements': step "
                        f"{values['movements'][-1].step} is past the last step")
    return Stretch(**values)


def _parse_reasons(
    raw: Any, stretches: Mapping[str, Stretch], where: str
) -> dict[str, tuple[Reason, ...]]:
    """The `reasons` mapping: every problem, known stretches only, consistent with `targets`."""
    if not isinstance(raw, dict):
        raise UserError(f"{where}: field 'reasons': must be an object keyed by problem id")
    reasons: dict[str, tuple[Reason, ...]] = {}
    for problem, items in raw.items():
        field = f"reasons.{problem}"
        if problem not in PROBLEMS:
            raise UserError(
                f"{where}: field {field!r}: unknown problem (valid: {', '.join(PROBLEMS)})"
            )
        if not isinstance(items, list) or not items:
            raise UserError(f"{where}: field {field!r}: must be a non-empty list")
        parsed: list[Reason] = []
        for item in items:
            if not isinstance(item, dict) or set(item) != {"stretch", "reason"}:
                raise UserError(
                    f"{where}: field {field!r}: items must be {{stretch, reason}} objects"
                )
            sid, text = item["stretch"], item["reason"]
            if sid not in stretches:
                raise UserError(f"{where}: field {field!r}: unknown stretch {sid!r}")
            if problem not in stretches[sid].targets:
                raise UserError(
                    f"{where}: stretch {sid!r}, field 'targets': lacks {problem!r}, "
                    f"which {field} gives it"
                )
            if any(r.stretch == sid for r in parsed):
                raise UserError(f"{where}: field {field!r}: stretch {sid!r} listed twice")
            if not isinstance(text, str) or not text.strip():
                raise UserError(f"{where}: field {field!r}: stretch {sid!r} has an empty reason")
            parsed.append(Reason(sid, text))
        reasons[problem] = tuple(parsed)
    for problem in PROBLEMS:
        if problem not in reasons:
            raise UserError(f"{where}: field 'reasons.{problem}': missing")
    for stretch in stretches.values():
        for problem in stretch.targets:
            if all(r.stretch != stretch.id for r in reasons[problem]):
                raise UserError(
                    f"{where}: stretch {stretch.id!r}, field 'targets': {problem!r} has no "
                    f"reason in reasons.{problem}"
                )
    return reasons


def _parse(doc: Any, where: str) -> Library:
    """The whole document: top-level shape, then stretches, duplicates, reasons, safety."""
    if not isinstance(doc, dict) or set(doc) != {"stretches", "reasons", "safety"}:
        raise UserError(f"{where}: must be an object with exactly stretches, reasons and safety")
    if not isinstance(doc["stretches"], list) or not doc["stretches"]:
        raise UserError(f"{where}: field 'stretches': must be a non-empty list")
    stretches: dict[str, Stretch] = {}
    for index, entry in enumerate(doc["stretches"]):
        stretch = _parse_stretch(entry, index, where)
        if stretch.id in stretches:
            raise UserError(f"{where}: stretch {stretch.id!r}, field 'id': duplicate id")
        stretches[stretch.id] = stretch
    reasons = _parse_reasons(doc["reasons"], stretches, where)
    try:
        safety = _text(doc["safety"])
    except _Invalid as problem:
        raise UserError(f"{where}: field 'safety': {problem}") from None
    return Library(stretches, reasons, safety)


def load_library(path: str | Path | None = None) -> Library:
    """Read and validate the library: the packaged file by default, or `path` (for tests)."""
    where = PACKAGED if path is None else str(path)
    try:
        if path is None:
            text = (resources.files("posture") / "data" / "stretches.json").read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the stretch library {where}: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return _parse(doc, where)


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


def dose(stretch: Stretch) -> str:
    """How long and how often, in words: 'hold 20-30 s, 3 times', '10 times each side', 'hold
    at least 20 s, 3 times', and any movements after the holds ('then 10 rolls forward')."""

    def span(pair: tuple[int, int | None]) -> str:
        low, high = pair
        return f"at least {low}" if high is None else str(low) if low == high else f"{low}-{high}"

    times = f"{span(stretch.reps)} times" + (" each side" if stretch.per_side else "")
    text = times if stretch.hold_s is None else f"hold {span(stretch.hold_s)} s, {times}"
    if stretch.movements:
        text += "; then " + ", ".join(f"{m.reps} {m.name}" for m in stretch.movements)
    return text


def format_table(library: Library) -> str:
    """Every stretch, one per line: id, name, where, hold/reps, targets; then the safety note."""
    header = ("ID", "NAME", "WHERE", "HOLD/REPS", "TARGETS")
    rows = [header] + [
        (s.id, s.name, "/".join(s.places), dose(s), ", ".join(s.targets))
        for s in library.stretches.values()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in rows
    ]
    lines += ["", "Show one in full: posture stretches ID", "", textwrap.fill(library.safety, 79)]
    return "\n".join(lines)


def format_stretch(stretch: Stretch, library: Library) -> str:
    """One stretch in full: where, dose, why it helps each problem, steps, and the safety note."""
    lines = [
        f"{stretch.name} ({stretch.id})",
        f"Where: {', '.join(stretch.places)}; equipment: {', '.join(stretch.equipment) or 'none'}",
        f"Dose: {dose(stretch)}",
        "Helps with:",
    ]
    for problem in stretch.targets:
        reason = next(r.reason for r in library.reasons[problem] if r.stretch == stretch.id)
        lines.append(f"  {problem}: {reason}")
    lines.append("Steps:")
    lines += [f"  {n}. {step}" for n, step in enumerate(stretch.steps, 1)]
    if stretch.variant:
        lines.append(f"Variant: {stretch.variant}")
    lines += [
        f"Webcam can check the position: {'yes' if stretch.checkable else 'no'}",
        f"Source: {'the stretch guide' if stretch.source == 'guide' else 'added for desk work'}",
        "",
        textwrap.fill(library.safety, 79),
    ]
    return "\n".join(lines)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `posture stretches [ID] [--json]` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "stretches",
        help="list the stretches, or show one in full",
        description="List the stretch library, or show one stretch with its steps. "
        "Not medical advice.",
    )
    parser.add_argument("id", nargs="?", metavar="ID", help="a stretch id from the list")
    parser.add_argument("--json", action="store_true", help="print JSON with every field")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the library (or one stretch) as text or JSON; an unknown ID raises UserError."""
    library = load_library()
    if args.id:
        stretch = library.get(args.id)
        out = (
            json.dumps(stretch.to_dict(), indent=2)
            if args.json
            else format_stretch(stretch, library)
        )
    else:
        out = json.dumps(library.to_dict(), indent=2) if args.json else format_table(library)
    print(out)
    return 0
