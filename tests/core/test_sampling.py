"""The adaptive sampling rule: the rate for a posture state held for a while."""

from __future__ import annotations

from posture.core.sampling import CHANGE_S, SETTLE_S, Sampling


def test_sampling_rates_per_state_and_held_time():
    s = Sampling(settled=0.3, slow=1.0, bad=1.5, fast=5.0)
    for state in ("good", "slouched", None):
        assert s.rate(state, 0.0) == s.rate(state, CHANGE_S - 0.01) == 5.0  # just changed
    assert s.rate("slouched", CHANGE_S) == s.rate("slouched", 10 * SETTLE_S) == 1.5
    assert s.rate("good", CHANGE_S) == s.rate("good", SETTLE_S - 0.01) == 1.0
    assert s.rate("good", SETTLE_S) == s.rate(None, SETTLE_S) == 0.3  # settled
    assert s.rate(None, CHANGE_S) == 1.0


def test_the_default_rates_are_the_settings_defaults():
    from posture.io.settings import MonitorSettings

    assert MonitorSettings().sampling() == Sampling()
    assert Sampling().settled < Sampling().slow < Sampling().bad < Sampling().fast
