"""Frames for the live monitor on one session clock.

A file plays at its own speed (times --speed) and, after a pause, resumes where it stopped.
A camera is released while paused and reopened on resume; a camera that is lost, or opens but
delivers nothing, is retried with back-off and reported once per outage. Either way the
session's times run on continuously and never backwards, paused and lost time included.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from posture.core.errors import UserError
from posture.io.sources import Frame, FrameSource, Pacer

RETRY_FIRST_S = 1.0  # a lost camera is retried after 1, 2, 4 ... s...
RETRY_MAX_S = 30.0  # ...at most this long apart, until frames flow again


class Timeline:
    """The session clock: continuous and monotonic across pauses and camera outages.

    Pure: the caller passes the real (monotonic) time. A file keeps its own timestamps,
    shifted by the real time it spent stopped; a camera's timestamps restart at every open, so
    its first frame after a gap lands the gap's real length after the last frame.
    """

    def __init__(self) -> None:
        self.t = 0.0  # the latest session time given out
        self.stopped_s = 0.0  # real seconds spent stopped so far
        self._offset = 0.0  # session time = source time + offset
        self._stopped_at: float | None = None
        self._reopened = True  # the next frame comes from a newly opened source

    def stop(self, now: float) -> None:
        """Frames stopped coming at real time `now` (pause, lost camera); kept if already."""
        if self._stopped_at is None:
            self._stopped_at = now

    def reopened(self) -> None:
        """The source was opened anew: its timestamps start over."""
        self._reopened = True

    def place(self, source_t: float, now: float) -> float:
        """The session time of a frame its source stamped `source_t`, arriving at `now`."""
        gap = 0.0 if self._stopped_at is None else max(0.0, now - self._stopped_at)
        self._stopped_at = None
        self.stopped_s += gap
        if self._reopened:
            self._offset = self.t + gap - source_t
            self._reopened = False
        else:
            self._offset += gap
        self.t = max(self.t, self._offset + source_t)
        return self.t


class Feed:
    """The live monitor's source of frames: opening, pacing, pausing and camera recovery."""

    def __init__(self, spec: str, opener: Callable[[str], FrameSource], speed: float,
                 tell: Callable[[str], None], wait: Callable[[str, float], None],
                 hold: Callable[[float], None] = time.sleep) -> None:
        """`tell` says one line to the user; `wait(message, seconds)` passes time showing
        `message` (and acting on commands) between attempts to reopen a camera;
        `hold(seconds)` passes the time until the next frame is due (acting on commands)."""
        self.spec = spec
        self.opener = opener
        self.speed = speed
        self.tell = tell
        self.wait = wait
        self.hold = hold
        self.rate: float | None = None  # frames a second wanted now (None: as they come)
        self.clock = Timeline()
        self.source: FrameSource | None = None
        self.camera = False  # the source is a live camera
        self.ended = False  # a file has no frames left
        self._frames: Iterator[Frame] | None = None
        self._retry = RETRY_FIRST_S
        self._lost = False  # a camera outage is under way (and was reported)
        self._played: float | None = None  # real time at which the file's t = 0 was due
        self._pacer = Pacer()  # a camera is paced here, so waiting can read keys

    def open(self) -> FrameSource:
        """Open the source at start; UserError (no camera, unreadable file) is the caller's."""
        self._attach(self.opener(self.spec))
        assert self.source is not None
        return self.source

    def next(self) -> Frame | None:
        """The next frame on the session clock; None when none came (a camera is being
        retried, or the file ended: see `ended`)."""
        if self._frames is None:
            try:
                self._attach(self.opener(self.spec))
            except UserError:
                self._outage("camera unavailable (unplugged, or busy in another program?)")
                return None
        assert self._frames is not None
        if self.camera:
            self._await_camera()
            if self._frames is None:  # paused (and released) while waiting
                return None
        try:
            frame = next(self._frames)
        except StopIteration:
            self.release()
            if self.camera:
                self._outage("the camera stopped delivering frames")
            else:
                self.ended = True
            return None
        t = self.clock.place(frame.t, time.monotonic())
        if self.camera:
            self._pacer.read()
            if self._lost:
                self.tell("the camera is back")
            self._lost, self._retry = False, RETRY_FIRST_S  # frames flow again
        else:
            self._pace(frame.t)
        return replace(frame, t=t)

    def set_rate(self, fps: float | None) -> None:
        """Ask for `fps` frames a second from now on: a file skips by its timestamps, a camera
        is read no more often than that."""
        self.rate = fps
        if self.source is not None and not self.camera:
            self.source.fps = fps

    def pause(self) -> None:
        """Stop taking frames for now: a camera is released (its light goes off), a file
        keeps its place."""
        self.clock.stop(time.monotonic())
        if self.camera:
            self.release()

    def release(self) -> None:
        """Close the source (if open)."""
        if self.source is not None:
            self.source.close()
        self.source = self._frames = None

    def _attach(self, source: FrameSource) -> None:
        """Start reading a newly opened source."""
        self.source, self.camera = source, source.is_camera
        if self.camera:
            source.fps, self._pacer = None, Pacer()  # paced here, so waiting can read keys
        elif self.rate is not None:
            source.fps = self.rate
        self._frames = iter(source)
        self.clock.reopened()

    def _await_camera(self) -> None:
        """Hold until the camera's next frame is due at the rate asked for."""
        self._pacer.wait(self.rate, self.hold)

    def _outage(self, what: str) -> None:
        """No frames from the camera: say so once per outage, then back off before retrying."""
        self.clock.stop(time.monotonic())
        if not self._lost:
            self._lost = True
            self.tell(f"{what}: retrying with back-off until it is back")
        delay = self._retry
        self._retry = min(delay * 2, RETRY_MAX_S)
        self.wait("Camera unavailable - retrying", delay)

    def _pace(self, source_t: float) -> None:
        """Deliver a file's frame when it is due: at its own speed, times `speed`, after any
        time spent paused."""
        now = time.monotonic()
        if self._played is None:
            self._played = now - source_t / self.speed
        delay = self._played + source_t / self.speed + self.clock.stopped_s - now
        if delay > 0:
            self.hold(delay)
