"""Desk set-ups: which saved profile fits the camera in use.

A laptop alone and the laptop beside an external monitor see the user from different places, so
each set-up keeps its own profile, recorded with it as a CameraSetup (posture.core.profile):
the camera's index, the name the operating system gives the device, and the capture size.
Reading names from the system is posture.io.camera_names.
"""

from __future__ import annotations

from collections.abc import Mapping

from posture.core.profile import CameraSetup, Profile

LEGACY_NAME = "default"  # the one profile earlier versions kept, before set-ups were recorded


def choose_profile(setup: CameraSetup, saved: Mapping[str, Profile]) -> str | None:
    """The name of the saved profile made for this camera set-up, or None (calibrate then).

    First a profile made at the same named device (the same size preferred); then, when either
    side has no device name, one made at the same index and size; last, a camera profile called
    "default" made before set-ups were recorded, so an upgrade does not ask to calibrate again.
    Two devices with different names are never the same camera, whatever their index. Among
    equals the newest wins.
    """
    def newest(names: list[str]) -> str | None:
        return max(names, key=lambda n: (saved[n].created, n)) if names else None

    made = {n: p.setup for n, p in saved.items() if p.setup is not None}
    same_device = [n for n, s in made.items() if setup.device and s.device == setup.device]
    unnamed = [n for n, s in made.items() if not (setup.device and s.device)
               and (s.index, s.size) == (setup.index, setup.size)]
    legacy = LEGACY_NAME in saved and saved[LEGACY_NAME].setup is None and \
        not saved[LEGACY_NAME].from_recording
    return (newest([n for n in same_device if made[n].size == setup.size])
            or newest(same_device) or newest(unnamed) or (LEGACY_NAME if legacy else None))
