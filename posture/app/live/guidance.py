"""The live monitor's guided parts: the profile at start (or the guided first-use calibration,
or the offer to recalibrate over a broken one), calibrating again on c, and a guided stretch on
s. A mixin of `monitor.LiveMonitor`, whose state it shares."""

from __future__ import annotations

import os
from dataclasses import replace

from posture.app.guided import Announcer
from posture.app.live.watch import Watch
from posture.core.alerts import GENERIC
from posture.core.errors import UserError
from posture.core.guide.session import Session
from posture.core.profile import Profile, recorded_at
from posture.core.protocol import GuidedCalibration, Protocol
from posture.core.stretches import suggest
from posture.io.camera_names import camera_setup
from posture.io.profile_store import profile_for_camera
from posture.io.profiles import load_profile, save_profile
from posture.io.protocol import load_protocol
from posture.io.sources import Frame, FrameSource


class Guidance:
    """Calibration and stretches for LiveMonitor (see there for the attributes used)."""

    # ---- calibration -----------------------------------------------------------------------

    def _know_setup(self, camera: FrameSource) -> None:
        """Note the camera's set-up (its size as it answered, else as asked) and, unless a
        profile was named, choose the one made for this set-up (a new one to calibrate when
        there is none: posture.io.profile_store.profile_for_camera)."""
        m = self.settings.monitor
        size = camera.capture_size or (m.capture_width, m.capture_height)
        self.setup = camera_setup(int(self.options.source), size, self.devices)
        if self.options.profile_by_setup:
            path, found = profile_for_camera(self.setup)
            self.options = replace(self.options, profile_path=path)
            if found:
                self.tell(f"profile {path.stem}, made for {self.setup.describe()}")

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
        assert path is not None  # only a profile that exists can be broken
        bad = path.with_name(path.name + ".bad")
        self.tell(problem)
        self.tell(f"press c to calibrate now (the broken file is kept as {bad.name}), "
                  "or q to quit")
        self.notice = "Profile broken: c calibrates again, q quits"
        self._show_still()
        while not self.quit:
            command = self.inbox.take(self.IDLE_WAIT_S)
            if command is None:
                continue
            if command.name == "calibrate":
                os.replace(path, bad)
                self.notice = ""
                self._start_calibration()
                return
            if command.name in ("quit", "window"):
                self._act(command)
                self._show_still()

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
        self._woken = True  # the frames are wanted at the active rate now

    def _recalibrate(self, arg: object = None) -> None:
        """c: calibrate again."""
        self.tell("calibrating again")
        self._start_calibration()

    def _calibrate(self, frame: Frame) -> None:
        """One frame of the guided calibration."""
        assert self.guided is not None and self.estimator is not None
        self.pose = pose = self.estimator.estimate(frame.image, frame.t)
        g = self.guided.feed(frame.t, pose)
        if g.say:
            self.speak(g.say)
        self.console.status(f"calibrating: {g.show}", g.show)
        countdown = f" ({int(g.remaining_s) + 1} s)" if g.remaining_s > 0 else ""
        self.guide_text = g.show + countdown
        if g.profile is not None:
            where = recorded_at(os.path.abspath(self.options.source), self.feed.camera)
            profile = replace(g.profile, source=where,
                              setup=self.setup)
            self._keep(profile)
            self.profile, self.guided = profile, None
            self.watch = self._watch(profile)
            self.result = None
        elif g.failure is not None:
            self._start_calibration()  # start over; q quits

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

    def _watch(self, profile: Profile) -> Watch:
        """Monitoring against `profile`, with the settings and the loaded library."""
        assert self.estimator is not None and self.history is not None
        return Watch(profile, self.library, self.settings, self.estimator, self.history,
                     self.view, self.console, self.speak, self._notify, lambda: self.can_key,
                     self.feed.clock)

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
        self._woken = True
        self.tell(f"stretch: {session.stretch.name} (press s again to stop)")

    def _stretch(self, frame: Frame) -> None:
        """One frame of a guided stretch: check the position, count, speak."""
        assert self.stretch is not None and self.history is not None
        assert self.estimator is not None
        session, announcer = self.stretch
        self.pose = pose = self.estimator.estimate(frame.image, frame.t)
        record = session.step(frame.t, pose, frame.index)
        announcer.add(record.cues)
        if session.done:
            self.history.record_stretch(frame.t, session.stretch.id, record.reps_done,
                                        session.in_position_s)
            self.tell(session.summary().replace("\n", "; "))
            self.stretch = None

    def _toggle_stretch(self, start: bool | None = None) -> None:
        """s: start the suggested stretch, or stop the one under way (`start` True: only
        start one, as the menu's Stretch now does)."""
        if self.guided is not None:
            self.tell("finish the calibration first (c starts it again, q quits)")
        elif self.stretch is None:
            self._start_stretch()
        elif not start:
            self.stretch = None
            self.tell("stretch stopped")
