"""The report in words: one day in detail, or a table of several days; the same phrases serve
the terminal and the HTML page. Problems and stretches are named as people say them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from posture.app.report.summary import GOOD_MINUTE_SHARE, Day, clock, has_data
from posture.core.problems import LABELS


def duration(seconds: float) -> str:
    """A duration for people: '45 s', '12 min', '3 h 05 min'."""
    if round(seconds) < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def share(good_share: float | None) -> str:
    """The share of good posture as a percentage, 'n/a' without a verdict."""
    return "n/a" if good_share is None else f"{100 * good_share:.0f}%"


def weekday(iso_day: str) -> str:
    """'Wed 1 May' for '2024-05-01'."""
    d = date.fromisoformat(iso_day)
    return f"{d:%a} {d.day} {d:%b}"


def headline(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """A day's main numbers as (label, value) pairs."""
    streak = summary["longest_good_streak"]
    kinds = summary["prompts_by_kind"]
    return [
        ("monitored", duration(summary["monitored_s"])),
        ("present", duration(summary["present_s"])),
        ("good posture", share(summary["good_share"])),
        ("longest good streak",
         f"none (no clock minute {GOOD_MINUTE_SHARE:.0%} good or better)" if streak is None else
         f"{streak['minutes']} min ({clock(streak['start'])}-{clock(streak['end'])})"),
        ("prompts", f"{summary['prompts']} ({kinds['posture']} posture, {kinds['break']} break"
                    + (f", {kinds['camera_moved']} camera moved" if kinds["camera_moved"]
                       else "") + ")"),
        ("stretches done", str(summary["stretches"])),
        ("breaks", f"{summary['breaks']} ({duration(summary['break_s'])})" if summary["breaks"]
         else "0"),
        ("problems", ", ".join(f"{LABELS.get(p, p)} {duration(s)}"
                               for p, s in summary["problems"].items()) or "none"),
    ]


def events(summary: dict[str, Any], names: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """A day's prompts, stretches and breaks, one line each, under a title (empty ones left
    out); `names`: stretch id -> its name."""
    e = summary["events"]
    listed = [
        ("prompts given", [f"{clock(p['at'])} {p['kind'].replace('_', ' ')}: {p['text']}"
                           for p in e["prompts"]]),
        ("stretches done", [f"{clock(s['at'])} {names.get(s['stretch_id'], s['stretch_id'])} "
                            f"x{s['reps']}" for s in e["stretches"]]),
        ("breaks taken", [f"{clock(b['start'])}-{clock(b['end'])} ({duration(b['seconds'])})"
                          for b in e["breaks"]]),
    ]
    return [(title, items) for title, items in listed if items]


def day_text(summary: dict[str, Any], history: str, names: Mapping[str, str]) -> str:
    """One day in detail."""
    if not has_data(summary):
        return f"No posture history for {summary['day']} in {history}."
    n = summary["sessions"]
    lines = [f"Posture on {summary['day']} ({n} session{'' if n == 1 else 's'})"]
    lines += [f"{label}: {value}" for label, value in headline(summary)]
    for title, items in events(summary, names):
        lines += [f"{title}:", *(f"  {item}" for item in items)]
    return "\n".join(lines)


TABLE = ("day", "monitored", "good", "prompts", "stretches")


def table_rows(days: list[Day]) -> list[tuple[str, ...]]:
    """One row per day under TABLE's headings (a day without history shows dashes)."""
    rows = []
    for d in days:
        s = d.summary
        rows.append((weekday(s["day"]), duration(s["monitored_s"]), share(s["good_share"]),
                     str(s["prompts"]), str(s["stretches"])) if has_data(s)
                    else (weekday(s["day"]), "-", "-", "-", "-"))
    return rows


def totals(days: list[Day]) -> str:
    """The whole span in one line."""
    s = [d.summary for d in days]
    good = sum(x["good_s"] for x in s)
    judged = good + sum(x["slouched_s"] for x in s)
    return (f"{len(days)} days: {duration(sum(x['monitored_s'] for x in s))} monitored, "
            f"{share(good / judged if judged else None)} good, "
            f"{sum(x['prompts'] for x in s)} prompts, {sum(x['stretches'] for x in s)} "
            "stretches done")


def days_text(days: list[Day], history: str) -> str:
    """Several days as a table and a total."""
    first, last = days[0].summary["day"], days[-1].summary["day"]
    if not any(has_data(d.summary) for d in days):
        return f"No posture history from {first} to {last} in {history}."
    rows = [TABLE, *table_rows(days)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(TABLE))]
    lines = [f"Posture from {first} to {last}"]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    lines += [totals(days), "One day in detail: posture report --day YYYY-MM-DD"]
    return "\n".join(lines)
