"""Talking to the user on the console: one prefixed line on stderr, output files opened safely."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from posture.errors import UserError


def say(text: str) -> None:
    """A message for the user, on stderr so it never mixes with JSON on stdout."""
    print(f"posture: {text}", file=sys.stderr, flush=True)


def open_output(path: Path) -> TextIO:
    """Open an output file for writing, with a clear error when that is impossible."""
    try:
        return path.open("w")
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror}): choose another path") from None


def jsonl_output(spec: str | None, stack: ExitStack) -> TextIO | None:
    """Where --jsonl lines go: nowhere, stdout for '-', else a file closed with `stack`."""
    if spec == "-":
        return sys.stdout
    return stack.enter_context(open_output(Path(spec))) if spec else None


def summary_stream(jsonl: str | None) -> TextIO:
    """The end-of-run summary goes to stderr when the JSON Lines take stdout."""
    return sys.stderr if jsonl == "-" else sys.stdout
