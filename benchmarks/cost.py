"""What monitoring costs: CPU share of one core, time per stage, memory, start-up, and the
pipeline's cost per frame against a bare MediaPipe PoseLandmarker loop over the same frames.

Usage, from the repository root:  python -m benchmarks.cost [--minutes 5] [--runs 3] [--hours 2]

A clip of the matplotlib portrait sitting mostly well (fixtures.make_sample, widened to a
webcam's 640x480) is monitored at the live monitor's default adaptive sampling, drawing the
overlay on every processed frame as `posture run` does. Every measurement runs in a fresh
process of its own, so memory and warm-up are never shared; figures are medians over the runs.
The two-hour session is simulated by looping the clip through one Pipeline with increasing
timestamps, reading resident memory at intervals.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import (
    REPO,
    calibrate_video,
    default_sampling,
    generated_clip,
    machine,
    malloc_trim,
    median,
    peak_rss_mb,
    rss_mb,
)
from posture.core.pipeline import Pipeline
from posture.io.estimator import PoseEstimator, model_path
from posture.io.library import load_library
from posture.io.overlay import MonitorView
from posture.io.profiles import load_profile, save_profile
from posture.io.quiet import quiet_stderr
from posture.io.settings import Settings
from posture.io.sources import Frame, open_source

STAGES = ("decode", "pose", "metrics_and_score", "overlay")
CALIBRATION_S = 5.0  # the profile comes from the clip's first seconds, as `posture calibrate`
RSS_EVERY_S = 600.0  # simulated seconds between memory readings in the long session
GROWTH_WARMUP_S = 600.0  # readings before this (simulated) time are left out of the slope
VERDICT = re.compile(r'"posture": "(good|slouched)"|posture: (good|slouched)\b')

# Targets on the 2-core machine (issue "Benchmarks and targets").
TARGETS = {
    "cpu_share": 0.05,  # of one core, averaged over a session of mostly good posture
    "ratio_to_bare": 1.15,  # pipeline cost per processed frame / bare VIDEO-mode loop's
    "first_verdict_s": 3.0,  # from start to the first verdict (`posture run`)
    "peak_rss_mb": 400.0,
    "growth_mb_per_h": 2.0,  # "no growth": the long session's RSS slope after warm-up
}


def session_timeline(seconds: float) -> list[tuple[float, float]]:
    """Mostly good posture: one slouch over 60-70 % of the session, with 2 s transitions."""
    a, b = 0.60 * seconds, 0.70 * seconds
    return [(0.0, 0.0), (a, 0.0), (a + 2.0, 1.0), (b, 1.0), (b + 2.0, 0.0), (seconds, 0.0)]


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
           "rss_ready_mb": rss_ready, "peak_rss_mb": peak_rss_mb()}
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
            "peak_rss_mb": peak_rss_mb()}


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


def worker(name: str, env: dict[str, str], **kwargs: object) -> dict:
    """Run one measurement in a fresh process of this module; its JSON result."""
    argv = [sys.executable, "-m", "benchmarks.cost", "--worker", name, "--args",
            json.dumps(kwargs)]
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def run_worker(name: str, args: dict) -> dict:
    """The measurement a worker process was started for."""
    if name == "session":
        return measure_session(Path(args["clip"]), Path(args["profile"]), args["paired"])
    if name == "growth":
        return measure_growth(Path(args["clip"]), Path(args["profile"]), args["hours"])
    raise SystemExit(f"unknown worker {name!r}")


def summarize(sessions: Sequence[dict], paired: Sequence[dict], startup_analyze: Sequence[float],
              startup_run: Sequence[float], growth: dict | None) -> dict:
    """The report: medians over the runs, per-stage costs, the ratio to the bare loop (from
    the paired runs), memory, start-up, and each target met or missed."""
    s0 = sessions[0]
    frames = s0["frames"]
    per_frame = [s["cpu_s"] / s["frames"] for s in sessions]
    bare_per_frame = [p["bare"]["cpu_s"] / p["frames"] for p in paired]
    ratios = [p["cpu_s"] / p["bare"]["cpu_s"] for p in paired]
    share = [s["cpu_s"] / s["source_s"] for s in sessions]
    sampling = default_sampling()
    stages = {st: {"cpu_ms_per_frame": 1000 * median([s["stage_cpu_s"][st] / s["frames"]
                                                      for s in sessions]),
                   "wall_ms_per_frame": 1000 * median([s["stage_wall_s"][st] / s["frames"]
                                                       for s in sessions])}
              for st in STAGES}
    peak = max([s["peak_rss_mb"] for s in sessions] + ([growth["peak_rss_mb"]] if growth else []))
    report = {
        "machine": machine(),
        "runs": len(sessions),
        "clip": {"seconds": s0["source_s"], "frames_processed": frames,
                 "processed_fps": frames / s0["source_s"], "verdicts": s0["verdicts"]},
        "cpu_share_of_core": median(share),
        "cpu_s_per_minute": 60 * median(share),
        "cpu_share_at_rate": {f"{rate:g} fps": rate * median(per_frame)
                              for rate in (sampling.slow, sampling.fast)},
        "stages": stages,
        "pipeline_cpu_ms_per_frame": 1000 * median(per_frame),
        "paired_pipeline_cpu_ms_per_frame": 1000 * median([p["cpu_s"] / p["frames"]
                                                           for p in paired]),
        "bare_cpu_ms_per_frame": 1000 * median(bare_per_frame),
        "ratio_to_bare": median(ratios),
        "peak_rss_mb": peak,
        "first_verdict_s": {"posture run": median(startup_run) if startup_run else None,
                            "posture analyze": median(startup_analyze)},
        "growth": growth,
    }
    first = report["first_verdict_s"]["posture run"] or report["first_verdict_s"][
        "posture analyze"]
    figures = {"cpu_share": report["cpu_share_of_core"], "ratio_to_bare": report["ratio_to_bare"],
               "first_verdict_s": first, "peak_rss_mb": peak,
               "growth_mb_per_h": growth["slope_mb_per_h"] if growth else None}
    report["targets"] = {k: {"value": v, "limit": TARGETS[k],
                             "met": None if v is None else v <= TARGETS[k]}
                         for k, v in figures.items()}
    return report


def format_report(r: dict) -> str:
    """The report as lines for a terminal."""
    m, c = r["machine"], r["clip"]
    lines = [
        f"machine: {m['cpu']}, {m['cores']} cores, {m['system']}, Python {m['python']}, "
        f"mediapipe {m['mediapipe']}, OpenCV {m['opencv']}",
        f"clip: {c['seconds']:.0f} s, {c['frames_processed']} frames processed "
        f"({c['processed_fps']:.2f} a second), verdicts {c['verdicts']}; medians of "
        f"{r['runs']} runs",
        f"CPU: {100 * r['cpu_share_of_core']:.2f} % of one core "
        f"({r['cpu_s_per_minute']:.2f} CPU s per minute of monitoring); at a steady rate: "
        + ", ".join(f"{k} {100 * v:.1f} %" for k, v in r["cpu_share_at_rate"].items()),
        "per processed frame (CPU ms / wall ms):",
    ]
    for name, st in r["stages"].items():
        lines.append(f"  {name:<18} {st['cpu_ms_per_frame']:7.2f} / {st['wall_ms_per_frame']:7.2f}")
    lines += [
        f"pipeline {r['paired_pipeline_cpu_ms_per_frame']:.2f} ms/frame vs bare VIDEO-mode "
        f"PoseLandmarker loop {r['bare_cpu_ms_per_frame']:.2f} ms/frame over the same frames "
        f"(paired runs): ratio {r['ratio_to_bare']:.3f}",
        f"peak memory: {r['peak_rss_mb']:.0f} MB",
        "first verdict: " + ", ".join(f"{k} {v:.2f} s" for k, v in r["first_verdict_s"].items()
                                      if v is not None),
    ]
    g = r["growth"]
    if g:
        readings = ", ".join(f"{h:.2f} h {mb:.0f} MB" for h, mb in g["rss_mb"])
        lines.append(f"long session ({g['hours']:.2f} h simulated, {g['frames']} frames): RSS "
                     f"{readings}; slope after warm-up {g['slope_mb_per_h']:+.2f} MB/h")
        if g["trimmed_end_mb"] is not None:
            lines.append(f"  at the end after malloc_trim (heap handed back to the system): "
                         f"{g['trimmed_end_mb']:.0f} MB")
    lines.append("targets:")
    for name, t in r["targets"].items():
        verdict = "not measured" if t["met"] is None else ("met" if t["met"] else "MISSED")
        value = "-" if t["value"] is None else f"{t['value']:.3f}"
        lines.append(f"  {name:<16} {value:>9} (limit {t['limit']:g}): {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Generate the clip, run every measurement in its own process, print the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="session clip length "
                        "(at least 1)")
    parser.add_argument("--runs", type=int, default=3, help="runs to take medians over")
    parser.add_argument("--hours", type=float, default=2.0, help="simulated long session for "
                        "memory growth (0 to skip)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker, json.loads(args.args))))
        return 0
    if args.minutes < 1:
        parser.error("--minutes must be at least 1: the issue asks for a clip of a minute or more")
    with tempfile.TemporaryDirectory(prefix="posture-cost-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "POSTURE_HOME": str(folder / "home")}
        # Frames at the fast rate, so both rates take exact frames and the file decodes about
        # as many frames as a camera delivers (a camera decodes only the frames read).
        clip = generated_clip(folder / "session.mp4", session_timeline(60 * args.minutes),
                              default_sampling().fast)
        profile = folder / "profile.json"
        save_profile(calibrate_video(clip, 0.0, CALIBRATION_S), profile)
        sessions, paired, analyze, run = [], [], [], []
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs}...", file=sys.stderr, flush=True)
            sessions.append(worker("session", env, clip=str(clip), profile=str(profile),
                                   paired=False))
            paired.append(worker("session", env, clip=str(clip), profile=str(profile),
                                 paired=True))
            analyze.append(measure_startup([sys.executable, "-m", "posture.app.cli", "analyze",
                                            str(clip), "--profile", str(profile), "--jsonl", "-"],
                                           env))
            run.append(measure_startup([sys.executable, "-m", "posture.app.cli", "run", "--source",
                                        str(clip), "--profile", str(profile), "--no-window",
                                        "--mute"], env))
        growth = None
        if args.hours > 0:
            print(f"simulating a {args.hours:g} h session...", file=sys.stderr, flush=True)
            growth = worker("growth", env, clip=str(clip), profile=str(profile),
                            hours=args.hours)
        report = summarize(sessions, paired, analyze, run, growth)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
