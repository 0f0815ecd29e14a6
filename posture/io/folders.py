"""Folders this process made, so a `posture run` that fails leaves none of them behind.

`create_noted` creates a folder and its missing parents and notes each one it made
itself; `made_and_tidied` removes, after a failure inside it, those noted meanwhile that are
still empty. A folder that existed before, or that holds anything (user data, another instance's
lock), is never removed: rmdir refuses a folder that is not empty. Standard library only, as
the control client that uses it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

_made: list[Path] = []  # folders made by this process, each after its parent


def create_noted(path: Path, mode: int = 0o777) -> None:
    """Create `path` (with `mode`) and its missing parents, as mkdir(parents=True,
    exist_ok=True) does, noting the folders made here; OSError as mkdir raises it."""
    missing = []
    folder = path
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=mode if folder == path else 0o777)
        except FileExistsError:  # made by another process meanwhile: not ours to remove
            continue
        _made.append(folder)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))


@contextlib.contextmanager
def made_and_tidied() -> Iterator[None]:
    """Run the body; when it fails (an exception, Ctrl+C), remove the folders it made that are
    still empty, innermost first, before the failure goes on."""
    first = len(_made)
    try:
        yield
    except BaseException:
        for folder in reversed(_made[first:]):
            with contextlib.suppress(OSError):  # not empty, or gone: kept as it is
                folder.rmdir()
        del _made[first:]
        raise
