"""Command line: subcommands, exit codes (0 ok, 2 user-fixable problem, 1 internal bug)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import cv2
import numpy as np

from posture import __version__, doctor, guide, report, settings, stretches
from posture.alerts import AlertSettings
from posture.calibration import (
    Profile,
    Recording,
    build_profile,
    load_profile,
    load_protocol,
    profile_path,
    recorded_at,
    save_profile,
    unsteady,
    usable,
)
from posture.console import check_outputs, jsonl_output, say, summary_stream
from posture.errors import UserError
from posture.live import LiveMonitor, Options
from posture.monitor import (
    CardShelf,
    FrameResult,
    Sampling,
    Summary,
    run_pipeline,
    wrong_view,
)
from posture.overlay import render
from posture.pose import PoseEstimator, to_bgr
from posture.sources import FrameSource, open_source
from posture.stretches import load_library

CALIBRATION_SECONDS = 5.0  # default length of a calibration recording from a camera or video


class Progress:
    """A one-line progress bar on stderr for long files, by source time (the adaptive sampling
    makes the number of frames unknowable ahead), silent when stderr is not a terminal."""

    MIN_S = 20.0  # sources shorter than this finish too soon to need a bar

    def __init__(self, duration: float | None, label: str) -> None:
        self.duration = duration
        self.label = label
        self.enabled = bool(duration and duration >= self.MIN_S and sys.stderr.isatty())
        self._shown = -1

    def update(self, t: float) -> None:
        """Redraw when the share of the source done has grown by a percent."""
        if not self.enabled:
            return
        assert self.duration
        done = min(1.0, t / self.duration)
        if int(100 * done) > self._shown:
            self._shown = int(100 * done)
            bar = "#" * int(30 * done) + "-" * (30 - int(30 * done))
            sys.stderr.write(f"\r{self.label} [{bar}] {t:.0f}/{self.duration:.0f} s")
            sys.stderr.flush()

    def close(self) -> None:
        """Fill the bar and end its line."""
        if self.enabled:
            assert self.duration
            self._shown = -1
            self.update(self.duration)
            sys.stderr.write("\n")


class AnnotatedVideo:
    """Writes every processed frame, with the overlay drawn on, to a video file."""

    SUFFIXES = (".mp4", ".m4v", ".mov", ".avi", ".mkv")  # containers OpenCV writes mp4v into

    @classmethod
    def check_path(cls, path: Path) -> None:
        """UserError, before any work is done, when the video cannot be written at `path`."""
        if path.suffix.lower() not in cls.SUFFIXES or path.is_dir():
            raise UserError(f"cannot write the video {path}: give a file path ending in "
                            f"{', '.join(cls.SUFFIXES)}")
        if not path.resolve().parent.is_dir():
            raise UserError(f"cannot write the video {path}: its folder does not exist; "
                            "choose a path in an existing folder")

    def __init__(self, path: Path, fps: float, profile: Profile, alerts: AlertSettings) -> None:
        self.path = path
        self.fps = fps
        self.profile = profile
        self.threshold = alerts.score_threshold  # the state colours follow the alert policy
        self.cards = CardShelf(load_library(), alerts.card_s)
        self._writer: cv2.VideoWriter | None = None
        self._last: np.ndarray | None = None  # the previous drawn frame
        self._written = 0

    def write(self, image: np.ndarray, result: FrameResult) -> None:
        """Draw the overlay on one frame and append it; frames skipped by the sampling are
        filled with the previous drawn frame, so the video keeps the source's timing."""
        drawn = render(to_bgr(image), result, self.profile, threshold=self.threshold,
                       card=self.cards.update(result))
        while self._last is not None and self._written < round(result.t * self.fps):
            assert self._writer is not None
            self._writer.write(self._last)
            self._written += 1
        self._last = drawn
        if self._writer is None:
            h, w = drawn.shape[:2]
            self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"),
                                           self.fps, (w, h))
            if not self._writer.isOpened():
                raise UserError(f"cannot write the video {self.path}: choose a writable .mp4 "
                                "path")
        self._writer.write(drawn)
        self._written += 1

    def finish(self, frames: int | None) -> None:
        """Hold the last drawn frame to the source's end (`frames` long, when known), so the
        video lasts as long as the source even when its last frames were not sampled."""
        while self._writer is not None and self._last is not None and self._written < (frames or 0):
            self._writer.write(self._last)
            self._written += 1

    def close(self) -> None:
        """Finish the file."""
        if self._writer is not None:
            self._writer.release()


def cmd_analyze(args: argparse.Namespace) -> int:
    """posture analyze: the monitoring pipeline over a file, as fast as it can, no window."""
    profile_file = profile_path(args.profile) if args.profile else None
    check_outputs([args.source, profile_file], jsonl=args.jsonl, annotate=args.annotate)
    if args.annotate:
        AnnotatedVideo.check_path(Path(args.annotate))
    profile = load_profile(profile_file) if profile_file else None
    config = settings.load_settings()
    m = config.monitor
    # Without --fps, the live monitor's adaptive sampling (so figures match `posture run`).
    sampling = None if args.fps is not None else Sampling.of(m)
    summary = Summary()
    with ExitStack() as stack:
        source = stack.enter_context(open_source(
            args.source, fps=args.fps if args.fps is not None else m.fps_active))
        out = jsonl_output(args.jsonl, stack)
        voice = (stack.enter_context(config.voice.voice(say, speak_to=Path(args.speak_to)))
                 if args.speak_to else None)
        if profile is None:
            profile = Profile.defaults()
            say("no --profile given: running uncalibrated on population defaults "
                "(calibrate with: posture calibrate --source SRC)")
        video = None
        if args.annotate:
            video = AnnotatedVideo(Path(args.annotate), source.native_fps, profile, config.alerts)
            stack.callback(video.close)
        progress = Progress(source.duration, "analyzing")
        for frame, result in run_pipeline(source, profile, config.alerts, sampling):
            summary.add(result)
            if out is not None:
                out.write(json.dumps(result.to_json()) + "\n")
            if voice is not None and result.prompt is not None:
                voice.say(result.prompt.text, key="-".join(result.prompt.problems) or "break")
            if video is not None:
                video.write(frame.image, result)
            progress.update(frame.t)
        progress.close()
        if video is not None:
            video.finish(source.count)
    print(summary.text(), file=summary_stream(args.jsonl))
    if profile.calibrated and summary.other_view and not summary.assessed:
        raise UserError(wrong_view(profile.view, summary.other_views.most_common(1)[0][0]))
    return 0


def calibration_frames(source: FrameSource, start: float, seconds: float | None,
                       on_frame: Callable[[float, str | None], None] | None = None) -> Recording:
    """Run pose estimation over the chosen stretch of a source and gate the frames."""
    rec = Recording(continuous=source.continuous)
    with PoseEstimator(video=source.continuous) as estimator:
        first_t = None
        for frame in source:
            if frame.t < start:
                continue
            first_t = frame.t if first_t is None else first_t
            if seconds is not None and frame.t - first_t >= seconds:
                break
            reason = rec.add(estimator.estimate(frame.image, frame.t), frame.t)
            if on_frame is not None:
                on_frame(frame.t - first_t, reason)
    return rec


def cmd_calibrate(args: argparse.Namespace) -> int:
    """posture calibrate: record good posture (and optionally a slouch) into a profile."""
    path = profile_path(args.profile)
    check_outputs([args.source, args.slouch_source], profile=path)
    live = str(args.source).isdigit()
    m = settings.load_settings().monitor
    size = (m.capture_width, m.capture_height)  # as `posture run` captures: one resolution
    with open_source(args.source, fps=args.fps, size=size) as source:
        seconds = args.seconds
        if seconds is None and source.kind in ("camera", "video"):
            seconds = CALIBRATION_SECONDS
        if live:
            say("calibration: sit the way you want to sit: back against the chair, shoulders "
                "relaxed, head level, looking at the screen. Stay still.")
            wait_for_enter("posture: press Enter when you are ready... ")
        good = calibration_frames(source, args.start, seconds,
                                  on_frame=LiveFeedback() if live else None)
        where = recorded_at(source.name, source.is_camera)
    slouch = None
    if args.slouch_source:
        with open_source(args.slouch_source, fps=args.fps) as source:
            slouch = calibration_frames(source, 0.0, None)
    elif live and args.with_slouch:
        say("now slouch the way you usually do, and hold it.")
        wait_for_enter("posture: press Enter when you are slouching... ")
        with open_source(args.source, fps=args.fps, size=size) as source:
            slouch = calibration_frames(source, 0.0, CALIBRATION_SECONDS)
    profile = replace(build_profile(good, slouch), source=where)
    save_profile(profile, path)
    if slouch is not None and not profile.thresholds:
        say("the slouch recording looks much like the good one, so the thresholds stay at "
            "their defaults: record a clearer slouch to tune them")
    tuned = ", ".join(f"{k} {v:g}" for k, v in profile.thresholds.items()) or "defaults"
    say(f"saved profile {path} (view {profile.view}, {profile.frames} frames, "
        f"thresholds: {tuned})")
    if unsteady(good):
        say(f"note: {usable(good)} If prompts seem off, calibrate again.")
    return 0


def wait_for_enter(prompt: str) -> None:
    """Wait until the user presses Enter; go straight on when nobody can (no terminal input)."""
    if not sys.stdin.isatty():
        return
    try:
        input(prompt)
    except EOFError:
        print(file=sys.stderr)


class LiveFeedback:
    """Tells a user calibrating in front of a camera what to fix, now and then, not per frame."""

    def __init__(self) -> None:
        self.protocol = load_protocol()
        self._last = -1e9

    def __call__(self, elapsed: float, reason: str | None) -> None:
        if reason is not None and elapsed - self._last >= self.protocol.feedback_every_s:
            self._last = elapsed
            say(self.protocol.feedback[reason])


def cmd_run(args: argparse.Namespace) -> int:
    """posture run: the live monitor (camera by default, or a file played at its own speed)."""
    config = settings.apply_overrides(
        settings.load_settings(), mute=True if args.mute else None, profile=args.profile,
        camera=args.source, fps=args.fps, window=False if args.no_window else None)
    options = Options(source=config.monitor.camera,
                      profile_path=profile_path(config.monitor.profile), speed=args.speed)
    return LiveMonitor(config, options).run()


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


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the problem and where to read how to fix it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"posture: error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = Parser(
        prog="posture",
        description="Webcam posture monitor: measures slouching against your calibration.")
    parser.add_argument("--version", action="version", version=f"posture {__version__}")
    sub = parser.add_subparsers(dest="command")  # main() says what is missing or unknown

    p = sub.add_parser("run", help="the live monitor: watch your posture while you work")
    p.add_argument("--source", help="camera index (default 0, or the settings file's), or a "
                   "video, image or folder of images played at its own speed")
    p.add_argument("--profile", help="calibration profile name or .json path (default: default; "
                   "made by the guided calibration on first use)")
    p.add_argument("--no-window", action="store_true", help="run headless: console status, "
                   "voice and desktop notifications")
    p.add_argument("--mute", action="store_true", help="start with spoken prompts muted")
    p.add_argument("--fps", type=positive, help="frames per second to sample (default: adaptive, "
                   "faster while posture changes or is bad: the settings' fps_* rates, see "
                   "posture config)")
    p.add_argument("--speed", type=positive, default=1.0, help="play a file this many times "
                   "faster than real time (demos and tests)")
    p.set_defaults(func=cmd_run)

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
    p.set_defaults(func=cmd_analyze)

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
    p.set_defaults(func=cmd_calibrate)

    stretches.add_parser(sub)
    guide.add_parser(sub)
    report.add_parser(sub)
    settings.add_parser(sub)
    doctor.add_parser(sub)
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
        return int(args.func(args) or 0)
    except UserError as exc:
        say(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
