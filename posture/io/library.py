"""Reading the stretch library (posture/data/stretches.json): every field validated, so a typo
is one clear error line naming the stretch, the field and what is allowed, instead of a wrong
prompt hours into a session.

Validation is written out here rather than as a JSON Schema: most of it crosses fields and
files (min not above max, movements after the steps they follow, every target with a reason,
`checkable` only where a position check exists), and the messages name the fix in the
program's words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from posture.core.checks.positions import POSITION_CHECKS
from posture.core.errors import UserError
from posture.core.problems import PROBLEMS
from posture.core.stretches import PLACES, SOURCES, Library, Movement, Reason, Stretch

PACKAGED = "posture/data/stretches.json"

_ID = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


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
    if values["checkable"] and values["id"] not in POSITION_CHECKS:
        raise UserError(f"{where}: stretch {label}, field 'checkable': true, but the guide has no "
                        f"position check for it (checks exist for: {', '.join(POSITION_CHECKS)})")
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
