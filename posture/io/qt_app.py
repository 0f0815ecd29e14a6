"""Starting Qt for the tray and the window, safely beside OpenCV, and signals that reach it.

OpenCV's import points Qt's plugin path at its own bundled Qt 5 plugins; those variables are
removed before the QApplication exists, so Qt 6 uses PySide6's plugins whatever the wheels'
layout. Qt is asked for the desktop's platform with "offscreen" as the fallback, so a display
that cannot be reached (or a missing system library) ends up offscreen, which is reported as
"no window here", instead of aborting the process as a failed platform plugin would.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Callable

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication

APP_NAME = "posture"  # also the X window name of the tray icon


def no_display() -> str | None:
    """Why there can be no window at all here (Linux without DISPLAY or WAYLAND_DISPLAY)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        return "no display (DISPLAY is not set)"
    return None


def start_application() -> tuple[QApplication, str | None]:
    """The QApplication, and why it cannot show windows (None when it can)."""
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):  # set by importing cv2
        os.environ.pop(name, None)
    if "QT_QPA_PLATFORM" not in os.environ and sys.platform.startswith("linux"):
        wayland = "wayland;" if os.environ.get("WAYLAND_DISPLAY") else ""
        os.environ["QT_QPA_PLATFORM"] = f"{wayland}xcb;offscreen"
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    app = QApplication.instance() or QApplication([APP_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)  # the tray lives on with no window
    if app.platformName() == "offscreen":
        where = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or "?"
        return app, f"cannot open a window on display {where}"
    return app, None


class SignalWakeup:
    """SIGINT and SIGTERM call `handler` on Qt's thread at once, even while its loop idles
    (Python runs signal handlers only when it runs; a socket the C handler writes to wakes
    the loop)."""

    def __init__(self, handler: Callable[[], None]) -> None:
        self._read, self._write = socket.socketpair()
        self._write.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno())
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(lambda *_: self._read.recv(64))
        self._previous = {sig: signal.signal(sig, lambda *_: handler())
                          for sig in (signal.SIGINT, signal.SIGTERM)}

    def close(self) -> None:
        """Put the previous handlers back."""
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._read.close()
        self._write.close()
