"""The guided calibration: the protocol as data (steps, spoken instructions, durations,
feedback) and the state machine that leads a first-use calibration through it, frame by frame.

Pure: time comes from frame timestamps; the protocol's file (calibration/protocol.json) is read
by `posture.io.protocol`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from posture.core.calibration import REASONS, CalibrationFailed, Recording, build_profile
from posture.core.pose import Pose
from posture.core.profile import Profile

REQUIRED_STEPS = ("intro", "record", "done")


@dataclass(frozen=True)
class Step:
    """One step of the guided calibration: what to say and show, for how long."""

    id: str
    say: str
    show: str
    seconds: float
    min_frames: int = 0


@dataclass(frozen=True)
class Protocol:
    """The guided calibration as data (calibration/protocol.json)."""

    steps: tuple[Step, ...]
    feedback: dict[str, str]  # gate rejection reason -> what to tell the user
    feedback_every_s: float
    retry_after_failures: int

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Protocol:
        """The protocol in a parsed JSON document; ValueError, KeyError or TypeError when a
        field is missing or of the wrong type."""
        steps = tuple(Step(id=str(s["id"]), say=str(s["say"]), show=str(s["show"]),
                           seconds=float(s["seconds"]), min_frames=int(s.get("min_frames", 0)))
                      for s in data["steps"])
        return Protocol(steps=steps,
                        feedback={str(k): str(v) for k, v in data["feedback"].items()},
                        feedback_every_s=float(data["feedback_every_s"]),
                        retry_after_failures=int(data["retry_after_failures"]))

    def lacks(self) -> list[str]:
        """The required steps and gate reasons it has no entry for, sorted (none: complete)."""
        return sorted(({*REQUIRED_STEPS} - {s.id for s in self.steps})
                      | (set(REASONS) - self.feedback.keys()))


class ThrottledFeedback:
    """What to tell the user about a rejected frame: the protocol's feedback for the reason, at
    most every feedback_every_s seconds (of frame time), so nobody is told off at every frame."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self._last = -math.inf

    def due(self, t: float, reason: str | None) -> str | None:
        """The feedback to give at time `t` for this frame's rejection reason, if any is due."""
        if reason is None or t - self._last < self.protocol.feedback_every_s:
            return None
        self._last = t
        return self.protocol.feedback[reason]


@dataclass(frozen=True)
class Guidance:
    """What the guided calibration wants shown and said now, and its outcome when finished."""

    show: str
    say: str | None  # something to speak now, or None
    remaining_s: float  # seconds left in this step
    profile: Profile | None = None  # set once finished
    failure: str | None = None  # set once failed: the reason, in words


class GuidedCalibration:
    """First-use calibration as a state machine fed by frames: speak, count down, record, confirm.

    Pure: time comes from frame timestamps. Poor frames are rejected by the same gates as
    `posture calibrate` and the user hears why (at most every feedback_every_s seconds); a
    recording with too few good frames is retried, and after retry_after_failures it fails.
    """

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self._index = 0
        self._started: float | None = None
        self._announced = False
        self._recording = Recording()
        self._feedback = ThrottledFeedback(protocol)
        self._failures = 0
        self._profile: Profile | None = None

    def feed(self, t: float, pose: Pose | None) -> Guidance:
        """Advance with one frame; return what to show and say."""
        if self._index >= len(self.protocol.steps):
            return Guidance("Calibrated", None, 0.0, profile=self._profile)
        step = self.protocol.steps[self._index]
        if self._started is None:
            self._started = t
        say = None if self._announced else step.say
        self._announced = True
        show = step.show
        if step.id == "record":
            reason = self._recording.add(pose, t)
            advice = self._feedback.due(t, reason)  # due or not, said or not: the clock runs
            say = say or advice
            if reason is not None:
                show = self.protocol.feedback[reason]
        remaining = step.seconds - (t - self._started)
        if remaining > 0:
            return Guidance(show, say, remaining)
        if step.id == "record":
            return self._finish_recording(t, step)
        return self._next(t)

    def _next(self, t: float) -> Guidance:
        """Move to the following step (or finish) at time t, announcing it."""
        self._index += 1
        if self._index >= len(self.protocol.steps):
            return Guidance("Calibrated", None, 0.0, profile=self._profile)
        step = self.protocol.steps[self._index]
        self._started, self._announced = t, True
        return Guidance(step.show, step.say, step.seconds)

    def _finish_recording(self, t: float, step: Step) -> Guidance:
        """Build the profile from the recording, or retry, or give up."""
        try:
            self._profile = build_profile(self._recording, feedback=self.protocol.feedback,
                                          min_frames=max(step.min_frames, 1))
        except CalibrationFailed as exc:
            self._failures += 1
            advice = self.protocol.feedback[exc.reason]
            if self._failures >= self.protocol.retry_after_failures:
                return Guidance(advice, advice, 0.0, failure=exc.reason)
            self._recording = Recording()
            self._started, self._announced = t, True
            return Guidance(advice, f"{advice} Let's try again.", step.seconds)
        return self._next(t)
