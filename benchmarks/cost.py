"""What monitoring costs: CPU share of one core, time per stage, memory, start-up, and the
pipeline's cost per frame against a bare MediaPipe PoseLandmarker loop over the same frames.

Usage, from the repository root:  python -m benchmarks.cost [--minutes 5] [--runs 3] [--hours 2]
                                  [--desktop-minutes 10]

A clip of the matplotlib portrait sitting mostly well (fixtures.make_sample, widened to a
webcam's 640x480) is monitored at the live monitor's default adaptive sampling, drawing the
overlay on every processed frame as `posture run` does. Every measurement runs in a fresh
process of its own, so memory and warm-up are never shared; figures are medians over the runs.
The two-hour session is simulated by looping the clip through one Pipeline with increasing
timestamps, reading resident memory at intervals. The desktop front end (the tray alone over
ten minutes, and the camera window at display rate) is measured by benchmarks.desktop_cost.
The pipeline's own measurements (per stage, the bare loop, memory, start-up) are in
benchmarks.pipeline_cost.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import (
    REPO,
    calibrate_video,
    default_sampling,
    generated_clip,
    machine,
    median,
)
from benchmarks.pipeline_cost import (
    STAGES,
    measure_growth,
    measure_session,
    measure_startup,
)
from posture.io.profiles import save_profile

CALIBRATION_S = 5.0  # the profile comes from the clip's first seconds, as `posture calibrate`

# Targets on the 2-core machine (issue "Benchmarks and targets").
TARGETS = {
    "cpu_share": 0.05,  # of one core, averaged over a session of mostly good posture
    "ratio_to_bare": 1.15,  # pipeline cost per processed frame / bare VIDEO-mode loop's
    "first_verdict_s": 3.0,  # from start to the first verdict (`posture run`)
    "peak_rss_mb": 400.0,
    "growth_mb_per_h": 2.0,  # "no growth": the long session's RSS slope after warm-up
    "tray_cpu_share": 0.02,  # the tray alone, no window, over ten minutes or more
}


def session_timeline(seconds: float) -> list[tuple[float, float]]:
    """Mostly good posture: one slouch over 60-70 % of the session, with 2 s transitions."""
    a, b = 0.60 * seconds, 0.70 * seconds
    return [(0.0, 0.0), (a, 0.0), (a + 2.0, 1.0), (b, 1.0), (b + 2.0, 0.0), (seconds, 0.0)]


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
    if name == "desktop":
        from benchmarks.desktop_cost import measure_desktop  # Qt only in this worker

        return measure_desktop(Path(args["clip"]), Path(args["profile"]), args["window"],
                               args["speed"])
    raise SystemExit(f"unknown worker {name!r}")


def summarize(sessions: Sequence[dict], paired: Sequence[dict], startup_analyze: Sequence[float],
              startup_run: Sequence[float], growth: dict | None,
              desktop: dict | None = None) -> dict:
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
        "desktop": desktop,
    }
    first = report["first_verdict_s"]["posture run"] or report["first_verdict_s"][
        "posture analyze"]
    figures = {"cpu_share": report["cpu_share_of_core"], "ratio_to_bare": report["ratio_to_bare"],
               "first_verdict_s": first, "peak_rss_mb": peak,
               "growth_mb_per_h": growth["slope_mb_per_h"] if growth else None,
               "tray_cpu_share": desktop["tray"]["cpu_share"] if desktop else None}
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
    if r.get("desktop"):
        from benchmarks.desktop_cost import format_desktop

        lines += format_desktop(r["desktop"])
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
    parser.add_argument("--desktop-minutes", type=float, default=10.0, help="the tray's "
                        "session length, with the window's cost beside it (0 to skip)")
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
        desktop = None
        if args.desktop_minutes > 0:
            from benchmarks.desktop_cost import measure_all

            desktop = measure_all(folder, env, args.desktop_minutes, args.runs, worker)
        report = summarize(sessions, paired, analyze, run, growth, desktop)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
