"""The day's report as numbers, from the per-minute rows of the history (posture.io.history):

- time monitored and time present: sums over the day's minutes;
- share of good posture: good seconds over the seconds with a verdict (good + slouched), so time
  away from the desk or seen from an uncomparable angle counts neither way;
- longest good streak: the longest run of consecutive clock minutes each with a good share of
  at least GOOD_MINUTE_SHARE; a minute with no verdict (nobody there) or no record ends it.
  Counted in whole minutes, so a streak starting in a session's first, partial minute is
  credited with that whole minute;
- prompts, stretches done and breaks: the day's rows (a break counts on the day it started).

The day is the local calendar day. A day with no history is not an error: the text says so, the
JSON has zeros and empty lists, and `--out` still writes a chart that says "no data", so a
script making a daily chart always gets its file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from posture.core.minutes import MINUTE, Minute, Tally
from posture.io.history_reader import Rows, read_span

GOOD_MINUTE_SHARE = 0.8  # a minute is "good" for the streak when this share of its verdicts is


def day_bounds(day: date) -> tuple[float, float]:
    """Epoch seconds of the local midnight starting `day` and of the next one."""
    start = datetime.combine(day, time())
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def local_iso(epoch: float) -> str:
    """Epoch seconds as local ISO 8601 time with its UTC offset, to the second."""
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def epoch(iso: str) -> float:
    """The epoch seconds of an ISO 8601 time with offset (as written by local_iso)."""
    return datetime.fromisoformat(iso).timestamp()


def clock(iso: str) -> str:
    """HH:MM of an ISO 8601 time."""
    return datetime.fromisoformat(iso).strftime("%H:%M")


def day_summary(history_path: Path, day: date) -> dict[str, Any]:
    """The day's report as JSON-ready data, read from the history database at `history_path`."""
    start, end = day_bounds(day)
    summary = summarize(read_span(history_path, start, end), day)
    summary["history"] = str(history_path)
    return summary


def _good(m: Minute) -> bool:
    """Whether the minute counts towards a good streak."""
    judged = m.good_s + m.slouched_s
    return judged > 0 and m.good_s >= GOOD_MINUTE_SHARE * judged


def _minute_json(m: Minute) -> dict[str, Any]:
    """A minute as JSON-ready data."""
    return {
        "start": local_iso(m.start),
        "monitored_s": round(m.monitored_s, 1),
        "present_s": round(m.present_s, 1),
        "good_s": round(m.good_s, 1),
        "slouched_s": round(m.slouched_s, 1),
        "mean_score": round(m.mean_score, 1),
        "max_score": round(m.max_score, 1),
        "problems": {p: round(sec, 1) for p, sec in Counter(m.problems).most_common()},
    }


def _merge_minutes(rows: Iterable[dict[str, Any]]) -> list[Minute]:
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


def summarize(rows: Rows, day: date) -> dict[str, Any]:
    """The day's numbers from its rows (pure)."""
    minutes = _merge_minutes(rows.minutes)
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
        "prompts": {
            "count": len(rows.prompts),
            "posture": kinds["posture"],
            "break": kinds["break"],
            "camera_moved": kinds["camera_moved"],
            "items": [{"at": local_iso(p["at"]), "kind": p["kind"], "problems": p["problems"],
                       "stretches": p["stretches"], "text": p["text"], "level": p["level"]}
                      for p in rows.prompts],
        },
        "stretches": {
            "count": len(rows.stretches),
            "items": [{"at": local_iso(s["at"]), "stretch_id": s["stretch_id"],
                       "reps": s["reps"],
                       "seconds_in_position": round(s["seconds_in_position"], 1)}
                      for s in rows.stretches],
        },
        "breaks": {
            "count": len(rows.breaks),
            "total_s": round(sum(b["ended"] - b["started"] for b in rows.breaks), 1),
            "items": [{"start": local_iso(b["started"]), "end": local_iso(b["ended"]),
                       "seconds": round(b["ended"] - b["started"], 1)} for b in rows.breaks],
        },
        "problems": {p: round(s, 1) for p, s in problems.most_common()},
        "minutes": [_minute_json(m) for m in minutes],
    }


def has_data(summary: dict[str, Any]) -> bool:
    """Whether anything at all was recorded on the day."""
    return bool(summary["minutes"] or summary["prompts"]["count"]
                or summary["stretches"]["count"] or summary["breaks"]["count"])


def duration(seconds: float) -> str:
    """A duration for people: '45 s', '12 min', '3 h 05 min'."""
    if round(seconds) < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def headline(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The main numbers as (label, value) pairs, shared by the text, the chart and the page."""
    share = summary["good_share"]
    streak = summary["longest_good_streak"]
    prompts = summary["prompts"]
    breaks = summary["breaks"]
    return [
        ("monitored", duration(summary["monitored_s"])),
        ("present", duration(summary["present_s"])),
        ("good posture", "n/a" if share is None else f"{100 * share:.0f}%"),
        ("longest good streak",
         f"none (no clock minute {GOOD_MINUTE_SHARE:.0%} good or better)" if streak is None else
         f"{streak['minutes']} min ({clock(streak['start'])}-{clock(streak['end'])})"),
        ("prompts", f"{prompts['count']} ({prompts['posture']} posture, "
                    f"{prompts['break']} break"
                    + (f", {prompts['camera_moved']} camera moved" if prompts["camera_moved"]
                       else "") + ")"),
        ("stretches done", str(summary["stretches"]["count"])),
        ("breaks", f"{breaks['count']} ({duration(breaks['total_s'])})" if breaks["count"]
         else "0"),
        ("problems", ", ".join(f"{p} {duration(s)}" for p, s in summary["problems"].items())
         or "none"),
    ]


def format_text(summary: dict[str, Any]) -> str:
    """The report as text lines."""
    if not has_data(summary):
        return f"No posture history for {summary['day']} in {summary['history']}."
    lines = [f"Posture on {summary['day']} ({summary['sessions']} session"
             f"{'' if summary['sessions'] == 1 else 's'})"]
    lines += [f"{label}: {value}" for label, value in headline(summary)]
    for title, items in events(summary):
        lines += [f"{title}:", *(f"  {item}" for item in items)]
    return "\n".join(lines)


def events(summary: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The day's prompts, stretches and breaks, one line each, under a title (empty ones left
    out): the same lists in the text and the HTML report."""
    listed = [
        ("prompts given", [f"{clock(p['at'])} {p['kind']}: {p['text']}"
                           for p in summary["prompts"]["items"]]),
        ("stretches done", [f"{clock(s['at'])} {s['stretch_id']} x{s['reps']}"
                            for s in summary["stretches"]["items"]]),
        ("breaks taken", [f"{clock(b['start'])}-{clock(b['end'])} ({duration(b['seconds'])})"
                          for b in summary["breaks"]["items"]]),
    ]
    return [(title, items) for title, items in listed if items]
