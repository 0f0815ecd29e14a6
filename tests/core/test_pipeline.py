"""The pipeline's own decisions on synthetic poses: verdicts, score, prompts and sampling rate
frame by frame, the camera-moved signal and the score it then holds, and the profile's view."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from posture.core.alerts import Absence, AlertSettings
from posture.core.calibration import build_profile, record
from posture.core.errors import UserError
from posture.core.minutes import MinuteAggregator
from posture.core.pipeline import MOVED_S, FrameResult, Pipeline
from posture.core.profile import Baseline, Profile
from posture.core.sampling import Sampling
from posture.core.score import SPREAD_FLOOR
from posture.io.library import load_library
from tests.conftest import FEEDBACK
from tests.synthetic import Camera, Posture, synthesize

LIBRARY = load_library()
SLOUCH = Posture(trunk_flexion=25.0, neck_flexion=20.0)
FRONT = Camera()


def neutral_profile(camera: Camera = FRONT) -> Profile:
    rng = np.random.default_rng(1)
    return build_profile(record([(i * 0.2, synthesize(Posture(), camera, 1.0, rng))
                                 for i in range(25)]), feedback=FEEDBACK)


def run(profile: Profile, posture_at, seconds: float, fps: float = 5.0,
        camera: Camera = FRONT, **kwargs) -> list[FrameResult]:
    """The pipeline over a synthetic sitter posed by `posture_at(t)` (None: nobody)."""
    pipeline = Pipeline(profile, LIBRARY, **kwargs)
    rng = np.random.default_rng(0)
    results = []
    for i in range(int(seconds * fps)):
        posture = posture_at(i / fps)
        pose = None if posture is None else synthesize(posture, camera, 1.0, rng)
        results.append(pipeline.step(i / fps, i, pose))
    return results


def test_verdicts_score_and_prompt_follow_the_sitter():
    results = run(neutral_profile(), lambda t: Posture() if t < 20 or t >= 70 else SLOUCH, 100.0)
    assert [r.frame for r in results[:3]] == [0, 1, 2] and results[1].t == pytest.approx(0.2)
    good = [r for r in results if r.t < 20]
    assert all(r.assessment.posture == "good" and r.score == 0.0 for r in good)
    slouched = [r for r in results if 21 <= r.t < 70]
    assert all(r.assessment.posture == "slouched" for r in slouched)
    assert all(b.score >= a.score for a, b in zip(slouched, slouched[1:], strict=False))
    assert slouched[-1].score > 90
    prompts = [r for r in results if r.prompt is not None]
    assert [p.prompt.kind for p in prompts] == ["posture"]
    assert 20 + AlertSettings.onset_s <= prompts[0].t <= 20 + AlertSettings.onset_s + 1
    recovered = [r.score for r in results if r.t >= 70]
    assert recovered[-1] < recovered[0] and recovered[-1] == 0.0  # falls once sitting well
    record = json.loads(json.dumps(prompts[0].to_json()))
    assert record["posture"] == "slouched" and record["prompt"]["kind"] == "posture"
    assert record["view"] == "front" and record["person"] is True


def test_nobody_in_view_holds_the_score_and_gives_no_verdict():
    results = run(neutral_profile(), lambda t: SLOUCH if t < 20 else None, 30.0)
    away = [r for r in results if r.t > 20.1]
    assert all(r.pose is None and r.assessment is None for r in away)
    assert len({r.score for r in away}) == 1 and away[0].score > 0


def test_the_rate_follows_how_long_posture_has_held():
    sampling = Sampling(settled=0.25, slow=1.0, bad=2.0, fast=8.0)
    pipeline = Pipeline(neutral_profile(), LIBRARY, sampling=sampling)
    rng = np.random.default_rng(0)
    rates = {}
    for i in range(250):  # 50 s at 5 frames a second: good for 40 s, then slouched
        t = i / 5
        pipeline.step(t, i, synthesize(Posture() if t < 40 else SLOUCH, Camera(), 1.0, rng))
        rates[round(t, 1)] = pipeline.rate
    assert rates[0.0] == rates[1.8] == 8.0  # just started: fast
    assert rates[10.0] == 1.0 and rates[35.0] == 0.25  # good, then settled
    assert rates[40.6] == 8.0 and rates[45.0] == 2.0  # slouched: fast, then the bad rate


def test_a_profile_for_the_other_view_stops_with_one_clear_line():
    side = Camera(yaw=90.0, distance=1.2)
    with pytest.raises(UserError, match="calibrated with a front camera.*seen from the side"):
        run(neutral_profile(), lambda t: Posture(), 5.0, camera=side)
    # Uncalibrated, the population defaults of the view in sight are used instead.
    results = run(Profile.defaults("front"), lambda t: Posture(), 5.0, camera=side)
    assert {r.assessment.view for r in results if r.assessment} == {"side"}


def test_every_metric_shifted_at_once_is_a_moved_camera_and_the_score_holds():
    profile = neutral_profile()
    # As if the camera moved after calibration: every metric far from its calibrated centre.
    shifted = dataclasses.replace(profile, baseline={
        k: Baseline(b.centre + 8 * max(b.spread, SPREAD_FLOOR[k]), b.spread)
        for k, b in profile.baseline.items()})
    results = run(shifted, lambda t: Posture(), 60.0)
    moved = [r for r in results if r.camera_moved]
    assert moved and abs(moved[0].t - MOVED_S) <= 0.5
    assert all(r.prompt is None or r.prompt.kind != "posture" for r in moved)
    assert len({round(r.score, 6) for r in moved}) == 1  # held, not climbing
    # The user's own slouch is not a moved camera.
    slouch = run(profile, lambda t: SLOUCH, 60.0)
    assert not any(r.camera_moved for r in slouch)
    assert slouch[-1].score > 90


def test_an_absence_long_enough_is_a_break():
    absence = Absence(break_s=120.0)
    assert absence.update(0.0, True) is None
    assert absence.update(10.0, False) is None
    assert absence.update(100.0, True) is None  # 90 s away: a glance at the phone
    absence.update(200.0, False)
    assert absence.update(330.0, True) == (200.0, 330.0)
    absence.update(400.0, False)
    assert absence.finish(450.0) is None and absence.since is None
    absence.update(500.0, False)
    assert absence.finish(700.0) == (500.0, 700.0)  # the session ended during a break


def test_an_adaptively_sampled_hour_is_recorded_whole():
    """An hour (25 min good, 10 slouched, 25 good) sampled at the adaptive rates, as the live
    monitor asks for frames, adds up to an hour in the minutes the history keeps, 50/60 good:
    settled frames come 3 s apart and each is credited its whole gap (with a 2 s cap the
    hour shrank to 43 minutes, 76.9 % good)."""
    sampling = Sampling()
    pipeline = Pipeline(neutral_profile(), LIBRARY, sampling=sampling)
    minutes = MinuteAggregator(sampling.stall_s)
    rng = np.random.default_rng(0)
    done, t, i, good_frames = [], 0.0, 0, 0
    while t < 3600.0:
        good_frames += t < 1500.0
        posture = SLOUCH if 1500.0 <= t < 2100.0 else Posture()
        r = pipeline.step(t, i, synthesize(posture, FRONT, 1.0, rng))
        v = r.verdict
        done += minutes.add(t, True, v.posture if v else None, v.problems if v else (), r.score)
        t, i = t + 1.0 / pipeline.rate, i + 1
    done += minutes.finish(3600.0)
    assert good_frames < 1500 / 2.5  # settled: mostly a frame every 3 s
    monitored = sum(m.monitored_s for m in done)
    good = sum(m.good_s for m in done)
    assert monitored == pytest.approx(3600.0, abs=1.0)
    assert good / monitored == pytest.approx(50 / 60, abs=0.005)


def test_frames_while_the_camera_moved_carry_no_verdict():
    """Once the camera has moved the result's verdict is None, and so is every output made
    from it: the JSON record's posture, problems and severity."""
    profile = neutral_profile()
    # Far enough for the cues' physical minimums: the calibrated nose 40 % higher than seen.
    shifted = dataclasses.replace(profile, baseline={
        k: Baseline(b.centre + 20 * max(b.spread, SPREAD_FLOOR[k]), b.spread)
        for k, b in profile.baseline.items()})
    results = run(shifted, lambda t: Posture(), 30.0)
    before = [r for r in results if not r.camera_moved]
    moved = [r for r in results if r.camera_moved]
    assert before and moved
    assert all(r.verdict is r.assessment and r.verdict.posture == "slouched" for r in before)
    assert all(r.assessment is not None and r.verdict is None for r in moved)
    record = moved[-1].to_json()
    assert (record["posture"], record["problems"], record["severity"]) == (None, [], 0.0)
    assert record["camera_moved"] is True and record["metrics"]
