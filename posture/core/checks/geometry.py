"""Label-free pixel geometry of a pose for the position checks: MediaPipe swaps left and right
when the torso turns far, and normalized coordinates would skew every angle on a 16:9 frame,
so every measure here works in pixels and orders pairs by their place in the image."""

from __future__ import annotations

import math

import numpy as np

from posture.core.metrics import VISIBLE, detect_view
from posture.core.pose import LM, Pose, shoulder_span

EDGE = 0.02  # a landmark nearer the frame's edge than this share of its size is extrapolated
ARMS = (
    (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
)
FACE_PAIRS = {"ears": (LM.LEFT_EAR, LM.RIGHT_EAR), "eyes": (LM.LEFT_EYE, LM.RIGHT_EYE)}


def in_view(pose: Pose | None) -> bool:
    """Someone is in view: the nose seen, both shoulders seen inside the frame (shoulders at or
    past its edge are extrapolated, and every check measures from them)."""
    return (pose is not None and pose.visible(LM.NOSE, threshold=VISIBLE)
            and in_frame(pose, LM.LEFT_SHOULDER) and in_frame(pose, LM.RIGHT_SHOULDER))


def span(pose: Pose) -> float:
    """Shoulder span in pixels (never zero: measures are divided by it)."""
    return max(shoulder_span(pose), 1e-9)


def unit(pose: Pose, a: int, b: int) -> np.ndarray:
    """Unit vector along the line through two landmarks, pointing image-right (label-free)."""
    d = pose.xy[a] - pose.xy[b]
    d = d / max(float(np.linalg.norm(d)), 1e-9)
    return d if d[0] >= 0 else -d


def tilt(pose: Pose, a: int, b: int) -> float:
    """Angle of the line through two landmarks from horizontal, in degrees, label-free:
    positive when its image-right end is lower (toward the person's left, camera unmirrored)."""
    d = unit(pose, a, b)
    return math.degrees(math.atan2(d[1], d[0]))


def angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle at b between b->a and b->c, in degrees (180 = straight)."""
    u, v = a - b, c - b
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    if norm < 1e-9:
        return 0.0
    return math.degrees(math.acos(float(np.clip(np.dot(u, v) / norm, -1.0, 1.0))))


def from_vertical(v: np.ndarray) -> float:
    """Angle of an image vector from straight up, in degrees (0 = up, 180 = down)."""
    return math.degrees(math.atan2(abs(float(v[0])), -float(v[1])))


def in_frame(pose: Pose, index: int) -> bool:
    """A landmark seen inside the frame, away from its edges: anything else is extrapolated."""
    x, y = pose.xy[index]
    mx, my = EDGE * pose.width, EDGE * pose.height
    return (pose.visible(index, threshold=VISIBLE)
            and mx <= x <= pose.width - mx and my <= y <= pose.height - my)


def eye_height(pose: Pose) -> float:
    """Pixels from the shoulder midpoint up to the eyes (to the nose if no eye is seen)."""
    eyes = [i for i in (LM.LEFT_EYE, LM.RIGHT_EYE) if pose.visible(i, threshold=VISIBLE)]
    top = pose.xy[eyes].mean(axis=0) if eyes else pose.xy[LM.NOSE]
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return float(centre[1] - top[1])


def nose_offset(pose: Pose) -> float:
    """Nose along the shoulder line from the shoulders' midpoint, in spans (+ = image right)."""
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    along = unit(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return float(np.dot(pose.xy[LM.NOSE] - centre, along)) / span(pose)


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


def head_line(pose: Pose) -> str | None:
    """'ears' when both are seen, else 'eyes', else None: the line that rolls with the head."""
    for name, pair in FACE_PAIRS.items():
        if pose.visible(*pair, threshold=VISIBLE):
            return name
    return None


def face(pose: Pose, name: str) -> tuple[float, float] | None:
    """(turn, width) of a face pair ('ears'): the nose off the pair's centre along it / its
    length, and its length / shoulder span. None unless the pair and the nose are seen."""
    a, b = FACE_PAIRS[name]
    if not pose.visible(a, b, LM.NOSE, threshold=VISIBLE):
        return None
    length = max(float(np.linalg.norm(pose.xy[a] - pose.xy[b])), 1e-9)
    turn = float(np.dot(pose.xy[LM.NOSE] - pose.mid(a, b), unit(pose, a, b))) / length
    return turn, length / span(pose)


def ear_nose(pose: Pose, ear: int) -> float:
    """An ear's distance to the nose, in shoulder spans."""
    return float(np.linalg.norm(pose.xy[ear] - pose.xy[LM.NOSE])) / span(pose)


def ear_nose_name(pose: Pose, ear: int) -> str:
    """The Reference field for this ear's distance to the nose, by its image side of the nose."""
    side = "left" if pose.xy[ear][0] < pose.xy[LM.NOSE][0] else "right"
    return f"ear_nose_image_{side}"


def relative(value: float, relaxed: float | None) -> float:
    """A measure against its relaxed level (against zero while that is not known)."""
    return value - (relaxed or 0.0)


def seen_from_front(pose: Pose | None) -> bool:
    """Someone in view, from the front (a side view hides what these checks measure)."""
    return in_view(pose) and detect_view(pose) == "front"
