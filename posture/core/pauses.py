"""Pausing the monitor: the pauses in force, each with a reason, and how long a pause asked for
in words lasts.

The monitor runs only while no pause is in force, and releases the camera while one is. Each
reason has at most one pause (asking again replaces it): the user's own (`user`, from the tray,
the p key or `posture pause`), and those the desktop causes (`locked`, `camera in use`,
`off hours`). Times are wall-clock epoch seconds given by the caller: core has no clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from posture.core.schedule import WorkHours, resume_time

# Every reason a pause can have, with its words in the list of pauses in force, in the order
# that list names them.
REASON_TEXT = {"user": "by you", "locked": "screen locked", "camera in use": "camera in use",
               "off hours": "outside work hours"}
REASONS = tuple(REASON_TEXT)
# A pause's words with a detail ({} is the detail); other reasons add it after a colon.
DETAIL_TEXT = {"user": "for {}", "camera in use": "camera in use by {}"}
# How each pause the desktop causes ends, in words ("resumes when ...").
ENDS_TEXT = {"locked": "the screen is unlocked", "camera in use": "the camera is free",
             "off hours": "work starts"}
UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
DURATION_HELP = "give a duration such as 10m, 1h, 1h30m or 45s, or tomorrow"
WEEKDAY_DAYS = 6  # an end this many days away or more is said with its date, not its weekday
LONGEST_S = 7 * 86400.0  # a pause longer than a week is a typo


@dataclass(frozen=True)
class Pause:
    """One pause: why (a REASONS entry), until when (epoch seconds; None: until ended) and a
    detail for the user (e.g. which program holds the camera)."""

    reason: str
    until: float | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown pause reason {self.reason!r}: one of {', '.join(REASONS)}")

    def to_json(self) -> dict:
        """What `posture status --json` reports for this pause."""
        return {"reason": self.reason, "until": self.until, "detail": self.detail}

    def words(self) -> str:
        """Why it is paused, for people: e.g. "camera in use by zoom (pid 4242)"."""
        if not self.detail:
            return REASON_TEXT[self.reason]
        return DETAIL_TEXT.get(self.reason, REASON_TEXT[self.reason] + ": {}").format(self.detail)


class Pauses:
    """The pauses in force, at most one per reason; a pause past its `until` has ended."""

    def __init__(self) -> None:
        self._by_reason: dict[str, Pause] = {}

    def start(self, pause: Pause) -> None:
        """Put `pause` in force, replacing any pause with the same reason."""
        self._by_reason[pause.reason] = pause

    def end(self, reason: str) -> bool:
        """End the pause with this reason; True when one was in force."""
        return self._by_reason.pop(reason, None) is not None

    def active(self, now: float) -> tuple[Pause, ...]:
        """The pauses in force at `now`, in REASONS order (the ones that ran out are dropped)."""
        for reason, pause in list(self._by_reason.items()):
            if pause.until is not None and pause.until <= now:
                del self._by_reason[reason]
        return tuple(self._by_reason[r] for r in REASONS if r in self._by_reason)

    def next_end(self, now: float) -> float | None:
        """When the next timed pause runs out (epoch seconds), if any is in force."""
        ends = [p.until for p in self.active(now) if p.until is not None]
        return min(ends) if ends else None


def pauses_words(pauses: Sequence[Pause], now: float) -> str:
    """Every pause in force named, each with until when, so no reason is hidden behind
    another: e.g. "paused: screen locked, camera in use by zoom (pid 123)"; '' with none."""
    if not pauses:
        return ""
    return "paused: " + ", ".join(p.words() + until_words(p.until, now) for p in pauses)


def off_hours(hours: WorkHours | None, now: datetime) -> Pause | None:
    """The pause in force at `now` (local time) outside work `hours`, lasting until work next
    starts; None inside them, or with no schedule."""
    if hours is None or hours.contains(now):
        return None
    return Pause("off hours", hours.next_start(now).timestamp())


def pause_until(text: str, now: datetime, hours: WorkHours | None = None) -> float:
    """The epoch seconds at which a pause asked for as `text` ends: a duration ("10m", "1h",
    "1h30m", "45s") from `now`, or "tomorrow": the next start of work `hours` (without a
    schedule, the next 08:00; see posture.core.schedule.resume_time).

    `now` is the local time (naive local or aware); ValueError with the fix for anything else.
    """
    words = text.strip().lower()
    if words == "tomorrow":
        return resume_time(hours, now).timestamp()
    parts = DURATION.findall(words)
    if not parts or DURATION.sub("", words).strip():
        raise ValueError(f"{text!r} is not a duration: {DURATION_HELP}")
    seconds = sum(float(n) * UNITS[unit] for n, unit in parts)
    if not 0 < seconds <= LONGEST_S:
        raise ValueError(f"{text!r} is not allowed: give a duration above 0 and at most "
                         "a week (7d)")
    return now.timestamp() + seconds


def until_words(until: float | None, now: float) -> str:
    """' until 10:15' for a pause or snooze ending at `until` (epoch seconds), with the weekday
    when that is not the day of `now` (' until Fri 08:00'), and the date too from a week on
    (' until Thu 10 Dec 19:00'); '' when it has no end."""
    if until is None:
        return ""
    end = datetime.fromtimestamp(until)
    days = (end.date() - datetime.fromtimestamp(now).date()).days
    day = "" if days == 0 else end.strftime(" %a" if days < WEEKDAY_DAYS else " %a %d %b")
    return f" until{day} {end:%H:%M}"
