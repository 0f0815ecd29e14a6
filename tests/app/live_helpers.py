"""What the live monitor's tests share: the sample clip, headless settings, a slouching
timeline, the history file, and stand-ins for the camera and the keyboard (neither exists here)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from posture.app.cli import main
from posture.app.live.actions import key_command
from posture.app.live.monitor import LiveMonitor
from posture.io.settings import Settings, apply_overrides
from posture.io.sources import FrameSource, open_source
from tests.conftest import REPO, SAMPLE

HEADLESS = apply_overrides(Settings(), window=False)
# Upright 15 s, a minute of slouching, upright again: long enough for a prompt.
TIMELINE = [(0.0, 0.0), (15.0, 0.0), (17.0, 1.0), (77.0, 1.0), (79.0, 0.0), (100.0, 0.0)]


def history_db(home: Path) -> Path:
    return home / "data" / "history.sqlite3"


def calibrate_on_sample() -> None:
    assert main(["calibrate", "--source", str(SAMPLE), "--seconds", "6",
                 "--profile", "default"]) == 0


def run_cli(args: list[str], home: Path, display: str | None = None,
            **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "POSTURE_HOME": str(home)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    if display is not None:
        env["DISPLAY"] = display
    return subprocess.run([sys.executable, "-m", "posture.app.cli", *args], capture_output=True,
                          text=True, env=env, cwd=REPO, **kw)


class CameraReplay(FrameSource):
    """A camera (which cannot exist here) played from the sample: frames [start, start +
    count), stamped from 0 as a camera stamps them from the moment it opens; afterwards it
    stops, as an unplugged camera does (count 0: it opens but never delivers a frame)."""

    def __init__(self, start: int, count: int) -> None:
        super().__init__("camera 0", "camera", 5.0, None)
        self.start, self.count = start, count

    def __iter__(self):
        with open_source(SAMPLE) as video:
            for frame in video:
                if self.start <= frame.index < self.start + self.count:
                    yield replace(frame, t=(frame.index - self.start) / 5.0)


class Script(threading.Thread):
    """Key presses for a test (there is no keyboard): each (when, key) is pressed once
    `when(monitor)` holds, in order, from another thread as a person at the keys would."""

    def __init__(self, monitor: LiveMonitor, *presses: tuple[Callable[[LiveMonitor], bool], str]
                 ) -> None:
        super().__init__(daemon=True)
        self.monitor = monitor
        self.presses = list(presses)
        monitor.can_key = True  # the user has keys to press
        self.start()

    def run(self) -> None:
        while self.presses and not self.monitor.quit:
            if self.presses[0][0](self.monitor):
                command = key_command(self.presses.pop(0)[1])
                assert command is not None
                self.monitor.inbox.post(command)
            time.sleep(0.01)


def watch_steps(monitor: LiveMonitor) -> list[tuple[int, float]]:
    """(frame index, session time) of every frame the monitor processes, as it goes."""
    seen: list[tuple[int, float]] = []
    step = monitor._step
    monitor._step = lambda frame: (seen.append((frame.index, frame.t)), step(frame))[1]
    return seen


class Keyboard(FrameSource):
    """Plays a file (every frame) and presses keys at given frames (there is no keyboard in a
    test)."""

    def __init__(self, monitor_ref: list, keys: dict[int, str], clip: Path = SAMPLE) -> None:
        super().__init__(str(clip), "video", 5.0, None)
        self.monitor_ref, self.keys, self.clip = monitor_ref, keys, clip

    def __iter__(self):
        with open_source(self.clip) as video:
            for frame in video:
                if frame.index in self.keys:
                    self.monitor_ref[0].inbox.post(key_command(self.keys[frame.index]))
                yield frame


BROKEN = '{"format": "posture-profile", "version": 1, "view": "front", "baseline": '
