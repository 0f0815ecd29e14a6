"""Monitoring in the live loop, one frame at a time: the shared pipeline, then the history,
prompts (spoken, and notified when no window shows them), the camera-moved notice and the
console status. The picture is drawn apart (`picture`), and only while a window shows it."""

from __future__ import annotations

from collections.abc import Callable

from posture.core.pipeline import FrameResult, Pipeline
from posture.core.profile import Profile
from posture.core.states import STATE_TEXT, posture_state
from posture.core.stretches import Library
from posture.io.console import Console
from posture.io.estimator import PoseEstimator
from posture.io.feed import Timeline
from posture.io.history import History
from posture.io.overlay import MonitorView
from posture.io.settings import Settings
from posture.io.sources import Frame


class Watch:
    """Monitoring against one profile (a new calibration makes a new Watch)."""

    def __init__(self, profile: Profile, library: Library, settings: Settings,
                 estimator: PoseEstimator, history: History, view: MonitorView,
                 console: Console, speak: Callable[[str], None],
                 notify: Callable[[str], None], can_key: Callable[[], bool],
                 clock: Timeline) -> None:
        """`speak` says a prompt, `notify` shows it on the desktop when no window shows it,
        `can_key` tells whether the user has keys (or a menu) to press now; `clock` is the
        feed's session clock, whose stopped time (pauses, a lost camera) is not monitored
        time."""
        self.pipeline = Pipeline(profile, library, settings.alerts, settings.monitor.sampling())
        self.clock = clock
        self._stopped_s = clock.stopped_s  # as it was at the last frame monitored
        self.settings = settings
        self.estimator = estimator
        self.history = history
        self.view = view
        view.profile = profile
        self.console = console
        self.speak = speak
        self.notify = notify
        self.can_key = can_key
        self._told_moved = False  # the current camera-moved episode was announced

    def step(self, frame: Frame) -> FrameResult:
        """Monitor one frame; its result."""
        stopped, self._stopped_s = self.clock.stopped_s - self._stopped_s, self.clock.stopped_s
        if stopped > 0:  # paused, or no camera, since the last frame: not watched meanwhile
            self._stop(frame.t - stopped)
        pose = self.estimator.estimate(frame.image, frame.t)
        result = self.pipeline.step(frame.t, frame.index, pose)
        a = result.verdict
        self.history.record_frame(result.t, result.pose is not None,
                                  a.posture if a else None, a.problems if a else (), result.score)
        self._record_break(self.pipeline.alerts.absence.last_break)
        self._track_camera(result)
        if result.prompt is not None:
            self.history.record_prompt(result.prompt)
            self.speak(result.prompt.text)
            self.notify(result.prompt.text)
        self.view.cards.update(result)  # a prompt's card is raised even with no window
        self._status(result)
        return result

    def _stop(self, t: float) -> None:
        """Frames stopped at `t` (paused, or the camera was lost) and now flow again: the time
        between was not watched, for the score and the history alike."""
        self.pipeline.stop(t)
        self.history.record_stop(t)

    def end(self, t: float) -> None:
        """The session ends at `t`: one ending while away ends a break."""
        self._record_break(self.pipeline.alerts.absence.finish(t))

    def recalibrate_hint(self) -> str:
        """How to recalibrate, with the means at hand."""
        if self.can_key():
            return "Press c to calibrate again."
        return ("Calibrate again: stop posture, then run posture calibrate with the camera "
                "where it is now.")

    def _status(self, result: FrameResult) -> None:
        """The console status of one monitored frame (a short absence keeps the last one)."""
        a = result.verdict
        if result.camera_moved:
            text = state = "camera moved: recalibrate" + (" (press c)" if self.can_key() else "")
        elif result.pose is None:
            if not self.away(result.t):
                return
            state = "away"
            text = STATE_TEXT[state]
        elif a is None:
            state = "unseen"
            text = STATE_TEXT[state]
        else:  # the words the window, the tray and posture status use
            state = posture_state(result, self.settings.alerts.score_threshold)
            problems = f" ({', '.join(a.problems)})" if a.problems else ""
            text = f"{STATE_TEXT[state]}{problems}, score {round(result.score)}"
        self.console.status(text, state)

    def away(self, t: float) -> bool:
        """Nobody has been in view for monitor.away_after_s seconds or more."""
        since = self.pipeline.alerts.absence.since
        return since is not None and t - since >= self.settings.monitor.away_after_s

    def _record_break(self, taken: tuple[float, float] | None) -> None:
        """Save a break the alert policy saw end (alerts.break_min_away_s or longer)."""
        if taken is not None:
            self.history.record_break(*taken)

    def _track_camera(self, result: FrameResult) -> None:
        """Suggest recalibrating once per episode of the camera having moved."""
        if not result.camera_moved:
            self._told_moved = False
        elif not self._told_moved:
            self._told_moved = True
            text = ("Everything looks shifted: the camera may have moved. "
                    + self.recalibrate_hint())
            self.speak(text)
            self.history.record_notice(result.t, "camera_moved", text)
