"""A camera's name from a stand-in /dev and /sys laid out as Linux does."""

from __future__ import annotations

import os
from pathlib import Path

from posture.core.profile import CameraSetup
from posture.io.camera_names import camera_name, camera_setup

C920 = "usb-046d_HD_Pro_Webcam_C920_8A3F2C1E-video-index0"


def lay_out(root: Path, names: dict[int, str], by_id: dict[str, str]) -> Path:
    """Stand-in /sys/class/video4linux/videoN/name files and /dev/v4l/by-id links."""
    for index, name in names.items():
        folder = root / "sys" / "class" / "video4linux" / f"video{index}"
        folder.mkdir(parents=True)
        (folder / "name").write_text(name + "\n")
    links = root / "dev" / "v4l" / "by-id"
    links.mkdir(parents=True)
    for link, node in by_id.items():
        (root / "dev" / node).touch()
        os.symlink(f"../../{node}", links / link)  # relative, as udev makes them
    return root


def test_the_by_id_name_is_preferred_and_the_driver_name_is_the_fallback(tmp_path):
    root = lay_out(tmp_path, {0: "Integrated Camera: Integrated C", 2: "HD Pro Webcam C920",
                              3: "HD Pro Webcam C920"},
                   {C920: "video2", C920.replace("index0", "index1"): "video3"})
    assert camera_name(2, root) == C920
    assert camera_name(3, root) == C920.replace("index0", "index1")
    assert camera_name(0, root) == "Integrated Camera: Integrated C"  # no by-id link
    assert camera_name(5, root) == ""  # not there


def test_no_dev_or_sys_gives_no_name(tmp_path):
    assert camera_name(0, tmp_path) == ""


def test_a_setup_carries_the_name_index_and_size(tmp_path):
    root = lay_out(tmp_path, {1: "HD Pro Webcam C920"}, {C920: "video1"})
    assert camera_setup(1, (640, 480), root) == CameraSetup(1, C920, (640, 480))
