"""Frame sources: one function turns a camera index, video file, image or folder into frames.

Every source yields `Frame`s with a timestamp in seconds: from frame index and fps for files,
from a monotonic clock for cameras. `fps` caps how many frames per second of source time are
passed on (skipping by timestamp in files, pacing a camera). Problems the user can fix raise
`UserError` with one line that names the source and the fix.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posture.core.errors import UserError
from posture.io.console import say
from posture.io.paths import is_camera
from posture.io.quiet import quiet_stderr
from posture.io.settings import CAMERA_SIZE

# FFmpeg inside OpenCV explains every damaged packet on stderr; damage is reported in one line.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
IMAGE_FPS = 1.0  # a folder of stills is taken as one image per second of "source time"
DEFAULT_VIDEO_FPS = 30.0  # when a file does not say its frame rate


@dataclass(frozen=True)
class Frame:
    """One image from a source: `t` seconds into the source, `index` its position in it."""

    t: float
    index: int
    image: np.ndarray


class FrameSource:
    """An iterable of Frames with what callers need to know about where they come from."""

    def __init__(self, name: str, kind: str, native_fps: float, fps: float | None,
                 count: int | None = None) -> None:
        self.name = name
        self.kind = kind  # "camera", "video", "image" or "folder"
        self.native_fps = native_fps
        self.fps = fps  # may be changed while iterating: cameras and videos follow it
        self.count = count  # frames the source holds, if known
        self.capture_size: tuple[int, int] | None = None  # a camera's, known before a frame

    @property
    def duration(self) -> float | None:
        """Seconds of source time the source holds (None for a camera or an unknown length)."""
        return self.count / self.native_fps if self.count else None

    @property
    def is_camera(self) -> bool:
        """True for a live camera (wall-clock timestamps, no end)."""
        return self.kind == "camera"

    @property
    def continuous(self) -> bool:
        """True when consecutive frames follow each other in time (tracking applies)."""
        return self.kind in ("camera", "video")

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the underlying device or file."""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Schedule:
    """Which frames to pass on so that about `fps` frames a second of source time come through.

    Frames are kept against an ideal timetable (one due every 1/fps seconds), not by the gap
    since the last kept frame: with a 30 fps file, --fps 29.97 keeps every frame and --fps 7
    keeps 7 a second, where a minimum gap would keep 15 and 6. `fps` may change between frames
    (the adaptive rate); None or 0 keeps every frame.
    """

    def __init__(self, native_fps: float) -> None:
        self.frame_s = 1.0 / native_fps
        self._slot: float | None = None  # the timetable time of the last kept frame

    def keep(self, t: float, fps: float | None) -> bool:
        """True when the frame at `t` seconds is due (at the rate asked for now)."""
        if self._slot is not None and fps:
            due = self._slot + 1.0 / fps
            if t < due - self.frame_s / 2:
                return False
            # More than a period late (the rate was slower before): restart the timetable.
            self._slot = due if t - due < 1.0 / fps else t
        else:
            self._slot = t
        return True


class _Stills(FrameSource):
    """One image or a folder of images, each one frame, one second apart."""

    def __init__(self, name: str, paths: list[Path], fps: float | None) -> None:
        schedule = Schedule(IMAGE_FPS)
        self._paths = [(i, p) for i, p in enumerate(paths) if schedule.keep(i / IMAGE_FPS, fps)]
        kind = "folder" if len(paths) > 1 or Path(name).is_dir() else "image"
        super().__init__(name, kind, IMAGE_FPS, fps, len(paths))

    def __iter__(self) -> Iterator[Frame]:
        for index, path in self._paths:
            image = read_image(path)
            yield Frame(t=index / IMAGE_FPS, index=index, image=image)


class _Video(FrameSource):
    """A video file (or animated image) read with OpenCV; timestamps from index and fps."""

    def __init__(self, path: Path, fps: float | None) -> None:
        self._path = path
        with quiet_stderr():  # FFmpeg explains unreadable files at length on fd 2
            self._cap = cv2.VideoCapture(str(path))
            ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
        if not ok or first is None:
            self._cap.release()
            raise UserError(f"cannot read {path} as a video or image: "
                            "check the file is a complete, playable video (mp4, avi, webm, gif)")
        self._first = first
        native = self._cap.get(cv2.CAP_PROP_FPS)
        native = native if 1.0 <= native <= 1000.0 else DEFAULT_VIDEO_FPS
        count: int | None = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        count = count if count and 0 < count < 10**8 else None  # some formats do not say
        super().__init__(str(path), "video", native, fps, count)

    def __iter__(self) -> Iterator[Frame]:
        schedule = Schedule(self.native_fps)
        index = 0
        image: np.ndarray | None = self._first
        while True:
            t = index / self.native_fps
            keep = schedule.keep(t, self.fps)
            if image is None:
                if keep:
                    ok, image = self._cap.read()
                else:
                    ok = self._cap.grab()  # skipped frames are not converted
                if not ok:
                    self._ended(index)
                    return
            if keep:
                yield Frame(t=t, index=index, image=image)
            image = None
            index += 1

    def _ended(self, frames: int) -> None:
        """Say so when the file ends well before the frame count its header gives."""
        if self.count and frames < 0.95 * self.count:
            say(f"{self._path} ended after {frames} of its {self.count} frames: the file is "
                "damaged or incomplete; what could be read was used")

    def close(self) -> None:
        self._cap.release()


class Pacer:
    """Frames no more often than a rate, on the monotonic clock: the one place a camera is
    paced, by its source (`fps`) or by the live monitor's feed, which waits reading keys."""

    def __init__(self) -> None:
        self.last: float | None = None  # monotonic time of the last frame read

    def wait(self, fps: float | None, hold: Callable[[float], None] = time.sleep) -> None:
        """Pass the time (with `hold`) until the next frame is due at `fps` frames a second."""
        if fps and self.last is not None:
            delay = self.last + 1.0 / fps - time.monotonic()
            if delay > 0:
                hold(delay)

    def read(self) -> float:
        """Note that a frame was read now; the time it was read."""
        self.last = time.monotonic()
        return self.last


class _Camera(FrameSource):
    """A live camera: monotonic-clock timestamps, paced to at most `fps` frames a second,
    captured at `size` (width, height) or the nearest the camera offers."""

    def __init__(self, index: int, fps: float | None, size: tuple[int, int]) -> None:
        with quiet_stderr():
            self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            self._cap.release()
            raise UserError(f"camera {index} could not be opened: check it is connected and not "
                            "used by another program, or give a video file instead")
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        width, height = (int(self._cap.get(p)) for p in (cv2.CAP_PROP_FRAME_WIDTH,
                                                          cv2.CAP_PROP_FRAME_HEIGHT))
        native = self._cap.get(cv2.CAP_PROP_FPS)
        super().__init__(f"camera {index}", "camera",
                         native if native > 0 else DEFAULT_VIDEO_FPS, fps)
        self.capture_size = (width, height) if width > 0 and height > 0 else None

    def __iter__(self) -> Iterator[Frame]:
        start = time.monotonic()
        pacer = Pacer()
        index = 0
        while True:
            pacer.wait(self.fps)  # `fps` may change between frames (adaptive rate)
            ok, image = self._cap.read()
            if not ok:
                return
            yield Frame(t=pacer.read() - start, index=index, image=image)
            index += 1

    def close(self) -> None:
        self._cap.release()


def read_image(path: Path) -> np.ndarray:
    """Read one still image with OpenCV, keeping alpha and grayscale; UserError if unreadable."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise UserError(f"cannot read {path} as an image: check the file is a complete "
                        "PNG, JPEG, BMP, WebP or TIFF")
    return image


def open_source(spec: str | int | Path, fps: float | None = None,
                size: tuple[int, int] = CAMERA_SIZE) -> FrameSource:
    """Turn a source (camera index like 0, video file, image file, image folder) into frames;
    a camera captures at `size` (width, height)."""
    if fps is not None and fps <= 0:
        raise UserError(f"--fps {fps} is not allowed: give a positive number of frames per second")
    text = str(spec)
    if not text.strip():
        raise UserError("the source is empty: give a camera index such as 0, or a video, "
                        "image or folder path")
    if is_camera(text):
        return _Camera(int(text), fps, size)
    path = Path(text).expanduser()
    if not path.exists():
        raise UserError(f"no such file or folder: {path}: check the path, or give a camera "
                        "index such as 0")
    if path.is_dir():
        images = sorted(p for p in path.iterdir()
                        if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
        if not images:
            raise UserError(f"folder {path} holds no images: put .png or .jpg frames in it "
                            "(they are read in name order)")
        for image in images:  # a quick look at each file's header: fail now, not mid-run
            if image.stat().st_size == 0 or not cv2.haveImageReader(str(image)):
                raise UserError(f"cannot read {image} as an image: remove it from the folder "
                                "or replace it with a complete PNG, JPEG, BMP, WebP or TIFF")
        return _Stills(str(path), images, fps)
    if path.stat().st_size == 0:
        raise UserError(f"{path} is empty (0 bytes): record or copy the file again")
    if path.suffix.lower() in IMAGE_EXTENSIONS and not _animated(path):
        read_image(path)  # fail now, with the image message, not mid-run
        return _Stills(str(path), [path], fps)
    return _Video(path, fps)


def _animated(path: Path) -> bool:
    """True for an image file holding several frames (animated WebP): read it as a video."""
    if path.suffix.lower() != ".webp":
        return False
    try:
        return cv2.imcount(str(path)) > 1
    except cv2.error:
        return False
