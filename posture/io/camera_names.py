"""The name the operating system gives a camera, to tell desk set-ups apart.

Linux: the /dev/v4l/by-id link to /dev/videoN (bus, make, model and serial number: the same
camera keeps it on any port and after a reboot), else the driver's name for the device in
/sys/class/video4linux/videoN/name. Other systems give none here: a set-up is then known by
its index and capture size. `root` lets tests lay out a stand-in /dev and /sys.
"""

from __future__ import annotations

import os
from pathlib import Path

from posture.core.profile import CameraSetup

ROOT = Path("/")


def camera_name(index: int, root: Path = ROOT) -> str:
    """The stable name of camera `index` ("" when the system gives none)."""
    node = f"video{index}"
    by_id = root / "dev" / "v4l" / "by-id"
    try:
        links = sorted(by_id.iterdir())
    except OSError:
        links = []
    for link in links:
        try:
            if Path(os.readlink(link)).name == node:
                return link.name
        except OSError:  # not a link
            continue
    try:
        return (root / "sys" / "class" / "video4linux" / node / "name").read_text().strip()
    except (OSError, UnicodeDecodeError):
        return ""


def camera_setup(index: int, size: tuple[int, int], root: Path = ROOT) -> CameraSetup:
    """Camera `index` capturing at `size` (width, height), with its name where there is one."""
    return CameraSetup(index, camera_name(index, root), size)
