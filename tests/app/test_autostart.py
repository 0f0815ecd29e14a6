"""`posture autostart`: the Linux entry for real (desktop-file-validate, and its Exec line
runs the installed script with `run`); the macOS and Windows entries by the files they write."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from posture.io.autostart import entry_content, entry_path
from tests.conftest import REPO
from tests.desktop import missing

SCRIPT = Path(sys.executable).with_name("posture")  # the installed console script


def exec_argv(entry: str) -> list[str]:
    """The command line of an entry's Exec key, unquoted as the Desktop Entry Specification
    says a desktop does: the string's escapes first, then arguments split at spaces outside
    double quotes, inside which a backslash escapes ", `, $ and itself; %% is a %."""
    value = next(line for line in entry.splitlines() if line.startswith("Exec="))[5:]
    value = value.replace("\\\\", "\\")
    argv: list[str] = []
    word, quoted, i = None, False, 0
    while i < len(value):
        c = value[i]
        if quoted and c == "\\" and value[i + 1] in '"`$\\':
            word, i = (word or "") + value[i + 1], i + 2
            continue
        if c == '"':
            quoted, word = not quoted, word or ""
        elif c == " " and not quoted:
            if word is not None:
                argv.append(word)
            word = None
        else:
            word = (word or "") + c
        i += 1
    if word is not None:
        argv.append(word)
    return [a.replace("%%", "%") for a in argv]


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.skipif(not SCRIPT.is_file(), reason=f"no installed posture script at {SCRIPT}")
def test_autostart_on_status_off_with_a_valid_entry_that_runs_posture(tmp_path):
    reason = missing("desktop-file-validate")
    if reason:
        pytest.skip(reason)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), POSTURE_HOME=str(tmp_path / "home"))
    entry = tmp_path / "config" / "autostart" / "posture.desktop"
    assert run_cli(env, "autostart", "status").stdout.strip() == "off"
    on = run_cli(env, "autostart", "on")
    assert on.returncode == 0 and str(entry) in on.stdout
    assert run_cli(env, "autostart", "status").stdout.strip() == f"on: {entry}"
    valid = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert valid.returncode == 0 and valid.stdout + valid.stderr == ""
    argv = exec_argv(entry.read_text())
    assert argv == [str(SCRIPT.resolve()), "run"]  # absolute: a login PATH may lack the venv
    # What the desktop would start at login: posture run, which (no camera here) says so.
    started = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode == 2 and "camera 0 could not be opened" in started.stderr
    assert run_cli(env, "autostart", "on").stdout.startswith("on (it was already)")
    assert run_cli(env, "autostart", "off").stdout.startswith("off: removed")
    assert not entry.exists() and run_cli(env, "autostart", "status").stdout.strip() == "off"
    assert run_cli(env, "autostart", "off").stdout.strip() == "off (it was not on)"
    assert not (tmp_path / "home" / "config" / "autostart-previous.desktop").exists()


@pytest.mark.skipif(not SCRIPT.is_file(), reason=f"no installed posture script at {SCRIPT}")
def test_an_entry_the_user_edited_or_switched_off_is_never_lost(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), POSTURE_HOME=str(tmp_path / "home"))
    entry = tmp_path / "config" / "autostart" / "posture.desktop"
    kept = tmp_path / "home" / "config" / "autostart-previous.desktop"
    assert run_cli(env, "autostart", "on").returncode == 0
    ours = entry.read_text()
    # The desktop's startup settings switched it off: status says so.
    entry.write_text(ours.replace("X-GNOME-Autostart-enabled=true",
                                  "X-GNOME-Autostart-enabled=false"))
    status = run_cli(env, "autostart", "status").stdout
    assert status.startswith("off: ") and "switched off" in status
    # The user's own edit is kept aside before `on` writes posture's entry again...
    edited = ours.replace(" run\n", " run --profile work\n")
    assert edited != ours
    entry.write_text(edited)
    on = run_cli(env, "autostart", "on")
    assert on.returncode == 0 and str(kept) in on.stdout
    assert kept.read_text() == edited and entry.read_text() == ours
    assert run_cli(env, "autostart", "status").stdout.strip() == f"on: {entry}"
    # ... and before `off` removes it.
    entry.write_text(edited.replace("work", "home"))
    off = run_cli(env, "autostart", "off")
    second = kept.with_name("autostart-previous-2.desktop")  # the first copy stays as it was
    assert off.returncode == 0 and str(second) in off.stdout
    assert not entry.exists() and "--profile home" in second.read_text()
    assert kept.read_text() == edited


@pytest.mark.skipif(not SCRIPT.is_file(), reason=f"no installed posture script at {SCRIPT}")
def test_an_entry_for_a_path_with_spaces_and_quotes_still_validates_and_runs(tmp_path):
    reason = missing("desktop-file-validate")
    if reason:
        pytest.skip(reason)
    folder = tmp_path / 'my "venv" $HOME 100%' / "bin"
    folder.mkdir(parents=True)
    script = folder / "posture"
    shutil.copy2(SCRIPT, script)  # the console script, with its absolute interpreter line
    entry = tmp_path / "posture.desktop"
    entry.write_bytes(entry_content("linux", [str(script), "run"]))
    valid = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    argv = exec_argv(entry.read_text())
    assert argv == [str(script), "run"]
    shown = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "usage: posture run" in shown.stdout


def test_the_macos_launch_agent_runs_posture_at_login(tmp_path):
    argv = ["/Users/me/venv/bin/posture", "run"]
    agent = plistlib.loads(entry_content("darwin", argv))
    assert agent["ProgramArguments"] == argv and agent["RunAtLoad"] is True
    assert agent["Label"] and agent["ProcessType"] == "Interactive"
    path = entry_path("darwin", Path("/Users/me"), {})
    assert path.parent == Path("/Users/me/Library/LaunchAgents")
    assert path.name == f"{agent['Label']}.plist"


def test_the_windows_startup_script_runs_posture_hidden(tmp_path):
    argv = [r"C:\Users\me\My venv\Scripts\posture.exe", "run"]
    script = entry_content("win32", argv).decode("utf-16")
    run_line = next(line for line in script.splitlines() if ".Run " in line)
    # VBScript: "" is a quote inside a string; window style 0 hides the console.
    assert run_line == ('CreateObject("WScript.Shell").Run """C:\\Users\\me\\My venv\\Scripts\\'
                        'posture.exe"" ""run""", 0, False')
    path = entry_path("win32", Path(r"C:\Users\me"), {"APPDATA": r"C:\Users\me\AppData\Roaming"})
    assert path.name == "posture.vbs"
    assert path.parent.name == "Startup" and "Start Menu" in path.parts


def test_the_linux_entry_follows_xdg_config_home(tmp_path):
    home = Path("/home/me")
    assert entry_path("linux", home, {}) == home / ".config/autostart/posture.desktop"
    assert (entry_path("linux", home, {"XDG_CONFIG_HOME": "/cfg"})
            == Path("/cfg/autostart/posture.desktop"))
