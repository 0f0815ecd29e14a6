"""The stretch position checks on the synthetic body, pose by pose: in position, out of it,
held, sides, and the stretches no camera can judge."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture.core.checks.positions import POSITION_CHECKS, check
from posture.core.checks.reference import Reference
from posture.core.checks.sides import side_of
from posture.core.pose import LM
from tests.poses import (
    ARMS_FORWARD,
    BUTTERFLY,
    CHIN_IN_HANDS,
    CROSSED_ARMS,
    ELBOW_DROPPED,
    ELBOWS,
    ELBOWS_DOWN,
    ELBOWS_DOWN_TOGETHER,
    ELBOWS_OPEN,
    FAR,
    GOAL_POST,
    HANDS_ON_HEAD,
    HANDS_ON_HIPS,
    HIGH,
    INTERLOCKED,
    LEAN_LEFT,
    LEAN_RIGHT,
    LIBRARY,
    LOW,
    NEAR,
    NOD,
    ONE_ARM,
    PALMS_TOGETHER,
    REACH,
    SHRUG,
    SLOUCH_EYES_UP,
    SQUEEZE,
    TILT_LEFT,
    TILT_RIGHT,
    TRICEPS,
    TWIST_LEFT,
    TWIST_RIGHT,
    WIDE,
    mirror,
    pose_of,
    reference,
    swap,
)
from tests.synthetic import Arm, Camera, Posture


def test_every_checkable_stretch_has_a_check_and_no_other():
    assert set(POSITION_CHECKS) == {s.id for s in LIBRARY.stretches.values() if s.checkable}


POSITIONS = [
    # stretch, posture, camera, expected
    ("overhead_reach", REACH, NEAR, True),
    ("overhead_reach", REACH, FAR, True),
    ("overhead_reach", INTERLOCKED, FAR, True),
    ("overhead_reach", Posture(left_arm=Arm(175, 10), right_arm=Arm(175, 10)), WIDE, True),
    ("overhead_reach", PALMS_TOGETHER, FAR, True),
    ("overhead_reach", PALMS_TOGETHER, NEAR, True),
    ("overhead_reach", PALMS_TOGETHER, WIDE, True),
    ("overhead_reach", Posture(left_arm=Arm(170, 0, 60), right_arm=Arm(170, 0, 60)), FAR, True),
    ("overhead_reach", GOAL_POST, FAR, False),
    ("overhead_reach", TRICEPS, FAR, False),
    ("overhead_reach", TRICEPS, NEAR, False),
    ("overhead_reach", HANDS_ON_HEAD, FAR, False),
    ("overhead_reach", HANDS_ON_HEAD, NEAR, False),
    ("overhead_reach", Posture(left_arm=Arm(0, 95), right_arm=Arm(0, 95)), FAR, False),
    ("overhead_reach", ONE_ARM, FAR, False),
    ("overhead_reach", ONE_ARM, NEAR, False),
    ("overhead_reach", ARMS_FORWARD, FAR, False),
    ("overhead_reach", Posture(), FAR, False),
    ("shrugs_and_rolls", SHRUG, NEAR, True),
    ("shrugs_and_rolls", Posture(shoulder_elevation=0.065), NEAR, True),
    ("shrugs_and_rolls", Posture(shoulder_elevation=0.04), NEAR, False),  # a half shrug
    ("shrugs_and_rolls", Posture(shoulder_elevation=0.02), NEAR, False),
    ("shrugs_and_rolls", NOD, NEAR, False),
    ("shrugs_and_rolls", Posture(neck_flexion=15), NEAR, False),
    ("shrugs_and_rolls", Posture(), NEAR, False),
    ("upper_trapezius_stretch", TILT_LEFT, NEAR, True),
    ("upper_trapezius_stretch", TILT_RIGHT, NEAR, True),
    ("upper_trapezius_stretch", TILT_LEFT, WIDE, True),
    ("upper_trapezius_stretch", NOD, NEAR, False),
    ("upper_trapezius_stretch", Posture(neck_flexion=-20), NEAR, False),
    ("upper_trapezius_stretch", Posture(head_roll=8), NEAR, False),
    ("upper_trapezius_stretch", Posture(lateral_lean=15), NEAR, False),  # whole body, not neck
    ("upper_trapezius_stretch", Posture(trunk_rotation=45), NEAR, False),  # perspective tilt
    ("upper_trapezius_stretch", Posture(head_yaw=40), NEAR, False),
    ("side_bend", LEAN_LEFT, NEAR, True),
    ("side_bend", LEAN_RIGHT, NEAR, True),
    ("side_bend", Posture(lateral_lean=20), NEAR, False),  # no arm raised
    ("side_bend", Posture(right_arm=Arm(170, 20)), NEAR, False),  # arm raised, no lean
    ("side_bend", Posture(trunk_rotation=60, right_arm=Arm(170, 20)), NEAR, False),
    ("butterfly", BUTTERFLY, NEAR, True),
    ("butterfly", BUTTERFLY, WIDE, True),
    ("butterfly", Posture(left_arm=Arm.hands_on_shoulders(), right_arm=Arm.hands_on_shoulders()),
     NEAR, False),  # elbows forward but apart
    ("butterfly", ELBOWS_OPEN, NEAR, False),
    ("butterfly", Posture(), NEAR, False),
    ("butterfly", Posture(), FAR, False),
    ("trunk_rotation", TWIST_LEFT, NEAR, True),
    ("trunk_rotation", TWIST_RIGHT, NEAR, True),
    ("trunk_rotation", Posture(trunk_rotation=30), NEAR, True),
    ("trunk_rotation", Posture(trunk_rotation=15), NEAR, False),
    ("trunk_rotation", Posture(head_yaw=40), NEAR, False),  # the head alone turns
    ("trunk_rotation", NOD, NEAR, False),
    ("trunk_rotation", Posture(), Camera(distance=0.8), False),  # sitting farther back
    ("shoulder_blade_squeeze", SQUEEZE, ELBOWS, True),
    ("shoulder_blade_squeeze", Posture(left_arm=Arm(-30, 15, 90), right_arm=Arm(-30, 15, 90)),
     ELBOWS, True),  # elbows back and a little out
    ("shoulder_blade_squeeze", Posture(), ELBOWS, False),
    ("shoulder_blade_squeeze", Posture(left_arm=Arm(20, 10, 80), right_arm=Arm(20, 10, 80)),
     ELBOWS, False),  # typing: elbows forward
    ("shoulder_blade_squeeze", Posture(trunk_flexion=15), ELBOWS, False),  # slouching
    ("shoulder_blade_squeeze", REACH, ELBOWS, False),
    ("shoulder_blade_squeeze", HANDS_ON_HIPS, ELBOWS, False),
    ("overhead_reach", REACH, Camera(distance=0.8, height=0.3), True),  # camera above the eyes
    ("overhead_reach", REACH, Camera(yaw=25), True),
    # Hands at the top edge (where landmarks count as extrapolated) or just past it, the elbows
    # 1.24-1.27 upper arms below it, as a real reach vetoed there had them (forearms in real
    # reaches span up to 1.4 upper arms in the image): still a reach.
    ("overhead_reach", Posture(left_arm=Arm(140, 20), right_arm=Arm(140, 20)),
     Camera(distance=0.9, height=0.0, tilt=-10), True),
    ("overhead_reach", Posture(left_arm=Arm(140, 20), right_arm=Arm(140, 20)),
     Camera(distance=0.75, height=0.2), True),
    # Shrug: a slouch that keeps the eyes on the screen brings the head down, not the shoulders
    # up; leaning back or in moves the whole body.
    ("shrugs_and_rolls", SLOUCH_EYES_UP, NEAR, False),
    ("shrugs_and_rolls", Posture(trunk_flexion=-10), NEAR, False),
    ("shrugs_and_rolls", Posture(trunk_flexion=15), NEAR, False),
    ("shrugs_and_rolls", SHRUG, FAR, True),
    ("shrugs_and_rolls", SHRUG, LOW, True),
    ("shrugs_and_rolls", SHRUG, HIGH, True),
    ("shrugs_and_rolls", SLOUCH_EYES_UP, LOW, False),
    # Butterfly: elbows low, or hands not on the shoulders, is not the butterfly.
    ("butterfly", BUTTERFLY, ELBOWS, True),
    ("butterfly", BUTTERFLY, LOW, True),
    ("butterfly", ELBOWS_DOWN, ELBOWS, False),  # hands on shoulders, elbows hanging
    ("butterfly", ELBOWS_DOWN_TOGETHER, ELBOWS, False),
    ("butterfly", CHIN_IN_HANDS, ELBOWS, False),
    ("butterfly", CROSSED_ARMS, ELBOWS, False),
    ("butterfly", CROSSED_ARMS, LOW, False),
    ("butterfly", ELBOWS_DOWN, LOW, False),
    # ...nor are elbows at different heights; elbows off-centre (a camera to one side) are.
    ("butterfly", ELBOW_DROPPED, ELBOWS, False),
    ("butterfly", ELBOW_DROPPED, FAR, False),
    ("butterfly", BUTTERFLY, Camera(distance=1.0, yaw=25), True),
    # Neck side bend: a head turn seen from above or below also tilts the ear line.
    ("upper_trapezius_stretch", Posture(head_yaw=40), HIGH, False),
    ("upper_trapezius_stretch", Posture(head_yaw=40), LOW, False),
    ("upper_trapezius_stretch", Posture(head_yaw=45, neck_flexion=30), NEAR, False),
    ("upper_trapezius_stretch", Posture(head_yaw=45, neck_flexion=30), HIGH, False),
    ("upper_trapezius_stretch", Posture(head_yaw=45, neck_flexion=30), LOW, False),
    ("upper_trapezius_stretch", Posture(head_yaw=-45, neck_flexion=30), Camera(yaw=20), False),
    ("upper_trapezius_stretch", TILT_LEFT, Camera(height=-0.15, tilt=-12, yaw=20), True),
    ("upper_trapezius_stretch", TILT_RIGHT, HIGH, True),
    ("upper_trapezius_stretch", TILT_RIGHT, LOW, True),
    ("upper_trapezius_stretch", Posture(head_roll=25, neck_flexion=15), NEAR, True),
    # Trunk rotation: lean toward the camera, or sit back, is no twist.
    ("trunk_rotation", Posture(trunk_flexion=20), NEAR, False),
    ("trunk_rotation", Posture(trunk_flexion=-10), NEAR, False),
]


@pytest.mark.parametrize(("stretch_id", "posture", "camera", "expected"), POSITIONS)
def test_position(stretch_id, posture, camera, expected):
    assert check(stretch_id, pose_of(posture, camera), reference(camera)) is expected


@pytest.mark.parametrize(("stretch_id", "posture", "camera", "expected"), POSITIONS)
def test_left_right_swap_changes_nothing(stretch_id, posture, camera, expected):
    pose, ref = pose_of(posture, camera), reference(camera)
    assert check(stretch_id, swap(pose), ref) is expected
    assert side_of(stretch_id, swap(pose)) == side_of(stretch_id, pose)


@pytest.mark.parametrize(("stretch_id", "posture"), [
    ("shrugs_and_rolls", Posture(shoulder_elevation=0.045)),
    ("upper_trapezius_stretch", Posture(head_roll=11)),
    ("overhead_reach", Posture(left_arm=Arm(110, 20, 30), right_arm=Arm(110, 20, 30))),
])
def test_a_position_half_left_is_kept_while_held_but_not_entered(stretch_id, posture):
    pose = pose_of(posture, FAR)
    assert check(stretch_id, pose, reference(FAR)) is False
    assert check(stretch_id, pose, reference(FAR), held=True) is True


def test_twist_far_enough_for_the_model_to_swap_labels_still_counts():
    pose = pose_of(Posture(trunk_rotation=60))
    assert check("trunk_rotation", swap(pose), reference()) is True
    assert side_of("trunk_rotation", swap(pose)) == "left"


@pytest.mark.parametrize(("stretch_id", "left", "right"), [
    ("upper_trapezius_stretch", TILT_LEFT, TILT_RIGHT),
    ("trunk_rotation", TWIST_LEFT, TWIST_RIGHT),
    ("side_bend", LEAN_LEFT, LEAN_RIGHT),
])
def test_sides_come_from_the_image_and_flip_with_a_mirrored_camera(stretch_id, left, right):
    assert side_of(stretch_id, pose_of(left)) == "left"
    assert side_of(stretch_id, pose_of(right)) == "right"
    assert side_of(stretch_id, mirror(pose_of(left))) == "right"


def test_angles_are_taken_in_pixels_not_normalized_coordinates():
    """A head rolled 11 degrees on a 16:9 frame: 11 in pixels, short of a side bend, but
    dividing x by the width and y by the height steepens it past 19, a bend."""
    pose = pose_of(Posture(head_roll=11), WIDE)
    size = np.array([pose.width, pose.height], dtype=float)

    def roll(scale):
        ears = (pose.xy[LM.LEFT_EAR] - pose.xy[LM.RIGHT_EAR]) / scale
        shoulders = (pose.xy[LM.LEFT_SHOULDER] - pose.xy[LM.RIGHT_SHOULDER]) / scale
        return math.degrees(math.atan2(ears[1], ears[0]) - math.atan2(shoulders[1],
                                                                      shoulders[0]))

    assert roll(1.0) < 12 and roll(size) > 19
    assert check("upper_trapezius_stretch", pose, reference(WIDE)) is False


def test_nobody_in_view_or_a_view_that_cannot_tell_is_none():
    for stretch_id in POSITION_CHECKS:
        assert check(stretch_id, None, reference()) is None
    side = pose_of(REACH, Camera(yaw=90, distance=1.2))
    for stretch_id in ("overhead_reach", "butterfly", "upper_trapezius_stretch", "side_bend"):
        assert check(stretch_id, side, reference()) is None
    # Shoulders at the bottom edge of the frame are extrapolated (however confident the model
    # says it is): too close to judge anything.
    close = pose_of(Posture(), Camera(distance=0.4, tilt=-15))
    assert close.xy[LM.LEFT_SHOULDER][1] > close.height
    close.visibility[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]] = 0.95
    assert all(check(stretch_id, close, reference()) is None for stretch_id in POSITION_CHECKS)
    # Stretches that measure against the relaxed pose wait for it.
    for stretch_id in ("shrugs_and_rolls", "trunk_rotation", "shoulder_blade_squeeze"):
        assert check(stretch_id, pose_of(Posture(), ELBOWS), Reference()) is None
    # The squeeze needs the elbows in the frame.
    assert check("shoulder_blade_squeeze", pose_of(SQUEEZE, NEAR), reference(NEAR)) is None


def test_stretches_the_camera_cannot_see_are_never_judged():
    for stretch in LIBRARY.stretches.values():
        if not stretch.checkable:
            assert check(stretch.id, pose_of(REACH), reference()) is None


def test_an_arm_the_model_cannot_see_is_judged_by_where_it_is_placed():
    """An elbow inside the frame that the model is unsure of: placed above its shoulder the
    arm may be raised, so the reach cannot be judged (None); placed below it, as an elbow hidden
    by the desk is, the arm is down and the reach is not in position (False)."""
    for posture, hidden, expected in ((REACH, LM.LEFT_ELBOW, None),
                                      (ONE_ARM, LM.RIGHT_ELBOW, False),  # the lowered arm hidden
                                      (ONE_ARM, LM.LEFT_ELBOW, False)):  # the other arm down
        pose = pose_of(posture, FAR)
        pose.visibility[hidden] = 0.3
        assert check("overhead_reach", pose, reference(FAR)) is expected


def test_a_butterfly_the_model_cannot_see_whole_is_judged_by_where_it_is_placed():
    """Elbows together in front may hide each other, and forearms pointing at the camera hide
    the hands: placed where the butterfly holds them, nothing tells (None); elbows placed low
    (hands on the shoulders, elbows hanging) or wide apart are not in position (False)."""
    for posture, hidden, whole, expected in ((BUTTERFLY, [LM.LEFT_ELBOW], True, None),
                                             (BUTTERFLY, [LM.RIGHT_WRIST], True, None),
                                             (BUTTERFLY, [LM.LEFT_WRIST, LM.RIGHT_WRIST], True,
                                              None),
                                             (ELBOWS_DOWN, [LM.LEFT_ELBOW], False, False),
                                             (ELBOWS_OPEN, [LM.RIGHT_ELBOW], False, False),
                                             (ELBOWS_OPEN, [LM.LEFT_WRIST], False, False)):
        pose = pose_of(posture, ELBOWS)
        assert check("butterfly", pose, reference(ELBOWS)) is whole
        pose.visibility[hidden] = 0.3
        assert check("butterfly", pose, reference(ELBOWS)) is expected, (posture, hidden)
