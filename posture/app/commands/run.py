"""`posture run`: the live monitor (camera by default, or a file played at its own speed), in
the tray, in a window or headless (see posture.app.live.start)."""

from __future__ import annotations

import argparse
from pathlib import Path

from posture.app.live.monitor import Options
from posture.app.live.start import run_live
from posture.io.folders import made_and_tidied
from posture.io.history import HISTORY, default_path
from posture.io.outputs import check_outputs
from posture.io.paths import is_camera, refuse_folder
from posture.io.profiles import profile_path
from posture.io.settings import BY_SETUP, apply_overrides, load_settings


def run(args: argparse.Namespace) -> int:
    """Monitor with the settings file's options, the command line's flags overriding them.

    A camera's run uses the profile made for its set-up (unless --profile, or the settings'
    monitor.profile, names one) and is recorded in the history. A file's run is a demo or a
    test, not the user's work: it is recorded only with --record, and without --profile it
    calibrates on the file for that run alone, so it never replaces the user's own profile.
    A run that fails (bad input, no camera) takes away the empty folders and the lock file it
    made.
    """
    with made_and_tidied():
        config = apply_overrides(
            load_settings(), mute=True if args.mute else None, camera=args.source,
            fps=args.fps, window=False if args.no_window else None)
        camera = is_camera(config.monitor.camera)
        profile, by_setup = run_profile(args.profile, config.monitor.profile, camera)
        check_outputs([config.monitor.camera], profile=profile)
        options = Options(source=config.monitor.camera, profile_path=profile, speed=args.speed,
                          record=camera or args.record, profile_by_setup=by_setup)
        if options.record:  # said before anything plays, not after a calibration or a whole run
            refuse_folder(default_path(), HISTORY)
        return run_live(config, options)


def run_profile(flag: str | None, setting: str, camera: bool) -> tuple[Path | None, bool]:
    """The profile a run uses, and whether it is instead the one made for the camera's set-up
    (chosen once the camera answers): --profile always; at a camera, the settings' profile
    when it names one, else by set-up; a file's run without --profile uses none."""
    if flag is not None:
        return profile_path(flag), False
    if not camera:
        return None, False
    if setting == BY_SETUP:
        return None, True
    return profile_path(setting), False
