"""`posture profiles` (table and JSON), `profiles rename` and `profiles delete`, and
`posture calibrate --restore`, through the command line: one-line results, one-line errors
with exit 2, nothing asked twice and nothing lost."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from posture.app.cli import main
from posture.core.profile import CAMERA, CameraSetup, Profile
from posture.io.profiles import load_profile, previous_path, profile_path, save_profile
from tests.conftest import SAMPLE

C920 = "usb-046d_HD_Pro_Webcam_C920_8A3F2C1E-video-index0"


def save(name: str, frames: int = 1, **fields) -> None:
    profile = replace(Profile.defaults(), calibrated=True, frames=frames,
                      created="2024-05-01T09:00:00+00:00", **fields)
    save_profile(profile, profile_path(name))


@pytest.fixture
def desks() -> None:
    save("monitor", setup=CameraSetup(2, C920, (1280, 720)), source=CAMERA)
    save("monitor", frames=2, setup=CameraSetup(2, C920, (1280, 720)), source=CAMERA)
    save("demo", source="/videos/demo.mp4")
    save("old", source=CAMERA)


def test_the_list_as_json(desks, capsys):
    folder = profile_path("x").parent
    for stray in ("my desk.json", "old.previous.previous.json"):  # no profile name: left alone
        (folder / stray).write_text("{}")
    assert main(["profiles", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    by_name = {p["name"]: p for p in shown["profiles"]}
    assert list(by_name) == ["demo", "monitor", "old"] and shown["deleted"] == []
    monitor = by_name["monitor"]
    assert monitor["camera"] == f"camera 2: {C920} (1280x720)"
    assert monitor["setup"] == {"index": 2, "device": C920, "size": [1280, 720]}
    assert monitor["date"] == "2024-05-01T09:00:00+00:00" and monitor["view"] == "front"
    assert monitor["previous"] is True and monitor["file"] is None
    assert by_name["demo"]["file"] == "/videos/demo.mp4" and by_name["demo"]["setup"] is None
    assert by_name["demo"]["camera"] == "file /videos/demo.mp4"
    assert by_name["old"]["camera"] == "a camera (set-up not recorded)"
    assert by_name["old"]["previous"] is False


def test_the_list_as_a_table(desks, capsys):
    profile_path("broken").write_text("{")
    assert main(["profiles"]) == 0
    lines, unused = capsys.readouterr().out.split("\n\n")
    lines = lines.splitlines()
    assert lines[0].split() == ["NAME", "DATE", "VIEW", "CAMERA"]
    assert [line.split()[0] for line in lines[1:]] == ["broken", "demo", "monitor", "old"]
    assert unused.splitlines()[1:] == ["  broken.json: cannot be read"]  # also listed as unused
    assert "cannot be read" in lines[1] and "corrupt" in lines[1]
    assert lines[3].endswith(f"camera 2: {C920} (1280x720) (previous kept)")
    assert " front " in lines[3] and "2024-05-01" in lines[3]


def test_no_profiles_says_how_to_make_one(capsys):
    assert main(["profiles"]) == 0
    assert "no profiles yet: posture calibrate" in capsys.readouterr().out


def test_rename_and_delete_ask_nothing_and_say_one_line(desks, capsys):
    assert main(["profiles", "rename", "monitor", "office"]) == 0
    err = capsys.readouterr().err
    assert err == "posture: renamed profile monitor to office\n"
    assert load_profile(profile_path("office")).frames == 2
    assert main(["profiles", "delete", "office"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "deleted profile office" in err
    assert "posture calibrate --restore office" in err
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert "office" not in out.split("\n\n")[0]
    assert out.rstrip().endswith("deleted, can be restored with posture calibrate --restore "
                                 "NAME: office")
    assert main(["calibrate", "--restore", "office"]) == 0
    assert load_profile(profile_path("office")).frames == 2
    assert not previous_path(profile_path("office")).exists()  # deleted over the older one


def exit_code(argv: list[str]) -> int:
    """What `posture ARGV` exits with (argparse's errors exit from inside main)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize(("argv", "words"), [
    (["profiles", "delete", "nope"], "no profile called nope (saved: demo, monitor, old)"),
    (["profiles", "rename", "nope", "x"], "no profile called nope"),
    (["profiles", "rename", "demo", "old"], "a profile called old already exists"),
    (["profiles", "rename", "demo", "my desk"], "'my desk' cannot name a profile"),
    (["profiles", "rename", "demo"], "the following arguments are required: NEW"),
    (["profiles", "erase", "demo"], "invalid choice: 'erase'"),
    (["calibrate", "--restore", "demo"], "no earlier version of demo.json to restore"),
    (["calibrate", "--restore", "nope"], "no earlier version of nope.json"),
    (["calibrate", "--restore", ""], "the profile name is empty"),
    (["calibrate", "--source", str(SAMPLE), "--profile", "my desk"],
     "'my desk' cannot name a profile"),
    # A demo clip never replaces a camera's profile, and posture's own backups are not targets.
    (["calibrate", "--source", str(SAMPLE)], "add --profile NAME"),
    (["calibrate", "--source", str(SAMPLE), "--profile", "/tmp/demo.previous.json"],
     "files ending in .previous.json are the earlier versions"),
])
def test_errors_are_one_line_and_exit_2(desks, capsys, argv, words):
    before = sorted(p.name for p in profile_path("x").parent.iterdir())
    assert exit_code(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err
    assert sorted(p.name for p in profile_path("x").parent.iterdir()) == before


def test_recalibrating_keeps_the_replaced_profile_and_restore_brings_it_back(capsys,
                                                                            monkeypatch):
    assert main(["calibrate", "--source", str(SAMPLE), "--seconds", "4", "--profile", "me"]) == 0
    first = profile_path("me").read_text()
    assert "kept as" not in capsys.readouterr().err
    monkeypatch.chdir(SAMPLE.parent)  # the file as typed in its folder: recorded in full
    assert main(["calibrate", "--source", SAMPLE.name, "--start", "20", "--seconds", "4",
                 "--profile", "me"]) == 0
    err = capsys.readouterr().err
    assert "kept as me.previous.json: posture calibrate --restore me brings it back" in err
    second = profile_path("me").read_text()
    assert previous_path(profile_path("me")).read_text() == first != second
    assert load_profile(profile_path("me")).source == str(SAMPLE)  # a file: no camera set-up
    assert load_profile(profile_path("me")).setup is None
    assert main(["calibrate", "--restore", "me"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "restored profile" in err and "run this again" in err
    assert profile_path("me").read_text() == first
    assert previous_path(profile_path("me")).read_text() == second
