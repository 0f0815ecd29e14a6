"""The guided stretch: position checks on the synthetic body (in position, out of it, and the
traps of real footage), the hold/rep counting over synthetic timelines, the `stretch`
subcommand, and the checks on real people in ../shared/data."""

from __future__ import annotations

import json
import math
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks.common import Confusion
from benchmarks.guide import MANIFEST as GUIDE_MANIFEST
from benchmarks.guide import Tally, parse_manifest
from benchmarks.guide import run as run_benchmark
from fixtures.make_fixtures import make_sample
from posture.calibration import Baseline, Profile
from posture.checks import CHECKS, REFERENCE_S, Reference, check, relaxed_measures, side_of
from posture.cli import main
from posture.guide import (
    AWAY,
    AWAY_S,
    UNJUDGED_S,
    Announcer,
    Line,
    Session,
    follow,
    phases,
    voice_for,
)
from posture.history import default_path
from posture.pose import LM, Pose, PoseEstimator
from posture.settings import Settings, settings_path
from posture.sources import open_source, read_image
from posture.stretches import load_library
from posture.synthetic import Arm, Camera, Posture, synthesize
from posture.voice import wav_stats
from tests.conftest import DATA, FIXTURES, needs_data
from tests.test_sources import bad_inputs

LIBRARY = load_library()
FPS = 10
NEAR = Camera()  # a laptop camera: hands raised overhead leave the top of the frame
FAR = Camera(distance=1.2)  # farther: raised hands and the elbows stay in the frame
WIDE = Camera(distance=1.2, width=1280, height_px=720, fov=70)  # a 16:9 frame
ELBOWS = Camera(distance=1.0)  # shows the elbows, which the squeeze needs
HIGH = Camera(height=0.35, tilt=20)  # above the eyes, looking down (a raised external monitor)
LOW = Camera(height=-0.15, tilt=-12)  # below the shoulders, looking up (a laptop on the lap)

REACH = Posture(left_arm=Arm(180), right_arm=Arm(180))
INTERLOCKED = Posture(left_arm=Arm(170, -15), right_arm=Arm(170, -15))  # hands meet overhead
BENT_PRESS = Posture(left_arm=Arm(150, 30, 70), right_arm=Arm(150, 30, 70))
GOAL_POST = Posture(left_arm=Arm(90, 90, 90), right_arm=Arm(90, 90, 90))
ONE_ARM = Posture(left_arm=Arm(180))
ARMS_FORWARD = Posture(left_arm=Arm(90), right_arm=Arm(90))
SHRUG = Posture(shoulder_elevation=0.06)
NOD = Posture(neck_flexion=30)
TILT_LEFT = Posture(head_roll=30)  # left ear toward the left shoulder
TILT_RIGHT = Posture(head_roll=-30)
BUTTERFLY = Posture(left_arm=Arm.hands_on_shoulders(-20), right_arm=Arm.hands_on_shoulders(-20))
ELBOWS_OPEN = Posture(left_arm=Arm.hands_on_shoulders(80), right_arm=Arm.hands_on_shoulders(80))
TWIST_LEFT = Posture(trunk_rotation=35)
TWIST_RIGHT = Posture(trunk_rotation=-35)
LEAN_LEFT = Posture(lateral_lean=20, right_arm=Arm(170, 20))  # right arm over, leaning left
LEAN_RIGHT = Posture(lateral_lean=-20, left_arm=Arm(170, 20))
SQUEEZE = Posture(shoulder_protraction=-0.03, left_arm=Arm(-30, 0, 90), right_arm=Arm(-30, 0, 90))
HANDS_ON_HIPS = Posture(left_arm=Arm(-20, 40, 110), right_arm=Arm(-20, 40, 110))
SLOUCH_EYES_UP = Posture(trunk_flexion=15, neck_flexion=-15, head_protraction=0.03)
ELBOWS_DOWN = Posture(left_arm=Arm(0, 0, 150), right_arm=Arm(0, 0, 150))
ELBOWS_DOWN_TOGETHER = Posture(left_arm=Arm(20, -20, 150), right_arm=Arm(20, -20, 150))
CHIN_IN_HANDS = Posture(neck_flexion=10, left_arm=Arm(45, -15, 140), right_arm=Arm(45, -15, 140))
CROSSED_ARMS = Posture(left_arm=Arm(30, -30, 100), right_arm=Arm(30, -30, 100))


def reference(camera: Camera = NEAR) -> Reference:
    """The relaxed reference of the neutral sitter seen by `camera`."""
    return Reference(**relaxed_measures(synthesize(Posture(), camera)))


def pose_of(posture: Posture, camera: Camera = NEAR) -> Pose:
    return synthesize(posture, camera)


def swap(pose: Pose) -> Pose:
    """The pose with every LEFT_* and RIGHT_* landmark exchanged, as MediaPipe does when the
    torso turns far."""
    order = list(range(len(pose.xy)))
    for name, index in LM.__members__.items():
        if name.startswith("LEFT_"):
            right = LM[name.replace("LEFT_", "RIGHT_")]
            order[index], order[right] = right, index
    return replace(pose, xy=pose.xy[order], visibility=pose.visibility[order],
                   world=pose.world[order])


def mirror(pose: Pose) -> Pose:
    """The pose of a horizontally flipped frame (labels kept, as the model would not know; its
    world x, which points image-right, flips with the picture)."""
    xy, world = pose.xy.copy(), pose.world.copy()
    xy[:, 0] = pose.width - xy[:, 0]
    world[:, 0] = -world[:, 0]
    return replace(pose, xy=xy, world=world)


def timeline(*segments: tuple[float, Posture], camera: Camera = NEAR, fps: int = FPS,
             noise: float = 0.0, edit: Callable[[Pose], Pose] | None = None,
             ) -> list[tuple[float, Pose]]:
    """(t, Pose) at `fps` through segments of (seconds, posture), optionally noisy or edited."""
    rng = np.random.default_rng(7)
    out, t = [], 0.0
    for seconds, posture in segments:
        for _ in range(round(seconds * fps)):
            pose = synthesize(posture, camera, noise_px=noise, rng=rng)
            out.append((round(t, 3), edit(pose) if edit else pose))
            t += 1.0 / fps
    return out


def run(stretch_id: str, poses: list[tuple[float, Pose | None]], profile: Profile | None = None):
    """The guide's frames over a timeline (stopping when the stretch is done)."""
    return list(follow(LIBRARY.get(stretch_id), poses, profile))


# ---- the checks, pose by pose ---------------------------------------------------------------

def test_every_checkable_stretch_has_a_check_and_no_other():
    assert set(CHECKS) == {s.id for s in LIBRARY.stretches.values() if s.checkable}


POSITIONS = [
    # stretch, posture, camera, expected
    ("overhead_reach", REACH, NEAR, True),
    ("overhead_reach", REACH, FAR, True),
    ("overhead_reach", INTERLOCKED, FAR, True),
    ("overhead_reach", Posture(left_arm=Arm(175, 10), right_arm=Arm(175, 10)), WIDE, True),
    ("overhead_reach", BENT_PRESS, FAR, False),
    ("overhead_reach", GOAL_POST, FAR, False),
    ("overhead_reach", ONE_ARM, FAR, False),
    ("overhead_reach", ONE_ARM, NEAR, False),
    ("overhead_reach", ARMS_FORWARD, FAR, False),
    ("overhead_reach", Posture(), FAR, False),
    ("shrugs_and_rolls", SHRUG, NEAR, True),
    ("shrugs_and_rolls", Posture(shoulder_elevation=0.04), NEAR, True),
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
    # Overhead reach: arms bent toward the camera look straight in the image.
    ("overhead_reach", Posture(left_arm=Arm(160, 20, 60), right_arm=Arm(160, 20, 60)), FAR,
     False),
    ("overhead_reach", Posture(left_arm=Arm(160, 20, 60), right_arm=Arm(160, 20, 60)), WIDE,
     False),
    ("overhead_reach", Posture(left_arm=Arm(170, 0, 60), right_arm=Arm(170, 0, 60)), FAR, False),
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
    ("shrugs_and_rolls", Posture(shoulder_elevation=0.03)),
    ("upper_trapezius_stretch", Posture(head_roll=14)),
])
def test_a_position_half_left_is_kept_while_held_but_not_entered(stretch_id, posture):
    pose = pose_of(posture)
    assert check(stretch_id, pose, reference()) is False
    assert check(stretch_id, pose, reference(), held=True) is True


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
    """Bent elbows on a 16:9 frame: 145 degrees in pixels, but dividing x by the width and y by
    the height squeezes the bend to over 150, where a straight arm would be."""
    pose = pose_of(Posture(left_arm=Arm(140, 30, 60), right_arm=Arm(140, 30, 60)), WIDE)
    s, e, w = (pose.xy[i] for i in (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST))
    size = np.array([pose.width, pose.height], dtype=float)

    def angle(a, b, c):
        u, v = a - b, c - b
        return math.degrees(math.acos(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v)))

    assert angle(s, e, w) < 148 and angle(s / size, e / size, w / size) > 152
    assert check("overhead_reach", pose, reference(WIDE)) is False


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
    pose = pose_of(REACH, FAR)
    xy, vis = pose.xy.copy(), pose.visibility.copy()
    for w in (LM.LEFT_WRIST, LM.RIGHT_WRIST):
        xy[w], vis[w] = (xy[w][0], -0.05 * pose.height), 0.95
    press = replace(pose, xy=xy, visibility=vis)
    upper = float(np.linalg.norm(xy[LM.LEFT_ELBOW] - xy[LM.LEFT_SHOULDER]))
    assert xy[LM.LEFT_ELBOW][1] > 1.5 * upper
    assert check("overhead_reach", press, reference(FAR)) is False


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
    for stretch_id in CHECKS:
        assert check(stretch_id, None, reference()) is None
    side = pose_of(REACH, Camera(yaw=90, distance=1.2))
    for stretch_id in ("overhead_reach", "butterfly", "upper_trapezius_stretch", "side_bend"):
        assert check(stretch_id, side, reference()) is None
    # Shoulders at the bottom edge of the frame are extrapolated (however confident the model
    # says it is): too close to judge anything.
    close = pose_of(SHRUG, Camera(distance=0.4, tilt=-15))
    assert close.xy[LM.LEFT_SHOULDER][1] > close.height
    close.visibility[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]] = 0.95
    assert all(check(stretch_id, close, reference()) is None for stretch_id in CHECKS)
    # Stretches that measure against the relaxed pose wait for it.
    for stretch_id in ("shrugs_and_rolls", "trunk_rotation", "shoulder_blade_squeeze"):
        assert check(stretch_id, pose_of(Posture(), ELBOWS), Reference()) is None
    # The squeeze needs the elbows in the frame.
    assert check("shoulder_blade_squeeze", pose_of(SQUEEZE, NEAR), reference(NEAR)) is None


def test_stretches_the_camera_cannot_see_are_never_judged():
    for stretch in LIBRARY.stretches.values():
        if not stretch.checkable:
            assert check(stretch.id, pose_of(REACH), reference()) is None


# ---- counting over time ---------------------------------------------------------------------

def test_overhead_reach_counts_three_verified_holds_then_ends():
    rest, reach = (2.0, Posture()), (21.0, REACH)
    frames = run("overhead_reach", timeline(rest, reach, rest, reach, rest, reach, rest, reach,
                                            camera=FAR, noise=1.5))
    last = frames[-1]
    assert last.reps_done == 3 == last.reps_target
    assert last.t < 2 + 21 + 2 + 21 + 2 + 21  # it stops after the third rep
    assert [f.say for f in frames if f.reps_done == 1][0] == ("one, release",)
    held = [f for f in frames if 3.0 <= f.t < 22.0]
    assert all(f.in_position for f in held)  # noise does not break the hold
    assert max(f.hold_s for f in frames if f.reps_done == 0) >= 19.7
    assert frames[0].say[0] == LIBRARY.get("overhead_reach").script
    said = [s for f in frames if f.reps_done == 0 for s in f.say]
    assert said.count("hold") == 1 and "hold, 10 seconds left" in said
    assert said.index("hold, 10 seconds left") < said.index("hold, 5 seconds left")
    assert "That's all 3. Well done." in last.say


@pytest.mark.parametrize("posture", [BENT_PRESS, ONE_ARM, GOAL_POST])
def test_holding_a_wrong_position_counts_nothing(posture):
    frames = run("overhead_reach", timeline((2.0, Posture()), (25.0, posture), camera=FAR))
    assert frames[-1].reps_done == 0
    assert not any(f.in_position for f in frames)
    assert all(f.hold_s == 0 for f in frames)


def test_a_short_break_pauses_the_hold_and_a_long_one_starts_it_over():
    reach = (12.0, REACH)
    paused = run("overhead_reach", timeline(reach, (2.0, Posture()), reach, camera=FAR))
    assert paused[-1].reps_done == 1
    during = [f.hold_s for f in paused if 12.6 <= f.t < 14.0]
    assert during and max(during) == min(during) > 10  # frozen, not reset
    assert any("back into position" in f.say for f in paused)
    restarted = run("overhead_reach", timeline(reach, (5.0, Posture()), reach, camera=FAR))
    assert restarted[-1].reps_done == 0


def test_single_frames_without_a_person_do_not_break_a_hold():
    poses = timeline((25.0, REACH), camera=FAR)
    poses = [(t, None if i % 7 == 3 else p) for i, (t, p) in enumerate(poses)]
    frames = run("overhead_reach", poses)
    assert any(f.in_position is None for f in frames)  # reported as nobody in view...
    assert next(f.t for f in frames if f.reps_done == 1) < 20.6  # ...yet the hold went on


def test_shrugs_are_counted_against_the_relaxed_start_then_the_rolls():
    shrugs = [(4.0, SHRUG), (2.0, Posture())] * 10
    rolls = [(1.0, SHRUG), (1.0, Posture())] * 20
    frames = run("shrugs_and_rolls", timeline((2.0, Posture()), *shrugs, *rolls))
    assert [f.in_position for f in frames[:14]] == [None] * 14  # learning the relaxed level
    assert frames[-1].reps_done == frames[-1].reps_target == 30
    first_roll = next(f for f in frames if f.reps_done == 11)
    assert first_roll.step == 3 and first_roll.say == ("one",)  # a roll needs no hold
    assert next(f for f in frames if f.reps_done == 21).step == 4
    assert [p.hold_s for p in phases(LIBRARY.get("shrugs_and_rolls"))] == [3.0, None, None]


def test_nodding_is_not_shrugging():
    nods = [(4.0, NOD), (2.0, Posture())] * 4
    frames = run("shrugs_and_rolls", timeline((2.0, Posture()), *nods))
    assert frames[-1].reps_done == 0 and not any(f.in_position for f in frames)


def test_a_recording_that_starts_mid_shrug_recovers_its_relaxed_level():
    frames = run("shrugs_and_rolls", timeline((3.0, SHRUG), (2.0, Posture()), (4.0, SHRUG)))
    assert frames[-1].reps_done == 1


def test_profile_gives_the_relaxed_ear_level():
    values = relaxed_measures(pose_of(Posture()))
    profile = Profile(view="front", baseline={"ear_height": Baseline(values["ear_height"], 0.01)})
    assert Reference.from_profile(profile).ear_height == values["ear_height"]
    frames = run("shrugs_and_rolls", timeline((2.0, Posture()), (4.0, SHRUG)), profile)
    assert frames[-1].reps_done == 1


def test_trunk_rotation_counts_each_turn_and_wants_the_sides_to_alternate():
    turn = [(1.5, TWIST_RIGHT), (1.0, Posture()), (1.5, TWIST_LEFT), (1.0, Posture())]
    frames = run("trunk_rotation", timeline((2.0, Posture()), *turn * 10))
    assert frames[-1].reps_done == frames[-1].reps_target == 20
    said = [s for f in frames for s in f.say]
    assert said.index("right, one") < said.index("left, one") < said.index("right, two")
    same = run("trunk_rotation", timeline((2.0, Posture()), *[(1.5, TWIST_RIGHT),
                                                              (1.0, Posture())] * 4))
    assert same[-1].reps_done == 1
    assert any("now the other side" in f.say for f in same)


def test_trunk_rotation_far_enough_to_swap_labels_still_alternates():
    turn = [(1.5, Posture(trunk_rotation=-60)), (1.0, Posture()),
            (1.5, Posture(trunk_rotation=60)), (1.0, Posture())]
    frames = run("trunk_rotation", timeline((2.0, Posture()), *turn * 3, edit=swap))
    said = [s for f in frames for s in f.say]
    assert frames[-1].reps_done == 6
    assert said.index("right, one") < said.index("left, one") < said.index("right, two")


def test_neck_side_bend_holds_each_side_in_turn():
    hold = 21.0
    frames = run("upper_trapezius_stretch", timeline(
        (1.0, Posture()), (hold, TILT_LEFT), (1.0, Posture()), (hold, TILT_LEFT),
        (1.0, Posture()), (hold, TILT_RIGHT)))
    said = [s for f in frames for s in f.say]
    assert frames[-1].reps_done == 2  # the second left hold is not a rep
    assert "left, one, release" in said and "right, one, release" in said
    assert "now the other side" in said


def test_butterfly_reps_need_the_elbows_together():
    reps = [(2.5, BUTTERFLY), (1.5, ELBOWS_OPEN)] * 10
    frames = run("butterfly", timeline((1.0, ELBOWS_OPEN), *reps, noise=1.0))
    assert frames[-1].reps_done == 10
    apart = Posture(left_arm=Arm.hands_on_shoulders(), right_arm=Arm.hands_on_shoulders())
    assert run("butterfly", timeline(*[(2.5, apart), (1.5, ELBOWS_OPEN)] * 5))[-1].reps_done == 0


def test_side_bend_and_squeeze_count_their_holds():
    bend = run("side_bend", timeline((1.0, Posture()), (16.0, LEAN_LEFT), (1.0, Posture()),
                                     (16.0, LEAN_RIGHT)))
    assert bend[-1].reps_done == 2
    squeeze = run("shoulder_blade_squeeze", timeline(
        (2.0, Posture()), *[(5.5, SQUEEZE), (1.5, Posture())] * 3, camera=ELBOWS))
    assert squeeze[-1].reps_done == 3


def test_a_stretch_the_camera_cannot_check_is_timed():
    frames = run("chin_tuck", timeline((30.0, Posture())))
    assert all(f.in_position is None for f in frames)
    counted = [f.t for f in frames if f.say and f.say[-1].endswith("release")]
    assert counted[:2] == pytest.approx([10.0, 20.0], abs=0.15)  # ready 5 s, hold 5, rest 5
    assert frames[-1].reps_done == 2


def test_a_checked_per_side_rep_does_not_add_other_side_to_its_count():
    turn = [(1.5, TWIST_RIGHT), (1.0, Posture()), (1.5, TWIST_LEFT), (1.0, Posture())]
    frames = run("trunk_rotation", timeline((2.0, Posture()), *turn * 2))
    counted = [f.say for f in frames if f.say and f.say[0].startswith(("right,", "left,"))]
    assert counted and all(say == say[:1] for say in counted)


def test_timed_stretches_wait_while_nobody_is_in_view():
    frames = run("chin_tuck", timeline((12.0, Posture())) + [
        (12.0 + k / FPS, None) for k in range(200)])
    assert frames[-1].reps_done == 1  # the second hold waits for the user to come back
    said = [s for f in frames for s in f.say]
    assert said.count(AWAY) == 1
    assert next(f.t for f in frames if AWAY in f.say) == pytest.approx(12.0 + AWAY_S, abs=0.15)


def test_a_checkable_stretch_says_when_nobody_is_in_view():
    frames = run("overhead_reach", timeline((3.0, Posture()), camera=FAR) + [
        (3.0 + k / FPS, None) for k in range(60)])
    said = [s for f in frames for s in f.say]
    assert said.count(AWAY) == 1
    assert all(f.verified for f in frames)  # nobody in view: the count waits, it is not timed


def test_squeeze_with_the_elbows_out_of_the_frame_is_timed_and_says_why():
    """Laptop framing hides the elbows: the check cannot judge, so after a few seconds the
    guide asks the user to move back, once, and times the holds, reported as unverified."""
    frames = run("shoulder_blade_squeeze", timeline((2.0, Posture()), *[
        (5.5, SQUEEZE), (1.5, Posture())] * 8, camera=NEAR))
    said = [s for f in frames for s in f.say]
    hints = [s for s in said if "so I can see your elbows" in s]
    assert len(hints) == 1
    hinted = next(f for f in frames if hints[0] in f.say)
    assert hinted.t == pytest.approx(REFERENCE_S + UNJUDGED_S, abs=0.2)
    assert not any(f.in_position for f in frames)
    assert not frames[-1].verified and frames[-1].to_json()["verified"] is False
    assert frames[-1].reps_done >= 3  # timed holds: ready 5 s, hold 5 s, rest 5 s
    session = Session(LIBRARY.get("shoulder_blade_squeeze"))
    for t, pose in timeline((30.0, Posture()), camera=NEAR):
        session.step(t, pose)
    assert "timed (unverified" in session.summary()


def test_the_count_is_verified_again_once_the_camera_sees_the_arms():
    """Reaching up too close to the camera puts the elbows above the frame: timed holds, until
    the user moves back into view."""
    close = Camera(distance=0.45, height=0.0)
    near = timeline((2.0, Posture()), (8.0, REACH), camera=close)
    back = [(10.0 + t, p) for t, p in timeline((25.0, REACH), camera=FAR)]
    frames = run("overhead_reach", near + back)
    assert not frames[len(near) - 1].verified
    assert any("Move back so I can see your arms" in s for f in frames for s in f.say)
    assert frames[-1].verified
    assert any("counting from your position again" in s for f in frames for s in f.say)
    assert frames[-1].reps_done >= 1


def test_a_mirrored_camera_swaps_the_sides_it_names():
    poses = timeline((2.0, Posture()), (1.5, TWIST_LEFT))
    plain, mirrored = Session(LIBRARY.get("trunk_rotation")), Session(
        LIBRARY.get("trunk_rotation"), mirrored=True)
    sides = {(plain.step(t, p).side, mirrored.step(t, p).side) for t, p in poses}
    assert ("left", "right") in sides


class FakeVoice:
    """A Voice stand-in that records what it is given and is busy until told otherwise."""

    def __init__(self, keeps_all: bool = False) -> None:
        self.keeps_all = keeps_all
        self.said: list[str] = []
        self.idle = True
        self.cancelled = 0
        self.closed = False

    def flush(self, timeout: float) -> bool:
        return self.idle

    def say(self, text: str) -> None:
        self.said.append(text)
        self.idle = False

    def cancel(self) -> None:
        self.cancelled += 1

    def close(self, timeout: float) -> None:
        self.closed = True


def test_the_announcer_drops_counts_a_newer_count_supersedes():
    voice, now = FakeVoice(), [0.0]
    announcer = Announcer(voice, print, max_age=10.0, clock=lambda: now[0])
    announcer.add([Line("script", "script"), Line("Step one.", "step")])
    assert voice.said == ["script"]
    for n in ("one, release", "two, release", "three, release"):
        announcer.add([Line(n, "count")])
    assert announcer.waiting == ("Step one.", "three, release")
    voice.idle = True
    announcer.pump()
    voice.idle = True
    announcer.pump()
    assert voice.said == ["script", "Step one.", "three, release"]


def test_the_announcer_drops_lines_that_waited_too_long_and_says_nothing_after_quit():
    voice, now = FakeVoice(), [0.0]
    announcer = Announcer(voice, print, max_age=5.0, clock=lambda: now[0])
    announcer.add([Line("a long script", "script"), Line("Step one.", "step")])
    now[0] = 6.0
    announcer.add([Line("hold")])
    voice.idle = True
    announcer.pump()
    assert voice.said == ["a long script", "hold"]  # the step waited 6 s: dropped
    announcer.add([Line("one", "count"), Line("Step two.", "step")])
    announcer.close(1.0)
    assert voice.said == ["a long script", "hold"] and voice.cancelled and voice.closed


def test_the_announcer_writing_files_keeps_every_line_in_order():
    voice = FakeVoice(keeps_all=True)
    announcer = Announcer(voice, print, clock=lambda: 0.0)
    lines = [Line("one", "count"), Line("two", "count"), Line("Step.", "step")]
    announcer.add(lines)
    announcer.close(1.0)
    assert voice.said == ["one", "two", "Step."] and not voice.cancelled


def test_records_have_the_contract_fields_and_a_summary():
    session = Session(LIBRARY.get("overhead_reach"))
    records = [session.step(t, p).to_json() for t, p in timeline((2.0, Posture()), (21.0, REACH),
                                                                 camera=FAR)]
    for key in ("t", "frame", "stretch", "step", "in_position", "hold_s", "reps_done"):
        assert key in records[-1]
    assert json.loads(json.dumps(records[-1]))["stretch"] == "overhead_reach"
    assert records[-1]["reps_done"] == 1
    summary = session.summary()
    assert "1 of 3 reps counted from verified holds" in summary
    held = float(re.search(r"in position ([0-9.]+) s", summary).group(1))
    assert 20.0 <= held <= 21.0


# ---- command line ---------------------------------------------------------------------------

SAMPLE = FIXTURES / "sample_desk.mp4"


def stretch_cli(capsys, *args) -> tuple[int, list[dict], str]:
    code = main(["stretch", *args, "--jsonl", "-"])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_cli_sitting_still_is_never_an_overhead_reach(capsys):
    code, records, err = stretch_cli(capsys, "overhead_reach", "--source", str(SAMPLE), "--mute")
    assert code == 0 and len(records) == 150
    assert all(r["in_position"] is False for r in records)
    assert records[-1]["reps_done"] == 0 and records[-1]["stretch"] == "overhead_reach"
    assert [r["frame"] for r in records[:3]] == [0, 1, 2]
    assert "Reach both arms overhead." in err  # muted: the prompts are printed
    assert "0 of 3 reps counted" in err


def test_cli_a_stretch_the_camera_cannot_see_is_timed(capsys):
    code, records, err = stretch_cli(capsys, "chin_tuck", "--source", str(SAMPLE), "--mute")
    assert code == 0
    assert all(r["in_position"] is None for r in records)
    assert records[-1]["reps_done"] == 2
    assert "timed only" in err


def test_cli_unknown_stretch_is_one_line_naming_the_valid_ones(capsys):
    assert main(["stretch", "toe_touch", "--source", str(SAMPLE)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "toe_touch" in err[0] and "overhead_reach" in err[0]


def test_cli_bad_sources_are_one_line_without_the_stretch_header(tmp_path, capsys):
    for source, words in bad_inputs(tmp_path).items():
        assert main(["stretch", "side_bend", "--source", source, "--mute"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], err


def test_cli_a_finished_stretch_is_in_the_day_report(tmp_path, capsys):
    # 70 s of sitting still: the timed chest opener (2 reps) finishes; the overhead reach on
    # the 30 s sample is never entered, so it is not recorded as done.
    clip = make_sample(tmp_path / "still.mp4", [(0.0, 0.0), (70.0, 0.0)], fps=2)
    started = time.time()
    assert main(["stretch", "chest_opener", "--source", str(clip), "--mute"]) == 0
    assert main(["stretch", "overhead_reach", "--source", str(SAMPLE), "--mute"]) == 0
    capsys.readouterr()
    assert main(["report", "--json"]) == 0
    (done,) = json.loads(capsys.readouterr().out)["stretches"]["items"]
    assert (done["stretch_id"], done["reps"]) == ("chest_opener", 2)
    # Placed at the time the file's stretch would have ended had it played: never later than now,
    # inside a session of its own that ends with it (the unfinished stretch leaves none).
    at = datetime.fromisoformat(done["at"]).timestamp()
    assert started - 71.0 <= at <= time.time()
    (session,) = sqlite3.connect(default_path()).execute("SELECT started, ended FROM sessions")
    start, end = (datetime.fromisoformat(s).timestamp() for s in session)
    assert start < at and end == pytest.approx(at, abs=1.0)


def test_cli_speaks_to_a_folder(tmp_path, capsys, still):
    wavs = tmp_path / "wavs"
    assert main(["stretch", "butterfly", "--source", str(still), "--speak-to", str(wavs)]) == 0
    names = [p.name for p in wavs.glob("*.wav")]
    out, err = capsys.readouterr()
    assert names and "0 of 10 reps" in out
    # The script and the first step, each written to the folder, or (when espeak now and then
    # renders an empty file under load) shown as text by the Voice instead.
    for slug, text in (("try-the-butterfly", "Try the butterfly"),
                       ("put-your-right-hand", "Put your right hand")):
        assert any(slug in name for name in names) != (text in err)


def test_stretch_follows_the_voice_and_mute_settings():
    settings = Settings()
    assert voice_for(settings, mute=True, speak_to=None) is None
    for off in (replace(settings, voice=replace(settings.voice, enabled=False)),
                replace(settings, monitor=replace(settings.monitor, mute=True))):
        assert voice_for(off, mute=False, speak_to=None) is None
    slow = replace(settings, voice=replace(settings.voice, rate=111, max_age_s=3.0))
    voice = voice_for(slow, mute=False, speak_to=None)
    assert voice is not None
    try:
        assert (voice._rate, voice._max_age) == (111, 3.0)
    finally:
        voice.close(1.0)


@pytest.fixture(scope="module")
def still(tmp_path_factory) -> Path:
    """One frame of the sample clip as a picture."""
    path = tmp_path_factory.mktemp("still") / "desk.png"
    with open_source(SAMPLE) as source:
        cv2.imwrite(str(path), next(iter(source)).image)
    return path


def test_cli_speaks_at_the_settings_rate(tmp_path, capsys, still):
    """voice.rate in the settings file slows the WAVs `posture stretch --speak-to` writes."""
    durations = {}
    for rate in (110, 300):
        settings_path().write_text(f"[voice]\nrate = {rate}\n", encoding="utf-8")
        out = tmp_path / str(rate)
        assert main(["stretch", "chin_tuck", "--source", str(still), "--speak-to", str(out)]) == 0
        wavs = sorted(out.glob("*.wav"))
        assert wavs, capsys.readouterr().err
        durations[rate] = wav_stats(wavs[0])[0]  # the script: the same text both times
    assert durations[110] > 1.8 * durations[300]


# ---- benchmark harness -----------------------------------------------------------------------

def test_benchmark_tally_arithmetic():
    tally = Tally(Confusion(tp=8, fp=2, tn=30, fn=2), judged=40, frames=42, reps_counted=2,
                  reps_done=3)
    report = tally.report()
    assert report["precision"] == 0.8 and report["recall"] == 0.8
    assert report["balanced_accuracy"] == round((0.8 + 30 / 32) / 2, 3)
    assert report["judged_share"] == round(40 / 42, 3)
    assert Tally().report()["balanced_accuracy"] is None


def test_benchmark_scores_the_same_session_as_the_command(tmp_path):
    """A synthetic entry with a bent press labelled out of position and a reach labelled in:
    the harness counts what the guide's Session says, frame by frame, outside the margins."""
    doc = {"format": "posture-guide-manifest", "entries": [
        {"name": "reach", "stretch": "overhead_reach", "camera": {"distance": 1.2}, "reps": 1,
         "segments": [[2, "rest", False], [22, "reach", True], [5, "bent_press", False]]},
        {"name": "recording", "stretch": "butterfly", "source": "nowhere.mp4", "reps": 1,
         "in_position": [[1.0, 4.0]]}]}
    entries = parse_manifest(doc, tmp_path)
    assert entries[0].ranges == ((2.0, 24.0),) and entries[1].source == tmp_path / "nowhere.mp4"
    report = run_benchmark(entries)
    reach = report["entries"]["reach"]
    assert reach["balanced_accuracy"] > 0.95 and reach["reps_counted"] == 1
    assert "skipped" in report["entries"]["recording"]
    with pytest.raises(ValueError, match="unknown posture"):
        parse_manifest({**doc, "entries": [{**doc["entries"][0], "segments": [[1, "x", True]]}]},
                       tmp_path)


def test_the_shipped_benchmark_manifest_parses_and_covers_every_check():
    entries = parse_manifest(json.loads(GUIDE_MANIFEST.read_text()), DATA)
    assert {e.stretch for e in entries} == set(CHECKS)


# ---- real people (../shared/data) -----------------------------------------------------------

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
@pytest.mark.parametrize("stretch_id", sorted(CHECKS))
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
    """The laptop webcam's good and slouched frames: the ears drop 0.11 spans toward the
    shoulders, but the head came down, the shoulders did not rise."""
    good = still_estimator.estimate(read_image(LAPTOP / "good.png"))
    slouch = still_estimator.estimate(read_image(LAPTOP / "slouch.png"))
    relaxed = Reference(**relaxed_measures(good))
    assert relaxed.ear_height - relaxed_measures(slouch)["ear_height"] > 0.1
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
