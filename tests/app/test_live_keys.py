"""Keys and pauses in `posture run`: s leads a stretch, p pauses on one clock, the terminal's
keys (and the terminal restored afterwards), the console's status line."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import termios
import time

import numpy as np
import pytest

from posture.app.live.monitor import LiveMonitor, Options
from posture.io.console import Console
from posture.io.profiles import profile_path
from tests.app.live_helpers import (
    HEADLESS,
    SAMPLE,
    Keyboard,
    Script,
    calibrate_on_sample,
    history_db,
    run_cli,
    watch_steps,
)
from tests.conftest import REPO


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


def take_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is stdin (the pty)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.mark.parametrize("ending", ["q", "SIGTERM"])
def test_headless_keys_come_from_the_terminal_which_is_restored(tmp_path, ending):
    home = tmp_path / "home"
    assert run_cli(["calibrate", "--source", str(SAMPLE), "--seconds", "6",
                    "--profile", "default"], home,
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
        wait_for("paused: by you: resumes when you press p")
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
