"""The guided calibration as data and as a state machine: what it says, and when."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from posture.core.calibration import REASONS
from posture.core.protocol import GuidedCalibration, Protocol, Step, ThrottledFeedback
from posture.io.protocol import PROTOCOL
from tests.synthetic import Camera, Posture, synthesize

FEEDBACK = {reason: f"fix: {reason}" for reason in REASONS}


def protocol(*steps: Step, every: float = 4.0) -> Protocol:
    return Protocol(steps, FEEDBACK, feedback_every_s=every, retry_after_failures=2)


def test_feedback_is_throttled_by_frame_time():
    feedback = ThrottledFeedback(protocol())
    assert feedback.due(0.0, "moving") == "fix: moving"
    assert feedback.due(3.9, "off-centre") is None
    assert feedback.due(4.0, "off-centre") == "fix: off-centre"
    assert feedback.due(9.0, None) is None  # a fit frame needs no feedback...
    assert feedback.due(9.1, "moving") == "fix: moving"  # ...and does not restart the clock


def test_what_is_said_at_a_step_start_counts_as_the_last_feedback():
    """A recording that starts with nobody in view: the step's own words come first, and the
    feedback waits its turn after them."""
    guided = GuidedCalibration(protocol(Step("record", "Recording.", "Recording", 5.0, 5),
                                        Step("done", "", "", 0.0)))
    said = [(round(t, 1), g.say) for t in np.arange(0.0, 5.0, 0.2)
            if (g := guided.feed(float(t), None)).say]
    assert said == [(0.0, "Recording."), (4.0, "fix: nobody in view")]


def test_a_recording_of_nobody_is_retried_then_fails_with_the_reason():
    guided = GuidedCalibration(protocol(Step("record", "Recording.", "Recording", 1.0, 5),
                                        Step("done", "Done.", "Calibrated", 0.0)))
    results = [guided.feed(t / 5, None) for t in range(12)]
    said = [g.say for g in results if g.say]
    assert "fix: nobody in view Let's try again." in said
    failed = [g for g in results if g.failure is not None]
    assert failed and failed[0].failure == "nobody in view" and failed[0].profile is None


def test_a_still_sitter_is_calibrated():
    guided = GuidedCalibration(protocol(Step("record", "Recording.", "Recording", 2.0, 5),
                                        Step("done", "Done.", "Calibrated", 0.0)))
    rng = np.random.default_rng(0)
    results = [guided.feed(i / 5, synthesize(Posture(), Camera(), 1.0, rng)) for i in range(12)]
    profiles = [g.profile for g in results if g.profile is not None]
    assert profiles and profiles[0].view == "front" and profiles[0].frames >= 5
    assert "Done." in [g.say for g in results]


def test_the_shipped_protocol_parses_and_a_broken_one_says_what_it_lacks():


    data = json.loads((resources.files("posture.calibration_data") / PROTOCOL).read_text())
    assert Protocol.from_json(data).lacks() == []
    data["steps"] = [s for s in data["steps"] if s["id"] != "done"]
    del data["feedback"]["moving"]
    assert Protocol.from_json(data).lacks() == ["done", "moving"]
    del data["feedback_every_s"]
    with pytest.raises(KeyError):
        Protocol.from_json(data)


def test_a_sitter_who_changes_posture_while_recorded_is_told_to_hold_one():
    """Upright for half the recording and slouched for the rest: the guided calibration says
    why it tries again (hold one posture), not some other reason."""
    guided = GuidedCalibration(protocol(Step("record", "Recording.", "Recording", 2.0, 5),
                                        Step("done", "Done.", "Calibrated", 0.0)))
    rng = np.random.default_rng(0)
    slouch = Posture(trunk_flexion=25.0, neck_flexion=20.0)
    results = [guided.feed(i / 5, synthesize(Posture() if i < 6 else slouch, Camera(), 1.0, rng))
               for i in range(11)]
    assert "fix: mixed postures Let's try again." in [g.say for g in results]
    assert all(g.profile is None for g in results)
