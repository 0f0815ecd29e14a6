"""The guide benchmark's figures: per entry (real recordings apart from synthetic sequences),
pooled per stretch, the everyday clips, the targets, and the tables printed (Markdown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from benchmarks.common import Confusion

if TYPE_CHECKING:
    from benchmarks.guide import Entry

TARGET_BALANCED_ACCURACY = 0.9  # in position, on every labelled real stretch clip


@dataclass
class Tally:
    """Per-frame confusion counts and reps, for one entry or pooled."""

    confusion: Confusion = field(default_factory=Confusion)  # positive: in position
    judged: int = 0  # frames whose in_position was not null
    frames: int = 0
    reps_counted: int = 0  # from verified holds
    reps_timed: int = 0  # by the clock, while the camera could not judge
    reps_done: int | None = None

    def add(self, other: Tally) -> None:
        """Pool another tally into this one."""
        self.confusion = self.confusion + other.confusion
        for name in ("judged", "frames", "reps_counted", "reps_timed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.reps_done is not None:
            self.reps_done = (self.reps_done or 0) + other.reps_done

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
                "frames": self.frames, "scored": c.tp + c.fn + c.fp + c.tn,
                "reps_counted": self.reps_counted, "reps_timed": self.reps_timed,
                "reps_done": self.reps_done}


def summarize(entries: Sequence[Entry], tallies: Mapping[str, Tally],
              skipped: Mapping[str, str], everyday: Mapping[str, Mapping[str, int]]
              ) -> dict[str, Any]:
    """Per entry and per stretch (real and synthetic apart), everyday clips and targets."""
    per_entry: dict[str, Any] = {}
    pooled: dict[str, dict[str, Tally]] = {"real": {}, "synthetic": {}}
    for entry in entries:
        kind = "synthetic" if entry.source is None else "real"
        if entry.name in skipped:
            per_entry[entry.name] = {"stretch": entry.stretch, "kind": kind,
                                     "skipped": skipped[entry.name]}
            continue
        tally = tallies[entry.name]
        per_entry[entry.name] = {"stretch": entry.stretch, "kind": kind,
                                 "targets": entry.targets, "hold_s": entry.hold_s,
                                 "photos": bool(entry.photos), "note": entry.note,
                                 **tally.report()}
        if entry.targets:
            pooled[kind].setdefault(entry.stretch, Tally()).add(tally)
    real = [r for r in per_entry.values()
            if r["kind"] == "real" and "skipped" not in r and r["targets"]]
    worst = min((r["balanced_accuracy"] for r in real if r["balanced_accuracy"] is not None),
                default=None)
    rep_clips = [r for r in real if r["reps_done"] is not None and not r["photos"]]
    exact = sum(r["reps_counted"] == r["reps_done"] for r in rep_clips)
    false_in = sum(row["in_position"] for row in everyday.values())
    return {
        "entries": per_entry,
        "stretches": {kind: {k: v.report() for k, v in sorted(p.items())}
                      for kind, p in pooled.items()},
        "everyday": dict(everyday),
        "targets": {
            "balanced_accuracy_every_clip": {
                "value": worst, "limit": TARGET_BALANCED_ACCURACY,
                "met": None if worst is None else worst >= TARGET_BALANCED_ACCURACY},
            "reps_exact": {"value": f"{exact} of {len(rep_clips)} clips",
                           "met": None if not rep_clips else exact == len(rep_clips)},
            "everyday_in_position": {"value": false_in, "met": false_in == 0 if everyday
                                     else None},
        },
    }


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def format_report(report: dict[str, Any]) -> str:
    """The report as Markdown tables: real clips, real per stretch, everyday, synthetic,
    targets."""
    head = ("| {} | stretch | --hold | precision | recall | balanced accuracy | judged | "
            "reps counted / done (timed) |")
    rule = "|---|---|---|---|---|---|---|---|"

    def row(name: str, r: dict[str, Any]) -> str:
        if "skipped" in r:
            return f"| {name} | {r['stretch']} | skipped: {r['skipped']} | | | | | |"
        reps = "-" if r["reps_done"] is None and not r["reps_counted"] else \
            f"{r['reps_counted']} / {_cell(r['reps_done'])}" + (
                f" ({r['reps_timed']})" if r["reps_timed"] else "")
        hold = "photos" if r.get("photos") else _cell(r.get("hold_s"))
        apart = "" if r.get("targets", True) else " (apart)"
        return (f"| {name}{apart} | {r['stretch']} | {hold} | {_cell(r['precision'])} | "
                f"{_cell(r['recall'])} | {_cell(r['balanced_accuracy'])} | "
                f"{_cell(r['judged_share'])} | {reps} |")

    lines = ["### Real people (../shared/data)", "", head.format("clip"), rule]
    lines += [row(k, v) for k, v in report["entries"].items() if v["kind"] == "real"]
    lines += ["", "Pooled per stretch:", "", head.format("real clips"), rule]
    lines += [row("all clips", {**v, "stretch": k}) for k, v in
              report["stretches"]["real"].items()]
    lines += ["", "### Everyday footage, nobody stretching (every checkable stretch)", "",
              "| stretch | frames in position / frames | reps counted (timed) |", "|---|---|---|"]
    lines += [f"| {k} | {v['in_position']} / {v['frames']} | {v['reps']} ({v['timed_reps']}) |"
              for k, v in report["everyday"].items()]
    lines += ["", "### Synthetic body (the tool, not the truth)", "",
              head.format("sequence"), rule]
    lines += [row(k, v) for k, v in report["entries"].items() if v["kind"] == "synthetic"]
    lines += ["", "### Targets", "", "| target | value | met |", "|---|---|---|"]
    for name, t in report["targets"].items():
        met = "not measured" if t["met"] is None else ("met" if t["met"] else "MISSED")
        lines.append(f"| {name} | {_cell(t['value'])} | {met} |")
    return "\n".join(lines)
