"""How well the guided stretch sees the position: per-stretch precision, recall and balanced
accuracy of `in_position` per frame, and reps counted against reps done.

Usage, from the repository root:
    python -m benchmarks.guide [--manifest benchmarks/guide_manifest.json] [--data ../shared/data]

Each manifest entry is a recording (a video, image folder, or any source `posture stretch`
takes; paths relative to --data unless absolute) or a synthetic landmark sequence (named
postures of tests.synthetic seen by one camera), with the stretch it shows, the time ranges
in which the person is in the position, and the reps done. Every entry runs through the same
`guide.Session` as `posture stretch` (pose estimation in VIDEO mode for recordings), over
every frame (a Session goes on judging after the count is complete). A frame counts as "in
position" when the session says true; false or null (nobody in view, cannot judge) count as
"not in position". Frames within `margin_s` of a range's start or end are not scored: people
move into a position over a moment, and labels are not frame-exact.

There is no real footage of people doing these stretches in ../shared/data; the shipped
manifest holds synthetic sequences only, so its figures measure the checks against the
synthetic body (with 1.5 px of landmark noise, several cameras and the traps of issue 6), not
against real people. Add real recordings as "source" entries (see benchmarks/README.md).
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

from benchmarks.common import DEFAULT_DATA, REPO, Confusion, ManifestError
from posture.core.guide.session import Session
from posture.core.pose import Pose
from posture.core.stretches import Library
from posture.io.estimator import PoseEstimator
from posture.io.library import load_library
from posture.io.sources import open_source
from tests.synthetic import Arm, Camera, Posture, synthesize

MANIFEST = REPO / "benchmarks" / "guide_manifest.json"
MANIFEST_FORMAT = "posture-guide-manifest"
DEFAULT_MARGIN_S = 0.5
SYNTHETIC_FPS = 10.0
SYNTHETIC_NOISE_PX = 1.5


def _arms(left: Arm, right: Arm | None = None) -> dict[str, Arm]:
    """Posture keyword arguments for both arms (the same unless `right` is given)."""
    return {"left_arm": left, "right_arm": right if right is not None else left}


# Named postures a synthetic entry can use (what a person would do, in and out of position).
POSTURES: dict[str, Posture] = {
    "rest": Posture(),
    "reach": Posture(**_arms(Arm(175, 10))),
    "interlocked": Posture(**_arms(Arm(170, -15))),
    "bent_press": Posture(**_arms(Arm(160, 20, 60))),
    "one_arm_up": Posture(**_arms(Arm(175, 10), Arm())),
    "goal_post": Posture(**_arms(Arm(90, 90, 90))),
    "shrug": Posture(shoulder_elevation=0.05),
    "nod": Posture(neck_flexion=30),
    "lean_back": Posture(trunk_flexion=-10),
    "lean_in": Posture(trunk_flexion=20),
    "tilt_left": Posture(head_roll=30),
    "tilt_right": Posture(head_roll=-30),
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
    """One labelled sequence: a recording (`source`) or synthetic segments."""

    name: str
    stretch: str
    ranges: tuple[tuple[float, float], ...]  # in position from start to end, seconds
    reps: int  # reps the person did (the session counts at most the stretch's target)
    source: Path | None = None
    segments: tuple[tuple[float, str], ...] = ()  # synthetic: (seconds, posture name)
    camera: Camera = field(default_factory=Camera)
    margin_s: float = DEFAULT_MARGIN_S


def _camera(raw: Any, where: str) -> Camera:
    """A Camera from the manifest's object of Camera fields."""
    try:
        return Camera(**(raw or {}))
    except TypeError as exc:
        raise ManifestError(f"{where}: field 'camera': {exc}") from None


def parse_manifest(doc: Any, data: Path) -> list[Entry]:
    """The entries of a manifest document; ManifestError names what is wrong."""
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"not a {MANIFEST_FORMAT} document")
    library = load_library()
    entries = []
    for n, raw in enumerate(doc.get("entries", [])):
        where = f"entry {raw.get('name', n + 1)!r}" if isinstance(raw, dict) else f"entry {n + 1}"
        if not isinstance(raw, dict) or raw.get("stretch") not in library.stretches:
            raise ManifestError(f"{where}: field 'stretch': a stretch id of the library")
        margin = float(raw.get("margin_s", DEFAULT_MARGIN_S))
        reps = raw.get("reps")
        if not isinstance(reps, int) or reps < 0:
            raise ManifestError(f"{where}: field 'reps': a whole number of reps done")
        if "source" in raw:
            path = Path(raw["source"])
            ranges = tuple((float(a), float(b)) for a, b in raw.get("in_position", []))
            entries.append(Entry(raw.get("name", str(path)), raw["stretch"], ranges, reps,
                                 source=path if path.is_absolute() else data / path,
                                 margin_s=margin))
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
        entries.append(Entry(raw.get("name", where), raw["stretch"], tuple(ranges), reps,
                             segments=tuple(segments), camera=_camera(raw.get("camera"), where),
                             margin_s=margin))
    return entries


def synthetic_poses(entry: Entry) -> Iterator[tuple[float, Pose | None]]:
    """The entry's synthetic landmark stream: SYNTHETIC_FPS frames a second, with noise."""
    rng = np.random.default_rng(7)
    t = 0.0
    for seconds, name in entry.segments:
        for _ in range(round(seconds * SYNTHETIC_FPS)):
            yield round(t, 3), synthesize(POSTURES[name], entry.camera, SYNTHETIC_NOISE_PX, rng)
            t += 1.0 / SYNTHETIC_FPS


def recorded_poses(path: Path) -> Iterator[tuple[float, Pose | None]]:
    """Poses of a recording, estimated as `posture stretch --source PATH` does."""
    with open_source(path) as source, PoseEstimator(video=source.continuous) as estimator:
        for frame in source:
            yield frame.t, estimator.estimate(frame.image, frame.t)


@dataclass
class Tally:
    """Per-frame confusion counts and reps, for one entry or pooled."""

    confusion: Confusion = field(default_factory=Confusion)  # positive: in position
    judged: int = 0  # frames whose in_position was not null
    frames: int = 0
    reps_counted: int = 0
    reps_done: int = 0

    def add(self, other: Tally) -> None:
        """Pool another tally into this one."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def report(self) -> dict[str, float | int | None]:
        """Precision, recall, balanced accuracy (over the classes the frames hold; None where
        undefined), coverage and reps."""
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        c = self.confusion
        return {"precision": rounded(c.precision), "recall": rounded(c.recall),
                "specificity": rounded(c.specificity),
                "balanced_accuracy": rounded(c.balanced_accuracy),
                "judged_share": rounded(self.judged / self.frames if self.frames else None),
                "frames": self.frames, "reps_counted": self.reps_counted,
                "reps_done": self.reps_done}


def evaluate(entry: Entry, poses: Iterator[tuple[float, Pose | None]], library: Library) -> Tally:
    """Run the entry through a guide Session and score every frame outside the margins."""
    session = Session(library.get(entry.stretch))
    tally = Tally(reps_done=entry.reps)
    pairs = []  # (in position by the label, in position by the Session)
    for t, pose in poses:
        record = session.step(t, pose)
        tally.frames += 1
        tally.judged += record.in_position is not None
        tally.reps_counted = record.reps_done
        if any(abs(t - edge) < entry.margin_s for r in entry.ranges for edge in r):
            continue
        pairs.append((any(a <= t < b for a, b in entry.ranges), bool(record.in_position)))
    tally.confusion = Confusion.of(pairs, True)
    return tally


def run(entries: Sequence[Entry]) -> dict[str, Any]:
    """Evaluate every entry; the report per entry and pooled per stretch."""
    per_entry, per_stretch = {}, {}
    library = load_library()
    for entry in entries:
        if entry.source is not None and not entry.source.exists():
            per_entry[entry.name] = {"stretch": entry.stretch, "skipped": f"{entry.source} is "
                                     "missing"}
            continue
        poses = synthetic_poses(entry) if entry.source is None else recorded_poses(entry.source)
        tally = evaluate(entry, poses, library)
        per_entry[entry.name] = {"stretch": entry.stretch, **tally.report()}
        per_stretch.setdefault(entry.stretch, Tally()).add(tally)
    return {"entries": per_entry,
            "stretches": {k: v.report() for k, v in sorted(per_stretch.items())}}


def format_report(report: dict[str, Any]) -> str:
    """The report as a table per stretch, then per entry."""
    def row(name: str, r: dict[str, Any]) -> str:
        if "skipped" in r:
            return f"{name:58s} skipped: {r['skipped']}"
        cells = [r[k] for k in ("precision", "recall", "balanced_accuracy", "judged_share")]
        shown = " ".join(f"{'-' if c is None else f'{c:.3f}':>8s}" for c in cells)
        return f"{name:58s} {shown} {r['reps_counted']:>5d}/{r['reps_done']:<5d}"

    head = f"{'':58s} {'prec':>8s} {'recall':>8s} {'bal.acc':>8s} {'judged':>8s} reps/done"
    lines = ["per stretch", head] + [row(k, v) for k, v in report["stretches"].items()]
    lines += ["", "per entry", head] + [row(k, v) for k, v in report["entries"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Read the manifest, evaluate it, print the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.guide", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder that recording paths are relative to")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        entries = parse_manifest(json.loads(args.manifest.read_text(encoding="utf-8")),
                                 args.data)
    except (OSError, ValueError) as exc:
        print(f"benchmarks.guide: {args.manifest}: {exc}", file=sys.stderr)
        return 2
    report = run(entries)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
