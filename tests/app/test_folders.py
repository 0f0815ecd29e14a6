"""Folders where files belong and files where folders belong: a folder made by mistake in place
of the history, the settings file or a profile is one line and exit 2 for every command that
uses it (and one failed line of `posture doctor`); nothing in it is touched."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from posture.app.cli import main
from posture.core.profile import Profile
from posture.io.history import default_path
from posture.io.paths import profiles_dir
from posture.io.profiles import load_profile, profile_path, save_profile
from posture.io.settings import settings_path
from tests.app.live_helpers import run_cli
from tests.app.test_cli import one_error
from tests.conftest import SAMPLE


def folder_in_place(path: Path) -> Path:
    """Make `path` a folder holding one file of the user's (to check it is left alone)."""
    path.mkdir(parents=True)
    (path / "keep.txt").write_text("mine")
    return path


def untouched(folder: Path) -> bool:
    """Whether the folder made by folder_in_place holds just what it held."""
    return [p.name for p in folder.iterdir()] == ["keep.txt"] and \
        (folder / "keep.txt").read_text() == "mine"


FIX = ("move or rename that folder (posture leaves it and its contents as they are), or set "
       "POSTURE_HOME to use other folders")


@pytest.mark.parametrize(("where", "argv"), [
    ("history", ["report"]),
    ("history", ["report", "--json", "--days", "3"]),
    ("history", ["stretch", "chin_tuck", "--source", str(SAMPLE), "--mute"]),
    ("settings", ["config"]),
    ("settings", ["config", "--json"]),
    ("settings", ["config", "--init"]),
    ("profile", ["calibrate", "--source", str(SAMPLE), "--profile", "desk"]),
    ("profile", ["analyze", str(SAMPLE), "--profile", "desk"]),
])
def test_a_folder_in_place_of_a_file_is_one_line_and_exit_2(capsys, where, argv):
    path = {"history": default_path(), "settings": settings_path(),
            "profile": profiles_dir() / "desk.json"}[where]
    folder = folder_in_place(path)
    assert main(argv) == 2
    line = one_error(capsys)
    assert f"{path} is a folder, where a file belongs: " in line
    assert "move or rename that folder" in line
    assert untouched(folder)


def test_a_run_that_records_refuses_the_folder_before_playing(tmp_path):
    folder = folder_in_place(tmp_path / "home" / "data" / "history.sqlite3")
    done = run_cli(["run", "--record", "--no-window", "--source", str(SAMPLE), "--speed", "50"],
                   tmp_path / "home", timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"posture: error: the history database {folder} is a folder, where a file belongs: {FIX}"]
    assert done.stdout == ""  # nothing played: no calibration, no status line
    assert untouched(folder)


@pytest.mark.parametrize(("what", "path"), [("the history database", default_path),
                                            ("the settings file", settings_path)])
def test_doctor_reports_the_folder_as_a_failed_check(capsys, what, path):
    folder = folder_in_place(path())
    assert main(["doctor"]) == 2
    found = [line for line in capsys.readouterr().out.splitlines() if " folders: " in line]
    assert found == [f"PROBLEM  folders: {what} {folder} is a folder, where a file belongs: "
                     f"{FIX}"]
    assert untouched(folder)


def test_outputs_make_the_folders_they_go_in(tmp_path, capsys):
    new = tmp_path / "new"
    assert main(["analyze", str(SAMPLE), "--jsonl", str(new / "a" / "frames.jsonl"),
                 "--annotate", str(new / "b" / "seen.mp4"),
                 "--speak-to", str(new / "c" / "wavs")]) == 0
    assert len((new / "a" / "frames.jsonl").read_text().splitlines()) > 10
    assert (new / "b" / "seen.mp4").stat().st_size > 1000
    assert (new / "c" / "wavs").is_dir()
    assert main(["report", "--out", str(new / "d" / "week.html"),
                 "--csv", str(new / "e" / "minutes.csv")]) == 0
    assert "<html" in (new / "d" / "week.html").read_text()
    assert (new / "e" / "minutes.csv").read_text().startswith("minute")
    assert main(["report", "--out", str(new / "f" / "g" / "week.png")]) == 0
    assert (new / "f" / "g" / "week.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("argv", [
    ["analyze", str(SAMPLE), "--jsonl", "{blocker}/frames.jsonl"],
    ["analyze", str(SAMPLE), "--annotate", "{blocker}/videos/seen.mp4"],
    ["analyze", str(SAMPLE), "--speak-to", "{blocker}/wavs"],
    ["analyze", str(SAMPLE), "--speak-to", "{blocker}"],
    ["stretch", "chin_tuck", "--source", str(SAMPLE), "--mute", "--jsonl", "{blocker}/x"],
    ["report", "--csv", "{blocker}/minutes.csv"],
    ["report", "--out", "{blocker}/week.png"],
])
def test_an_output_under_a_file_is_one_line_and_the_file_kept(tmp_path, capsys, argv):
    (tmp_path / "work").mkdir()
    blocker = tmp_path / "work" / "notes"
    blocker.write_text("the user's notes")
    assert main([a.format(blocker=blocker) for a in argv]) == 2
    line = one_error(capsys)
    assert line.startswith(f"posture: error: cannot write {blocker}")
    assert line.endswith(f"{blocker} is a file, not a folder: choose another path (that file is "
                         "left as it is)")
    assert blocker.read_text() == "the user's notes"
    assert list(blocker.parent.iterdir()) == [blocker]


def test_each_deleted_profile_gets_the_next_free_numbered_copy(capsys):
    for frames in (1, 2, 3):
        save_profile(replace(Profile.defaults(), calibrated=True, frames=frames),
                     profile_path("desk"))
        assert main(["profiles", "delete", "desk"]) == 0
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "the version before it is kept as desk.previous-3.json)")
    kept = {p.name: load_profile(p).frames for p in profiles_dir().iterdir()}
    assert kept == {"desk.previous.json": 3, "desk.previous-2.json": 1,
                    "desk.previous-3.json": 2}


@pytest.mark.parametrize("blocked", ["autostart folder is a file", "entry is a folder",
                                     "folder cannot be made"])
def test_autostart_says_in_one_line_when_its_folder_cannot_hold_the_entry(
        tmp_path, monkeypatch, capsys, blocked):
    config = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    if blocked == "autostart folder is a file":
        config.mkdir()
        (config / "autostart").write_text("mine")
        words = f"{config / 'autostart'} is a file, not a folder: a folder you can write to is "
    elif blocked == "entry is a folder":
        folder_in_place(config / "autostart" / "posture.desktop")
        words = "posture.desktop is a folder, where a file belongs: move or rename that folder"
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", "/proc/posture-test")  # not even root makes it
        words = "the folder /proc/posture-test/autostart cannot be made (No such file"
    assert main(["autostart", "on"]) == 2
    line = one_error(capsys)
    assert words in line and line.endswith("then run posture autostart on again" + (
        " (that file is left as it is)" if blocked.endswith("a file") else ""))
    if blocked == "autostart folder is a file":
        assert (config / "autostart").read_text() == "mine"
    elif blocked == "entry is a folder":
        assert untouched(config / "autostart" / "posture.desktop")


STRAYS = {"my desk.json": b"{}", "desk.previous.previous.json": b"{}", "broken.json": b"{",
          "notes.txt": b"not json at all"}


def strays() -> dict[str, bytes]:
    """Write files the user left in the profiles folder; their names and bytes."""
    profiles_dir().mkdir(parents=True)
    for name, data in STRAYS.items():
        (profiles_dir() / name).write_bytes(data)
    return STRAYS


def test_profiles_lists_stray_files_and_never_touches_them(capsys):
    strays()
    save_profile(replace(Profile.defaults(), calibrated=True), profile_path("desk"))
    save_profile(replace(Profile.defaults(), calibrated=True), profile_path("desk"))
    assert main(["profiles", "delete", "desk"]) == 0  # desk.previous(-2).json are posture's
    assert main(["profiles", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["unused"] == ["broken.json", "desk.previous.previous.json", "my desk.json"]
    assert shown["unused_fix"].startswith("posture leaves these files as they are: to use one "
                                          "as a profile, name it NAME.json")
    assert shown["unused_fix"].endswith(f"otherwise move it out of {profiles_dir()}")
    assert [p["name"] for p in shown["profiles"]] == ["broken"] and shown["deleted"] == ["desk"]
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index(f"files not used as profiles ({shown['unused_fix']}):")
    assert out[at + 1:] == ["  broken.json: cannot be read",
                            "  desk.previous.previous.json: not a profile name",
                            "  my desk.json: not a profile name"]
    assert {p.name: p.read_bytes() for p in profiles_dir().iterdir()
            if p.name in STRAYS} == STRAYS


def test_profiles_with_only_stray_files_says_so(capsys):
    strays()
    (profiles_dir() / "broken.json").unlink()
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("no profiles yet")
    assert out[2:] == ["  desk.previous.previous.json: not a profile name",
                       "  my desk.json: not a profile name"]
    assert main(["profiles", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["profiles"] == [] and len(shown["unused"]) == 2
