"""`posture analyze --annotate`: the video with the overlay drawn on every processed frame."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from posture.core.errors import UserError
from posture.core.pipeline import FrameResult
from posture.io.overlay import MonitorView
from posture.io.paths import make_parent


class AnnotatedVideo:
    """Writes every processed frame, with the overlay drawn on, to a video file."""

    SUFFIXES = (".mp4", ".m4v", ".mov", ".avi", ".mkv")  # containers OpenCV writes mp4v into

    @classmethod
    def check_path(cls, path: Path) -> None:
        """UserError, before any work is done, when the video cannot be written at `path`."""
        if path.suffix.lower() not in cls.SUFFIXES or path.is_dir():
            raise UserError(f"cannot write the video {path}: give a file path ending in "
                            f"{', '.join(cls.SUFFIXES)}")

    def __init__(self, path: Path, fps: float, view: MonitorView) -> None:
        self.path = make_parent(path)  # once the source opened: no folder left by a bad one
        self.fps = fps
        self.view = view  # the state colours follow the alert policy, as `posture run`'s do
        self._writer: cv2.VideoWriter | None = None
        self._last: np.ndarray | None = None  # the previous drawn frame
        self._written = 0

    def write(self, image: np.ndarray, result: FrameResult) -> None:
        """Draw the overlay on one frame and append it; frames skipped by the sampling are
        filled with the previous drawn frame, so the video keeps the source's timing."""
        drawn = self.view.draw(image, result)
        while self._last is not None and self._written < round(result.t * self.fps):
            assert self._writer is not None
            self._writer.write(self._last)
            self._written += 1
        self._last = drawn
        if self._writer is None:
            h, w = drawn.shape[:2]
            self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"),
                                           self.fps, (w, h))
            if not self._writer.isOpened():
                raise UserError(f"cannot write the video {self.path}: choose a writable .mp4 "
                                "path")
        self._writer.write(drawn)
        self._written += 1

    def finish(self, frames: int | None) -> None:
        """Hold the last drawn frame to the source's end (`frames` long, when known), so the
        video lasts as long as the source even when its last frames were not sampled."""
        while self._writer is not None and self._last is not None and self._written < (frames or 0):
            self._writer.write(self._last)
            self._written += 1

    def close(self) -> None:
        """Finish the file."""
        if self._writer is not None:
            self._writer.release()
