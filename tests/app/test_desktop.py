"""The live monitor on a desktop (Xvfb with the trayer tray host), in this process: every tray
menu action through the app's own QActions, the window's keys, its close button, its display
rate, and what its picture shows, read back from real screenshots."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from fixtures.make_fixtures import make_sample
from posture.app.cli import main
from posture.app.live.monitor import LiveMonitor, Options
from posture.app.live.status import MonitorStatus
from posture.app.live.today import good_share_today
from posture.core.pauses import Pause
from posture.core.schedule import resume_time
from posture.io.drawing import COLOR_GOOD, COLOR_IDLE, COLOR_PANEL, COLOR_TEXT, Style
from posture.io.layout import plan
from posture.io.profiles import profile_path
from posture.io.settings import Settings, apply_overrides, settings_path
from tests import desktop
from tests.app.live_helpers import calibrate_on_sample
from tests.conftest import SAMPLE

Step = tuple[Callable[[], object], Callable[[], None]]


class GuiScript:
    """Steps run on Qt's thread while the app runs: each (ready, do) does `do()` once
    `ready()` holds, in order; a step not ready within `timeout` seconds fails the test (and
    quits the monitor)."""

    def __init__(self, monitor: LiveMonitor, steps: list[Step], timeout: float = 90.0) -> None:
        from PySide6.QtCore import QTimer

        self.monitor = monitor
        self.steps = list(steps)
        self.done = 0
        self.failed: str | None = None
        self._since = time.monotonic()
        self._timeout = timeout
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(20)

    def _tick(self) -> None:
        if not self.steps:
            return
        ready, do = self.steps[0]
        if ready():
            self.steps.pop(0)
            self.done += 1
            self._since = time.monotonic()
            do()
        elif time.monotonic() - self._since > self._timeout:
            self.failed = f"step {self.done} never became ready"
            self.steps.clear()
            self.monitor.post("quit")


def run_front(app, monitor: LiveMonitor, steps: Callable[[object], list[Step]]):
    """Run the real desktop front end around `monitor`, driven by `steps(front)`, until the
    steps end it; the front end."""
    from posture.app.live.desktop import Desktop

    front = Desktop(monitor, app)
    script = GuiScript(monitor, steps(front))
    assert front.run() == 0
    script.timer.stop()
    assert script.failed is None, script.failed
    return front


def monitor_over(clip: Path, speed: float = 1.0, **settings) -> LiveMonitor:
    config = apply_overrides(Settings(), window=True, **settings)
    return LiveMonitor(config, Options(str(clip), profile_path(None), speed=speed))


def recording_opener(tmp_path: Path, monkeypatch) -> Path:
    """An `xdg-open` first on PATH that notes what it was asked to open (there is no
    desktop here to open files with); returns the file it writes to."""
    tools = tmp_path / "tools"
    tools.mkdir()
    log = tmp_path / "opened.txt"
    opener = tools / "xdg-open"
    opener.write_text(f'#!/bin/sh\necho "$1" >> {log}\n')
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    return log


def test_the_tooltip_gives_the_state_until_when_and_todays_good_share():
    from posture.app.live.desktop import tooltip

    now = datetime(2026, 12, 3, 17, 0).timestamp()  # a Thursday
    friday = datetime(2026, 12, 4, 8).timestamp()
    paused = MonitorStatus(state="paused", pauses=(Pause("user", friday),),
                           good_share_today=0.734)
    assert tooltip(paused, now) == \
        "posture: paused: by you until Fri 08:00\n73 % good posture today"
    both = replace(paused, pauses=(Pause("locked"), Pause("camera in use", None, "zoom (pid 7)")))
    assert tooltip(both, now).startswith(
        "posture: paused: screen locked, camera in use by zoom (pid 7)\n")
    assert tooltip(MonitorStatus(state="slipping"), now) == "posture: Posture slipping"


def test_every_tray_menu_action_works(qt_app, tmp_path, monkeypatch, posture_home):
    from PySide6.QtWidgets import QSystemTrayIcon

    calibrate_on_sample()
    # A recorded run earlier today: the tooltip gives its share of good posture.
    assert main(["run", "--source", str(SAMPLE), "--no-window", "--speed", "20", "--record",
                 "--profile", "default"]) == 0
    share_today = good_share_today()
    assert share_today is not None
    opened = recording_opener(tmp_path, monkeypatch)
    clip = make_sample(tmp_path / "long.mp4", [(0.0, 0.0), (120.0, 0.0)])
    monitor = monitor_over(clip)
    board = monitor.board.get

    def paused_until(seconds: float | None, at: datetime | None = None) -> Callable[[], bool]:
        def check() -> bool:
            p = board().paused
            if p is None or p.reason != "user":
                return False
            want = (at or datetime.now() + timedelta(seconds=seconds)).timestamp()
            return abs(p.until - want) < 5
        return check

    tomorrow = resume_time(None, datetime.now())  # no work hours set: the next 08:00

    def monitoring() -> bool:
        return board().state in ("good", "slipping", "slouched")

    def steps(front) -> list[Step]:
        def trigger(item: str) -> Callable[[], None]:
            return lambda: front.tray.actions[item].trigger()

        def click() -> None:  # the icon itself, as the tray host reports a click
            front.tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)

        def window(shown: bool) -> Callable[[], bool]:
            return lambda: board().window == shown == front.window.isVisible()

        good_today = f"\n{round(100 * share_today)} % good posture today"

        return [
            (lambda: monitoring() and front.tray.icon.toolTip().endswith(good_today)
             and window(False)(), trigger("pause_15m")),
            (paused_until(900), trigger("resume")),
            (lambda: board().paused is None and monitoring(), trigger("pause_1h")),
            (paused_until(3600), trigger("pause_tomorrow")),
            (paused_until(None, tomorrow), trigger("pause_meeting")),
            (lambda: paused_until(3600)() and board().paused.detail == "a meeting",
             trigger("resume")),
            (lambda: board().paused is None, trigger("mute")),
            (lambda: board().muted, trigger("mute")),
            (lambda: not board().muted, trigger("show")),
            (window(True), front.window.close),  # closing hides it to the tray
            (window(False), click),
            (window(True), trigger("stretch")),
            (lambda: board().state == "stretching", trigger("stretch")),  # still stretching
            (lambda: board().state == "stretching", trigger("calibrate")),
            (lambda: board().state == "calibrating", trigger("report")),
            (lambda: opened.exists(), trigger("settings")),
            (lambda: len(opened.read_text().splitlines()) == 2, trigger("quit")),
        ]

    run_front(qt_app, monitor, steps)
    report, settings = (Path(urlparse(url).path) for url in opened.read_text().splitlines())
    assert report.suffix == ".html" and "<html" in report.read_text().lower()
    assert settings == settings_path() and "[monitor]" in settings.read_text()
    db = sqlite3.connect(posture_home / "data" / "history.sqlite3")
    earlier, (ended,) = db.execute("SELECT ended FROM sessions ORDER BY id").fetchall()
    assert ended is not None  # Quit saved the session


def window_picture(display: str) -> np.ndarray:
    """The camera window as seen on the screen (RGB turned to BGR, as the overlay's colours)."""
    [window] = on_screen(display)
    x0, y0, x1, y1 = window.box
    return desktop.screenshot(display)[y0:y1, x0:x1, ::-1]


def later(seconds: float = 0.8) -> Callable[[], bool]:
    """A step's readiness: `seconds` after it is first asked (the window repaints meanwhile)."""
    start: list[float] = []

    def ready() -> bool:
        start[:] = start or [time.monotonic()]
        return time.monotonic() - start[0] >= seconds
    return ready


def on_screen(display: str) -> list[desktop.XWindow]:
    """The camera windows shown on the screen."""
    return [w for w in desktop.find_windows(display, "posture camera")
            if w.width > 100 and desktop.mapped(display, w)]


def share(region: np.ndarray, bgr: tuple[int, int, int]) -> float:
    return float(np.mean(np.all(region == bgr, axis=2)))


def label_region(picture: np.ndarray, labels: list[str], index: int) -> np.ndarray:
    box = plan(picture.shape, Style.of(picture.shape), labels, "0", "keys").labels[index]
    return picture[box[1]:box[3], box[0]:box[2]]


def test_window_keys_badges_pause_and_close(qt_app, tray_display, tmp_path, posture_home):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    calibrate_on_sample()
    clip = make_sample(tmp_path / "long.mp4", [(0.0, 0.0), (120.0, 0.0)])
    monitor = monitor_over(clip)
    board = monitor.board.get
    seen: dict[str, np.ndarray] = {}

    def look(name: str) -> Callable[[], None]:
        return lambda: seen.update({name: window_picture(tray_display)})

    def steps(front) -> list[Step]:
        def key(k) -> Callable[[], None]:
            return lambda: QTest.keyClick(front.window, k)

        return [
            (lambda: board().state == "good", front.show_window),
            (lambda: board().window and front.window.isVisible(), lambda: None),
            (later(), look("good")),
            (lambda: True, key(Qt.Key.Key_M)),
            (lambda: board().muted, lambda: None),
            (later(), look("muted")),
            (lambda: True, key(Qt.Key.Key_Space)),
            (lambda: board().snoozed_until is not None, lambda: None),
            (later(), look("snoozed")),
            (lambda: True, key(Qt.Key.Key_P)),
            (lambda: board().state == "paused", lambda: None),
            (later(), look("paused")),
            (lambda: True, key(Qt.Key.Key_P)),
            (lambda: board().state == "good", front.window.close),  # with a tray: hides
            (lambda: not board().window, lambda: seen.update(mapped=on_screen(tray_display))),
            (lambda: board().state == "good" and not monitor.quit, front.tray.icon.hide),
            (lambda: not front.in_tray(), front.show_window),
            (lambda: board().window, front.window.close),  # no tray: closing quits
        ]

    run_front(qt_app, monitor, steps)
    assert seen["mapped"] == []  # closed with a tray: hidden, and the monitor ran on
    good, muted, snoozed, paused = (seen[k] for k in ("good", "muted", "snoozed", "paused"))
    assert good.shape == (600, 512, 3)  # the 256x300 clip drawn twice as large, shown 1:1
    h = good.shape[0]
    keys = plan(good.shape, Style.of(good.shape), [], "", "keys").keys
    band = good[keys[1]:keys[3], keys[0]:keys[2]]
    assert share(band, (20, 20, 20)) > 0.6 and share(band, COLOR_TEXT) > 0.02  # the key line
    assert share(good[:, :3], COLOR_GOOD) > 0.9 and share(good[h - 3:], COLOR_GOOD) > 0.9
    labels = ["Good posture", "Muted", "Snoozed 30 min"]
    assert share(label_region(good, labels, 1), COLOR_PANEL) < 0.2  # no badge yet
    badge = label_region(muted, labels, 1)
    assert share(badge, COLOR_PANEL) > 0.4 and share(badge, COLOR_TEXT) > 0.02
    # Snoozed comes first among the badges, muted second.
    assert share(label_region(snoozed, ["Good posture", "Snoozed 30 min", "Muted"], 1),
                 COLOR_PANEL) > 0.4
    assert share(label_region(snoozed, ["Good posture", "Snoozed 30 min", "Muted"], 2),
                 COLOR_PANEL) > 0.4
    # Paused: grey border, "Paused" in grey where the state was, no green left anywhere.
    assert share(paused[:, :3], COLOR_IDLE) > 0.9
    state = label_region(paused, ["Paused"], 0)
    assert share(state, COLOR_IDLE) > 0.02 and share(paused, COLOR_GOOD) < 0.001


def test_state_follows_posture_and_the_window_runs_at_display_rate(qt_app, tmp_path,
                                                                    monkeypatch):
    """At 15 frames a second of video: the window draws 12 a second while the model keeps
    its adaptive rate; hidden, only the model's frames are read. Sitting up shows "good"
    within 2 s while the score is still high."""
    from posture.app.live import watch
    from posture.app.live.picture import DISPLAY_FPS

    calibrate_on_sample()
    upright = 79.0  # sitting up is complete at 79 s
    clip = make_sample(tmp_path / "fast.mp4", [(0.0, 0.0), (15.0, 0.0), (17.0, 1.0),
                                               (77.0, 1.0), (upright, 0.0), (100.0, 0.0)],
                       fps=15.0)
    monitor = monitor_over(clip, speed=3.0, enabled=False)
    analysed: list[float] = []
    step = watch.Watch.step
    monkeypatch.setattr(watch.Watch, "step",
                        lambda self, frame: (analysed.append(frame.t), step(self, frame))[1])
    states: list[tuple[float, str, float]] = []  # (time, state, score) on every change
    monitor.board.listeners.append(
        lambda s: states.append((monitor.feed.clock.t, s.state, s.score or 0.0)))
    read: list[tuple[float, bool]] = []  # (time, window shown) of every frame read
    original = monitor._step
    monitor._step = lambda frame: (read.append((frame.t, monitor.showing)), original(frame))[1]
    pictures: list[float] = []

    def steps(front) -> list[Step]:
        shown = monitor.show_picture
        monitor.show_picture = lambda image: (pictures.append(monitor.feed.clock.t),
                                              shown(image))[1]
        return [(lambda: monitor.feed.clock.t > 1.0, front.show_window),
                (lambda: monitor.feed.clock.t > 85.0, front.window.close),
                (lambda: monitor.feed.ended or monitor.feed.clock.t > 99.0,
                 lambda: monitor.post("quit"))]

    run_front(qt_app, monitor, steps)
    shown = [t for t in pictures if 5.0 <= t < 80.0]
    assert len(shown) / 75.0 >= 10.0  # the window at display rate
    assert len(shown) / 75.0 <= DISPLAY_FPS + 0.5
    looked = [t for t in analysed if 5.0 <= t < 80.0]
    assert len(looked) / 75.0 <= 5.5 and len(looked) < len(shown) / 2  # the model's own rate
    hidden = [t for t, showing in read if t > 87.0 and not showing]
    assert hidden and len(hidden) == len([t for t in analysed if t > 87.0])  # only its frames
    good_again = next(t for t, state, _ in states if t >= upright - 1.0 and state == "good")
    assert good_again - upright <= 2.0
    score = next(score for t, state, score in states if t == good_again)
    assert score >= 40.0  # the score is still high: the state follows the posture, not it
