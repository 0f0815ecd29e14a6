"""The slouch score over time: driven by timestamps, the same at any frame rate."""

from __future__ import annotations

import pytest

from posture.core.sampling import Sampling
from posture.core.score import FALL, RISE_BASE, RISE_SEVERITY, Assessment, SlouchScore

STALL_S = Sampling().stall_s  # the default sampling policy's, as the pipeline passes it


def verdict(posture: str, severity: float = 0.5) -> Assessment:
    problems = ("head_drop",) if posture == "slouched" else ()
    return Assessment("front", {}, {}, problems, posture, severity)


def timeline(t: float) -> Assessment | None:
    """Good for 10 s, slouched 10..40 s, nobody 40..50 s, good after."""
    if t < 10:
        return verdict("good")
    if t < 40:
        return verdict("slouched")
    if t < 50:
        return None
    return verdict("good")


def run(fps: float, until: float = 60.0, drop=lambda i: False) -> dict[float, float]:
    score = SlouchScore(STALL_S)
    out = {}
    for i in range(int(until * fps) + 1):
        if drop(i):
            continue
        t = i / fps
        out[round(t, 3)] = score.update(t, timeline(t))
    return out


def test_rises_while_slouched_falls_while_good_holds_while_away():
    s = run(10.0)
    assert s[10.0] == 0.0
    rate = RISE_BASE + RISE_SEVERITY * 0.5
    assert s[20.0] == pytest.approx(10 * rate, abs=0.5)
    assert s[39.9] == pytest.approx(min(100.0, 29.9 * rate), abs=0.5)
    assert s[45.0] == s[40.1]  # nobody in view: held
    assert s[55.0] == pytest.approx(s[50.0] - 5 * FALL, abs=0.5)
    assert all(0.0 <= v <= 100.0 for v in s.values())


@pytest.mark.parametrize("fps", [2.0, 5.0, 30.0])
def test_same_curve_at_any_frame_rate(fps):
    reference = run(10.0)
    other = run(fps)
    for t in (5.0, 20.0, 30.0, 45.0, 55.0, 60.0):
        # Within one frame interval's worth of change.
        assert other[t] == pytest.approx(reference[t], abs=(1 / fps) * 4.0 + 0.5), t


def test_dropped_frames_do_not_change_the_curve():
    full = run(10.0)
    dropped = run(10.0, drop=lambda i: i % 3 == 1)
    for t in (20.0, 30.0, 56.0):
        assert dropped[t] == pytest.approx(full[t], abs=1.0)


def test_settled_frames_are_credited_their_whole_gap():
    """At the settled rate (a frame every 3 s) the score moves as far per second as at 10 fps:
    each gap counts in full, up to the stall limit the sampling policy gives."""
    settled = Sampling()
    period = 1 / settled.settled
    assert 2 * period == pytest.approx(settled.stall_s)
    score = SlouchScore(settled.stall_s)
    score.update(0.0, verdict("slouched", 1.0))
    rise = RISE_BASE + RISE_SEVERITY
    assert score.update(period, verdict("slouched", 1.0)) == pytest.approx(period * rise)
    falling = SlouchScore(settled.stall_s)
    falling.value = 100.0
    values = [falling.update(k * period, verdict("good")) for k in range(6)]
    assert values[-1] == pytest.approx(100.0 - 5 * period * FALL)


def test_a_long_stall_counts_as_the_stall_limit():
    score = SlouchScore(4.0)
    score.update(0.0, verdict("slouched", 0.0))
    assert score.update(600.0, verdict("slouched", 0.0)) == pytest.approx(4.0 * RISE_BASE)


def test_a_stop_holds_the_score_until_frames_come_again():
    score = SlouchScore(STALL_S)
    score.update(0.0, verdict("slouched", 0.0))
    score.stop(2.0)  # paused 2 s after the frame: the slouch counts until then
    assert score.update(5.0, verdict("slouched", 0.0)) == pytest.approx(2.0 * RISE_BASE)
    assert score.update(6.0, verdict("good")) == pytest.approx(3.0 * RISE_BASE)
