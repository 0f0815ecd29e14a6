"""Which of the people in view is the user, followed from frame to frame (pure: frame times)."""

from __future__ import annotations

import math

import numpy as np

from posture.core.pose import LM, Pose, body_scale, size_and_centre


class UserTracker:
    """Follows the user among the people in view, consistently from frame to frame.

    The user is first the largest, most central person. After that only a person where the
    user was, and of the user's size, counts: the shoulders may move JUMP body sizes at once
    plus DRIFT a second, the body's size change by RESIZE at once plus RESIZE_RATE a second,
    for at most a second (leaning in is gradual; a passer-by stepping in front is a sudden
    jump in place or size).
    While the user is not found, nobody is reported: for HOLD_S seconds (or the next frame,
    however far apart frames are) only a person who can have moved there from where the user
    was is taken, then until LOST_S only a person at the
    user's place and size (a passer-by crossing in front is at most briefly there). After LOST_S
    the user is looked for afresh, so a new user at the desk is found.
    """

    HOLD_S = 3.0
    LOST_S = 30.0
    JUMP = 0.35
    DRIFT = 0.5
    RESIZE = 0.12
    RESIZE_RATE = 0.3
    HOME_RESIZE = 0.2

    def __init__(self) -> None:
        self._anchor: tuple[float, Pose] | None = None
        self._last_t: float | None = None  # the previous frame's time

    def choose(self, candidates: list[Pose], t: float) -> Pose | None:
        """The user's pose among this frame's candidates, or None."""
        previous, self._last_t = self._last_t, t
        if self._anchor is not None:
            seen_at, anchor = self._anchor
            dt = abs(t - seen_at)
            # Seen in the previous frame, however long ago (slow sampling): follow the motion.
            if dt <= self.HOLD_S or seen_at == previous:
                moving = min(dt, 1.0)  # the user comes back about where last seen
                found = self.match(candidates, anchor, self.JUMP + self.DRIFT * moving,
                                   self.RESIZE + self.RESIZE_RATE * moving)
            else:
                found = self.match(candidates, anchor, self.JUMP, self.HOME_RESIZE)
            if found is not None:
                self._anchor = (t, found)
                return found
            if dt <= self.LOST_S:
                return None
        if not candidates:
            return None
        user = max(candidates, key=size_and_centre)
        self._anchor = (t, user)
        return user

    @staticmethod
    def match(candidates: list[Pose], anchor: Pose, reach: float, resize: float) -> Pose | None:
        """The candidate nearest the anchor whose shoulders lie within `reach` body sizes of the
        anchor's and whose size differs by at most `resize` (a share), or None."""
        scale = body_scale(anchor)
        centre = anchor.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
        limit = math.log(1.0 + resize)

        def distance(p: Pose) -> float:
            return float(np.linalg.norm(p.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER) - centre))

        fits = [p for p in candidates
                if distance(p) <= reach * scale and abs(math.log(body_scale(p) / scale)) <= limit]
        return min(fits, key=distance, default=None)
