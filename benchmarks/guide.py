"""How well the guided stretch sees the position: per clip and per stretch, precision, recall
and balanced accuracy of `in_position` per frame, and reps counted against reps done.

Usage, from the repository root:
    python -m benchmarks.guide [--manifest benchmarks/guide_manifest.json] [--data ../shared/data]

Each manifest entry is a recording (a video, or a photo sequence in one file; paths relative to
--data unless absolute) or a synthetic landmark sequence (named postures of tests.synthetic seen
by one camera: the tool the checks were first built with, not the truth), with the stretch it
shows, when the person is in and out of the position, and the reps done. A recording runs
through the same `guide.Session` as `posture stretch --source FILE --hold S` (pose estimation
in VIDEO mode, from `start_s`: a webcam session has no scene cut), with the user's own
prescription `hold_s` and reps left open (MAX_REPS), so the count is read as it is. A photo
sequence is judged photo by photo with the position check itself (no debounce: a 0.3 s photo
is shorter than it). A frame counts as in position when the session says true; false or null
(nobody in view, cannot judge) count as not. Frames in neither labelled list, and frames within
`margin_s` of a range's start or end, are not scored. `everyday` clips (upright people, nobody
stretching) are run through every checkable stretch: frames in position and reps counted there
are false.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.changes import Change, unchanged
from benchmarks.common import DEFAULT_DATA, REPO, Confusion, ManifestError
from benchmarks.guide_report import Tally, format_report, summarize
from posture.core.checks.positions import check
from posture.core.checks.reference import ReferenceTracker
from posture.core.guide.session import Session
from posture.core.pose import Pose
from posture.core.stretches import MAX_REPS, Library, prescribe
from posture.io.estimator import PoseEstimator
from posture.io.library import load_library
from posture.io.sources import open_source
from tests.synthetic import Arm, Camera, Noise, Posture, synthesize

MANIFEST = REPO / "benchmarks" / "guide_manifest.json"
MANIFEST_FORMAT = "posture-guide-manifest"
DEFAULT_MARGIN_S = 0.5
SYNTHETIC_FPS = 10.0

Poses = list[tuple[float, Pose | None]]


def _arms(left: Arm, right: Arm | None = None) -> dict[str, Arm]:
    """Posture keyword arguments for both arms (the same unless `right` is given)."""
    return {"left_arm": left, "right_arm": right if right is not None else left}


# Named postures a synthetic entry can use (what a person would do, in and out of position).
POSTURES: dict[str, Posture] = {
    "rest": Posture(),
    "reach": Posture(**_arms(Arm(175, 10))),
    "interlocked": Posture(**_arms(Arm(170, -15))),
    "palms_together": Posture(**_arms(Arm(160, 20, 60))),  # the real reach: elbows bent
    "one_arm_up": Posture(**_arms(Arm(175, 10), Arm())),
    "goal_post": Posture(**_arms(Arm(90, 90, 90))),  # a press's bottom
    "triceps": Posture(**_arms(Arm(175, 0, 150))),  # hands behind the head
    "hands_on_head": Posture(**_arms(Arm(120, -30, 110))),
    "shrug": Posture(shoulder_elevation=0.08),  # real full shrugs: 0.2-0.25 shoulder spans
    "nod": Posture(neck_flexion=30),
    "lean_back": Posture(trunk_flexion=-10),
    "lean_in": Posture(trunk_flexion=20),
    "tilt_left": Posture(head_roll=30, head_yaw=15),  # real bends turn the face a little
    "tilt_right": Posture(head_roll=-30, head_yaw=-15),
    "turn_head": Posture(head_yaw=40),
    "turn_head_down": Posture(head_yaw=45, neck_flexion=30),
    "butterfly": Posture(**_arms(Arm.hands_on_shoulders(-20))),
    "elbows_open": Posture(**_arms(Arm.hands_on_shoulders(80))),
    "elbows_down": Posture(**_arms(Arm(0, 0, 150))),
    "crossed_arms": Posture(**_arms(Arm(30, -30, 100))),
    "twist_left": Posture(trunk_rotation=35),
    "twist_right": Posture(trunk_rotation=-35),
    "twist_left_face_on_screen": Posture(trunk_rotation=35, head_yaw=-35),
    "twist_right_face_on_screen": Posture(trunk_rotation=-35, head_yaw=35),
    "squeeze": Posture(shoulder_protraction=-0.03, **_arms(Arm(-30, 0, 90))),
    "typing": Posture(**_arms(Arm(20, 10, 80))),
    "hands_on_hips": Posture(**_arms(Arm(-20, 40, 110))),
    "bend_left": Posture(lateral_lean=20, **_arms(Arm(), Arm(170, 20))),
    "bend_right": Posture(lateral_lean=-20, **_arms(Arm(170, 20), Arm())),
}


@dataclass(frozen=True)
class Entry:
    """One labelled sequence: a recording (`source`; `photos` for a photo sequence) or
    synthetic segments. `out`: when the person is out of position (None: whenever not in)."""

    name: str
    stretch: str
    ranges: tuple[tuple[float, float], ...]  # in position from start to end, seconds
    reps: int | None  # reps the person did (None: no reps to count)
    source: Path | None = None
    out: tuple[tuple[float, float], ...] | None = None
    photos: dict[int, bool] = field(default_factory=dict)  # in position per photo index
    hold_s: float | None = None  # the prescription that fits the recording (--hold)
    start_s: float = 0.0
    segments: tuple[tuple[float, str], ...] = ()  # synthetic: (seconds, posture name)
    camera: Camera = field(default_factory=Camera)
    margin_s: float = DEFAULT_MARGIN_S
    targets: bool = True
    note: str = ""

    def label(self, t: float) -> bool | None:
        """In position (True), out (False), or not scored (None) at `t`."""
        if any(abs(t - edge) < self.margin_s - 1e-9 for r in (*self.ranges, *(self.out or ()))
               for edge in r):
            return None
        if any(a <= t < b for a, b in self.ranges):
            return True
        return False if self.out is None or any(a <= t < b for a, b in self.out) else None


def _spans(raw: Any) -> tuple[tuple[float, float], ...]:
    return tuple((float(a), float(b)) for a, b in raw)


def parse_manifest(doc: Any, data: Path) -> tuple[list[Entry], list[Path]]:
    """The entries and the everyday clips of a manifest document; ManifestError names what
    is wrong."""
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"not a {MANIFEST_FORMAT} document")
    library = load_library()
    entries = []
    for n, raw in enumerate(doc.get("entries", [])):
        where = f"entry {raw.get('name', n + 1)!r}" if isinstance(raw, dict) else f"entry {n + 1}"
        if not isinstance(raw, dict) or raw.get("stretch") not in library.stretches:
            raise ManifestError(f"{where}: field 'stretch': a stretch id of the library")
        reps = raw.get("reps")
        if reps is not None and (not isinstance(reps, int) or reps < 0):
            raise ManifestError(f"{where}: field 'reps': a whole number of reps done")
        common = {"name": raw.get("name", where), "stretch": raw["stretch"], "reps": reps,
                  "margin_s": float(raw.get("margin_s", DEFAULT_MARGIN_S)),
                  "targets": bool(raw.get("targets", True)), "note": str(raw.get("note", ""))}
        if "source" in raw:
            path = Path(raw["source"])
            photos = {int(k): bool(v) for k, v in raw.get("photos", {}).items()}
            hold = raw.get("hold_s")
            entries.append(Entry(**common, ranges=_spans(raw.get("in_position", [])),
                                 source=path if path.is_absolute() else data / path,
                                 out=(None if "not_in_position" not in raw
                                      else _spans(raw["not_in_position"])),
                                 photos=photos, hold_s=None if hold is None else float(hold),
                                 start_s=float(raw.get("start_s", 0.0))))
            continue
        segments, ranges, t = [], [], 0.0
        for seconds, name, inside in raw.get("segments", []):
            if name not in POSTURES:
                raise ManifestError(f"{where}: unknown posture {name!r} (valid: "
                                    f"{', '.join(POSTURES)})")
            segments.append((float(seconds), name))
            if inside:
                ranges.append((t, t + float(seconds)))
            t += float(seconds)
        if not segments:
            raise ManifestError(f"{where}: needs 'source' or 'segments'")
        try:
            camera = Camera(**(raw.get("camera") or {}))
        except TypeError as exc:
            raise ManifestError(f"{where}: field 'camera': {exc}") from None
        entries.append(Entry(**common, ranges=tuple(ranges), segments=tuple(segments),
                             camera=camera))
    everyday = [Path(p) if Path(p).is_absolute() else data / p for p in doc.get("everyday", [])]
    return entries, everyday


def synthetic_poses(entry: Entry) -> Iterator[tuple[float, Pose | None]]:
    """The entry's synthetic landmark stream: SYNTHETIC_FPS frames a second, with MediaPipe's
    measured noise (tests.synthetic.Noise)."""
    rng = np.random.default_rng(7)
    t = 0.0
    for seconds, name in entry.segments:
        for _ in range(round(seconds * SYNTHETIC_FPS)):
            yield round(t, 3), synthesize(POSTURES[name], entry.camera, Noise(), rng)
            t += 1.0 / SYNTHETIC_FPS


def recorded_poses(path: Path, start_s: float = 0.0, change: Change = unchanged) -> Poses:
    """Poses of a recording from `start_s`, estimated as `posture stretch --source PATH` does
    (a fresh VIDEO-mode estimator at the first frame used), each frame changed first."""
    with open_source(path) as source, PoseEstimator(video=source.continuous) as estimator:
        return [(f.t, estimator.estimate(change(f.image), f.t)) for f in source
                if f.t >= start_s]


def photo_poses(path: Path, change: Change = unchanged) -> dict[int, Pose | None]:
    """Each photo of a sequence estimated as a still (IMAGE mode), changed first."""
    with open_source(path) as source, PoseEstimator(video=False) as estimator:
        return {f.index: estimator.estimate(change(f.image)) for f in source}


def session(entry: Entry, library: Library) -> Session:
    """The Session `posture stretch` runs: the entry's prescription for a recording (reps left
    open, so the count is read as it is), the guide's own for a synthetic sequence."""
    stretch = library.get(entry.stretch)
    if entry.source is not None:
        stretch = prescribe(stretch, entry.hold_s if stretch.hold_s else None, MAX_REPS)
    return Session(stretch)


def evaluate(entry: Entry, poses: Sequence[tuple[float, Pose | None]], library: Library
             ) -> Tally:
    """Run the entry through a guide Session and score every labelled frame."""
    guide = session(entry, library)
    tally = Tally(reps_done=entry.reps)
    pairs = []
    for t, pose in poses:
        record = guide.step(t, pose)
        tally.frames += 1
        tally.judged += record.in_position is not None
        label = entry.label(t)
        if label is not None:
            pairs.append((label, bool(record.in_position)))
    tally.reps_counted = guide.counter.verified_reps
    tally.reps_timed = guide.counter.reps_done - guide.counter.verified_reps
    tally.confusion = Confusion.of(pairs, True)
    return tally


def evaluate_photos(entry: Entry, poses: dict[int, Pose | None]) -> Tally:
    """Each labelled photo judged by the position check, the relaxed reference following the
    photos in order as it follows a session's frames."""
    tracker = ReferenceTracker(entry.stretch)
    tally = Tally(reps_done=entry.reps)
    pairs = []
    for index in sorted(poses):
        passed = check(entry.stretch, poses[index], tracker.update(float(index), poses[index]))
        tally.frames += 1
        tally.judged += passed is not None
        if index in entry.photos:
            pairs.append((entry.photos[index], bool(passed)))
    tally.confusion = Confusion.of(pairs, True)
    return tally


def everyday(clips: Sequence[Path], library: Library) -> dict[str, dict[str, int]]:
    """Every checkable stretch's session over clips of people not stretching: frames in
    position and reps counted (verified, and timed while the camera could not judge)."""
    out: dict[str, dict[str, int]] = {}
    for clip in clips:
        if not clip.exists():
            continue
        poses = recorded_poses(clip)
        for stretch in (s for s in library.stretches.values() if s.checkable):
            guide = Session(stretch)
            row = out.setdefault(stretch.id, {"frames": 0, "in_position": 0, "reps": 0,
                                              "timed_reps": 0})
            for t, pose in poses:
                row["in_position"] += bool(guide.step(t, pose).in_position)
            row["frames"] += len(poses)
            row["reps"] += guide.counter.verified_reps
            row["timed_reps"] += guide.counter.reps_done - guide.counter.verified_reps
    return out


def run(entries: Sequence[Entry], clips: Sequence[Path] = ()) -> dict[str, Any]:
    """Evaluate every entry (and the everyday clips); the report per entry and per stretch."""
    library = load_library()
    cache: dict[tuple[Path, float], Poses] = {}
    tallies: dict[str, Tally] = {}
    skipped = {}
    for entry in entries:
        if entry.source is not None and not entry.source.exists():
            skipped[entry.name] = f"{entry.source} is missing"
        elif entry.photos:
            tallies[entry.name] = evaluate_photos(entry, photo_poses(entry.source))
        elif entry.source is not None:
            key = (entry.source, entry.start_s)
            if key not in cache:
                cache[key] = recorded_poses(*key)
            tallies[entry.name] = evaluate(entry, cache[key], library)
        else:
            tallies[entry.name] = evaluate(entry, list(synthetic_poses(entry)), library)
    return summarize(entries, tallies, skipped, everyday(clips, library))


def manifest_options(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """The options of the benchmarks that read the guide manifest: --manifest, --data, --json."""
    parser = argparse.ArgumentParser(prog=f"python -m {prog}", description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder that recording paths are relative to")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def read_manifest(args: argparse.Namespace, prog: str) -> tuple[list[Entry], list[Path]]:
    """The entries and everyday clips of `args.manifest`; one line on stderr and exit 2 when it
    cannot be read."""
    try:
        return parse_manifest(json.loads(args.manifest.read_text(encoding="utf-8")), args.data)
    except (OSError, ValueError) as exc:
        print(f"{prog}: {args.manifest}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> int:
    """Read the manifest, evaluate it, print the report."""
    args = manifest_options("benchmarks.guide", __doc__).parse_args(argv)
    entries, clips = read_manifest(args, "benchmarks.guide")
    report = run(entries, clips)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
