"""Command line: the parser, and dispatch to the subcommand's module (imported only when that
command runs, so `--help`, `--version`, `config` and `stretches` never load the model stack).
Exit codes: 0 ok, 2 a user-fixable problem (one line on stderr), 1 an internal bug, 130 stopped
with Ctrl+C before the end (one line saying what was kept; `posture run`, which is stopped
that way as a matter of course, ends with 0)."""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from datetime import date
from typing import NoReturn

from posture import __version__
from posture.core.calibration import CALIBRATION_SECONDS
from posture.core.errors import Interrupted, UserError
from posture.core.stretches import MAX_HOLD_S, MAX_REPS
from posture.io.console import say

MAX_DAYS = 366  # posture report --days: at most a year
INTERRUPTED = 130  # the exit code of a command stopped with Ctrl+C (128 + SIGINT)


def _finite(text: str) -> float:
    """A finite number from the command line (nan and inf are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not allowed: give a finite number")
    return value


def positive(text: str) -> float:
    """An argparse type: a finite number above zero."""
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not allowed: give a number above 0")
    return value


def at_least_zero(text: str) -> float:
    """An argparse type: a finite number, 0 or more."""
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not allowed: give a number of 0 or more")
    return value


def hold_seconds(text: str) -> float:
    """An argparse type: a hold in seconds, above 0 and at most MAX_HOLD_S."""
    value = _finite(text)
    if not 0 < value <= MAX_HOLD_S:
        raise argparse.ArgumentTypeError(
            f"{text} is not allowed: give seconds above 0 and at most {MAX_HOLD_S:g}")
    return value


def rep_count(text: str) -> int:
    """An argparse type: a whole number of reps, 1 to MAX_REPS."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed: give a whole number of reps from 1 to {MAX_REPS}") from None
    if not 1 <= value <= MAX_REPS:
        raise argparse.ArgumentTypeError(
            f"{text} is not allowed: give a whole number of reps from 1 to {MAX_REPS}")
    return value


def day(text: str) -> date:
    """An argparse type: a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: give it as YYYY-MM-DD, e.g. 2024-05-01") from None


def whole_days(text: str) -> int:
    """An argparse type: a number of days, 1 to MAX_DAYS."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{text} is not allowed: give 1 to {MAX_DAYS} days")
    return value


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the problem and where to read how to fix it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"posture: error: {message} (see: {self.prog} --help)\n")


def _run_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="the live monitor: watch your posture while you work")
    p.add_argument("--source", help="camera index (default 0, or the settings file's), or a "
                   "video, image or folder of images played at its own speed")
    p.add_argument("--profile", help="calibration profile name or .json path (default: at a "
                   "camera, the one made for its set-up, by the guided calibration when there "
                   "is none yet; a file without --profile is calibrated on its first seconds "
                   "for that run only)")
    p.add_argument("--no-window", action="store_true", help="run headless: console status, "
                   "voice and desktop notifications")
    p.add_argument("--mute", action="store_true", help="start with spoken prompts muted")
    p.add_argument("--fps", type=positive, help="frames per second to sample (default: adaptive, "
                   "faster while posture changes or is bad: the settings' fps_* rates, see "
                   "posture config)")
    p.add_argument("--speed", type=positive, default=1.0, help="play a file this many times "
                   "faster than real time (demos and tests)")
    p.add_argument("--record", action="store_true", help="keep a file's run in the history "
                   "(a camera's always is; a file's is a demo otherwise)")


def _analyze_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="run the monitoring pipeline over a video, image or folder")
    p.add_argument("source", help="video file, image, folder of images, or camera index")
    p.add_argument("--profile", help="calibration profile name or .json path (default: none, "
                   "population defaults)")
    p.add_argument("--fps", type=positive, help="process at most N frames per second of source "
                   "time (default: the live monitor's adaptive rates)")
    p.add_argument("--jsonl", metavar="OUT", help="write one JSON object per frame to OUT (- for "
                   "stdout)")
    p.add_argument("--speak-to", metavar="DIR", help="write each prompt it would speak as a WAV "
                   "file in DIR")
    p.add_argument("--annotate", metavar="OUT.mp4", help="write the video with the overlay drawn "
                   "on every processed frame")


def _calibrate_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="record how you sit when you sit well")
    p.add_argument("--source", default="0", help="camera index (default 0), video, image or folder")
    p.add_argument("--profile", help="profile name or .json path (default: default)")
    p.add_argument("--start", type=at_least_zero, default=0.0,
                   help="seconds into the source to start")
    p.add_argument("--seconds", type=positive, help=f"seconds to record (default "
                   f"{CALIBRATION_SECONDS:g} for camera and video, all of an image folder)")
    p.add_argument("--fps", type=positive, help="process at most N frames per second")
    p.add_argument("--slouch-source", help="a recording of your usual slouch, to set "
                   "thresholds between the two")
    p.add_argument("--with-slouch", action="store_true", help="from a camera: also record "
                   "your usual slouch")
    p.add_argument("--restore", metavar="NAME", help="bring back the profile NAME had before it "
                   "was recalibrated or deleted (the current one becomes the previous)")


def _stretches_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stretches", help="list the stretches, or show one in full",
        description="List the stretch library, or show one stretch with its steps. "
        "Not medical advice.")
    p.add_argument("id", nargs="?", metavar="ID", help="a stretch id from the list")
    p.add_argument("--json", action="store_true", help="print JSON with every field")


def _stretch_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stretch",
        help="lead one stretch: speak the steps, check the position, count holds and reps",
        description="Lead one stretch from the library (see: posture stretches). Stretches a "
        "front camera can see are checked from the pose and the count pauses while you are out "
        "of position; the others are timed only. Not medical advice.")
    p.add_argument("id", metavar="ID", help="a stretch id from: posture stretches")
    p.add_argument("--source", default="0", help="camera index (default 0), or a video, image "
                   "or folder (runs without questions, as fast as it can, and ends with the file)")
    p.add_argument("--profile", help="calibration profile name or .json path: its relaxed "
                   "head is the neck side bend's reference (default: level, facing the camera)")
    p.add_argument("--jsonl", metavar="OUT",
                   help="write one JSON object per frame to OUT (- for stdout)")
    p.add_argument("--mute", action="store_true", help="print the prompts, speak nothing")
    p.add_argument("--speak-to", metavar="DIR",
                   help="write each spoken prompt to DIR as a WAV file instead of playing it")
    p.add_argument("--mirrored", action="store_true", help="the camera shows a mirror image "
                   "(selfie view): swap the sides it names")
    p.add_argument("--hold", type=hold_seconds, metavar="S", help="your own prescription: count "
                   f"each hold for S seconds (above 0, at most {MAX_HOLD_S:g}; default: the "
                   "guide's minimum)")
    p.add_argument("--reps", type=rep_count, metavar="N", help="your own prescription: N reps, "
                   f"per side for a stretch done on each side (1 to {MAX_REPS}; default: the "
                   "guide's)")


def _report_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="your posture over the last week (or N days, or one day): time "
        "monitored, good share, prompts, stretches; charts, a page or a CSV",
        description="Report days from the history: time monitored, share of good posture, "
        "longest good streak, prompts, stretches done and breaks. A week ending today by "
        "default; --day DATE alone is that day in detail.")
    span = p.add_mutually_exclusive_group()
    span.add_argument("--days", type=whole_days, metavar="N",
                      help="the N days ending with --day (default 7)")
    span.add_argument("--week", action="store_true", help="the 7 days ending with --day")
    p.add_argument("--day", type=day, default=None, metavar="DATE",
                   help="the day as YYYY-MM-DD (default: today): alone, that day in detail; "
                   "with --days or --week, the last day of the span")
    p.add_argument("--out", metavar="FILE", help="also write the charts: FILE.png, or "
                   "FILE.html for a self-contained page with the numbers and the charts")
    p.add_argument("--csv", metavar="FILE", help="also write the per-minute history of the "
                   "days as CSV")
    p.add_argument("--json", action="store_true", help='print the numbers as JSON: {"days": '
                   "[one object per day, oldest first]}")


def _config_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "config", help="show the effective settings and the settings file's path",
        description="Print the effective settings (defaults overridden by the settings file) "
        "and where the file is. Command-line flags of other commands override these.")
    p.add_argument("--json", action="store_true", help="print JSON instead of TOML")
    p.add_argument("--init", action="store_true",
                   help="write a commented default settings file if there is none")


def _profiles_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "profiles", help="list, rename or delete the calibration profiles (one per desk set-up)",
        description="List the saved calibration profiles: name, date, view and the camera "
        "set-up or file each was made from. A deleted profile is kept as NAME.previous.json: "
        "posture calibrate --restore NAME brings it back.")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    actions = p.add_subparsers(dest="action", metavar="{rename,delete}")
    rename = actions.add_parser("rename", help="rename a profile (with its previous version)")
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    delete = actions.add_parser("delete", help="delete a profile (kept as NAME.previous.json)")
    delete.add_argument("name", metavar="NAME")


def _control_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="what the running monitor sees now")
    p.add_argument("--json", action="store_true", help="print JSON: state, score, paused "
                   "(false, or reason, until, detail), tray and more")
    p = sub.add_parser("pause", help="pause the running monitor (the camera is released)")
    p.add_argument("duration", nargs="?", metavar="DURATION", help="how long: e.g. 10m, 1h, "
                   "1h30m, or tomorrow (when work next starts, by the [schedule] settings, "
                   "else 8:00); default: until posture resume")
    sub.add_parser("resume", help="resume the running monitor after posture pause")
    sub.add_parser("show", help="show the running monitor's camera window")
    sub.add_parser("quit", help="stop the running monitor (its session is saved)")


def _autostart_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("autostart", help="start posture run when you log in: on, off or status")
    p.add_argument("state", choices=("on", "off", "status"), help="on: add the login entry; "
                   "off: remove it; status: say whether it is there")


def _doctor_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("doctor", help="check camera, model, speech, display, desktop notifications "
                   "and data folders, and say how to fix what does not work")


# Each subcommand: its parser, and the module under posture.app.commands that runs it.
COMMANDS = {"run": _run_parser, "analyze": _analyze_parser, "calibrate": _calibrate_parser,
            "stretches": _stretches_parser, "stretch": _stretch_parser,
            "report": _report_parser, "config": _config_parser, "profiles": _profiles_parser,
            "doctor": _doctor_parser, "status": _control_parsers, "autostart": _autostart_parser}
# Subcommands run by a module of another name (the control commands share one).
MODULES = {"status": "control", "pause": "control", "resume": "control", "show": "control",
           "quit": "control"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = Parser(
        prog="posture",
        description="Webcam posture monitor: measures slouching against your calibration.")
    parser.add_argument("--version", action="version", version=f"posture {__version__}")
    sub = parser.add_subparsers(dest="command")  # main() says what is missing or unknown
    for add in COMMANDS.values():
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a subcommand and map failures to exit codes."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # named before a missing command, with the help that lists what is allowed
        where = f"posture {args.command}" if args.command else "posture"
        parser.exit(2, f"posture: error: unrecognized arguments: {' '.join(unknown)} "
                       f"(see: {where} --help)\n")
    if args.command is None:
        parser.error("give a command, such as run")
    try:
        module = MODULES.get(args.command, args.command)
        command = importlib.import_module(f"posture.app.commands.{module}")
        return int(command.run(args) or 0)
    except UserError as exc:
        say(f"error: {exc}")
        return 2
    except Interrupted as exc:
        say(f"stopped: {exc}")
        return INTERRUPTED
    except KeyboardInterrupt:
        say("stopped")
        return INTERRUPTED
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
