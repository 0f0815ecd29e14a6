"""Named postures and cameras of the synthetic body for the position checks and the guided
stretch, and the helpers that pose and run them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from posture.core.checks.reference import Reference, relaxed_measures
from posture.core.guide.session import GuideFrame, Session
from posture.core.pose import LM, Pose
from posture.core.profile import Profile
from posture.io.library import load_library
from tests.synthetic import Arm, Camera, Posture, synthesize

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


# The real palms-together reach: elbows bent by 60 degrees, upper arms 160 up (real reaches in
# ../shared/data: elbows at 112-157 degrees, upper arms 124-164 from the trunk).
PALMS_TOGETHER = Posture(left_arm=Arm(160, 20, 60), right_arm=Arm(160, 20, 60))


GOAL_POST = Posture(left_arm=Arm(90, 90, 90), right_arm=Arm(90, 90, 90))  # a press's bottom


TRICEPS = Posture(left_arm=Arm(175, 0, 150), right_arm=Arm(175, 0, 150))  # hands behind the head


HANDS_ON_HEAD = Posture(left_arm=Arm(120, -30, 110), right_arm=Arm(120, -30, 110))  # on the crown


ONE_ARM = Posture(left_arm=Arm(180))


ARMS_FORWARD = Posture(left_arm=Arm(90), right_arm=Arm(90))


SHRUG = Posture(shoulder_elevation=0.08)  # real full shrugs: 0.2-0.25 shoulder spans


NOD = Posture(neck_flexion=30)


# Left ear toward the left shoulder; real side bends turn the face a little with the roll.
TILT_LEFT = Posture(head_roll=30, head_yaw=15)


TILT_RIGHT = Posture(head_roll=-30, head_yaw=-15)


BUTTERFLY = Posture(left_arm=Arm.hands_on_shoulders(-20), right_arm=Arm.hands_on_shoulders(-20))


# One elbow 0.37 spans below the other, as a real cross-body shoulder stretch held them (0.3-0.57
# in ../shared/data): close, high enough, a hand near each shoulder, but not the butterfly.
ELBOW_DROPPED = Posture(left_arm=Arm(80, -20, 150), right_arm=Arm(50, -20, 150))


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


def run(stretch_id: str, poses: list[tuple[float, Pose | None]],
        profile: Profile | None = None) -> list[GuideFrame]:
    """The guide's frames over a timeline, stepped as `posture stretch` steps its session
    (stopping when the stretch is done)."""
    session = Session(LIBRARY.get(stretch_id), profile)
    frames = []
    for t, pose in poses:
        frames.append(session.step(t, pose))
        if session.done:
            break
    return frames
