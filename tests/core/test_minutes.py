"""Per-minute sums of the monitor's verdicts over irregular frames."""

from __future__ import annotations

from datetime import datetime

import pytest

from posture.core.minutes import Minute, MinuteAggregator
from posture.core.sampling import Sampling

STALL_S = 2.0  # this test's stall limit: frames come at most 0.5 s apart, the gap is 10 s

DAY_START = datetime(2024, 5, 1, 9, 0, 0).timestamp()  # local 09:00 of DAY


def frame_times(start: float, end: float, *, gap: tuple[float, float] | None = None) -> list[float]:
    """Irregular frame times from `start` to `end` inclusive (steps cycling 0.1-0.5 s), no frame
    strictly inside `gap`; the span ends of the timelines below are frame times too."""
    steps = (0.13, 0.4, 0.21, 0.5, 0.1, 0.33)
    marks = {50.0, 80.0, 100.0, 120.0, 130.0, 150.0}
    times, t, i = [], start, 0
    while t < end:
        times.append(round(t, 6))
        t += steps[i % len(steps)]
        i += 1
    times = sorted(set(times) | {m for m in marks if start <= m <= end} | {end})
    if gap:
        times = [t for t in times if not gap[0] < t < gap[1]]
    return times


def state(t: float) -> tuple[bool, str | None, list[str], float]:
    """The synthetic timeline (seconds): good to 50, slouched (forward head) to 80, nobody to
    100, good after; score 10 while good, 60 otherwise (held while nobody is there)."""
    if t < 50:
        return True, "good", [], 10.0
    if t < 80:
        return True, "slouched", ["forward_head"], 60.0
    if t < 100:
        return False, None, [], 60.0
    return True, "good", [], 10.0


def test_minutes_from_irregular_frames() -> None:
    """Seconds per state, problems and the time-weighted score land in the right clock minute,
    a stalled source counts STALL_S at most, and each minute is emitted once a frame from a
    later minute arrives."""
    agg = MinuteAggregator(STALL_S, origin=0.0)
    times = frame_times(0.0, 150.0, gap=(120.0, 130.0))
    emitted: list[tuple[float, Minute]] = []
    for t in times:
        emitted += [(t, m) for m in agg.add(t, *state(t))]
    emitted += [(150.0, m) for m in agg.finish(150.0)]

    first_after_60 = next(t for t in times if t >= 60)
    assert 60 < first_after_60 < 60.5
    assert [(when, m.start) for when, m in emitted] == [
        (first_after_60, 0), (120.0, 60), (150.0, 120)]
    first, second, third = (m for _, m in emitted)
    approx = pytest.approx
    assert (first.monitored_s, first.present_s) == approx((60.0, 60.0))
    assert (first.good_s, first.slouched_s) == approx((50.0, 10.0))
    assert first.problems == {"forward_head": approx(10.0)}
    assert first.mean_score == approx((50 * 10 + 10 * 60) / 60)
    assert first.max_score == 60.0
    assert (second.monitored_s, second.present_s) == approx((60.0, 40.0))
    assert (second.good_s, second.slouched_s) == approx((20.0, 20.0))
    assert second.problems == {"forward_head": approx(20.0)}
    assert second.mean_score == approx((20 * 60 + 20 * 60 + 20 * 10) / 60)
    # 120 -> 130 without frames: only STALL_S of it is monitored; then 130 -> 150.
    assert third.monitored_s == approx(STALL_S + 20.0)
    assert third.good_s == approx(STALL_S + 20.0)
    assert third.problems == {}


def test_minutes_follow_the_clock_not_the_session() -> None:
    """With an origin mid-minute, the first minute is the partial clock minute."""
    agg = MinuteAggregator(STALL_S, origin=1_700_000_070.0)  # 30 s past a whole minute
    done = []
    for i in range(0, 451):
        done += agg.add(i * 0.2, True, "good", [], 0.0)
    done += agg.finish()
    assert [m.start for m in done] == [1_700_000_040, 1_700_000_100]
    assert [m.monitored_s for m in done] == pytest.approx([30.0, 60.0], abs=1e-3)


def test_settled_frames_are_monitored_time() -> None:
    """Ten minutes of good posture sampled once every 3 s (the settled rate) are ten monitored
    minutes with the default policy's stall limit, where a 2 s cap made them 406 s."""
    sampling = Sampling()
    agg = MinuteAggregator(sampling.stall_s)
    period = 1 / sampling.settled
    done = []
    for k in range(round(600 / period) + 1):
        done += agg.add(k * period, True, "good", [], 0.0)
    done += agg.finish()
    assert sum(m.monitored_s for m in done) == pytest.approx(600, abs=period)
    assert sum(m.good_s for m in done) == pytest.approx(600, abs=period)


def test_a_stop_ends_the_last_frames_time_there() -> None:
    """Frames stopped (a pause, a lost camera) at 10 s and came back at 14 s: the 4 s between
    are not monitored, though shorter than the stall limit."""
    agg = MinuteAggregator(6.0)
    for t in (0.0, 3.0, 6.0, 9.0):
        agg.add(t, True, "good", [], 0.0)
    agg.stop(10.0)
    for t in (14.0, 17.0):
        agg.add(t, True, "good", [], 0.0)
    (minute,) = agg.finish()
    assert minute.monitored_s == pytest.approx(10.0 + 3.0)
