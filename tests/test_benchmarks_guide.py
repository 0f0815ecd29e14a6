"""The guided stretch benchmark's arithmetic and plumbing: its tally, the same session as the
command, photos judged one by one, the shipped manifest (structure, not figures: those come
from running the benchmark on demand, see benchmarks/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.changes import CHANGES
from benchmarks.common import Confusion
from benchmarks.guide import MANIFEST as GUIDE_MANIFEST
from benchmarks.guide import evaluate_photos, parse_manifest, recorded_poses
from benchmarks.guide import run as run_benchmark
from benchmarks.guide_changes import format_table
from benchmarks.guide_changes import main as guide_changes_main
from benchmarks.guide_report import Tally
from posture.core.checks.positions import POSITION_CHECKS
from posture.core.pose import LM
from tests.conftest import DATA, SAMPLE
from tests.poses import REACH, pose_of
from tests.synthetic import Posture


def test_benchmark_tally_arithmetic():
    tally = Tally(Confusion(tp=8, fp=2, tn=30, fn=2), judged=40, frames=42, reps_counted=2,
                  reps_done=3)
    report = tally.report()
    assert report["precision"] == 0.8 and report["recall"] == 0.8
    assert report["balanced_accuracy"] == round((0.8 + 30 / 32) / 2, 3)
    assert report["judged_share"] == round(40 / 42, 3) and report["scored"] == 42
    assert Tally().report()["balanced_accuracy"] is None
    pooled = Tally()
    pooled.add(tally)
    pooled.add(Tally(Confusion(tn=4), frames=4, reps_timed=1))
    assert (pooled.frames, pooled.reps_done, pooled.reps_timed) == (46, 3, 1)


def test_benchmark_scores_the_same_session_as_the_command(tmp_path):
    """A synthetic entry with a triceps stretch labelled out of position and a reach labelled
    in: the harness counts what the guide's Session says, frame by frame, outside the margins;
    a recording's frames in neither labelled list are not scored."""
    doc = {"format": "posture-guide-manifest", "entries": [
        {"name": "reach", "stretch": "overhead_reach", "camera": {"distance": 1.2}, "reps": 1,
         "segments": [[2, "rest", False], [22, "reach", True], [5, "triceps", False]]},
        {"name": "recording", "stretch": "butterfly", "source": "nowhere.mp4", "reps": 1,
         "in_position": [[1.0, 4.0]], "not_in_position": [[6.0, 8.0]], "hold_s": 2,
         "margin_s": 0.2}]}
    entries, everyday = parse_manifest(doc, tmp_path)
    assert entries[0].ranges == ((2.0, 24.0),) and entries[1].source == tmp_path / "nowhere.mp4"
    assert everyday == [] and entries[1].hold_s == 2.0
    recording = entries[1]
    assert [recording.label(t) for t in (1.1, 3.0, 4.1, 5.0, 7.0, 9.0)] == [
        None, True, None, None, False, None]
    assert entries[0].label(10.0) is True and entries[0].label(26.0) is False
    report = run_benchmark(entries)
    reach = report["entries"]["reach"]
    assert reach["balanced_accuracy"] > 0.95 and reach["reps_counted"] == 1
    assert "skipped" in report["entries"]["recording"]
    with pytest.raises(ValueError, match="unknown posture"):
        parse_manifest({**doc, "entries": [{**doc["entries"][0], "segments": [[1, "x", True]]}]},
                       tmp_path)


def test_photos_are_judged_one_by_one_by_the_check():
    entry = parse_manifest({"format": "posture-guide-manifest", "entries": [
        {"name": "p", "stretch": "overhead_reach", "source": "x.gif",
         "photos": {"0": False, "1": True}}]}, Path("."))[0][0]
    tally = evaluate_photos(entry, {0: pose_of(Posture()), 1: pose_of(REACH),
                                    2: pose_of(REACH)})
    assert tally.confusion == Confusion(tp=1, tn=1) and tally.frames == 3


def test_the_shipped_benchmark_manifest_parses_and_covers_every_check():
    entries, everyday = parse_manifest(json.loads(GUIDE_MANIFEST.read_text()), DATA)
    assert {e.stretch for e in entries} == set(POSITION_CHECKS)
    real = {e.stretch for e in entries if e.source is not None}
    assert real >= {"overhead_reach", "upper_trapezius_stretch", "shrugs_and_rolls",
                    "side_bend", "butterfly"}
    assert len(everyday) >= 10
    for e in entries:
        if e.source is not None and e.reps:
            assert e.hold_s is not None, e.name  # a prescription that fits the clip


def test_a_change_is_applied_to_every_frame_before_the_model():
    """The sample's last 2 s estimated plain and mirrored: the nose lands on the other side of
    the picture, at the mirror image of its place (within 2 % of the width)."""
    plain = recorded_poses(SAMPLE, 28.0)
    flipped = recorded_poses(SAMPLE, 28.0, CHANGES["mirrored"])
    assert len(plain) == len(flipped) == 10
    gaps = [abs((a.width - 1 - a.xy[LM.NOSE][0]) - b.xy[LM.NOSE][0]) / a.width
            for (_, a), (_, b) in zip(plain, flipped, strict=True)]
    assert max(gaps) < 0.02
    # the portrait's nose sits off the middle, so an unchanged frame would miss by far more
    assert all(abs(2 * a.xy[LM.NOSE][0] - (a.width - 1)) / a.width > 0.04 for _, a in plain)


def test_the_changes_table_marks_what_falls_short():
    """A cell under the target balanced accuracy or with reps miscounted is marked, and the last
    row counts them per change among the entries with targets."""
    def report(ba, counted=None, done=None):
        return {"balanced_accuracy": ba, "reps_counted": counted, "reps_done": done}

    results = {
        "reach": {"stretch": "overhead_reach", "photos": False, "targets": True,
                  "none": report(1.0, 7, 7), "mirrored": report(0.95, 6, 7)},
        "photos": {"stretch": "side_bend", "photos": True, "targets": True,
                   "none": report(1.0), "mirrored": report(0.5)},
        "twist": {"stretch": "trunk_rotation", "photos": True, "targets": False,
                  "none": report(0.167), "mirrored": report(0.167)},
    }
    lines = format_table(results, ["mirrored"]).splitlines()
    assert lines[2] == "| reach | overhead_reach | 1.000 (7/7) | **0.950 (6/7)** |"
    assert lines[3] == "| photos | side_bend | 1.000 | **0.500** |"
    assert lines[4] == "| twist (apart) | trunk_rotation | **0.167** | **0.167** |"
    assert lines[5].endswith("(of 2) | | 0 | 2 |")


@pytest.mark.parametrize("flag", ["sideways", ""])
def test_the_changes_benchmark_refuses_an_unknown_change(capsys, flag):
    assert guide_changes_main(["--changes", flag]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"unknown change {flag!r}" in err[0] and "mirrored" in err[0]
