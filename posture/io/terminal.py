"""Single key presses from the terminal without Enter and without blocking, for headless runs.

The terminal is put in cbreak mode (keys arrive one by one, not echoed) only while the
program runs in the foreground of an interactive terminal, and its settings are restored on
close, which the monitor reaches on quit, Ctrl+C and SIGTERM alike.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from typing import Protocol, TextIO

try:
    import termios
    import tty
except ImportError:  # pragma: no cover - Windows has no termios: no terminal keys there
    termios = tty = None  # type: ignore[assignment]

NO_KEY = -1  # what read() returns when no key was pressed, as cv2.waitKey does


class KeySource(Protocol):
    """Where key presses come from (the terminal; a script in tests)."""

    def read(self, timeout: float) -> int:
        """The next key pressed within `timeout` seconds, or NO_KEY."""
        ...


class TerminalKeys:
    """Keys typed in the controlling terminal, as key codes like cv2.waitKey's."""

    def __init__(self, stream: TextIO) -> None:
        assert termios is not None and tty is not None
        self.fd = stream.fileno()
        self._saved = termios.tcgetattr(self.fd)
        self._ended = False  # the terminal hung up: nothing more will come
        tty.setcbreak(self.fd, termios.TCSANOW)

    @staticmethod
    def open(stream: TextIO | None = None) -> TerminalKeys | None:
        """Keys from `stream` (default stdin) when it is the foreground terminal, else None."""
        stream = sys.stdin if stream is None else stream
        try:
            usable = (termios is not None and stream is not None and stream.isatty()
                      and os.tcgetpgrp(stream.fileno()) == os.getpgrp())
            return TerminalKeys(stream) if usable else None
        except (OSError, ValueError):  # closed or detached stdin, or a terminal we cannot set
            return None

    def read(self, timeout: float) -> int:
        """The next key typed within `timeout` seconds, or NO_KEY."""
        ready = [] if self._ended else select.select([self.fd], [], [], max(0.0, timeout))[0]
        if not ready:
            if self._ended:
                time.sleep(max(0.0, timeout))
            return NO_KEY
        try:
            data = os.read(self.fd, 1)
        except OSError:  # the terminal went away
            data = b""
        self._ended = not data
        return data[0] if data else NO_KEY

    def close(self) -> None:
        """Give the terminal its settings back."""
        assert termios is not None
        with contextlib.suppress(termios.error):  # a terminal gone needs no restoring
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
