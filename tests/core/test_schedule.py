"""Work hours with the clock passed in: inside or outside, the end minute, midnight, weekends,
overnight shifts, and when "pause until tomorrow" resumes."""

from __future__ import annotations

import datetime as dt

import pytest

from posture.core.schedule import WorkHours, parse_clock, parse_day, resume_time

WEEKDAYS = frozenset(range(5))
OFFICE = WorkHours(WEEKDAYS, dt.time(9, 0), dt.time(17, 30))
NIGHTS = WorkHours(frozenset({4}), dt.time(22, 0), dt.time(6, 0))  # Friday night into Saturday


def at(day: int, clock: str, second: int = 0) -> dt.datetime:
    """A local time in the week of Monday 2024-01-01 (day 0 = Monday), e.g. at(4, "17:29")."""
    hours, minutes = (int(x) for x in clock.split(":"))
    return dt.datetime(2024, 1, 1 + day, hours, minutes, second)


@pytest.mark.parametrize(("now", "inside"), [
    (at(0, "08:59", 59), False),  # a second before the start
    (at(0, "09:00"), True),       # the start minute is in
    (at(2, "12:00"), True),
    (at(4, "17:29", 59), True),   # the last second
    (at(4, "17:30"), False),      # the end minute is out
    (at(4, "23:59", 59), False),
    (at(5, "12:00"), False),      # Saturday
    (at(6, "09:00"), False),      # Sunday
    (at(0, "00:00"), False),      # midnight
])
def test_office_hours(now, inside):
    assert OFFICE.contains(now) is inside


@pytest.mark.parametrize(("now", "inside"), [
    (at(4, "21:59"), False),
    (at(4, "22:00"), True),
    (at(4, "23:59", 59), True),
    (at(5, "00:00"), True),       # midnight inside the shift: it started yesterday
    (at(5, "05:59", 59), True),
    (at(5, "06:00"), False),      # the end minute, the next morning
    (at(5, "22:30"), False),      # Saturday starts no shift
    (at(4, "05:00"), False),      # Friday morning: Thursday started none
])
def test_an_overnight_shift_ends_the_next_morning(now, inside):
    assert NIGHTS.contains(now) is inside


def test_a_shift_ending_at_midnight():
    evenings = WorkHours(WEEKDAYS, dt.time(18, 0), dt.time(0, 0))
    assert evenings.contains(at(0, "23:59", 59))
    assert not evenings.contains(at(1, "00:00"))
    assert not evenings.contains(at(5, "00:00", 1)) and evenings.contains(at(4, "18:00"))


@pytest.mark.parametrize(("now", "start"), [
    (at(0, "07:00"), at(0, "09:00")),   # before work: today's start
    (at(0, "09:00"), at(1, "09:00")),   # at the start: strictly later, so tomorrow's
    (at(2, "12:00"), at(3, "09:00")),   # during work: tomorrow
    (at(4, "12:00"), at(7, "09:00")),   # Friday: Monday
    (at(5, "03:00"), at(7, "09:00")),   # the weekend: Monday
    (at(6, "23:59", 59), at(7, "09:00")),
])
def test_next_start_skips_days_off(now, start):
    assert OFFICE.next_start(now) == start
    assert resume_time(OFFICE, now) == start


def test_next_start_of_a_one_day_week_is_a_week_later():
    mondays = WorkHours(frozenset({0}), dt.time(9, 0), dt.time(10, 0))
    assert mondays.next_start(at(0, "09:30")) == at(7, "09:00")


@pytest.mark.parametrize(("now", "resume"), [
    (at(2, "15:00"), at(3, "08:00")),
    (at(2, "23:00"), at(3, "08:00")),
    (at(3, "01:00"), at(3, "08:00")),   # after midnight "tomorrow" is this morning
    (at(3, "08:00"), at(4, "08:00")),
    (at(5, "15:00"), at(6, "08:00")),   # no schedule: weekends too
])
def test_without_a_schedule_pause_until_tomorrow_resumes_at_8(now, resume):
    assert resume_time(None, now) == resume


def test_the_time_zone_of_now_is_kept():
    zone = dt.timezone(dt.timedelta(hours=2))
    now = at(0, "18:00").replace(tzinfo=zone)
    assert OFFICE.next_start(now) == at(1, "09:00").replace(tzinfo=zone)
    assert OFFICE.contains(at(0, "10:00").replace(tzinfo=zone))


def test_a_schedule_needs_a_day_and_a_period():
    with pytest.raises(ValueError, match="at least one day"):
        WorkHours(frozenset(), dt.time(9), dt.time(17))
    with pytest.raises(ValueError, match="both 09:00"):
        WorkHours(WEEKDAYS, dt.time(9), dt.time(9))


@pytest.mark.parametrize(("text", "day"), [("mon", 0), ("Tue", 1), ("SUNDAY", 6), (" fri ", 4)])
def test_day_names(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["mo", "funday", "", "1"])
def test_unknown_day_names_are_refused(text):
    with pytest.raises(ValueError, match="mon, tue"):
        parse_day(text)


@pytest.mark.parametrize(("text", "clock"), [("09:00", dt.time(9)), ("9:05", dt.time(9, 5)),
                                             ("00:00", dt.time(0)), ("23:59", dt.time(23, 59))])
def test_clock_times(text, clock):
    assert parse_clock(text) == clock


@pytest.mark.parametrize("text", ["24:00", "9", "9:5", "09:60", "9h30", "-1:00", "09:00:00", ""])
def test_bad_clock_times_are_refused(text):
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock(text)
