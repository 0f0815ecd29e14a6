"""The guided stretch's checks on real people under the six changes of a picture
(`benchmarks.changes`: nearer, farther, shifted, darker, brighter, mirrored): every real entry
of the guide manifest is estimated again from its changed frames and judged as
`benchmarks.guide` judges it, so a reader sees which set-ups the checks survive.

Usage, from the repository root:
    python -m benchmarks.guide_changes [--manifest ...] [--data ../shared/data]
        [--changes nearer,mirrored] [--json]

A mirrored clip is judged without `--mirrored` (a selfie camera the user did not declare): the
position and the count do not depend on it, only the side named. About 6 minutes per change.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from benchmarks.changes import CHANGES, unchanged
from benchmarks.guide import (
    Entry,
    evaluate,
    evaluate_photos,
    manifest_options,
    photo_poses,
    read_manifest,
    recorded_poses,
)
from benchmarks.guide_report import TARGET_BALANCED_ACCURACY, Tally
from posture.io.library import load_library

BASELINE = "none"
PROG = "benchmarks.guide_changes"


def run(entries: Sequence[Entry], changes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each real entry whose recording exists, judged unchanged and under each change:
    {entry name: {"stretch", "photos", change name: the tally's report}}."""
    library = load_library()
    out: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.source is None or not entry.source.exists():
            continue
        row: dict[str, Any] = {"stretch": entry.stretch, "photos": bool(entry.photos),
                               "targets": entry.targets}
        for name in (BASELINE, *changes):
            change = unchanged if name == BASELINE else CHANGES[name]
            tally: Tally = (evaluate_photos(entry, photo_poses(entry.source, change))
                            if entry.photos else
                            evaluate(entry, recorded_poses(entry.source, entry.start_s, change),
                                     library))
            row[name] = tally.report()
        out[entry.name] = row
    return out


def short_of(report: dict[str, Any], photos: bool) -> bool:
    """Below the target balanced accuracy, or reps miscounted on a recording."""
    ba = report["balanced_accuracy"]
    reps_wrong = (not photos and report["reps_done"] is not None
                  and report["reps_counted"] != report["reps_done"])
    return (ba is not None and ba < TARGET_BALANCED_ACCURACY) or reps_wrong


def format_table(results: dict[str, dict[str, Any]], changes: Sequence[str]) -> str:
    """Entries down, changes across: balanced accuracy (reps counted / done); ** marks a cell
    short of the target, and a last line counts them per change (entries with targets)."""
    names = [BASELINE, *changes]
    lines = ["| entry | stretch | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(names)]
    for entry, row in results.items():
        cells = []
        for name in names:
            r = row[name]
            ba = r["balanced_accuracy"]
            cell = "-" if ba is None else f"{ba:.3f}"
            if not row["photos"] and r["reps_done"] is not None:
                cell += f" ({r['reps_counted']}/{r['reps_done']})"
            cells.append(f"**{cell}**" if short_of(r, row["photos"]) else cell)
        apart = "" if row["targets"] else " (apart)"
        lines.append(f"| {entry}{apart} | {row['stretch']} | " + " | ".join(cells) + " |")
    judged = [row for row in results.values() if row["targets"]]
    counts = [str(sum(short_of(row[name], row["photos"]) for row in judged)) for name in names]
    lines.append(f"| entries short of {TARGET_BALANCED_ACCURACY} or miscounted "
                 f"(of {len(judged)}) | | " + " | ".join(counts) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Read the manifest, judge every real entry under each change, print the table."""
    parser = manifest_options(PROG, __doc__)
    parser.add_argument("--changes", default=",".join(CHANGES),
                        help=f"comma-separated, from: {', '.join(CHANGES)} (default: all)")
    args = parser.parse_args(argv)
    changes = [c for c in args.changes.split(",") if c]
    wrong = [c for c in changes if c not in CHANGES] or ([] if changes else [args.changes])
    if wrong:
        print(f"{PROG}: unknown change {wrong[0]!r}: give --changes from {', '.join(CHANGES)}",
              file=sys.stderr)
        return 2
    entries, _ = read_manifest(args, PROG)
    results = run(entries, changes)
    print(json.dumps(results, indent=2) if args.json else format_table(results, changes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
