"""The monitoring pipeline: frames in, per-frame verdicts and the slouch score out.

`Pipeline.step` is the single implementation used by `posture analyze` (over a file, as fast
as it can) and by the live monitor: there is no second scoring path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from posture.calibration import Profile
from posture.errors import UserError
from posture.metrics import Measurement, measure
from posture.pose import Pose, PoseEstimator
from posture.score import Assessment, SlouchScore, assess
from posture.sources import Frame, FrameSource

VIEW_CHECK_FRAMES = 10  # this many measured frames, all from the other view: wrong profile


@dataclass(frozen=True)
class FrameResult:
    """Everything the pipeline decided about one frame."""

    t: float
    frame: int
    pose: Pose | None
    measurement: Measurement | None
    assessment: Assessment | None
    score: float

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
        }


@dataclass
class Summary:
    """Running totals for the end-of-run summary."""

    frames: int = 0
    with_person: int = 0
    assessed: int = 0
    good: int = 0
    person_seconds: float = 0.0
    problems: Counter = field(default_factory=Counter)
    _last_t: float | None = None

    def add(self, r: FrameResult) -> None:
        """Count one frame's result."""
        if r.pose is not None and self._last_t is not None:
            self.person_seconds += max(0.0, r.t - self._last_t)
        self._last_t = r.t if r.pose is not None else None
        self.frames += 1
        self.with_person += r.pose is not None
        if r.assessment:
            self.assessed += 1
            self.good += r.assessment.posture == "good"
            self.problems.update(r.assessment.problems)

    def text(self) -> str:
        """Human-readable summary lines."""
        share = f"{100 * self.good / self.assessed:.0f}%" if self.assessed else "n/a"
        main = ", ".join(f"{p} ({n} frames)" for p, n in self.problems.most_common(3)) or "none"
        return (f"frames: {self.frames}, with a person: {self.with_person} "
                f"({self.person_seconds:.1f} s)\n"
                f"good posture: {share} of {self.assessed} assessed frames\n"
                f"main problems: {main}")


class Pipeline:
    """Pose -> metrics -> assessment -> score, one frame at a time."""

    def __init__(self, profile: Profile, estimator: PoseEstimator) -> None:
        self.profile = profile
        self.estimator = estimator
        self.score = SlouchScore()
        self._views: Counter = Counter()

    def step(self, frame: Frame) -> FrameResult:
        """Process one frame."""
        pose = self.estimator.estimate(frame.image, frame.t)
        measurement = measure(pose) if pose is not None else None
        if measurement is not None:
            self._check_view(measurement.view)
        assessment = assess(measurement, self._profile_for(measurement))
        score = self.score.update(frame.t, assessment if pose is not None else None)
        return FrameResult(frame.t, frame.index, pose, measurement, assessment, score)

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
            raise UserError(f"the profile was calibrated with a {self.profile.view} camera but "
                            f"this source is seen from the {view}: calibrate for this camera "
                            "with: posture calibrate --source SRC --profile NAME")


def run_pipeline(source: FrameSource, profile: Profile) -> Iterator[FrameResult]:
    """Drive the pipeline over a whole source, closing the model when done."""
    with PoseEstimator(video=source.continuous) as estimator:
        pipeline = Pipeline(profile, estimator)
        for frame in source:
            yield pipeline.step(frame)
