"""One monitor at a time, steered by other programs: a real `posture run` over a video file in
a process of its own, driven by the real `posture status`, `pause`, `resume`, `show` and
`quit` commands over its control socket, headless and on a desktop with a tray."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from fixtures.make_fixtures import make_sample
from tests import desktop
from tests.conftest import REPO, SAMPLE


def environment(home: Path, display: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env["POSTURE_HOME"] = str(home)
    if display is not None:
        env["DISPLAY"] = display
    return env


def posture(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "posture", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def status(env: dict[str, str]) -> dict | None:
    """The running monitor's status, None while none answers."""
    done = posture(env, "status", "--json")
    return json.loads(done.stdout) if done.returncode == 0 else None


def one_line(done: subprocess.CompletedProcess, text: str) -> None:
    """Exit 2 with one line on stderr saying `text`, and no traceback."""
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], done.stderr


class Running:
    """`posture run` over a clip in its own process (with `flags`), started calibrated."""

    def __init__(self, env: dict[str, str], clip: Path,
                 flags: tuple[str, ...] = ("--record",)) -> None:
        assert posture(env, "calibrate", "--source", str(SAMPLE), "--seconds", "6",
                       "--profile", "default",
                       timeout=120).returncode == 0
        self.env = env
        self.log = Path(env["POSTURE_HOME"]) / "run.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "posture", "run", "--source",
                                      str(clip), "--profile", "default", *flags],
                                     env=env, cwd=REPO,
                                     stderr=self.log.open("w"), stdout=subprocess.DEVNULL)

    def wait_monitoring(self) -> dict:
        found = desktop.wait_for(lambda: (s := status(self.env)) and s["score"] is not None
                                 and s, timeout=90, step=0.3)
        assert found, self.log.read_text()
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def clip(tmp_path) -> Path:
    return make_sample(tmp_path / "long.mp4", [(0.0, 0.0), (300.0, 0.0)])


def test_control_commands_steer_a_headless_monitor(tmp_path, clip):
    env = environment(tmp_path / "home")
    one_line(posture(env, "status"), "no posture monitor is running")
    one_line(posture(env, "quit"), "no posture monitor is running")
    one_line(posture(env, "pause", ""), "is not a duration")
    run = Running(env, clip)
    try:
        first = run.wait_monitoring()
        assert first["state"] in ("good", "slipping", "slouched")
        assert first["paused"] is False and first["tray"] is False and first["window"] is False
        assert first["pauses"] == []
        assert first["pid"] == run.proc.pid
        text = posture(env, "status")
        assert text.returncode == 0 and text.stdout.startswith("posture: ")
        assert len(text.stdout.splitlines()) == 1

        one_line(posture(env, "pause", "5x"), "is not a duration")
        asked = time.time()
        done = posture(env, "pause", "10m")
        assert done.returncode == 0 and "paused until" in done.stdout
        paused = desktop.wait_for(lambda: (s := status(env)) and s["paused"] and s, step=0.2)
        assert paused["state"] == "paused" and paused["paused"]["reason"] == "user"
        assert paused["paused"]["until"] == pytest.approx(asked + 600, abs=5)
        assert paused["pauses"] == [paused["paused"]]
        assert posture(env, "status").stdout.startswith("posture: paused: by you until ")
        assert posture(env, "resume").stdout.strip() == "resumed"
        assert desktop.wait_for(lambda: (s := status(env)) and s["paused"] is False, step=0.2)
        assert posture(env, "resume").stdout.strip() == "not paused"
        assert posture(env, "pause").returncode == 0  # until resumed
        assert desktop.wait_for(lambda: (s := status(env)) and s["paused"]
                                and s["paused"]["until"] is None, step=0.2)
        posture(env, "resume")

        one_line(posture(env, "show"), "runs headless, no display (DISPLAY is not set)")
        second = subprocess.run([sys.executable, "-m", "posture", "run", "--source", str(clip)],
                                env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
        one_line(second, "already running")
        assert run.proc.poll() is None and status(env)["pid"] == run.proc.pid  # untouched

        socket_file = Path(env["POSTURE_HOME"]) / "run" / "control.sock"
        assert stat.S_IMODE(socket_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(socket_file.parent.stat().st_mode) == 0o700

        done = posture(env, "quit")  # answers once the session is closed and the lock free
        assert (done.returncode, done.stdout) == (0, "the monitor stopped: session saved\n")
        second = posture(env, "status")
        one_line(second, "no posture monitor is running")
        assert run.proc.wait(timeout=60) == 0
        log = run.log.read_text()
        assert "session saved" in log and "Traceback" not in log
        db = sqlite3.connect(Path(env["POSTURE_HOME"]) / "data" / "history.sqlite3")
        (ended,), = db.execute("SELECT ended FROM sessions").fetchall()
        assert ended is not None
        one_line(posture(env, "status"), "no posture monitor is running")
        assert not socket_file.exists()
    finally:
        run.stop()


def test_a_monitor_killed_hard_leaves_nothing_in_the_way(tmp_path, clip):
    env = environment(tmp_path / "home")
    run = Running(env, clip)
    try:
        run.wait_monitoring()
        run.proc.kill()  # no chance to clean up: the socket file stays behind
        run.proc.wait()
        one_line(posture(env, "status"), "no posture monitor is running")
        again = Running(env, clip)
        try:
            assert again.wait_monitoring()["pid"] == again.proc.pid
        finally:
            again.stop()
    finally:
        run.stop()


@pytest.mark.skipif(os.getuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to try the socket as another user")
def test_another_user_cannot_open_the_socket(clip):
    # A home other users can walk to, so only posture's own permissions stand in the way.
    home = Path(tempfile.mkdtemp(prefix="posture-perm-", dir="/tmp"))
    home.chmod(0o755)
    env = environment(home / "home")
    run = Running(env, clip)
    connect = ("import socket, sys\ns = socket.socket(socket.AF_UNIX)\n"
               "try:\n    s.connect(sys.argv[1]); print('connected')\n"
               "except OSError as e:\n    print(type(e).__name__)")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
              "-c", connect]
    try:
        run.wait_monitoring()
        (home / "home").chmod(0o755)
        socket_file = home / "home" / "run" / "control.sock"
        tried = subprocess.run([*nobody, str(socket_file)], capture_output=True, text=True)
        assert tried.stdout.strip() == "PermissionError"
        socket_file.parent.chmod(0o755)  # the folder opened up: the socket's own mode holds
        tried = subprocess.run([*nobody, str(socket_file)], capture_output=True, text=True)
        assert tried.stdout.strip() == "PermissionError"
        socket_file.chmod(0o777)  # and with that gone too, the other user gets in
        tried = subprocess.run([*nobody, str(socket_file)], capture_output=True, text=True)
        assert tried.stdout.strip() == "connected"
        socket_file.parent.chmod(0o700)
        posture(env, "quit")
        assert run.proc.wait(timeout=60) == 0
    finally:
        run.stop()
        shutil.rmtree(home, ignore_errors=True)


def test_control_commands_on_a_desktop_with_a_tray(tmp_path, clip, tray_display):
    env = environment(tmp_path / "home", tray_display)
    run = Running(env, clip)
    try:
        first = run.wait_monitoring()
        assert desktop.wait_for(lambda: (s := status(env)) and s["tray"], step=0.3), \
            run.log.read_text()
        assert first["window"] is False  # a tray: the icon only, no window until asked
        assert not [w for w in desktop.find_windows(tray_display, "posture camera")
                    if desktop.mapped(tray_display, w)]
        assert posture(env, "show").returncode == 0
        assert desktop.wait_for(lambda: (s := status(env)) and s["window"], step=0.3)
        assert desktop.wait_for(lambda: [w for w in desktop.find_windows(tray_display,
                                                                         "posture camera")
                                         if w.width > 100 and desktop.mapped(tray_display, w)])
        done = posture(env, "quit")
        assert (done.returncode, done.stdout) == (0, "the monitor stopped: session saved\n")
        assert run.proc.wait(timeout=60) == 0
        assert "session saved" in run.log.read_text()
    finally:
        run.stop()


def test_a_display_without_a_tray_gets_the_window_fitted_to_the_screen(tmp_path, bare_display):
    from benchmarks.common import generated_clip

    big = generated_clip(tmp_path / "big.mp4", [(0.0, 0.0), (120.0, 0.0)], 5.0,
                         size=(1920, 1080))
    env = environment(tmp_path / "home", bare_display)
    run = Running(env, big)
    try:
        run.wait_monitoring()
        # No tray came: the window, after a short wait. A 1920x1080 picture on a 1280x800
        # screen: at most 80 % of it, in the picture's proportions.
        shown = desktop.wait_for(lambda: [w for w in desktop.find_windows(bare_display,
                                                                          "posture camera")
                                          if (w.width, w.height) == (1024, 576)
                                          and desktop.mapped(bare_display, w)], timeout=30)
        assert shown, run.log.read_text()
        window = shown[0]
        s = status(env)
        assert s["tray"] is False and s["window"] is True
        picture = desktop.screenshot(bare_display)[window.y:window.y + window.height,
                                                   window.x:window.x + window.width]
        assert picture.std() > 20  # the camera picture, not a blank window
        assert posture(env, "quit").returncode == 0
        assert run.proc.wait(timeout=60) == 0
    finally:
        run.stop()
