"""What the overlay's tests share: a frontal sitter's pose, assessments, a stretch card, a
calibrated profile, blank frames and pixel tests."""

from __future__ import annotations

import numpy as np

from posture.core.cards import Card
from posture.core.pipeline import FrameResult
from posture.core.pose import LM, NUM_LANDMARKS, Pose
from posture.core.profile import Baseline, Profile
from posture.core.score import Assessment
from posture.io.drawing import Style
from posture.io.layout import plan

# A frontal sitter as fractions of the frame: at 640x480 the shoulders are 200 px apart at
# y=360, the ear midpoint 140 px above them. The wrists are there but unsure (not drawn).
FRONT = {
    LM.NOSE: (0.5, 0.48), LM.LEFT_EYE: (0.53, 0.44), LM.RIGHT_EYE: (0.47, 0.44),
    LM.LEFT_EAR: (0.5625, 0.4625), LM.RIGHT_EAR: (0.4375, 0.4625),
    LM.LEFT_SHOULDER: (0.65625, 0.75), LM.RIGHT_SHOULDER: (0.34375, 0.75),
    LM.LEFT_ELBOW: (0.69, 0.95), LM.RIGHT_ELBOW: (0.31, 0.95),
}
UNSURE = {LM.LEFT_WRIST: (0.75, 0.6), LM.RIGHT_WRIST: (0.25, 0.6)}

GOOD = Assessment("front", {}, {}, (), "good", 0.0)
SLOUCHED = Assessment("front", {}, {}, ("forward_head", "rounded_shoulders"), "slouched", 0.6)
CARD = Card(
    title="Doorway pectoral stretch",
    steps=("Stand in a doorway with your forearms on the frame, elbows at shoulder height.",
           "Step forward slowly until you feel a stretch across your chest \u2013 no pain.",
           "Breathe."),
    dose="hold 15-30 s, 3 times", countdown_s=25.0, countdown_of=30.0,
    footer="Not medical advice.")


def front_pose(width: int = 640, height: int = 480) -> Pose:
    """FRONT (confident) and UNSURE landmarks scaled to a frame; the rest unseen."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    vis = np.zeros(NUM_LANDMARKS)
    for points, confidence in ((FRONT, 0.99), (UNSURE, 0.1)):
        for i, (fx, fy) in points.items():
            xy[i] = (fx * width, fy * height)
            vis[i] = confidence
    return Pose(xy=xy, visibility=vis, world=np.zeros((NUM_LANDMARKS, 3)),
                width=width, height=height)


def gauge_rect(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Where the gauge goes in a frame of this shape (without a key line)."""
    return plan(shape, Style.of(shape), [], "0", None).gauge


def result(pose: Pose | None, assessment: Assessment | None, score: float) -> FrameResult:
    return FrameResult(t=0.0, frame=0, pose=pose, measurement=None, assessment=assessment,
                       score=score)


def calibrated(**centres: float) -> Profile:
    """A front-view profile whose centres match front_pose, except those given."""
    base = {"head_height": 0.65, "ear_height": 0.7, "face_size": 0.4, "neck_length": 1.75,
            "head_pitch": -0.125, "shoulder_tilt": 0.0, "head_offset": 0.0}
    base.update(centres)
    return Profile(view="front", baseline={k: Baseline(v, 0.03) for k, v in base.items()})


def frame(height: int = 480, width: int = 640, value: int = 0) -> np.ndarray:
    return np.full((height, width, 3), value, np.uint8)
