"""What the live monitor costs on a desktop: the real `posture run` front end (tray icon, and
the camera window when shown) and its monitor thread, over a generated session.

Run by `benchmarks.cost` (one fresh process per measurement). The frames are decoded before
the clock starts and handed over from memory, each re-encoded as a JPEG and decoded when it is
read, as a webcam's MJPEG frames are: a file would also decode the frames the adaptive rate
skips, which a camera never delivers. The X server (Xvfb, with trayer as the tray host when
installed) is measured apart: a real desktop's compositor costs more or less than it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from posture.app.live.desktop import Desktop
from posture.app.live.monitor import LiveMonitor, Options
from posture.io.qt_app import start_application
from posture.io.settings import Settings, apply_overrides
from posture.io.sources import Frame, FrameSource, Schedule
from tests import desktop

JPEG_QUALITY = 90
TRAY_SPEED = 5.0  # the tray session is played this many times faster than real time
WINDOW_MINUTES = 2.0  # the window is measured over this long, in real time
WINDOW_CLIP_FPS = 15.0  # above the window's display rate


class MemoryClip(FrameSource):
    """A clip's frames as JPEGs in memory, decoded only when read at the rate asked (`fps`)."""

    def __init__(self, path: Path) -> None:
        capture = cv2.VideoCapture(str(path))
        native = capture.get(cv2.CAP_PROP_FPS)
        self.jpegs: list[bytes] = []
        while True:
            ok, image = capture.read()
            if not ok:
                break
            self.jpegs.append(cv2.imencode(".jpg", image,
                                           [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])[1].tobytes())
        capture.release()
        super().__init__(str(path), "video", native, None, len(self.jpegs))
        self.read = 0  # frames handed over so far

    def __iter__(self) -> Iterator[Frame]:
        schedule = Schedule(self.native_fps)
        for index, jpeg in enumerate(self.jpegs):
            t = index / self.native_fps
            if schedule.keep(t, self.fps):
                image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
                self.read += 1
                yield Frame(t=t, index=index, image=image)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_desktop(clip: Path, profile: Path, window: bool, speed: float) -> dict:
    """Monitor the clip with the desktop front end (the window shown from the start when
    `window`); CPU of this process and of the X server, per second of the clip."""
    reason = desktop.missing("Xvfb", "xwininfo")
    if reason:
        raise RuntimeError(f"cannot measure the desktop: {reason}")
    display, xvfb = desktop.start_xvfb()
    trayer = None if desktop.missing("trayer") else desktop.start_trayer(display)
    os.environ["DISPLAY"] = display
    try:
        app, problem = start_application()
        if problem is not None:
            raise RuntimeError(problem)
        source = MemoryClip(clip)
        config = apply_overrides(Settings(), window=True, enabled=False)
        monitor = LiveMonitor(config, Options(str(clip), profile, speed=speed),
                              opener=lambda spec: source)
        front = Desktop(monitor, app)
        pictures: list[float] = []
        shown = monitor.show_picture
        monitor.show_picture = lambda image: (pictures.append(monitor.feed.clock.t),
                                              shown(image))[1]
        started: dict[str, float] = {}

        def first_verdict(status) -> None:  # the clock starts once the model is loaded
            if status.score is not None and not started:
                started.update(cpu=time.process_time(), x=cpu_seconds(xvfb.pid),
                               wall=time.perf_counter(), t=monitor.feed.clock.t,
                               read=source.read)

        monitor.board.listeners.append(first_verdict)
        if window:
            front.show_asked.emit()
        front.run()
        cpu = time.process_time() - started["cpu"]
        x_cpu = cpu_seconds(xvfb.pid) - started["x"]
        wall = time.perf_counter() - started["wall"]
        seconds = len(source.jpegs) / source.native_fps - started["t"]
        return {"window": window, "tray": trayer is not None, "source_s": seconds,
                "speed": speed, "wall_s": wall, "cpu_s": cpu, "x_cpu_s": x_cpu,
                "pictures": len(pictures), "picture_fps": len(pictures) / seconds,
                "frames_read": source.read - started["read"]}
    finally:
        desktop.stop(trayer)
        desktop.stop(xvfb)


def measure_all(folder: Path, env: dict[str, str], minutes: float, runs: int,
                worker: Callable[..., dict]) -> dict:
    """The tray alone over a mostly good session of `minutes` (played TRAY_SPEED times
    faster: its cost is per frame, and wall-clock work is negligible) and the window at
    display rate over WINDOW_MINUTES of good posture in real time, each `runs` times in a
    fresh process; the medians."""
    from benchmarks.common import calibrate_video, generated_clip, median
    from benchmarks.cost import CALIBRATION_S, session_timeline
    from posture.io.profiles import save_profile

    fast = Settings().monitor.fps_active
    tray_clip = generated_clip(folder / "tray.mp4", session_timeline(60 * minutes), fast)
    window_clip = generated_clip(folder / "window.mp4",
                                 [(0.0, 0.0), (60.0 * WINDOW_MINUTES, 0.0)], WINDOW_CLIP_FPS)
    profile = folder / "desktop-profile.json"
    save_profile(calibrate_video(tray_clip, 0.0, CALIBRATION_S), profile)
    found: dict[str, list[dict]] = {"tray": [], "window": []}
    for i in range(runs):
        print(f"desktop run {i + 1}/{runs}...", file=sys.stderr, flush=True)
        found["tray"].append(worker("desktop", env, clip=str(tray_clip), profile=str(profile),
                                    window=False, speed=TRAY_SPEED))
        found["window"].append(worker("desktop", env, clip=str(window_clip),
                                      profile=str(profile), window=True, speed=1.0))
    return {name: {"cpu_share": median([r["cpu_s"] / r["source_s"] for r in rs]),
                   "x_share": median([r["x_cpu_s"] / r["source_s"] for r in rs]),
                   "picture_fps": median([r["picture_fps"] for r in rs]),
                   "frames_read": median([r["frames_read"] for r in rs]),
                   "source_s": rs[0]["source_s"], "tray_host": rs[0]["tray"]}
            for name, rs in found.items()}


def format_desktop(d: dict) -> list[str]:
    """Lines for the report: the tray alone and the window at display rate."""
    tray, window = d["tray"], d["window"]
    host = "" if tray["tray_host"] else " (no tray host installed: trayer)"
    return [
        f"desktop, tray icon only{host}: {100 * tray['cpu_share']:.2f} % of one core over "
        f"{tray['source_s'] / 60:.0f} min of mostly good posture ({tray['frames_read']:.0f} "
        f"frames read, each decoded once as a webcam's), X server "
        f"{100 * tray['x_share']:.2f} %",
        f"desktop, camera window shown: {100 * window['cpu_share']:.2f} % of one core at "
        f"{window['picture_fps']:.1f} pictures a second, X server {100 * window['x_share']:.2f} %",
    ]
