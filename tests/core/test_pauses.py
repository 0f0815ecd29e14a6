"""Pauses: reasons, ends, the pause reported, and durations in words."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from posture.core.pauses import (
    REASONS,
    Pause,
    Pauses,
    off_hours,
    pause_until,
    pauses_words,
    until_words,
)
from posture.core.schedule import WorkHours

NOW = 1_800_000_000.0


def test_each_reason_has_one_pause_and_the_status_reports_them_in_order():
    pauses = Pauses()
    assert pauses.active(NOW) == ()
    pauses.start(Pause("off hours", until=NOW + 3600))
    pauses.start(Pause("camera in use", detail="zoom"))
    assert pauses.active(NOW)[0].reason == "camera in use"
    pauses.start(Pause("user", until=NOW + 60))
    pauses.start(Pause("user", until=NOW + 900))  # asked again: replaced, not added
    assert [p.reason for p in pauses.active(NOW)] == ["user", "camera in use", "off hours"]
    assert pauses.active(NOW)[0] == Pause("user", NOW + 900)
    assert pauses.end("user") and not pauses.end("user")
    assert pauses.active(NOW)[0].detail == "zoom"


def test_a_timed_pause_ends_by_itself_and_the_next_end_is_known():
    pauses = Pauses()
    pauses.start(Pause("user", until=NOW + 900))
    pauses.start(Pause("off hours", until=NOW + 60))
    assert pauses.next_end(NOW) == NOW + 60
    assert [p.reason for p in pauses.active(NOW + 59)] == ["user", "off hours"]
    assert [p.reason for p in pauses.active(NOW + 60)] == ["user"]
    assert pauses.active(NOW + 900) == () and pauses.next_end(NOW + 900) is None
    pauses.start(Pause("locked"))  # no end: only ending it stops it
    assert pauses.next_end(NOW) is None and pauses.active(NOW + 10**9) == (Pause("locked"),)


def test_reasons_are_checked_and_reported_as_json():
    assert REASONS == ("user", "locked", "camera in use", "off hours")
    with pytest.raises(ValueError, match="unknown pause reason"):
        Pause("lunch")
    assert Pause("camera in use", None, "zoom").to_json() == {
        "reason": "camera in use", "until": None, "detail": "zoom"}


@pytest.mark.parametrize(("text", "seconds"), [
    ("10m", 600), ("1h", 3600), ("1h30m", 5400), ("45s", 45), ("1.5h", 5400), (" 2H ", 7200),
    ("1d", 86400), ("7d", 7 * 86400)])
def test_durations_in_words(text, seconds):
    now = datetime(2026, 3, 4, 15, 20)
    assert pause_until(text, now) == pytest.approx(now.timestamp() + seconds)


@pytest.mark.parametrize("text", ["", "10", "ten minutes", "5x", "10m extra", "0m", "-5m", "8d",
                                  "tomorrow morning"])
def test_bad_durations_say_what_to_give(text):
    with pytest.raises(ValueError, match="10m|above 0"):
        pause_until(text, datetime(2026, 3, 4, 15, 20))


@pytest.mark.parametrize(("now", "morning"), [
    (datetime(2026, 3, 4, 15, 20), datetime(2026, 3, 5, 8, 0)),
    (datetime(2026, 12, 31, 23, 59), datetime(2027, 1, 1, 8, 0)),
    (datetime(2026, 3, 4, 1, 0), datetime(2026, 3, 4, 8, 0))])  # at 1 am, this morning
def test_tomorrow_without_work_hours_is_the_next_eight_in_the_morning(now, morning):
    assert pause_until("tomorrow", now) == morning.timestamp()


def test_tomorrow_with_work_hours_is_when_work_starts_next():
    friday_evening = datetime(2026, 3, 6, 18, 0)
    weekdays = WorkHours(frozenset(range(5)), time(9, 30), time(17, 30))
    assert pause_until("tomorrow", friday_evening, weekdays) == datetime(
        2026, 3, 9, 9, 30).timestamp()  # Monday


OFFICE = WorkHours(frozenset(range(5)), time(9, 0), time(17, 30))


@pytest.mark.parametrize(("now", "until"), [
    (datetime(2026, 3, 2, 8, 59, 59), datetime(2026, 3, 2, 9, 0)),  # Monday, just before
    (datetime(2026, 3, 2, 17, 30), datetime(2026, 3, 3, 9, 0)),  # the end minute is outside
    (datetime(2026, 3, 6, 18, 0), datetime(2026, 3, 9, 9, 0)),  # Friday evening: Monday
    (datetime(2026, 3, 7, 12, 0), datetime(2026, 3, 9, 9, 0)),  # Saturday
])
def test_outside_work_hours_the_pause_lasts_until_work_next_starts(now, until):
    assert off_hours(OFFICE, now) == Pause("off hours", until.timestamp())


def test_inside_work_hours_or_with_no_schedule_there_is_no_pause():
    assert off_hours(OFFICE, datetime(2026, 3, 2, 9, 0)) is None
    assert off_hours(OFFICE, datetime(2026, 3, 6, 17, 29, 59)) is None
    assert off_hours(None, datetime(2026, 3, 7, 3, 0)) is None  # Saturday night, no schedule


def test_a_pause_in_words_names_its_reason_and_detail():
    camera = Pause("camera in use", detail="zoom (pid 42)")
    assert camera.words() == "camera in use by zoom (pid 42)"
    assert Pause("locked").words() == "screen locked"
    assert Pause("off hours", NOW).words() == "outside work hours"
    assert Pause("user").words() == "by you"
    assert Pause("user", detail="a meeting").words() == "for a meeting"


def test_every_pause_in_force_is_named_each_with_its_end():
    now = datetime(2026, 12, 3, 17, 0).timestamp()  # a Thursday
    friday = datetime(2026, 12, 4, 9, 0).timestamp()
    pauses = Pauses()
    assert pauses_words(pauses.active(now), now) == ""
    pauses.start(Pause("camera in use", detail="zoom (pid 123)"))
    pauses.start(Pause("locked"))
    assert pauses_words(pauses.active(now), now) == \
        "paused: screen locked, camera in use by zoom (pid 123)"
    pauses.start(Pause("off hours", friday))
    pauses.start(Pause("user", now + 1800, "a meeting"))
    assert pauses_words(pauses.active(now), now) == (
        "paused: for a meeting until 17:30, screen locked, camera in use by zoom (pid 123), "
        "outside work hours until Fri 09:00")
    pauses.end("locked")
    pauses.end("camera in use")
    # Once the meeting's pause ran out, the one left is named alone.
    assert pauses_words(pauses.active(now + 1800), now + 1800) == \
        "paused: outside work hours until Fri 09:00"


def test_until_words_name_the_day_only_when_it_is_not_today():
    now = datetime(2026, 12, 3, 17, 0).timestamp()  # a Thursday
    assert until_words(datetime(2026, 12, 3, 18, 30).timestamp(), now) == " until 18:30"
    assert until_words(datetime(2026, 12, 4, 8, 0).timestamp(), now) == " until Fri 08:00"
    assert until_words(datetime(2026, 12, 8, 9, 0).timestamp(), now) == " until Tue 09:00"
    # A week's pause ends on the same weekday: the date tells it from today.
    assert until_words(datetime(2026, 12, 10, 17, 0).timestamp(), now) == " until Thu 10 Dec 17:00"
    assert until_words(None, now) == ""
