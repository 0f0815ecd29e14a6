"""Talking to the user on the console: prefixed lines on stderr, the live status line, output
files opened safely."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from posture.core.errors import UserError

CLEAR = "\r\033[K"  # back to the start of the terminal line and erase it


def say(text: str) -> None:
    """A message for the user, on stderr so it never mixes with JSON on stdout."""
    print(f"posture: {text}", file=sys.stderr, flush=True)


def open_output(path: Path) -> TextIO:
    """Open an output file for writing, with a clear error when that is impossible."""
    try:
        return path.open("w")
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror}): choose another path") from None


def check_outputs(inputs: Iterable[str | Path | None], **outputs: str | Path | None) -> None:
    """UserError when an output file (keyword: its flag's name) is one of the input files (a
    recording, a profile), under any name: opening it for writing would destroy it unread.

    Inputs are named as the sources read them (`~` expanded, a number is a camera); outputs
    as they are opened."""
    sources = [Path(i).expanduser() for i in map(str, filter(None, inputs)) if not i.isdigit()]
    sources = [s for s in sources if s.is_file()]
    for flag, out in outputs.items():
        target = Path(out) if out and out != "-" else None
        if target is not None and target.exists() and any(os.path.samefile(target, s)
                                                          for s in sources):
            raise UserError(f"--{flag.replace('_', '-')} {out} is the input file, and writing "
                            "it would destroy it: choose another path")


def jsonl_output(spec: str | None, stack: ExitStack) -> TextIO | None:
    """Where --jsonl lines go: nowhere, stdout for '-', else a file closed with `stack`."""
    if spec == "-":
        return sys.stdout
    return stack.enter_context(open_output(Path(spec))) if spec else None


def summary_stream(jsonl: str | None) -> TextIO:
    """The end-of-run summary goes to stderr when the JSON Lines take stdout."""
    return sys.stderr if jsonl == "-" else sys.stdout


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
