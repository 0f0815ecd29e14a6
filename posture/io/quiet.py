"""Keep native libraries' log lines (MediaPipe, FFmpeg inside OpenCV) out of the terminal,
without losing the program's own messages, from any thread, meanwhile."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from typing import TextIO


@functools.cache
def _terminal() -> TextIO | None:
    """A stream on a copy of the process's original stderr (None when there is none)."""
    try:
        return os.fdopen(os.dup(2), "w", buffering=1, encoding=sys.__stderr__.encoding
                         if sys.__stderr__ else None, errors="backslashreplace")
    except OSError:
        return None


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (native library logging) for the duration of the block.

    Python code that writes to sys.stderr meanwhile (another thread's warning, say) still
    reaches the terminal: sys.stderr points at a copy of the original descriptor until the
    block ends. A sys.stderr replaced by the caller (pytest's capsys) is left alone.
    """
    terminal = _terminal()
    if terminal is None:  # no stderr at all: nothing to silence
        yield
        return
    swap = _on_fd2(sys.stderr)
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    previous = sys.stderr
    try:
        if swap:
            sys.stderr = terminal
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
        if swap:
            sys.stderr = previous


def _on_fd2(stream: TextIO | None) -> bool:
    """True when `stream` writes to file descriptor 2."""
    try:
        return stream is not None and stream.fileno() == 2
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is an OSError
        return False
