"""The synthetic sitter: proportions, camera geometry and each posture parameter's effect."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture.core.pose import LM, NUM_LANDMARKS, Pose
from tests.synthetic import HALF_SHOULDER, SCAPULA_RISE, Arm, Camera, Noise, Posture, synthesize

LEFT_SIDE = [LM.LEFT_EAR, LM.LEFT_EYE, LM.LEFT_EYE_OUTER, LM.MOUTH_LEFT, LM.LEFT_SHOULDER]
RIGHT_SIDE = [LM.RIGHT_EAR, LM.RIGHT_EYE, LM.RIGHT_EYE_OUTER, LM.MOUTH_RIGHT, LM.RIGHT_SHOULDER]
HEAD = list(range(LM.NOSE, LM.MOUTH_RIGHT + 1))


def span(pose: Pose, a: int, b: int) -> float:
    """Pixel distance between two landmarks."""
    return float(np.linalg.norm(pose.xy[a] - pose.xy[b]))


def shoulder_span(pose: Pose) -> float:
    return span(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)


def face_ratio(pose: Pose) -> float:
    """Ear-to-ear width over shoulder width: grows as the head comes toward the camera."""
    return span(pose, LM.LEFT_EAR, LM.RIGHT_EAR) / shoulder_span(pose)


def nose_height(pose: Pose) -> float:
    """Nose height above the shoulder line, in shoulder widths (image y grows downward)."""
    shoulders_y = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)[1]
    return float((shoulders_y - pose.xy[LM.NOSE][1]) / shoulder_span(pose))


def ear_gap(pose: Pose) -> float:
    """Vertical pixels from the ears down to the shoulders."""
    return float(pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)[1]
                 - pose.mid(LM.LEFT_EAR, LM.RIGHT_EAR)[1])


def test_pose_shapes_and_frame_size() -> None:
    pose = synthesize()
    assert pose.xy.shape == (NUM_LANDMARKS, 2)
    assert pose.visibility.shape == (NUM_LANDMARKS,)
    assert pose.world.shape == (NUM_LANDMARKS, 3)
    assert (pose.width, pose.height) == (640, 480)
    assert np.all(np.isfinite(pose.xy))


def test_neutral_frontal_proportions() -> None:
    pose = synthesize()
    left, right = pose.xy[LM.LEFT_SHOULDER], pose.xy[LM.RIGHT_SHOULDER]
    assert left[1] == pytest.approx(right[1], abs=0.5)  # level
    assert left[0] > right[0] + 100  # the person's left is on the image's right
    assert pose.xy[LM.LEFT_EAR][0] > pose.xy[LM.RIGHT_EAR][0]
    assert 0.45 <= nose_height(pose) <= 0.6
    assert 0.35 <= face_ratio(pose) <= 0.45
    assert pose.xy[LM.NOSE][0] == pytest.approx(320.0, abs=0.5)  # centred
    assert pose.visible(*range(LM.NOSE, LM.RIGHT_SHOULDER + 1), threshold=0.99)


def test_eye_level_camera_gives_half_a_shoulder_width() -> None:
    assert nose_height(synthesize(camera=Camera(height=0.22))) == pytest.approx(0.5, abs=0.03)


def test_nearer_camera_scales_distances_and_keeps_ratios() -> None:
    far = synthesize(camera=Camera(distance=0.65))
    near = synthesize(camera=Camera(distance=0.65 * 0.7))
    for a, b in [(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER), (LM.LEFT_EAR, LM.RIGHT_EAR),
                 (LM.LEFT_EAR, LM.LEFT_SHOULDER)]:
        assert span(near, a, b) / span(far, a, b) == pytest.approx(1 / 0.7, rel=0.06)
    assert face_ratio(near) == pytest.approx(face_ratio(far), rel=0.02)


def test_double_resolution_doubles_pixels() -> None:
    small = synthesize(camera=Camera(width=640, height_px=480))
    large = synthesize(camera=Camera(width=1280, height_px=960))
    np.testing.assert_allclose(large.xy, 2.0 * small.xy, rtol=1e-9)
    assert (large.width, large.height) == (1280, 960)
    np.testing.assert_allclose(large.world, small.world)


def test_neck_flexion_drops_the_nose() -> None:
    upright, dropped = synthesize(), synthesize(Posture(neck_flexion=30))
    assert nose_height(dropped) < nose_height(upright) - 0.2
    assert shoulder_span(dropped) == pytest.approx(shoulder_span(upright))


def test_head_protraction_enlarges_the_face() -> None:
    upright, forward = synthesize(), synthesize(Posture(head_protraction=0.06))
    assert face_ratio(forward) / face_ratio(upright) > 1.05
    assert nose_height(forward) == pytest.approx(nose_height(upright), abs=0.03)  # chin level
    assert forward.world[LM.NOSE][2] == pytest.approx(upright.world[LM.NOSE][2] - 0.06)


def test_shoulder_protraction_narrows_and_retraction_widens() -> None:
    neutral = shoulder_span(synthesize())
    assert shoulder_span(synthesize(Posture(shoulder_protraction=0.05))) < 0.97 * neutral
    assert shoulder_span(synthesize(Posture(shoulder_protraction=-0.03))) > 1.02 * neutral


def test_shoulder_elevation_raises_shoulders_toward_ears() -> None:
    neutral, raised = synthesize(), synthesize(Posture(shoulder_elevation=0.03))
    assert ear_gap(raised) < ear_gap(neutral) - 15
    assert np.linalg.norm(raised.world[LM.LEFT_SHOULDER] - neutral.world[LM.LEFT_SHOULDER]) \
        == pytest.approx(0.03)


def test_trunk_flexion_lowers_head_and_shoulders() -> None:
    upright, slouched = synthesize(), synthesize(Posture(trunk_flexion=20))
    assert slouched.xy[LM.NOSE][1] > upright.xy[LM.NOSE][1] + 30
    assert slouched.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)[1] \
        > upright.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)[1] + 30
    assert nose_height(slouched) < nose_height(upright) - 0.1


@pytest.mark.parametrize("lean", [10.0, -6.0])
def test_lateral_lean_tilts_the_shoulder_line(lean: float) -> None:
    pose = synthesize(Posture(lateral_lean=lean))
    dx, dy = pose.xy[LM.LEFT_SHOULDER] - pose.xy[LM.RIGHT_SHOULDER]
    # positive lean goes to the person's left: the left shoulder (image right) drops
    assert math.degrees(math.atan2(dy, dx)) == pytest.approx(lean, abs=0.5)


def test_head_yaw_and_roll() -> None:
    turned = synthesize(Posture(head_yaw=30))
    assert turned.xy[LM.NOSE][0] > 320 + 20  # face turns to the person's left, image right
    assert face_ratio(turned) < 0.9 * face_ratio(synthesize())
    rolled = synthesize(Posture(head_roll=15))
    assert rolled.xy[LM.LEFT_EAR][1] > rolled.xy[LM.RIGHT_EAR][1] + 15  # left ear goes down


def test_trunk_rotation_turns_the_shoulders() -> None:
    pose = synthesize(Posture(trunk_rotation=30))
    assert pose.world[LM.RIGHT_SHOULDER][2] < pose.world[LM.LEFT_SHOULDER][2] - 0.15
    assert shoulder_span(pose) < 0.95 * shoulder_span(synthesize())


@pytest.mark.parametrize("yaw, far, near", [(90, RIGHT_SIDE, LEFT_SIDE),
                                            (-90, LEFT_SIDE, RIGHT_SIDE)])
def test_side_view_overlaps_shoulders_and_hides_the_far_side(
    yaw: float, far: list[LM], near: list[LM]
) -> None:
    frontal, side = synthesize(), synthesize(camera=Camera(yaw=yaw))
    assert shoulder_span(side) < 0.25 * shoulder_span(frontal)
    assert abs(side.xy[LM.LEFT_SHOULDER][0] - side.xy[LM.RIGHT_SHOULDER][0]) < 5
    assert np.all(side.visibility[far] < 0.5)
    assert side.visible(LM.NOSE, *near)
    # the person faces the side of the image away from the camera's side of them
    facing_left = side.xy[LM.NOSE][0] < side.xy[near[0]][0]
    assert facing_left == (yaw > 0)


def test_three_quarter_view_keeps_both_shoulders() -> None:
    pose = synthesize(camera=Camera(yaw=45))
    assert pose.visible(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.NOSE, LM.LEFT_EAR)
    assert 0.5 * shoulder_span(synthesize()) < shoulder_span(pose) < shoulder_span(synthesize())


def test_arms_overhead_put_wrists_above_the_head() -> None:
    posture = Posture(left_arm=Arm(flexion=180), right_arm=Arm(flexion=180))
    close = synthesize(posture)
    assert close.xy[[LM.LEFT_WRIST, LM.RIGHT_WRIST], 1].max() < close.xy[LM.NOSE][1] - 100
    assert np.all(close.visibility[[LM.LEFT_WRIST, LM.RIGHT_WRIST]] < 0.5)  # out of frame
    far = synthesize(posture, Camera(distance=1.3))
    head_top = far.xy[HEAD, 1].min() - 0.25 * shoulder_span(far)  # about 0.1 m above the eyes
    assert far.xy[[LM.LEFT_WRIST, LM.RIGHT_WRIST], 1].max() < head_top
    assert far.visible(LM.LEFT_WRIST, LM.RIGHT_WRIST)
    # 0.5 + the shoulder's rise with the arm + upper arm 0.29 + forearm 0.29
    assert far.world[LM.LEFT_WRIST][1] == pytest.approx(-(0.5 + SCAPULA_RISE + 0.58), abs=0.01)


def test_arms_above_horizontal_carry_the_shoulders_up_and_in() -> None:
    """Scapulohumeral rhythm, as real people show it: both arms overhead narrow the span and
    raise the shoulders; one arm overhead tilts the shoulder line with the trunk upright."""
    rest = synthesize(camera=Camera(distance=1.3)).world
    up = synthesize(Posture(left_arm=Arm(180), right_arm=Arm(180)), Camera(distance=1.3)).world
    assert rest[LM.LEFT_SHOULDER][1] - up[LM.LEFT_SHOULDER][1] == pytest.approx(SCAPULA_RISE)
    width = np.linalg.norm(up[LM.LEFT_SHOULDER] - up[LM.RIGHT_SHOULDER])
    assert width == pytest.approx(0.85 * 2 * HALF_SHOULDER)
    level = synthesize(Posture(left_arm=Arm(90), right_arm=Arm(90, 0, 90))).world
    np.testing.assert_allclose(level[LM.LEFT_SHOULDER], rest[LM.LEFT_SHOULDER])  # not below 90
    one = synthesize(Posture(right_arm=Arm(175, 10)))
    dx, dy = one.xy[LM.LEFT_SHOULDER] - one.xy[LM.RIGHT_SHOULDER]
    assert 6.0 < math.degrees(math.atan2(dy, dx)) < 10.0  # the raised (right) shoulder is higher


def test_arm_abduction_and_elbow() -> None:
    side = synthesize(Posture(left_arm=Arm(abduction=90)), Camera(distance=1.3))
    elbow, shoulder = side.world[LM.LEFT_ELBOW], side.world[LM.LEFT_SHOULDER]
    assert elbow[0] - shoulder[0] == pytest.approx(0.29, abs=0.01)  # straight out to the left
    assert elbow[1] == pytest.approx(shoulder[1], abs=0.01)
    typing = synthesize(Posture(right_arm=Arm(elbow=90)))
    forearm = typing.world[LM.RIGHT_WRIST] - typing.world[LM.RIGHT_ELBOW]
    np.testing.assert_allclose(forearm, [0.0, 0.0, -0.29], atol=1e-9)  # forward, to the camera


def test_butterfly_hands_on_shoulders_elbows_forward() -> None:
    arm = Arm.hands_on_shoulders()
    pose = synthesize(Posture(left_arm=arm, right_arm=arm))
    for shoulder, elbow, wrist in [(LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
                                   (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST)]:
        assert np.linalg.norm(pose.world[wrist] - pose.world[shoulder]) < 0.16
        assert pose.world[elbow][2] < pose.world[shoulder][2] - 0.2  # in front, toward camera
    opened = synthesize(Posture(left_arm=Arm.hands_on_shoulders(spread=40)))
    assert opened.world[LM.LEFT_ELBOW][0] > pose.world[LM.LEFT_ELBOW][0] + 0.1


def test_noise_has_the_requested_std() -> None:
    clean = synthesize()
    rng = np.random.default_rng(7)
    errors = np.stack([synthesize(noise_px=2.0, rng=rng).xy - clean.xy for _ in range(300)])
    assert errors.std() == pytest.approx(2.0, rel=0.03)
    assert abs(errors.mean()) < 0.05
    assert np.all(synthesize(noise_px=0.0).xy == clean.xy)
    np.testing.assert_allclose(synthesize(noise_px=2.0, rng=rng).world, clean.world)


def test_realistic_noise_is_larger_at_the_ears_and_the_frame_edges() -> None:
    """Noise(): 1.5 px everywhere, 4 % of the face width at each ear, 8 % of the shoulder span
    for a landmark the model extrapolates at the frame's edge."""
    close = Camera(distance=0.4, tilt=-15)  # the shoulders at the bottom edge, or past it
    clean = synthesize(camera=close)
    assert clean.xy[LM.LEFT_SHOULDER][1] > 0.98 * clean.height
    rng = np.random.default_rng(3)
    errors = np.stack([synthesize(camera=close, noise_px=Noise(), rng=rng).xy
                       - clean.xy for _ in range(400)])
    face = np.linalg.norm(clean.xy[LM.LEFT_EAR] - clean.xy[LM.RIGHT_EAR])
    span = np.linalg.norm(clean.xy[LM.LEFT_SHOULDER] - clean.xy[LM.RIGHT_SHOULDER])
    assert errors[:, LM.NOSE].std() == pytest.approx(1.5, rel=0.1)
    assert errors[:, LM.LEFT_EAR].std() == pytest.approx(math.hypot(1.5, 0.04 * face), rel=0.1)
    assert errors[:, LM.LEFT_SHOULDER].std() == pytest.approx(math.hypot(1.5, 0.08 * span),
                                                              rel=0.1)


def test_a_mirrored_camera_flips_the_picture_and_world_x() -> None:
    plain, mirrored = synthesize(Posture(head_roll=20)), synthesize(Posture(head_roll=20),
                                                                     Camera(mirrored=True))
    np.testing.assert_allclose(mirrored.xy[:, 0], plain.width - plain.xy[:, 0])
    np.testing.assert_allclose(mirrored.xy[:, 1], plain.xy[:, 1])
    np.testing.assert_allclose(mirrored.world[:, 0], -plain.world[:, 0])
    assert mirrored.xy[LM.LEFT_SHOULDER][0] < mirrored.xy[LM.RIGHT_SHOULDER][0]  # left on the left


def test_world_landmarks_are_metres_around_the_hips() -> None:
    pose = synthesize()
    world = pose.world
    np.testing.assert_allclose((world[LM.LEFT_HIP] + world[LM.RIGHT_HIP]) / 2, 0.0, atol=1e-12)
    assert np.linalg.norm(world[LM.LEFT_SHOULDER] - world[LM.RIGHT_SHOULDER]) \
        == pytest.approx(0.38)
    assert np.linalg.norm(world[LM.LEFT_EAR] - world[LM.RIGHT_EAR]) == pytest.approx(0.15)
    assert world[LM.LEFT_SHOULDER][0] > 0 > world[LM.RIGHT_SHOULDER][0]  # x toward image right
    assert world[LM.NOSE][1] < world[LM.LEFT_SHOULDER][1] < 0  # y down, shoulders above hips
    assert world[LM.NOSE][2] < world[LM.LEFT_EAR][2]  # z grows away from the camera
    # the same body seen from the side: distances are kept, axes follow the camera
    side = synthesize(camera=Camera(yaw=90)).world
    assert np.linalg.norm(side[LM.NOSE] - side[LM.LEFT_HIP]) \
        == pytest.approx(np.linalg.norm(world[LM.NOSE] - world[LM.LEFT_HIP]))
    assert side[LM.LEFT_SHOULDER][2] < side[LM.RIGHT_SHOULDER][2] - 0.3  # left is nearer
