"""The accuracy benchmark's manifest: labelled footage, how each piece is calibrated, and what
else is measured on it (the six changes, a replay for prompts). Paths are relative to a data
folder (../shared/data by default); see benchmarks/README.md for the format.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.changes import CHANGES
from benchmarks.common import ManifestError
from posture.io.sources import IMAGE_EXTENSIONS

MANIFEST_FORMAT = "posture-accuracy-manifest"
LABELS = ("good", "slouched")


@dataclass(frozen=True)
class Calibration:
    """What an entry is calibrated on: one video (from `start`, for `seconds`) or stills;
    `itself`: each still on itself alone (only its changes are then scored)."""

    files: tuple[Path, ...]
    start: float = 0.0
    seconds: float | None = None
    itself: bool = False

    @property
    def stills(self) -> bool:
        """True when calibrating on images rather than on a stretch of a video."""
        return all(p.is_dir() or p.suffix.lower() in IMAGE_EXTENSIONS for p in self.files)


@dataclass(frozen=True)
class Entry:
    """One piece of labelled footage: a video (time ranges), stills (per-image labels), a
    photo sequence in one file (per-photo labels, judged as stills, each against the other
    calibration photos), or a clip generated from a slouch timeline (fixtures.make_sample).
    `changes`: the six changes (benchmarks.changes) to judge every frame under too.
    `replay_s`: the footage played forward and back this long through the sampling, score and
    alert policy, to see whether a prompt would fire (clips shorter than a prompt's onset)."""

    name: str
    calibration: Calibration
    file: Path | None = None
    generate: tuple[tuple[float, float], ...] = ()
    fps: float = 5.0  # frame rate of a generated clip
    ranges: tuple[tuple[float, float, str], ...] = ()  # (start, end, label) for videos
    images: dict[Path, str] = field(default_factory=dict)  # label per still
    photos: dict[int, str] = field(default_factory=dict)  # label per photo of a sequence
    calibration_photos: tuple[int, ...] = ()  # the photos of a sequence to calibrate on
    changes: tuple[str, ...] = ()
    replay_s: float = 0.0
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
    photos: dict[int, str] = {}
    if raw.get("photos"):
        if file is None or not file.is_file() or not isinstance(labels, dict):
            raise ValueError("\"photos\" need \"file\" to be one file of photos (a GIF) and "
                             "\"labels\" an object of photo index: label")
        photos = {int(k): _label(v) for k, v in labels.items()}
        if "good" not in photos.values():
            raise ValueError("a photo sequence needs photos labelled good to calibrate on")
    elif isinstance(labels, dict):
        if file is None or not file.is_dir():
            raise ValueError("per-image \"labels\" need \"file\" to be a folder of images")
        images = {_path(file, k): _label(v) for k, v in labels.items()}
    elif isinstance(labels, list):
        ranges = tuple(_range(r) for r in labels)
    else:
        raise TypeError("\"labels\" must be a list of [start, end, label] ranges (videos) or an "
                        "object of image name: label (a folder of stills)")
    if not ranges and not images and not photos:
        raise ValueError("\"labels\" is empty")
    upright_only = bool(raw.get("upright_only", False))
    labelled = [r[2] for r in ranges] + list(images.values()) + list(photos.values())
    if upright_only and "slouched" in labelled:
        raise ValueError("\"upright_only\" footage cannot have slouched labels")
    changes = tuple(raw.get("changes", ()))
    unknown = [c for c in changes if c not in CHANGES]
    if unknown:
        raise ValueError(f"unknown change {unknown[0]!r} (valid: {', '.join(CHANGES)})")
    replay_s = float(raw.get("replay_s", 0.0))
    if not 0 <= replay_s < math.inf:
        raise ValueError("\"replay_s\" must be a number of seconds, 0 or more")
    calibration_photos = _calibration_photos(raw.get("calibration"), photos) if photos else ()
    calibration = (Calibration(()) if photos else _calibration(raw["calibration"], data, file))
    if calibration.itself and not (images and upright_only and changes):
        raise ValueError("\"itself\" calibrates each still on itself: only for upright_only "
                         "stills with \"changes\", which are then all that is scored")
    if images and calibration.stills and not calibration.itself:
        alone = [p for p in images if calibration.files == (p,)]
        if alone:
            raise ValueError(f"{alone[0].name} is the only calibration image, so it cannot be "
                             "judged fairly: calibrate on other images or drop its label")
    return Entry(name=name, calibration=calibration, file=file, generate=generate,
                 fps=fps, ranges=ranges, images=images, photos=photos,
                 calibration_photos=calibration_photos, changes=changes,
                 replay_s=replay_s, upright_only=upright_only,
                 targets=bool(raw.get("targets", True)), note=str(raw.get("note", "")))


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


def _calibration_photos(raw: object, photos: dict[int, str]) -> tuple[int, ...]:
    """The photos of a sequence to calibrate on: `{"photos": [index, ...]}`, all labelled good
    and showing one posture as `posture calibrate` requires; by default every good photo."""
    good = tuple(i for i, label in sorted(photos.items()) if label == "good")
    if raw is None:
        return good
    chosen = raw.get("photos") if isinstance(raw, dict) else None
    if not isinstance(chosen, list) or not chosen or not all(isinstance(i, int) for i in chosen):
        raise ValueError("a photo sequence's \"calibration\" must be {\"photos\": [index, ...]}")
    if not set(chosen) <= set(good):
        raise ValueError(f"calibration photos {sorted(set(chosen) - set(good))} are not "
                         "labelled good")
    return tuple(sorted(chosen))


def _calibration(raw: object, data: Path, file: Path | None) -> Calibration:
    """The calibration source: "file" (a path or list of paths; default the entry's file), or
    "itself" (each still on itself)."""
    if not isinstance(raw, dict):
        raise TypeError("\"calibration\" must be an object with \"file\", \"start\", \"seconds\"")
    if raw.get("itself"):
        return Calibration((), itself=True)
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


