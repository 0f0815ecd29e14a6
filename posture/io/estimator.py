"""The pose model: MediaPipe's PoseLandmarker behind a small class that returns plain `Pose`s.

The model bundle ships inside the package (`posture.models`, the repository's models/) and is
checked against its sha256 before loading. The native library writes dozens of log lines to
stderr on create and close; they are kept out of the user's terminal by redirecting file
descriptor 2 around those calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np

from posture.core.errors import UserError
from posture.core.pose import Pose, size_and_centre
from posture.core.tracker import UserTracker
from posture.io.images import to_rgb
from posture.io.quiet import quiet_stderr

MODEL_NAME = "pose_landmarker_full.task"
REBUILD_HINT = "rebuild it with: python models/build_pose_model.py"
MAX_CANDIDATES = 3  # poses asked of the model in a still, so a passer-by can be told from the user
# Poses asked in VIDEO mode. MediaPipe skips its person detector only while it tracks as many
# people as asked: with 3 asked and one user in view the detector ran on every frame, 33 ms a
# frame instead of 21 ms (benchmarks/cost.py). Tracking one pose keeps following the user.
VIDEO_POSES = 1


def models_dir() -> Path:
    """The folder of the bundled model (a real folder: the package is installed unzipped)."""
    return Path(str(resources.files("posture.models")))


def model_path() -> Path:
    """Path of the bundled model, verified against its recorded sha256 ($POSTURE_MODEL: another
    model, not verified)."""
    path = Path(os.environ.get("POSTURE_MODEL", models_dir() / MODEL_NAME))
    sums = models_dir() / (MODEL_NAME + ".sha256")
    if not path.is_file():
        raise UserError(f"pose model {path} is missing: {REBUILD_HINT}")
    if "POSTURE_MODEL" not in os.environ:
        expected = sums.read_text().split()[0] if sums.is_file() else None
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if expected != actual:
            raise UserError(f"pose model {path} is corrupt (checksum mismatch): {REBUILD_HINT}")
    return path


class PoseEstimator:
    """MediaPipe PoseLandmarker: VIDEO mode (tracking) for sequences, IMAGE mode for stills.

    Use as a context manager; `estimate(frame, t)` returns the user's Pose or None.
    """

    def __init__(self, video: bool = True) -> None:
        self._video = video
        self._landmarker = None
        try:
            with _interrupts_held(), quiet_stderr():
                from mediapipe.tasks.python import BaseOptions, vision

                options = vision.PoseLandmarkerOptions(
                    base_options=BaseOptions(model_asset_path=str(model_path())),
                    running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
                    num_poses=VIDEO_POSES if video else MAX_CANDIDATES,
                )
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except BaseException:  # Ctrl+C, delivered once it is made: close it while we can
            self.close()
            raise
        self._last_ms = -1
        self._tracker = UserTracker()
        # Native warnings come with the first inference and the first pose found (which may be
        # frames later); after that the model is silent.
        self._quiet = True

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the native landmarker (idempotent)."""
        if self._landmarker is not None:
            with quiet_stderr():
                self._landmarker.close()
            self._landmarker = None

    def estimate(self, frame: np.ndarray, t: float = 0.0) -> Pose | None:
        """The user's pose in `frame` taken at `t` seconds, or None when nobody is in view."""
        import mediapipe as mp

        if self._landmarker is None:
            raise RuntimeError("PoseEstimator used after close()")
        rgb = to_rgb(frame)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        # Only until then: fd 2 is the whole process's, and what other native code says there
        # must not be swallowed all run long.
        with quiet_stderr() if self._quiet else contextlib.nullcontext():
            if self._video:
                ms = max(int(round(t * 1000)), self._last_ms + 1)
                self._last_ms = ms
                result = self._landmarker.detect_for_video(image, ms)
            else:
                result = self._landmarker.detect(image)
        self._quiet = self._quiet and not result.pose_landmarks
        h, w = frame.shape[:2]
        candidates = [
            _to_pose(image_lms, world_lms, w, h)
            for image_lms, world_lms in zip(
                result.pose_landmarks, result.pose_world_landmarks, strict=True)
        ]
        if not self._video:  # stills are unrelated pictures: no one to follow between them
            return max(candidates, key=size_and_centre, default=None)
        return self._tracker.choose(candidates, t)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl+C and SIGTERM back while MediaPipe loads and sets up its graph (they arrive on
    leaving). One that lands inside runs Python code from native code: CPython (3.11) then
    marks the interrupt unhandled, however it is caught, and ends the process by SIGINT
    instead of with the command's exit code and last line."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _to_pose(image_lms: list, world_lms: list, width: int, height: int) -> Pose:
    """Convert MediaPipe landmark lists into a Pose in source-frame pixels."""
    xy = np.array([[lm.x * width, lm.y * height] for lm in image_lms], dtype=np.float64)
    vis = np.array([lm.visibility if lm.visibility is not None else 0.0 for lm in image_lms])
    world = np.array([[lm.x, lm.y, lm.z] for lm in world_lms], dtype=np.float64)
    return Pose(xy=xy, visibility=vis, world=world, width=width, height=height)
