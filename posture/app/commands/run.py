"""`posture run`: the live monitor (camera by default, or a file played at its own speed)."""

from __future__ import annotations

import argparse

from posture.app.live.monitor import LiveMonitor, Options
from posture.io.outputs import check_outputs
from posture.io.paths import is_camera
from posture.io.profiles import profile_path
from posture.io.settings import apply_overrides, load_settings


def run(args: argparse.Namespace) -> int:
    """Monitor with the settings file's options, the command line's flags overriding them.

    A camera's run uses the profile (the default one unless --profile) and is recorded in the
    history. A file's run is a demo or a test, not the user's work: it is recorded only with
    --record, and without --profile it calibrates on the file for that run alone, so it never
    replaces the user's own profile.
    """
    config = apply_overrides(
        load_settings(), mute=True if args.mute else None, profile=args.profile,
        camera=args.source, fps=args.fps, window=False if args.no_window else None)
    camera = is_camera(config.monitor.camera)
    profile = (profile_path(config.monitor.profile) if camera or args.profile is not None
               else None)
    check_outputs([config.monitor.camera], profile=profile)
    options = Options(source=config.monitor.camera, profile_path=profile, speed=args.speed,
                      record=camera or args.record)
    return LiveMonitor(config, options).run()
