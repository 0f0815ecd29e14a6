"""Show frames in an OpenCV window, and only when there is a display to show them on.

On Linux, cv2.imshow without a reachable display aborts the whole process (Qt's xcb plugin:
no exception to catch), whether DISPLAY is unset or names a server that is not there. So the
display is probed once, in a child process that opens and destroys a window, and headless
runs simply show nothing.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

import cv2
import numpy as np

WINDOW_TITLE = "posture"
QUIT_KEYS = (ord("q"), 27)  # q and Esc, as cv2.waitKey and the terminal report them
MIN_HEIGHT = 360  # smaller frames (a small video) are shown enlarged, so the overlay is legible
PROBE_TIMEOUT_S = 20.0  # a display that takes longer than this to open a window is unusable
PROBE = ("import cv2; cv2.namedWindow('posture-probe', cv2.WINDOW_AUTOSIZE); cv2.waitKey(1); "
         "cv2.destroyAllWindows(); cv2.waitKey(1)")


@functools.cache
def display_problem() -> str | None:
    """Why no window can be shown here, in words (None when one can); probed once a process."""
    if not sys.platform.startswith("linux"):
        return None
    name = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not name:
        return "no display (DISPLAY is not set)"
    try:
        probe = subprocess.run([sys.executable, "-c", PROBE], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"display {name} did not open a window within {PROBE_TIMEOUT_S:g} s"
    if probe.returncode != 0:
        lines = probe.stderr.decode(errors="replace").strip().splitlines()
        detail = f" ({lines[0][:120]})" if lines else ""
        return f"cannot open a window on display {name}{detail}"
    return None


def show(frame: np.ndarray, wait_ms: int = 1) -> int | None:
    """Show `frame` and pump the window's events for `wait_ms` milliseconds.

    Returns the key pressed (cv2.waitKey's code, -1 for none), or None when there is no
    display and nothing was shown.
    """
    if display_problem() is not None:
        return None
    # GUI_NORMAL: the picture alone, without the Qt toolbar and status bar.
    cv2.namedWindow(WINDOW_TITLE, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
    if 0 < frame.shape[0] < MIN_HEIGHT:
        factor = -(-MIN_HEIGHT // frame.shape[0])  # a whole factor keeps the picture sharp
        frame = cv2.resize(frame, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
    cv2.imshow(WINDOW_TITLE, frame)
    return cv2.waitKey(max(1, wait_ms))
