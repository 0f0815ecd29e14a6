"""Screen lock on private D-Bus buses: the screensavers' ActiveChanged on the session bus,
logind's Lock and Unlock on a stand-in system bus, the state asked at start, buses that are
missing or die, and the platform pick."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from posture.io.screen_lock import UnsupportedLockWatcher, lock_watcher, unheard_words
from posture.io.screen_lock_dbus import DBusLockWatcher, logind_session_path
from tests import desktop

FDO = "org.freedesktop.ScreenSaver"
GNOME = "org.gnome.ScreenSaver"
SESSION_ID = "7"
OURS = "/org/freedesktop/login1/session/_37"  # logind's path for session id "7"
LOCK = "org.freedesktop.login1.Session.Lock"
UNLOCK = "org.freedesktop.login1.Session.Unlock"


class Watched:
    """A started watcher and the states its callback received."""

    def __init__(self, session_id: str = SESSION_ID) -> None:
        self.states: queue.Queue[bool] = queue.Queue()
        self.watcher = DBusLockWatcher(self.states.put, session_id=session_id).start()

    def next(self) -> bool:
        """The next state reported, within a second."""
        return self.states.get(timeout=1.0)

    def quiet(self) -> bool:
        """True when nothing more is reported within half a second."""
        try:
            self.states.get(timeout=0.5)
        except queue.Empty:
            return True
        return False


@pytest.fixture
def watched(screensaver) -> Iterator[Watched]:
    """A watcher started on a desktop whose screensaver is there."""
    w = Watched()
    yield w
    w.watcher.close()


@pytest.mark.parametrize(("interface", "path"), [
    (FDO, "/org/freedesktop/ScreenSaver"), (FDO, "/ScreenSaver"), (GNOME, "/org/gnome/ScreenSaver"),
])
def test_screensaver_lock_then_unlock(buses, watched, interface, path):
    assert watched.watcher.problems() == []
    buses.send("session", path, f"{interface}.ActiveChanged", "boolean:true")
    assert watched.next() is True and watched.watcher.locked
    buses.send("session", path, f"{interface}.ActiveChanged", "boolean:false")
    assert watched.next() is False and not watched.watcher.locked


def test_logind_lock_then_unlock_for_our_session_only(buses, watched):
    buses.send("system", "/org/freedesktop/login1/session/_38", LOCK)  # someone else's session
    assert watched.quiet()
    buses.send("system", OURS, LOCK)
    assert watched.next() is True
    buses.send("system", OURS, UNLOCK)
    assert watched.next() is False


def test_the_latest_signal_decides_and_repeats_are_not_reported(buses, watched):
    buses.send("system", OURS, LOCK)  # `loginctl lock-session`: GNOME then locks itself...
    assert watched.next() is True
    buses.send("session", "/org/gnome/ScreenSaver", f"{GNOME}.ActiveChanged", "boolean:true")
    assert watched.quiet()  # already locked
    # ...and is unlocked without any logind Unlock
    buses.send("session", "/org/gnome/ScreenSaver", f"{GNOME}.ActiveChanged", "boolean:false")
    assert watched.next() is False


def test_other_signals_and_paths_are_ignored(buses, watched):
    buses.send("session", "/org/other", f"{FDO}.ActiveChanged", "boolean:true")
    buses.send("session", "/org/freedesktop/ScreenSaver", f"{FDO}.WakeUpScreen")
    buses.send("session", "/org/freedesktop/ScreenSaver", f"{FDO}.ActiveChanged", "string:yes")
    assert watched.quiet()


def test_without_a_session_id_or_logind_any_session_lock_is_heard(buses):
    w = Watched(session_id="")
    try:
        assert any("any session" in s for s in w.watcher.listening())
        buses.send("system", "/org/freedesktop/login1/session/c2", LOCK)
        assert w.next() is True
    finally:
        w.watcher.close()


@pytest.mark.parametrize("active", [True, False])
def test_the_state_at_start_is_asked(buses, active):
    service = desktop.start_screensaver(buses.addresses["session"], GNOME, active)
    try:
        w = Watched()
        try:
            assert w.watcher.locked is active
            if active:
                assert w.next() is True  # a locked start is reported
            assert w.quiet()
        finally:
            w.watcher.close()
    finally:
        desktop.stop(service)


# A stand-in logind on the system bus: says our session is c5 (a "stranger" one knows no
# session of ours), answers LockedHint, and emits Lock or Unlock from its own connection when
# told on stdin.
LOGIND = """
import sys, threading
from jeepney import MessageType, new_error, new_method_return, new_signal, DBusAddress
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
conn = open_dbus_connection("SYSTEM")
conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.login1"))
path = "/org/freedesktop/login1/session/c5"
session = DBusAddress(path, interface="org.freedesktop.login1.Session")
def emit():
    for line in sys.stdin:
        conn.send(new_signal(session, line.strip()))
threading.Thread(target=emit, daemon=True).start()
print("ready", flush=True)
while True:
    msg = conn.receive()
    if msg.header.message_type != MessageType.method_call:
        continue
    member = msg.header.fields[3]
    if member in ("GetSessionByPID", "GetSession") and sys.argv[2:] == ["stranger"]:
        conn.send(new_error(msg, "org.freedesktop.login1.NoSessionForPID"))
    elif member == "GetSessionByPID":
        conn.send(new_method_return(msg, "o", (path,)))
    elif member == "Get":
        conn.send(new_method_return(msg, "v", (("b", sys.argv[1] == "true"),)))
"""


@contextlib.contextmanager
def stand_in_logind(locked_hint: bool, *how: str) -> Iterator[subprocess.Popen]:
    """The stand-in logind once it owns its name on the system bus, ended afterwards."""
    with subprocess.Popen([sys.executable, "-c", LOGIND, str(locked_hint).lower(), *how],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as logind:
        try:
            assert logind.stdout is not None and logind.stdout.readline() == "ready\n"
            yield logind
        finally:
            logind.kill()


@pytest.mark.parametrize("locked_hint", [True, False])
def test_logind_gives_the_session_and_only_its_signals_count(buses, locked_hint):
    with stand_in_logind(locked_hint) as logind:
        w = Watched()  # XDG_SESSION_ID says 7, logind says c5: logind wins
        try:
            assert any("/session/c5" in s for s in w.watcher.listening())
            # No screensaver on the session bus: logind alone announces locks.
            assert w.watcher.problems() == [] and w.watcher.noticed()
            assert w.watcher.locked is locked_hint
            if locked_hint:
                assert w.next() is True
            buses.send("system", "/org/freedesktop/login1/session/c5",
                       UNLOCK if locked_hint else LOCK)  # not from logind: ignored
            assert w.quiet()
            assert logind.stdin is not None
            logind.stdin.write(("Unlock" if locked_hint else "Lock") + "\n")
            logind.stdin.flush()
            assert w.next() is (not locked_hint)
        finally:
            w.watcher.close()


NOBODY = ("nothing announces a screen lock here now: no screensaver runs on the session bus, "
          "and logind is not on the system bus")


def test_a_lock_nobody_announces_is_said_and_still_heard_when_sent(buses, monkeypatch):
    """Subscribed, but no program owns a screensaver's name and no logind is on the system bus
    (a bare window manager): said, and the subscriptions stay for a screensaver started
    later."""
    w = Watched()
    try:
        assert w.watcher.problems() == [NOBODY] and not w.watcher.noticed()
        assert len(w.watcher.listening()) == 4  # three screensaver paths and logind
        assert unheard_words(w.watcher) == f"screen locks are not noticed here ({NOBODY})"
        buses.send("session", "/org/freedesktop/ScreenSaver", f"{FDO}.ActiveChanged",
                   "boolean:true")  # as a screensaver started now would
        assert w.next() is True
    finally:
        w.watcher.close()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")  # no session bus, logind absent too
    w = Watched()
    try:
        assert w.watcher.problems() == [
            "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)", NOBODY]
        assert not w.watcher.noticed()
    finally:
        w.watcher.close()


@pytest.mark.parametrize("name", [FDO, GNOME])
def test_a_screensaver_that_owns_its_name_announces_locks(buses, name):
    service = desktop.start_screensaver(buses.addresses["session"], name)
    try:
        w = Watched()
        try:
            assert w.watcher.problems() == [] and w.watcher.noticed()
            assert unheard_words(w.watcher) == ""
        finally:
            w.watcher.close()
    finally:
        desktop.stop(service)


def test_a_logind_that_does_not_know_this_session_still_announces_locks(buses):
    with stand_in_logind(False, "stranger"):
        w = Watched()
        try:  # the path is built from XDG_SESSION_ID: logind's locks of it are heard
            assert f"logind {OURS} (system bus, logind not answering)" in w.watcher.listening()
            assert w.watcher.problems() == [] and w.watcher.noticed()
        finally:
            w.watcher.close()


def test_missing_buses_are_problems_not_crashes(tmp_path, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    w = Watched()
    try:
        problems = w.watcher.problems()
        assert problems[0] == "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
        assert "cannot reach the system bus" in problems[1] and len(problems) == 2
        assert w.watcher.listening() == [] and not w.watcher.locked
        assert not w.watcher.noticed()
    finally:
        w.watcher.close()


def test_every_reason_a_lock_is_unheard_is_said(screensaver, tmp_path, monkeypatch):
    w = Watched()
    try:
        assert unheard_words(w.watcher) == ""  # both buses heard
    finally:
        w.watcher.close()
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    w = Watched()
    try:
        words = unheard_words(w.watcher)
        assert words.startswith("not heard: cannot reach the system bus") and ";" not in words
    finally:
        w.watcher.close()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    w = Watched()
    try:  # nothing heard: both reasons, not only the first
        words = unheard_words(w.watcher)
        assert words.startswith("screen locks are not noticed here (no session bus "
                                "(DBUS_SESSION_BUS_ADDRESS is not set); cannot reach the "
                                "system bus")
        assert words.endswith(")")
    finally:
        w.watcher.close()
    watcher = lock_watcher(print, platform="darwin").start()
    assert unheard_words(watcher).startswith(
        "screen locks are not noticed here (screen lock detection is not supported on macOS")


def test_a_bus_that_dies_is_reported_and_the_other_still_heard(buses, watched):
    buses.stop("session")
    deadline = time.monotonic() + 2
    while not watched.watcher.problems() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert any("the session bus closed" in p for p in watched.watcher.problems())
    buses.send("system", OURS, LOCK)
    assert watched.next() is True


def test_close_is_prompt(buses):
    w = Watched()
    began = time.monotonic()
    w.watcher.close()
    assert time.monotonic() - began < 1.0


def test_the_platform_pick():
    assert isinstance(lock_watcher(print, platform="linux"), DBusLockWatcher)
    for platform, name in (("darwin", "macOS"), ("win32", "Windows")):
        watcher = lock_watcher(print, platform=platform)
        assert isinstance(watcher, UnsupportedLockWatcher)
        assert watcher.start() is watcher and watcher.listening() == []
        assert not watcher.noticed()
        assert f"not supported on {name}" in watcher.problems()[0]
        watcher.close()


@pytest.mark.parametrize(("session_id", "path"), [
    ("7", "/org/freedesktop/login1/session/_37"), ("c1", "/org/freedesktop/login1/session/c1"),
    ("12", "/org/freedesktop/login1/session/_312"),
    ("a-b", "/org/freedesktop/login1/session/a_2db"),
])
def test_logind_session_paths(session_id, path):
    assert logind_session_path(session_id) == path
