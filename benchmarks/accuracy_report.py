"""The accuracy benchmark's figures: per entry, pooled per group, per problem and per change,
the targets, and the tables printed (Markdown, so they can go into the README as they are).
Every figure of the program stands beside the plain rule's on the same frames."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from benchmarks.changes import CHANGES
from benchmarks.common import Confusion, median
from posture.core.problems import PROBLEMS

if TYPE_CHECKING:
    from benchmarks.accuracy import Outcome

TARGETS = {  # name: (limit, at least (True) or at most)
    "upright_good": (0.99, True), "upright_prompts": (0, False), "changes_kept": (0.97, True),
    "side_balanced_accuracy": (0.95, True), "balanced_accuracy": (0.95, True),
    "false_prompts": (0, False),
}
UPRIGHT, SLOUCHES, SIDE = "upright people", "front slouches", "side view"
GENERATED, APART = "generated clips", "labels not ground truth (reported apart)"


def group_of(o: Outcome) -> str:
    """Which part of the report an entry belongs to."""
    if not o.entry.targets:
        return APART
    if o.entry.generate:
        return GENERATED
    if o.view == "side":
        return SIDE
    return UPRIGHT if o.entry.upright_only else SLOUCHES


def _rates(c: Confusion, frames: int) -> dict[str, Any]:
    judged = c.tp + c.fn + c.fp + c.tn
    good = c.fp + c.tn
    return {"confusion": {"tp": c.tp, "fn": c.fn, "fp": c.fp, "tn": c.tn},
            "good_share": c.tn / good if good else None,
            "balanced_accuracy": c.balanced_accuracy, "precision": c.precision,
            "recall": c.recall, "frames": frames, "judged": judged}


def figures(name: str, outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures of some outcomes pooled frame by frame."""
    frames = sum(len(o.frames) for o in outcomes)
    flags: Counter = Counter()
    for o in outcomes:
        flags.update(p for f in o.frames if f.label == "good" for p in f.problems)
    delays = [d for o in outcomes for d in o.time_to_prompt()]
    prompted = [d for d in delays if d is not None]
    upright = sum(o.upright_s for o in outcomes)
    false = sum(o.false(o.prompts) for o in outcomes)
    changes = {}
    for change in CHANGES:
        kept = [o.changes[change] for o in outcomes if change in o.changes]
        if kept:
            both, plain_both = sum(k.both for k in kept), sum(k.plain_both for k in kept)
            changes[change] = {
                "frames": both, "kept": sum(k.kept for k in kept) / both if both else None,
                "plain_frames": plain_both,
                "plain_kept": sum(k.plain_kept for k in kept) / plain_both if plain_both else None,
                "lost": sum(k.lost for k in kept),
                "appearing": dict(sum((k.appearing for k in kept), Counter()))}
    return {
        "name": name, "frames": frames,
        "coverage": sum(o.coverage * len(o.frames) for o in outcomes) / max(1, frames),
        "ours": {**_rates(sum((o.confusion for o in outcomes), Confusion()), frames),
                 "flags": dict(flags)},
        "plain": _rates(sum((o.plain_confusion for o in outcomes), Confusion()), frames),
        "prompts": sum(len(o.prompts) for o in outcomes),
        "plain_prompts": sum(len(o.plain_prompts) for o in outcomes),
        "upright_s": upright, "false_prompts": false,
        "plain_false_prompts": sum(o.false(o.plain_prompts) for o in outcomes),
        "false_prompts_per_hour": false / (upright / 3600) if upright else None,
        "slouches": len(delays), "prompted": len(prompted),
        "time_to_prompt_s": median(prompted) if prompted else None,
        "changes": changes,
    }


def summarize(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Per-entry, per-group, per-problem and per-change figures, and the targets."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(group_of(o), []).append(o)
    entries = [{**figures(o.entry.name, [o]), "group": group_of(o), "view": o.view,
                "replay_s": o.entry.replay_s, "note": o.entry.note, "error": o.error}
               for o in outcomes]
    real = [o for o in outcomes if o.entry.targets and not o.entry.generate]
    upright = figures("", [o for o in real if o.entry.upright_only])
    side = figures("", groups.get(SIDE, []))
    pooled = figures("", real)
    honest = real + groups.get(GENERATED, [])
    problems = {p: {"on_upright": 0, "on_slouched": 0} for p in PROBLEMS}
    for o in real:
        for f in o.frames:
            for p in f.problems:
                problems[p]["on_upright" if f.label == "good" else "on_slouched"] += 1
    kept = {c: v for c, v in pooled["changes"].items()}
    worst = min((v["kept"] for v in kept.values() if v["kept"] is not None), default=None)
    plain_worst = min((v["plain_kept"] for v in kept.values() if v["plain_kept"] is not None),
                      default=None)
    values = {
        "upright_good": (upright["ours"]["good_share"], upright["plain"]["good_share"]),
        "upright_prompts": (upright["prompts"], upright["plain_prompts"]),
        "changes_kept": (worst, plain_worst),
        "side_balanced_accuracy": (side["ours"]["balanced_accuracy"],
                                   side["plain"]["balanced_accuracy"]),
        "balanced_accuracy": (pooled["ours"]["balanced_accuracy"],
                              pooled["plain"]["balanced_accuracy"]),
        "false_prompts": (sum(o.false(o.prompts) for o in honest),
                          sum(o.false(o.plain_prompts) for o in honest)),
    }
    failed = [o.entry.name for o in honest if o.error]  # an entry of the targets must not vanish
    targets = {}
    for name, (limit, at_least) in TARGETS.items():
        ours, plain = values[name]
        met = None if ours is None else (ours >= limit if at_least else ours <= limit)
        targets[name] = {"value": ours, "plain": plain, "limit": limit,
                         "met": None if met is None else met and not failed}
    below = {c: [e["name"] for e in entries
                 if (k := e["changes"].get(c)) and k["kept"] is not None and k["kept"] < 0.97]
             for c in kept}
    return {"entries": entries,
            "groups": {g: figures(g, os) for g, os in groups.items()},
            "problems": problems, "changes": kept, "changes_below_target": below,
            "targets": targets,
            "not_evaluated": {o.entry.name: o.error for o in outcomes if o.error}}


def _num(x: float | None, fmt: str = ".3f") -> str:
    return "-" if x is None else str(x) if isinstance(x, int) else format(x, fmt)


def _flags(flags: dict[str, int]) -> str:
    return ", ".join(f"{p} {n}" for p, n in sorted(flags.items(), key=lambda kv: -kv[1])) or "-"


def format_report(report: dict[str, Any]) -> str:
    """The report as Markdown tables."""
    entries = report["entries"]
    lines = ["### Upright people (every frame should be good, and no prompt)", "",
             "| footage | view | frames | ours: good | problems named | plain: good "
             "| prompts ours / plain (seconds) |", "|---|---|---|---|---|---|---|"]
    for e in entries:
        if e["group"] in (UPRIGHT, SIDE) and e["ours"]["confusion"]["tp"] + \
                e["ours"]["confusion"]["fn"] == 0 and e["frames"] and not e["error"]:
            seconds = e["replay_s"] or e["upright_s"]
            lines.append(f"| {e['name']} | {e['view']} | {e['frames']} | "
                         f"{_num(e['ours']['good_share'])} | {_flags(e['ours']['flags'])} | "
                         f"{_num(e['plain']['good_share'])} | {e['prompts']} / "
                         f"{e['plain_prompts']} ({seconds:.0f} s) |")
    lines += ["", "### Labelled slouches and upright frames (slouched = positive)", "",
              "| footage | group | frames (slouched / good) | ours: balanced accuracy | "
              "ours: TP/FN/FP/TN | plain: balanced accuracy | plain: TP/FN/FP/TN |",
              "|---|---|---|---|---|---|---|"]
    for e in entries:
        c, p = e["ours"]["confusion"], e["plain"]["confusion"]
        if e["error"] or (c["tp"] + c["fn"] == 0 and e["group"] in (UPRIGHT, SIDE)):
            continue
        if e["frames"] == 0:
            continue
        lines.append(f"| {e['name']} | {e['group']} | {c['tp'] + c['fn']} / {c['fp'] + c['tn']}"
                     f" | {_num(e['ours']['balanced_accuracy'])} | {c['tp']}/{c['fn']}/"
                     f"{c['fp']}/{c['tn']} | {_num(e['plain']['balanced_accuracy'])} | "
                     f"{p['tp']}/{p['fn']}/{p['fp']}/{p['tn']} |")
    lines += ["", "### Per group, pooled", "",
              "| group | frames | ours: good | ours: balanced accuracy | plain: good | "
              "plain: balanced accuracy | false prompts ours / plain |",
              "|---|---|---|---|---|---|---|"]
    for g in report["groups"].values():
        lines.append(f"| {g['name']} | {g['frames']} | {_num(g['ours']['good_share'])} | "
                     f"{_num(g['ours']['balanced_accuracy'])} | {_num(g['plain']['good_share'])}"
                     f" | {_num(g['plain']['balanced_accuracy'])} | {g['false_prompts']} / "
                     f"{g['plain_false_prompts']} |")
    lines += ["", "### Per problem (frames named, footage with ground-truth labels)", "",
              "| problem | on upright frames | on slouched frames |", "|---|---|---|"]
    lines += [f"| {p} | {v['on_upright']} | {v['on_slouched']} |"
              for p, v in report["problems"].items()]
    lines += ["", "### Six changes of upright frames (verdict kept)", "",
              "| change | ours: kept (frames) | plain: kept (frames) | lost | problems appearing "
              "| below 0.97 |", "|---|---|---|---|---|---|"]
    for c, v in report["changes"].items():
        lines.append(f"| {c} | {_num(v['kept'])} ({v['frames']}) | {_num(v['plain_kept'])} "
                     f"({v['plain_frames']}) | {v['lost']} | {_flags(v['appearing'])} | "
                     f"{', '.join(report['changes_below_target'][c]) or '-'} |")
    for e in entries:
        if e["group"] == GENERATED and not e["error"]:
            lines += ["", f"Generated: {e['name']}: balanced accuracy "
                      f"{_num(e['ours']['balanced_accuracy'])} (plain "
                      f"{_num(e['plain']['balanced_accuracy'])}); {e['false_prompts']} false "
                      f"prompts (plain {e['plain_false_prompts']}) in {e['upright_s'] / 60:.0f} "
                      f"upright minutes; {e['prompted']} of {e['slouches']} slouches prompted, "
                      f"median {_num(e['time_to_prompt_s'], '.1f')} s after onset"]
    for name, error in report["not_evaluated"].items():
        lines.append(f"\nNot evaluated: {name}: {error}")
    lines += ["", "### Targets", "", "| target | ours | plain | limit | met |",
              "|---|---|---|---|---|"]
    for name, t in report["targets"].items():
        met = "not measured" if t["met"] is None else ("met" if t["met"] else "MISSED")
        lines.append(f"| {name} | {_num(t['value'])} | {_num(t['plain'])} | {t['limit']} | "
                     f"{met} |")
    return "\n".join(lines)
