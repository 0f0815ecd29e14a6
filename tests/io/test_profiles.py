"""Profiles on disk: what is saved, and what is read back."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from posture.core.calibration import build_profile
from posture.core.profile import PROFILE_VERSION
from posture.io.profiles import load_profile, save_profile
from tests.conftest import FEEDBACK
from tests.core.test_calibration import neutral_recording


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
