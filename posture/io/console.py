"""Talking to the user on the console: prefixed lines on stderr, and the live status line."""

from __future__ import annotations

import shutil
import sys
import threading
from typing import TextIO

CLEAR = "\r\033[K"  # back to the start of the terminal line and erase it


def say(text: str) -> None:
    """A message for the user, on stderr so it never mixes with JSON on stdout."""
    print(f"posture: {text}", file=sys.stderr, flush=True)


class Console:
    """The live monitor's console: message lines, and one status line kept up to date.

    On a terminal the status is rewritten in place; elsewhere (a log file, a pipe) it is
    printed only when its state changes, not at every new score. Thread-safe, so a line from
    the voice worker never cuts into the status.
    """

    def __init__(self, out: TextIO | None = None) -> None:
        """`out`: where to write; by default whatever sys.stderr is at each write (while
        posture.io.quiet silences file descriptor 2, it points at the terminal still)."""
        self._out = out
        try:
            self.tty = self.out.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self._lock = threading.Lock()
        self._status = ""  # the status line on screen (terminal only)
        self._state: str | None = None  # the state last printed (not a terminal)

    @property
    def out(self) -> TextIO:
        """The stream written to now."""
        return self._out if self._out is not None else sys.stderr

    def say(self, text: str) -> None:
        """One message line, above the status line."""
        with self._lock:
            back = "\r" if self._status else ""
            self.out.write(f"{CLEAR if self._status else ''}posture: {text}\n{self._status}{back}")
            self.out.flush()

    def status(self, text: str, state: str) -> None:
        """Show the status `text`; off a terminal only when `state` differs from the last."""
        with self._lock:
            if self.tty:
                width = shutil.get_terminal_size().columns - 1
                line = f"posture: {text}"[:max(20, width)]
                if line != self._status:
                    self._status = line
                    # The cursor waits at the line's start: a line printed by other code
                    # (a library's warning) starts at the left edge, not after the status.
                    self.out.write(f"{CLEAR}{line}\r")
                    self.out.flush()
            elif state != self._state:
                self._state = state
                self.out.write(f"posture: {text}\n")
                self.out.flush()

    def close(self) -> None:
        """End the status line, so what follows starts on a line of its own."""
        with self._lock:
            if self._status:
                self.out.write("\n")
                self.out.flush()
                self._status = ""
