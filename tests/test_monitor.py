"""The pipeline's own decisions on synthetic poses: camera moved, and the score it then holds."""

from __future__ import annotations

import dataclasses

import numpy as np

from posture.alerts import Absence
from posture.calibration import Baseline, build_profile, record
from posture.monitor import MOVED_S, Pipeline
from posture.score import SPREAD_FLOOR
from posture.sources import Frame
from posture.synthetic import Camera, Posture, synthesize


class SyntheticSitter:
    """Stands in for the pose model: the synthetic body, as posed by `posture_at(t)`."""

    def __init__(self, posture_at) -> None:
        self.posture_at = posture_at
        self.rng = np.random.default_rng(0)

    def estimate(self, image, t: float):
        posture = self.posture_at(t)
        return None if posture is None else synthesize(posture, Camera(), 1.0, self.rng)


def neutral_profile():
    rng = np.random.default_rng(1)
    return build_profile(record([(i * 0.2, synthesize(Posture(), Camera(), 1.0, rng))
                                 for i in range(25)]))


def run(profile, posture_at, seconds: float, fps: float = 5.0):
    pipeline = Pipeline(profile, SyntheticSitter(posture_at))
    return [pipeline.step(Frame(i / fps, i, None)) for i in range(int(seconds * fps))]


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
    slouch = run(profile, lambda t: Posture(trunk_flexion=25.0, neck_flexion=20.0), 60.0)
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
