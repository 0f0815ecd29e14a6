"""The monitoring pipeline, pure: one frame's pose in, everything decided about it out.

`Pipeline.step` is the single implementation used by `posture analyze` (over a file, as fast
as it can) and by the live monitor: there is no second scoring path. Its caller supplies the
poses (`posture.app.driver` runs the model) and acts on the results.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from posture.core.alerts import AlertPolicy, AlertSettings, Prompt
from posture.core.errors import UserError
from posture.core.metrics import Measurement, measure
from posture.core.pose import Pose
from posture.core.profile import Profile
from posture.core.sampling import Sampling
from posture.core.score import Assessment, SlouchScore, assess
from posture.core.stretches import Library

VIEW_CHECK_FRAMES = 10  # this many measured frames, all from the other view: wrong profile
# Every metric off by MOVED_SPREADS at once: camera moved? Every one, not most: a deep slouch
# shifts all but the sideways metrics (6 of 8 from the front) and must never be taken for a move.
MOVED_SPREADS = 4.0
MOVED_S = 20.0  # ...for this long: suggest recalibrating instead of nagging about posture


def decide(assessment: Assessment | None, camera_moved: bool) -> Assessment | None:
    """The verdict on a frame: its assessment, but none while the camera has moved (the
    metrics then measure the move, not the user, and the score holds as when nobody is in
    view)."""
    return None if camera_moved else assessment


@dataclass(frozen=True)
class FrameResult:
    """Everything the pipeline decided about one frame.

    `verdict` is the decision about posture, the one every consumer (JSON Lines, summary,
    history, the live loop) uses: the assessment, or None when there is none to give (nobody
    in view, another view, or the camera moved). `assessment` is the frame measured against
    the profile even while the camera moved (its deviations are how the move is seen).
    """

    t: float
    frame: int
    pose: Pose | None
    measurement: Measurement | None
    assessment: Assessment | None
    score: float
    prompt: Prompt | None = None
    camera_moved: bool = False  # every metric shifted at once for a while: recalibrate

    @property
    def verdict(self) -> Assessment | None:
        """The posture decided for this frame (see `decide`)."""
        return decide(self.assessment, self.camera_moved)

    def to_json(self) -> dict:
        """The JSON Lines record for this frame (fields are only ever added)."""
        a = self.verdict
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


class Pipeline:
    """Pose -> metrics -> assessment -> camera moved -> score -> alert policy -> sampling rate,
    one frame at a time. The poses come from the caller (the model, or a synthetic body)."""

    def __init__(self, profile: Profile, library: Library, alerts: AlertSettings | None = None,
                 sampling: Sampling | None = None) -> None:
        self.profile = profile
        self.sampling = sampling or Sampling()
        self.score = SlouchScore(self.sampling.stall_s)
        self.settings = alerts or AlertSettings()
        self.alerts = AlertPolicy(self.settings, library)
        self.rate = self.sampling.fast  # frames per second to ask of the source next
        self._state: tuple[str | None, float] | None = None  # posture, and since when
        self._views: Counter = Counter()
        self._shifted_since: float | None = None

    def step(self, t: float, index: int, pose: Pose | None) -> FrameResult:
        """Judge the user's pose (None: nobody in view) in the frame `index` taken at `t`."""
        measurement = measure(pose) if pose is not None else None
        if measurement is not None:
            self._check_view(measurement.view)
        assessment = assess(measurement, self._profile_for(measurement))
        moved = self._camera_moved(t, assessment)
        verdict = decide(assessment, moved)
        score = self.score.update(t, verdict)
        prompt = self.alerts.update(t, pose is not None,
                                    verdict.posture if verdict else None,
                                    verdict.problems if verdict else (), score)
        self._adapt(t, verdict.posture if verdict else None)
        return FrameResult(t, index, pose, measurement, assessment, score, prompt, moved)

    def stop(self, t: float) -> None:
        """Frames stopped at `t` (a pause, a lost camera): the time until the next frame was
        not watched, so the score does not move along it."""
        self.score.stop(t)

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
