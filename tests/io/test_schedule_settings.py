"""The [schedule] settings: off by default, work hours from the file, and one line with exit 2
naming the key for a bad day or time, through every command that loads the settings."""

from __future__ import annotations

import datetime as dt

import pytest

from posture.app.cli import main
from posture.core.errors import UserError
from posture.io.settings import load_settings, settings_path
from tests.conftest import SAMPLE


def write(text: str) -> None:
    settings_path().write_text(text, encoding="utf-8")


def test_no_schedule_by_default():
    assert load_settings().schedule.work_hours() is None


def test_work_hours_from_the_file():
    write('[schedule]\ndays = ["mon", "Tuesday", "fri"]\nstart = "8:15"\nend = "16:45"\n')
    hours = load_settings().schedule.work_hours()
    assert hours is not None
    assert hours.days == {0, 1, 4}
    assert (hours.start, hours.end) == (dt.time(8, 15), dt.time(16, 45))


def test_days_alone_use_the_default_times():
    write('[schedule]\ndays = ["sat"]\n')
    hours = load_settings().schedule.work_hours()
    assert hours is not None and (hours.start, hours.end) == (dt.time(9), dt.time(17, 30))
    assert hours.contains(dt.datetime(2024, 1, 6, 17, 29)) and not hours.contains(
        dt.datetime(2024, 1, 6, 17, 30))


def test_an_overnight_shift_is_allowed():
    write('[schedule]\ndays = ["fri"]\nstart = "22:00"\nend = "06:00"\n')
    hours = load_settings().schedule.work_hours()
    assert hours is not None and hours.contains(dt.datetime(2024, 1, 6, 3, 0))


@pytest.mark.parametrize(("text", "words"), [
    ('days = ["mon", "funday"]', ['schedule.days = ["mon", "funday"]', "mon, tue, wed"]),
    ('days = "mon"', ['schedule.days = "mon"', "a list of days"]),
    ("days = [1, 2]", ["schedule.days = [1, 2]", "a list of days"]),
    ('days = ["mon"]\nstart = "9h"', ['schedule.start = "9h"', "HH:MM"]),
    ('days = ["mon"]\nend = "24:00"', ['schedule.end = "24:00"', "HH:MM from 00:00 to 23:59"]),
    ("days = [\"mon\"]\nend = 1730", ["schedule.end = 1730", "HH:MM"]),
    ('days = ["mon"]\nstart = "10:00"\nend = "10:00"', ["schedule.end (10:00)", "same time"]),
    ('day = ["mon"]', ["unknown setting schedule.day", "did you mean schedule.days"]),
])
def test_a_bad_schedule_names_the_key(text, words):
    write(f"[schedule]\n{text}\n")
    with pytest.raises(UserError) as info:
        load_settings()
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{settings_path()}: ")
    for word in words:
        assert word in message


@pytest.mark.parametrize("argv", [
    ["config"], ["config", "--json"],
    ["analyze", str(SAMPLE)],
    ["calibrate", "--source", str(SAMPLE), "--profile", "x"],
    ["run", "--source", str(SAMPLE), "--no-window"],
    ["stretch", "butterfly", "--source", str(SAMPLE)],
])
def test_every_command_that_loads_settings_refuses_a_bad_day(argv, capsys):
    write('[schedule]\ndays = ["mon", "someday"]\n')
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "schedule.days" in captured.err
    assert "Traceback" not in captured.err


def test_config_shows_the_schedule_and_its_output_loads_again(capsys):
    write('[schedule]\ndays = ["mon", "wed"]\nstart = "07:30"\n')
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert '\ndays = ["mon", "wed"]  # a list of days from mon, tue' in out
    assert '\nstart = "07:30"  # a time HH:MM' in out
    expected = load_settings()
    write(out)
    assert load_settings() == expected
