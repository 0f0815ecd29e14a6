"""The monitoring pipeline: frames in, per-frame verdicts and the slouch score out.

`Pipeline.step` is the single implementation used by `posture analyze` (over a file, as fast
as it can) and by the live monitor: there is no second scoring path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from posture.alerts import AlertPolicy, AlertSettings, Prompt
from posture.calibration import Profile
from posture.errors import UserError
from posture.metrics import Measurement, measure
from posture.overlay import Card, stretch_card
from posture.pose import Pose, PoseEstimator
from posture.score import Assessment, SlouchScore, assess
from posture.settings import MonitorSettings
from posture.sources import Frame, FrameSource
from posture.stretches import Library, load_library

VIEW_CHECK_FRAMES = 10  # this many measured frames, all from the other view: wrong profile
# Every metric off by MOVED_SPREADS at once: camera moved? Every one, not most: a deep slouch
# shifts all but the sideways metrics (6 of 8 from the front) and must never be taken for a move.
MOVED_SPREADS = 4.0
MOVED_S = 20.0  # ...for this long: suggest recalibrating instead of nagging about posture
CHANGE_S = 2.0  # after posture changes (good, slouched, nobody), the fast rate this long
SETTLE_S = 30.0  # good (or nobody in view) this long: the settled rate


@dataclass(frozen=True)
class Sampling:
    """Adaptive sampling, one policy for `posture run` and `posture analyze`: `fast` frames a
    second for CHANGE_S after posture changes, `bad` while it stays bad, `slow` while it is
    steady and good, `settled` once it has been good for SETTLE_S.

    Most of a working day is settled, so that rate sets the cost: a frame costs 20 to 60 ms
    of CPU depending on the machine, and a mostly good session stays near or under 5 % of one
    core on the slower ones (benchmarks/cost.py). A slouch is seen at most 1/settled seconds
    late; prompts are timed from frame timestamps, so they come at the same moment.
    """

    settled: float
    slow: float
    bad: float
    fast: float

    @staticmethod
    def of(monitor: MonitorSettings) -> Sampling:
        """The policy with the rates of the settings' [monitor] section."""
        return Sampling(monitor.fps_settled, monitor.fps_good, monitor.fps_bad,
                        monitor.fps_active)

    def rate(self, state: str | None, held_s: float) -> float:
        """Frames a second for a posture `state` ("good", "slouched", None) held `held_s`."""
        if held_s < CHANGE_S:
            return self.fast
        if state == "slouched":
            return self.bad
        return self.settled if held_s >= SETTLE_S else self.slow


@dataclass(frozen=True)
class FrameResult:
    """Everything the pipeline decided about one frame."""

    t: float
    frame: int
    pose: Pose | None
    measurement: Measurement | None
    assessment: Assessment | None
    score: float
    prompt: Prompt | None = None
    camera_moved: bool = False  # every metric shifted at once for a while: recalibrate

    def to_json(self) -> dict:
        """The JSON Lines record for this frame (fields are only ever added)."""
        a = self.assessment
        return {
            "t": round(self.t, 3),
            "frame": self.frame,
            "person": self.pose is not None,
            "view": self.measurement.view if self.measurement else None,
            "posture": a.posture if a else None,
            "problems": list(a.problems) if a else [],
            "severity": round(a.severity, 3) if a else 0.0,
            "score": round(self.score, 2),
            "metrics": {k: round(v, 4) for k, v in
                        (self.measurement.values.items() if self.measurement else [])},
            "prompt": self.prompt.to_json() if self.prompt else None,
            "camera_moved": self.camera_moved,
        }


@dataclass
class Summary:
    """Running totals for the end-of-run summary."""

    frames: int = 0
    with_person: int = 0
    assessed: int = 0
    other_view: int = 0  # frames measured from another view than the profile's
    other_views: Counter = field(default_factory=Counter)  # ...and which views they were
    good: int = 0
    person_seconds: float = 0.0
    prompts: int = 0
    problems: Counter = field(default_factory=Counter)
    _last_t: float | None = None

    def add(self, r: FrameResult) -> None:
        """Count one frame's result."""
        if r.pose is not None and self._last_t is not None:
            self.person_seconds += max(0.0, r.t - self._last_t)
        self._last_t = r.t if r.pose is not None else None
        self.frames += 1
        self.with_person += r.pose is not None
        self.prompts += r.prompt is not None
        if r.measurement is not None and r.assessment is None:
            self.other_view += 1
            self.other_views[r.measurement.view] += 1
        if r.assessment:
            self.assessed += 1
            self.good += r.assessment.posture == "good"
            self.problems.update(r.assessment.problems)

    def text(self) -> str:
        """Human-readable summary lines."""
        share = f"{100 * self.good / self.assessed:.0f}%" if self.assessed else "n/a"
        main = ", ".join(f"{p} ({n} frame{'s' if n != 1 else ''})"
                         for p, n in self.problems.most_common(3)) or "none"
        return (f"frames: {self.frames}, with a person: {self.with_person} "
                f"({self.person_seconds:.1f} s)\n"
                f"good posture: {share} of {self.assessed} assessed frames\n"
                f"main problems: {main}\n"
                f"prompts: {self.prompts}"
                + (f"\n{self.other_view} frames were seen from another camera view than the "
                   "profile's and not judged: calibrate for this camera"
                   if self.other_view else ""))


class Pipeline:
    """Pose -> metrics -> assessment -> score -> alert policy, one frame at a time."""

    def __init__(self, profile: Profile, estimator: PoseEstimator,
                 alerts: AlertSettings | None = None, sampling: Sampling | None = None,
                 library: Library | None = None) -> None:
        """`library`: the stretch library already loaded by the caller, if any."""
        self.profile = profile
        self.estimator = estimator
        self.score = SlouchScore()
        self.settings = alerts or AlertSettings()
        self.alerts = AlertPolicy(self.settings, library or load_library())
        self.sampling = sampling or Sampling.of(MonitorSettings())
        self.rate = self.sampling.fast  # frames per second to ask of the source next
        self._state: tuple[str | None, float] | None = None  # posture, and since when
        self._views: Counter = Counter()
        self._shifted_since: float | None = None

    def step(self, frame: Frame) -> FrameResult:
        """Process one frame."""
        pose = self.estimator.estimate(frame.image, frame.t)
        measurement = measure(pose) if pose is not None else None
        if measurement is not None:
            self._check_view(measurement.view)
        assessment = assess(measurement, self._profile_for(measurement))
        moved = self._camera_moved(frame.t, assessment)
        # While the camera has moved the metrics measure the move, not the user: no verdict,
        # and the score holds as when nobody is in view.
        verdict = assessment if assessment is not None and not moved else None
        score = self.score.update(frame.t, verdict if pose is not None else None)
        prompt = self.alerts.update(frame.t, pose is not None,
                                    verdict.posture if verdict else None,
                                    verdict.problems if verdict else (), score)
        self._adapt(frame.t, verdict.posture if verdict else None)
        return FrameResult(frame.t, frame.index, pose, measurement, assessment, score, prompt,
                           moved)

    def _adapt(self, t: float, posture: str | None) -> None:
        """Set the sampling rate for the next frame from how long posture has held."""
        if self._state is None or self._state[0] != posture:
            self._state = (posture, t)
        self.rate = self.sampling.rate(posture, t - self._state[1])

    def _camera_moved(self, t: float, assessment: Assessment | None) -> bool:
        """True once every metric has been far off at once for MOVED_S: the camera
        moved, not the user, so posture prompts stop until the user recalibrates."""
        dev = assessment.deviations if assessment is not None else {}
        shifted = len(dev) >= 4 and all(abs(d) >= MOVED_SPREADS for d in dev.values())
        if not shifted:
            self._shifted_since = None
            return False
        self._shifted_since = t if self._shifted_since is None else self._shifted_since
        return t - self._shifted_since >= MOVED_S

    def _profile_for(self, measurement: Measurement | None) -> Profile:
        """The calibrated profile; uncalibrated, population defaults for the view in sight."""
        if self.profile.calibrated or measurement is None or measurement.view == self.profile.view:
            return self.profile
        return Profile.defaults(measurement.view)

    def _check_view(self, view: str) -> None:
        """Stop early with a clear error when the profile was made for the other camera view."""
        if not self.profile.calibrated or sum(self._views.values()) >= VIEW_CHECK_FRAMES:
            return
        self._views[view] += 1
        if self._views[self.profile.view] == 0 and self._views.total() >= VIEW_CHECK_FRAMES:
            raise UserError(wrong_view(self.profile.view, view))


def wrong_view(profile_view: str, seen: str) -> str:
    """The message for a profile made for another camera view than the source shows."""
    return (f"the profile was calibrated with a {profile_view} camera but this source is seen "
            f"from the {seen}: calibrate for this camera with: posture calibrate --source SRC "
            "--profile NAME")


class CardShelf:
    """Which stretch card is on screen: the last prompt's first stretch with the reason it
    helps, for `seconds` of source time (AlertSettings.card_s)."""

    def __init__(self, library: Library, seconds: float = AlertSettings.card_s) -> None:
        self.library = library
        self.seconds = seconds
        self._shown: tuple[float, str, str] | None = None  # since, stretch id, reason

    @property
    def current(self) -> str | None:
        """The id of the stretch on the card now, if any."""
        return self._shown[1] if self._shown else None

    def update(self, result: FrameResult) -> Card | None:
        """The card to draw with this frame, until `seconds` after the prompt that raised it."""
        p = result.prompt
        if p is not None and p.stretches:
            self._shown = (result.t, p.stretches[0], p.reasons[0] if p.reasons else "")
        if self._shown is None:
            return None
        since, stretch_id, reason = self._shown
        if result.t - since >= self.seconds:
            self._shown = None
            return None
        return stretch_card(self.library.get(stretch_id), reason)


def run_pipeline(source: FrameSource, profile: Profile, alerts: AlertSettings | None = None,
                 sampling: Sampling | None = None) -> Iterator[tuple[Frame, FrameResult]]:
    """Drive the pipeline over a whole source, closing the model when done.

    With `sampling`, the source is asked for frames at the pipeline's adaptive rate (as the
    live monitor does); without it, the source's own fps holds.
    """
    with PoseEstimator(video=source.continuous) as estimator:
        pipeline = Pipeline(profile, estimator, alerts, sampling)
        for frame in source:
            result = pipeline.step(frame)
            if sampling is not None:
                source.fps = pipeline.rate
            yield frame, result
