"""The pipeline driver on real footage: the pose model over the sample clip feeding the pure
pipeline at the adaptive rate, as `posture analyze` runs it, and the calibration recording."""

from __future__ import annotations

import dataclasses
import json

import pytest

from fixtures.make_fixtures import make_sample
from posture.app.cli import main
from posture.app.driver import Summary, calibration_frames, run_pipeline
from posture.core.calibration import build_profile
from posture.core.pipeline import MOVED_S, Pipeline
from posture.core.profile import Baseline
from posture.core.sampling import Sampling
from posture.core.score import SPREAD_FLOOR
from posture.io.estimator import PoseEstimator
from posture.io.library import load_library
from posture.io.profiles import save_profile
from posture.io.sources import open_source
from tests.conftest import FEEDBACK, SAMPLE


@pytest.fixture(scope="module")
def profile():
    with open_source(SAMPLE) as source:
        recording = calibration_frames(source, 0.0, 6.0)
    assert recording.seen == 30 and len(recording.measurements) >= 25  # 6 s at 5 fps, gated
    return build_profile(recording, feedback=FEEDBACK)


def test_the_sample_clip_at_the_adaptive_rate(profile):
    summary = Summary()
    with open_source(SAMPLE, fps=Sampling().fast) as source:
        results = []
        for frame, result in run_pipeline(source, profile, sampling=Sampling()):
            assert (result.t, result.frame) == (frame.t, frame.index)
            results.append(result)
            summary.add(result)
    indexes = [r.frame for r in results]
    assert indexes[0] == 0 and indexes == sorted(set(indexes))
    assert 30 <= len(results) < 150  # fewer than every frame: steady posture is looked at less
    upright = [r for r in results if r.t < 8]
    slouched = [r for r in results if 12 <= r.t < 22]
    assert all(r.assessment.posture == "good" and r.score == 0.0 for r in upright)
    assert sum(r.assessment.posture == "slouched" for r in slouched) >= 0.8 * len(slouched)
    peak = max(r.score for r in results)
    assert peak > 25 and results[-1].score < peak  # rises with the slouch, falls after it
    gaps = [b.t - a.t for a, b in zip(results, results[1:], strict=False)]
    assert min(gaps) == pytest.approx(0.2) and max(gaps) >= 0.6  # fast after changes, then slower
    assert summary.frames == len(results) and summary.assessed == len(results)
    assert f"good posture: {100 * summary.good / summary.assessed:.0f}%" in summary.text()


def test_the_driver_is_the_pipeline_over_the_models_poses(profile):
    """run_pipeline adds the model and nothing else: the same poses stepped through a
    Pipeline by hand give the same results."""
    with open_source(SAMPLE, fps=1.0) as source:
        driven = [result for _, result in run_pipeline(source, profile)]
    pipeline = Pipeline(profile, load_library())
    with open_source(SAMPLE, fps=1.0) as source, PoseEstimator(video=True) as estimator:
        by_hand = [pipeline.step(f.t, f.index, estimator.estimate(f.image, f.t)) for f in source]
    assert [r.to_json() for r in driven] == [r.to_json() for r in by_hand]
    assert len(driven) == 30


def test_analyze_judges_no_frame_while_the_camera_has_moved(profile, tmp_path, capsys):
    """A profile as if the camera had moved since calibrating (every metric far off): after
    MOVED_S, analyze's JSON Lines carry no verdict (as run records none) and its summary
    counts those frames as not judged, not as slouched."""
    shifted = dataclasses.replace(profile, baseline={
        k: Baseline(b.centre + 8 * max(b.spread, SPREAD_FLOOR[k]), b.spread)
        for k, b in profile.baseline.items()})
    path, out = tmp_path / "moved.json", tmp_path / "out.jsonl"
    save_profile(shifted, path)
    clip = make_sample(tmp_path / "upright.mp4", [(0.0, 0.0), (30.0, 0.0)])
    assert main(["analyze", str(clip), "--profile", str(path), "--fps", "2", "--jsonl",
                 str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    moved = [r for r in records if r["camera_moved"]]
    assert moved and moved[0]["t"] == pytest.approx(MOVED_S, abs=0.5)
    assert all(r["posture"] is None and r["problems"] == [] for r in moved)
    judged = [r for r in records if r["posture"] is not None]
    assert len(judged) + len(moved) == len(records)
    summary = capsys.readouterr().out
    assert f"of {len(judged)} assessed frames" in summary
    assert f"{len(moved)} frames were not judged because the camera had moved" in summary
