"""The plain rule the accuracy benchmark prints beside every figure, on the same frames:

- front camera: nose height above the shoulder line / shoulder width under PLAIN_FRONT of the
  calibrated value is slouched (a frontal-webcam study's cue, DESIGN.md);
- side camera: neck inclination over PLAIN_NECK degrees or torso inclination over PLAIN_TORSO
  degrees from vertical is slouched (the common tutorial rule; magnitudes, no calibration).

It uses the program's own metrics and calibration (the same frames, the same profile), and is
prompted through the same slouch score and alert policy, so every figure reads as "ours against
the plain rule". The plain rule names no problem: its verdict is slouched or good.
"""

from __future__ import annotations

from posture.core.alerts import AlertPolicy, AlertSettings
from posture.core.metrics import Measurement
from posture.core.profile import Profile
from posture.core.sampling import Sampling
from posture.core.score import Assessment, SlouchScore
from posture.core.stretches import Library

PLAIN_FRONT = 0.8
PLAIN_NECK = 40.0
PLAIN_TORSO = 10.0


def plain_verdict(measurement: Measurement | None, profile: Profile) -> str | None:
    """'slouched', 'good', or None (nobody, another view, or the cue not measured)."""
    if measurement is None or measurement.view != profile.view:
        return None
    v = measurement.values
    if profile.view == "front":
        base = profile.baseline.get("head_height")
        if base is None or "head_height" not in v:
            return None
        return "slouched" if v["head_height"] < PLAIN_FRONT * base.centre else "good"
    if "neck_inclination" not in v:
        return None
    bad = (abs(v["neck_inclination"]) > PLAIN_NECK
           or abs(v.get("torso_inclination", 0.0)) > PLAIN_TORSO)
    return "slouched" if bad else "good"


class PlainPrompts:
    """The plain rule's verdicts through the program's slouch score and alert policy: the
    prompts it would give (a slouched verdict counts with severity 1, as it has no other)."""

    def __init__(self, alerts: AlertSettings, library: Library, sampling: Sampling) -> None:
        self.score = SlouchScore(sampling.stall_s)
        self.policy = AlertPolicy(alerts, library)
        self.prompts: list[float] = []

    def update(self, t: float, present: bool, verdict: str | None, view: str) -> None:
        """One sampled frame: nobody (not present), no verdict (None) or a verdict."""
        problems = ("slouch",) if verdict == "slouched" else ()
        seen = None if verdict is None else Assessment(view, {}, {}, problems, verdict,
                                                        1.0 if problems else 0.0)
        score = self.score.update(t, seen if present else None)
        prompt = self.policy.update(t, present, verdict, problems, score)
        if prompt is not None and prompt.kind == "posture":
            self.prompts.append(t)
