"""Calibration in `posture run`: the guided first run, c mid-run, broken profiles (left alone,
or recalibrated on c), the first instruction's fit."""

from __future__ import annotations

import numpy as np
import pytest

from fixtures.make_fixtures import make_sample
from posture.app.cli import main
from posture.app.live.monitor import LiveMonitor, Options
from posture.core.calibration import Recording
from posture.core.errors import UserError
from posture.io.drawing import COLOR_TEXT
from posture.io.overlay import draw_caption
from posture.io.profiles import load_profile, previous_path, profile_path
from posture.io.protocol import load_protocol
from posture.io.settings import Settings, apply_overrides
from posture.io.sources import FrameSource
from tests.app.live_helpers import (
    BROKEN,
    HEADLESS,
    SAMPLE,
    CameraReplay,
    Keyboard,
    Script,
    run_cli,
)


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
