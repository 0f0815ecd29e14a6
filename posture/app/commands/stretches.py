"""`posture stretches [ID] [--json]`: the stretch library, as a table or one stretch in full."""

from __future__ import annotations

import argparse
import json
import textwrap

from posture.core.stretches import Library, Stretch, dose
from posture.io.library import load_library


def format_table(library: Library) -> str:
    """Every stretch, one per line: id, name, where, hold/reps, targets; then the safety note."""
    header = ("ID", "NAME", "WHERE", "HOLD/REPS", "TARGETS")
    rows = [header] + [
        (s.id, s.name, "/".join(s.places), dose(s), ", ".join(s.targets))
        for s in library.stretches.values()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in rows
    ]
    lines += ["", "Show one in full: posture stretches ID", "", textwrap.fill(library.safety, 79)]
    return "\n".join(lines)


def format_stretch(stretch: Stretch, library: Library) -> str:
    """One stretch in full: where, dose, why it helps each problem, steps, and the safety note."""
    lines = [
        f"{stretch.name} ({stretch.id})",
        f"Where: {', '.join(stretch.places)}; equipment: {', '.join(stretch.equipment) or 'none'}",
        f"Dose: {dose(stretch)}",
        "Helps with:",
    ]
    for problem in stretch.targets:
        reason = next(r.reason for r in library.reasons[problem] if r.stretch == stretch.id)
        lines.append(f"  {problem}: {reason}")
    lines.append("Steps:")
    lines += [f"  {n}. {step}" for n, step in enumerate(stretch.steps, 1)]
    if stretch.variant:
        lines.append(f"Variant: {stretch.variant}")
    lines += [
        f"Webcam can check the position: {'yes' if stretch.checkable else 'no'}",
        f"Source: {'the stretch guide' if stretch.source == 'guide' else 'added for desk work'}",
        "",
        textwrap.fill(library.safety, 79),
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the library (or one stretch) as text or JSON; an unknown ID raises UserError."""
    library = load_library()
    if args.id:
        stretch = library.get(args.id)
        out = (
            json.dumps(stretch.to_dict(), indent=2)
            if args.json
            else format_stretch(stretch, library)
        )
    else:
        out = json.dumps(library.to_dict(), indent=2) if args.json else format_table(library)
    print(out)
    return 0
