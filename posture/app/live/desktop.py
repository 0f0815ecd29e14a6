"""The live monitor on a desktop: the tray icon and the camera window on Qt's (main) thread,
the monitor's loop on a worker thread.

The monitor's pictures and status reach the GUI as Qt signals (queued onto its thread); the
GUI's keys, menu and close button reach the monitor as commands. With a tray the monitor starts
as an icon only and the window opens when asked; a desktop without a tray gets the window (the
tray host may start late at login, so it is waited for a few seconds first, and the icon
docks whenever a tray appears).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from posture.app.live.actions import MENU, MENU_PAUSE_DETAILS, MENU_PAUSES, Command, key_command
from posture.app.live.monitor import LiveMonitor
from posture.app.live.status import MonitorStatus
from posture.app.live.today import write_today_html
from posture.core.errors import UserError
from posture.core.pauses import Pause, pause_until, pauses_words
from posture.core.states import STATE_TEXT
from posture.io.camera_window import CameraWindow
from posture.io.qt_app import SignalWakeup
from posture.io.settings import init_file, settings_path
from posture.io.tray import Tray

TRAY_WAIT_S = 5.0  # at start, wait this long for a tray host before showing the window
TRAY_CHECK_S = 0.25  # ...looking this often
TRAY_POLL_S = 2.0  # afterwards, whether the icon is in a tray is looked at this often


def tooltip(status: MonitorStatus, now: float) -> str:
    """The tray icon's tooltip at `now` (epoch seconds): the state, until when a pause lasts,
    and today's share of good posture."""
    text = f"posture: {STATE_TEXT.get(status.state, status.state)}"
    if status.pauses:  # why, and until when, for each pause in force
        text = f"posture: {pauses_words(status.pauses, now)}"
    if status.good_share_today is not None:
        text += f"\n{round(100 * status.good_share_today)} % good posture today"
    return text


class Desktop(QObject):
    """The tray, the window and the worker thread around one LiveMonitor."""

    picture = Signal(object)  # a BGR picture for the window (from the worker)
    status = Signal(object)  # a MonitorStatus (from whichever thread changed it)
    finished = Signal()  # the monitor's loop ended
    show_asked = Signal()  # `posture show` (from the control socket's thread)

    def __init__(self, monitor: LiveMonitor, app: QApplication) -> None:
        super().__init__()
        self.monitor = monitor
        self.app = app
        self.result: int | BaseException = 0
        monitor.can_key = True
        monitor.show_picture = self.picture.emit
        monitor.board.listeners.append(self.status.emit)
        self.window = CameraWindow(self._key, self._close_asked, self._window_shown)
        self.tray = Tray(MENU, self._menu, self.show_window)
        self.picture.connect(self._show_picture)
        self.status.connect(self._show_status)
        # exit, not quit: Qt 6's quit first asks each window to close, and ours only hides.
        self.finished.connect(lambda: self.app.exit(0))
        self.show_asked.connect(self.show_window)
        self._waited: float | None = 0.0  # seconds waited for a tray host at start
        self._state = ""  # the monitor's state last shown
        self._poll = QTimer(self)
        self._poll.timeout.connect(self._look_for_tray)
        self._thread = threading.Thread(target=self._work, name="posture-monitor")

    def run(self) -> int:
        """Run until the monitor ends; its exit code (its error is raised here)."""
        wakeup = SignalWakeup(lambda: self.monitor.post("quit"))
        self.tray.show()
        self._show_status(self.monitor.board.get())
        self._thread.start()
        self._poll.start(round(1000 * TRAY_CHECK_S))
        self._look_for_tray()
        try:
            self.app.exec()
        finally:
            self.monitor.post("quit")  # the loop ended some other way: stop the monitor too
            self._thread.join()
            wakeup.close()
            self._poll.stop()
            self.window.hide()
            self.tray.close()
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result

    def _work(self) -> None:
        """The worker thread: the monitor's loop."""
        try:
            self.result = self.monitor.run()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            self.result = exc
        finally:
            self.finished.emit()

    # ---- tray and window -------------------------------------------------------------------

    def in_tray(self) -> bool:
        """True when the icon is shown in a tray."""
        return QSystemTrayIcon.isSystemTrayAvailable() and self.tray.icon.isVisible()

    @Slot()
    def _look_for_tray(self) -> None:
        """Note whether the icon is in a tray; at start, open the window when no tray host
        appears within TRAY_WAIT_S."""
        tray = self.in_tray()
        self.monitor.board.set(tray=tray)
        if self._waited is None:
            return
        self._waited += TRAY_CHECK_S
        if tray or self._waited >= TRAY_WAIT_S:
            self._waited = None
            self._poll.setInterval(round(1000 * TRAY_POLL_S))
            if not tray:
                self.show_window()

    @Slot()
    def show_window(self) -> None:
        """Show the camera window (in front)."""
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def _window_shown(self, shown: bool) -> None:
        self.monitor.post("window", shown)

    def _close_asked(self) -> bool:
        """The close button: hide to the tray when the icon is in one, else quit."""
        if self.in_tray():
            return True
        self.monitor.post("quit")
        return False

    def _key(self, text: str) -> None:
        command = key_command(text)
        if command is not None:
            self.monitor.inbox.post(command)

    @Slot(object)
    def _show_picture(self, image: object) -> None:
        if self.window.isVisible():
            self.window.show_picture(image)  # type: ignore[arg-type]

    @Slot(object)
    def _show_status(self, status: MonitorStatus) -> None:
        if status.state == "calibrating" != self._state:
            self.show_window()  # calibrating goes better when you see yourself
        self._state = status.state
        self.tray.set_state(status.state, tooltip(status, time.time()), {"mute": status.muted})

    # ---- the menu --------------------------------------------------------------------------

    def _menu(self, item: str, checked: bool) -> None:
        """What each tray menu entry does."""
        if item in MENU_PAUSES:
            until = pause_until(MENU_PAUSES[item], datetime.now(),
                                self.monitor.settings.schedule.work_hours())
            self.monitor.post("pause", Pause("user", until, MENU_PAUSE_DETAILS.get(item, "")))
        elif item == "show":
            self.show_window()
        elif item == "report":
            self._open(lambda: write_today_html(self.monitor.library))
        elif item == "settings":
            self._open(self._settings_file)
        else:
            self.monitor.inbox.post({"mute": Command("mute", checked),
                                     "stretch": Command("stretch", True)}.get(item)
                                    or Command(item))

    @staticmethod
    def _settings_file() -> Path:
        """The settings file, written with every default commented out if there is none."""
        path = settings_path()
        if not path.exists():
            init_file(path)
        return path

    def _open(self, make) -> None:
        """Open the file `make()` returns with the desktop's program for it."""
        try:
            path = make()
        except UserError as exc:
            self.monitor.tell(str(exc))
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.monitor.tell(f"could not open {path}: open it yourself, or install xdg-utils")
