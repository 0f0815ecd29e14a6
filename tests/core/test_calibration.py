"""Calibration: gates and per-user thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from posture.core.calibration import build_profile, record, unsteady, usable
from posture.core.errors import UserError
from posture.core.metrics import measure
from posture.core.score import HEAD_LOWERED, assess
from tests.conftest import FEEDBACK
from tests.synthetic import Camera, Posture, synthesize


def neutral_recording(n: int = 25, camera: Camera | None = None, seed: int = 0, **posture):
    camera = camera or Camera()
    rng = np.random.default_rng(seed)
    return record([(i * 0.2, synthesize(Posture(**posture), camera, noise_px=1.0, rng=rng))
                   for i in range(n)])


def test_gates_reject_poor_frames():
    moving = []
    rng = np.random.default_rng(0)
    for i in range(10):
        pose = synthesize(Posture(lateral_lean=(-1) ** i * 8.0), Camera(), rng=rng)
        moving.append((i * 0.1, pose))
    rec = record(moving)
    assert rec.rejected["moving"] >= 8
    far = record([(0.0, synthesize(Posture(), Camera(distance=4.0)))])
    assert far.rejected["too far from the camera"] == 1
    nobody = record([(0.0, None), (1.0, None)])
    assert nobody.rejected["nobody in view"] == 2
    with pytest.raises(UserError, match="nobody in view"):
        build_profile(nobody, feedback=FEEDBACK)


def test_slouch_recording_sets_thresholds_between_the_two_never_below_the_minimum():
    """A deep slouch recording moves the head-drop threshold halfway to it, so a milder drop
    is no longer a problem for this user; a slouch too mild to clear the physical minimum twice
    over leaves the minimum in place (never more sensitive than HEAD_LOWERED)."""
    deep = build_profile(neutral_recording(), neutral_recording(seed=1, neck_flexion=50.0),
                         feedback=FEEDBACK)
    assert set(deep.thresholds) == {"head_drop"}
    assert HEAD_LOWERED < deep.thresholds["head_drop"] < 0.7
    default = build_profile(neutral_recording(), feedback=FEEDBACK)
    assert default.thresholds == {}
    mild_drop = synthesize(Posture(neck_flexion=25.0), Camera())
    assert assess(measure(mild_drop), default).problems == ("head_drop",)
    assert assess(measure(mild_drop), deep).posture == "good"
    mild = build_profile(neutral_recording(), neutral_recording(seed=1, neck_flexion=20.0),
                         feedback=FEEDBACK)
    assert mild.thresholds == {}


def test_an_unsteady_recording_is_saved_with_a_note():
    moving = record([(i * 0.2, synthesize(Posture(lateral_lean=8.0 * (i % 2)), Camera()))
                     for i in range(30)] + [(6.0 + i * 0.2, synthesize(Posture(), Camera()))
                                            for i in range(8)])
    assert unsteady(moving) and "moving" in usable(moving, FEEDBACK)
    assert not unsteady(neutral_recording())
