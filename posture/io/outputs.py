"""Output files: the one check every command makes before it writes anything, and opening them.

An output must never destroy something: the program's own files (the history database and the
files SQLite keeps beside it, the settings file, the profiles), an input of the same command,
or another of its outputs. Paths are compared as the file system sees them: `~`, relative
paths, symbolic links and hard links all name the same file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from posture.core.errors import UserError
from posture.io.history import default_path
from posture.io.paths import config_dir, is_camera, make_parent, profiles_dir
from posture.io.settings import FILE_NAME

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")  # what SQLite keeps beside a database


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (existing or not yet)."""
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def own_files() -> list[tuple[Path, str]]:
    """The program's own files (existing or not yet), each with what it is, in words."""
    db = default_path()
    files = [(db, "the history database")]
    files += [(db.with_name(db.name + side), "a file of the history database")
              for side in SQLITE_SIDE_FILES]
    files.append((config_dir(create=False) / FILE_NAME, "the settings file"))
    return files


def _is_profile(path: Path) -> bool:
    """Whether `path` is (or would be) a named profile in the profiles folder."""
    return path.name.endswith(".json") and _same(path.parent, profiles_dir())


def check_outputs(inputs: Iterable[str | Path | None], **outputs: str | Path | None) -> None:
    """UserError (one line; nothing has been touched yet) when an output, given as a keyword
    named after its flag, is one of the program's own files, one of the `inputs` (sources as
    the command reads them, where a number is a camera; profiles read), or another output.

    The `profile` output is the profile a command saves: replacing a profile is its purpose,
    anything else is refused as for every output.
    """
    for flag, out in outputs.items():
        if out is not None and not str(out).strip():
            raise UserError(f"--{flag.replace('_', '-')} is empty: give a file name")
    sources = [Path(i).expanduser() for i in map(str, filter(None, inputs)) if not is_camera(i)]
    named = [(flag, Path(out).expanduser()) for flag, out in outputs.items()
             if out and out != "-"]
    own = own_files()
    for k, (flag, target) in enumerate(named):
        option = f"--{flag.replace('_', '-')} {target}"
        what = next((what for path, what in own if _same(target, path)), None)
        if what is None and flag != "profile" and _is_profile(target):
            what = "a calibration profile"
        if what is not None:
            raise UserError(f"{option} is {what}, and writing it would destroy it: choose "
                            "another path")
        if any(_same(target, source) for source in sources):
            raise UserError(f"{option} is the input file, and writing it would destroy it: "
                            "choose another path")
        other = next((f for f, path in named[:k] if _same(target, path)), None)
        if other is not None:
            raise UserError(f"{option} is also given to --{other.replace('_', '-')}: one file "
                            "cannot hold both: choose another path for one of them")


def open_output(path: Path) -> TextIO:
    """Open an output file for writing (making its folders), with a clear error when that is
    impossible."""
    try:
        return make_parent(path).open("w")
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror}): choose another path") from None


def jsonl_output(spec: str | None, stack: ExitStack) -> TextIO | None:
    """Where --jsonl lines go: nowhere, stdout for '-', else a file closed with `stack`."""
    if spec == "-":
        return sys.stdout
    return stack.enter_context(open_output(Path(spec))) if spec else None


def jsonl_kept(spec: str | None, written: int) -> str:
    """What --jsonl holds after an interrupted run, in words ("" without --jsonl): the lines
    in its file, or the `written` count for stdout."""
    if not spec:
        return ""
    if spec == "-":
        return f"{written} frames written to stdout"
    with Path(spec).open() as lines:
        return f"{sum(1 for _ in lines)} frames written to {spec}"


def summary_stream(jsonl: str | None) -> TextIO:
    """The end-of-run summary goes to stderr when the JSON Lines take stdout."""
    return sys.stderr if jsonl == "-" else sys.stdout
