"""Work hours: on which days and between which clock times the monitor watches.

Pure: the caller passes the local time in, so every rule is testable with any clock. A work
period starts on one of `days` at `start` and lasts until `end`; an `end` earlier than `start`
is an overnight shift that ends the next morning (a Friday 22:00-06:00 shift runs into
Saturday). The end minute itself is outside: 09:00-17:30 watches until 17:29:59. A start equal
to the end is refused (is it no time or all day?): leave the schedule off to watch all day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MORNING = dt.time(8, 0)  # "pause until tomorrow" resumes then when there is no schedule


def parse_day(text: str) -> int:
    """A day name ("mon" or "monday", any case) as its weekday number (Monday 0); ValueError."""
    name = text.strip().lower()
    for names in (DAYS, FULL_DAYS):
        if name in names:
            return names.index(name)
    raise ValueError(f"unknown day {text!r}: use {', '.join(DAYS)}")


def parse_clock(text: str) -> dt.time:
    """A 24-hour clock time "HH:MM" (or "H:MM") from 00:00 to 23:59; ValueError otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    if (sep and hours.isdigit() and minutes.isdigit() and len(hours) <= 2 and len(minutes) == 2
            and int(hours) < 24 and int(minutes) < 60):
        return dt.time(int(hours), int(minutes))
    raise ValueError(f"{text!r} is not a time: write it as HH:MM from 00:00 to 23:59")


@dataclass(frozen=True)
class WorkHours:
    """The days work starts on (weekday numbers, Monday 0) and the clock times it runs."""

    days: frozenset[int]
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("work hours need at least one day")
        if self.start == self.end:
            raise ValueError(f"start and end are both {self.start:%H:%M}: give a period")

    @property
    def overnight(self) -> bool:
        """True when each period ends on the day after it starts."""
        return self.end < self.start

    def contains(self, now: dt.datetime) -> bool:
        """True when `now` (local time) falls inside a work period."""
        clock = now.time().replace(tzinfo=None)
        if not self.overnight:
            return now.weekday() in self.days and self.start <= clock < self.end
        started_today = now.weekday() in self.days and clock >= self.start
        started_yesterday = (now.weekday() - 1) % 7 in self.days and clock < self.end
        return started_today or started_yesterday

    def next_start(self, now: dt.datetime) -> dt.datetime:
        """The first start of a work period after `now` (strictly later)."""
        return _next_at(now, self.start, self.days)


def resume_time(hours: WorkHours | None, now: dt.datetime) -> dt.datetime:
    """When "pause until tomorrow" ends: the next start of work hours, or without a schedule
    the next 08:00 (at 01:00 that is the same morning, which is the user's "tomorrow")."""
    if hours is None:
        return _next_at(now, MORNING, frozenset(range(7)))
    return hours.next_start(now)


def _next_at(now: dt.datetime, clock: dt.time, days: frozenset[int]) -> dt.datetime:
    """The first moment after `now` at `clock` on one of `days` (in `now`'s time zone)."""
    candidates = (dt.datetime.combine(now.date() + dt.timedelta(days=ahead), clock,
                                      tzinfo=now.tzinfo)
                  for ahead in range(8))  # the same weekday a week on is the furthest it can be
    return next(m for m in candidates if m.weekday() in days and m > now)
