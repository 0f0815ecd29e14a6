"""Which saved profile fits a camera set-up: the same device first, then the same index and
size where a name is missing, then an old "default" profile; else none (calibrate)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from posture.core.profile import CAMERA, CameraSetup, Profile
from posture.core.setups import choose_profile

C920 = "usb-046d_HD_Pro_Webcam_C920_8A3F2C1E-video-index0"
LAPTOP = "usb-Chicony_Integrated_Camera_0001-video-index0"


def made_at(setup: CameraSetup | None, created: str = "2024-05-01T09:00:00+00:00",
            source: str = CAMERA) -> Profile:
    return replace(Profile.defaults(), calibrated=True, setup=setup, created=created,
                   source=source)


def test_the_same_device_wins_wherever_it_is_plugged_in():
    saved = {"laptop": made_at(CameraSetup(0, LAPTOP, (640, 480))),
             "monitor": made_at(CameraSetup(2, C920, (640, 480)))}
    assert choose_profile(CameraSetup(0, LAPTOP, (640, 480)), saved) == "laptop"
    assert choose_profile(CameraSetup(1, C920, (640, 480)), saved) == "monitor"  # other port
    assert choose_profile(CameraSetup(0, C920, (1280, 720)), saved) == "monitor"  # other size


def test_a_device_with_another_name_is_another_camera_even_at_the_same_index():
    saved = {"laptop": made_at(CameraSetup(0, LAPTOP, (640, 480)))}
    assert choose_profile(CameraSetup(0, C920, (640, 480)), saved) is None


def test_the_same_size_and_then_the_newest_among_one_devices_profiles():
    saved = {"small": made_at(CameraSetup(0, C920, (640, 480)), "2024-05-01T09:00:00+00:00"),
             "big": made_at(CameraSetup(0, C920, (1280, 720)), "2024-05-03T09:00:00+00:00"),
             "big_old": made_at(CameraSetup(0, C920, (1280, 720)), "2024-05-02T09:00:00+00:00")}
    assert choose_profile(CameraSetup(0, C920, (640, 480)), saved) == "small"
    assert choose_profile(CameraSetup(0, C920, (1280, 720)), saved) == "big"
    assert choose_profile(CameraSetup(0, C920, (320, 240)), saved) == "big"


@pytest.mark.parametrize(("saved_device", "device"), [("", ""), ("", C920), (C920, "")])
def test_without_a_name_on_either_side_index_and_size_decide(saved_device, device):
    saved = {"desk": made_at(CameraSetup(1, saved_device, (640, 480)))}
    assert choose_profile(CameraSetup(1, device, (640, 480)), saved) == "desk"
    assert choose_profile(CameraSetup(0, device, (640, 480)), saved) is None
    assert choose_profile(CameraSetup(1, device, (1280, 720)), saved) is None


def test_an_old_default_profile_still_serves_a_camera_with_none_of_its_own():
    saved = {"default": made_at(None), "other": made_at(None)}
    assert choose_profile(CameraSetup(0, C920, (640, 480)), saved) == "default"
    saved["monitor"] = made_at(CameraSetup(0, C920, (640, 480)))
    assert choose_profile(CameraSetup(0, C920, (640, 480)), saved) == "monitor"
    assert choose_profile(CameraSetup(0, "", (640, 480)), {"other": made_at(None)}) is None


def test_a_profile_made_from_a_file_is_never_chosen_for_a_camera():
    saved = {"default": made_at(None, source="/videos/me.mp4")}
    assert choose_profile(CameraSetup(0, "", (640, 480)), saved) is None


def test_no_profiles_no_choice():
    assert choose_profile(CameraSetup(0, C920, (640, 480)), {}) is None


def test_the_setup_is_saved_with_the_profile_and_old_profiles_have_none():
    setup = CameraSetup(2, C920, (1280, 720))
    data = json.loads(json.dumps(made_at(setup).to_json()))
    assert data["camera"] == {"index": 2, "device": C920, "size": [1280, 720]}
    assert Profile.from_json(data).setup == setup
    assert Profile.from_json({**data, "camera": None}).setup is None
    del data["camera"]
    assert Profile.from_json(data).setup is None


def test_a_setup_in_words():
    assert CameraSetup(2, C920, (1280, 720)).describe() == f"camera 2: {C920} (1280x720)"
    assert CameraSetup(0, "", (640, 480)).describe() == "camera 0 (640x480)"
