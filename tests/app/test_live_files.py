"""`posture run` over video files, headless: the history and report it writes, a demo run
that records nothing, SIGTERM, a display it cannot open, away and breaks, a moved camera."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from fixtures.make_fixtures import make_sample
from posture.app.cli import main
from posture.app.live import monitor as monitor_module
from posture.app.live import watch
from posture.app.live.monitor import LiveMonitor, Options
from posture.core.pipeline import FrameResult
from posture.core.pose import Pose
from posture.io.profiles import profile_path
from posture.io.settings import Settings, apply_overrides
from posture.io.sources import Frame, FrameSource, open_source
from tests.app.live_helpers import (
    BROKEN,
    SAMPLE,
    TIMELINE,
    calibrate_on_sample,
    history_db,
    run_cli,
)
from tests.conftest import REPO


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


def test_sigterm_mid_run_saves_the_session(tmp_path):
    home = tmp_path / "home"
    clip = make_sample(tmp_path / "clip.mp4", TIMELINE)
    assert run_cli(["calibrate", "--source", str(SAMPLE), "--seconds", "6",
                    "--profile", "default"], home,
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
    time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)  # as `timeout` does: a second one while it saves
    rest = proc.stderr.read()
    assert proc.wait(timeout=30) == 0
    assert "session saved" in rest and "Traceback" not in rest
    assert rest.strip().splitlines()[-1].endswith("stopped; session saved")
    db = sqlite3.connect(history_db(home))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    (ended,), = db.execute("SELECT ended FROM sessions").fetchall()
    assert ended is not None
    assert db.execute("SELECT SUM(monitored_s) FROM minutes").fetchone()[0] > 1.0


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
