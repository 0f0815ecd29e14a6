"""`posture doctor` reports what works and how to fix what does not."""

from __future__ import annotations

import pytest

from posture.app.cli import main
from posture.app.commands.doctor import check_display, check_notifications
from posture.core.errors import UserError
from posture.io.history import default_path
from posture.io.window import display_problem
from tests.desktop import dunstctl


@pytest.fixture(autouse=True)
def fresh_probe():
    """Each test probes the display of its own environment."""
    display_problem.cache_clear()
    yield
    display_problem.cache_clear()


def lines(capsys) -> dict[str, str]:
    out = capsys.readouterr().out.splitlines()
    return {line.split()[1].rstrip(":"): line for line in out}


def test_doctor_checks_every_part(capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code = main(["doctor"])
    found = lines(capsys)
    assert set(found) == {"model", "camera", "speech", "display", "notifications", "folders"}
    assert found["model"].startswith("ok") and found["folders"].startswith("ok")
    # This machine has no camera and no display: both are reported with their fix.
    assert found["camera"].startswith("PROBLEM") and "--source FILE" in found["camera"]
    assert found["display"].startswith("note") and "headless" in found["display"]
    assert code == 2


def test_doctor_finds_a_damaged_history_and_keeps_it(capsys):
    db = default_path()
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    main(["doctor"])
    assert "damaged" in lines(capsys)["folders"]
    assert db.read_bytes() == b"this is not a database" * 100


def test_doctor_tries_the_display_rather_than_trusting_display(capsys, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":97")  # set, but no X server answers there
    main(["doctor"])
    display = lines(capsys)["display"]
    assert display.startswith("note") and "cannot open a window on display :97" in display


def test_doctor_sends_a_real_notification(dunst, monkeypatch):
    address, env, _ = dunst
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    said = check_notifications()
    assert "dunst" in said and "with action buttons" in said
    assert dunstctl(env, "count", "displayed").stdout.strip() == "1"  # on the screen now
    dunstctl(env, "close-all")  # closed, it goes to the history, where its text can be read
    assert "Test notification" in dunstctl(env, "history").stdout


def test_doctor_reports_a_missing_notification_server_with_the_fix(session_bus, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus[0])  # a bus, but no server
    with pytest.raises(UserError, match="no notification server.*notification daemon"):
        check_notifications()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    with pytest.raises(UserError, match="no D-Bus session bus"):
        check_notifications()


def test_doctor_says_whether_a_tray_is_there(tray_display, bare_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", tray_display)
    assert "starts as a tray icon" in check_display()
    monkeypatch.setenv("DISPLAY", bare_display)
    assert "no tray was found" in check_display()
