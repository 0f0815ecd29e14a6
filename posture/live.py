"""The live monitor behind `posture run`: the capture loop with window or console, keys,
guided first-use calibration, adaptive sampling, history, and recovery from a lost camera.

Everything it decides about posture comes from `monitor.Pipeline` (the same code as
`posture analyze`); this module is the edge: clocks, devices, windows, terminals, signals.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import cv2
import numpy as np

from posture.alerts import GENERIC
from posture.calibration import (
    GuidedCalibration,
    Profile,
    Protocol,
    load_profile,
    load_protocol,
    recorded_at,
    save_profile,
)
from posture.console import Console
from posture.errors import UserError
from posture.feed import Feed
from posture.guide import Announcer, Session, draw
from posture.history import History, placed_start
from posture.monitor import CardShelf, FrameResult, Pipeline, Sampling
from posture.overlay import draw_caption, draw_skeleton, draw_status, render
from posture.pose import PoseEstimator, to_bgr
from posture.settings import Settings
from posture.sources import Frame, FrameSource, open_source
from posture.stretches import load_library, suggest
from posture.terminal import NO_KEY, KeySource, TerminalKeys
from posture.voice import Voice
from posture.window import QUIT_KEYS, display_problem, show

IDLE_STEP_S = 0.1  # paused or waiting: look for keys this often (and use no CPU between)
KEYS = {**dict.fromkeys(QUIT_KEYS, "quit"), ord("p"): "pause", ord("m"): "mute",
        ord("s"): "stretch", ord("c"): "calibrate", ord(" "): "snooze"}


@dataclass
class Options:
    """Where frames come from and where the profile lives, after settings and flags."""

    source: str
    profile_path: Path
    speed: float = 1.0  # a file plays this many times faster than real time


class LiveMonitor:
    """Runs the capture loop until the user quits, the file ends, or SIGINT/SIGTERM arrives."""

    def __init__(self, settings: Settings, options: Options, *,
                 opener: Callable[[str], FrameSource] | None = None,
                 keys: KeySource | None = None, out: TextIO | None = None) -> None:
        """`opener` opens the source (default: open_source at the settings' rate and capture
        size); `keys` replaces the terminal as the source of key presses."""
        self.settings = settings
        self.options = options
        m = settings.monitor
        self.feed = Feed(options.source, opener or (lambda spec: open_source(
            spec, fps=m.fps_active, size=(m.capture_width, m.capture_height))),
            options.speed, self.tell, self._idle, self._hold)
        self.console = Console(out)
        self.keys = keys
        self.display = m.window
        self.library = load_library()
        self.cards = CardShelf(self.library, settings.alerts.card_s)
        self.voice: Voice | None = None
        self.history: History | None = None
        self.profile: Profile | None = None
        self.pipeline: Pipeline | None = None
        self.guided: GuidedCalibration | None = None
        self.stretch: tuple[Session, Announcer] | None = None  # a guided stretch under way
        self.paused = False
        self.quit = False
        self._problems: tuple[str, ...] = ()
        self._told_moved = False  # the current camera-moved episode was announced
        self._image: np.ndarray | None = None  # the last frame's picture

    # ---- messages --------------------------------------------------------------------------

    @property
    def can_key(self) -> bool:
        """True when the user has keys to press (a window, or the terminal)."""
        return self.display or self.keys is not None

    def tell(self, text: str) -> None:
        """One line for the user on the console."""
        self.console.say(text)

    def speak(self, text: str) -> None:
        """Say something (or print it when speech is off in the settings)."""
        if self.voice is not None:
            self.voice.say(text)
        else:
            self.tell(text)

    # ---- set-up ----------------------------------------------------------------------------

    def _open_inputs(self, stack: ExitStack) -> None:
        """Decide window or headless (saying why once), and read keys from the terminal when
        it is ours; the terminal's settings come back when `stack` closes."""
        if self.display:
            problem = display_problem()
            if problem is not None:
                self.display = False
                self.tell(f"{problem}: running headless")
            else:
                stack.callback(cv2.destroyAllWindows)
        if self.keys is None:
            terminal = TerminalKeys.open()
            if terminal is not None:
                stack.callback(terminal.close)
                self.keys = terminal

    def _load_profile(self) -> None:
        """Use the saved profile, or start the guided calibration when there is none. A broken
        profile stops a file run (exit 2); at a camera the user is offered to recalibrate."""
        path = self.options.profile_path
        if not path.exists():
            self.tell(f"no profile at {path} yet: starting the guided calibration")
            self.tell(self.library.safety)  # first use: say plainly what this is not
            self._start_calibration()
            return
        try:
            self.profile = load_profile(path)
        except UserError as exc:
            if not (self.feed.camera and self.can_key):
                raise
            self._offer_recalibration(str(exc))
            return
        if self.feed.camera and self.profile.from_recording:
            how = "press c" if self.can_key else "run posture calibrate"
            self.tell(f"profile {path.name} was calibrated on a recording "
                      f"({self.profile.source}), not at this camera: if prompts seem off, "
                      f"{how} to calibrate here")

    def _offer_recalibration(self, problem: str) -> None:
        """Ask whether to calibrate again over a broken profile (kept as NAME.json.bad)."""
        path = self.options.profile_path
        bad = path.with_name(path.name + ".bad")
        self.tell(problem)
        self.tell(f"press c to calibrate now (the broken file is kept as {bad.name}), "
                  "or q to quit")
        while not self.quit:
            key = self._read_key(self._message("Profile broken: c calibrates again, q quits"),
                                 IDLE_STEP_S)
            action = KEYS.get(key & 0xFF) if key >= 0 else None
            if action == "quit":
                self.quit = True
            elif action == "calibrate":
                os.replace(path, bad)
                self._start_calibration()
                return

    def _protocol(self) -> Protocol:
        """The calibration protocol: timed for a person at a camera; from a file, recording
        starts at the first frame (nobody needs time to sit down in a recording)."""
        protocol = load_protocol()
        if self.feed.camera:
            return protocol
        ids = [s.id for s in protocol.steps]
        steps = protocol.steps[ids.index("record"):]
        return replace(protocol, steps=tuple(s if s.id == "record" else replace(s, seconds=0.0)
                                             for s in steps))

    def _start_calibration(self) -> None:
        """Begin (or restart) the guided calibration."""
        self.guided = GuidedCalibration(self._protocol())
        self.stretch = None
        self._watch_closely()

    def _voice(self) -> AbstractContextManager[Voice | None]:
        """Speech as the settings say; none at all (no engine started) when disabled."""
        voice = self.settings.voice.voice(self.tell, muted=self.settings.monitor.mute)
        return voice if voice is not None else contextlib.nullcontext()

    def _pipeline(self, profile: Profile) -> Pipeline:
        """The monitoring pipeline for `profile`, with the settings and the loaded library."""
        return Pipeline(profile, self.estimator, self.settings.alerts,
                        Sampling.of(self.settings.monitor), self.library)

    # ---- the loop --------------------------------------------------------------------------

    def run(self) -> int:
        """Monitor until quit; returns the exit code."""
        # No camera (or file) at start: one line and exit 2 before anything else happens.
        source = self.feed.open()
        with ExitStack() as stack:
            stack.callback(self.feed.release)
            stack.callback(self.console.close)
            self._open_inputs(stack)
            stack.callback(signal.signal, signal.SIGTERM,
                           signal.signal(signal.SIGTERM, _interrupt))
            self._load_profile()
            if self.quit:
                return 0
            # Tracking for a camera or video; a folder's stills are separate pictures.
            self.estimator = stack.enter_context(PoseEstimator(video=source.continuous))
            self.voice = stack.enter_context(self._voice())
            self.history = history = stack.enter_context(History())
            history.start_session(self.options.source, str(self.options.profile_path),
                                  wall_start=placed_start(source.duration, self.options.speed))
            if self.profile is not None:
                self.pipeline = self._pipeline(self.profile)
            try:
                self._loop()
            except KeyboardInterrupt:
                self.quit = True
            finally:
                if self.pipeline is not None:  # a session ending while away ends a break
                    self._record_break(self.pipeline.alerts.absence.finish(self.feed.clock.t))
                history.end_session(self.feed.clock.t)
            if not self.feed.ended:
                self.console.close()  # the last status stays above, not redrawn below this
                self.tell("stopped; session saved" if history.saved
                          else "stopped; the session could not be saved (see above)")
        if self.guided is not None and self.profile is None and self.feed.ended:
            raise UserError("calibration did not finish before the file ended: use a longer "
                            "recording of you sitting well, or posture calibrate --source FILE")
        return 0

    def _loop(self) -> None:
        """Take frames and act on them until quit, the file's end, or a pause."""
        while not self.quit:
            if self.paused:
                self._paused()
                continue
            frame = self.feed.next()
            if frame is not None and not (self.paused or self.quit):  # not keyed while waiting
                self._step(frame)
            elif self.feed.ended:
                return

    def _step(self, frame: Frame) -> None:
        """Process one frame: calibrate or monitor, record, speak, draw, read keys."""
        if self.guided is not None:
            image = self._calibrate(frame)
        elif self.stretch is not None:
            image = self._stretch(frame)
        else:
            image = self._monitor(frame)
        self._image = image
        self._key(self._read_key(image, 0.0))

    def _calibrate(self, frame: Frame) -> np.ndarray:
        """One frame of the guided calibration."""
        assert self.guided is not None
        pose = self.estimator.estimate(frame.image, frame.t)
        g = self.guided.feed(frame.t, pose)
        if g.say:
            self.speak(g.say)
        self.console.status(f"calibrating: {g.show}", g.show)
        if g.profile is not None:
            profile = replace(g.profile, source=recorded_at(self.options.source, self.feed.camera))
            try:
                save_profile(profile, self.options.profile_path)
                self.tell(f"saved profile {self.options.profile_path}")
            except UserError as exc:  # calibrated all the same: use it, and say it is not kept
                self.tell(f"{exc}; the new calibration is used for this session only")
            self.profile, self.guided = profile, None
            self.pipeline = self._pipeline(profile)
            self._told_moved = False
        elif g.failure is not None:
            self._start_calibration()  # start over; q quits
        image = draw_status(draw_skeleton(to_bgr(frame.image), pose), "calibrating")
        countdown = f" ({int(g.remaining_s) + 1} s)" if g.remaining_s > 0 else ""
        return draw_caption(image, g.show + countdown)

    def _monitor(self, frame: Frame) -> np.ndarray:
        """One frame of monitoring: the shared pipeline, then history, prompts and sampling."""
        assert self.pipeline is not None and self.history is not None
        result = self.pipeline.step(frame)
        # While the camera has moved, the metrics measure the move, not the user: no verdict.
        a = result.assessment if not result.camera_moved else None
        self._problems = a.problems if a and a.problems else self._problems
        self.history.record_frame(result.t, result.pose is not None,
                                  a.posture if a else None, a.problems if a else (), result.score)
        self._record_break(self.pipeline.alerts.absence.last_break)
        self._track_camera(result)
        if result.prompt is not None:
            self.history.record_prompt(result.prompt)
            self.speak(result.prompt.text)
            if not self.display:
                notify(result.prompt.text)
        self.feed.set_rate(self.pipeline.rate)
        self._status(result)
        image = render(to_bgr(frame.image), result, self.profile,
                       threshold=self.settings.alerts.score_threshold,
                       card=self.cards.update(result))
        if result.camera_moved:
            image = draw_caption(image, self._recalibrate_hint())
        return image

    def _status(self, result: FrameResult) -> None:
        """The console status of one monitored frame (a short absence keeps the last one)."""
        a = result.assessment
        if result.camera_moved:
            text = state = "camera moved: recalibrate" + (" (press c)" if self.can_key else "")
        elif result.pose is None:
            if not self._away(result.t):
                return
            text = state = "away"
        elif a is None:
            text = state = "head and shoulders not seen"
        else:
            state = a.posture
            problems = f" ({', '.join(a.problems)})" if a.problems else ""
            text = f"{a.posture}{problems}, score {round(result.score)}"
        self.console.status(text, state)

    def _start_stretch(self) -> None:
        """s: lead the stretch on the card (else one for the problems seen last)."""
        stretch_id = self.cards.current
        if stretch_id is None:
            picks = suggest(self._problems or GENERIC, self.library)
            stretch_id = picks[0].stretch.id if picks else "overhead_reach"
        session = Session(self.library.get(stretch_id), self.profile)
        self.stretch = (session, Announcer(self.voice, self.tell,
                                           max_age=self.settings.voice.max_age_s))
        self._watch_closely()
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

    def _away(self, t: float) -> bool:
        """Nobody has been in view for monitor.away_after_s seconds or more."""
        since = self.pipeline.alerts.absence.since if self.pipeline is not None else None
        return since is not None and t - since >= self.settings.monitor.away_after_s

    def _record_break(self, taken: tuple[float, float] | None) -> None:
        """Save a break the alert policy saw end (alerts.break_min_away_s or longer)."""
        if taken is not None and self.history is not None:
            self.history.record_break(*taken)

    def _track_camera(self, result: FrameResult) -> None:
        """Suggest recalibrating once per episode of the camera having moved."""
        assert self.history is not None
        if not result.camera_moved:
            self._told_moved = False
        elif not self._told_moved:
            self._told_moved = True
            text = ("Everything looks shifted: the camera may have moved. "
                    + self._recalibrate_hint())
            self.speak(text)
            self.history.record_notice(result.t, "camera_moved", text)

    def _recalibrate_hint(self) -> str:
        """How to recalibrate, with the means at hand."""
        if self.can_key:
            return "Press c to calibrate again."
        return ("Calibrate again: stop posture, then run posture calibrate with the camera "
                "where it is now.")

    # ---- window, keys and waiting ----------------------------------------------------------

    def _read_key(self, image: np.ndarray, wait_s: float) -> int:
        """Show `image` (with a window) and return a key pressed within `wait_s` seconds."""
        if self.display:
            key = show(image, wait_ms=max(1, round(wait_s * 1000)))
            if key is not None and key >= 0:
                return key
            wait_s = 0.0  # the window has waited
        if self.keys is not None:
            return self.keys.read(wait_s)
        time.sleep(wait_s)
        return NO_KEY

    def _message(self, text: str) -> np.ndarray:
        """The last picture, dimmed, with one instruction: for pauses and a lost camera."""
        m = self.settings.monitor
        if self._image is None:
            base = np.zeros((m.capture_height, m.capture_width, 3), np.uint8)
        else:
            base = (self._image // 3).astype(np.uint8)
        return draw_caption(draw_status(base, "paused"), text)

    def _watch_closely(self) -> None:
        """Calibrating and stretching take frames at the active rate: the monitor's may have
        settled at one every few seconds."""
        self.feed.set_rate(self.settings.monitor.fps_active)

    def _hold(self, seconds: float) -> None:
        """Let `seconds` pass until the next frame is due, the window live and keys acted on
        (at a settled rate that is seconds: the user must not wait that long for q or p)."""
        image = self._image if self._image is not None else self._message("")
        self._pass(seconds, image, until_paused=True)

    def _idle(self, text: str, seconds: float) -> None:
        """Let `seconds` pass (less if the user quits), showing `text` and acting on keys."""
        self._pass(seconds, self._message(text))

    def _pass(self, seconds: float, image: np.ndarray, until_paused: bool = False) -> None:
        """Show `image` for `seconds`, acting on keys; over at once on quit (or on pause)."""
        end = time.monotonic() + seconds
        while (not (self.quit or (until_paused and self.paused))
               and (left := end - time.monotonic()) > 0):
            self._key(self._read_key(image, min(IDLE_STEP_S, left)))

    def _key(self, key: int) -> None:
        """Act on a key press (NO_KEY: nothing)."""
        action = KEYS.get(key & 0xFF) if key >= 0 else None
        if action == "quit":
            self.quit = True
        elif action == "pause":
            self.paused = not self.paused
        elif action == "mute":
            if self.voice is None:
                self.tell("speech is off in the settings (voice.enabled = false)")
            else:
                self.voice.muted = not self.voice.muted
                self.tell("muted" if self.voice.muted else "unmuted")
        elif action == "snooze" and self.pipeline is not None:
            snooze_s = self.settings.alerts.snooze_s
            self.pipeline.alerts.snooze(snooze_s, self.feed.clock.t)
            self.tell(f"snoozed for {snooze_s / 60:.0f} minutes")
        elif action == "calibrate":
            self.tell("calibrating again")
            self._start_calibration()
        elif action == "stretch":
            self._toggle_stretch()

    def _toggle_stretch(self) -> None:
        """s: start the suggested stretch, or stop the one under way."""
        if self.guided is not None:
            self.tell("finish the calibration first (c starts it again, q quits)")
        elif self.stretch is None:
            self._start_stretch()
        else:
            self.stretch = None
            self.tell("stretch stopped")

    def _paused(self) -> None:
        """Paused: a camera is released (a file keeps its place) until p is pressed again."""
        self.feed.pause()
        off = "the camera is off; " if self.feed.camera else ""
        self.tell(f"paused: {off}press p to resume")
        image = self._message("Paused - press p to resume")
        while self.paused and not self.quit:
            self._key(self._read_key(image, IDLE_STEP_S))
        if not self.quit:
            self.tell("resumed")


def notify(text: str) -> None:
    """A desktop notification where one is available (Linux notify-send), never blocking."""
    tool = shutil.which("notify-send")
    if tool:
        subprocess.Popen([tool, "posture", text], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM: stop like Ctrl+C, so the session is saved."""
    raise KeyboardInterrupt
