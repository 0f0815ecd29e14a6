"""Prompts reach the desktop while no window shows them: a real `posture run` (headless, over a
slouching clip) notifies through a real server (dunst on a private bus), and the buttons the
user picks act on the monitor; without a server the failure is said once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from fixtures.make_fixtures import make_sample
from tests.app.test_control import environment, posture, status
from tests.conftest import REPO, SAMPLE
from tests.desktop import dunstctl, wait_for

# Upright 15 s, a minute of slouching, upright again: a prompt comes about 47 s in.
SLOUCH = [(0.0, 0.0), (15.0, 0.0), (17.0, 1.0), (77.0, 1.0), (79.0, 0.0), (100.0, 0.0)]


def start(env: dict[str, str], clip: Path, speed: str, log: Path) -> subprocess.Popen:
    assert posture(env, "calibrate", "--source", str(SAMPLE), "--seconds", "6",
                   "--profile", "default",
                   timeout=120).returncode == 0
    return subprocess.Popen([sys.executable, "-m", "posture", "run", "--source", str(clip),
                             "--profile", "default", "--record", "--speed", speed, "--mute"],
                            env=env, cwd=REPO,
                            stderr=log.open("w"), stdout=subprocess.DEVNULL)


def test_a_prompt_is_notified_and_its_buttons_act(tmp_path, dunst):
    address, dunst_env, choice = dunst
    env = {**environment(tmp_path / "home"), "DBUS_SESSION_BUS_ADDRESS": address}
    clip = make_sample(tmp_path / "slouch.mp4", SLOUCH)
    log = tmp_path / "run.log"
    run = start(env, clip, "3", log)
    try:
        assert wait_for(lambda: dunstctl(dunst_env, "count", "displayed").stdout.strip()
                        == "1", timeout=120), log.read_text()
        choice.write_text("Start stretch")
        assert dunstctl(dunst_env, "context").returncode == 0
        assert wait_for(lambda: (s := status(env)) and s["state"] == "stretching", step=0.2), \
            log.read_text()
        posture(env, "quit")
        assert run.wait(timeout=60) == 0
    finally:
        run.kill()
        run.wait()
    dunstctl(dunst_env, "close-all")
    shown = json.loads(dunstctl(dunst_env, "history").stdout)["data"][0]
    db = sqlite3.connect(tmp_path / "home" / "data" / "history.sqlite3")
    (prompt,), = db.execute("SELECT text FROM prompts WHERE kind = 'posture'").fetchall()
    assert [n["body"]["data"] for n in shown] == [prompt]  # the prompt's own words
    assert "desktop notification failed" not in log.read_text()


def test_a_notification_that_fails_is_said_once(tmp_path, session_bus):
    env = {**environment(tmp_path / "home"), "DBUS_SESSION_BUS_ADDRESS": session_bus[0]}
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[alerts]\ncooldown_s = 10\nmin_gap_s = 0\n")
    clip = make_sample(tmp_path / "slouch.mp4", SLOUCH)
    log = tmp_path / "run.log"
    run = start(env, clip, "10", log)
    assert run.wait(timeout=180) == 0
    db = sqlite3.connect(tmp_path / "home" / "data" / "history.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM prompts").fetchone()[0] >= 2
    failed = [line for line in log.read_text().splitlines()
              if "desktop notification failed" in line]
    assert len(failed) == 1 and "notification daemon" in failed[0]
