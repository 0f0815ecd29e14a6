"""`posture calibrate` (and the profiles it makes, used by `posture analyze`): what it saves,
its one-line errors, and the profile it never loses."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from fixtures.make_fixtures import make_sample
from posture.app.cli import main
from posture.io.profiles import profile_path
from tests.conftest import DATA, SAMPLE, needs_data


@pytest.mark.parametrize("content, words", [
    ("{not json", "corrupt"),
    ('{"format": "posture-profile", "version": 99, "view": "front", "baseline": {}}',
     "version 99"),
    ('{"format": "posture-profile", "version": 1, "view": "top", "baseline": {}}', "corrupt"),
    ('{"format": "posture-profile", "version": 1, "view": "front", "baseline": '
     '{"head_height": {"centre": "x"}}}', "corrupt"),
    ('["a list"]', "not a posture profile"),
])
def test_broken_profiles_exit_2_with_one_line(tmp_path, capsys, content, words):
    path = tmp_path / "broken.json"
    path.write_text(content)
    assert main(["analyze", str(SAMPLE), "--profile", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0] and "posture calibrate" in err[0]


def test_missing_named_profile_says_how_to_make_it(capsys):
    assert main(["analyze", str(SAMPLE), "--profile", "nope"]) == 2
    assert "posture calibrate --profile" in capsys.readouterr().err


def test_calibration_with_nobody_in_view_fails_with_the_reason(tmp_path, capsys):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((480, 640, 3), 128, np.uint8))
    assert main(["calibrate", "--source", str(blank), "--profile", "x"]) == 2
    err = capsys.readouterr().err
    assert "calibration failed" in err and "nobody in view" in err
    assert not profile_path("x").exists()


def test_recalibrating_keeps_the_old_profile_when_it_fails(tmp_path, capsys):
    assert main(["calibrate", "--source", str(SAMPLE),
                 "--profile", "mine"]) == 0
    before = profile_path("mine").read_text()
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.zeros((48, 64, 3), np.uint8))
    assert main(["calibrate", "--source", str(blank), "--profile", "mine"]) == 2
    assert profile_path("mine").read_text() == before


def test_calibrate_from_the_sample_then_analyze(tmp_path, capsys):
    assert main(["calibrate", "--source", str(SAMPLE), "--seconds", "6",
                 "--profile", "sample"]) == 0
    out = tmp_path / "o.jsonl"
    assert main(["analyze", str(SAMPLE), "--profile", "sample",
                 "--jsonl", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    keys = {"t", "frame", "person", "view", "posture", "problems", "severity", "score", "metrics"}
    assert all(keys <= r.keys() for r in records)
    upright = [r for r in records if r["t"] < 8]
    slouched = [r for r in records if 12 <= r["t"] < 22]
    assert all(r["posture"] == "good" for r in upright)
    assert sum(r["posture"] == "slouched" for r in slouched) >= 0.8 * len(slouched)
    peak = max(r["score"] for r in records)
    assert peak > 25 and records[-1]["score"] < peak
    assert "good posture" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["analyze", "x.mp4", "--fps", "nan"],
    ["analyze", "x.mp4", "--fps", "0"],
    ["calibrate", "--source", "x.mp4", "--seconds", "inf", "--profile", "default"],
    ["calibrate", "--source", "x.mp4", "--start", "-1", "--profile", "default"],
    ["run", "--speed", "nan"],
])
def test_numbers_that_make_no_sense_exit_2_with_one_line(capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not allowed" in err[0]


def test_a_slouch_recording_like_the_good_one_is_said_to_change_nothing(tmp_path, capsys):
    sample = str(SAMPLE)
    slouch = make_sample(tmp_path / "slouch.mp4", [(0.0, 1.0), (6.0, 1.0)])
    upright = make_sample(tmp_path / "upright.mp4", [(0.0, 0.0), (6.0, 0.0)])
    assert main(["calibrate", "--source", sample, "--seconds", "5", "--profile", "p",
                 "--slouch-source", str(slouch)]) == 0
    err = capsys.readouterr().err
    assert "looks much like the good one" not in err and "caught at the default" in err
    assert main(["calibrate", "--source", sample, "--seconds", "5", "--profile", "p",
                 "--slouch-source", str(upright)]) == 0
    assert "looks much like the good one" in capsys.readouterr().err
    assert json.loads(profile_path("p").read_text())["thresholds"] == {}


SIDE = DATA / "nvinayvarma189_Sitting-Posture-Recognition"
LAPTOP = DATA / "openvinotoolkit_openvino_build_deploy"


def folder_of(tmp_path, name: str, *images) -> str:
    """A folder of links to real stills (the footage stays where it is)."""
    folder = tmp_path / name
    folder.mkdir()
    for image in images:
        (folder / f"{image.parent.name}-{image.name}").symlink_to(image)
    return str(folder)


@needs_data
def test_a_recording_of_mixed_postures_is_refused_with_the_reason(tmp_path, capsys):
    """Straight, hunched and reclined side stills of one person make no profile (they once made
    one that called the hunchback good); the straight ones alone do, and the hunchback is then
    slouched. Frontal: an upright laptop webcam frame beside its slouch is refused too."""
    straight = [SIDE / n for n in ("straight_flip.jpg", "straight_hf.jpg", "straight_hf_flip.jpg")]
    mixed = folder_of(tmp_path, "mixed", *straight, *(SIDE / f"{kind}{variant}.jpg"
                                                      for kind in ("hunchback", "recline")
                                                      for variant in ("", "_flip", "_hf")))
    assert main(["calibrate", "--source", mixed, "--profile", "side"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "mixes postures" in err[0] and "torso inclination" in err[0]
    assert not profile_path("side").exists()
    assert main(["calibrate", "--source", folder_of(tmp_path, "straight", *straight),
                 "--profile", "side"]) == 0
    capsys.readouterr()
    assert main(["analyze", str(SIDE / "hunchback.jpg"), "--profile", "side", "--jsonl", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["posture"] == "slouched"
    webcam = folder_of(tmp_path, "webcam", LAPTOP / "good.png", LAPTOP / "slouch.png")
    assert main(["calibrate", "--source", webcam, "--profile", "laptop"]) == 2
    assert "mixes postures" in capsys.readouterr().err and not profile_path("laptop").exists()
