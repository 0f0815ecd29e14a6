"""Shared fixtures: the real footage folder, a scratch POSTURE_HOME, one pose estimator per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from posture.pose import PoseEstimator

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FIXTURES = REPO / "fixtures"

needs_data = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"real footage folder {DATA} is absent (see shared/data/PROVENANCE.md)",
)


@pytest.fixture(autouse=True)
def posture_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own user data and config folders."""
    home = tmp_path / "home"
    monkeypatch.setenv("POSTURE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def still_estimator():
    """An IMAGE-mode estimator shared by the tests that look at single pictures."""
    with PoseEstimator(video=False) as estimator:
        yield estimator
