"""`posture run` at a camera uses the profile made for its desk set-up: told apart by the
stand-in camera names of a fake /dev and /sys (there is no webcam here), with real profile
files in a temporary POSTURE_HOME; a set-up with none is calibrated and saved with it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from posture.app.commands.run import run_profile
from posture.app.live.monitor import LiveMonitor, Options
from posture.core.profile import CAMERA, CameraSetup, Profile
from posture.io.profiles import load_profile, previous_path, profile_path, save_profile
from tests.app.live_helpers import HEADLESS, CameraReplay, Script

SIZE = (640, 480)  # the settings' capture size: what a camera replay is taken to answer


def name_cameras(root: Path, names: dict[int, str]) -> Path:
    """A stand-in /sys naming camera N as the driver would (/sys/class/video4linux/videoN)."""
    for index, name in names.items():
        folder = root / "sys" / "class" / "video4linux" / f"video{index}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "name").write_text(name + "\n")
    return root


def made_at(setup: CameraSetup | None, frames: int = 9) -> Profile:
    return replace(Profile.defaults(), calibrated=True, setup=setup, source=CAMERA,
                   frames=frames)


def chosen(root: Path, index: int) -> tuple[Path | None, CameraSetup | None]:
    """The profile a camera run at `index` chose, and the set-up it saw, once opened."""
    monitor = LiveMonitor(HEADLESS, Options(str(index), None, profile_by_setup=True),
                          opener=lambda spec: CameraReplay(0, 5), devices=root)
    monitor.open().close()
    return monitor.options.profile_path, monitor.setup


def test_the_run_decides_by_set_up_unless_a_profile_is_named(posture_home):
    assert run_profile(None, "auto", camera=True) == (None, True)
    assert run_profile("desk", "auto", camera=True) == (profile_path("desk"), False)
    assert run_profile(None, "laptop", camera=True) == (profile_path("laptop"), False)
    assert run_profile("desk", "laptop", camera=True) == (profile_path("desk"), False)
    assert run_profile(None, "auto", camera=False) == (None, False)  # a file: this run only
    assert run_profile("desk", "auto", camera=False) == (profile_path("desk"), False)


def test_each_camera_gets_the_profile_made_for_it(posture_home, tmp_path):
    root = name_cameras(tmp_path / "root", {0: "Integrated Camera", 1: "HD Pro Webcam C920"})
    save_profile(made_at(CameraSetup(0, "Integrated Camera", SIZE)), profile_path("laptop"))
    save_profile(made_at(CameraSetup(1, "HD Pro Webcam C920", SIZE)), profile_path("desk"))
    assert chosen(root, 0) == (profile_path("laptop"), CameraSetup(0, "Integrated Camera", SIZE))
    assert chosen(root, 1)[0] == profile_path("desk")
    # The external camera plugged in first: the same camera, whatever its index.
    name_cameras(root, {0: "HD Pro Webcam C920", 1: "Integrated Camera"})
    assert chosen(root, 0)[0] == profile_path("desk")
    assert chosen(root, 1)[0] == profile_path("laptop")
    # A camera with no profile yet: a new one, calibrated on this run: "default" while there
    # is none of that name, then named after the camera.
    name_cameras(root, {2: "Logitech BRIO"})
    path, setup = chosen(root, 2)
    assert path == profile_path("default") and not path.exists()
    assert setup == CameraSetup(2, "Logitech BRIO", SIZE)
    save_profile(made_at(CameraSetup(3, "Another camera", SIZE)), path)
    path, _ = chosen(root, 2)
    assert path == profile_path("logitech-brio") and not path.exists()


def test_an_older_default_profile_without_a_set_up_still_serves(posture_home, tmp_path):
    root = name_cameras(tmp_path / "root", {0: "Integrated Camera", 1: "HD Pro Webcam C920"})
    path = profile_path("default")
    data = made_at(None).to_json()
    del data["camera"]  # as profiles were written before set-ups were recorded
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data))
    assert chosen(root, 0)[0] == path
    assert chosen(root, 1)[0] == path
    assert json.loads(path.read_text()) == data  # only read


def test_a_new_set_up_is_calibrated_saved_with_it_and_c_keeps_the_previous(
        posture_home, tmp_path, capsys):
    root = name_cameras(tmp_path / "root", {0: "Integrated Camera", 2: "Logitech BRIO"})
    save_profile(made_at(CameraSetup(0, "Integrated Camera", SIZE)), profile_path("default"))
    path = profile_path("logitech-brio")

    def run(*presses) -> None:
        monitor = LiveMonitor(HEADLESS, Options("2", None, profile_by_setup=True),
                              opener=lambda spec: CameraReplay(0, 150), devices=root)
        Script(monitor, *presses)
        assert monitor.run() == 0

    run((lambda m: m.watch is not None, "q"))  # quit once calibrated and monitoring
    first = load_profile(path)
    assert first.setup == CameraSetup(2, "Logitech BRIO", SIZE) and first.frames >= 5
    assert "no profile at" in capsys.readouterr().err
    run((lambda m: m.watch is not None, "c"), (lambda m: previous_path(path).exists(), "q"))
    err = capsys.readouterr().err
    assert "profile logitech-brio, made for camera 2: Logitech BRIO (640x480)" in err
    assert load_profile(previous_path(path)) == first  # the one c replaced, kept
    assert load_profile(path).setup == first.setup


@pytest.mark.parametrize("flag", ["desk", None])
def test_a_named_profile_overrides_the_set_up(posture_home, tmp_path, flag):
    root = name_cameras(tmp_path / "root", {0: "Integrated Camera"})
    save_profile(made_at(CameraSetup(0, "Integrated Camera", SIZE)), profile_path("laptop"))
    profile, by_setup = run_profile(flag, "desk" if flag is None else "auto", camera=True)
    monitor = LiveMonitor(HEADLESS, Options("0", profile, profile_by_setup=by_setup),
                          opener=lambda spec: CameraReplay(0, 5), devices=root)
    monitor.open().close()
    assert monitor.options.profile_path == profile_path("desk")
