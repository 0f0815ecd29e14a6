"""How often to look: the adaptive sampling rate, from how long posture has held."""

from __future__ import annotations

from dataclasses import dataclass

CHANGE_S = 2.0  # after posture changes (good, slouched, nobody), the fast rate this long
SETTLE_S = 30.0  # good (or nobody in view) this long: the settled rate
# A gap between frames longer than this many of the slowest rate's periods is a stall (a busy
# machine, a pause, a lost camera), not monitored time: one period late is still sampling.
STALL_PERIODS = 2.0


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

    settled: float = 0.33
    slow: float = 1.0
    bad: float = 1.5
    fast: float = 5.0

    @staticmethod
    def fixed(fps: float) -> Sampling:
        """One rate whatever posture does (`--fps N`)."""
        return Sampling(fps, fps, fps, fps)

    @property
    def stall_s(self) -> float:
        """Seconds between frames beyond which the gap is a stall: time integrated over frames
        (the slouch score, the history's minutes) credits a gap up to this, so a settled hour,
        one frame every few seconds, is still an hour."""
        return STALL_PERIODS / min(self.settled, self.slow, self.bad, self.fast)

    def rate(self, state: str | None, held_s: float) -> float:
        """Frames a second for a posture `state` ("good", "slouched", None) held `held_s`."""
        if held_s < CHANGE_S:
            return self.fast
        if state == "slouched":
            return self.bad
        return self.settled if held_s >= SETTLE_S else self.slow
