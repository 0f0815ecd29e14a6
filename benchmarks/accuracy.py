"""How well it judges posture: per-frame balanced accuracy, precision and recall of `slouched`,
false prompts per hour of upright footage, and time from a clear slouch to its prompt.

Usage, from the repository root:
    python -m benchmarks.accuracy [--manifest benchmarks/manifest.json] [--data ../shared/data]

The manifest lists labelled footage (see benchmarks/README.md for the format). Each entry is
calibrated as `posture calibrate` would, then run through the same pipeline and default adaptive
sampling as `posture analyze`. A still that is also a calibration image is judged against a
profile made from the entry's other calibration images (leave one out), never against itself.
Entries whose labels are another program's guess (`"targets": false`) are reported separately.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import (
    DEFAULT_DATA,
    REPO,
    Confusion,
    ManifestError,
    calibrate_stills,
    calibrate_video,
    default_sampling,
    median,
)
from posture.app.driver import run_pipeline
from posture.core.errors import UserError
from posture.core.profile import Profile
from posture.io.settings import Settings
from posture.io.sources import IMAGE_EXTENSIONS, open_source

MANIFEST = REPO / "benchmarks" / "manifest.json"
MANIFEST_FORMAT = "posture-accuracy-manifest"
LABELS = ("good", "slouched")
# A posture prompt this soon after a slouched range ends still belongs to it: the alert policy
# bridges gaps of spell_gap_s (3 s), and the labels leave the 2 s transitions out.
PROMPT_GRACE_S = 5.0
TARGET_BALANCED_ACCURACY = 0.95
TARGET_FALSE_PROMPTS = 0


@dataclass(frozen=True)
class Calibration:
    """What an entry is calibrated on: one video (from `start`, for `seconds`) or stills."""

    files: tuple[Path, ...]
    start: float = 0.0
    seconds: float | None = None

    @property
    def stills(self) -> bool:
        """True when calibrating on images rather than on a stretch of a video."""
        return all(p.is_dir() or p.suffix.lower() in IMAGE_EXTENSIONS for p in self.files)


@dataclass(frozen=True)
class Entry:
    """One piece of labelled footage: a video (time ranges), stills (per-image labels), or a
    clip generated from a slouch timeline (fixtures.make_sample)."""

    name: str
    calibration: Calibration
    file: Path | None = None
    generate: tuple[tuple[float, float], ...] = ()
    fps: float = 5.0  # frame rate of a generated clip
    ranges: tuple[tuple[float, float, str], ...] = ()  # (start, end, label) for videos
    images: dict[Path, str] = field(default_factory=dict)  # label per still
    upright_only: bool = False
    targets: bool = True
    note: str = ""


def load_manifest(path: Path, data: Path) -> list[Entry]:
    """Read and check a manifest; paths in it are relative to the data folder `data`.

    ManifestError names the entry and what is wrong with it, before anything runs.
    """
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"{path}: not a posture accuracy manifest "
                            f"(expected \"format\": \"{MANIFEST_FORMAT}\")")
    if not data.is_dir():
        raise ManifestError(f"data folder {data} not found: pass --data FOLDER")
    entries = doc.get("entries")
    if not isinstance(entries, list) or not entries:
        raise ManifestError(f"{path}: \"entries\" must be a non-empty list")
    out, names = [], set()
    for i, raw in enumerate(entries):
        where = f"{path}: entry {i + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            where += f" ({raw['name']})"
        try:
            entry = _entry(raw, data)
        except (KeyError, TypeError, ValueError) as exc:
            message = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ManifestError(f"{where}: {message}") from None
        if entry.name in names:
            raise ManifestError(f"{where}: the name is used twice")
        names.add(entry.name)
        out.append(entry)
    return out


def _entry(raw: object, data: Path) -> Entry:
    """One manifest entry, checked (KeyError, TypeError or ValueError say what is wrong)."""
    if not isinstance(raw, dict):
        raise TypeError("an entry must be an object")
    name = raw["name"]
    if not isinstance(name, str) or not name:
        raise ValueError("\"name\" must be a non-empty string")
    if ("file" in raw) == ("generate" in raw):
        raise ValueError("give exactly one of \"file\" (footage) and \"generate\" (a timeline)")
    file = _path(data, raw["file"]) if "file" in raw else None
    generate: tuple[tuple[float, float], ...] = ()
    fps = 5.0
    if "generate" in raw:
        spec = raw["generate"]
        if not isinstance(spec, dict):
            raise TypeError("\"generate\" must be an object with \"timeline\" and \"fps\"")
        generate = tuple((float(t), float(a)) for t, a in spec["timeline"])
        if len(generate) < 2 or any(b[0] <= a[0] for a, b in zip(generate, generate[1:],
                                                                       strict=False)):
            raise ValueError("\"generate.timeline\" needs two or more [seconds, amount] "
                             "keyframes in increasing time")
        fps = float(spec.get("fps", fps))
    labels = raw["labels"]
    ranges: tuple[tuple[float, float, str], ...] = ()
    images: dict[Path, str] = {}
    if isinstance(labels, dict):
        if file is None or not file.is_dir():
            raise ValueError("per-image \"labels\" need \"file\" to be a folder of images")
        images = {_path(file, k): _label(v) for k, v in labels.items()}
    elif isinstance(labels, list):
        ranges = tuple(_range(r) for r in labels)
    else:
        raise TypeError("\"labels\" must be a list of [start, end, label] ranges (videos) or an "
                        "object of image name: label (a folder of stills)")
    if not ranges and not images:
        raise ValueError("\"labels\" is empty")
    upright_only = bool(raw.get("upright_only", False))
    if upright_only and "slouched" in [r[2] for r in ranges] + list(images.values()):
        raise ValueError("\"upright_only\" footage cannot have slouched labels")
    calibration = _calibration(raw["calibration"], data, file)
    if images and calibration.stills:
        alone = [p for p in images if calibration.files == (p,)]
        if alone:
            raise ValueError(f"{alone[0].name} is the only calibration image, so it cannot be "
                             "judged fairly: calibrate on other images or drop its label")
    return Entry(name=name, calibration=calibration, file=file, generate=generate,
                 fps=fps, ranges=ranges,
                 images=images, upright_only=upright_only, targets=bool(raw.get("targets", True)),
                 note=str(raw.get("note", "")))


def _path(root: Path, name: object) -> Path:
    """An existing file or folder named relative to `root`."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"a path must be a non-empty string, not {name!r}")
    path = root / name
    if not path.exists():
        raise ValueError(f"{path} does not exist")
    return path


def _label(value: object) -> str:
    if value not in LABELS:
        raise ValueError(f"label {value!r} is not one of {', '.join(LABELS)}")
    return str(value)


def _range(raw: object) -> tuple[float, float, str]:
    """[start, end, label] with end null meaning the end of the footage."""
    if not isinstance(raw, list) or len(raw) != 3:
        raise TypeError(f"a label range must be [start, end, label], not {raw!r}")
    start, end, label = raw
    start, end = float(start), math.inf if end is None else float(end)
    if not 0 <= start < end:
        raise ValueError(f"label range {raw!r} must have 0 <= start < end")
    return start, end, _label(label)


def _calibration(raw: object, data: Path, file: Path | None) -> Calibration:
    """The calibration source: "file" (a path or list of paths; default the entry's file)."""
    if not isinstance(raw, dict):
        raise TypeError("\"calibration\" must be an object with \"file\", \"start\", \"seconds\"")
    names = raw.get("file")
    if names is None:
        if file is None:
            files: tuple[Path, ...] = ()  # a generated clip calibrates on itself
        else:
            files = (file,)
    else:
        files = tuple(_path(data, n) for n in (names if isinstance(names, list) else [names]))
    seconds = raw.get("seconds")
    calibration = Calibration(files=files, start=float(raw.get("start", 0.0)),
                              seconds=None if seconds is None else float(seconds))
    video = not files or not calibration.stills  # no files: a generated clip, itself a video
    if video and (len(files) > 1 or calibration.seconds is None):
        raise ValueError("calibrating on a video needs one \"file\" and \"seconds\"")
    return calibration


# ---- scoring ---------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What the pipeline did on one entry."""

    entry: Entry
    frames: list[tuple[float, str, str | None]]  # (t, label, verdict) of the scored frames
    prompts: list[float]  # times of posture prompts
    seconds: float  # length of the footage (0 for stills)
    error: str | None = None  # why the entry could not be evaluated (e.g. calibration refused)

    @property
    def confusion(self) -> Confusion:
        return Confusion.of(((label, verdict) for _, label, verdict in self.frames), "slouched")

    @property
    def coverage(self) -> float:
        """Share of scored frames with a verdict (a person, comparable with the profile)."""
        return sum(v is not None for *_, v in self.frames) / max(1, len(self.frames))

    @property
    def upright_s(self) -> float:
        """Seconds of footage labelled good, where any posture prompt is a false one."""
        return sum(min(end, self.seconds) - start for start, end, label in self.entry.ranges
                   if label == "good" and start < self.seconds)

    def slouches(self) -> list[tuple[float, float]]:
        """The slouched label ranges, clipped to the footage."""
        return [(s, min(e, self.seconds)) for s, e, label in self.entry.ranges
                if label == "slouched" and s < self.seconds]

    @property
    def false_prompts(self) -> int:
        """Posture prompts outside every slouched range (and its grace period)."""
        return sum(not any(s <= t <= e + PROMPT_GRACE_S for s, e in self.slouches())
                   for t in self.prompts)

    def time_to_prompt(self) -> list[float | None]:
        """Per slouched range: seconds from its start to its first prompt (None: no prompt)."""
        return [next((t - s for t in self.prompts if s <= t <= e + PROMPT_GRACE_S), None)
                for s, e in self.slouches()]


def label_at(ranges: Sequence[tuple[float, float, str]], t: float) -> str | None:
    """The label of the range holding time t (start inclusive, end exclusive), if any."""
    return next((label for start, end, label in ranges if start <= t < end), None)


def evaluate(entry: Entry, workdir: Path) -> Outcome:
    """Calibrate as `posture calibrate` would and run `posture analyze`'s pipeline; what the
    program would tell the user instead (a refused calibration) is kept as the error."""
    try:
        return _evaluate(entry, workdir)
    except UserError as exc:
        return Outcome(entry, [], [], 0.0, error=str(exc))


def _evaluate(entry: Entry, workdir: Path) -> Outcome:
    """`evaluate` without the error handling."""
    sampling = default_sampling()
    alerts = Settings().alerts
    if entry.images:
        frames = []
        profiles: dict[Path | None, Profile] = {}
        for image, label in entry.images.items():
            left_out = image if image in entry.calibration.files else None
            if left_out not in profiles:
                profiles[left_out] = _profile(entry.calibration, leave_out=left_out)
            profile = profiles[left_out]
            with open_source(image) as source:
                results = [r for _, r in run_pipeline(source, profile, alerts, sampling)]
            verdict = results[0].assessment.posture if results[0].assessment else None
            frames.append((0.0, label, verdict))
        return Outcome(entry, frames, [], 0.0)
    clip = entry.file
    if clip is None:
        from fixtures.make_fixtures import make_sample

        clip = make_sample(workdir / f"{entry.name}.mp4", list(entry.generate), entry.fps)
    calibration = entry.calibration
    if not calibration.files:
        calibration = Calibration((clip,), calibration.start, calibration.seconds)
    profile = _profile(calibration)
    frames, prompts, last = [], [], 0.0
    with open_source(clip, fps=sampling.fast) as source:
        seconds = source.duration or 0.0 if source.kind == "video" else 0.0
        for frame, result in run_pipeline(source, profile, alerts, sampling):
            last = frame.t
            if result.prompt is not None and result.prompt.kind == "posture":
                prompts.append(frame.t)
            label = label_at(entry.ranges, frame.t)
            if label is not None:
                a = result.assessment
                frames.append((frame.t, label, a.posture if a else None))
    return Outcome(entry, frames, prompts, max(seconds, last))


def _profile(calibration: Calibration, leave_out: Path | None = None) -> Profile:
    """The profile of a calibration, without `leave_out` when it is one of its stills."""
    if not calibration.stills:
        return calibrate_video(calibration.files[0], calibration.start,
                               calibration.seconds or 0.0)
    images = []
    for path in calibration.files:
        images += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS) \
            if path.is_dir() else [path]
    return calibrate_stills([p for p in images if p != leave_out])


# ---- report ----------------------------------------------------------------------------------

def group_of(entry: Entry) -> str:
    """Which part of the report an entry belongs to."""
    if not entry.targets:
        return "labels not ground truth (reported separately)"
    return "generated clips (known timeline)" if entry.generate else "real footage (targets)"


def summarize(outcomes: Sequence[Outcome]) -> dict:
    """Per-entry and per-group figures, and the targets on the real footage."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(group_of(o.entry), []).append(o)
    report: dict = {"entries": [{**_figures(o.entry.name, [o]), "error": o.error}
                                for o in outcomes],
                    "groups": {g: _figures(g, os) for g, os in groups.items()}}
    real = groups.get("real footage (targets)", [])
    honest = real + groups.get("generated clips (known timeline)", [])
    # An entry of the targets that could not be evaluated fails them: it must not just vanish.
    failed = [o.entry.name for o in honest if o.error]
    ba = _figures("", real)["balanced_accuracy"] if real else None
    false = sum(o.false_prompts for o in honest)
    report["targets"] = {
        "balanced_accuracy": {"value": ba, "limit": TARGET_BALANCED_ACCURACY,
                              "met": None if ba is None
                              else ba >= TARGET_BALANCED_ACCURACY and not failed},
        "false_prompts": {"value": false, "limit": TARGET_FALSE_PROMPTS,
                          "met": false <= TARGET_FALSE_PROMPTS and not failed},
    }
    report["not_evaluated"] = {o.entry.name: o.error for o in outcomes if o.error}
    return report


def _figures(name: str, outcomes: Sequence[Outcome]) -> dict:
    """The figures of some outcomes pooled frame by frame."""
    c = sum((o.confusion for o in outcomes), Confusion())
    frames = sum(len(o.frames) for o in outcomes)
    upright = sum(o.upright_s for o in outcomes)
    false = sum(o.false_prompts for o in outcomes)
    delays = [d for o in outcomes for d in o.time_to_prompt()]
    prompted = [d for d in delays if d is not None]
    return {
        "name": name, "frames": frames,
        "coverage": sum(o.coverage * len(o.frames) for o in outcomes) / max(1, frames),
        "confusion": {"tp": c.tp, "fn": c.fn, "fp": c.fp, "tn": c.tn},
        "balanced_accuracy": c.balanced_accuracy, "precision": c.precision,
        "recall": c.recall, "specificity": c.specificity,
        "upright_s": upright, "false_prompts": false,
        "false_prompts_per_hour": false / (upright / 3600) if upright else None,
        "slouches": len(delays), "prompted": len(prompted),
        "time_to_prompt_s": median(prompted) if prompted else None,
    }


def format_report(report: dict) -> str:
    """The report as lines for a terminal."""

    def num(x: float | None, fmt: str = ".3f") -> str:
        return "-" if x is None else format(x, fmt)

    def line(f: dict) -> str:
        if f.get("error"):
            return f"{f['name']}: not evaluated: {f['error']}"
        c = f["confusion"]
        text = (f"{f['name']}: {f['frames']} frames (verdict on {100 * f['coverage']:.0f} %), "
                f"TP {c['tp']} FN {c['fn']} FP {c['fp']} TN {c['tn']}, balanced accuracy "
                f"{num(f['balanced_accuracy'])}, precision {num(f['precision'])}, recall "
                f"{num(f['recall'])}")
        if f["upright_s"]:
            text += (f"; {f['false_prompts']} false prompts in {f['upright_s'] / 60:.1f} upright "
                     f"minutes ({num(f['false_prompts_per_hour'], '.1f')} per hour)")
        if f["slouches"]:
            text += (f"; {f['prompted']} of {f['slouches']} slouches prompted, median "
                     f"{num(f['time_to_prompt_s'], '.1f')} s after onset")
        return text

    lines = ["per entry:"] + ["  " + line(f) for f in report["entries"]]
    lines += ["pooled:"] + ["  " + line(f) for f in report["groups"].values()]
    lines.append("targets:")
    for name, t in report["targets"].items():
        verdict = "not measured" if t["met"] is None else ("met" if t["met"] else "MISSED")
        lines.append(f"  {name}: {num(t['value'])} (limit {t['limit']}): {verdict}")
    return "\n".join(lines)


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
