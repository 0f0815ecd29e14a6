"""`posture autostart on|off|status`: start the monitor when you log in, or stop doing so.

An entry at that place that is not the one posture would write (the user edited it, or wrote
it) is never lost: before it is replaced or removed it is kept in posture's settings folder as
`autostart-previous.<ext>` (`-2`, `-3`... when that name is taken), and the command says so."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from posture.core.errors import UserError
from posture.io.autostart import (
    current_platform,
    entry_content,
    entry_path,
    home_dir,
    installed_command,
    switched_off,
)
from posture.io.paths import config_dir, make_parent, next_free, refuse_folder

AGAIN = "then run posture autostart on again"


def run(args: argparse.Namespace) -> int:
    """Write, remove or report this platform's login entry."""
    platform = current_platform()
    path = entry_path(platform, home_dir(), dict(os.environ))
    argv = [*installed_command(), "run"]
    ours = entry_content(platform, argv)
    current = path.read_bytes() if path.is_file() else None
    if args.state == "status":
        if current is None:
            print("off")
        elif switched_off(platform, current):
            print(f"off: {path} is there but switched off in your desktop's startup settings "
                  "(posture autostart on turns it on)")
        else:
            print(f"on: {path}")
        return 0
    if args.state == "off":
        if current is None:
            print("off (it was not on)")
            return 0
        kept = _keep_if_not_ours(path, current, ours)
        _change(path, lambda: path.unlink())
        print(f"off: removed {path}{kept}")
        return 0
    if current == ours:
        print(f"on (it was already): {path} runs {' '.join(argv)} when you log in")
        return 0
    refuse_folder(path, "the autostart entry", f"move or rename that folder, {AGAIN}")
    make_parent(path, f"a folder you can write to is needed there: move aside what is in the "
                f"way or fix the permissions, {AGAIN}")
    kept = _keep_if_not_ours(path, current, ours) if current is not None else ""
    _change(path, lambda: path.write_bytes(ours))
    print(f"on: {path} runs {' '.join(argv)} when you log in{kept}")
    return 0


def _keep_if_not_ours(path: Path, current: bytes, ours: bytes) -> str:
    """Keep an entry posture did not write as it is (its copy in the settings folder); the
    words that say where, or "" when it was posture's own."""
    if current == ours:
        return ""
    copy = next_free(config_dir() / f"autostart-previous{path.suffix}", holding=current)
    if not copy.exists():  # an earlier copy is kept too; one holding this entry already is it
        _change(copy, lambda: copy.write_bytes(current))
    return f" (the entry there was not posture's own: kept as {copy})"


def _change(path: Path, do: Callable[[], object]) -> None:
    """Do a change to `path`; one line naming the folder when the system refuses it."""
    try:
        do()
    except OSError as exc:
        raise UserError(f"cannot change {path} ({exc.strerror}): check that folder's "
                        "permissions") from None
