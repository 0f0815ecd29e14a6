"""`posture stretch ID`: lead one stretch: speak the steps, check the position, count the reps
(`posture.core.guide`), over a camera or a file, with JSON Lines and the overlay card."""

from __future__ import annotations

import argparse
import json
from contextlib import ExitStack
from pathlib import Path

from posture.app.guided import Announcer, draw
from posture.core.errors import Interrupted
from posture.core.guide.session import Session
from posture.core.stretches import dose, prescribe
from posture.io.console import say
from posture.io.estimator import PoseEstimator
from posture.io.history import History, placed_start
from posture.io.library import load_library
from posture.io.outputs import check_outputs, jsonl_kept, jsonl_output, summary_stream
from posture.io.profiles import load_profile, profile_path
from posture.io.settings import Settings, load_settings
from posture.io.sources import open_source
from posture.io.voice import Voice, open_voice
from posture.io.window import QUIT_KEYS, show

VOICE_CLOSE_S = 120.0  # rendering every prompt of a long stretch into WAVs takes a while
QUIT_CLOSE_S = 15.0  # live: the utterance under way may finish, nothing after it


def voice_for(settings: Settings, mute: bool, speak_to: Path | None) -> Voice | None:
    """The Voice the settings and flags ask for: None when muted (flag or monitor.mute) or
    voice.enabled is false, unless --speak-to asks for files."""
    if speak_to is None and (mute or settings.monitor.mute):
        return None
    return open_voice(settings.voice, say, speak_to=speak_to)


def run(args: argparse.Namespace) -> int:
    """Lead the stretch over the source; write JSON Lines; print the summary at the end."""
    stretch = prescribe(load_library().get(args.id), args.hold, args.reps)
    profile_file = profile_path(args.profile) if args.profile else None
    profile = load_profile(profile_file) if profile_file else None
    settings = load_settings()
    session = Session(stretch, profile, mirrored=args.mirrored)
    check_outputs([args.source, profile_file], jsonl=args.jsonl, speak_to=args.speak_to)
    frames = 0
    try:
        with ExitStack() as stack:
            source = stack.enter_context(open_source(args.source))
            out = jsonl_output(args.jsonl, stack)
            history = stack.enter_context(History())  # opened now: a damaged file is told at once
            voice = voice_for(settings, args.mute,
                              Path(args.speak_to) if args.speak_to is not None else None)
            if not session.checked:
                say(f"{stretch.id} cannot be checked from a front camera: the count is timed only")
            say(f"{stretch.name}: {dose(stretch)}")
            announcer = Announcer(voice, say, max_age=settings.voice.max_age_s)
            quit_timeout = VOICE_CLOSE_S if args.speak_to else QUIT_CLOSE_S
            stack.callback(announcer.close, quit_timeout)
            estimator = stack.enter_context(PoseEstimator(video=source.continuous))
            wall_start = placed_start(source.duration)  # a camera's clock starts with its frames
            for frame in source:
                pose = estimator.estimate(frame.image, frame.t)
                record = session.step(frame.t, pose, frame.index)
                announcer.add(record.cues)
                if out is not None:
                    out.write(json.dumps(record.to_json()) + "\n")
                    frames += 1
                if source.is_camera and show(draw(frame.image, pose, session)) in QUIT_KEYS:
                    break
                if session.done:  # a session of its own, only for a stretch done to the end
                    history.start_session(f"stretch {stretch.id}: {source.name}",
                                          str(profile_file or ""), wall_start=wall_start,
                                          stall_s=settings.monitor.sampling().stall_s)
                    history.record_stretch(frame.t, stretch.id, record.reps_done,
                                           session.in_position_s)
                    history.end_session(frame.t)
                    break
    except KeyboardInterrupt:  # the outputs are closed by now: say what they hold
        kept = jsonl_kept(args.jsonl, frames)
        done = ("the stretch was finished and is in the history" if session.done
                else "the stretch was not finished, so it is not in the history")
        raise Interrupted(done + (f"; {kept}" if kept else "")) from None
    print(session.summary(), file=summary_stream(args.jsonl))
    return 0
