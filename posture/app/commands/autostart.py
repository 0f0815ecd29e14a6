"""`posture autostart on|off|status`: start the monitor when you log in, or stop doing so."""

from __future__ import annotations

import argparse
import os

from posture.core.errors import UserError
from posture.io.autostart import (
    current_platform,
    entry_content,
    entry_path,
    home_dir,
    installed_command,
)


def run(args: argparse.Namespace) -> int:
    """Write, remove or report this platform's login entry."""
    platform = current_platform()
    path = entry_path(platform, home_dir(), dict(os.environ))
    if args.state == "status":
        print(f"on: {path}" if path.exists() else "off")
        return 0
    if args.state == "off":
        if path.exists():
            path.unlink()
            print(f"off: removed {path}")
        else:
            print("off (it was not on)")
        return 0
    argv = [*installed_command(), "run"]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry_content(platform, argv))
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror}): check that folder's "
                        "permissions") from None
    print(f"on: {path} runs {' '.join(argv)} when you log in")
    return 0
