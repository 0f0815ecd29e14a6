"""Profiles on disk: what is saved, and what is read back."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from posture.core.calibration import build_profile
from posture.core.errors import UserError
from posture.core.metrics import measure
from posture.core.profile import PROFILE_VERSION
from posture.core.score import assess
from posture.io.profiles import load_profile, save_profile
from tests.conftest import FEEDBACK
from tests.core.test_calibration import neutral_recording
from tests.synthetic import Camera, Posture, synthesize


def test_profile_round_trip(tmp_path):
    profile = build_profile(neutral_recording(), feedback=FEEDBACK)
    path = tmp_path / "p.json"
    save_profile(profile, path)
    loaded = load_profile(path)
    assert loaded.view == "front" and loaded.frames == 25
    assert loaded.baseline["head_height"].centre == pytest.approx(
        profile.baseline["head_height"].centre)
    data = json.loads(path.read_text())
    assert data["version"] == PROFILE_VERSION and data["program_version"]
    assert data["frame_size"] == [640, 480] and data["created"]
    # Robust spread: 1 px of noise on a ~260 px shoulder span is a small spread.
    assert 0 < data["baseline"]["head_height"]["spread"] < 0.02
    # Where it was recorded is kept; a profile from before that was kept loads as unknown.
    assert data["source"] == "" and not loaded.from_recording
    save_profile(replace(profile, source="/videos/me.mp4"), path)
    assert load_profile(path).from_recording
    del data["source"]
    path.write_text(json.dumps(data))
    assert load_profile(path).source == ""


def test_a_version_1_profile_still_judges_and_says_what_it_lost(tmp_path, capsys):
    """Profiles saved before issue 10 hold the old metric names and thresholds in spreads: they
    load (the file untouched), say in one line that their slouch thresholds no longer apply,
    and judge by the metrics they hold."""
    data = build_profile(neutral_recording(), feedback=FEEDBACK).to_json()
    for name in ("nose_height", "shoulder_level", "head_roll", "face_turn", "trunk_lean"):
        data["baseline"].pop(name, None)
    data.update(version=1, thresholds={"head_drop": 2.5})
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    profile = load_profile(path)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "older posture" in err[0] and "--slouch-source" in err[0]
    assert profile.thresholds == {} and path.read_bytes() == before
    drop = assess(measure(synthesize(Posture(neck_flexion=25.0), Camera())), profile)
    assert drop.problems == ("head_drop",)
    assert assess(measure(synthesize(Posture(), Camera())), profile).posture == "good"
    data["thresholds"] = {}
    path.write_text(json.dumps(data))
    load_profile(path)
    assert capsys.readouterr().err == ""  # nothing lost, nothing said
    data["version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(UserError, match="version 99"):
        load_profile(path)
