"""The stretch position checks against what cameras do, on the synthetic body: confident guesses
beyond the frame's edges, a head coming down, a camera off to one side, leaning in."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posture.core.checks.positions import check
from posture.core.checks.sides import side_of
from posture.core.pose import LM, Pose
from tests.poses import (
    FAR,
    HIGH,
    LOW,
    NEAR,
    NOD,
    REACH,
    SHRUG,
    pose_of,
    reference,
    run,
    timeline,
)
from tests.synthetic import Arm, Camera, Posture


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
