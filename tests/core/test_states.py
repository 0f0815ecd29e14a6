"""The monitor's state follows the posture of the frame, not the score."""

from __future__ import annotations

from posture.core.pipeline import FrameResult
from posture.core.score import Assessment
from posture.core.states import STATE_TEXT, STATES, posture_state
from tests.synthetic import synthesize

GOOD = Assessment("front", {}, {}, (), "good", 0.0)
SLOUCHED = Assessment("front", {}, {}, ("slouch",), "slouched", 0.5)


def frame(assessment: Assessment | None, score: float, person: bool = True,
          moved: bool = False) -> FrameResult:
    pose = synthesize() if person else None
    return FrameResult(0.0, 0, pose, None, assessment, score, camera_moved=moved)


def test_good_at_once_whatever_the_score():
    assert posture_state(frame(GOOD, 95.0), 50.0) == "good"


def test_a_slouch_slips_until_the_score_reaches_the_threshold():
    assert posture_state(frame(SLOUCHED, 49.9), 50.0) == "slipping"
    assert posture_state(frame(SLOUCHED, 50.0), 50.0) == "slouched"


def test_nobody_unseen_and_a_moved_camera():
    assert posture_state(None, 50.0) == "away"
    assert posture_state(frame(None, 10.0, person=False), 50.0) == "away"
    assert posture_state(frame(None, 10.0), 50.0) == "unseen"
    assert posture_state(frame(SLOUCHED, 80.0, moved=True), 50.0) == "camera moved"


def test_every_state_has_words():
    assert set(STATES) == set(STATE_TEXT) and all(STATE_TEXT[s] for s in STATES)
