"""The monitoring pipeline's cost, measured in the calling process: CPU and wall time per
stage, a bare MediaPipe PoseLandmarker loop over the same frames, resident memory over a long
session and its slope, and the seconds from a command's start to its first verdict.

benchmarks.cost runs each measurement in a fresh process of its own and prints the report.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import (
    REPO,
    default_sampling,
    malloc_trim,
    peak_rss_mb,
    rss_mb,
)
from posture.core.pipeline import Pipeline
from posture.io.estimator import PoseEstimator, model_path
from posture.io.library import load_library
from posture.io.overlay import MonitorView
from posture.io.profiles import load_profile
from posture.io.quiet import quiet_stderr
from posture.io.settings import Settings
from posture.io.sources import Frame, open_source

STAGES = ("decode", "pose", "metrics_and_score", "overlay")
RSS_EVERY_S = 600.0  # simulated seconds between memory readings in the long session
GROWTH_WARMUP_S = 600.0  # readings before this (simulated) time are left out of the slope
VERDICT = re.compile(r'"posture": "(good|slouched)"|posture: (good|slouched)\b')


@dataclass
class Stopwatch:
    """Process CPU time (all threads) and wall time spent in each named stage."""

    cpu: defaultdict[str, float]
    wall: defaultdict[str, float]

    @staticmethod
    def new() -> Stopwatch:
        return Stopwatch(defaultdict(float), defaultdict(float))

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the time spent inside the block to `name`."""
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            self.cpu[name] += time.process_time() - cpu
            self.wall[name] += time.perf_counter() - wall


class Monitor:
    """One Pipeline plus the overlay the live monitor draws, fed frame by frame and timed."""

    def __init__(self, profile_path: Path, estimator: PoseEstimator, watch: Stopwatch) -> None:
        settings = Settings()
        profile = load_profile(profile_path)
        library = load_library()
        self.estimator = estimator
        self.watch = watch
        self.pipeline = Pipeline(profile, library, settings.alerts, default_sampling())
        self.view = MonitorView(profile, library, settings.alerts)
        self.verdicts = {"good": 0, "slouched": 0, "none": 0}

    def step(self, frame: Frame) -> None:
        """The pose, Pipeline.step (metrics, score, alerts), then the overlay, each timed."""
        with self.watch.stage("pose"):
            pose = self.estimator.estimate(frame.image, frame.t)
        with self.watch.stage("metrics_and_score"):
            result = self.pipeline.step(frame.t, frame.index, pose)
        with self.watch.stage("overlay"):
            self.view.draw(frame.image, result)
        a = result.verdict
        self.verdicts[a.posture if a else "none"] += 1


def timed_frames(clip: Path, monitor: Monitor, offset: float = 0.0) -> Iterator[Frame]:
    """The clip's frames at the pipeline's adaptive rate, decoding timed, `offset` s later."""
    with open_source(clip, fps=monitor.pipeline.rate) as source:
        frames = iter(source)
        while True:
            with monitor.watch.stage("decode"):
                frame = next(frames, None)
            if frame is None:
                return
            yield Frame(frame.t + offset, frame.index, frame.image)
            source.fps = monitor.pipeline.rate


class BareLoop:
    """A bare PoseLandmarker VIDEO-mode loop (default options) over the same file: read each
    frame asked for (grabbing the ones between), convert to RGB, detect. No metrics, no drawing.
    """

    def __init__(self, clip: Path) -> None:
        import cv2
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path())),
            running_mode=vision.RunningMode.VIDEO)
        with quiet_stderr():
            self.landmarker = vision.PoseLandmarker.create_from_options(options)
        self.capture = cv2.VideoCapture(str(clip))
        self.fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.position = 0  # index of the next frame the capture will read
        self.watch = Stopwatch.new()
        self.found = 0

    def process(self, index: int) -> None:
        """Decode frame `index` and detect the pose in it, timed."""
        import cv2
        import mediapipe as mp

        with self.watch.stage("bare"):
            while self.position < index:
                self.capture.grab()
                self.position += 1
            ok, image = self.capture.read()
            self.position += 1
            if not ok:
                raise RuntimeError(f"the bare loop could not read frame {index}")
            rgb = mp.Image(image_format=mp.ImageFormat.SRGB,
                           data=cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
            result = self.landmarker.detect_for_video(rgb, round(index * 1000 / self.fps))
        self.found += bool(result.pose_landmarks)

    def close(self) -> None:
        self.capture.release()
        with quiet_stderr():
            self.landmarker.close()


def measure_session(clip: Path, profile_path: Path, paired: bool = False) -> dict:
    """Monitor the whole clip once: CPU and wall time per stage, frames used, peak memory.

    `paired` also sends every processed frame through a BareLoop right after the pipeline, so
    both see the same frames under the same machine load (the ratio); the pipeline's own CPU
    is the loop's minus the bare loop's. Memory figures then include the second landmarker.
    """
    watch = Stopwatch.new()
    bare = BareLoop(clip) if paired else None
    try:
        with PoseEstimator(video=True) as estimator:
            monitor = Monitor(profile_path, estimator, watch)
            rss_ready = rss_mb()
            frames, last_t = 0, 0.0
            cpu, wall = time.process_time(), time.perf_counter()
            for frame in timed_frames(clip, monitor):
                monitor.step(frame)
                if bare is not None:
                    bare.process(frame.index)
                frames += 1
                last_t = frame.t
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        if bare is not None:
            bare.close()
    with open_source(clip) as source:
        seconds = max(last_t, source.duration or 0.0)
    out = {"source_s": seconds, "frames": frames, "cpu_s": cpu, "wall_s": wall,
           "stage_cpu_s": {s: watch.cpu[s] for s in STAGES},
           "stage_wall_s": {s: watch.wall[s] for s in STAGES}, "verdicts": monitor.verdicts,
           "rss_ready_mb": rss_ready, "peak_rss_mb": peak_rss_mb([rss_ready])}
    if bare is not None:
        out["cpu_s"] -= bare.watch.cpu["bare"]
        out["wall_s"] -= bare.watch.wall["bare"]
        out["bare"] = {"cpu_s": bare.watch.cpu["bare"], "wall_s": bare.watch.wall["bare"],
                       "with_pose": bare.found}
    return out


def measure_growth(clip: Path, profile_path: Path, hours: float,
                   every_s: float = RSS_EVERY_S) -> dict:
    """A long session simulated by looping the clip through one Pipeline (timestamps keep
    increasing): resident memory every `every_s` simulated seconds and its slope; at the end,
    memory again after glibc's malloc_trim, which tells heap the allocator keeps from a leak."""
    watch = Stopwatch.new()
    samples: list[tuple[float, float]] = []
    frames = 0
    with PoseEstimator(video=True) as estimator:
        monitor = Monitor(profile_path, estimator, watch)
        with open_source(clip) as source:
            lap = source.duration or 1.0
        offset, next_sample = 0.0, 0.0
        while offset < hours * 3600:
            for frame in timed_frames(clip, monitor, offset):
                if frame.t >= next_sample:
                    samples.append((frame.t / 3600, rss_mb()))
                    next_sample += every_s
                monitor.step(frame)
                frames += 1
            offset += lap
        samples.append((offset / 3600, rss_mb()))
        trimmed = rss_mb() if malloc_trim() else None
    return {"hours": offset / 3600, "frames": frames, "rss_mb": samples,
            "slope_mb_per_h": growth_slope(samples), "trimmed_end_mb": trimmed,
            "peak_rss_mb": peak_rss_mb(mb for _, mb in samples)}


def growth_slope(samples: Sequence[tuple[float, float]],
                 warmup_h: float = GROWTH_WARMUP_S / 3600) -> float:
    """Least-squares slope (MB per hour) of the (hours, MB) readings after the warm-up (in a
    session too short for that, of every reading but the first)."""
    kept = [(h, mb) for h, mb in samples if h >= warmup_h]
    if len(kept) < 2:
        kept = list(samples[1:])
    if len(kept) < 2 or kept[-1][0] == kept[0][0]:
        return 0.0
    hours, mb = np.array(kept).T
    return float(np.polyfit(hours, mb, 1)[0])


def measure_startup(argv: Sequence[str], env: dict[str, str], timeout: float = 60.0) -> float:
    """Seconds from starting `argv` to its first verdict on stdout or stderr; the process is
    then stopped. Start-up is everything a user waits for: interpreter, imports, model, frame."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, env={**env, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    try:
        deadline = started + timeout
        for line in proc.stdout:
            if VERDICT.search(line):
                return time.perf_counter() - started
            if time.perf_counter() > deadline:
                break
        raise RuntimeError(f"no verdict from {' '.join(argv)}")
    finally:
        proc.terminate()
        proc.wait()
        proc.stdout.close()
