"""Metrics and problems on the synthetic body, whose posture is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from posture.core.calibration import build_profile, record
from posture.core.metrics import detect_view, measure
from posture.core.pose import LM
from posture.core.score import SPREAD_FLOOR, assess
from tests.conftest import FEEDBACK
from tests.synthetic import Camera, Posture, synthesize

# Each problem, the posture parameter that causes it, a small and a moderate magnitude.
CASES = {
    "head_drop": ("neck_flexion", 4.0, 20.0),
    "forward_head": ("head_protraction", 0.01, 0.05),
    "rounded_shoulders": ("shoulder_protraction", 0.01, 0.05),
    "shoulder_elevation": ("shoulder_elevation", 0.008, 0.03),
    "slouch": ("trunk_flexion", 3.0, 15.0),
    "lateral_lean": ("lateral_lean", 2.0, 10.0),
}


def calibrated(camera: Camera | None = None, seed: int = 1):
    """A profile calibrated on 5 s of the neutral sitter with 1 px of landmark noise."""
    camera = camera or Camera()
    rng = np.random.default_rng(seed)
    poses = [(i * 0.2, synthesize(Posture(), camera, noise_px=1.0, rng=rng)) for i in range(25)]
    return build_profile(record(poses), feedback=FEEDBACK)


def judge(posture: Posture, profile, camera: Camera | None = None, seed: int = 2):
    """Assess one noisy frame of `posture` against `profile`."""
    camera = camera or Camera()
    rng = np.random.default_rng(seed)
    return assess(measure(synthesize(posture, camera, noise_px=1.0, rng=rng)), profile)


@pytest.mark.parametrize("problem", CASES)
def test_each_problem_found_at_moderate_magnitude_not_at_small(problem):
    profile = calibrated()
    parameter, small, moderate = CASES[problem]
    weak = judge(Posture(**{parameter: small}), profile)
    strong = judge(Posture(**{parameter: moderate}), profile)
    assert problem not in weak.problems
    assert weak.posture == "good"
    assert problem in strong.problems
    assert strong.posture == "slouched"
    assert strong.severity > weak.severity


def test_neutral_posture_is_good_across_noise():
    profile = calibrated()
    for seed in range(20):
        a = judge(Posture(), profile, seed=seed)
        assert a.posture == "good", a.signals


def test_rounded_shoulders_told_apart_from_forward_head():
    profile = calibrated()
    rounded = judge(Posture(shoulder_protraction=0.06), profile)
    forward = judge(Posture(head_protraction=0.06), profile)
    assert "rounded_shoulders" in rounded.problems and "forward_head" not in rounded.problems
    assert "forward_head" in forward.problems and "rounded_shoulders" not in forward.problems


def test_head_turn_is_not_slouching():
    profile = calibrated()
    assert judge(Posture(head_yaw=30.0), profile).posture == "good"


def test_severity_grows_with_the_deviation():
    profile = calibrated()
    sev = [judge(Posture(neck_flexion=a), profile).severity for a in (0.0, 10.0, 20.0, 35.0)]
    assert sev == sorted(sev)
    assert sev[0] == 0.0 and sev[-1] > 0.8


@pytest.mark.parametrize("change", [
    {"distance": 0.65 * 0.7}, {"distance": 0.65 * 1.3},
    {"width": 320, "height_px": 240}, {"width": 1280, "height_px": 960},
])
def test_metrics_hold_when_nearer_farther_or_rescaled(change):
    """Every metric but the scale cue stays within one spread floor."""
    base = measure(synthesize(Posture(), Camera())).values
    moved = measure(synthesize(Posture(), Camera(**change))).values
    assert set(base) == set(moved) == {"head_height", "ear_height", "face_size", "neck_length",
                                       "head_pitch", "shoulder_tilt", "head_offset", "span_scale"}
    for name in base:
        if name == "span_scale":  # the one cue that is meant to follow distance
            continue
        # Perspective shifts a little; well under one floor, a third of a problem's threshold.
        assert moved[name] == pytest.approx(base[name], abs=SPREAD_FLOOR[name]), name


def test_nose_height_matches_real_upright_people():
    # About 0.5 shoulder widths on real upright webcam footage (shared/data PROVENANCE).
    values = measure(synthesize(Posture(), Camera())).values
    assert 0.4 < values["head_height"] < 0.6
    dropped = measure(synthesize(Posture(neck_flexion=30.0), Camera())).values
    assert dropped["head_height"] < values["head_height"] - 0.15


def test_unsure_landmarks_are_left_out():
    pose = synthesize(Posture(), Camera())
    vis = pose.visibility.copy()
    vis[[LM.LEFT_EAR, LM.RIGHT_EAR]] = 0.1
    blind = type(pose)(pose.xy, vis, pose.world, pose.width, pose.height)
    values = measure(blind).values
    assert "head_height" in values
    assert not {"ear_height", "face_size", "neck_length", "head_pitch"} & values.keys()


def test_side_camera_is_recognised():
    assert detect_view(synthesize(Posture(), Camera())) == "front"
    assert detect_view(synthesize(Posture(), Camera(yaw=45.0))) == "front"
    assert detect_view(synthesize(Posture(), Camera(yaw=90.0))) == "side"
    assert detect_view(synthesize(Posture(), Camera(yaw=-90.0))) == "side"


@pytest.mark.parametrize("yaw", [90.0, -90.0])
def test_side_view_finds_hunching_and_forward_head(yaw):
    camera = Camera(yaw=yaw, distance=1.6)
    profile = calibrated(camera)
    assert profile.view == "side"
    assert judge(Posture(), profile, camera).posture == "good"
    hunched = judge(Posture(trunk_flexion=20.0, neck_flexion=10.0), profile, camera)
    assert "slouch" in hunched.problems
    poked = judge(Posture(neck_flexion=25.0), profile, camera)
    assert poked.posture == "slouched"
