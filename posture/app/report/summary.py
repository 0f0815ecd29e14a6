"""The report's numbers, day by day, from the per-minute rows of the history (posture.io.history):

- time monitored and time present: sums over the day's minutes;
- share of good posture: good seconds over the seconds with a verdict (good + slouched), so time
  away from the desk or seen from an uncomparable angle counts neither way;
- longest good streak: the longest run of consecutive clock minutes each with a good share of
  at least GOOD_MINUTE_SHARE; a minute with no verdict (nobody there) or no record ends it.
  Counted in whole minutes, so a streak starting in a session's first, partial minute is
  credited with that whole minute;
- prompts, stretches done and breaks: the day's rows (a break counts on the day it started).

Days are local calendar days. A day with no history is not an error: it has zeros and empty
lists, so a script asking for a week always gets seven days.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from posture.core.minutes import MINUTE, Minute, Tally
from posture.io.history_reader import Rows, read_span

GOOD_MINUTE_SHARE = 0.8  # a minute is "good" for the streak when this share of its verdicts is
PROMPT_KINDS = ("posture", "break", "camera_moved")


@dataclass(frozen=True)
class Day:
    """One day of the report: its numbers (JSON-ready) and its minutes, one per clock minute."""

    summary: dict[str, Any]
    minutes: list[Minute]


def day_bounds(day: date) -> tuple[float, float]:
    """Epoch seconds of the local midnight starting `day` and of the next one."""
    start = datetime.combine(day, time())
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def local_iso(epoch: float) -> str:
    """Epoch seconds as local ISO 8601 time with its UTC offset, to the second."""
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def clock(iso: str) -> str:
    """HH:MM of an ISO 8601 time."""
    return datetime.fromisoformat(iso).strftime("%H:%M")


def report_days(history_path: Path, last: date, count: int) -> list[Day]:
    """The `count` days ending with `last`, oldest first, read from the history at
    `history_path` in one pass (never writing to it)."""
    first = last - timedelta(days=count - 1)
    rows = read_span(history_path, day_bounds(first)[0], day_bounds(last)[1])
    days = []
    for k in range(count):
        day = first + timedelta(days=k)
        day_rows = rows.within(*day_bounds(day))
        minutes = merge_minutes(day_rows.minutes)
        days.append(Day(summarize(day_rows, minutes, day), minutes))
    return days


def _good(m: Minute) -> bool:
    """Whether the minute counts towards a good streak."""
    judged = m.good_s + m.slouched_s
    return judged > 0 and m.good_s >= GOOD_MINUTE_SHARE * judged


def merge_minutes(rows: Iterable[dict[str, Any]]) -> list[Minute]:
    """One record per clock minute (summed over the sessions that recorded it), oldest first."""
    merged: dict[int, Tally] = {}
    for r in rows:
        merged.setdefault(r["minute_start"], Tally()).merge(Minute(
            r["minute_start"], r["monitored_s"], r["present_s"], r["good_s"], r["slouched_s"],
            r["mean_score"], r["max_score"], r["problems"]))
    return [merged[k].minute(k) for k in sorted(merged)]


def longest_good_streak(minutes: list[Minute]) -> dict[str, Any] | None:
    """The longest run of consecutive good minutes (the first of equals): its length in
    minutes and its clock span, or None without a good minute."""
    best: tuple[int, int] | None = None  # (minutes, start of the first)
    run, first, previous = 0, 0, 0
    for m in minutes:
        if not _good(m):
            run = 0
        elif run and m.start - previous == MINUTE:
            run += 1
        else:
            run, first = 1, m.start
        previous = m.start
        if run and (best is None or run > best[0]):
            best = (run, first)
    if best is None:
        return None
    count, first = best
    return {"minutes": count, "start": local_iso(first),
            "end": local_iso(first + count * MINUTE)}


def summarize(rows: Rows, minutes: list[Minute], day: date) -> dict[str, Any]:
    """One day's numbers from its rows and merged minutes (pure)."""
    total = {key: sum(getattr(m, key) for m in minutes)
             for key in ("monitored_s", "present_s", "good_s", "slouched_s")}
    judged = total["good_s"] + total["slouched_s"]
    problems: Counter[str] = Counter()
    for m in minutes:
        problems.update(m.problems)
    kinds = Counter(p["kind"] for p in rows.prompts)
    sessions = {r["session_id"] for r in
                (*rows.minutes, *rows.prompts, *rows.stretches, *rows.breaks)}
    return {
        "day": day.isoformat(),
        "sessions": len(sessions),
        **{key: round(value, 1) for key, value in total.items()},
        "good_share": round(total["good_s"] / judged, 3) if judged else None,
        "longest_good_streak": longest_good_streak(minutes),
        "prompts": len(rows.prompts),
        "prompts_by_kind": {kind: kinds[kind] for kind in PROMPT_KINDS},
        "stretches": len(rows.stretches),
        "breaks": len(rows.breaks),
        "break_s": round(sum(b["ended"] - b["started"] for b in rows.breaks), 1),
        "problems": {p: round(s, 1) for p, s in problems.most_common()},
        "events": {
            "prompts": [{"at": local_iso(p["at"]), "kind": p["kind"], "problems": p["problems"],
                         "stretches": p["stretches"], "text": p["text"], "level": p["level"]}
                        for p in rows.prompts],
            "stretches": [{"at": local_iso(s["at"]), "stretch_id": s["stretch_id"],
                           "reps": s["reps"],
                           "seconds_in_position": round(s["seconds_in_position"], 1)}
                          for s in rows.stretches],
            "breaks": [{"start": local_iso(b["started"]), "end": local_iso(b["ended"]),
                        "seconds": round(b["ended"] - b["started"], 1)} for b in rows.breaks],
        },
    }


def has_data(summary: dict[str, Any]) -> bool:
    """Whether anything at all was recorded on the day."""
    return bool(summary["monitored_s"] or summary["prompts"] or summary["stretches"]
                or summary["breaks"])
