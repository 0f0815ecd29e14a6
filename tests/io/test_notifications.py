"""Desktop notifications against a real server (dunst on a private session bus): shown with
their action buttons, the action the user picks comes back, failures name the fix."""

from __future__ import annotations

import threading
import time

import pytest

from posture.io.notifications import NotificationError, Notifier
from tests.desktop import dunstctl, wait_for


def pick(env: dict[str, str], choice, text: str) -> None:
    """The user opens dunst's menu for the notification and picks the button `text`."""
    choice.write_text(text)
    assert dunstctl(env, "context").returncode == 0


def test_a_notification_with_actions_and_the_one_picked(dunst, monkeypatch):
    address, env, choice = dunst
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    picked: list[tuple[str, str]] = []
    notifier = Notifier(lambda key: picked.append((key, threading.current_thread().name)))
    try:
        server, actions = notifier.server()
        assert server.startswith("dunst") and actions
        notifier.send("Posture", "Sit up: try a chin tuck.",
                      {"stretch": "Start stretch", "snooze": "Snooze 30 min"})
        assert dunstctl(env, "count", "displayed").stdout.strip() == "1"
        pick(env, choice, "Snooze 30 min")
        assert wait_for(lambda: picked, timeout=10) == [("snooze", "posture-notify")]
        notifier.send("Posture", "Time for a break.", {"stretch": "Start stretch"})
        pick(env, choice, "Start stretch")
        assert wait_for(lambda: len(picked) == 2, timeout=10)
        assert picked[1][0] == "stretch"
    finally:
        notifier.close()
    dunstctl(env, "close-all")
    history = dunstctl(env, "history").stdout
    assert "Sit up: try a chin tuck." in history and "Time for a break." in history


def test_an_action_on_another_programs_notification_is_not_ours(dunst, monkeypatch):
    address, env, choice = dunst
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    ours: list[str] = []
    theirs = Notifier()
    notifier = Notifier(ours.append)
    try:
        notifier.send("Posture", "Sit up.", {"snooze": "Snooze 30 min"})
        theirs.send("Mail", "New mail.", {"snooze": "Snooze mail"})
        pick(env, choice, "Snooze mail")
        time.sleep(1.0)  # time for a stray signal to arrive
        assert ours == []
        pick(env, choice, "Snooze 30 min")
        assert wait_for(lambda: ours, timeout=10) == ["snooze"]
    finally:
        notifier.close()
        theirs.close()


def test_no_server_and_no_bus_are_errors_with_the_fix(session_bus, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus[0])
    notifier = Notifier()
    with pytest.raises(NotificationError, match="no notification server answered.*dunst"):
        notifier.send("Posture", "Sit up.")
    notifier.close()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    with pytest.raises(NotificationError, match="DBUS_SESSION_BUS_ADDRESS is not set"):
        Notifier().send("Posture", "Sit up.")


def test_a_bus_that_goes_away_is_an_error_not_a_traceback(buses, capfd):
    notifier = Notifier()
    with pytest.raises(NotificationError, match="no notification server"):
        notifier.send("Posture", "Sit up.")  # connected: the bus answers for the server
    buses.stop("session")
    with pytest.raises(NotificationError):
        wait_for(lambda: notifier.send("Posture", "Sit up.") and False, timeout=5)
    notifier.close()
    assert "Traceback" not in capfd.readouterr().err
