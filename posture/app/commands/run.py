"""`posture run`: the live monitor (camera by default, or a file played at its own speed), in
the tray, in a window or headless (see posture.app.live.start)."""

from __future__ import annotations

import argparse

from posture.app.live.monitor import Options
from posture.app.live.start import run_live
from posture.io.profiles import profile_path
from posture.io.settings import apply_overrides, load_settings


def run(args: argparse.Namespace) -> int:
    """Monitor with the settings file's options, the command line's flags overriding them."""
    config = apply_overrides(
        load_settings(), mute=True if args.mute else None, profile=args.profile,
        camera=args.source, fps=args.fps, window=False if args.no_window else None)
    options = Options(source=config.monitor.camera,
                      profile_path=profile_path(config.monitor.profile), speed=args.speed)
    return run_live(config, options)
