"""A `posture run` that fails leaves nothing behind: the folders it made (config/, run/, the
home itself) while still empty, and the lock file it made, are taken away; whatever existed
before, and anything holding user data, is kept. Real `posture run` processes on temporary
homes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.app.live_helpers import run_cli
from tests.app.test_control import one_line
from tests.conftest import REPO


def tree(folder: Path) -> dict[str, int]:
    """Every path under `folder` with its inode."""
    return {str(p.relative_to(folder)): p.stat().st_ino for p in sorted(folder.rglob("*"))}


def test_a_failed_run_on_a_new_home_leaves_no_folder(tmp_path):
    home = tmp_path / "home"
    # No camera: it fails after it made config/, run/ and its lock file.
    one_line(run_cli(["run", "--source", "9", "--no-window"], home, timeout=60),
             "camera 9 could not be opened")
    assert not home.exists()
    one_line(run_cli(["run", "--source", str(tmp_path / "gone.mp4"), "--no-window"], home,
                     timeout=60), "no such file or folder")
    assert not home.exists()
    # An empty home made beforehand is the user's: it stays, empty.
    home.mkdir()
    one_line(run_cli(["run", "--source", "9", "--no-window"], home, timeout=60),
             "camera 9 could not be opened")
    assert home.is_dir() and tree(home) == {}


def test_a_failed_run_keeps_everything_that_was_there(tmp_path):
    home = tmp_path / "home"
    # A home in use: settings, a profile, and the lock file of an earlier run.
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("[monitor]\nfps_active = 2\n")
    (home / "data" / "profiles").mkdir(parents=True)
    (home / "data" / "profiles" / "default.json").write_text("{}")
    (home / "run").mkdir(mode=0o700)
    (home / "run" / "instance.lock").write_text("123\n")
    (home / "run" / "instance.lock").chmod(0o600)
    (home / "empty").mkdir()
    before = tree(home)
    one_line(run_cli(["run", "--source", "9", "--no-window"], home, timeout=60),
             "camera 9 could not be opened")
    assert tree(home) == before  # the same files: none removed, none replaced
    # Its config/ is new but holds the user's broken settings: kept with them.
    other = tmp_path / "other"
    (other / "config").mkdir(parents=True)
    (other / "config" / "config.toml").write_text("[monitor\n")
    one_line(run_cli(["run", "--source", "9", "--no-window"], other, timeout=60),
             "not valid TOML")
    assert tree(other) == {"config": (other / "config").stat().st_ino,
                           "config/config.toml": (other / "config/config.toml").stat().st_ino}


def test_a_failed_run_in_the_xdg_folders_takes_away_only_what_it_made(tmp_path):
    runtime = tmp_path / "xdg-run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if k not in ("POSTURE_HOME", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(tmp_path / "cfg" / "xdg"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "posture", "run", "--source", "9",
                           "--no-window"], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    one_line(done, "camera 9 could not be opened")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xdg-run"]  # cfg/xdg/posture gone
    assert list(runtime.iterdir()) == []  # xdg-run/posture and its lock gone, xdg-run kept
