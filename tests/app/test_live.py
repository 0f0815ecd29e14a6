"""The live monitor (`posture run`) end to end, driven from video files (there is no webcam)."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from fixtures.make_fixtures import make_sample
from posture.app.cli import main
from posture.app.live import monitor as monitor_module
from posture.app.live import watch
from posture.app.live.actions import key_command
from posture.app.live.monitor import LiveMonitor, Options
from posture.core.calibration import Recording
from posture.core.errors import UserError
from posture.core.pipeline import FrameResult
from posture.core.pose import Pose
from posture.io import feed
from posture.io.console import Console
from posture.io.drawing import COLOR_BAD, COLOR_GOOD, COLOR_TEXT, COLOR_WARN
from posture.io.feed import Timeline
from posture.io.overlay import draw_caption
from posture.io.profiles import load_profile, previous_path, profile_path
from posture.io.protocol import load_protocol
from posture.io.settings import Settings, apply_overrides
from posture.io.sources import Frame, FrameSource, open_source
from tests.conftest import FIXTURES, REPO

SAMPLE = FIXTURES / "sample_desk.mp4"
STATE_COLORS = (COLOR_GOOD, COLOR_WARN, COLOR_BAD)
# Upright 15 s, a minute of slouching, upright again: long enough for a prompt.
HEADLESS = apply_overrides(Settings(), window=False)
TIMELINE = [(0.0, 0.0), (15.0, 0.0), (17.0, 1.0), (77.0, 1.0), (79.0, 0.0), (100.0, 0.0)]


def history_db(home: Path) -> Path:
    return home / "data" / "history.sqlite3"


def calibrate_on_sample() -> None:
    assert main(["calibrate", "--source", str(SAMPLE), "--seconds", "6"]) == 0


def run_cli(args: list[str], home: Path, display: str | None = None,
            **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "POSTURE_HOME": str(home)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    if display is not None:
        env["DISPLAY"] = display
    return subprocess.run([sys.executable, "-m", "posture.app.cli", *args], capture_output=True,
                          text=True, env=env, cwd=REPO, **kw)


def test_headless_over_a_file_writes_history_and_a_report(tmp_path, posture_home, capsys):
    clip = make_sample(tmp_path / "clip.mp4", TIMELINE)
    calibrate_on_sample()
    assert main(["run", "--source", str(clip), "--no-window", "--speed", "20", "--record",
                 "--profile", "default"]) == 0
    err = capsys.readouterr().err
    # The console's words are the window's, the tray's and posture status's: a slouch is
    # "slipping" until the score reaches the threshold.
    lines = [line for line in err.splitlines() if ", score " in line]
    assert "Good posture" in lines[0] and "Posture slipping" in err
    assert err.index("Posture slipping") < err.index("Slouching - sit up")
    db = sqlite3.connect(history_db(posture_home))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    (started, ended), = db.execute("SELECT started, ended FROM sessions").fetchall()
    # 100 s of video played in 5 s: placed so that it ends when it was played, not later.
    assert datetime.fromisoformat(ended).timestamp() <= time.time()
    assert datetime.fromisoformat(started).timestamp() < time.time() - 90
    monitored = db.execute("SELECT SUM(monitored_s), SUM(slouched_s) FROM minutes").fetchone()
    assert monitored[0] == pytest.approx(100, abs=3) and monitored[1] > 30
    prompts = db.execute("SELECT kind, text FROM prompts").fetchall()
    assert len(prompts) == 1 and prompts[0][0] == "posture"
    assert main(["report", "--json", "--out", str(tmp_path / "day.png")]) == 0
    days = json.loads(capsys.readouterr().out)["days"]
    assert sum(d["prompts"] for d in days) == 1 and (tmp_path / "day.png").stat().st_size > 1000


def test_a_file_run_is_a_demo_recording_nothing_and_saving_no_profile(posture_home, capsys):
    """Without --record and --profile, a file calibrates on its first seconds for that run
    only: no history, no profile, and the user's own profile is neither used nor replaced."""
    mine = profile_path(None)
    mine.parent.mkdir(parents=True)
    mine.write_text(BROKEN)  # a profile the demo must not read, let alone replace
    assert main(["run", "--source", str(SAMPLE), "--no-window", "--speed", "10"]) == 0
    err = capsys.readouterr().err
    assert "for this run only" in err and "Recording" in err and "Posture slipping (slouch)" in err
    assert "not recorded in the history" in err and "--record" in err
    assert mine.read_text() == BROKEN and sorted(mine.parent.iterdir()) == [mine]
    assert not history_db(posture_home).exists()
    assert main(["report", "--json"]) == 0
    assert all(d["monitored_s"] == 0 for d in json.loads(capsys.readouterr().out)["days"])


def test_a_settled_ten_minutes_are_recorded_as_ten_minutes(tmp_path, posture_home, capsys):
    """Ten minutes of sitting well, run with --record at the adaptive rate (one frame every
    3 s once settled): the history and the report hold 600 s, not the 406 a 2 s cap gave."""
    clip = make_sample(tmp_path / "long.mp4", [(0.0, 0.0), (600.0, 0.0)], fps=2)
    assert main(["calibrate", "--source", str(clip), "--seconds", "5", "--profile", "long"]) == 0
    seen = []
    original = monitor_module.LiveMonitor._step
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(monitor_module.LiveMonitor, "_step",
                   lambda self, frame: (seen.append(frame.t), original(self, frame))[1])
        assert main(["run", "--source", str(clip), "--no-window", "--speed", "100", "--record",
                     "--profile", "long"]) == 0
    assert np.median(np.diff(seen)) == pytest.approx(3.0)  # mostly settled
    capsys.readouterr()
    assert main(["report", "--json"]) == 0
    days = json.loads(capsys.readouterr().out)["days"]
    assert sum(d["monitored_s"] for d in days) == pytest.approx(600, abs=3)
    assert sum(d["good_s"] for d in days) == pytest.approx(600, abs=3)


def test_first_run_starts_the_guided_calibration(posture_home, capsys):
    assert not profile_path("guided").exists()
    assert main(["run", "--source", str(SAMPLE), "--no-window", "--speed", "10",
                 "--profile", "guided"]) == 0
    err = capsys.readouterr().err
    assert "guided calibration" in err and "Recording" in err
    assert "not medical advice" in err and "needs a doctor" in err  # said on first use
    guided = load_profile(profile_path("guided"))
    # From a file the recording starts at once, on the sample's upright first seconds (the
    # camera protocol's 9 s of instructions would have recorded its slouch from 10 s on).
    assert main(["calibrate", "--source", str(SAMPLE), "--seconds", "5",
                 "--profile", "upright"]) == 0
    upright = load_profile(profile_path("upright"))
    for name, base in upright.baseline.items():
        assert abs(guided.baseline[name].centre - base.centre) <= 2 * base.spread + 1e-3, name


def test_no_camera_exits_2_with_one_line(tmp_path):
    proc = run_cli(["run", "--source", "9", "--no-window"], tmp_path / "home", timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "camera 9 could not be opened" in lines[0]
    assert not (tmp_path / "home" / "data").exists()  # no data folders for a run that never ran
    assert "Traceback" not in proc.stderr


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


def test_sigterm_mid_run_saves_the_session(tmp_path):
    home = tmp_path / "home"
    clip = make_sample(tmp_path / "clip.mp4", TIMELINE)
    assert run_cli(["calibrate", "--source", str(SAMPLE), "--seconds", "6"], home,
                   timeout=120).returncode == 0
    env = {**os.environ, "POSTURE_HOME": str(home)}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen([sys.executable, "-m", "posture.app.cli", "run", "--source", str(clip),
                             "--no-window", "--record", "--profile", "default"], cwd=REPO,
                            env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until it is monitoring
        if "score" in line:
            break
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    assert proc.wait(timeout=30) == 0
    assert "session saved" in rest and "Traceback" not in rest
    db = sqlite3.connect(history_db(home))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    (ended,), = db.execute("SELECT ended FROM sessions").fetchall()
    assert ended is not None
    assert db.execute("SELECT SUM(monitored_s) FROM minutes").fetchone()[0] > 1.0


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


def test_s_leads_a_stretch_and_s_again_stops_it(posture_home, capsys):
    calibrate_on_sample()
    ref: list = []
    options = Options(source=str(SAMPLE), profile_path=profile_path(None), speed=50.0)
    monitor = LiveMonitor(HEADLESS, options,
                          opener=lambda spec: Keyboard(ref, {60: "s", 100: "s"}))
    ref.append(monitor)
    seen = []
    original = monitor._stretch
    monitor._stretch = lambda frame: (seen.append(frame.index), original(frame))[1]
    assert monitor.run() == 0
    err = capsys.readouterr().err
    assert "stretch:" in err and "stretch stopped" in err
    assert seen[0] == 60 and seen[-1] == 99  # frames 60-99 went to the guided stretch


def test_c_runs_the_intro_and_countdown_from_a_file_too(tmp_path, posture_home, capsys,
                                                        monkeypatch):
    """c pressed mid-slouch in a file: the intro and the countdown come first (in the file's
    time), so the recording starts once the sitter has sat up, and the new profile is the
    upright one; recording at once would have kept the slouch as good."""
    clip = make_sample(tmp_path / "c.mp4", [(0.0, 0.0), (15.0, 0.0), (17.0, 1.0), (30.0, 1.0),
                                            (32.0, 0.0), (50.0, 0.0)], fps=2)
    assert main(["calibrate", "--source", str(clip), "--seconds", "5", "--profile", "mine"]) == 0
    upright = load_profile(profile_path("mine"))
    first = profile_path("mine").read_bytes()
    ref: list = []
    settings = apply_overrides(Settings(), window=False, enabled=False)
    monitor = LiveMonitor(settings, Options(str(clip), profile_path("mine"), speed=50.0,
                                            record=False),
                          opener=lambda spec: Keyboard(ref, {50: "c"}, clip))  # at 25 s
    ref.append(monitor)
    recorded: list[float] = []  # the times of the frames the calibration recorded
    add = Recording.add
    monkeypatch.setattr(Recording, "add",
                        lambda self, pose, t: (recorded.append(t), add(self, pose, t))[1])
    capsys.readouterr()
    assert monitor.run() == 0
    err = capsys.readouterr().err
    again = err[err.index("calibrating again"):]
    intro, countdown = (step.say for step in load_protocol().steps[:2])
    assert again.index(intro) < again.index(countdown) < again.index("Recording")
    assert recorded and recorded[0] >= 25.0 + 9.0 - 0.5  # after 6 s of intro and 3 of countdown
    again_profile = load_profile(profile_path("mine"))
    # c keeps the profile it replaced, for posture calibrate --restore mine.
    assert previous_path(profile_path("mine")).read_bytes() == first != \
        profile_path("mine").read_bytes()
    for name, base in upright.baseline.items():
        spread = max(base.spread, 0.01)
        assert abs(again_profile.baseline[name].centre - base.centre) <= 3 * spread, name


def test_pause_keeps_one_clock_and_a_file_resumes_where_it_stopped(posture_home, capsys):
    calibrate_on_sample()
    paused: list[float] = []

    def paused_a_while(m: LiveMonitor) -> bool:
        if m.paused and not paused:
            paused.append(time.monotonic())
        return bool(paused) and time.monotonic() - paused[0] >= 1.5

    monitor = LiveMonitor(HEADLESS, Options(str(SAMPLE), profile_path(None), speed=10.0))
    seen = watch_steps(monitor)
    Script(monitor, (lambda m: len(seen) == 20, "p"), (paused_a_while, "p"))
    assert monitor.run() == 0
    err = capsys.readouterr().err
    assert "paused" in err and "resumed" in err
    indexes, times = [i for i, _ in seen], [t for _, t in seen]
    assert indexes == sorted(set(indexes))  # nothing replayed: it went on from frame 20
    assert indexes[-1] >= 145  # ...to the end of the file
    gaps = np.diff(times)
    assert gaps.min() > 0 and gaps[19] >= 1.5  # the pause is on the clock
    assert np.delete(gaps, 19).max() < 1.5
    # The file's 30 s were monitored (up to its last frame taken, at 29 s or later); the
    # pause, though on the clock, was not.
    db = sqlite3.connect(history_db(posture_home))
    assert 28.9 <= db.execute("SELECT SUM(monitored_s) FROM minutes").fetchone()[0] <= 30.0


def test_paused_waits_for_commands_instead_of_spinning(posture_home):
    calibrate_on_sample()
    monitor = LiveMonitor(HEADLESS, Options(str(SAMPLE), profile_path(None)))
    looks: list[tuple[float, bool]] = []  # (seconds waited for, paused?) of each look
    take = monitor.inbox.take
    monitor.inbox.take = lambda timeout: (looks.append((timeout, monitor.paused)),
                                          take(timeout))[1]
    seen = watch_steps(monitor)
    paused_at: list[float] = []

    def paused_two_seconds(m: LiveMonitor) -> bool:
        if m.paused and not paused_at:
            paused_at.append(time.monotonic())
        return bool(paused_at) and time.monotonic() - paused_at[0] >= 2.0

    Script(monitor, (lambda m: len(seen) == 10, "p"), (paused_two_seconds, "q"))
    assert monitor.run() == 0
    waits = [timeout for timeout, paused in looks if paused and timeout > 0]
    # Paused with no end: one blocking wait for the next command, not a poll every few ms.
    assert len(waits) <= 2 and min(waits) >= 30.0


def test_an_unreachable_display_falls_back_to_headless(tmp_path):
    home = tmp_path / "home"
    clip = make_sample(tmp_path / "clip.mp4", [(0.0, 0.0), (12.0, 0.0)])
    proc = run_cli(["run", "--source", str(clip), "--speed", "4", "--record"], home,
                   display=":97", timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    headless = [i for i, line in enumerate(lines) if "running headless" in line]
    assert len(headless) == 1 and "cannot open a window on display :97" in lines[headless[0]]
    assert headless[0] < min(i for i, line in enumerate(lines) if "calibrating" in line)
    db = sqlite3.connect(history_db(home))
    assert db.execute("SELECT SUM(monitored_s) FROM minutes").fetchone()[0] > 3


class Spliced(FrameSource):
    """A video at 5 fps from pieces: ("sample", first, last) plays those sample frames,
    ("empty", seconds) shows an empty room for that long."""

    def __init__(self, *pieces: tuple) -> None:
        super().__init__(str(SAMPLE), "video", 5.0, None)
        self.pieces = pieces

    def __iter__(self):
        with open_source(SAMPLE) as video:
            sample = [frame.image for frame in video]
        room = np.full_like(sample[0], 200)
        images = []
        for piece in self.pieces:
            if piece[0] == "sample":
                images += sample[piece[1]:piece[2]]
            else:
                images += [room] * round(piece[1] * 5)
        for index, image in enumerate(images):
            yield Frame(t=index / 5.0, index=index, image=image)


def test_away_waits_for_away_after_s_and_a_break_at_the_end_is_saved(posture_home, capsys):
    calibrate_on_sample()
    settings = apply_overrides(Settings(), window=False, away_after_s=2.0, break_min_away_s=10.0,
                               enabled=False)
    source = Spliced(("sample", 0, 40), ("empty", 0.2), ("sample", 40, 60), ("empty", 15.0))
    monitor = LiveMonitor(settings, Options(str(SAMPLE), profile_path(None), speed=20.0),
                          opener=lambda spec: source)
    voices = []
    step = monitor._step
    monitor._step = lambda frame: (voices.append(monitor.voice), step(frame))[1]
    assert monitor.run() == 0
    err = capsys.readouterr().err
    # One missed frame is not "away"; 15 s with nobody is, and it is a break.
    statuses = [line for line in err.splitlines() if line.startswith("posture: No one in view")]
    assert len(statuses) == 1
    db = sqlite3.connect(history_db(posture_home))
    (started, ended), = db.execute("SELECT started, ended FROM breaks").fetchall()
    assert ended - started == pytest.approx(15.0, abs=0.5)
    # voice.enabled = false: no speech engine at all.
    assert voices and set(voices) == {None}
    assert "audio player" not in err and "speech" not in err


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


def test_a_moved_camera_is_said_per_episode_and_not_recorded_as_slouching(
        tmp_path, posture_home, capsys, monkeypatch):
    calibrate_on_sample()
    clip = make_sample(tmp_path / "clip.mp4", [(0.0, 0.0), (6.0, 0.0), (8.0, 1.0), (40.0, 1.0)])
    moved = [range(50, 120), range(140, 170)]  # two episodes, in frames (5 a second)

    class MovingPipeline(watch.Pipeline):
        """The real pipeline, but its camera-moved signal is on for the frames in `moved`
        (making a real camera move on synthetic footage is beyond the metrics' tests here)."""

        def step(self, t: float, index: int, pose: Pose | None) -> FrameResult:
            result = super().step(t, index, pose)
            return replace(result, camera_moved=any(index in r for r in moved))

    monkeypatch.setattr(watch, "Pipeline", MovingPipeline)
    settings = apply_overrides(Settings(), window=False, enabled=False, fps=5.0)
    monitor = LiveMonitor(settings, Options(str(clip), profile_path(None), speed=20.0))
    assert monitor.run() == 0
    err = capsys.readouterr().err
    assert "camera moved: recalibrate" in err
    assert err.count("Everything looks shifted") == 2  # said again for the second episode
    assert "press" not in err.lower()  # headless without a terminal: no keys to press
    db = sqlite3.connect(history_db(posture_home))
    notices = db.execute("SELECT kind FROM prompts WHERE kind = 'camera_moved'").fetchall()
    assert len(notices) == 2
    # 32 s of slouching, of which 20 s with the camera moved: only the rest is slouching.
    slouched = db.execute("SELECT SUM(slouched_s) FROM minutes").fetchone()[0]
    assert 8 < slouched < 16


BROKEN = '{"format": "posture-profile", "version": 1, "view": "front", "baseline": '


def test_a_broken_profile_stops_a_file_run_and_is_left_alone(tmp_path):
    home = tmp_path / "home"
    path = home / "data" / "profiles" / "default.json"
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    proc = run_cli(["run", "--source", str(SAMPLE), "--no-window", "--profile", "default"], home,
                   timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "is corrupt" in lines[0] and "Traceback" not in proc.stderr
    assert path.read_text() == BROKEN and sorted(path.parent.iterdir()) == [path]


def test_a_broken_profile_at_a_camera_without_keys_exits_2(posture_home):
    path = profile_path(None)
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    monitor = LiveMonitor(HEADLESS, Options("0", path), opener=lambda spec: CameraReplay(0, 10))
    with pytest.raises(UserError, match="is corrupt"):
        monitor.run()
    assert path.read_text() == BROKEN


def test_a_broken_profile_at_a_camera_is_recalibrated_on_c(posture_home, capsys):
    path = profile_path(None)
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    opened: list[str] = []

    def opener(spec: str) -> FrameSource:
        if opened:  # the camera went away after the calibration: the user stops
            raise KeyboardInterrupt
        opened.append(spec)
        return CameraReplay(0, 150)

    monitor = LiveMonitor(HEADLESS, Options("0", path), opener=opener)
    Script(monitor, (lambda m: bool(m.notice), "c"))  # c, as soon as the question is asked
    assert monitor.run() == 0
    err = capsys.readouterr().err
    assert "is corrupt" in err and "press c to calibrate now" in err
    assert path.with_name("default.json.bad").read_text() == BROKEN
    assert load_profile(path).frames >= 5  # the guided calibration made a new one


def test_the_first_calibration_instruction_fits_a_640x480_frame():
    text = load_protocol().steps[0].show + " (6 s)"
    picture = draw_caption(np.zeros((480, 640, 3), np.uint8), text)
    ys, xs = np.nonzero(np.all(picture == COLOR_TEXT, axis=2))
    assert xs.min() >= 8 and xs.max() <= 631  # nothing cut off at either side...
    assert np.ptp(ys) > 40  # ...because it was wrapped onto a second line


def take_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is stdin (the pty)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.mark.parametrize("ending", ["q", "SIGTERM"])
def test_headless_keys_come_from_the_terminal_which_is_restored(tmp_path, ending):
    home = tmp_path / "home"
    assert run_cli(["calibrate", "--source", str(SAMPLE), "--seconds", "6"], home,
                   timeout=120).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["POSTURE_HOME"] = str(home)
    master, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "posture.app.cli", "run", "--source",
                             str(SAMPLE), "--no-window", "--record", "--profile", "default"],
                            cwd=REPO, env=env, stdin=terminal,
                            stderr=subprocess.PIPE, text=True, preexec_fn=take_terminal)
    assert proc.stderr is not None
    try:
        lines = iter(proc.stderr)

        def wait_for(text: str) -> None:
            for line in lines:
                if text in line:
                    return
            pytest.fail(f"never said {text!r}")

        wait_for("score")
        assert not termios.tcgetattr(terminal)[3] & termios.ICANON  # cbreak: single keys
        os.write(master, b"p")
        wait_for("paused: press p to resume")
        os.write(master, b"p")
        wait_for("resumed")
        if ending == "q":
            os.write(master, b"q")
        else:
            proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        assert proc.wait(timeout=30) == 0 and "Traceback" not in rest
        assert "session saved" in rest
        mode = termios.tcgetattr(terminal)[3]
        assert mode & termios.ICANON and mode & termios.ECHO  # the terminal as it was
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
        os.close(terminal)


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


class Terminal(io.StringIO):
    """What the console writes to a terminal."""

    def isatty(self) -> bool:
        return True


def test_the_status_is_one_line_rewritten_on_a_terminal_and_printed_on_change_elsewhere():
    terminal, log = Terminal(), io.StringIO()
    for out in (terminal, log):
        console = Console(out)
        console.status("good, score 3", "good")
        console.status("good, score 4", "good")
        console.say("muted")
        console.status("slouched (slouch), score 70", "slouched")
        console.close()
    assert terminal.getvalue().count("\n") == 2  # the message, and the end of the status line
    assert terminal.getvalue().endswith("posture: slouched (slouch), score 70\r\n")
    assert "\r\033[Kposture: muted\n" in terminal.getvalue()
    assert log.getvalue().splitlines() == ["posture: good, score 3", "posture: muted",
                                           "posture: slouched (slouch), score 70"]


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
