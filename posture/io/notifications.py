"""Desktop notifications over D-Bus (org.freedesktop.Notifications), with actions.

Sent with jeepney (pure Python): Qt's own D-Bus module cannot make Notify's uint32 argument,
and `notify-send` is a program not every desktop has. A server that supports actions shows
buttons (e.g. Start stretch, Snooze 30 min); the one the user picks comes back as an
ActionInvoked signal, sent only to the connection that made the notification, and is handed
to `on_action` from a reader thread. Failures raise NotificationError naming the fix: the
caller says them (once), never drops them silently.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from queue import Queue

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, new_method_call
from jeepney.io.threading import DBusRouter, RouterClosed, open_dbus_connection

NOTIFICATIONS = DBusAddress("/org/freedesktop/Notifications",
                            bus_name="org.freedesktop.Notifications",
                            interface="org.freedesktop.Notifications")
CALL_TIMEOUT_S = 3.0
APP_NAME = "posture"
NO_SERVER_FIX = ("run posture inside your desktop session, or install a notification daemon "
                 "(e.g. dunst or your desktop's own)")


class NotificationError(Exception):
    """A notification could not be shown; the message names the cause and the fix."""


class _Router(DBusRouter):
    """jeepney's router, whose reader thread ends quietly when the bus goes away (the next
    call then fails with NotificationError, which the caller says) instead of printing a
    traceback."""

    def _receiver(self) -> None:
        with contextlib.suppress(OSError):
            super()._receiver()


class Notifier:
    """One session-bus connection that sends notifications and hears their actions."""

    def __init__(self, on_action: Callable[[str], None] | None = None) -> None:
        """`on_action(key)` is called (on a reader thread) when the user picks an action of
        one of these notifications."""
        self.on_action = on_action
        self._router: _Router | None = None
        self._signals: Queue | None = None
        self._sent: set[int] = set()  # ids of our notifications still able to take actions
        self._lock = threading.Lock()

    def _connect(self) -> _Router:
        """The connection, opened on first use (so a bus that comes later is found)."""
        if self._router is not None:
            return self._router
        try:
            router = _Router(open_dbus_connection(bus="SESSION"))
        except KeyError:
            raise NotificationError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not "
                                    f"set): {NO_SERVER_FIX}") from None
        except OSError as exc:
            raise NotificationError(f"cannot reach the D-Bus session bus ({exc}): "
                                    f"{NO_SERVER_FIX}") from None
        rule = MatchRule(type="signal", interface=NOTIFICATIONS.interface,
                         path=NOTIFICATIONS.object_path)
        self._signals = router.filter(rule, bufsize=64).queue
        threading.Thread(target=self._listen, args=(self._signals,), name="posture-notify",
                         daemon=True).start()
        self._router = router
        return router

    def _call(self, method: str, signature: str | None = None, body: tuple = ()) -> tuple:
        """Call a method of the notification server; its reply's body."""
        router = self._connect()
        message = new_method_call(NOTIFICATIONS, method, signature, body)
        try:
            reply = router.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
        except TimeoutError:
            raise NotificationError(f"the notification server did not answer within "
                                    f"{CALL_TIMEOUT_S:g} s: {NO_SERVER_FIX}") from None
        except (OSError, RouterClosed) as exc:
            self.close()  # the next notification connects again
            raise NotificationError(f"the D-Bus session bus went away ({exc or 'closed'}): "
                                    f"{NO_SERVER_FIX}") from None
        if reply.header.message_type == MessageType.error:
            name = reply.header.fields.get(HeaderFields.error_name, "an error")
            detail = f": {reply.body[0]}" if reply.body else ""
            raise NotificationError(f"no notification server answered ({name}{detail}): "
                                    f"{NO_SERVER_FIX}")
        return reply.body

    def server(self) -> tuple[str, bool]:
        """The server's name and version, and whether it shows actions."""
        name, vendor, version, _ = self._call("GetServerInformation")
        return f"{name} {version} ({vendor})", "actions" in self._call("GetCapabilities")[0]

    def send(self, summary: str, body: str, actions: Mapping[str, str] | None = None) -> int:
        """Show a notification; `actions` (key -> button text) where the server shows them.
        Returns its id."""
        flat: list[str] = []
        if actions and "actions" in self._call("GetCapabilities")[0]:
            for key, text in actions.items():
                flat += [key, text]
        with self._lock:
            (number,) = self._call("Notify", "susssasa{sv}i",
                                   (APP_NAME, 0, "", summary, body, flat, {}, -1))
            if flat:
                self._sent.add(number)
        return number

    def _listen(self, signals: Queue) -> None:
        """Hand on the actions picked on our notifications (runs until closed)."""
        while (message := signals.get()) is not None:
            member = message.header.fields.get(HeaderFields.member)
            if member == "ActionInvoked":
                number, key = message.body
                with self._lock:
                    ours = number in self._sent
                if ours and self.on_action is not None:
                    self.on_action(key)
            elif member == "NotificationClosed":
                with self._lock:
                    self._sent.discard(message.body[0])

    def close(self) -> None:
        """Close the connection (its reader thread ends)."""
        if self._router is not None:
            router, self._router = self._router, None
            router.close()
            router.conn.close()
        if self._signals is not None:
            self._signals.put(None)
            self._signals = None
