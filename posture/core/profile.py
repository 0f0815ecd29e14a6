"""A calibration profile: how one user sits well, seen from one camera view, and its JSON form.

Plain data and its (de)serialisation; reading and writing the file is `posture.io.profiles`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROFILE_FORMAT = "posture-profile"
# Version 2: per-user thresholds are in each cue's own units (posture.core.score). Version 1
# held them in calibrated spreads; such a profile is read without them (its baseline still
# serves: posture.core.score.FALLBACK maps the metrics it lacks).
PROFILE_VERSION = 2
READABLE_VERSIONS = (1, 2)
CAMERA = "camera"  # Profile.source of a calibration recorded at a camera

# Population defaults for an uncalibrated run: (centre, spread) per metric, from upright
# people in ../shared/data; spreads are wide so that defaults only flag clear slouching (three
# spreads of nose height are 35 % of it, of neck inclination 18 degrees).
DEFAULT_BASELINE = {
    "front": {
        "nose_height": (0.52, 0.06), "head_height": (0.52, 0.06), "ear_height": (0.57, 0.06),
        "face_size": (0.42, 0.025), "neck_length": (1.35, 0.15), "head_pitch": (-0.12, 0.06),
        "shoulder_tilt": (0.0, 2.0), "trunk_lean": (0.0, 2.0), "head_offset": (0.0, 0.05),
        "span_scale": (0.3, 0.1),
    },
    "side": {
        "neck_inclination": (15.0, 6.0), "torso_inclination": (-5.0, 6.0),
        "head_forward": (0.0, 0.1), "head_lift": (0.48, 0.06), "face_pitch": (15.0, 10.0),
    },
}


@dataclass(frozen=True)
class CameraSetup:
    """The camera a calibration was recorded at: its index, the name the OS gives the device
    (stable across reboots and ports where it has one) and the capture size."""

    index: int
    device: str  # the OS's stable name for the device, "" where it gives none
    size: tuple[int, int]  # capture size (width, height) as delivered

    def describe(self) -> str:
        """The set-up in words, e.g. 'camera 0: usb-Logitech_C920 (640x480)'."""
        name = f": {self.device}" if self.device else ""
        return f"camera {self.index}{name} ({self.size[0]}x{self.size[1]})"

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "device": self.device, "size": list(self.size)}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> CameraSetup:
        """The set-up in a profile's "camera" object; KeyError, TypeError or ValueError."""
        width, height = (int(x) for x in data["size"])
        return CameraSetup(int(data["index"]), str(data["device"]), (width, height))


@dataclass(frozen=True)
class Baseline:
    """A metric's calibrated centre and spread (in the metric's units)."""

    centre: float
    spread: float


@dataclass(frozen=True)
class Profile:
    """How this user sits well, seen from one camera view."""

    view: str
    baseline: dict[str, Baseline]
    # Per-problem thresholds set from the user's own slouch, in the units of the cue that
    # names the problem (posture.core.score); a problem not in it uses the cue's minimum.
    thresholds: dict[str, float] = field(default_factory=dict)
    frame_size: tuple[int, int] = (0, 0)
    created: str = ""  # ISO time, set when first saved
    program_version: str = ""  # the posture version that saved it first
    frames: int = 0
    calibrated: bool = True
    source: str = ""  # CAMERA, or the recording it was calibrated on ("" in older profiles)
    setup: CameraSetup | None = None  # the camera set-up it was made at (None: a file, or older)

    @property
    def from_recording(self) -> bool:
        """True when calibrated on a file: someone else, or another setup, than a camera's."""
        return self.source not in ("", CAMERA)

    @staticmethod
    def defaults(view: str = "front") -> Profile:
        """Uncalibrated population profile for `view`."""
        base = {k: Baseline(c, s) for k, (c, s) in DEFAULT_BASELINE[view].items()}
        return Profile(view=view, baseline=base, calibrated=False)

    def to_json(self) -> dict:
        """The profile as the JSON object saved to disk."""
        return {
            "format": PROFILE_FORMAT,
            "version": PROFILE_VERSION,
            "view": self.view,
            "baseline": {k: {"centre": b.centre, "spread": b.spread}
                         for k, b in self.baseline.items()},
            "thresholds": self.thresholds,
            "frame_size": list(self.frame_size),
            "created": self.created,
            "program_version": self.program_version,
            "frames": self.frames,
            "source": self.source,
            "camera": self.setup.to_json() if self.setup else None,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Profile:
        """The profile in a JSON object of this format and a readable version; ValueError (or
        KeyError, TypeError, AttributeError) naming what is wrong. A version-1 profile's
        thresholds (in spreads, which no cue uses any more) are left out."""
        view = data["view"]
        if view not in DEFAULT_BASELINE:
            raise ValueError(f"unknown view {view!r}")
        baseline = {str(k): Baseline(float(v["centre"]), float(v["spread"]))
                    for k, v in data["baseline"].items()}
        if not baseline or not all(math.isfinite(b.centre) and math.isfinite(b.spread)
                                   for b in baseline.values()):
            raise ValueError("empty or non-finite baseline")
        thresholds = {str(k): float(v) for k, v in data.get("thresholds", {}).items()
                      if data.get("version") != 1}
        width, height = (int(x) for x in data.get("frame_size", [0, 0]))
        camera = data.get("camera")
        return Profile(view=view, baseline=baseline, thresholds=thresholds,
                       frame_size=(width, height), created=str(data.get("created", "")),
                       program_version=str(data.get("program_version", "")),
                       frames=int(data.get("frames", 0)), source=str(data.get("source", "")),
                       setup=CameraSetup.from_json(camera) if camera else None)


def recorded_at(name: str, camera: bool) -> str:
    """Profile.source for a calibration recorded from the source `name` (a camera or not)."""
    return CAMERA if camera else name
