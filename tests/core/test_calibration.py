"""Calibration: gates and per-user thresholds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from posture.core.calibration import (
    MIN_FRAMES,
    CalibrationFailed,
    build_profile,
    gate,
    record,
    unsteady,
    usable,
)
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
    far = record([(0.0, synthesize(Posture(), Camera(distance=d))) for d in (3.5, 5.0)])
    assert far.rejected["too far from the camera"] == 1 and len(far.measurements) == 1
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


def test_a_recording_of_two_postures_is_refused_and_a_few_odd_frames_are_not():
    """Half the frames upright and half slouched: refused, naming the reason; one frame in
    ten slouched (a glance down, a noisy detection) still makes the upright profile."""
    rng = np.random.default_rng(0)
    slouch = Posture(trunk_flexion=25.0, neck_flexion=20.0)

    def sitter(slouched_every: int):
        return record([(i * 1.0, synthesize(slouch if i % slouched_every == 0 else Posture(),
                                            Camera(), 1.0, rng)) for i in range(30)],
                      continuous=False)

    with pytest.raises(CalibrationFailed, match="mixes postures") as refused:
        build_profile(sitter(2), feedback=FEEDBACK)
    assert refused.value.reason == "mixed postures"
    assert FEEDBACK["mixed postures"] in str(refused.value)
    upright = build_profile(neutral_recording(), feedback=FEEDBACK)
    mostly = build_profile(sitter(10), feedback=FEEDBACK)
    for name, base in upright.baseline.items():
        assert abs(mostly.baseline[name].centre - base.centre) <= 3 * max(base.spread, 1e-3), name


def test_per_user_thresholds_change_the_verdict_between_the_two_postures():
    """A deep slouch recording moves the threshold halfway to the user's own slouch (never below
    the physical minimum): some milder head drops that the defaults call slouched are then good
    for this user, and nothing is judged slouched that the defaults call good."""
    good = neutral_recording()
    tuned = build_profile(good, neutral_recording(seed=1, neck_flexion=50.0), feedback=FEEDBACK)
    plain = build_profile(good, feedback=FEEDBACK)
    assert tuned.thresholds and not plain.thresholds
    verdicts = set()
    for flexion in np.arange(0.0, 50.01, 1.0):
        m = measure(synthesize(Posture(neck_flexion=float(flexion)), Camera()))
        verdicts.add((assess(m, plain).posture, assess(m, tuned).posture))
    assert ("slouched", "good") in verdicts
    assert ("good", "slouched") not in verdicts
    assert ("slouched", "slouched") in verdicts  # the user's own slouch is still caught


def test_a_frame_off_centre_is_refused_and_a_centred_one_kept():
    pose = synthesize(Posture(), Camera())
    assert gate(pose, None, 0.0) is None
    for shift in (-0.42, 0.42):  # the shoulders' centre at 8 % and 92 % of the width
        moved = dataclasses.replace(pose, xy=pose.xy + [shift * pose.width, 0.0])
        assert gate(moved, None, 0.0) == "off-centre"


def test_too_few_usable_frames_make_no_profile():
    """Fewer usable frames than MIN_FRAMES (or than the source has, for a few stills) fail,
    saying how many were usable and why the others were not."""
    sitter = [(i * 0.2, synthesize(Posture(), Camera())) for i in range(MIN_FRAMES - 1)]
    short = record(sitter + [(1.0 + i * 0.2, None) for i in range(6)])
    with pytest.raises(CalibrationFailed, match=f"only {MIN_FRAMES - 1} of {MIN_FRAMES + 5} "
                       "frames were usable \\(6 nobody in view\\)") as failed:
        build_profile(short, feedback=FEEDBACK)
    assert failed.value.reason == "nobody in view"
    assert build_profile(record(sitter), feedback=FEEDBACK).frames == MIN_FRAMES - 1  # all


def test_one_odd_frame_does_not_move_the_baseline():
    """The centre is the median: one frame in twenty far off (a glance down) leaves it where
    the others are; a mean would move it a twentieth of the way."""
    rng = np.random.default_rng(3)
    still = [(float(i), synthesize(Posture(), Camera(), 1.0, rng)) for i in range(19)]
    odd = (19.0, synthesize(Posture(neck_flexion=25.0), Camera(), 1.0, rng))
    plain = build_profile(record(still, continuous=False), feedback=FEEDBACK)
    with_odd = build_profile(record([*still, odd], continuous=False), feedback=FEEDBACK)
    odd_value = measure(odd[1]).values["head_pitch"]
    centre = plain.baseline["head_pitch"].centre
    shift = abs(with_odd.baseline["head_pitch"].centre - centre)
    assert shift < 0.2 * abs(odd_value - centre) / 20
