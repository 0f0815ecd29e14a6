"""How well it judges posture, beside the plain rule on the same frames: per clip and per
problem, the share of upright frames judged good, balanced accuracy of `slouched` where the
labels hold slouches, prompts, and how often a verdict holds when the frame is seen nearer,
farther, shifted, darker, brighter or mirrored.

Usage, from the repository root:
    python -m benchmarks.accuracy [--manifest benchmarks/manifest.json] [--data ../shared/data]

Each entry of the manifest (benchmarks/footage.py; benchmarks/README.md) is calibrated as
`posture calibrate` would. The pose model then runs over every frame of the footage as
`posture analyze` runs it, and every labelled frame is judged by the program (the pipeline's
own assessment) and by the plain rule (benchmarks/plain.py). Prompts come from the pipeline
itself at its adaptive sampling, over the footage, or over a replay of it (forward and back,
`replay_s` long) for clips shorter than the 30 s a prompt needs. The six changes
(benchmarks/changes.py) are applied to every frame before the model, and each changed frame's
verdict is compared with the unchanged frame's, against the unchanged footage's calibration.
A still that is also a calibration image is judged against a profile made from the entry's
other calibration images, never against itself. Entries whose labels are another program's
guess (`"targets": false`) are reported apart and kept out of the targets.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.accuracy_report import format_report, summarize
from benchmarks.changes import CHANGES, Change
from benchmarks.common import (
    DEFAULT_DATA,
    REPO,
    Confusion,
    ManifestError,
    calibrate_stills,
    calibrate_video,
    default_sampling,
)
from benchmarks.footage import Calibration, Entry, load_manifest
from benchmarks.plain import PlainPrompts, plain_verdict
from posture.core.calibration import build_profile, record
from posture.core.errors import UserError
from posture.core.metrics import measure
from posture.core.pipeline import Pipeline
from posture.core.pose import Pose
from posture.core.profile import Profile
from posture.core.score import assess
from posture.io.estimator import PoseEstimator
from posture.io.library import load_library
from posture.io.protocol import load_protocol
from posture.io.settings import Settings
from posture.io.sources import IMAGE_EXTENSIONS, Schedule, open_source, read_image

MANIFEST = REPO / "benchmarks" / "manifest.json"
# A posture prompt this soon after a slouched range ends still belongs to it: the alert policy
# bridges gaps of spell_gap_s (3 s), and the labels leave the 2 s transitions out.
PROMPT_GRACE_S = 5.0


@dataclass(frozen=True)
class Judged:
    """One labelled frame: its label, the program's verdict and problems, the plain rule's."""

    t: float
    label: str
    ours: str | None
    plain: str | None
    problems: tuple[str, ...] = ()


@dataclass
class Kept:
    """One change against the unchanged frames: frames judged both ways, verdicts kept."""

    both: int = 0
    kept: int = 0
    plain_both: int = 0
    plain_kept: int = 0
    lost: int = 0  # judged unchanged, not judged changed (e.g. the shoulders cropped out)
    appearing: Counter = field(default_factory=Counter)  # problems named on changed frames only

    def add(self, before: Judged, after: Judged) -> None:
        if before.ours is not None:
            if after.ours is None:
                self.lost += 1
            else:
                self.both += 1
                self.kept += before.ours == after.ours
                self.appearing.update(set(after.problems) - set(before.problems))
        if before.plain is not None and after.plain is not None:
            self.plain_both += 1
            self.plain_kept += before.plain == after.plain


@dataclass
class Outcome:
    """What the program (and the plain rule) made of one entry."""

    entry: Entry
    frames: list[Judged] = field(default_factory=list)
    prompts: list[float] = field(default_factory=list)  # the program's posture prompts
    plain_prompts: list[float] = field(default_factory=list)
    seconds: float = 0.0  # length of the footage (0 for stills)
    view: str | None = None  # of the calibration
    changes: dict[str, Kept] = field(default_factory=dict)
    error: str | None = None  # why the entry could not be evaluated (e.g. calibration refused)

    @property
    def confusion(self) -> Confusion:
        return Confusion.of(((f.label, f.ours) for f in self.frames), "slouched")

    @property
    def plain_confusion(self) -> Confusion:
        return Confusion.of(((f.label, f.plain) for f in self.frames), "slouched")

    @property
    def coverage(self) -> float:
        """Share of scored frames with a verdict (a person, comparable with the profile)."""
        return sum(f.ours is not None for f in self.frames) / max(1, len(self.frames))

    @property
    def upright_s(self) -> float:
        """Seconds (of footage or replay) labelled good, where any posture prompt is false."""
        if self.entry.replay_s:
            return self.entry.replay_s
        return sum(min(end, self.seconds) - start for start, end, label in self.entry.ranges
                   if label == "good" and start < self.seconds)

    def slouches(self) -> list[tuple[float, float]]:
        """The slouched label ranges, clipped to the footage."""
        return [(s, min(e, self.seconds)) for s, e, label in self.entry.ranges
                if label == "slouched" and s < self.seconds]

    def false(self, prompts: Sequence[float]) -> int:
        """Posture prompts outside every slouched range (and its grace period)."""
        if self.entry.replay_s:
            return len(prompts)
        return sum(not any(s <= t <= e + PROMPT_GRACE_S for s, e in self.slouches())
                   for t in prompts)

    def time_to_prompt(self) -> list[float | None]:
        """Per slouched range: seconds from its start to its first prompt (None: no prompt)."""
        return [next((t - s for t in self.prompts if s <= t <= e + PROMPT_GRACE_S), None)
                for s, e in self.slouches()]


def label_at(ranges: Sequence[tuple[float, float, str]], t: float) -> str | None:
    """The label of the range holding time t (start inclusive, end exclusive), if any."""
    return next((label for start, end, label in ranges if start <= t < end), None)


def judge(t: float, label: str, pose: Pose | None, profile: Profile) -> Judged:
    """A frame judged by the program's assessment (as the pipeline's) and by the plain rule."""
    measurement = measure(pose) if pose is not None else None
    a = assess(measurement, profile)
    return Judged(t, label, a.posture if a else None, plain_verdict(measurement, profile),
                  a.problems if a else ())


def estimate(path: Path, change: Change | None = None) -> tuple[list[tuple[float, Pose | None]],
                                                                  float]:
    """Every frame's pose, as `posture analyze --fps` of the file's own rate would estimate it
    (VIDEO mode for videos), optionally after a change; and the file's frame rate."""
    with open_source(path) as source, PoseEstimator(video=source.continuous) as estimator:
        poses = [(f.t, estimator.estimate(change(f.image) if change else f.image, f.t))
                 for f in source]
        return poses, source.native_fps


def evaluate(entry: Entry, workdir: Path) -> Outcome:
    """Calibrate, judge and prompt as the program would; what the program would tell the user
    instead (a refused calibration) is kept as the error."""
    try:
        if entry.images:
            return _stills(entry)
        if entry.photos:
            return _photos(entry)
        return _video(entry, workdir)
    except UserError as exc:
        return Outcome(entry, error=str(exc))


def _video(entry: Entry, workdir: Path) -> Outcome:
    clip = entry.file
    if clip is None:
        from fixtures.make_fixtures import make_sample

        clip = make_sample(workdir / f"{entry.name}.mp4", list(entry.generate), entry.fps)
    calibration = entry.calibration
    if not calibration.files:
        calibration = Calibration((clip,), calibration.start, calibration.seconds)
    profile = _profile(calibration)
    poses, fps = estimate(clip)
    out = Outcome(entry, view=profile.view, seconds=len(poses) / fps)
    judged = {i: judge(t, label, pose, profile) for i, (t, pose) in enumerate(poses)
              if (label := label_at(entry.ranges, t)) is not None}
    out.frames = list(judged.values())
    out.prompts, out.plain_prompts = prompts(poses, fps, profile, entry.replay_s)
    for name in entry.changes:
        kept = out.changes.setdefault(name, Kept())
        changed, _ = estimate(clip, CHANGES[name])
        for i, before in judged.items():
            kept.add(before, judge(before.t, before.label, changed[i][1], profile))
    return out


def prompts(poses: Sequence[tuple[float, Pose | None]], fps: float, profile: Profile,
            replay_s: float) -> tuple[list[float], list[float]]:
    """Posture prompts of the pipeline (and of the plain rule on the same frames) at the
    adaptive sampling, over the poses once, or played forward and back for `replay_s`."""
    alerts, library, sampling = Settings().alerts, load_library(), default_sampling()
    pipeline = Pipeline(profile, library, alerts, sampling)
    plain = PlainPrompts(alerts, library, sampling)
    schedule = Schedule(fps)
    ours = []
    for k, (t, pose) in enumerate(_played(poses, fps, replay_s)):
        if not schedule.keep(t, pipeline.rate):
            continue
        result = pipeline.step(t, k, pose)
        if result.prompt is not None and result.prompt.kind == "posture":
            ours.append(t)
        plain.update(t, pose is not None, plain_verdict(result.measurement, profile),
                     profile.view)
    return ours, plain.prompts


def _played(poses: Sequence[tuple[float, Pose | None]], fps: float, seconds: float
            ) -> Iterator[tuple[float, Pose | None]]:
    """The poses in order (seconds 0), or forward and back until `seconds` at `fps`."""
    if not seconds:
        yield from poses
        return
    order, forward = [], list(range(len(poses)))
    while forward and len(order) < seconds * fps:
        order += forward
        forward = forward[::-1]
    for k, i in enumerate(order[:round(seconds * fps)]):
        yield k / fps, poses[i][1]


def _stills(entry: Entry) -> Outcome:
    """Each labelled still against its calibration (never itself), and its changes."""
    out = Outcome(entry)
    profiles: dict[Path | None, Profile] = {}
    with PoseEstimator(video=False) as estimator:
        for image, label in entry.images.items():
            pose = estimator.estimate(read_image(image))
            if entry.calibration.itself:
                profile = _from_poses([pose])
            else:
                left_out = image if image in _calibration_images(entry.calibration) else None
                if left_out not in profiles:
                    profiles[left_out] = _profile(entry.calibration, leave_out=left_out)
                profile = profiles[left_out]
            out.view = profile.view
            before = judge(0.0, label, pose, profile)
            if not entry.calibration.itself:
                out.frames.append(before)
            for name in entry.changes:
                after = estimator.estimate(CHANGES[name](read_image(image)))
                out.changes.setdefault(name, Kept()).add(before, judge(0.0, label, after,
                                                                       profile))
    return out


def _photos(entry: Entry) -> Outcome:
    """A photo sequence in one file: each photo judged as a still against the other
    calibration photos (leave one out)."""
    assert entry.file is not None
    with open_source(entry.file) as source, PoseEstimator(video=False) as estimator:
        poses = {f.index: estimator.estimate(f.image) for f in source}
    out = Outcome(entry)
    for i, label in sorted(entry.photos.items()):
        others = [poses[k] for k in entry.calibration_photos if k != i]
        if not others:  # the only calibration photo: nothing else to calibrate it on
            continue
        profile = _from_poses(others)
        out.view = profile.view
        out.frames.append(judge(float(i), label, poses[i], profile))
    return out


def _from_poses(poses: Sequence[Pose | None]) -> Profile:
    """A profile from separate stills' poses, as `posture calibrate` makes it from a folder."""
    return build_profile(record(((float(i), p) for i, p in enumerate(poses)), continuous=False),
                         feedback=load_protocol().feedback)


def _calibration_images(calibration: Calibration) -> list[Path]:
    images = []
    for path in calibration.files:
        images += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS) \
            if path.is_dir() else [path]
    return images


def _profile(calibration: Calibration, leave_out: Path | None = None) -> Profile:
    """The profile of a calibration, without `leave_out` when it is one of its stills."""
    if not calibration.stills:
        return calibrate_video(calibration.files[0], calibration.start,
                               calibration.seconds or 0.0)
    return calibrate_stills([p for p in _calibration_images(calibration) if p != leave_out])


def main(argv: list[str] | None = None) -> int:
    """Load the manifest, evaluate every entry, print the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.accuracy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder the manifest's "
                        "paths are relative to (default: ../shared/data)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="evaluate only these entries")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        entries = load_manifest(args.manifest, args.data)
    except ManifestError as exc:
        print(f"accuracy: {exc}", file=sys.stderr)
        return 2
    if args.only:
        entries = [e for e in entries if e.name in args.only]
    with tempfile.TemporaryDirectory(prefix="posture-accuracy-") as tmp:
        outcomes = []
        for entry in entries:
            print(f"evaluating {entry.name}...", file=sys.stderr, flush=True)
            outcomes.append(evaluate(entry, Path(tmp)))
    report = summarize(outcomes)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
