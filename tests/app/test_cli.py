"""The command line keeps what the user already has: an output never overwrites an input, one of
the program's own files or another output of the same command, and a profile or video path that
cannot be written is refused before any work is done."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from posture.app.cli import main
from posture.core.profile import Profile
from posture.io.history import History, default_path
from posture.io.outputs import check_outputs
from posture.io.paths import profiles_dir
from posture.io.profiles import save_profile
from posture.io.settings import settings_path
from tests.conftest import SAMPLE


@pytest.fixture
def clip(tmp_path):
    """A copy of the sample clip the user might point an output at by mistake."""
    return shutil.copy(SAMPLE, tmp_path / "clip.mp4")


def one_error(capsys) -> str:
    """The single line a refused command wrote to stderr."""
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("args", [
    ["analyze", "{clip}", "--jsonl", "{clip}"],
    ["analyze", "{clip}", "--annotate", "{clip}"],
    ["stretch", "chin_tuck", "--source", "{clip}", "--jsonl", "{clip}"],
    ["calibrate", "--source", "{clip}", "--profile", "{clip}"],
    ["calibrate", "--source", "{sample}", "--slouch-source", "{clip}", "--profile", "{clip}"],
])
def test_an_output_onto_an_input_is_refused_and_the_input_kept(clip, capsys, args):
    before = clip.read_bytes()
    assert main([a.format(clip=clip, sample=SAMPLE) for a in args]) == 2
    assert "is the input file" in one_error(capsys)
    assert clip.read_bytes() == before


@pytest.mark.parametrize("args", [
    ["analyze", "{clip}", "--jsonl", ""],
    ["analyze", "{clip}", "--annotate", " "],
    ["report", "--csv", ""],
    ["report", "--out", ""],
    ["stretch", "chin_tuck", "--source", "{clip}", "--speak-to", ""],
])
def test_an_empty_output_name_is_refused(clip, capsys, args):
    assert main([a.format(clip=clip) for a in args]) == 2
    assert "is empty: give a file name" in one_error(capsys)


def test_an_output_onto_an_input_under_another_name_is_refused(clip, tmp_path, capsys,
                                                              monkeypatch):
    before = clip.read_bytes()
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "hard.mp4").hardlink_to(clip)
    for source in ("~/clip.mp4", str(tmp_path / "hard.mp4")):  # as typed in quotes; a hard link
        assert main(["analyze", source, "--jsonl", str(clip)]) == 2
        assert "is the input file" in one_error(capsys)
    assert clip.read_bytes() == before


def test_the_profile_read_is_an_input_too(tmp_path, capsys):
    profile = tmp_path / "me.json"
    assert main(["calibrate", "--source", str(SAMPLE), "--seconds", "3",
                 "--profile", str(profile)]) == 0
    before = profile.read_bytes()
    capsys.readouterr()
    for args in (["analyze", str(SAMPLE)], ["stretch", "chin_tuck", "--source", str(SAMPLE)]):
        assert main([*args, "--profile", str(profile), "--jsonl", str(profile)]) == 2
        assert "--jsonl" in one_error(capsys)
    assert profile.read_bytes() == before


def own_files() -> dict[str, str]:
    """A history with one session, a settings file and a profile, as a user has them; each
    path as the user would type it."""
    with History() as history:
        history.start_session("0", "default", stall_s=6.0)
        history.record_frame(0.0, True, "good", (), 0.0)
    assert main(["config", "--init"]) == 0
    save_profile(Profile.defaults(), profiles_dir() / "desk.json")
    db = default_path()
    return {"history": str(db), "wal": f"{db}-wal", "shm": f"{db}-shm",
            "settings": str(settings_path()), "desk": str(profiles_dir() / "desk.json")}


@pytest.mark.parametrize(("args", "words"), [
    (["analyze", "{sample}", "--jsonl", "{history}"], "is the history database"),
    (["analyze", "{sample}", "--annotate", "{wal}"], "is a file of the history database"),
    (["analyze", "{sample}", "--speak-to", "{shm}"], "is a file of the history database"),
    (["analyze", "{sample}", "--jsonl", "{desk}"], "is a calibration profile"),
    (["stretch", "chin_tuck", "--source", "{sample}", "--jsonl", "{settings}"],
     "is the settings file"),
    (["calibrate", "--source", "{sample}", "--profile", "{history}"], "is the history database"),
    (["calibrate", "--source", "{sample}", "--profile", "{settings}"], "is the settings file"),
    (["run", "--source", "{sample}", "--profile", "{history}"], "is the history database"),
])
def test_an_output_onto_the_programs_own_files_is_refused_and_nothing_touched(capsys, args,
                                                                              words):
    files = own_files()
    before = {name: Path(path).read_bytes() for name, path in files.items()
              if Path(path).exists()}
    capsys.readouterr()
    assert main([a.format(sample=SAMPLE, **files) for a in args]) == 2
    assert words in one_error(capsys)
    assert {name: Path(path).read_bytes() for name, path in files.items()
            if Path(path).exists()} == before
    assert main(["report", "--json"]) == 0  # the history still reads


def test_two_outputs_of_one_command_onto_one_file_are_refused(tmp_path, capsys):
    out = tmp_path / "out.mp4"
    assert main(["analyze", str(SAMPLE), "--annotate", str(out), "--jsonl", str(out)]) == 2
    assert "--jsonl" in (line := one_error(capsys)) and "--annotate" in line
    assert not out.exists()


def test_a_camera_index_is_not_a_file_even_when_one_has_its_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "0").write_text("notes")
    check_outputs(["0"], jsonl="0")  # camera 0 is read, the file 0 written: no clash


def test_a_profile_that_is_a_folder_is_refused_before_recording(tmp_path, capsys):
    folder = tmp_path / "profiles"
    folder.mkdir()
    assert main(["calibrate", "--source", str(SAMPLE), "--profile", str(folder)]) == 2
    assert "is a folder" in one_error(capsys)
    assert list(tmp_path.iterdir()) == [folder]  # no half-written file beside it


def test_an_empty_profile_name_is_refused_and_the_default_kept(capsys):
    assert main(["calibrate", "--source", str(SAMPLE), "--seconds", "3",
                 "--profile", "default"]) == 0
    default = profiles_dir() / "default.json"
    before = default.read_bytes()
    capsys.readouterr()
    assert main(["calibrate", "--source", str(SAMPLE), "--profile", " "]) == 2
    assert "profile name is empty" in one_error(capsys)
    assert default.read_bytes() == before


def test_a_profile_that_cannot_be_saved_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file where a folder should be")
    target = blocker / "me.json"
    assert main(["calibrate", "--source", str(SAMPLE), "--seconds", "3",
                 "--profile", str(target)]) == 2
    assert one_error(capsys).startswith(f"posture: error: cannot save the profile {target}")


@pytest.mark.parametrize("name", ["out.txt", "videos"])
def test_an_annotated_video_path_that_cannot_be_written_is_refused_first(tmp_path, capsys, name):
    (tmp_path / "videos").mkdir()
    assert main(["analyze", str(SAMPLE), "--annotate", str(tmp_path / name)]) == 2
    # Refused before the run starts: not even the note about population defaults came first.
    assert "ending in .mp4" in one_error(capsys)


def test_an_empty_source_names_the_flag_the_user_typed(capsys):
    assert main(["run", "--source", "", "--no-window"]) == 2
    assert one_error(capsys).startswith('posture: error: --source "" is not allowed')


@pytest.mark.parametrize(("args", "words"), [
    (["--bogus"], "unrecognized arguments: --bogus (see: posture --help)"),
    ([], "give a command"),
    (["analyze", str(SAMPLE), "--nope"], "--nope (see: posture analyze --help)"),
    (["run", "--fps", "-1"], "-1 is not allowed: give a number above 0 (see: posture run --help)"),
])
def test_command_line_mistakes_are_one_line_pointing_at_the_right_help(capsys, args, words):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert words in one_error(capsys)


def test_a_posture_home_that_is_a_file_is_one_line(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("POSTURE_HOME", str(home))
    assert main(["config"]) == 2
    assert "cannot create the settings folder" in one_error(capsys)
    assert home.read_text() == "not a folder"
