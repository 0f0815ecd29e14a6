"""The stretch position checks, pose by pose: in position, out of it, and the traps of real
footage, on the synthetic body and on real people in ../shared/data."""

from __future__ import annotations

import math
from dataclasses import replace

import cv2
import numpy as np
import pytest

from posture.core.checks.positions import POSITION_CHECKS, check
from posture.core.checks.reference import Reference, relaxed_measures
from posture.core.checks.sides import side_of
from posture.core.pose import LM, Pose
from posture.io.estimator import PoseEstimator
from posture.io.sources import open_source, read_image
from tests.conftest import DATA, needs_data
from tests.poses import (
    ARMS_FORWARD,
    BUTTERFLY,
    CHIN_IN_HANDS,
    CROSSED_ARMS,
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
    run,
    swap,
    timeline,
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
    ("upper_trapezius_stretch", Posture(head_roll=13)),
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
    """A head rolled 13 degrees on a 16:9 frame: 13 in pixels, short of a side bend, but
    dividing x by the width and y by the height steepens it past 20, a bend."""
    pose = pose_of(Posture(head_roll=13), WIDE)
    size = np.array([pose.width, pose.height], dtype=float)

    def roll(scale):
        ears = (pose.xy[LM.LEFT_EAR] - pose.xy[LM.RIGHT_EAR]) / scale
        shoulders = (pose.xy[LM.LEFT_SHOULDER] - pose.xy[LM.RIGHT_SHOULDER]) / scale
        return math.degrees(math.atan2(ears[1], ears[0]) - math.atan2(shoulders[1],
                                                                      shoulders[0]))

    assert roll(1.0) < 14 and roll(size) > 20
    assert check("upper_trapezius_stretch", pose, reference(WIDE)) is False


def extrapolated(pose: Pose, bend: float) -> Pose:
    """MediaPipe's guess at wrists above the frame: confident, and placed `bend` spans sideways
    of the upper arm's line (so the elbow looks bent)."""
    xy, vis = pose.xy.copy(), pose.visibility.copy()
    span = float(np.linalg.norm(xy[LM.LEFT_SHOULDER] - xy[LM.RIGHT_SHOULDER]))
    for s, e, w in ((LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
                    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST)):
        if xy[w][1] < 0:
            out = 1.0 if xy[e][0] > xy[s][0] else -1.0
            xy[w] = (xy[e][0] + out * bend * span, -0.05 * pose.height)
            vis[w] = 0.95
    return replace(pose, xy=xy, visibility=vis)


def test_confident_extrapolated_wrists_above_the_frame_are_not_trusted():
    reach = extrapolated(pose_of(REACH, NEAR), bend=0.8)
    assert reach.visibility[LM.LEFT_WRIST] > 0.9 and reach.xy[LM.LEFT_WRIST][1] < 0
    assert check("overhead_reach", reach, reference()) is True  # the upper arms decide
    # A confident wrist above the frame does not lift an arm that hangs down.
    down = pose_of(Posture(), NEAR)
    xy, vis = down.xy.copy(), down.visibility.copy()
    xy[LM.LEFT_WRIST], vis[LM.LEFT_WRIST] = (320.0, -20.0), 0.95
    xy[LM.RIGHT_WRIST], vis[LM.RIGHT_WRIST] = (300.0, -20.0), 0.95
    assert check("overhead_reach", replace(down, xy=xy, visibility=vis), reference()) is False


def test_wrists_reported_above_the_frame_need_elbows_near_its_top():
    """MediaPipe reports confident wrists above the frame for hands it cannot see. Upper arms
    straight up with the elbows far below the top edge cannot be straight arms whose hands left
    the frame (a bent press whose hands the model guessed upward)."""
    far = Camera(distance=1.4)
    pose = pose_of(REACH, far)
    xy, vis = pose.xy.copy(), pose.visibility.copy()
    for w in (LM.LEFT_WRIST, LM.RIGHT_WRIST):
        xy[w], vis[w] = (xy[w][0], -0.05 * pose.height), 0.95
    press = replace(pose, xy=xy, visibility=vis)
    upper = float(np.linalg.norm(xy[LM.LEFT_ELBOW] - xy[LM.LEFT_SHOULDER]))
    assert xy[LM.LEFT_ELBOW][1] > 1.5 * upper
    assert check("overhead_reach", press, reference(far)) is False


def past_the_side(pose: Pose) -> Pose:
    """The pose with both elbows placed just past the frame's side edges, at their height, with
    the low visibility MediaPipe gives them there (fixtures/sample_desk.mp4, frame 49)."""
    xy, vis = pose.xy.copy(), pose.visibility.copy()
    xy[LM.LEFT_ELBOW][0], xy[LM.RIGHT_ELBOW][0] = pose.width + 2.0, -2.0
    vis[[LM.LEFT_ELBOW, LM.RIGHT_ELBOW]] = 0.4
    return replace(pose, xy=xy, visibility=vis)


def test_an_elbow_past_a_side_edge_is_not_raised_unless_above_its_shoulder():
    """An arm hanging with its elbow beyond the side of the frame is no reach (False); an elbow
    beyond the side and above its shoulder may be one, which cannot be judged (None)."""
    hanging = past_the_side(pose_of(Posture(left_arm=Arm(0, 40), right_arm=Arm(0, 40)), NEAR))
    assert check("overhead_reach", hanging, reference()) is False
    assert check("overhead_reach", hanging, reference(), held=True) is False
    raised = past_the_side(pose_of(Posture(left_arm=Arm(0, 150), right_arm=Arm(0, 150)), FAR))
    assert raised.xy[LM.LEFT_ELBOW][1] < raised.xy[LM.LEFT_SHOULDER][1] - 0.3 * (
        raised.xy[LM.LEFT_SHOULDER][0] - raised.xy[LM.RIGHT_SHOULDER][0])
    assert check("overhead_reach", raised, reference(FAR)) is None


def test_elbows_above_the_frame_cannot_be_judged():
    too_close = pose_of(REACH, Camera(distance=0.45, height=0.0))
    assert too_close.xy[LM.LEFT_ELBOW][1] < 0
    assert check("overhead_reach", too_close, reference()) is None


def lower_head(pose: Pose, spans: float) -> Pose:
    """The pose with the head moved straight down the image by `spans` shoulder spans, its
    pitch kept: a slouch with the eyes kept on the screen."""
    xy = pose.xy.copy()
    head = list(range(LM.NOSE, LM.MOUTH_RIGHT + 1))
    span = float(np.linalg.norm(xy[LM.LEFT_SHOULDER] - xy[LM.RIGHT_SHOULDER]))
    xy[head, 1] += spans * span
    return replace(pose, xy=xy)


def test_a_head_coming_down_is_not_a_shrug():
    """The ears come nearer the shoulders in a slouch too: only the shoulders rising is a shrug."""
    for camera in (NEAR, LOW, HIGH):
        slouch = lower_head(pose_of(Posture(), camera), 0.15)
        assert check("shrugs_and_rolls", slouch, reference(camera)) is False
        shrug = pose_of(SHRUG, camera)
        assert check("shrugs_and_rolls", shrug, reference(camera)) is True


OFF_AXIS = [Camera(yaw=yaw) for yaw in (-30, -20, -10, 10, 20, 30)]


@pytest.mark.parametrize("camera", OFF_AXIS, ids=lambda c: f"yaw{c.yaw:g}")
@pytest.mark.parametrize("twist", [35, -35])
@pytest.mark.parametrize("face_on_screen", [False, True])
def test_a_twist_either_way_counts_with_the_camera_off_to_one_side(camera, twist,
                                                                   face_on_screen):
    """A twist toward a camera off to one side widens the shoulders on screen rather than
    narrowing them; keeping the face on the screen leaves the nose where it was."""
    posture = Posture(trunk_rotation=twist, head_yaw=-twist if face_on_screen else 0.0)
    pose = pose_of(posture, camera)
    assert check("trunk_rotation", pose, reference(camera)) is True
    assert side_of("trunk_rotation", pose, reference(camera)) == ("left" if twist > 0
                                                                   else "right")
    for still in (Posture(), Posture(head_yaw=40), Posture(trunk_flexion=20), NOD):
        assert check("trunk_rotation", pose_of(still, camera), reference(camera)) is False


def test_world_depth_alone_does_not_make_a_twist():
    """MediaPipe's depth is a guess: a turn in the world points that the on-screen shoulder span
    does not show (it would narrow by cos 30 degrees) is not trusted."""
    pose = pose_of(Posture())
    world = pose.world.copy()
    world[LM.LEFT_SHOULDER, 2] += 0.11
    world[LM.RIGHT_SHOULDER, 2] -= 0.11
    assert check("trunk_rotation", replace(pose, world=world), reference()) is False


def test_trunk_rotation_alternates_with_the_face_kept_on_the_screen_and_the_camera_aside():
    camera = Camera(yaw=20)
    turn = [(1.5, Posture(trunk_rotation=-35, head_yaw=35)), (1.0, Posture()),
            (1.5, Posture(trunk_rotation=35, head_yaw=-35)), (1.0, Posture())]
    frames = run("trunk_rotation", timeline((2.0, Posture()), *turn * 10, camera=camera,
                                            noise=1.0))
    assert frames[-1].reps_done == frames[-1].reps_target == 20
    same = run("trunk_rotation", timeline((2.0, Posture()), *[
        (1.5, Posture(trunk_rotation=35, head_yaw=-35)), (1.0, Posture())] * 4, camera=camera))
    assert same[-1].reps_done == 1  # the same side again and again is one rep


def test_leaning_in_does_not_move_the_relaxed_shoulders():
    """Leaning toward the camera widens the shoulders on screen: the reference must not follow
    it, or sitting upright again would look like a twist for the rest of the session."""
    frames = run("trunk_rotation", timeline((2.0, Posture()), (2.0, Posture(trunk_flexion=20)),
                                            (6.0, Posture())))
    assert not any(f.in_position for f in frames)
    assert frames[-1].reps_done == 0


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


TALKING = DATA / "OpenTalker_video-retalking"


LAPTOP = DATA / "openvinotoolkit_openvino_build_deploy"


@pytest.fixture(scope="module")
def talking_heads() -> dict[str, list[tuple[float, Pose | None]]]:
    """Poses of the four talking-head clips whose shoulders are in the frame."""
    clips = {}
    for n in (1, 2, 3, 4):
        with open_source(TALKING / f"face_{n}.mp4") as source, \
                PoseEstimator(video=True) as estimator:
            clips[n] = [(f.t, estimator.estimate(f.image, f.t)) for f in source]
    return clips


@needs_data
@pytest.mark.parametrize("stretch_id", sorted(POSITION_CHECKS))
def test_people_talking_are_in_no_stretch_position(talking_heads, stretch_id):
    for n, poses in talking_heads.items():
        frames = run(stretch_id, poses)
        assert not any(f.in_position for f in frames), (n, stretch_id)
        assert frames[-1].reps_done == 0


@needs_data
def test_one_hand_raised_is_not_an_overhead_reach(still_estimator):
    pose = still_estimator.estimate(read_image(DATA / "ying-2626_hunckbackDetect" / "label.png"))
    assert check("overhead_reach", pose) is False


@needs_data
@pytest.mark.parametrize("name", ["biden.jpg", "obama.jpg", "two_people.jpg"])
def test_real_people_with_crossed_or_hanging_arms_are_not_the_butterfly(still_estimator, name):
    pose = still_estimator.estimate(read_image(DATA / "ageitgey_face_recognition" / name))
    assert pose is not None
    assert check("butterfly", pose) is False
    assert check("butterfly", pose, held=True) is False


@needs_data
def test_a_real_slouch_with_the_eyes_on_the_screen_is_not_a_shrug(still_estimator):
    """The laptop webcam's good and slouched frames: the eyes drop toward the shoulders, but
    the head came down, the shoulders did not rise."""
    good = still_estimator.estimate(read_image(LAPTOP / "good.png"))
    slouch = still_estimator.estimate(read_image(LAPTOP / "slouch.png"))
    relaxed = Reference(**relaxed_measures(good))
    assert relaxed_measures(slouch)["eye_height"] < 0.8 * relaxed.eye_height
    assert check("shrugs_and_rolls", slouch, relaxed) is False


@needs_data
@pytest.mark.parametrize("name", ["good.png", "slouch.png", "headturn.png", "ypr-good.png"])
def test_laptop_webcam_sitting_is_in_no_position(still_estimator, name):
    pose = still_estimator.estimate(read_image(LAPTOP / name))
    for stretch_id in ("overhead_reach", "butterfly", "upper_trapezius_stretch", "side_bend"):
        assert check(stretch_id, pose) is False, stretch_id


def tilt_head(image: np.ndarray, pose: Pose, degrees: float) -> np.ndarray:
    """Rotate the picture above the neck about the neck (a crude but honest neck side bend:
    positive degrees turn the head counter-clockwise in the image)."""
    h, w = image.shape[:2]
    neck = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    cut = (pose.mid(LM.MOUTH_LEFT, LM.MOUTH_RIGHT)[1] + neck[1]) / 2
    m = cv2.getRotationMatrix2D((float(neck[0]), float(cut)), degrees, 1.0)
    rotated = cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    blend = np.clip((np.arange(h) - (cut - 20)) / 40.0, 0, 1)[:, None, None]
    return (rotated * (1 - blend) + image * blend).astype(np.uint8)


@needs_data
def test_a_real_head_tilted_aside_is_a_neck_side_bend_and_its_side_is_seen(still_estimator):
    with open_source(TALKING / "face_1.mp4") as source:
        images = [f.image for f in source if f.index % 30 == 0]
    for image in images:
        pose = still_estimator.estimate(image)
        relaxed = Reference(**relaxed_measures(pose))
        assert check("upper_trapezius_stretch", pose, relaxed) is False
        # Counter-clockwise in the image brings the person's right ear down (camera unmirrored).
        for degrees, side in ((35, "right"), (-35, "left")):
            tilted = still_estimator.estimate(tilt_head(image, pose, degrees))
            assert check("upper_trapezius_stretch", tilted, relaxed) is True, degrees
            assert side_of("upper_trapezius_stretch", tilted, relaxed) == side
