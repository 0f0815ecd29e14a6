"""One person's pose as plain data: MediaPipe's 33 landmark ids, the `Pose` of one frame, and
the sizes measured from it that the metrics, the calibration gates, the checks and the user
tracker share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class LM(IntEnum):
    """MediaPipe's 33 pose landmark indices."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_LANDMARKS = 33


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame.

    xy: (33, 2) pixel coordinates in the source frame; visibility: (33,) in 0..1;
    world: (33, 3) metres around the hips (MediaPipe's world landmarks); width, height: frame size.
    """

    xy: np.ndarray
    visibility: np.ndarray
    world: np.ndarray
    width: int
    height: int

    def visible(self, *indices: int, threshold: float = 0.5) -> bool:
        """True when every landmark named is visible with at least `threshold` confidence."""
        return bool(np.all(self.visibility[list(indices)] >= threshold))

    def mid(self, a: int, b: int) -> np.ndarray:
        """Pixel midpoint of two landmarks."""
        return (self.xy[a] + self.xy[b]) / 2.0

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the confidently seen landmarks (all of them if none are), within
        the frame (landmarks MediaPipe places outside it are guesses)."""
        seen = self.visibility >= 0.5
        pts = np.clip(self.xy[seen] if seen.any() else self.xy, 0, [self.width, self.height])
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


def size_and_centre(pose: Pose) -> float:
    """How much a person looks like the user at the desk: large and near the middle.

    Centrality counts as much as size: a person at a quarter of the width from the edge must
    have about five times the area of a centred one to be taken for the user.
    """
    x0, y0, x1, y1 = pose.bbox()
    area = (x1 - x0) * (y1 - y0) / (pose.width * pose.height)
    offset = abs((x0 + x1) / 2 / pose.width - 0.5)
    return area * max(0.0, 1.0 - 2.0 * offset) ** 2


def shoulder_span(pose: Pose) -> float:
    """Distance between the shoulder landmarks, in pixels."""
    return float(np.linalg.norm(pose.xy[LM.LEFT_SHOULDER] - pose.xy[LM.RIGHT_SHOULDER]))


def head_reach(pose: Pose) -> float:
    """Distance from the shoulder midpoint up to the ear midpoint, in pixels."""
    return float(np.linalg.norm(pose.mid(LM.LEFT_EAR, LM.RIGHT_EAR)
                                - pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)))


def body_scale(pose: Pose) -> float:
    """Size of the upper body in pixels, from the front or the side: the shoulder span and
    twice the reach from the shoulders up to the ears, combined (never near zero)."""
    return max(math.hypot(shoulder_span(pose), 2.0 * head_reach(pose)),
               0.02 * math.hypot(pose.width, pose.height))
