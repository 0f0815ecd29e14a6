"""The [schedule] section of the settings file: work hours, off by default.

The schedule is on when `days` lists at least one day. The values stay the strings the user
wrote (so `posture config` shows them as written); `work_hours()` turns them into
posture.core.schedule's pure WorkHours.
"""

from __future__ import annotations

from dataclasses import dataclass

from posture.core.errors import UserError
from posture.core.schedule import DAYS, WorkHours, parse_clock, parse_day
from posture.io.setting_spec import setting

CLOCK = "a time HH:MM from 00:00 to 23:59"
WEEKDAYS = '["mon", "tue", "wed", "thu", "fri"]'


@dataclass(frozen=True)
class ScheduleSettings:
    """Work hours: outside them the monitor pauses and the camera is off."""

    days: tuple[str, ...] = setting((), f"Days work starts on, e.g. {WEEKDAYS} (empty: no "
                                    "schedule, watch whenever posture runs).", parse=parse_day,
                                    means=f"a list of days from {', '.join(DAYS)} (full "
                                    "names and any case are understood too)")
    start: str = setting("09:00", "Time work starts on those days (24-hour HH:MM).",
                         parse=parse_clock, means=CLOCK)
    end: str = setting("17:30", "Time work ends (not included); earlier than start means an "
                       "overnight shift that ends the next day.", parse=parse_clock, means=CLOCK)

    def work_hours(self) -> WorkHours | None:
        """The schedule as pure data, or None when it is off (no days)."""
        if not self.days:
            return None
        return WorkHours(frozenset(parse_day(d) for d in self.days), parse_clock(self.start),
                         parse_clock(self.end))


def check_schedule(schedule: ScheduleSettings, origin: str) -> None:
    """Work hours need an end other than their start."""
    if parse_clock(schedule.start) == parse_clock(schedule.end):
        raise UserError(f"{origin}: schedule.end ({schedule.end}) is the same time as "
                        "schedule.start: give the time work ends, or remove [schedule] to "
                        "watch all day")
