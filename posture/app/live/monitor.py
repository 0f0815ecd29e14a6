"""The live monitor behind `posture run`: the capture loop with window or console, keys,
guided first-use calibration, a guided stretch on s, adaptive sampling, history, and recovery
from a lost camera.

Everything it decides about posture comes from `posture.core.pipeline.Pipeline` (the same code
as `posture analyze`), run by `watch.Watch`; this module is the loop around it: clocks,
devices, keys, signals.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import numpy as np

from posture.app.guided import Announcer, draw
from posture.app.live.screen import Screen
from posture.app.live.watch import Watch
from posture.core.alerts import GENERIC
from posture.core.errors import UserError
from posture.core.guide.session import Session
from posture.core.profile import Profile, recorded_at
from posture.core.protocol import GuidedCalibration, Protocol
from posture.core.stretches import suggest
from posture.io.console import Console
from posture.io.estimator import PoseEstimator
from posture.io.feed import Feed
from posture.io.history import History, placed_start
from posture.io.images import to_bgr
from posture.io.library import load_library
from posture.io.overlay import MonitorView, draw_caption, draw_skeleton, draw_status
from posture.io.profiles import load_profile, save_profile
from posture.io.protocol import load_protocol
from posture.io.settings import Settings
from posture.io.sources import Frame, FrameSource, open_source
from posture.io.terminal import KeySource
from posture.io.voice import Voice, open_voice
from posture.io.window import QUIT_KEYS

IDLE_STEP_S = 0.1  # paused or waiting: look for keys this often (and use no CPU between)
KEYS = {**dict.fromkeys(QUIT_KEYS, "quit"), ord("p"): "pause", ord("m"): "mute",
        ord("s"): "stretch", ord("c"): "calibrate", ord(" "): "snooze"}


@dataclass
class Options:
    """Where frames come from, where the profile lives and whether the run is recorded, after
    settings and flags."""

    source: str
    profile_path: Path | None  # None: calibrate for this run only, and save no profile
    speed: float = 1.0  # a file plays this many times faster than real time
    record: bool = True  # keep the session in the history


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
        self.screen = Screen(m.window, keys, (m.capture_width, m.capture_height))
        self.library = load_library()
        self.view = MonitorView(None, self.library, settings.alerts)
        self.estimator: PoseEstimator | None = None
        self.voice: Voice | None = None
        self.history: History | None = None
        self.profile: Profile | None = None
        self.watch: Watch | None = None  # monitoring, once there is a profile
        self.guided: GuidedCalibration | None = None
        self.stretch: tuple[Session, Announcer] | None = None  # a guided stretch under way
        self.paused = False
        self.quit = False
        self._problems: tuple[str, ...] = ()  # the problems seen last, for the s key

    def tell(self, text: str) -> None:
        """One line for the user on the console."""
        self.console.say(text)

    def speak(self, text: str) -> None:
        """Say something (or print it when speech is off in the settings)."""
        if self.voice is not None:
            self.voice.say(text)
        else:
            self.tell(text)

    # ---- the loop --------------------------------------------------------------------------

    def run(self) -> int:
        """Monitor until quit; returns the exit code."""
        # No camera (or file) at start: one line and exit 2 before anything else happens.
        source = self.feed.open()
        with ExitStack() as stack:
            stack.callback(self.feed.release)
            stack.callback(self.console.close)
            problem = self.screen.open(stack)
            if problem is not None:
                self.tell(f"{problem}: running headless")
            stack.callback(signal.signal, signal.SIGTERM,
                           signal.signal(signal.SIGTERM, _interrupt))
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
            self._said_what_was_kept(history)
        if self.guided is not None and self.profile is None and self.feed.ended:
            raise UserError("calibration did not finish before the file ended: use a longer "
                            "recording of you sitting well, or posture calibrate --source FILE")
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
            if self.paused:
                self._paused()
                continue
            frame = self.feed.next()
            if frame is not None and not (self.paused or self.quit):  # not keyed while waiting
                self._step(frame)
            elif self.feed.ended:
                return

    def _step(self, frame: Frame) -> None:
        """Process one frame: calibrate, stretch or monitor, then show it and read keys."""
        if self.guided is not None:
            image = self._calibrate(frame)
        elif self.stretch is not None:
            image = self._stretch(frame)
        else:
            assert self.watch is not None
            result, image = self.watch.step(frame)
            a = result.verdict
            self._problems = a.problems if a and a.problems else self._problems
            self.feed.set_rate(self.watch.pipeline.rate)
        self.screen.image = image
        self._key(self.screen.read_key(image, 0.0))

    # ---- calibration -----------------------------------------------------------------------

    def _load_profile(self) -> None:
        """Use the saved profile, or start the guided calibration when there is none. A broken
        profile stops a file run (exit 2); at a camera the user is offered to recalibrate."""
        path = self.options.profile_path
        if path is None or not path.exists():
            self.tell("calibrating on the file's first seconds, for this run only (posture "
                      "run --profile NAME keeps a profile)" if path is None else
                      f"no profile at {path} yet: starting the guided calibration")
            self.tell(self.library.safety)  # first use: say plainly what this is not
            self._start_calibration()
            return
        try:
            self.profile = load_profile(path)
        except UserError as exc:
            if not (self.feed.camera and self.screen.can_key):
                raise
            self._offer_recalibration(str(exc))
            return
        if self.feed.camera and self.profile.from_recording:
            how = "press c" if self.screen.can_key else "run posture calibrate"
            self.tell(f"profile {path.name} was calibrated on a recording "
                      f"({self.profile.source}), not at this camera: if prompts seem off, "
                      f"{how} to calibrate here")

    def _offer_recalibration(self, problem: str) -> None:
        """Ask whether to calibrate again over a broken profile (kept as NAME.json.bad)."""
        path = self.options.profile_path
        assert path is not None  # only a profile that exists can be broken
        bad = path.with_name(path.name + ".bad")
        self.tell(problem)
        self.tell(f"press c to calibrate now (the broken file is kept as {bad.name}), "
                  "or q to quit")
        while not self.quit:
            key = self.screen.read_key(
                self.screen.message("Profile broken: c calibrates again, q quits"), IDLE_STEP_S)
            action = KEYS.get(key & 0xFF) if key >= 0 else None
            if action == "quit":
                self.quit = True
            elif action == "calibrate":
                os.replace(path, bad)
                self._start_calibration()
                return

    def _protocol(self) -> Protocol:
        """The calibration protocol: all of it at a camera, and whenever the user calibrates
        again (c, with a profile in use), so recording never starts mid-slouch without the
        intro and countdown; a file's first calibration records from its first frame (nobody
        needs time to sit down in a recording)."""
        protocol = load_protocol()
        if self.feed.camera or self.profile is not None:
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

    def _calibrate(self, frame: Frame) -> np.ndarray:
        """One frame of the guided calibration."""
        assert self.guided is not None and self.estimator is not None
        pose = self.estimator.estimate(frame.image, frame.t)
        g = self.guided.feed(frame.t, pose)
        if g.say:
            self.speak(g.say)
        self.console.status(f"calibrating: {g.show}", g.show)
        if g.profile is not None:
            profile = replace(g.profile, source=recorded_at(self.options.source, self.feed.camera))
            self._keep(profile)
            self.profile, self.guided = profile, None
            self.watch = self._watch(profile)
        elif g.failure is not None:
            self._start_calibration()  # start over; q quits
        image = draw_status(draw_skeleton(to_bgr(frame.image), pose), "calibrating")
        countdown = f" ({int(g.remaining_s) + 1} s)" if g.remaining_s > 0 else ""
        return draw_caption(image, g.show + countdown)

    def _keep(self, profile: Profile) -> None:
        """Save a new calibration at the profile path (none: it serves this run only)."""
        path = self.options.profile_path
        if path is None:
            self.tell("calibrated for this run only: no profile saved")
            return
        try:
            save_profile(profile, path)
            self.tell(f"saved profile {path}")
        except UserError as exc:  # calibrated all the same: use it, and say it is not kept
            self.tell(f"{exc}; the new calibration is used for this session only")

    def _voice(self) -> AbstractContextManager[Voice | None]:
        """Speech as the settings say; none at all (no engine started) when disabled."""
        voice = open_voice(self.settings.voice, self.tell, muted=self.settings.monitor.mute)
        return voice if voice is not None else contextlib.nullcontext()

    def _watch(self, profile: Profile) -> Watch:
        """Monitoring against `profile`, with the settings and the loaded library."""
        assert self.estimator is not None and self.history is not None
        return Watch(profile, self.library, self.settings, self.estimator, self.history,
                     self.view, self.console, self.screen, self.speak, self.feed.clock)

    # ---- guided stretch --------------------------------------------------------------------

    def _start_stretch(self) -> None:
        """s: lead the stretch on the card (else one for the problems seen last)."""
        stretch_id = self.view.cards.current
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
        assert self.estimator is not None
        session, announcer = self.stretch
        pose = self.estimator.estimate(frame.image, frame.t)
        record = session.step(frame.t, pose, frame.index)
        announcer.add(record.cues)
        if session.done:
            self.history.record_stretch(frame.t, session.stretch.id, record.reps_done,
                                        session.in_position_s)
            self.tell(session.summary().replace("\n", "; "))
            self.stretch = None
        return draw(frame.image, pose, session)

    def _toggle_stretch(self) -> None:
        """s: start the suggested stretch, or stop the one under way."""
        if self.guided is not None:
            self.tell("finish the calibration first (c starts it again, q quits)")
        elif self.stretch is None:
            self._start_stretch()
        else:
            self.stretch = None
            self.tell("stretch stopped")

    # ---- keys and waiting ------------------------------------------------------------------

    def _watch_closely(self) -> None:
        """Calibrating and stretching take frames at the active rate: the monitor's may have
        settled at one every few seconds."""
        self.feed.set_rate(self.settings.monitor.fps_active)

    def _hold(self, seconds: float) -> None:
        """Let `seconds` pass until the next frame is due, the window live and keys acted on
        (at a settled rate that is seconds: the user must not wait that long for q or p)."""
        image = self.screen.image if self.screen.image is not None else self.screen.message("")
        self._pass(seconds, image, until_paused=True)

    def _idle(self, text: str, seconds: float) -> None:
        """Let `seconds` pass (less if the user quits), showing `text` and acting on keys."""
        self._pass(seconds, self.screen.message(text))

    def _pass(self, seconds: float, image: np.ndarray, until_paused: bool = False) -> None:
        """Show `image` for `seconds`, acting on keys; over at once on quit (or on pause)."""
        end = time.monotonic() + seconds
        while (not (self.quit or (until_paused and self.paused))
               and (left := end - time.monotonic()) > 0):
            self._key(self.screen.read_key(image, min(IDLE_STEP_S, left)))

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
        elif action == "snooze" and self.watch is not None:
            snooze_s = self.settings.alerts.snooze_s
            self.watch.pipeline.alerts.snooze(snooze_s, self.feed.clock.t)
            self.tell(f"snoozed for {snooze_s / 60:.0f} minutes")
        elif action == "calibrate":
            self.tell("calibrating again")
            self._start_calibration()
        elif action == "stretch":
            self._toggle_stretch()

    def _paused(self) -> None:
        """Paused: a camera is released (a file keeps its place) until p is pressed again."""
        self.feed.pause()
        off = "the camera is off; " if self.feed.camera else ""
        self.tell(f"paused: {off}press p to resume")
        image = self.screen.message("Paused - press p to resume")
        while self.paused and not self.quit:
            self._key(self.screen.read_key(image, IDLE_STEP_S))
        if not self.quit:
            self.tell("resumed")


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM: stop like Ctrl+C, so the session is saved."""
    raise KeyboardInterrupt
