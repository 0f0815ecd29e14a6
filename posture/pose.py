"""Pose estimation: MediaPipe PoseLandmarker behind a small class that returns plain `Pose` data.

The model bundle lives in models/ and is checked against its sha256 before loading. The native
library writes dozens of log lines to stderr on create and close; they are kept out of the
user's terminal by redirecting file descriptor 2 around those calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import cv2
import numpy as np

from posture.errors import UserError
from posture.quiet import quiet_stderr

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_NAME = "pose_landmarker_full.task"
REBUILD_HINT = "rebuild it with: python models/build_pose_model.py"
MAX_SIDE = 1280  # larger frames are downscaled before inference: landmarks do not improve
MIN_SIDE = 64  # smaller frames are upscaled: the detector needs a few pixels to work with
MAX_CANDIDATES = 3  # poses asked of the model in a still, so a passer-by can be told from the user
# Poses asked in VIDEO mode. MediaPipe skips its person detector only while it tracks as many
# people as asked: with 3 asked and one user in view the detector ran on every frame, 33 ms a
# frame instead of 21 ms (benchmarks/cost.py). Tracking one pose keeps following the user.
VIDEO_POSES = 1


class LM(IntEnum):
    """MediaPipe's 33 pose landmark indices."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_LANDMARKS = 33


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame.

    xy: (33, 2) pixel coordinates in the source frame; visibility: (33,) in 0..1;
    world: (33, 3) metres around the hips (MediaPipe's world landmarks); width, height: frame size.
    """

    xy: np.ndarray
    visibility: np.ndarray
    world: np.ndarray
    width: int
    height: int

    def visible(self, *indices: int, threshold: float = 0.5) -> bool:
        """True when every landmark named is visible with at least `threshold` confidence."""
        return bool(np.all(self.visibility[list(indices)] >= threshold))

    def mid(self, a: int, b: int) -> np.ndarray:
        """Pixel midpoint of two landmarks."""
        return (self.xy[a] + self.xy[b]) / 2.0

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the confidently seen landmarks (all of them if none are), within
        the frame (landmarks MediaPipe places outside it are guesses)."""
        seen = self.visibility >= 0.5
        pts = np.clip(self.xy[seen] if seen.any() else self.xy, 0, [self.width, self.height])
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


def model_path() -> Path:
    """Path of the bundled model, verified against its recorded sha256."""
    path = Path(os.environ.get("POSTURE_MODEL", MODELS_DIR / MODEL_NAME))
    sums = MODELS_DIR / (MODEL_NAME + ".sha256")
    if not path.is_file():
        raise UserError(f"pose model {path} is missing: {REBUILD_HINT}")
    if "POSTURE_MODEL" not in os.environ:
        expected = sums.read_text().split()[0] if sums.is_file() else None
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if expected != actual:
            raise UserError(f"pose model {path} is corrupt (checksum mismatch): {REBUILD_HINT}")
    return path


def to_bgr(frame: np.ndarray) -> np.ndarray:
    """Any OpenCV frame (gray, BGR, BGRA, 16-bit) as 3-channel BGR uint8, for drawing on."""
    img = frame
    if img.dtype != np.uint8:
        img = cv2.convertScaleAbs(img, alpha=255.0 / max(float(img.max()), 1.0))
    if img.ndim == 2 or img.shape[2] == 1:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    return img


def to_rgb(frame: np.ndarray) -> np.ndarray:
    """Convert any OpenCV frame (gray, BGR, BGRA, 16-bit) to RGB uint8 of a workable size
    (landmarks are normalized, so the scale applied needs no undoing)."""
    img = cv2.cvtColor(to_bgr(frame), cv2.COLOR_BGR2RGB)
    h, w = img.shape[:2]
    scale = 1.0
    if max(h, w) > MAX_SIDE:
        scale = MAX_SIDE / max(h, w)
    elif min(h, w) < MIN_SIDE:
        scale = MIN_SIDE / min(h, w)
    if scale != 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        img = cv2.resize(img, size, interpolation=interp)
    return np.ascontiguousarray(img)


def size_and_centre(pose: Pose) -> float:
    """How much a person looks like the user at the desk: large and near the middle.

    Centrality counts as much as size: a person at a quarter of the width from the edge must
    have about five times the area of a centred one to be taken for the user.
    """
    x0, y0, x1, y1 = pose.bbox()
    area = (x1 - x0) * (y1 - y0) / (pose.width * pose.height)
    offset = abs((x0 + x1) / 2 / pose.width - 0.5)
    return area * max(0.0, 1.0 - 2.0 * offset) ** 2


def body_scale(pose: Pose) -> float:
    """Size of the upper body in pixels, from the front or the side: the shoulder span and
    twice the reach from the shoulders up to the ears, combined (never near zero)."""
    shoulders = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    span = float(np.linalg.norm(pose.xy[LM.LEFT_SHOULDER] - pose.xy[LM.RIGHT_SHOULDER]))
    reach = float(np.linalg.norm(pose.mid(LM.LEFT_EAR, LM.RIGHT_EAR) - shoulders))
    return max(math.hypot(span, 2.0 * reach), 0.02 * math.hypot(pose.width, pose.height))


class UserTracker:
    """Follows the user among the people in view, consistently from frame to frame.

    The user is first the largest, most central person. After that only a person where the
    user was, and of the user's size, counts: the shoulders may move JUMP body sizes at once
    plus DRIFT a second, the body's size change by RESIZE at once plus RESIZE_RATE a second,
    for at most a second (leaning in is gradual; a passer-by stepping in front is a sudden
    jump in place or size).
    While the user is not found, nobody is reported: for HOLD_S seconds (or the next frame,
    however far apart frames are) only a person who can have moved there from where the user
    was is taken, then until LOST_S only a person at the
    user's place and size (a passer-by crossing in front is at most briefly there). After LOST_S
    the user is looked for afresh, so a new user at the desk is found.
    """

    HOLD_S = 3.0
    LOST_S = 30.0
    JUMP = 0.35
    DRIFT = 0.5
    RESIZE = 0.12
    RESIZE_RATE = 0.3
    HOME_RESIZE = 0.2

    def __init__(self) -> None:
        self._anchor: tuple[float, Pose] | None = None
        self._last_t: float | None = None  # the previous frame's time

    def choose(self, candidates: list[Pose], t: float) -> Pose | None:
        """The user's pose among this frame's candidates, or None."""
        previous, self._last_t = self._last_t, t
        if self._anchor is not None:
            seen_at, anchor = self._anchor
            dt = abs(t - seen_at)
            # Seen in the previous frame, however long ago (slow sampling): follow the motion.
            if dt <= self.HOLD_S or seen_at == previous:
                moving = min(dt, 1.0)  # the user comes back about where last seen
                found = self.match(candidates, anchor, self.JUMP + self.DRIFT * moving,
                                   self.RESIZE + self.RESIZE_RATE * moving)
            else:
                found = self.match(candidates, anchor, self.JUMP, self.HOME_RESIZE)
            if found is not None:
                self._anchor = (t, found)
                return found
            if dt <= self.LOST_S:
                return None
        if not candidates:
            return None
        user = max(candidates, key=size_and_centre)
        self._anchor = (t, user)
        return user

    @staticmethod
    def match(candidates: list[Pose], anchor: Pose, reach: float, resize: float) -> Pose | None:
        """The candidate nearest the anchor whose shoulders lie within `reach` body sizes of the
        anchor's and whose size differs by at most `resize` (a share), or None."""
        scale = body_scale(anchor)
        centre = anchor.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
        limit = math.log(1.0 + resize)

        def distance(p: Pose) -> float:
            return float(np.linalg.norm(p.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER) - centre))

        fits = [p for p in candidates
                if distance(p) <= reach * scale and abs(math.log(body_scale(p) / scale)) <= limit]
        return min(fits, key=distance, default=None)


class PoseEstimator:
    """MediaPipe PoseLandmarker: VIDEO mode (tracking) for sequences, IMAGE mode for stills.

    Use as a context manager; `estimate(frame, t)` returns the user's Pose or None.
    """

    def __init__(self, video: bool = True) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        self._video = video
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path())),
            running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
            num_poses=VIDEO_POSES if video else MAX_CANDIDATES,
        )
        with quiet_stderr():
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
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


def _to_pose(image_lms: list, world_lms: list, width: int, height: int) -> Pose:
    """Convert MediaPipe landmark lists into a Pose in source-frame pixels."""
    xy = np.array([[lm.x * width, lm.y * height] for lm in image_lms], dtype=np.float64)
    vis = np.array([lm.visibility if lm.visibility is not None else 0.0 for lm in image_lms])
    world = np.array([[lm.x, lm.y, lm.z] for lm in world_lms], dtype=np.float64)
    return Pose(xy=xy, visibility=vis, world=world, width=width, height=height)
