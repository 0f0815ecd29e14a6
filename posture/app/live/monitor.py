"""The live monitor behind `posture run`: one controller for every way it runs (tray, window
without tray, headless console). It owns the capture loop (guided first-use calibration, a
guided stretch on s, adaptive sampling, history, pauses, recovery from a lost camera) and acts
on `Command`s from any front end: keys, the tray menu, the control socket, notifications.

Everything it decides about posture comes from `posture.core.pipeline.Pipeline` (the same code
as `posture analyze`), run by `watch.Watch`. `run()` runs on whichever thread the front end
gives it (a worker thread under Qt, the main thread headless); commands arrive through its
thread-safe `inbox` and the world reads its `board`.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from posture.app.guided import Announcer
from posture.app.live.actions import Command, Inbox
from posture.app.live.guidance import Guidance
from posture.app.live.picture import (
    DISPLAY_FPS,
    Pictures,
)
from posture.app.live.status import StatusBoard
from posture.app.live.today import good_share_today
from posture.app.live.watch import Watch
from posture.core.errors import UserError
from posture.core.guide.session import Session
from posture.core.pauses import Pause, Pauses, off_hours
from posture.core.pipeline import FrameResult
from posture.core.pose import Pose
from posture.core.profile import CameraSetup, Profile
from posture.core.protocol import GuidedCalibration
from posture.io.camera_names import ROOT
from posture.io.console import Console
from posture.io.estimator import PoseEstimator
from posture.io.feed import Feed
from posture.io.history import History, placed_start
from posture.io.library import load_library
from posture.io.overlay import MonitorView
from posture.io.settings import Settings
from posture.io.sources import Frame, FrameSource, Schedule, open_source
from posture.io.voice import Voice, open_voice

SHARE_EVERY_S = 60.0  # today's good share is read from the history this often
PAUSE_CHECK_S = 60.0  # while paused with no end in sight, look at the pauses this often


@dataclass
class Options:
    """Where frames come from, where the profile lives and whether the run is recorded, after
    settings and flags."""

    source: str
    profile_path: Path | None  # None: calibrate for this run only, and save no profile
    # At a camera: use the profile made for its set-up (profile_path is then set on open).
    profile_by_setup: bool = False
    speed: float = 1.0  # a file plays this many times faster than real time
    record: bool = True  # keep the session in the history


class LiveMonitor(Guidance, Pictures):
    """Runs the capture loop until quit, the file's end, or an interrupt."""

    IDLE_WAIT_S = 1.0  # waiting with nothing due: look again this often (commands wake it)

    def __init__(self, settings: Settings, options: Options, *,
                 opener: Callable[[str], FrameSource] | None = None,
                 out: TextIO | None = None, wall: Callable[[], float] = time.time,
                 devices: Path = ROOT) -> None:
        """`opener` opens the source (default: open_source at the settings' rate and capture
        size); `wall` is the wall clock pauses are timed on; a camera's name is read under
        `devices` (posture.io.camera_names)."""
        self.settings = settings
        self.options = options
        m = settings.monitor
        self.feed = Feed(options.source, opener or (lambda spec: open_source(
            spec, fps=m.fps_active, size=(m.capture_width, m.capture_height))),
            options.speed, self.tell, self._idle, self._hold)
        self.console = Console(out)
        self.wall = wall
        self.inbox = Inbox()
        self.board = StatusBoard()
        self.board.set(pid=os.getpid())
        self.pauses = Pauses()
        self.hours = settings.schedule.work_hours()  # None: no schedule, watch at any hour
        self.library = load_library()
        self.view = MonitorView(None, self.library, settings.alerts)
        # Set by the front end: whether the user has keys or a menu, how the picture is
        # shown (only called while the window is shown) and how a prompt reaches the desktop.
        self.can_key = False
        self.show_picture: Callable[[np.ndarray], None] = lambda image: None
        self.notify_desktop: Callable[[str], None] = lambda text: None
        self.estimator: PoseEstimator | None = None
        self.voice: Voice | None = None
        self.history: History | None = None
        self.profile: Profile | None = None
        self.devices = devices
        self.setup: CameraSetup | None = None  # the camera's set-up, recorded in its profiles
        self.watch: Watch | None = None  # monitoring, once there is a profile
        self.guided: GuidedCalibration | None = None
        self.guide_text = ""  # what the guided calibration shows now
        self.stretch: tuple[Session, Announcer] | None = None  # a guided stretch under way
        self.quit = False
        self.ended = threading.Event()  # set once the session is closed, for `posture quit`
        self.outcome = ""  # what became of the session, once ended
        self.pose: Pose | None = None  # the latest pose, for the picture
        self.result: FrameResult | None = None  # the latest monitored frame's result
        self.notice = ""  # a message shown instead of the camera (lost camera, a question)
        self._raw: np.ndarray | None = None  # the latest frame, for pictures
        self._schedule = Schedule(DISPLAY_FPS)  # which shown frames are analysed
        self._woken = False  # a command changed what the loop should do
        self._snoozed_until: float | None = None  # wall clock
        self._share_at = -math.inf  # monotonic time today's share was last read
        self._problems: tuple[str, ...] = ()  # the problems seen last, for the s key
        self.ACTIONS: dict[str, Callable[[Any], None]] = {
            "quit": self._quit, "pause": self._pause, "resume": self._resume,
            "toggle_pause": self._toggle_pause, "mute": self._mute, "snooze": self._snooze,
            "calibrate": self._recalibrate, "stretch": self._toggle_stretch,
            "window": self._window}

    def tell(self, text: str) -> None:
        """One line for the user on the console."""
        self.console.say(text)

    def speak(self, text: str) -> None:
        """Say something (or print it when speech is off in the settings)."""
        if self.voice is not None:
            self.voice.say(text)
        else:
            self.tell(text)

    def post(self, name: str, arg: Any = None) -> None:
        """Ask something of the monitor, from any thread."""
        self.inbox.post(Command(name, arg))

    @property
    def paused(self) -> bool:
        """True while a pause is in force."""
        return bool(self.pauses.active(self.wall()))

    @property
    def showing(self) -> bool:
        """True while a window shows the camera."""
        return self.board.get().window

    # ---- the loop --------------------------------------------------------------------------

    def open(self) -> FrameSource:
        """Open the source; no camera (or file) is one line and exit 2 before anything else.
        At a camera, its set-up is known now (and the profile made for it chosen)."""
        source = self.feed.open()
        if source.is_camera:
            self._know_setup(source)
        return source

    def run(self) -> int:
        """Monitor until quit (the source opened by `open`, else opened here); the exit code."""
        source = self.feed.source or self.open()
        with ExitStack() as stack:
            stack.callback(self.feed.release)
            stack.callback(self.console.close)
            self._load_profile()
            if self.quit:
                return 0
            # Tracking for a camera or video; a folder's stills are separate pictures.
            self.estimator = stack.enter_context(PoseEstimator(video=source.continuous))
            self.voice = stack.enter_context(self._voice())
            self.history = history = stack.enter_context(History(record=self.options.record))
            if not history.recording:
                self.tell("this run is not recorded in the history (posture run --record "
                          "keeps a file's run)")
            history.start_session(self.options.source, str(self.options.profile_path or ""),
                                  stall_s=self.settings.monitor.sampling().stall_s,
                                  wall_start=placed_start(source.duration, self.options.speed))
            if self.profile is not None:
                self.watch = self._watch(self.profile)
            try:
                self._loop()
            except KeyboardInterrupt:
                self.quit = True
            finally:
                if self.watch is not None:
                    self.watch.end(self.feed.clock.t)
                history.end_session(self.feed.clock.t)
                self.outcome = history.outcome()
                self.ended.set()
            self._said_what_was_kept(history)
        if self.guided is not None and self.profile is None and self.feed.ended:
            raise UserError("calibration did not finish before the file ended: use a longer "
                            "recording of you sitting well, or posture calibrate --source "
                            "FILE --profile NAME")
        return 0

    def _said_what_was_kept(self, history: History) -> None:
        """The last line: whether the session is in the history (when stopped; when it could
        not be saved, always, with where to fix it)."""
        if history.lost or not self.feed.ended:
            self.console.close()  # the last status stays above, not redrawn below this
            self.tell(("" if self.feed.ended else "stopped; ") + history.outcome())

    def _loop(self) -> None:
        """Take frames and act on them until quit, the file's end, or a pause."""
        while not self.quit:
            self._act_on_commands(0.0)
            self._keep_hours()
            if self.paused:
                self._paused()
                continue
            self._rate()
            frame = self.feed.next()
            self._act_on_commands(0.0)  # what was asked while the frame came applies to it
            if frame is not None and not (self.paused or self.quit):  # not while waiting
                self._step(frame)
            elif self.feed.ended:
                return

    def _step(self, frame: Frame) -> None:
        """Process one frame: calibrate, stretch or monitor (when due), then show it."""
        self._raw, self.notice = frame.image, ""
        if not self.showing or self._schedule.keep(frame.t, self._analysis_rate()):
            if self.guided is not None:
                self._calibrate(frame)
            elif self.stretch is not None:
                self._stretch(frame)
            else:
                assert self.watch is not None
                self.result = result = self.watch.step(frame)
                self.pose = result.pose
                a = result.verdict
                self._problems = a.problems if a and a.problems else self._problems
            self._publish()
        if self.showing:
            self.show_picture(self.picture(frame.t))

    def _analysis_rate(self) -> float:
        """Frames a second the model looks at now: the pipeline's adaptive rate while
        monitoring; calibrating and stretching watch closely (monitor.fps_active)."""
        if self.watch is not None and self.guided is None and self.stretch is None:
            return self.watch.pipeline.rate
        return self.settings.monitor.fps_active

    def _rate(self) -> None:
        """Read frames at the model's rate, or at display rate while a window shows them (a
        camera does not decode the frames it is not asked for)."""
        rate = self._analysis_rate()
        self.feed.set_rate(max(rate, DISPLAY_FPS) if self.showing else rate)

    # ---- what the world sees ---------------------------------------------------------------

    def _publish(self) -> None:
        """Put the monitor's state on the board (and today's share, once a minute)."""
        now = time.monotonic()
        if now - self._share_at >= SHARE_EVERY_S:
            self._share_at = now
            self.board.set(good_share_today=good_share_today())
        monitoring = self.watch is not None and self.result is not None
        snoozed = self._snoozed_until if (self._snoozed_until or 0) > self.wall() else None
        a = self.result.assessment if monitoring and self.result else None
        pauses = self.pauses.active(self.wall())
        self.board.set(state=self.state(), pauses=pauses,
                       capturing=not pauses and self.feed.source is not None,
                       score=self.result.score if monitoring and self.result else None,
                       problems=a.problems if a else (), snoozed_until=snoozed,
                       muted=self.voice is not None and self.voice.muted)

    # ---- commands --------------------------------------------------------------------------

    def _act(self, command: Command) -> None:
        """Do what a command asks (on the monitor's thread)."""
        self.ACTIONS[command.name](command.arg)
        self._woken = True
        self._publish()

    def _act_on_commands(self, wait_s: float) -> None:
        """Act on the commands waiting, the first waited for up to `wait_s` seconds."""
        command = self.inbox.take(wait_s)
        while command is not None:
            self._act(command)
            command = self.inbox.take(0.0)

    def _quit(self, arg: object = None) -> None:
        self.quit = True

    def _pause(self, pause: Pause | None) -> None:
        """Pause (the user's own pause when no Pause is given: until resumed)."""
        self.pauses.start(pause or Pause("user"))

    def _resume(self, reason: str | None) -> None:
        """End the pause with this reason (the user's by default)."""
        self.pauses.end(reason or "user")

    def _toggle_pause(self, arg: object = None) -> None:
        """p: pause until resumed, or resume."""
        if not self.pauses.end("user"):
            self.pauses.start(Pause("user"))

    def _mute(self, on: bool | None) -> None:
        """Mute or unmute speech (None: the other way round)."""
        if self.voice is None:
            self.tell("speech is off in the settings (voice.enabled = false)")
            return
        self.voice.muted = (not self.voice.muted) if on is None else bool(on)
        self.tell("muted" if self.voice.muted else "unmuted")

    def _snooze(self, arg: object = None) -> None:
        """No posture prompts for alerts.snooze_s."""
        if self.watch is None:
            return
        snooze_s = self.settings.alerts.snooze_s
        self.watch.pipeline.alerts.snooze(snooze_s, self.feed.clock.t)
        self._snoozed_until = self.wall() + snooze_s
        self.tell(f"snoozed for {snooze_s / 60:.0f} minutes")

    def _window(self, shown: bool) -> None:
        """The front end shows or hides the window: frames come at display rate or the
        model's, and analysing starts afresh."""
        self.board.set(window=bool(shown))
        self._schedule = Schedule(DISPLAY_FPS)
        if shown:
            self._show_still()

    def _notify(self, text: str) -> None:
        """A prompt on the desktop, when no window shows it."""
        if not self.showing:
            self.notify_desktop(text)

    # ---- waiting ---------------------------------------------------------------------------

    def _hold(self, seconds: float) -> None:
        """Let `seconds` pass until the next frame is due, acting on commands (at a settled
        rate that is seconds: q, p or the window must not wait that long)."""
        self._wait(seconds)

    def _idle(self, text: str, seconds: float) -> None:
        """Let `seconds` pass (less if the user quits), showing `text` (a lost camera)."""
        self.notice = text
        self._publish()
        self._show_still()
        self._wait(seconds, until_woken=False)

    def _wait(self, seconds: float, until_woken: bool = True) -> None:
        """Wait up to `seconds`, acting on commands; over at once on quit (and, with
        `until_woken`, when a command changed what the loop should do)."""
        end = time.monotonic() + seconds
        self._woken = False
        while not self.quit and not (until_woken and self._woken):
            left = end - time.monotonic()
            if left <= 0:
                return
            self._act_on_commands(left)

    def _paused(self) -> None:
        """Paused: a camera is released (a file keeps its place) until every pause ends."""
        self.feed.pause()
        told: tuple[Pause, ...] = ()
        while not self.quit and (pauses := self.pauses.active(self.wall())):
            if pauses != told:
                told = pauses
                self.tell(self._paused_line(pauses))
                self._publish()
                self._show_still()
            end = self.pauses.next_end(self.wall())
            left = PAUSE_CHECK_S if end is None else min(PAUSE_CHECK_S, end - self.wall())
            self._act_on_commands(max(0.0, left))
            self._keep_hours()
        self._publish()
        if not self.quit:
            self.tell("resumed")

    def _keep_hours(self) -> None:
        """Outside work hours (when a schedule is set), pause until work next starts."""
        pause = off_hours(self.hours, datetime.fromtimestamp(self.wall()))
        if pause is not None:
            self.pauses.start(pause)

    def _voice(self) -> AbstractContextManager[Voice | None]:
        """Speech as the settings say; none at all (no engine started) when disabled."""
        voice = open_voice(self.settings.voice, self.tell, muted=self.settings.monitor.mute)
        return voice if voice is not None else contextlib.nullcontext()
