"""Stopping commands with Ctrl+C, and a home folder that cannot be written, on real processes:
one last line says what was kept, and nothing kept is damaged."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import pytest

from fixtures.make_fixtures import make_sample
from posture.core.profile import Profile
from posture.io.profiles import save_profile
from tests.conftest import REPO

LONG = [(0.0, 0.0), (120.0, 0.0)]  # two minutes of sitting well: longer than any test waits


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory) -> Path:
    return make_sample(tmp_path_factory.mktemp("clips") / "long.mp4", LONG)


def start(args: list[str], home: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["POSTURE_HOME"] = str(home)
    return subprocess.Popen([sys.executable, "-m", "posture.app.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def interrupt_when(proc: subprocess.Popen, ready: Callable[[], bool]) -> tuple[int, list[str]]:
    """Send SIGINT (Ctrl+C) once `ready()` holds; the exit code and the lines on stderr."""
    deadline = time.monotonic() + 120
    while not ready():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "never got ready"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    return proc.returncode, err.strip().splitlines()


def lines_in(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def reading(proc: subprocess.Popen, path: Path) -> bool:
    """Whether the process has `path` open (it is reading it now)."""
    fds = Path(f"/proc/{proc.pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fds.iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_ctrl_c_in_analyze_says_what_its_outputs_hold(tmp_path, long_clip):
    out, video = tmp_path / "out.jsonl", tmp_path / "out.mp4"
    proc = start(["analyze", str(long_clip), "--fps", "5", "--jsonl", str(out), "--annotate",
                  str(video)], tmp_path / "home")
    code, err = interrupt_when(proc, lambda: lines_in(out) >= 10)
    assert code == 130
    last = re.fullmatch(r"posture: stopped: (\d+) frames analysed, up to ([\d.]+) s into the "
                        rf"source: (\d+) frames written to {re.escape(str(out))}; the annotated "
                        rf"video {re.escape(str(video))} up to there", err[-1])
    assert last, err
    written = [json.loads(line) for line in out.read_text().splitlines()]  # every line whole
    assert len(written) == int(last[3]) == int(last[1]) >= 10
    assert written[-1]["t"] == pytest.approx(float(last[2]), abs=0.05)
    assert float(last[2]) < LONG[-1][0]  # stopped before the end
    capture = cv2.VideoCapture(str(video))
    assert capture.read()[0]  # the video up to there plays
    capture.release()


def test_ctrl_c_in_calibrate_leaves_the_profile_as_it_was(tmp_path, long_clip):
    home = tmp_path / "home"
    profile = home / "data" / "profiles" / "mine.json"
    save_profile(Profile.defaults(), profile)
    before = profile.read_bytes()
    proc = start(["calibrate", "--source", str(long_clip), "--seconds", "100", "--profile",
                  "mine"], home)
    code, err = interrupt_when(proc, lambda: reading(proc, long_clip))
    assert code == 130
    assert err[-1] == ("posture: stopped: calibration not finished: the profile "
                       f"{profile} is not changed")
    assert profile.read_bytes() == before
    assert sorted(p.name for p in profile.parent.iterdir()) == ["mine.json"]


def test_ctrl_c_in_stretch_says_it_was_not_recorded(tmp_path, long_clip):
    out = tmp_path / "stretch.jsonl"
    proc = start(["stretch", "chin_tuck", "--source", str(long_clip), "--mute", "--jsonl",
                  str(out)], tmp_path / "home")
    code, err = interrupt_when(proc, lambda: lines_in(out) >= 10)
    assert code == 130
    last = re.fullmatch(r"posture: stopped: the stretch was not finished, so it is not in the "
                        rf"history; (\d+) frames written to {re.escape(str(out))}", err[-1])
    assert last and int(last[1]) == lines_in(out) >= 10, err
    history = tmp_path / "home" / "data" / "history.sqlite3"
    assert not history.exists() or sqlite3.connect(history).execute(
        "SELECT count(*) FROM sessions").fetchone() == (0,)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to run as another user")
def test_a_read_only_home_is_said_at_the_end_of_the_run():
    """Run as an ordinary user (nobody) whose POSTURE_HOME is a folder it may read but not
    write: the run works, warns once at the start, and its last line says the session was not
    saved and how to fix that."""
    with tempfile.TemporaryDirectory() as shared:
        root = Path(shared)
        root.chmod(0o755)
        clip = make_sample(root / "clip.mp4", [(0.0, 0.0), (20.0, 0.0)])
        home = root / "home"
        (home / "config").mkdir(parents=True)  # read-only for nobody: only the root owns it
        (root / "mpl").mkdir(mode=0o777)
        (root / "mpl").chmod(0o777)
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(POSTURE_HOME=str(home), MPLCONFIGDIR=str(root / "mpl"), HOME=str(root))
        proc = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
             "-m", "posture.app.cli", "run", "--source", str(clip), "--no-window", "--speed",
             "10", "--record"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        err = proc.stderr.strip().splitlines()
        db = home / "data" / "history.sqlite3"
        assert sum("cannot write" in line for line in err) == 2  # at the start, and at the end
        assert err[-1].startswith(f"posture: the session was not saved: cannot write {db}")
        assert err[-1].endswith("check that its folder is writable and the disk not full, or "
                                "set POSTURE_HOME to a writable folder")
        assert not (home / "data").exists()
