"""Helpers shared by the benchmarks: generated clips, calibration, memory readings, the machine.

Benchmarks are run on demand from the repository root (`python -m benchmarks.cost`); they
print figures and never assert on speed.
"""

from __future__ import annotations

import ctypes
import os
import platform
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from posture.app.driver import calibration_frames
from posture.core.calibration import build_profile, record
from posture.core.profile import Profile
from posture.core.sampling import Sampling
from posture.io.estimator import PoseEstimator
from posture.io.protocol import load_protocol
from posture.io.settings import CAMERA_SIZE, Settings
from posture.io.sources import open_source, read_image

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
BACKGROUND = 128  # grey around the generated sitter when the clip is widened to webcam size


def generated_clip(out: Path, timeline: Sequence[Sequence[float]], fps: float,
                   size: tuple[int, int] | None = CAMERA_SIZE) -> Path:
    """A clip of the matplotlib portrait sitting well or slouching along `timeline`.

    Made by fixtures.make_sample; with `size`, each frame is scaled to the height and centred
    on a grey canvas, so decoding and drawing cost what they would on a webcam's frames.
    """
    from fixtures.make_fixtures import make_sample

    keyframes = [(float(t), float(a)) for t, a in timeline]
    if size is None:
        return make_sample(out, keyframes, fps)
    raw = make_sample(out.with_name(out.stem + "-raw.mp4"), keyframes, fps)
    reader = cv2.VideoCapture(str(raw))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    try:
        while True:
            ok, frame = reader.read()
            if not ok:
                break
            writer.write(fit(frame, size))
    finally:
        reader.release()
        writer.release()
        raw.unlink()
    return out


def fit(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`frame` scaled to fit inside `size` (width, height), centred on a grey canvas."""
    w, h = size
    scale = min(w / frame.shape[1], h / frame.shape[0])
    scaled = cv2.resize(frame, (round(frame.shape[1] * scale), round(frame.shape[0] * scale)),
                        interpolation=cv2.INTER_LINEAR)
    canvas = np.full((h, w, 3), BACKGROUND, np.uint8)
    y, x = (h - scaled.shape[0]) // 2, (w - scaled.shape[1]) // 2
    canvas[y:y + scaled.shape[0], x:x + scaled.shape[1]] = scaled
    return canvas


def default_sampling() -> Sampling:
    """The live monitor's default adaptive sampling (what `posture analyze` uses too)."""
    return Settings().monitor.sampling()


def calibrate_video(path: Path, start: float, seconds: float) -> Profile:
    """A profile from `seconds` of a video from `start`, as `posture calibrate` makes it."""
    with open_source(path) as source:
        return build_profile(calibration_frames(source, start, seconds),
                             feedback=load_protocol().feedback)


def calibrate_stills(paths: Sequence[Path]) -> Profile:
    """A profile from separate stills, as `posture calibrate` makes it from a folder."""
    with PoseEstimator(video=False) as estimator:
        return build_profile(record(((float(i), estimator.estimate(read_image(path), float(i)))
                                     for i, path in enumerate(paths)), continuous=False),
                             feedback=load_protocol().feedback)


def rss_mb() -> float:
    """Resident memory of this process now (VmRSS), in MB."""
    return _status_kb("VmRSS") / 1024


def peak_rss_mb(seen: Iterable[float] = ()) -> float:
    """Largest resident memory of this process so far, in MB: VmHWM, and at least every VmRSS
    reading `seen`. The kernel brings its high-water mark up to date lazily (its counters are
    cached per thread), so alone it can read below a VmRSS taken earlier."""
    return max([_status_kb("VmHWM") / 1024, *seen])


def _status_kb(field: str) -> float:
    """A `kB` field of /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def malloc_trim() -> bool:
    """Hand freed heap back to the system (glibc); False where there is no glibc to ask."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return False
    return True


def median(values: Sequence[float]) -> float:
    """The median of some runs' figures."""
    return float(statistics.median(values))


def machine() -> dict[str, str | int]:
    """What the figures were measured on."""
    import mediapipe

    model = next((line.split(":", 1)[1].strip()
                  for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpu": model, "cores": os.cpu_count() or 0, "system": platform.platform(),
            "python": platform.python_version(), "mediapipe": mediapipe.__version__,
            "opencv": cv2.__version__}


class ManifestError(ValueError):
    """A benchmark manifest that cannot be used, naming the entry and the field at fault."""


@dataclass(frozen=True)
class Confusion:
    """Per-frame counts of a yes/no verdict against its label (in the accuracy benchmark: is
    the user slouched; in the guide's: is the user in the stretch's position)."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    @staticmethod
    def of(pairs: Iterable[tuple[Any, Any]], positive: Any) -> Confusion:
        """Counts from (label, verdict) pairs; any verdict but `positive` (None: no verdict)
        counts as negative, as a monitor that stays silent."""
        tp = fn = fp = tn = 0
        for label, verdict in pairs:
            hit = verdict == positive
            if label == positive:
                tp, fn = tp + hit, fn + (not hit)
            else:
                fp, tn = fp + hit, tn + (not hit)
        return Confusion(tp, fn, fp, tn)

    def __add__(self, other: Confusion) -> Confusion:
        return Confusion(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp,
                         self.tn + other.tn)

    @property
    def recall(self) -> float | None:
        """Share of positive frames called positive (slouched, or in position)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def specificity(self) -> float | None:
        """Share of negative frames not called positive."""
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else None

    @property
    def precision(self) -> float | None:
        """Share of positive verdicts that were right."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def balanced_accuracy(self) -> float | None:
        """Mean of recall and specificity (of whichever of the two the frames allow)."""
        rates = [r for r in (self.recall, self.specificity) if r is not None]
        return sum(rates) / len(rates) if rates else None
