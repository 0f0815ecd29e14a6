"""The benchmarks' own arithmetic and plumbing on tiny inputs: structure and sanity, not speed
(figures come from running the benchmarks on demand, see benchmarks/README.md)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks import accuracy, camera_scan, cost
from benchmarks.accuracy import Confusion, Entry, ManifestError, Outcome, load_manifest
from benchmarks.common import calibrate_video, generated_clip
from benchmarks.guide import MANIFEST as GUIDE_MANIFEST
from benchmarks.guide import Tally, parse_manifest
from benchmarks.guide import run as run_benchmark
from posture.core.checks.positions import POSITION_CHECKS
from posture.io.profiles import save_profile
from tests.conftest import DATA, FIXTURES, needs_data

SAMPLE = FIXTURES / "sample_desk.mp4"  # 30 s at 5 fps: good, slouched from 10 s to 22 s, good


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory) -> tuple[Path, Path]:
    """An 8 s generated clip (sitting well, then slouching) and a profile from its first 3 s."""
    folder = tmp_path_factory.mktemp("short")
    clip = generated_clip(folder / "short.mp4", [(0.0, 0.0), (4.0, 0.0), (5.0, 1.0), (8.0, 1.0)],
                          fps=5, size=None)
    save_profile(calibrate_video(clip, 0.0, 3.0), folder / "profile.json")
    return clip, folder / "profile.json"


# ---- accuracy ----------------------------------------------------------------------------------

def test_balanced_accuracy_precision_recall_on_a_hand_made_table():
    c = Confusion(tp=8, fn=2, fp=1, tn=9)
    assert c.recall == pytest.approx(0.8)
    assert c.specificity == pytest.approx(0.9)
    assert c.balanced_accuracy == pytest.approx(0.85)
    assert c.precision == pytest.approx(8 / 9)
    # No verdict counts as "not slouched": a silent monitor misses a slouch, never nags.
    pairs = [("slouched", "slouched")] * 8 + [("slouched", None), ("slouched", "good")] + \
        [("good", "slouched")] + [("good", "good")] * 8 + [("good", None)]
    assert Confusion.of(pairs, "slouched") == c
    assert c + Confusion(tp=1) == Confusion(tp=9, fn=2, fp=1, tn=9)
    upright = Confusion(fp=1, tn=3)  # only good frames: balanced accuracy is the specificity
    assert upright.recall is None and upright.precision == 0.0
    assert upright.balanced_accuracy == pytest.approx(0.75)
    assert Confusion().balanced_accuracy is None


def test_false_prompts_and_time_to_prompt_from_label_ranges():
    entry = Entry(name="clip", calibration=accuracy.Calibration(()),
                  ranges=((0.0, 30.0, "good"), (30.0, 60.0, "slouched"),
                          (62.0, math.inf, "good")))
    outcome = Outcome(entry, frames=[], prompts=[5.0, 45.0, 63.0, 90.0], seconds=100.0)
    # 45 s is the slouch's prompt; 63 s is within the grace after it; 5 s and 90 s are false.
    assert outcome.false_prompts == 2
    assert outcome.time_to_prompt() == [15.0]
    assert outcome.upright_s == pytest.approx(30.0 + 38.0)
    assert accuracy.label_at(entry.ranges, 61.0) is None  # transitions are not scored
    assert accuracy.label_at(entry.ranges, 99.0) == "good"


def write_manifest(path: Path, entries: list) -> Path:
    path.write_text(json.dumps({"format": accuracy.MANIFEST_FORMAT, "version": 1,
                                "entries": entries}))
    return path


def clip_entry(**changes) -> dict:
    """A manifest entry for the sample clip (the data folder is fixtures/)."""
    entry = {"name": "sample", "file": "sample_desk.mp4",
             "calibration": {"start": 0, "seconds": 5},
             "labels": [[0, 8, "good"], [10, 22, "slouched"], [24, None, "good"]]}
    return {**entry, **changes}


def tiny_image() -> np.ndarray:
    """A grey 8x8 picture: enough for the loader, which only checks that files exist."""
    return np.full((8, 8, 3), 128, np.uint8)


def test_manifest_loader_reads_videos_stills_and_generated_clips(tmp_path):
    folder = tmp_path / "data"
    (folder / "stills").mkdir(parents=True)
    for name in ("a.png", "b.png", "c.png"):
        cv2.imwrite(str(folder / "stills" / name), tiny_image())
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)
    manifest = write_manifest(tmp_path / "m.json", [
        clip_entry(),
        {"name": "stills", "file": "stills", "labels": {"a.png": "good", "c.png": "slouched"},
         "calibration": {"file": ["stills/a.png", "stills/b.png"]}},
        {"name": "made", "generate": {"timeline": [[0, 0], [60, 0]], "fps": 5},
         "calibration": {"seconds": 5}, "labels": [[0, None, "good"]], "upright_only": True},
    ])
    video, stills_entry, made = load_manifest(manifest, folder)
    assert video.file == folder / "sample_desk.mp4"
    assert video.ranges[1] == (10.0, 22.0, "slouched") and video.ranges[2][1] == math.inf
    assert video.calibration.files == (video.file,) and video.calibration.seconds == 5.0
    assert stills_entry.images == {folder / "stills" / "a.png": "good",
                                   folder / "stills" / "c.png": "slouched"}
    assert stills_entry.calibration.stills and stills_entry.targets
    assert made.file is None and made.generate[-1] == (60.0, 0.0) and made.upright_only


@pytest.mark.parametrize(("change", "message"), [
    ({"labels": [[0, 8, "hunched"]]}, "label 'hunched' is not one of good, slouched"),
    ({"labels": [[8, 2, "good"]]}, "start < end"),
    ({"file": "missing.mp4"}, "missing.mp4 does not exist"),
    ({"calibration": {"start": 0}}, "needs one \"file\" and \"seconds\""),
    ({"upright_only": True}, "cannot have slouched labels"),
    ({"labels": {"x.png": "good"}}, "need \"file\" to be a folder"),
    ({"generate": {"timeline": [[0, 0], [9, 1]]}}, "exactly one of"),
])
def test_manifest_loader_rejects_a_broken_entry_naming_it(tmp_path, change, message):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)
    manifest = write_manifest(tmp_path / "m.json",
                              [clip_entry(name="fine"), clip_entry(name="broken", **change)])
    with pytest.raises(ManifestError) as err:
        load_manifest(manifest, folder)
    text = str(err.value)
    assert "entry 2 (broken)" in text and message in text, text


def test_manifest_loader_refuses_to_score_the_only_calibration_image(tmp_path):
    folder = tmp_path / "data"
    (folder / "stills").mkdir(parents=True)
    cv2.imwrite(str(folder / "stills" / "a.png"), tiny_image())
    manifest = write_manifest(tmp_path / "m.json", [
        {"name": "self", "file": "stills", "labels": {"a.png": "good"},
         "calibration": {"file": "stills/a.png"}}])
    with pytest.raises(ManifestError, match="a.png is the only calibration image"):
        load_manifest(manifest, folder)
    with pytest.raises(ManifestError, match="data folder .* not found"):
        load_manifest(manifest, tmp_path / "nowhere")
    (tmp_path / "junk.json").write_text("{\"entries\": []}")
    with pytest.raises(ManifestError, match="not a posture accuracy manifest"):
        load_manifest(tmp_path / "junk.json", folder)


@needs_data
def test_the_shipped_manifest_loads_against_the_shared_data():
    entries = load_manifest(accuracy.MANIFEST, DATA)
    assert len({e.name for e in entries}) == len(entries) >= 10
    # Labels that are another program's guess stay out of the targets.
    separate = {e.name for e in entries if not e.targets}
    assert {"side-view-app-recording", "standing-webcam"} <= separate


def test_accuracy_on_the_sample_clip(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)
    (entry,) = load_manifest(write_manifest(tmp_path / "m.json", [clip_entry()]), folder)
    outcome = accuracy.evaluate(entry, tmp_path)
    assert outcome.error is None
    labels = [label for _, label, _ in outcome.frames]
    assert labels.count("good") > 0 and labels.count("slouched") > 0
    assert all(0 <= t < 30 for t, _, _ in outcome.frames)
    c = outcome.confusion
    assert c.tp + c.fn + c.fp + c.tn == len(outcome.frames)
    assert c.balanced_accuracy is not None and c.balanced_accuracy >= 0.8
    assert outcome.seconds == pytest.approx(30.0, abs=0.3)
    # A 12 s slouch is shorter than the alert's onset: no prompt, and none is false.
    assert outcome.false_prompts == 0 and outcome.time_to_prompt() == [None]
    report = accuracy.summarize([outcome])
    assert set(report) == {"entries", "groups", "targets", "not_evaluated"}
    assert set(report["targets"]) == {"balanced_accuracy", "false_prompts"}
    figures = report["entries"][0]
    for key in ("frames", "coverage", "confusion", "balanced_accuracy", "precision", "recall",
                "false_prompts_per_hour", "time_to_prompt_s", "upright_s"):
        assert key in figures
    text = accuracy.format_report(report)
    assert "sample:" in text and "balanced accuracy" in text and "targets:" in text


def test_an_entry_the_program_refuses_is_reported_not_crashed(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)
    # Calibrating on the slouched stretch only, then nothing: too few frames is refused.
    (entry,) = load_manifest(write_manifest(tmp_path / "m.json", [
        clip_entry(calibration={"start": 40, "seconds": 5})]), folder)
    outcome = accuracy.evaluate(entry, tmp_path)
    assert outcome.error is not None and "calibration failed" in outcome.error
    report = accuracy.summarize([outcome])
    assert report["targets"]["false_prompts"]["met"] is False
    assert "not evaluated" in accuracy.format_report(report)


# ---- cost --------------------------------------------------------------------------------------

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
    session = cost.measure_session(clip, profile)
    paired = cost.measure_session(clip, profile, paired=True)
    for run in (session, paired):
        assert run["source_s"] == pytest.approx(8.0, abs=0.3)
        # 5 a second for 2 s after each change, 1 while good, 1.5 while slouched: of 40.
        assert 20 <= run["frames"] <= 30
        assert set(run["stage_cpu_s"]) == set(cost.STAGES)
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
    assert set(report["stages"]) == set(cost.STAGES)
    assert set(report["targets"]) == set(cost.TARGETS)
    assert report["targets"]["growth_mb_per_h"]["met"] is None  # not measured here
    assert report["first_verdict_s"]["posture run"] == 1.2
    assert 0 < report["cpu_share_of_core"] < 1 and report["ratio_to_bare"] > 0.5
    text = cost.format_report(report)
    for name in list(cost.STAGES) + list(cost.TARGETS):
        assert name in text


def test_long_session_memory_readings_and_slope(short_clip):
    growth = cost.measure_growth(*short_clip, hours=0.005, every_s=5)
    assert growth["hours"] >= 0.005 and growth["frames"] >= 60  # 3 laps of at least 20 frames
    hours = [h for h, _ in growth["rss_mb"]]
    assert hours == sorted(hours) and len(hours) >= 4
    assert all(mb > 0 for _, mb in growth["rss_mb"])
    assert math.isfinite(growth["slope_mb_per_h"])
    assert growth["trimmed_end_mb"] is None or 0 < growth["trimmed_end_mb"] <= growth["peak_rss_mb"]
    assert cost.growth_slope([(0.0, 300.0), (0.5, 100.0), (1.0, 101.0), (2.0, 103.0)],
                             warmup_h=0.5) == pytest.approx(2.0)


def test_startup_is_timed_to_the_first_verdict(tmp_path):
    env = {"PATH": "/usr/bin:/bin"}
    seconds = cost.measure_startup(
        [sys.executable, "-c", "print('posture: loading'); print('{\"posture\": \"good\"}')"],
        env)
    assert 0 < seconds < 30
    with pytest.raises(RuntimeError, match="no verdict"):
        cost.measure_startup([sys.executable, "-c", "print('nothing')"], env)


# ---- the guided stretch benchmark ---------------------------------------------------------

def test_benchmark_tally_arithmetic():
    tally = Tally(Confusion(tp=8, fp=2, tn=30, fn=2), judged=40, frames=42, reps_counted=2,
                  reps_done=3)
    report = tally.report()
    assert report["precision"] == 0.8 and report["recall"] == 0.8
    assert report["balanced_accuracy"] == round((0.8 + 30 / 32) / 2, 3)
    assert report["judged_share"] == round(40 / 42, 3)
    assert Tally().report()["balanced_accuracy"] is None


def test_benchmark_scores_the_same_session_as_the_command(tmp_path):
    """A synthetic entry with a bent press labelled out of position and a reach labelled in:
    the harness counts what the guide's Session says, frame by frame, outside the margins."""
    doc = {"format": "posture-guide-manifest", "entries": [
        {"name": "reach", "stretch": "overhead_reach", "camera": {"distance": 1.2}, "reps": 1,
         "segments": [[2, "rest", False], [22, "reach", True], [5, "bent_press", False]]},
        {"name": "recording", "stretch": "butterfly", "source": "nowhere.mp4", "reps": 1,
         "in_position": [[1.0, 4.0]]}]}
    entries = parse_manifest(doc, tmp_path)
    assert entries[0].ranges == ((2.0, 24.0),) and entries[1].source == tmp_path / "nowhere.mp4"
    report = run_benchmark(entries)
    reach = report["entries"]["reach"]
    assert reach["balanced_accuracy"] > 0.95 and reach["reps_counted"] == 1
    assert "skipped" in report["entries"]["recording"]
    with pytest.raises(ValueError, match="unknown posture"):
        parse_manifest({**doc, "entries": [{**doc["entries"][0], "segments": [[1, "x", True]]}]},
                       tmp_path)


def test_the_shipped_benchmark_manifest_parses_and_covers_every_check():
    entries = parse_manifest(json.loads(GUIDE_MANIFEST.read_text()), DATA)
    assert {e.stretch for e in entries} == set(POSITION_CHECKS)


# ---- camera-in-use scan --------------------------------------------------------------------

def test_the_scan_benchmark_counts_the_processes_it_started():
    alone = camera_scan.measure(scans=2, processes=0, fds=1)
    crowded = camera_scan.measure(scans=2, processes=5, fds=3)
    assert crowded["processes_scanned"] >= alone["processes_scanned"] + 5 - 2  # others come and go
    assert crowded["cpu_ms_per_scan"] > 0 and crowded["wall_ms_per_scan"] > 0
    assert crowded["core_share_percent"] == pytest.approx(
        crowded["cpu_ms_per_scan"] / 1000 / crowded["poll_s"] * 100)
