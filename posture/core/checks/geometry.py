"""Label-free pixel geometry of a pose for the position checks: MediaPipe swaps left and right
when the torso turns far, and normalized coordinates would skew every angle on a 16:9 frame,
so every measure here works in pixels and orders pairs by their place in the image."""

from __future__ import annotations

import math

import numpy as np

from posture.core.metrics import VISIBLE, detect_view, in_frame, line_tilt
from posture.core.pose import LM, Pose, shoulder_span

ARMS = (
    (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
)


def in_view(pose: Pose | None) -> bool:
    """Someone is in view: the nose seen, both shoulders seen inside the frame (shoulders at or
    past its edge are extrapolated, and every check measures from them)."""
    return (pose is not None and pose.visible(LM.NOSE, threshold=VISIBLE)
            and in_frame(pose, LM.LEFT_SHOULDER) and in_frame(pose, LM.RIGHT_SHOULDER))


def seen_from_front(pose: Pose | None) -> bool:
    """Someone in view, from the front (a side view hides what these checks measure)."""
    return in_view(pose) and detect_view(pose) == "front"


def span(pose: Pose) -> float:
    """Shoulder span in pixels (never zero: measures are divided by it)."""
    return max(shoulder_span(pose), 1e-9)


def unit(pose: Pose, a: int, b: int) -> np.ndarray:
    """Unit vector along the line through two landmarks, pointing image-right (label-free)."""
    d = pose.xy[a] - pose.xy[b]
    d = d / max(float(np.linalg.norm(d)), 1e-9)
    return d if d[0] >= 0 else -d


def down_axis(pose: Pose) -> np.ndarray:
    """Unit vector across the shoulder line, pointing down the image: the trunk's own "down",
    so arm angles do not change when the whole person leans or the camera rolls."""
    along = unit(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return np.array([-along[1], along[0]])


def angle_between(u: np.ndarray, v: np.ndarray) -> float:
    """Angle between two image vectors, in degrees (0..180)."""
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    if norm < 1e-9:
        return 0.0
    return math.degrees(math.acos(float(np.clip(np.dot(u, v) / norm, -1.0, 1.0))))


def height_above_shoulders(pose: Pose, point: np.ndarray) -> float:
    """How far a point lies above the shoulder line, across it, in shoulder spans."""
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return float(np.dot(point - centre, -down_axis(pose))) / span(pose)


def eye_height(pose: Pose) -> float | None:
    """Eyes (else ears) above the shoulder line, in shoulder spans; None when neither pair is
    seen."""
    for a, b in ((LM.LEFT_EYE, LM.RIGHT_EYE), (LM.LEFT_EAR, LM.RIGHT_EAR)):
        if pose.visible(a, b, threshold=VISIBLE):
            return height_above_shoulders(pose, pose.mid(a, b))
    return None


def nose_offset(pose: Pose) -> float:
    """Nose along the shoulder line from the shoulders' midpoint, in spans (+ = image right)."""
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    along = unit(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return float(np.dot(pose.xy[LM.NOSE] - centre, along)) / span(pose)


def trunk_lean(pose: Pose) -> float | None:
    """The hip-to-shoulder line from vertical, degrees (+: shoulders toward the image right);
    None unless both hips are seen inside the frame."""
    if not (in_frame(pose, LM.LEFT_HIP) and in_frame(pose, LM.RIGHT_HIP)):
        return None
    v = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER) - pose.mid(LM.LEFT_HIP, LM.RIGHT_HIP)
    return math.degrees(math.atan2(float(v[0]), -float(v[1])))


def shoulder_tilt(pose: Pose) -> float:
    """The shoulder line from horizontal, degrees (+: its image-right end lower)."""
    return line_tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)


def shoulder_yaw(pose: Pose) -> float | None:
    """The shoulder line's turn out of the image plane, degrees, from MediaPipe's world depth:
    positive when the image-right shoulder is the farther one. Label-free (the pair is ordered
    by its world x, which points image-right). None when the world points are degenerate."""
    d = pose.world[LM.LEFT_SHOULDER] - pose.world[LM.RIGHT_SHOULDER]
    if not np.all(np.isfinite(d)) or float(np.hypot(d[0], d[2])) < 1e-6:
        return None
    if d[0] < 0:
        d = -d
    return math.degrees(math.atan2(float(d[2]), float(d[0])))


def relative(value: float, relaxed: float | None) -> float:
    """A measure against its relaxed level (against zero while that is not known)."""
    return value - (relaxed or 0.0)
