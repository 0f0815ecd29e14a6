"""`posture calibrate`: record good posture (and optionally a slouch) into a profile."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace

from posture.core.calibration import (
    CALIBRATION_SECONDS,
    Recording,
    build_profile,
    caught,
    unsteady,
    usable,
)
from posture.core.errors import Interrupted, UserError
from posture.core.profile import recorded_at
from posture.core.protocol import Protocol, ThrottledFeedback
from posture.io.camera_names import camera_setup
from posture.io.console import say
from posture.io.outputs import check_outputs
from posture.io.paths import is_camera
from posture.io.profile_store import profile_for_camera
from posture.io.profiles import previous_path, profile_path, restore_profile, save_profile
from posture.io.protocol import load_protocol
from posture.io.settings import load_settings


def run(args: argparse.Namespace) -> int:
    """Record from the source (at a camera: telling the user what to fix), build the profile
    and save it, keeping the one it replaces; or, with --restore, bring that one back."""
    if args.restore is not None:
        return restore(args.restore)
    live = is_camera(args.source)
    if not live and args.profile is None:  # a demo clip must never replace a camera's profile
        raise UserError("calibrating from a file needs a profile of its own, so the profile "
                        "your camera uses is not replaced: add --profile NAME")
    # At a camera without --profile, the profile is the one for this set-up (known once frames
    # have come: the capture size is the camera's answer to what was asked).
    path = profile_path(args.profile) if args.profile is not None else None
    check_outputs([args.source, args.slouch_source], profile=path)
    protocol = load_protocol()
    try:
        good, slouch, where = record(args, protocol)
    except KeyboardInterrupt:
        kept = ("no profile is changed" if path is None else
                f"the profile {path} {'is not changed' if path.exists() else 'was not made'}")
        raise Interrupted(f"calibration not finished: {kept}") from None
    profile = replace(build_profile(good, slouch, feedback=protocol.feedback), source=where)
    if live:
        profile = replace(profile, setup=camera_setup(int(args.source), profile.frame_size))
        path = path or profile_for_camera(profile.setup)[0]
    kept = save_profile(profile, path)
    if slouch is not None and not profile.thresholds:
        say("the slouch recording looks much like the good one, so the thresholds stay at "
            "their defaults: record a clearer slouch to tune them" if caught(profile, slouch) < 0.5
            else "the slouch recording is caught at the default thresholds, which stay as they "
            "are (only a deep slouch raises them)")
    tuned = ", ".join(f"{k} {v:g}" for k, v in profile.thresholds.items()) or "defaults"
    say(f"saved profile {path} (view {profile.view}, {profile.frames} frames, "
        f"thresholds: {tuned})")
    if kept is not None:
        say(f"the profile it replaced is kept as {kept.name}: posture calibrate --restore "
            f"{args.profile or path.stem} brings it back")
    if unsteady(good):
        say(f"note: {usable(good, protocol.feedback)} If prompts seem off, calibrate again.")
    return 0


def record(args: argparse.Namespace, protocol: Protocol
           ) -> tuple[Recording, Recording | None, str]:
    """The recordings of good posture and (when asked for) of the user's slouch, and where the
    good one was recorded (Profile.source)."""
    # The model stack loads here, not with the module: --restore needs none of it.
    from posture.app.driver import calibration_frames
    from posture.io.sources import open_source

    live = is_camera(args.source)
    m = load_settings().monitor
    size = (m.capture_width, m.capture_height)  # as `posture run` captures: one resolution
    with open_source(args.source, fps=args.fps, size=size) as source:
        seconds = args.seconds
        if seconds is None and source.kind in ("camera", "video"):
            seconds = CALIBRATION_SECONDS
        if live:
            say("calibration: sit the way you want to sit: back against the chair, shoulders "
                "relaxed, head level, looking at the screen. Stay still.")
            wait_for_enter("posture: press Enter when you are ready... ")
        feedback = ThrottledFeedback(protocol)

        def tell(elapsed: float, reason: str | None) -> None:
            """At a camera: what to fix, now and then, not at every frame."""
            text = feedback.due(elapsed, reason)
            if text is not None:
                say(text)

        good = calibration_frames(source, args.start, seconds, on_frame=tell if live else None)
        where = recorded_at(os.path.abspath(source.name), source.is_camera)  # any folder
    slouch = None
    if args.slouch_source:
        with open_source(args.slouch_source, fps=args.fps) as source:
            slouch = calibration_frames(source, 0.0, None)
    elif live and args.with_slouch:
        say("now slouch the way you usually do, and hold it.")
        wait_for_enter("posture: press Enter when you are slouching... ")
        with open_source(args.source, fps=args.fps, size=size) as source:
            slouch = calibration_frames(source, 0.0, CALIBRATION_SECONDS)
    return good, slouch, where


def restore(name: str) -> int:
    """Swap a profile with the version kept before it was recalibrated or deleted."""
    path = profile_path(name)
    swapped = restore_profile(path)
    then = (f"; the one it replaced is now {previous_path(path).name} (run this again to undo)"
            if swapped else "")
    say(f"restored profile {path}{then}")
    return 0


def wait_for_enter(prompt: str) -> None:
    """Wait until the user presses Enter; go straight on when nobody can (no terminal input)."""
    if not sys.stdin.isatty():
        return
    try:
        input(prompt)
    except EOFError:
        print(file=sys.stderr)
