"""The overlay in a real window under Xvfb, read back from the screen, and no window without
a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from posture.io.drawing import (
    COLOR_GOOD,
    COLOR_TEXT,
)
from posture.io.overlay import (
    render,
)
from tests.conftest import REPO, screen_when
from tests.io.overlay_helpers import (
    GOOD,
    calibrated,
    frame,
    front_pose,
    gauge_rect,
    result,
)

SHOW = """
import sys, time
import numpy as np
from posture.io.window import display_problem, show
picture = np.load(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    if show(picture, wait_ms=20) is None:
        sys.exit(f"show() found no display: {display_problem()}")
"""


def test_window_shows_the_overlay_under_xvfb(xvfb, tmp_path: Path) -> None:
    display, grab = xvfb
    picture = render(frame(360, 640, value=128), result(front_pose(640, 360), GOOD, 30.0),
                     calibrated(), threshold=60.0)
    np.save(tmp_path / "picture.npy", picture)
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env.update(DISPLAY=display, PYTHONPATH=str(REPO))
    def start() -> subprocess.Popen:
        # A separate process: should the GUI toolkit abort, it must not take pytest with it.
        return subprocess.Popen([sys.executable, "-c", SHOW, str(tmp_path / "picture.npy"), "20"],
                                cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def painted(screen: np.ndarray) -> bool:  # the whole picture, not half-drawn
        ys, xs = np.nonzero(np.all(screen == COLOR_GOOD, axis=2))
        if len(ys) <= 2000 or (np.ptp(ys) + 1, np.ptp(xs) + 1) != (360, 640):
            return False
        top, left = ys.min(), xs.min()
        return np.array_equal(screen[top:top + 360, left:left + 640], picture)

    screen, child = screen_when(grab, start, painted)
    alive = child.poll() is None  # still showing the window: it did not crash
    child.terminate()
    _, stderr = child.communicate(timeout=30)
    assert alive, f"window process failed: {stderr.decode(errors='replace')}"

    green = np.all(screen == COLOR_GOOD, axis=2)
    assert green.sum() > 2000, "the green status border never appeared on screen"
    ys, xs = np.nonzero(green)
    top, left = ys.min(), xs.min()
    # The border outlines the whole 640x360 picture, wherever the window was placed.
    assert (ys.max() - top + 1, xs.max() - left + 1) == (360, 640)
    shown = screen[top:top + 360, left:left + 640]
    assert np.array_equal(shown, picture)
    x0, y0, x1, y1 = gauge_rect(picture.shape)
    x = (x0 + x1) // 2
    assert tuple(shown[y1 - round(0.15 * (y1 - y0)), x]) == COLOR_GOOD  # filled to 30 %...
    assert shown[y1 - round(0.45 * (y1 - y0)), x].max() < 80  # ...dark panel above
    assert tuple(shown[y1 - round(0.6 * (y1 - y0)), x0 - 1]) == COLOR_TEXT  # threshold tick


def test_show_without_a_display_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from posture.io import window

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    window.display_problem.cache_clear()
    assert window.show(frame()) is None
    window.display_problem.cache_clear()
