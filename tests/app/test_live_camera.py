"""`posture run` at a camera (played from the sample: there is no webcam): none there, outages
and retries on one session clock, the capture size, keys between slowly sampled frames."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from posture.app.live import monitor as monitor_module
from posture.app.live.monitor import LiveMonitor, Options
from posture.core.errors import UserError
from posture.io import feed
from posture.io.feed import Timeline
from posture.io.profiles import load_profile, profile_path
from posture.io.settings import Settings, apply_overrides
from posture.io.sources import FrameSource
from tests.app.live_helpers import (
    HEADLESS,
    SAMPLE,
    CameraReplay,
    Script,
    calibrate_on_sample,
    history_db,
    run_cli,
    watch_steps,
)


def test_no_camera_exits_2_with_one_line(tmp_path):
    proc = run_cli(["run", "--source", "9", "--no-window"], tmp_path / "home", timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "camera 9 could not be opened" in lines[0]
    assert not (tmp_path / "home" / "data").exists()  # no data folders for a run that never ran
    assert "Traceback" not in proc.stderr


def test_a_camera_that_stops_and_comes_back_is_resumed_on_the_real_clock(posture_home, capsys):
    calibrate_on_sample()
    calls: list[float] = []

    def opener(spec: str) -> FrameSource:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return CameraReplay(0, 40)
        if len(calls) == 2:
            raise UserError("camera 0 could not be opened: busy")
        if len(calls) == 3:
            return CameraReplay(40, 40)
        raise KeyboardInterrupt  # the user presses Ctrl+C while it retries again

    monitor = LiveMonitor(HEADLESS, Options(source="0", profile_path=profile_path(None)),
                          opener=opener)
    seen = watch_steps(monitor)
    assert monitor.run() == 0
    err = capsys.readouterr().err
    assert err.count("stopped delivering frames") == 2 and "the camera is back" in err
    assert "could not be saved" not in err and "session saved" in err
    assert len(calls) == 4
    # The outage (1 s back-off, a failed open, 2 s more) is on the clock at its real length.
    times = [t for _, t in seen]
    assert times == sorted(times)
    gap = times[40] - times[39]
    assert gap == pytest.approx(calls[2] - calls[1] + 1.0, abs=0.5) and gap > 2.5
    db = sqlite3.connect(history_db(posture_home))
    monitored = db.execute("SELECT SUM(monitored_s) FROM minutes").fetchone()[0]
    # Both stretches of footage (8 s each at 5 fps) were monitored, on one timeline.
    assert monitored == pytest.approx(16, abs=2.5)


def test_a_camera_that_opens_but_gives_nothing_is_retried_with_growing_delays(
        posture_home, capsys, monkeypatch):
    calibrate_on_sample()
    monkeypatch.setattr(feed, "RETRY_FIRST_S", 0.3)
    calls: list[float] = []

    def opener(spec: str) -> FrameSource:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return CameraReplay(0, 10)
        if len(calls) <= 4:
            return CameraReplay(0, 0)  # opens, then delivers nothing
        raise KeyboardInterrupt

    options = Options(source="0", profile_path=profile_path(None))
    assert LiveMonitor(HEADLESS, options, opener=opener).run() == 0
    waits = np.diff(calls[1:])
    assert waits[0] >= 0.55 and waits[1] >= 1.15 and waits[2] >= 2.35  # 0.6, 1.2, 2.4 s
    err = capsys.readouterr().err
    assert err.count("retrying") == 1  # said once for the whole outage


def test_the_session_clock_runs_on_through_pauses_and_outages():
    clock = Timeline()
    assert [clock.place(t, now=100 + t) for t in (0.0, 0.2, 0.4)] == [0.0, 0.2, 0.4]
    clock.stop(now=100.5)  # a file paused for 10 s keeps its own timestamps after it
    assert clock.place(0.6, now=110.5) == pytest.approx(10.6)
    clock.stop(now=111.0)  # a camera lost for 42 s, reopened: its stamps start at 0 again
    clock.reopened()
    assert clock.place(0.0, now=153.0) == pytest.approx(10.6 + 42.0)
    assert clock.place(0.2, now=153.2) == pytest.approx(52.8)
    clock.reopened()  # a source whose stamps run backwards never turns the clock back
    assert clock.place(-5.0, now=153.3) == pytest.approx(52.8)
    assert clock.stopped_s == pytest.approx(52.0)


def test_the_capture_size_setting_reaches_the_camera(monkeypatch):
    asked = {}

    def open_camera(spec: str, fps: float | None = None, size: tuple[int, int] = (0, 0)):
        asked.update(spec=spec, size=size)
        raise UserError("camera 0 could not be opened")

    monkeypatch.setattr(monitor_module, "open_source", open_camera)
    settings = apply_overrides(Settings(), capture_width=320, capture_height=240)
    with pytest.raises(UserError):
        LiveMonitor(settings, Options("0", profile_path(None))).run()
    assert asked == {"spec": "0", "size": (320, 240)}


def test_between_slow_frames_keys_act_at_once_and_calibration_watches_closely(posture_home,
                                                                              capsys):
    # A camera sampled once every 2 s while posture is steady: c must not wait for the next
    # frame, calibration must take frames at the active rate, and q must quit at once.
    calibrate_on_sample()
    assert load_profile(profile_path(None)).source == str(SAMPLE)
    m = replace(HEADLESS.monitor, fps_settled=0.5, fps_good=0.5, fps_bad=0.5)
    steps: list[float] = []  # real time of every frame processed
    pressed: dict[str, float] = {}

    def press(key: str, when: Callable[[], bool]) -> tuple[Callable[[LiveMonitor], bool], str]:
        def ready(monitor: LiveMonitor) -> bool:
            if when():
                pressed[key] = time.monotonic()
                return True
            return False
        return ready, key

    slow = lambda: len(steps) >= 8 and steps[-1] - steps[-2] > 1.5  # noqa: E731
    def calibrated_and_waiting() -> bool:  # monitoring again, slowly, between two frames
        return ("c" in pressed and monitor.guided is None and steps[-1] > pressed["c"]
                and slow() and time.monotonic() - steps[-1] > 0.3)

    monitor = LiveMonitor(replace(HEADLESS, monitor=m),
                          Options(source="0", profile_path=profile_path(None)),
                          opener=lambda spec: CameraReplay(0, 150))
    step = monitor._step
    monitor._step = lambda frame: (steps.append(time.monotonic()), step(frame))[1]
    Script(monitor, press("c", slow), press("q", calibrated_and_waiting))
    assert monitor.run() == 0
    assert time.monotonic() - pressed["q"] < 0.6  # acted on while waiting, not seconds later
    assert len(steps) < 150  # ...waiting for the next of the 150 frames, not for a lost camera
    after_c = [t for t in steps if pressed["c"] < t < pressed["c"] + 4.0]
    assert after_c[0] - pressed["c"] < 0.6  # calibration started without waiting 2 s
    assert np.median(np.diff(after_c)) <= 0.3  # and takes frames at the active rate (5 a second)
    # The profile made from a file was pointed out at the camera; the new one is the camera's.
    assert f"calibrated on a recording ({SAMPLE})" in capsys.readouterr().err
    assert load_profile(profile_path(None)).source == "camera"
