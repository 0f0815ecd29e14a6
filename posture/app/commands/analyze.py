"""`posture analyze SRC`: the monitoring pipeline over a file, as fast as it can, no window."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path

from tqdm import tqdm

from posture.app.driver import Summary, run_pipeline
from posture.core.errors import Interrupted, UserError
from posture.core.pipeline import wrong_view
from posture.core.profile import Profile
from posture.core.sampling import Sampling
from posture.io.annotated_video import AnnotatedVideo
from posture.io.console import say
from posture.io.library import load_library
from posture.io.outputs import check_outputs, jsonl_kept, jsonl_output, summary_stream
from posture.io.overlay import MonitorView
from posture.io.profiles import load_profile, profile_path
from posture.io.settings import load_settings
from posture.io.sources import open_source
from posture.io.voice import open_voice

PROGRESS_MIN_S = 20.0  # sources shorter than this finish too soon to need a progress bar


def progress_bar(duration: float | None) -> tqdm:
    """A one-line progress bar on stderr by source time (the adaptive sampling makes the number
    of frames unknowable ahead), for long files, and only on a terminal."""
    return tqdm(total=duration or 0.0, desc="analyzing", file=sys.stderr,
                bar_format="{desc} [{bar:30}] {n:.0f}/{total:.0f} s",
                disable=None if duration and duration >= PROGRESS_MIN_S else True)


def kept(args: argparse.Namespace, summary: Summary) -> str:
    """What an interrupted analysis leaves, in one line: each output and how much it holds."""
    parts = [jsonl_kept(args.jsonl, summary.frames),
             f"{len(list(Path(args.speak_to).glob('*.wav')))} prompts as WAV files in "
             f"{args.speak_to}" if args.speak_to else "",
             f"the annotated video {args.annotate} up to there" if args.annotate else ""]
    written = "; ".join(p for p in parts if p) or "no output was asked for"
    return (f"{summary.frames} frames analysed, up to {summary.t:.1f} s into the source: "
            f"{written}")


def run(args: argparse.Namespace) -> int:
    """Run the pipeline over the source: JSON Lines, WAVs and the annotated video as asked, and
    the summary at the end."""
    profile_file = profile_path(args.profile) if args.profile else None
    check_outputs([args.source, profile_file], jsonl=args.jsonl, annotate=args.annotate,
                  speak_to=args.speak_to)
    if args.annotate:
        AnnotatedVideo.check_path(Path(args.annotate))
    profile = load_profile(profile_file) if profile_file else None
    config = load_settings()
    m = config.monitor
    # Without --fps, the live monitor's adaptive sampling (so figures match `posture run`).
    sampling = Sampling.fixed(args.fps) if args.fps is not None else m.sampling()
    summary = Summary()
    library = load_library()
    try:
        with ExitStack() as stack:
            source = stack.enter_context(open_source(args.source, fps=sampling.fast))
            out = jsonl_output(args.jsonl, stack)
            voice = (stack.enter_context(open_voice(config.voice, say,
                                                    speak_to=Path(args.speak_to)))
                     if args.speak_to else None)
            uncalibrated, profile = profile is None, profile or Profile.defaults()
            video = None
            if args.annotate:  # before any note: a path it cannot write is the only line
                video = AnnotatedVideo(Path(args.annotate), source.native_fps,
                                       MonitorView(profile, library, config.alerts))
                stack.callback(video.close)
            if uncalibrated:
                say("no --profile given: running uncalibrated on population defaults "
                    "(calibrate with: posture calibrate --source SRC --profile NAME)")
            progress = stack.enter_context(progress_bar(source.duration))
            for frame, result in run_pipeline(source, profile, config.alerts, sampling,
                                              library):
                summary.add(result)
                if out is not None:
                    out.write(json.dumps(result.to_json()) + "\n")
                if voice is not None and result.prompt is not None:
                    voice.say(result.prompt.text, key="-".join(result.prompt.problems) or "break")
                if video is not None:
                    video.write(frame.image, result)
                progress.update(frame.t - progress.n)
            progress.update(progress.total - progress.n)
            if video is not None:
                video.finish(source.count)
    except KeyboardInterrupt:  # the outputs are closed by now: say what they hold
        raise Interrupted(kept(args, summary)) from None
    print(summary.text(), file=summary_stream(args.jsonl))
    if profile.calibrated and summary.other_view and not summary.assessed:
        raise UserError(wrong_view(profile.view, summary.other_views.most_common(1)[0][0]))
    return 0
