"""The cost benchmarks' plumbing on tiny inputs: every stage measured, memory readings and their
slope, start-up, the report, the camera-in-use scan (structure and sanity, not speed: figures
come from running the benchmarks on demand, see benchmarks/README.md)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import cv2
import pytest

from benchmarks import camera_scan, cost, pipeline_cost
from benchmarks.common import calibrate_video, generated_clip
from posture.io.profiles import save_profile


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory) -> tuple[Path, Path]:
    """An 8 s generated clip (sitting well, then slouching) and a profile from its first 3 s."""
    folder = tmp_path_factory.mktemp("short")
    clip = generated_clip(folder / "short.mp4", [(0.0, 0.0), (4.0, 0.0), (5.0, 1.0), (8.0, 1.0)],
                          fps=5, size=None)
    save_profile(calibrate_video(clip, 0.0, 3.0), folder / "profile.json")
    return clip, folder / "profile.json"


# ---- the pipeline's cost -------------------------------------------------------------------------

def test_generated_clip_has_webcam_frames(tmp_path):
    clip = generated_clip(tmp_path / "c.mp4", [(0.0, 0.0), (2.0, 1.0)], fps=5)
    capture = cv2.VideoCapture(str(clip))
    try:
        assert capture.get(cv2.CAP_PROP_FRAME_COUNT) == 10
        ok, frame = capture.read()
        assert ok and frame.shape == (480, 640, 3)
    finally:
        capture.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.mp4"]


def test_session_and_bare_loop_measure_every_stage(short_clip):
    clip, profile = short_clip
    session = pipeline_cost.measure_session(clip, profile)
    paired = pipeline_cost.measure_session(clip, profile, paired=True)
    for run in (session, paired):
        assert run["source_s"] == pytest.approx(8.0, abs=0.3)
        # 5 a second for 2 s after each change, 1 while good, 1.5 while slouched: of 40.
        assert 20 <= run["frames"] <= 30
        assert set(run["stage_cpu_s"]) == set(pipeline_cost.STAGES)
        assert all(v >= 0 for v in run["stage_cpu_s"].values())
        assert run["stage_cpu_s"]["pose"] > 0 and run["cpu_s"] > 0
        assert sum(run["verdicts"].values()) == run["frames"]
        assert run["peak_rss_mb"] >= run["rss_ready_mb"] > 0
    assert session["frames"] == paired["frames"]  # the same frames for both loops
    assert paired["bare"]["cpu_s"] > 0 and paired["bare"]["with_pose"] > 0.9 * paired["frames"]
    report = cost.summarize([session], [paired], [1.0], [1.2], None)
    for key in ("machine", "runs", "clip", "cpu_share_of_core", "cpu_s_per_minute",
                "cpu_share_at_rate", "stages", "pipeline_cpu_ms_per_frame",
                "paired_pipeline_cpu_ms_per_frame", "bare_cpu_ms_per_frame", "ratio_to_bare",
                "peak_rss_mb", "first_verdict_s", "growth", "targets"):
        assert key in report, key
    assert set(report["stages"]) == set(pipeline_cost.STAGES)
    assert set(report["targets"]) == set(cost.TARGETS)
    assert report["targets"]["growth_mb_per_h"]["met"] is None  # not measured here
    assert report["first_verdict_s"]["posture run"] == 1.2
    assert 0 < report["cpu_share_of_core"] < 1 and report["ratio_to_bare"] > 0.5
    text = cost.format_report(report)
    for name in list(pipeline_cost.STAGES) + list(cost.TARGETS):
        assert name in text


def test_long_session_memory_readings_and_slope(short_clip):
    growth = pipeline_cost.measure_growth(*short_clip, hours=0.005, every_s=5)
    assert growth["hours"] >= 0.005 and growth["frames"] >= 60  # 3 laps of at least 20 frames
    hours = [h for h, _ in growth["rss_mb"]]
    assert hours == sorted(hours) and len(hours) >= 4
    assert all(mb > 0 for _, mb in growth["rss_mb"])
    assert math.isfinite(growth["slope_mb_per_h"])
    assert growth["trimmed_end_mb"] is None or 0 < growth["trimmed_end_mb"] <= growth["peak_rss_mb"]
    assert pipeline_cost.growth_slope([(0.0, 300.0), (0.5, 100.0), (1.0, 101.0), (2.0, 103.0)],
                             warmup_h=0.5) == pytest.approx(2.0)


def test_startup_is_timed_to_the_first_verdict(tmp_path):
    env = {"PATH": "/usr/bin:/bin"}
    seconds = pipeline_cost.measure_startup(
        [sys.executable, "-c", "print('posture: loading'); print('{\"posture\": \"good\"}')"],
        env)
    assert 0 < seconds < 30
    with pytest.raises(RuntimeError, match="no verdict"):
        pipeline_cost.measure_startup([sys.executable, "-c", "print('nothing')"], env)


# ---- camera-in-use scan --------------------------------------------------------------------

def test_the_scan_benchmark_counts_the_processes_it_started():
    alone = camera_scan.measure(scans=2, processes=0, fds=1)
    crowded = camera_scan.measure(scans=2, processes=5, fds=3)
    assert crowded["processes_scanned"] >= alone["processes_scanned"] + 5 - 2  # others come and go
    assert crowded["cpu_ms_per_scan"] > 0 and crowded["wall_ms_per_scan"] > 0
    assert crowded["core_share_percent"] == pytest.approx(
        crowded["cpu_ms_per_scan"] / 1000 / crowded["poll_s"] * 100)
