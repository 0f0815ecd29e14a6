"""Show frames in an OpenCV window, and only when there is a display to show them on.

cv2.imshow without a display aborts the whole process (no exception to catch), so the check
comes first and headless runs simply show nothing.
"""

from __future__ import annotations

import os
import sys

import cv2
import numpy as np

WINDOW_TITLE = "posture"


def show(frame: np.ndarray, title: str = WINDOW_TITLE, wait_ms: int = 1) -> int | None:
    """Show `frame` and pump the window's events for `wait_ms` milliseconds.

    Returns the key pressed (cv2.waitKey's code, -1 for none), or None when there is no
    display and nothing was shown.
    """
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    # GUI_NORMAL: the picture alone, without the Qt toolbar and status bar.
    cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
    cv2.imshow(title, frame)
    return cv2.waitKey(max(1, wait_ms))
