"""Saved profiles: saving keeps the one replaced, restoring swaps, deleting keeps a previous
version, renaming moves both, and the profile (or a new name) for a camera set-up."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from posture.core.errors import UserError
from posture.core.profile import CAMERA, CameraSetup, Profile
from posture.io.profile_store import (
    delete_profile,
    deleted_profiles,
    profile_for_camera,
    rename_profile,
    saved_profiles,
)
from posture.io.profiles import (
    check_name,
    load_profile,
    previous_path,
    profile_path,
    restore_profile,
    save_profile,
)

C920 = "usb-046d_HD_Pro_Webcam_C920_8A3F2C1E-video-index0"


def profile(frames: int, setup: CameraSetup | None = None) -> Profile:
    """A profile told apart from others by its frame count."""
    return replace(Profile.defaults(), calibrated=True, frames=frames, setup=setup,
                   source=CAMERA)


def frames(name: str) -> int:
    return load_profile(profile_path(name)).frames


def test_saving_over_a_profile_keeps_the_one_it_replaces():
    path = profile_path("desk")
    assert save_profile(profile(1), path) is None
    assert not previous_path(path).exists()
    kept = save_profile(profile(2), path)
    assert kept == previous_path(path) and kept.name == "desk.previous.json"
    assert frames("desk") == 2 and load_profile(kept).frames == 1
    save_profile(profile(3), path)  # one step back: the older previous goes
    assert frames("desk") == 3 and load_profile(kept).frames == 2
    assert sorted(p.name for p in path.parent.iterdir()) == ["desk.json", "desk.previous.json"]


def test_restoring_swaps_and_restoring_again_undoes_it():
    path = profile_path("desk")
    save_profile(profile(1), path)
    save_profile(profile(2), path)
    assert restore_profile(path) is True
    assert frames("desk") == 1 and load_profile(previous_path(path)).frames == 2
    assert restore_profile(path) is True
    assert frames("desk") == 2 and load_profile(previous_path(path)).frames == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["desk.json", "desk.previous.json"]


def test_restoring_needs_a_readable_previous_and_moves_nothing_otherwise():
    path = profile_path("desk")
    save_profile(profile(1), path)
    with pytest.raises(UserError, match="no earlier version of desk.json"):
        restore_profile(path)
    previous_path(path).write_text("{broken")
    with pytest.raises(UserError, match="corrupt"):
        restore_profile(path)
    assert frames("desk") == 1 and previous_path(path).read_text() == "{broken"


def test_deleting_keeps_a_previous_version_that_restores():
    save_profile(profile(1), profile_path("desk"))
    save_profile(profile(2), profile_path("desk"))
    kept, older = delete_profile("desk")
    assert kept == previous_path(profile_path("desk")) and load_profile(kept).frames == 2
    # The version before it (frames 1) is not lost either.
    assert older == kept.with_name("desk.previous-2.json") and load_profile(older).frames == 1
    assert not profile_path("desk").exists()
    assert [s.name for s in saved_profiles()] == [] and deleted_profiles() == ["desk"]
    assert restore_profile(profile_path("desk")) is False  # nothing to swap out
    assert frames("desk") == 2 and not kept.exists() and deleted_profiles() == []


def test_renaming_moves_the_profile_and_its_previous_version():
    save_profile(profile(1), profile_path("desk"))
    save_profile(profile(2), profile_path("desk"))
    rename_profile("desk", "office")
    assert frames("office") == 2 and load_profile(previous_path(profile_path("office"))).frames == 1
    assert not profile_path("desk").exists() and not previous_path(profile_path("desk")).exists()


@pytest.mark.parametrize(("old", "new", "words"), [
    ("nope", "x", "no profile called nope (saved: desk, home)"),
    ("desk", "home", "a profile called home already exists (home.json)"),
    ("desk", "gone", "a profile called gone already exists (gone.previous.json)"),
    ("desk", "a b", "'a b' cannot name a profile"),
    ("desk", "../x", "cannot name a profile"),
    ("desk", "x.previous", "cannot name a profile"),
    ("desk.json", "x", "no profile called desk.json"),
])
def test_renaming_refuses_with_one_line(old, new, words):
    for name in ("desk", "home", "gone"):
        save_profile(profile(1), profile_path(name))
    delete_profile("gone")
    with pytest.raises(UserError) as info:
        rename_profile(old, new)
    assert words in str(info.value) and "\n" not in str(info.value)
    assert frames("desk") == 1 and frames("home") == 1


def test_names():
    assert check_name("laptop_2-desk") == "laptop_2-desk"
    for bad in ("", "-x", "a.b", "x" * 65, "é"):
        with pytest.raises(UserError):
            check_name(bad)
    with pytest.raises(UserError, match="earlier versions"):
        profile_path("desk.previous")


def test_the_list_shows_broken_profiles_with_their_problem():
    save_profile(profile(1), profile_path("good"))
    profile_path("bad").write_text("{")
    listed = {s.name: s for s in saved_profiles()}
    assert listed["good"].profile is not None and listed["good"].problem is None
    assert listed["bad"].profile is None and "corrupt" in listed["bad"].problem


def test_the_profile_for_a_camera_or_a_new_name_for_it():
    setup = CameraSetup(0, C920, (640, 480))
    assert profile_for_camera(setup) == (profile_path("default"), False)  # the first set-up
    save_profile(profile(1, setup), profile_path("default"))
    assert profile_for_camera(setup) == (profile_path("default"), True)
    laptop = CameraSetup(1, "Integrated Camera: Integrated C", (640, 480))
    path, exists = profile_for_camera(laptop)
    assert (path.name, exists) == ("integrated-camera-integrated-c.json", False)
    save_profile(profile(2, CameraSetup(3, "other", (1, 1))), path)
    assert profile_for_camera(laptop) == (path.with_name(
        "integrated-camera-integrated-c-2.json"), False)
    assert profile_for_camera(CameraSetup(4, "", (640, 480)))[0].name == "camera4.json"


def test_an_old_default_profile_is_used_for_the_first_camera():
    path = profile_path("default")
    data = profile(7).to_json()
    del data["camera"]
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data))
    assert profile_for_camera(CameraSetup(0, C920, (640, 480))) == (path, True)
