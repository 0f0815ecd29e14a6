"""The live monitor's pauses the desktop causes, at the monitor's level: work hours on an
injected wall clock, and a camera closed while paused and opened again on resume."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from fixtures.make_fixtures import make_sample
from posture.app.commands.control import describe
from posture.app.live.desktop import tooltip
from posture.app.live.monitor import LiveMonitor, Options
from posture.app.live.status import MonitorStatus
from posture.core.pauses import Pause, until_words
from posture.io.profiles import profile_path
from posture.io.schedule_settings import ScheduleSettings
from posture.io.sources import FrameSource
from tests import desktop
from tests.app.live_helpers import HEADLESS, CameraReplay, calibrate_on_sample

OFFICE = ScheduleSettings(days=("mon", "tue", "wed", "thu", "fri"), start="09:00", end="17:30")
MONDAY_EARLY = datetime(2026, 3, 2, 8, 59, 58)
MONDAY_9 = datetime(2026, 3, 2, 9, 0)
MONDAY_END = datetime(2026, 3, 2, 17, 30)
TUESDAY_9 = datetime(2026, 3, 3, 9, 0)


def steer(monitor: LiveMonitor, steps: list[Callable[[], bool]]) -> threading.Thread:
    """Run each step on a thread once the previous one returned true (each polled up to 60 s:
    a step that never holds stops the monitor, and the test's checks then fail)."""
    def run() -> None:
        for step in steps:
            if not desktop.wait_for(step, timeout=60, step=0.05):
                break
        monitor.post("quit")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_outside_work_hours_the_monitor_pauses_until_work_starts(tmp_path, posture_home, capsys):
    calibrate_on_sample()
    clip = make_sample(tmp_path / "long.mp4", [(0.0, 0.0), (120.0, 0.0)])
    clock = [MONDAY_EARLY.timestamp()]
    monitor = LiveMonitor(replace(HEADLESS, schedule=OFFICE), Options(str(clip), None),
                          wall=lambda: clock[0])
    board = monitor.board.get
    seen: list[MonitorStatus] = []

    def at(moment: datetime) -> bool:
        clock[0] = moment.timestamp()
        return True

    def paused() -> bool:
        seen.append(board())
        return board().paused is not None

    def monitoring() -> bool:
        seen.append(board())
        return board().paused is None and board().score is not None

    steer(monitor, [paused, lambda: at(MONDAY_9), monitoring, lambda: at(MONDAY_END), paused])
    assert monitor.run() == 0
    early = next(s for s in seen if s.paused is not None)
    assert early.paused == Pause("off hours", MONDAY_9.timestamp())
    assert early.state == "paused" and not early.capturing and early.score is None
    assert any(s.paused is None and s.capturing for s in seen)  # work started: monitoring
    assert board().paused == Pause("off hours", TUESDAY_9.timestamp())
    err = capsys.readouterr().err
    assert "posture: paused: outside work hours until 09:00: resumes when work starts" in err
    assert "posture: paused: outside work hours until Tue 09:00: resumes when work starts" in err
    # The tray and `posture status` say why and until when.
    assert tooltip(board(), clock[0]).startswith(
        "posture: paused: outside work hours until Tue 09:00")
    json = board().to_json()
    assert describe(json).startswith("posture: paused: outside work hours until Tue 09:00")


def test_with_no_schedule_any_hour_is_monitored(tmp_path, posture_home):
    calibrate_on_sample()
    saturday_night = datetime(2026, 3, 7, 3, 0).timestamp()
    monitor = LiveMonitor(HEADLESS, Options(str(tmp_path / "x"), None), wall=lambda: saturday_night)
    assert monitor.hours is None
    monitor._keep_hours()
    assert not monitor.paused


def test_a_desktop_pause_closes_the_camera_and_its_end_opens_it_again(posture_home, capsys):
    calibrate_on_sample()
    opened: list[CameraReplay] = []
    closed: list[CameraReplay] = []

    class Camera(CameraReplay):
        def close(self) -> None:
            closed.append(self)

    def opener(spec: str) -> FrameSource:
        opened.append(Camera(0, 150))
        return opened[-1]

    monitor = LiveMonitor(HEADLESS, Options("0", profile_path(None)), opener=opener)
    board = monitor.board.get
    call = Pause("camera in use", detail="zoom (pid 4242)")

    def take_camera() -> bool:
        monitor.post("pause", call)
        return True

    def resume(reason: str | None) -> Callable[[], bool]:
        return lambda: monitor.post("resume", reason) is None

    checks: dict[str, bool] = {}

    def note(name: str, holds: Callable[[], bool]) -> Callable[[], bool]:
        def check() -> bool:
            checks[name] = holds()
            return checks[name]
        return check

    steer(monitor, [
        lambda: board().capturing and board().score is not None, take_camera,
        note("paused and closed", lambda: board().paused == call and closed == opened[:1]
             and not board().capturing),
        resume(None),  # the user's resume does not end a call's pause...
        lambda: time.sleep(1.0) is None,  # ...however long it is given
        note("still paused", lambda: board().paused == call), resume("camera in use"),
        note("opened again", lambda: len(opened) == 2 and board().capturing),
    ])
    assert monitor.run() == 0
    assert checks == {"paused and closed": True, "still paused": True, "opened again": True}
    err = capsys.readouterr().err
    assert ("posture: paused: camera in use by zoom (pid 4242): the camera is off; resumes "
            "when the camera is free") in err


def test_every_pause_in_force_is_named_on_the_console_board_tray_window_and_status(
        posture_home, capsys):
    calibrate_on_sample()
    monitor = LiveMonitor(HEADLESS, Options("0", profile_path(None)),
                          opener=lambda spec: CameraReplay(0, 150))
    board = monitor.board.get
    call = Pause("camera in use", detail="zoom (pid 123)")
    user = Pause("user", time.time() + 1800)
    seen: dict[str, object] = {}

    def pause(*pauses: Pause) -> Callable[[], bool]:
        return lambda: all(monitor.post("pause", p) is None for p in pauses)

    def look() -> bool:
        if len(board().pauses) < 3:
            return False
        seen.update(status=board(), window=monitor._paused_text())
        return True

    steer(monitor, [lambda: board().score is not None, pause(Pause("locked"), call, user),
                    look, lambda: monitor.post("resume") is None,
                    lambda: board().pauses == (Pause("locked"), call)])
    assert monitor.run() == 0
    status = seen["status"]
    assert status.pauses == (user, Pause("locked"), call)
    until = until_words(user.until, time.time())  # ' until 17:30'
    named = f"paused: by you{until}, screen locked, camera in use by zoom (pid 123)"
    assert describe(status.to_json()).startswith(f"posture: {named}, ")
    assert status.to_json()["pauses"] == [p.to_json() for p in (user, Pause("locked"), call)]
    assert status.to_json()["paused"] == user.to_json()  # the first, as before
    assert tooltip(status, time.time()).splitlines()[0] == f"posture: {named}"
    assert seen["window"] == named
    err = capsys.readouterr().err
    assert (f"posture: {named}: the camera is off; resumes when you run posture resume and the "
            "screen is unlocked and the camera is free") in err
    # The user's resume leaves the other two, both named.
    assert ("posture: paused: screen locked, camera in use by zoom (pid 123): the camera is "
            "off; resumes when the screen is unlocked and the camera is free") in err
