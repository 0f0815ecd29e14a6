"""The pipeline driver: the pose model feeding the pure pipeline (`posture analyze`, the
benchmarks) or the calibration recording, over a whole source, and the end-of-run summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from posture.core.alerts import AlertSettings
from posture.core.calibration import Recording
from posture.core.pipeline import FrameResult, Pipeline
from posture.core.profile import Profile
from posture.core.sampling import Sampling
from posture.core.stretches import Library
from posture.io.estimator import PoseEstimator
from posture.io.library import load_library
from posture.io.sources import Frame, FrameSource


def run_pipeline(source: FrameSource, profile: Profile, alerts: AlertSettings | None = None,
                 sampling: Sampling | None = None, library: Library | None = None
                 ) -> Iterator[tuple[Frame, FrameResult]]:
    """Drive the pipeline over a whole source, closing the model when done.

    With `sampling`, the source is asked for frames at the pipeline's adaptive rate (as the
    live monitor does); without it, the source's own fps holds. `library`: the stretch
    library already loaded by the caller (default: the packaged one).
    """
    with PoseEstimator(video=source.continuous) as estimator:
        pipeline = Pipeline(profile, library or load_library(), alerts, sampling)
        for frame in source:
            result = pipeline.step(frame.t, frame.index, estimator.estimate(frame.image, frame.t))
            if sampling is not None:
                source.fps = pipeline.rate
            yield frame, result


def calibration_frames(source: FrameSource, start: float, seconds: float | None,
                       on_frame: Callable[[float, str | None], None] | None = None) -> Recording:
    """Run pose estimation over the chosen stretch of a source and gate the frames."""
    rec = Recording(continuous=source.continuous)
    with PoseEstimator(video=source.continuous) as estimator:
        first_t = None
        for frame in source:
            if frame.t < start:
                continue
            first_t = frame.t if first_t is None else first_t
            if seconds is not None and frame.t - first_t >= seconds:
                break
            reason = rec.add(estimator.estimate(frame.image, frame.t), frame.t)
            if on_frame is not None:
                on_frame(frame.t - first_t, reason)
    return rec


@dataclass
class Summary:
    """Running totals for the end-of-run summary."""

    frames: int = 0
    with_person: int = 0
    assessed: int = 0
    other_view: int = 0  # frames measured from another view than the profile's
    other_views: Counter = field(default_factory=Counter)  # ...and which views they were
    camera_moved: int = 0  # frames not judged because the camera had moved
    good: int = 0
    person_seconds: float = 0.0
    t: float = 0.0  # the last frame's time
    prompts: int = 0
    problems: Counter = field(default_factory=Counter)
    _last_t: float | None = None

    def add(self, r: FrameResult) -> None:
        """Count one frame's result."""
        if r.pose is not None and self._last_t is not None:
            self.person_seconds += max(0.0, r.t - self._last_t)
        self._last_t = r.t if r.pose is not None else None
        self.t = r.t
        self.frames += 1
        self.with_person += r.pose is not None
        self.prompts += r.prompt is not None
        if r.measurement is not None and r.assessment is None:
            self.other_view += 1
            self.other_views[r.measurement.view] += 1
        self.camera_moved += r.camera_moved
        if r.verdict:
            self.assessed += 1
            self.good += r.verdict.posture == "good"
            self.problems.update(r.verdict.problems)

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
                + (f"\n{self.camera_moved} frames were not judged because the camera had "
                   "moved: calibrate again with the camera where it is now"
                   if self.camera_moved else "")
                + (f"\n{self.other_view} frames were seen from another camera view than the "
                   "profile's and not judged: calibrate for this camera"
                   if self.other_view else ""))
