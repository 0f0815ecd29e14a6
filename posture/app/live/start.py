"""How `posture run` starts: one monitor at a time (the instance lock), the control socket,
desktop notifications, then the front end: the tray (and the window when asked) on a
desktop, the window on a display without a tray, the headless console otherwise."""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import ExitStack
from typing import Any

from posture.app.live.actions import key_command
from posture.app.live.monitor import LiveMonitor, Options
from posture.app.live.watchers import DesktopWatchers
from posture.core.errors import UserError
from posture.core.pauses import Pause
from posture.io.control_socket import ControlServer, InstanceLock, runtime_dir, socket_path
from posture.io.notifications import NotificationError, Notifier
from posture.io.settings import Settings
from posture.io.terminal import TerminalKeys

KEY_WAIT_S = 0.5  # the terminal reader looks at its stop flag this often
RESUME_WAIT_S = 2.0  # `posture resume` waits this long to tell whether another pause remains
QUIT_WAIT_S = 4.0  # `posture quit` waits this long for the session to close (within the
# client's REQUEST_TIMEOUT_S)


def run_live(settings: Settings, options: Options) -> int:
    """Run the live monitor until it ends; its exit code."""
    with ExitStack() as stack:
        steerable = _one_at_a_time(stack)
        monitor = LiveMonitor(settings, options)
        monitor.open()  # no camera: one line and exit 2, before anything shows
        stack.callback(DesktopWatchers(monitor).start().close)  # locks, calls
        app, problem = None, None
        if settings.monitor.window:
            from posture.io.qt_app import no_display
            problem = no_display()
            if problem is None:
                from posture.io.qt_app import start_application
                app, problem = start_application()
        if problem is not None:
            monitor.tell(f"{problem}: running headless")
        notices = Notices(monitor)
        stack.callback(notices.close)
        monitor.notify_desktop = notices.send
        front = None
        if app is not None and problem is None:
            from posture.app.live.desktop import Desktop
            front = Desktop(monitor, app)
        if steerable:
            if front is not None:
                control = Control(monitor, show=front.show_asked.emit)
            else:
                control = Control(monitor, headless=problem or "started with --no-window "
                                  "(or monitor.window = false in the settings)")
            server = ControlServer(socket_path(), control.handle)
            stack.callback(server.close)
        else:
            monitor.tell("posture status, pause, resume, show and quit need a Unix socket, "
                         "which this system lacks: use the tray menu or the keys")
        return run_headless(monitor, stack) if front is None else front.run()


def _one_at_a_time(stack: ExitStack) -> bool:
    """Take the single-instance lock for the run (UserError when a monitor runs already);
    False where this system has no Unix sockets (no lock, no control socket there)."""
    if os.name != "posix":
        return False
    lock = InstanceLock(runtime_dir())
    if not lock.acquire():
        pid = lock.holder()
        raise UserError(f"a posture monitor is already running{f' (pid {pid})' if pid else ''}: "
                        "see it with posture status, or stop it with posture quit")
    # A run that fails removes the lock file it made (posture.io.folders then its folder).
    stack.push(lambda kind, error, trace: lock.release(failed=kind is not None))
    return True


def run_headless(monitor: LiveMonitor, stack: ExitStack) -> int:
    """The console front end: keys from the terminal (when it is ours) on a reader thread,
    SIGTERM ending the run as Ctrl+C does."""
    stack.callback(_restore_sigterm, signal.signal(signal.SIGTERM, _interrupt))
    keys = TerminalKeys.open()
    if keys is not None:
        monitor.can_key = True
        stop = threading.Event()
        reader = threading.Thread(target=_read_keys, args=(keys, monitor, stop), daemon=True,
                                  name="posture-keys")
        stack.callback(keys.close)  # the terminal's settings back, after the reader stopped
        stack.callback(reader.join)
        stack.callback(stop.set)
        reader.start()
    return monitor.run()


def _read_keys(keys: TerminalKeys, monitor: LiveMonitor, stop: threading.Event) -> None:
    """Hand each key typed in the terminal to the monitor, until `stop`."""
    while not stop.is_set():
        code = keys.read(KEY_WAIT_S)
        command = key_command(chr(code)) if code >= 0 else None
        if command is not None:
            monitor.inbox.post(command)


def _restore_sigterm(previous: Any) -> None:
    """SIGTERM's handler back as it was, unless a SIGTERM ended the run: then the ones that
    follow are ignored while the process ends with the session saved."""
    if signal.getsignal(signal.SIGTERM) is _interrupt:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM: stop like Ctrl+C, so the session is saved; another SIGTERM while it is being
    saved (`timeout` sends two) changes nothing."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


class Control:
    """Answers the control socket (`posture status`, `pause`, `resume`, `show`, `quit`) from
    the socket's thread: reads the board, posts commands."""

    def __init__(self, monitor: LiveMonitor, show: Any = None, headless: str = "") -> None:
        """`show()` opens the window; without one the monitor runs headless, because of
        `headless` (e.g. no display)."""
        self.monitor = monitor
        self.show = show
        self.headless = headless

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """The answer to one request."""
        status = self.monitor.board.get()
        command = request.get("cmd")
        if command == "status":
            return {"ok": True, **status.to_json()}
        if command == "pause":
            until = request.get("until")
            if until is not None and not isinstance(until, (int, float)):
                return {"ok": False, "error": "until must be epoch seconds or null"}
            self.monitor.post("pause", Pause("user", until))
            return {"ok": True, "until": until}
        if command == "resume":
            user = any(p.reason == "user" for p in status.pauses)
            self.monitor.post("resume")
            left = self._after_resume() if user else status.pauses
            return {"ok": True, "was_paused": user, "still_pauses": [p.to_json() for p in left]}
        if command == "show":
            if self.show is None:
                return {"ok": False, "error": f"the monitor runs headless, {self.headless}: "
                        "there is no window to show (posture quit, then posture run in your "
                        "desktop session without --no-window)"}
            self.show()
            return {"ok": True}
        if command == "quit":
            self.monitor.post("quit")
            ended = self.monitor.ended.wait(QUIT_WAIT_S)
            return {"ok": True, "stopped": ended, "outcome": self.monitor.outcome}
        return {"ok": False, "error": f"unknown command {command!r}"}

    def _after_resume(self) -> tuple[Pause, ...]:
        """The pauses still in force once the user's own has ended (locked, off hours...)."""
        end = time.monotonic() + RESUME_WAIT_S
        while time.monotonic() < end:
            pauses = self.monitor.board.get().pauses
            if all(p.reason != "user" for p in pauses):
                return pauses
            time.sleep(0.05)
        return ()


class Notices:
    """Prompts as desktop notifications with the actions Start stretch and Snooze; a failure
    is said once on the console, never dropped silently."""

    def __init__(self, monitor: LiveMonitor) -> None:
        self.monitor = monitor
        self.notifier = Notifier(self._action)
        self.failed = False

    def send(self, text: str) -> None:
        """Show `text` on the desktop (with its actions where the server shows them)."""
        minutes = round(self.monitor.settings.alerts.snooze_s / 60)
        try:
            self.notifier.send("Posture", text, {"stretch": "Start stretch",
                                                 "snooze": f"Snooze {minutes} min"})
        except NotificationError as exc:
            if not self.failed:
                self.failed = True
                self.monitor.tell(f"desktop notification failed: {exc}; posture goes on "
                                  "without desktop notifications (posture doctor checks them)")

    def _action(self, key: str) -> None:
        """A button picked on a notification (on the notifier's thread)."""
        if key == "stretch":
            self.monitor.post("stretch", True)
        elif key == "snooze":
            self.monitor.post("snooze")

    def close(self) -> None:
        self.notifier.close()

