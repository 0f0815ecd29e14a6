"""Screen lock on D-Bus desktops (Linux): the screensaver's and logind's signals, via jeepney.

Session bus: `ActiveChanged(b)` of org.freedesktop.ScreenSaver (KDE, Xfce, Cinnamon and others;
paths /org/freedesktop/ScreenSaver and /ScreenSaver) and of org.gnome.ScreenSaver (GNOME).
System bus: logind's `Lock` / `Unlock` for this session, whose path comes from logind
(GetSessionByPID, else GetSession with $XDG_SESSION_ID or "auto"); where logind does not answer,
the path is built from $XDG_SESSION_ID, else any session's signals are heard.

The latest signal decides: Lock or ActiveChanged(true) is locked, Unlock or ActiveChanged(false)
unlocked (GNOME answers `loginctl lock-session` with its own lock and is unlocked without a
logind Unlock, so an "any source says locked" rule could stay locked for ever). At start the
screensavers that have an owner are asked GetActive and logind LockedHint, and a locked start
is reported like a change. Subscribing is not hearing: when no program owns a screensaver's name
and logind is not on the system bus (a bare window manager, a container), nothing will announce
a lock, and problems() says so (the subscriptions stay: a screensaver started later is heard).
jeepney is pure Python and needs no desktop library: the monitor hears locks headless too. A bus
that is missing or dies is a problem reported, never a crash.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections import deque
from collections.abc import Callable

from jeepney import DBusAddress, MatchRule, Message, MessageType, Properties, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.low_level import HeaderFields
from jeepney.wrappers import DBusErrorResponse, unwrap_msg

SCREENSAVERS = (("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
                ("org.freedesktop.ScreenSaver", "/ScreenSaver"),
                ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"))
LOGIND = "org.freedesktop.login1"
SESSION = "org.freedesktop.login1.Session"
REPLY_S = 1.0  # a bus that does not answer within this is taken as not answering
BUS_ERRORS = (OSError, EOFError, ValueError, RuntimeError, KeyError, TimeoutError)
NOBODY_ANNOUNCES = ("nothing announces a screen lock here now: no screensaver runs on the "
                    "session bus, and logind is not on the system bus")


def logind_session_path(session_id: str) -> str:
    """logind's object path for a session id (sd_bus_path_encode: a leading digit and every
    character but letters and digits become _XX)."""
    return "/org/freedesktop/login1/session/" + "".join(
        c if c.isascii() and c.isalnum() and not (i == 0 and c.isdigit()) else f"_{ord(c):02x}"
        for i, c in enumerate(session_id))


class _Bus:
    """One bus connection: its match rules, the signals they catch, and its receiving thread."""

    def __init__(self, name: str, deliver: Callable[[Message], None]) -> None:
        self.name = name  # "session" or "system"
        self.deliver = deliver
        self.conn: DBusConnection | None = None
        self.caught: deque[Message] = deque()
        self.problem: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lock-{name}", daemon=True)

    def connect(self) -> bool:
        """Open the bus; False (with the problem noted) when it cannot be reached."""
        try:
            self.conn = open_dbus_connection(self.name.upper())
        except KeyError:  # jeepney reads DBUS_SESSION_BUS_ADDRESS
            self.problem = "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
        except BUS_ERRORS as exc:
            self.problem = f"cannot reach the {self.name} bus ({_reason(exc)})"
        return self.conn is not None

    def call(self, message: Message) -> tuple | None:
        """A method call's reply body, or None when the service answers with an error."""
        assert self.conn is not None
        try:
            return unwrap_msg(self.conn.send_and_get_reply(message, timeout=REPLY_S))
        except (DBusErrorResponse, TimeoutError):
            return None

    def subscribe(self, sender: str | None = None, **fields: str | None) -> bool:
        """Ask the bus for the signals with these header fields (from `sender`, a well-known
        name the bus resolves) and keep them; False when refused."""
        assert self.conn is not None
        if self.call(message_bus.AddMatch(MatchRule(type="signal", sender=sender,
                                                    **fields))) is None:
            return False
        # Signals carry the sender's unique name (":1.42"): the bus checked the sender.
        self.conn.filter(MatchRule(type="signal", **fields), queue=self.caught)
        return True

    def has_owner(self, name: str) -> bool:
        """True when a program owns the bus name (asking it then starts nothing)."""
        reply = self.call(message_bus.NameHasOwner(name))
        return bool(reply and reply[0])

    def start(self) -> None:
        """Deliver what is caught, from now on, on the bus's thread."""
        self._thread.start()

    def _run(self) -> None:
        assert self.conn is not None
        try:
            while not self._stop.is_set():
                while self.caught:
                    self.deliver(self.caught.popleft())
                self.conn.recv_messages()
        except BUS_ERRORS as exc:
            if not self._stop.is_set():
                self.problem = (f"the {self.name} bus closed ({_reason(exc)}): screen locks "
                                "are no longer noticed from it")

    def close(self) -> None:
        """Stop the thread (by shutting the socket it waits on) and close the connection."""
        self._stop.set()
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.sock.shutdown(socket.SHUT_RDWR)
            if self._thread.is_alive():
                self._thread.join()
            self.conn.close()


class DBusLockWatcher:
    """Screen lock and unlock from the session and system buses; see the module's docstring.

    `on_change(locked)` runs once per change of state, under a lock, on a bus thread (or in
    start() for a screen locked at start): it must hand the news on and return, not call
    close().
    """

    def __init__(self, on_change: Callable[[bool], None],
                 session_id: str | None = None) -> None:
        self.on_change = on_change
        self.session_id = os.environ.get("XDG_SESSION_ID") if session_id is None else session_id
        self.locked = False
        self._lock = threading.Lock()
        self._heard: list[str] = []
        self._problems: list[str] = []
        self._announcers: set[str] = set()  # the screensaver names owned, and logind, at start
        self._buses = [_Bus("session", self._signal), _Bus("system", self._signal)]

    def start(self) -> DBusLockWatcher:
        """Connect, subscribe and ask the current state (a locked start calls on_change(True)
        here), then listen on one thread per bus."""
        session, system = self._buses
        locked = False
        if session.connect():
            locked |= self._screensavers(session)
        if system.connect():
            locked |= self._logind(system)
        if locked:
            self._set(True)
        for bus in self._buses:
            if bus.conn is not None:
                bus.start()
        return self

    def close(self) -> None:
        """Stop listening and close both buses."""
        for bus in self._buses:
            bus.close()

    def problems(self) -> list[str]:
        """What cannot be heard, and why (empty when every source is subscribed and something
        is there to announce a lock)."""
        silent = [NOBODY_ANNOUNCES] if self._heard and not self._announcers else []
        return self._problems + [b.problem for b in self._buses if b.problem] + silent

    def listening(self) -> list[str]:
        """The sources subscribed to, in words."""
        return list(self._heard)

    def noticed(self) -> bool:
        """True when a lock would be heard now: a source is subscribed to, and a screensaver or
        logind was there at start to announce it."""
        return bool(self._heard and self._announcers)

    def _screensavers(self, bus: _Bus) -> bool:
        """Subscribe to the screensavers' ActiveChanged; True when one says it is active."""
        active = False
        for interface, path in SCREENSAVERS:
            if bus.subscribe(interface=interface, member="ActiveChanged", path=path):
                self._heard.append(f"{interface} {path} (session bus)")
            else:
                self._problems.append(f"the session bus refused to pass on {interface} signals")
            if interface not in self._announcers and bus.has_owner(interface):
                self._announcers.add(interface)
                reply = bus.call(new_method_call(DBusAddress(path, interface, interface),
                                                 "GetActive"))
                active |= bool(reply and reply[0])
        return active

    def _logind(self, bus: _Bus) -> bool:
        """Subscribe to this session's Lock and Unlock; True when logind says it is locked."""
        manager = DBusAddress("/org/freedesktop/login1", LOGIND, f"{LOGIND}.Manager")
        reply = bus.call(new_method_call(manager, "GetSessionByPID", "u", (os.getpid(),)))
        if reply is None:
            reply = bus.call(new_method_call(manager, "GetSession", "s",
                                             (self.session_id or "auto",)))
        answered = reply is not None
        path = reply[0] if reply else (logind_session_path(self.session_id)
                                       if self.session_id else None)
        for member in ("Lock", "Unlock"):
            if not bus.subscribe(LOGIND if answered else None, interface=SESSION,
                                 member=member, path=path):
                self._problems.append("the system bus refused to pass on logind's signals")
                return False
        self._heard.append(f"logind {path or 'any session'} (system bus"
                           f"{'' if answered else ', logind not answering'})")
        # A logind that does not know this session still announces the locks it makes.
        if answered or bus.has_owner(LOGIND):
            self._announcers.add(LOGIND)
        if not answered:
            return False
        hint = bus.call(Properties(DBusAddress(path, LOGIND, SESSION)).get("LockedHint"))
        return bool(hint and hint[0][1])

    def _signal(self, message: Message) -> None:
        """One caught signal: the state it says."""
        if message.header.message_type != MessageType.signal:
            return
        member = message.header.fields.get(HeaderFields.member)
        if member == "ActiveChanged" and message.body and isinstance(message.body[0], bool):
            self._set(message.body[0])
        elif member in ("Lock", "Unlock"):
            self._set(member == "Lock")

    def _set(self, locked: bool) -> None:
        """Record the state; tell the callback when it changed."""
        with self._lock:
            if locked != self.locked:
                self.locked = locked
                self.on_change(locked)


def _reason(exc: BaseException) -> str:
    """An exception in a few words."""
    return getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
