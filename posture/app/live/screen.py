"""Where the live monitor shows its pictures and reads keys: an OpenCV window when there is a
display and the settings want one, else the terminal it was started from (headless), or
neither (no keys: a service, a pipe)."""

from __future__ import annotations

import time
from contextlib import ExitStack

import cv2
import numpy as np

from posture.io.overlay import draw_caption, draw_status
from posture.io.terminal import NO_KEY, KeySource, TerminalKeys
from posture.io.window import display_problem, show


class Screen:
    """The window (or the terminal's keys) of one live session, and the last picture shown."""

    def __init__(self, window: bool, keys: KeySource | None, blank: tuple[int, int]) -> None:
        """`window`: show one if a display can; `keys` replaces the terminal as the source of
        key presses; `blank`: (width, height) of the picture shown before any frame."""
        self.window = window
        self.keys = keys
        self.blank = blank
        self.image: np.ndarray | None = None  # the last frame's picture

    @property
    def can_key(self) -> bool:
        """True when the user has keys to press (a window, or the terminal)."""
        return self.window or self.keys is not None

    def open(self, stack: ExitStack) -> str | None:
        """Decide window or headless, and read keys from the terminal when it is ours; the
        terminal's settings come back when `stack` closes. Returns why there is no window
        when one was wanted."""
        problem = None
        if self.window:
            problem = display_problem()
            if problem is not None:
                self.window = False
            else:
                stack.callback(cv2.destroyAllWindows)
        if self.keys is None:
            terminal = TerminalKeys.open()
            if terminal is not None:
                stack.callback(terminal.close)
                self.keys = terminal
        return problem

    def read_key(self, image: np.ndarray, wait_s: float) -> int:
        """Show `image` (with a window) and return a key pressed within `wait_s` seconds."""
        if self.window:
            key = show(image, wait_ms=max(1, round(wait_s * 1000)))
            if key is not None and key >= 0:
                return key
            wait_s = 0.0  # the window has waited
        if self.keys is not None:
            return self.keys.read(wait_s)
        time.sleep(wait_s)
        return NO_KEY

    def message(self, text: str) -> np.ndarray:
        """The last picture, dimmed, with one instruction: for pauses and a lost camera."""
        if self.image is None:
            base = np.zeros((self.blank[1], self.blank[0], 3), np.uint8)
        else:
            base = (self.image // 3).astype(np.uint8)
        return draw_caption(draw_status(base, "paused"), text)
