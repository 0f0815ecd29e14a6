"""The live monitor behind `posture run`: the capture loop with window or console, keys,
guided first-use calibration, adaptive sampling, history, and recovery from a lost camera.

Everything it decides about posture comes from `monitor.Pipeline` (the same code as
`posture analyze`); this module is the edge: clocks, devices, windows, signals.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import cv2
import numpy as np

from posture.calibration import (
    GuidedCalibration,
    Profile,
    load_profile,
    load_protocol,
    save_profile,
)
from posture.errors import UserError
from posture.guide import Announcer, Session, draw
from posture.history import History
from posture.monitor import CardShelf, FrameResult, Pipeline, Sampling
from posture.overlay import COLOR_IDLE, COLOR_TEXT, draw_skeleton, draw_status, render
from posture.pose import PoseEstimator, to_bgr
from posture.settings import Settings
from posture.sources import Frame, FrameSource, open_source
from posture.stretches import load_library, suggest
from posture.voice import Voice
from posture.window import show

SNOOZE_S = 30 * 60.0  # space bar: no posture prompts for this long
RETRY_MAX_S = 30.0  # a lost camera is retried after 1, 2, 4 ... s, at most this long apart
KEYS = {ord("q"): "quit", 27: "quit", ord("p"): "pause", ord("m"): "mute", ord("s"): "stretch",
        ord("c"): "calibrate", ord(" "): "snooze"}


@dataclass
class Options:
    """How to run: where frames come from and what to show, after settings and flags."""

    source: str
    profile_path: Path
    window: bool
    speed: float = 1.0  # a file plays this many times faster than real time


class LiveMonitor:
    """Runs the capture loop until the user quits, the file ends, or SIGINT/SIGTERM arrives."""

    def __init__(self, settings: Settings, options: Options, *,
                 opener: Callable[[str, float | None], FrameSource] = open_source,
                 out: TextIO | None = None) -> None:
        self.settings = settings
        self.options = options
        self.opener = opener
        self.out = out or sys.stderr
        self.library = load_library()
        self.cards = CardShelf(self.library)
        self.voice: Voice | None = None
        self.history: History | None = None
        self.profile: Profile | None = None
        self.pipeline: Pipeline | None = None
        self.guided: GuidedCalibration | None = None
        self.stretch: tuple[Session, Announcer] | None = None  # a guided stretch under way
        self._problems: tuple[str, ...] = ()
        self.paused = False
        self.quit = False
        self.display = options.window
        self._last_status = ""
        self._last_t = 0.0
        self._away_since: float | None = None
        self._told_moved = False
        self._source: FrameSource | None = None
        self._opened: FrameSource | None = None  # opened at start, before the loop takes it
        self._file_ended = False
        self._retry = 1.0

    # ---- messages --------------------------------------------------------------------------

    def tell(self, text: str) -> None:
        """One line for the user on the console."""
        print(f"posture: {text}", file=self.out, flush=True)

    def speak(self, text: str) -> None:
        """Say something (or print it when there is no voice)."""
        if self.voice is not None:
            self.voice.say(text)
        else:
            self.tell(text)

    def status(self, text: str) -> None:
        """The one-line console status, printed when it changes."""
        if text != self._last_status:
            self._last_status = text
            self.tell(text)

    # ---- set-up ----------------------------------------------------------------------------

    def _load_profile(self) -> None:
        """Use the saved profile, or start the guided calibration when there is none or it is
        broken (the broken file is kept beside the new one)."""
        path = self.options.profile_path
        if not path.exists():
            self.tell(f"no profile at {path} yet: starting the guided calibration")
            self.guided = GuidedCalibration(load_protocol())
            return
        try:
            self.profile = load_profile(path)
        except UserError as exc:
            self.tell(f"{exc}; starting the guided calibration instead (press q to quit)")
            self.guided = GuidedCalibration(load_protocol())

    def _save_profile(self, profile: Profile) -> None:
        """Save the new profile, keeping any unreadable old one as .broken."""
        path = self.options.profile_path
        if path.exists():
            try:
                load_profile(path)
            except UserError:
                os.replace(path, path.with_name(path.name + ".broken"))
        save_profile(profile, path)
        self.tell(f"saved profile {path}")

    # ---- frames ----------------------------------------------------------------------------

    def frames(self) -> Iterator[Frame]:
        """Frames on one continuous timeline; a lost camera is reopened with back-off."""
        offset = 0.0
        while not self.quit:
            if self.paused:
                return
            try:
                source = self._opened or self.opener(self.options.source,
                                                     self.settings.monitor.fps_active)
            except UserError:
                self._wait_for_camera()
                continue
            self._opened = None
            self._source, self._retry = source, 1.0
            started = time.monotonic()
            try:
                for frame in source:
                    t = offset + frame.t
                    if not source.is_camera:
                        self._pace(started, frame.t)
                    yield replace(frame, t=t)
                    if self.paused or self.quit:
                        return
            finally:
                source.close()
            if not source.is_camera:
                self.quit = self._file_ended = True  # a file ends the run
                return
            self.status("the camera stopped delivering frames: retrying")
            offset = self._last_t + 1.0
            self._wait_for_camera()

    def _wait_for_camera(self) -> None:
        """Back off before the next attempt to open the camera, keeping the window alive."""
        delay = self._retry
        self.status(f"camera unavailable: retrying in {delay:g} s (unplugged or busy?)")
        end = time.monotonic() + delay
        while time.monotonic() < end and not self.quit:
            self._show_message("Camera unavailable - retrying")
            time.sleep(0.1)
        self._retry = min(delay * 2, RETRY_MAX_S)

    def _pace(self, started: float, t: float) -> None:
        """Play a file at its own speed (times options.speed), as a camera would deliver it."""
        delay = started + t / self.options.speed - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    # ---- the loop --------------------------------------------------------------------------

    def run(self) -> int:
        """Monitor until quit; returns the exit code."""
        # No camera (or file) at start: one line and exit 2 before anything else happens.
        self._opened = self.opener(self.options.source, self.settings.monitor.fps_active)
        previous = signal.signal(signal.SIGTERM, _interrupt)
        self._load_profile()
        history = History()
        try:
            with PoseEstimator(video=True) as estimator, self._voice() as voice, history:
                self.voice, self.history, self.estimator = voice, history, estimator
                history.start_session(self.options.source, str(self.options.profile_path))
                if self.profile is not None:
                    self.pipeline = self._pipeline(self.profile)
                while not self.quit:
                    for frame in self.frames():
                        self._step(frame)
                        if self.quit or self.paused:
                            break
                    if self.paused:
                        self._paused()
                history.end_session(self._last_t)
        except KeyboardInterrupt:
            self.tell("stopped; session saved")
        finally:
            signal.signal(signal.SIGTERM, previous)
            if self.display:
                cv2.destroyAllWindows()
        if (self.guided is not None and self.profile is None and self._file_ended):
            raise UserError("calibration did not finish before the file ended: use a longer "
                            "recording of you sitting well, or posture calibrate --source FILE")
        return 0

    def _pipeline(self, profile: Profile) -> Pipeline:
        m = self.settings.monitor
        return Pipeline(profile, self.estimator, self.settings.alerts,
                        Sampling(m.fps_good, m.fps_active))

    def _voice(self) -> Voice:
        v = self.settings.voice
        return Voice(rate=v.rate, max_age=v.max_age_s, muted=self.settings.monitor.mute,
                     fallback=lambda text: self.tell(text))

    def _step(self, frame: Frame) -> None:
        """Process one frame: calibrate or monitor, record, speak, draw, read keys."""
        self._last_t = frame.t
        if self.guided is not None:
            image = self._calibrate(frame)
        elif self.stretch is not None:
            image = self._stretch(frame)
        else:
            image = self._monitor(frame)
        self._display(image)

    def _calibrate(self, frame: Frame) -> np.ndarray:
        """One frame of the guided calibration."""
        assert self.guided is not None
        pose = self.estimator.estimate(frame.image, frame.t)
        g = self.guided.feed(frame.t, pose)
        if g.say:
            self.speak(g.say)
        self.status(f"calibrating: {g.show}")
        if g.profile is not None:
            self._save_profile(g.profile)
            self.profile, self.guided = g.profile, None
            self.pipeline = self._pipeline(g.profile)
        elif g.failure is not None:
            self.guided = GuidedCalibration(load_protocol())  # start over; q quits
        image = draw_skeleton(to_bgr(frame.image), pose)
        image = draw_status(image, "unknown")
        return _caption(image, g.show, g.remaining_s)

    def _monitor(self, frame: Frame) -> np.ndarray:
        """One frame of monitoring: the shared pipeline, then history, prompts and sampling."""
        assert self.pipeline is not None and self.history is not None
        result = self.pipeline.step(frame)
        a = result.assessment
        self._problems = a.problems if a and a.problems else self._problems
        self.history.record_frame(result.t, result.pose is not None,
                                  a.posture if a else None, a.problems if a else (), result.score)
        self._track_presence(result)
        self._track_camera(result)
        if result.prompt is not None:
            self.history.record_prompt(result.prompt)
            self.speak(result.prompt.text)
            if not self.display:
                notify(result.prompt.text)
        if self._source is not None:
            self._source.fps = self.pipeline.rate
        state = "away" if self._away_since is not None else (a.posture if a else "no verdict")
        problems = f" ({', '.join(a.problems)})" if a and a.problems else ""
        self.status(f"{state}{problems}, score {10 * round(result.score / 10):.0f}")
        return render(to_bgr(frame.image), result, self.profile,
                      threshold=self.settings.alerts.score_threshold,
                      card=self.cards.update(result))

    def _start_stretch(self) -> None:
        """s: lead the stretch on the card (else one for the problems seen last)."""
        stretch_id = self.cards.current
        if stretch_id is None:
            picks = suggest(self._problems or ("slouch",), self.library)
            stretch_id = picks[0].stretch.id if picks else "overhead_reach"
        session = Session(self.library.get(stretch_id), self.profile)
        self.stretch = (session, Announcer(self.voice, self.tell))
        self.tell(f"stretch: {session.stretch.name} (press s again to stop)")

    def _stretch(self, frame: Frame) -> np.ndarray:
        """One frame of a guided stretch: check the position, count, speak, show the card."""
        assert self.stretch is not None and self.history is not None
        session, announcer = self.stretch
        pose = self.estimator.estimate(frame.image, frame.t)
        record = session.step(frame.t, pose, frame.index)
        announcer.add(record.lines)
        if session.done:
            self.history.record_stretch(frame.t, session.stretch.id, record.reps_done,
                                        session.in_position_s)
            self.tell(session.summary().replace("\n", "; "))
            self.stretch = None
        return draw(frame.image, pose, session)

    def _track_presence(self, result: FrameResult) -> None:
        """Nobody in view for a while is 'away'; a long enough absence is saved as a break."""
        assert self.history is not None
        if result.pose is None:
            if self._away_since is None:
                self._away_since = result.t
            return
        if self._away_since is not None:
            if result.t - self._away_since >= self.settings.alerts.break_min_away_s:
                self.history.record_break(self._away_since, result.t)
            self._away_since = None

    def _track_camera(self, result: FrameResult) -> None:
        """Suggest recalibrating (once) when the pipeline sees the camera has moved."""
        if result.camera_moved and not self._told_moved:
            self._told_moved = True
            self.speak("Everything looks shifted: the camera may have moved. "
                       "Press c to calibrate again.")

    # ---- window and keys ------------------------------------------------------------------

    def _display(self, image: np.ndarray) -> None:
        """Show the overlay (when there is a display) and act on the key pressed."""
        if not self.display:
            return
        key = show(image)
        if key is None:
            self.display = False
            self.tell("no display: running headless")
            return
        self._key(key)

    def _show_message(self, text: str) -> None:
        """A grey frame with one line, for pauses and a lost camera."""
        if self.display:
            canvas = np.full((480, 640, 3), COLOR_IDLE, np.uint8)
            self._key(show(_caption(draw_status(canvas, "paused"), text, None)) or -1)

    def _key(self, key: int) -> None:
        action = KEYS.get(key & 0xFF) if key >= 0 else None
        if action == "quit":
            self.quit = True
        elif action == "pause":
            self.paused = not self.paused
        elif action == "mute" and self.voice is not None:
            self.voice.muted = not self.voice.muted
            self.tell("muted" if self.voice.muted else "unmuted")
        elif action == "snooze" and self.pipeline is not None:
            self.pipeline.alerts.snooze(SNOOZE_S, self._last_t)
            self.tell(f"snoozed for {SNOOZE_S / 60:.0f} minutes")
        elif action == "calibrate":
            self.guided = GuidedCalibration(load_protocol())
        elif action == "stretch":
            if self.stretch is None:
                self._start_stretch()
            else:
                self.stretch = None
                self.tell("stretch stopped")

    def _paused(self) -> None:
        """Paused: the camera is released until p is pressed again (or q)."""
        self.tell("paused: the camera is off; press p to resume")
        while self.paused and not self.quit:
            self._show_message("Paused - camera off. Press p to resume")
            if not self.display:
                time.sleep(0.2)
        self.tell("resumed")


def _caption(image: np.ndarray, text: str, remaining: float | None) -> np.ndarray:
    """Big centred instruction text (and a countdown) at the bottom of the frame."""
    h, w = image.shape[:2]
    scale = max(0.4, min(w, h) / 700)
    line = text + (f"  {int(remaining) + 1}" if remaining else "")
    (tw, th), _ = cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    x, y = max(4, (w - tw) // 2), h - int(th * 1.5)
    cv2.rectangle(image, (0, y - th * 2), (w, h), (0, 0, 0), -1)
    cv2.putText(image, line, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, COLOR_TEXT, 2, cv2.LINE_AA)
    return image


def notify(text: str) -> None:
    """A desktop notification where one is available (Linux notify-send), never blocking."""
    tool = shutil.which("notify-send")
    if tool:
        subprocess.Popen([tool, "posture", text], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM: stop like Ctrl+C, so the session is saved."""
    raise KeyboardInterrupt
