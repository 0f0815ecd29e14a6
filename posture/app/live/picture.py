"""What the world sees of the live monitor: its state in one word, and the camera window's
picture: the frame enlarged when it is small (so the overlay reads), the overlay of whatever
the monitor is doing, the badges and the key line. Drawn only while a window shows it, at
display rate; between analysed frames the latest landmarks are drawn on the new picture.
`Pictures` is a mixin of `monitor.LiveMonitor`, whose state it reads."""

from __future__ import annotations

import math
from dataclasses import replace

import cv2
import numpy as np

from posture.app.live.actions import KEY_LINE
from posture.core.pauses import ENDS_TEXT, Pause, pauses_words
from posture.core.pipeline import FrameResult
from posture.core.pose import Pose
from posture.core.states import posture_state
from posture.io.images import to_bgr
from posture.io.overlay import render_calibration, render_message, render_stretch

MIN_SIDE = 480  # a frame whose short side is smaller is drawn enlarged by a whole factor
DISPLAY_FPS = 12.0  # frames a second read and drawn while the window is shown


def enlargement(image: np.ndarray) -> int:
    """The whole factor a frame is enlarged by before drawing (1: as it is)."""
    side = min(image.shape[:2])
    return max(1, math.ceil(MIN_SIDE / side)) if 0 < side < MIN_SIDE else 1


def enlarged(image: np.ndarray, factor: int) -> np.ndarray:
    """The frame as BGR, `factor` times larger."""
    bgr = to_bgr(image)
    if factor == 1:
        return bgr
    return cv2.resize(bgr, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)


def scaled_pose(pose: Pose | None, factor: int) -> Pose | None:
    """A pose's landmarks on a frame enlarged `factor` times."""
    if pose is None or factor == 1:
        return pose
    return replace(pose, xy=pose.xy * factor, width=pose.width * factor,
                   height=pose.height * factor)


def scaled_result(result: FrameResult, factor: int, t: float) -> FrameResult:
    """A monitored frame's result redrawn at time `t` on a frame enlarged `factor` times: its
    prompt is not raised again (its card stays up for its time)."""
    return replace(result, t=t, prompt=None, pose=scaled_pose(result.pose, factor))


class Pictures:
    """The state, the window's picture and the words while paused, for LiveMonitor (see there
    for the attributes)."""

    def state(self) -> str:
        """What the monitor is doing now, in one word (posture.core.states)."""
        if self.paused:
            return "paused"
        if self.notice:
            return "camera unavailable"
        if self.guided is not None:
            return "calibrating"
        if self.stretch is not None:
            return "stretching"
        if self.watch is None or self.result is None:
            return "starting"
        if self.result.pose is None and not self.watch.away(self.result.t):
            return self.board.get().state  # a missed detection is not yet "away"
        return posture_state(self.result, self.settings.alerts.score_threshold)

    def badges(self) -> tuple[str, ...]:
        """The window's marks for what is switched: snoozed prompts, muted speech."""
        marks = []
        if self._snoozed_until is not None and self._snoozed_until > self.wall():
            marks.append(f"Snoozed {math.ceil((self._snoozed_until - self.wall()) / 60)} min")
        if self.voice is not None and self.voice.muted:
            marks.append("Muted")
        return tuple(marks)

    def picture(self, t: float) -> np.ndarray:
        """The window's picture now: the latest frame with the overlay of what is going on."""
        m = self.settings.monitor
        raw = self._raw if self._raw is not None else np.zeros(
            (m.capture_height, m.capture_width, 3), np.uint8)
        factor = enlargement(raw)
        image = enlarged(raw, factor)
        keys = KEY_LINE if self.can_key else None
        badges = self.badges()
        state = self.state()
        if state in ("paused", "camera unavailable", "starting") or self.notice:
            return render_message(image, state, self.notice or self._paused_text(), badges=badges,
                                  keys=keys)
        pose = scaled_pose(self.pose, factor)
        if self.guided is not None:
            return render_calibration(image, pose, self.guide_text, badges=badges, keys=keys)
        if self.stretch is not None:
            return render_stretch(image, pose, self.stretch[0].card(), badges=badges, keys=keys)
        assert self.watch is not None and self.result is not None
        result = scaled_result(self.result, factor, t)
        caption = self.watch.recalibrate_hint() if result.camera_moved else None
        return self.view.draw(image, result, badges=badges, keys=keys, caption=caption,
                              state=state)

    def _show_still(self) -> None:
        """Show the picture now (when the window is up and no frame will come soon)."""
        if self.showing:
            self.show_picture(self.picture(self.feed.clock.t))

    def _paused_text(self) -> str:
        """The window's words while paused: every pause in force."""
        pauses = self.pauses.active(self.wall())
        user = any(p.reason == "user" for p in pauses)
        hint = " - press p to resume" if user and self.can_key else ""
        return pauses_words(pauses, self.wall()) + hint

    def _paused_line(self, pauses: tuple[Pause, ...]) -> str:
        """The console's line on pausing: every pause in force, and what ends each."""
        off = "the camera is off; " if self.feed.camera else ""
        by_you = "you press p" if self.can_key else "you run posture resume"
        ends = " and ".join(ENDS_TEXT.get(p.reason, by_you) for p in pauses)
        return f"{pauses_words(pauses, self.wall())}: {off}resumes when {ends}"
