"""The accuracy benchmark's own arithmetic and plumbing on tiny inputs: its measures, the plain
rule, the six changes, the manifest loader, a run over the sample clip (structure and sanity:
figures come from running the benchmarks on demand, see benchmarks/README.md)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks import accuracy
from benchmarks.accuracy import Judged, Kept, Outcome
from benchmarks.accuracy_report import format_report, summarize
from benchmarks.changes import CHANGES
from benchmarks.common import Confusion, ManifestError
from benchmarks.footage import MANIFEST_FORMAT, Calibration, Entry, load_manifest
from benchmarks.guide import MANIFEST as GUIDE_MANIFEST
from benchmarks.plain import PLAIN_FRONT, plain_verdict
from posture.core.metrics import Measurement
from posture.core.profile import Baseline, Profile
from tests.conftest import DATA, SAMPLE, needs_data


def test_balanced_accuracy_precision_recall_on_a_hand_made_table():
    c = Confusion(tp=8, fn=2, fp=1, tn=9)
    assert c.recall == pytest.approx(0.8)
    assert c.specificity == pytest.approx(0.9)
    assert c.balanced_accuracy == pytest.approx(0.85)
    assert c.precision == pytest.approx(8 / 9)
    # No verdict counts as "not slouched": a silent monitor misses a slouch, never nags.
    pairs = [("slouched", "slouched")] * 8 + [("slouched", None), ("slouched", "good")] + \
        [("good", "slouched")] + [("good", "good")] * 8 + [("good", None)]
    assert Confusion.of(pairs, "slouched") == c
    assert c + Confusion(tp=1) == Confusion(tp=9, fn=2, fp=1, tn=9)
    upright = Confusion(fp=1, tn=3)  # only good frames: balanced accuracy is the specificity
    assert upright.recall is None and upright.precision == 0.0
    assert upright.balanced_accuracy == pytest.approx(0.75)
    assert Confusion().balanced_accuracy is None


def test_false_prompts_and_time_to_prompt_from_label_ranges():
    entry = Entry(name="clip", calibration=Calibration(()),
                  ranges=((0.0, 30.0, "good"), (30.0, 60.0, "slouched"),
                          (62.0, math.inf, "good")))
    outcome = Outcome(entry, prompts=[5.0, 45.0, 63.0, 90.0], seconds=100.0)
    # 45 s is the slouch's prompt; 63 s is within the grace after it; 5 s and 90 s are false.
    assert outcome.false(outcome.prompts) == 2
    assert outcome.time_to_prompt() == [15.0]
    assert outcome.upright_s == pytest.approx(30.0 + 38.0)
    assert accuracy.label_at(entry.ranges, 61.0) is None  # transitions are not scored
    assert accuracy.label_at(entry.ranges, 99.0) == "good"
    replayed = Outcome(Entry(name="r", calibration=Calibration(()), replay_s=180.0,
                             ranges=((0.0, math.inf, "good"),)), prompts=[50.0], seconds=6.0)
    assert replayed.upright_s == 180.0 and replayed.false(replayed.prompts) == 1


def test_a_replay_plays_the_clip_forward_and_back_at_its_rate():
    poses = [(i / 10, f"p{i}") for i in range(4)]
    played = list(accuracy._played(poses, 10.0, 1.0))
    assert [p for _, p in played] == ["p0", "p1", "p2", "p3", "p3", "p2", "p1", "p0", "p0",
                                      "p1"]
    assert [t for t, _ in played] == pytest.approx([k / 10 for k in range(10)])
    assert list(accuracy._played(poses, 10.0, 0.0)) == poses  # no replay: once, as they are


def test_kept_counts_changed_verdicts_and_problems_that_appear():
    kept = Kept()
    good = Judged(0.0, "good", "good", "good")
    kept.add(good, Judged(0.0, "good", "good", "good"))
    kept.add(good, Judged(0.0, "good", "slouched", "good", ("lateral_lean",)))
    kept.add(good, Judged(0.0, "good", None, None))  # the change lost the person
    assert (kept.both, kept.kept, kept.lost) == (2, 1, 1)
    assert (kept.plain_both, kept.plain_kept) == (2, 2)
    assert kept.appearing == {"lateral_lean": 1}


def test_the_plain_rule_on_measurements():
    front = Profile("front", {"head_height": Baseline(0.5, 0.01)})
    below = Measurement("front", {"head_height": 0.5 * PLAIN_FRONT - 0.01})
    assert plain_verdict(below, front) == "slouched"
    assert plain_verdict(Measurement("front", {"head_height": 0.45}), front) == "good"
    assert plain_verdict(Measurement("side", {"neck_inclination": 10.0}), front) is None
    side = Profile("side", {"neck_inclination": Baseline(15.0, 1.0)})
    assert plain_verdict(Measurement("side", {"neck_inclination": 41.0}), side) == "slouched"
    assert plain_verdict(Measurement("side", {"neck_inclination": 30.0,
                                              "torso_inclination": -11.0}), side) == "slouched"
    assert plain_verdict(Measurement("side", {"neck_inclination": 30.0,
                                              "torso_inclination": 9.0}), side) == "good"


def test_the_six_changes_move_pixels_as_their_names_say():
    image = np.zeros((100, 200, 3), np.uint8)
    image[40:60, 20:40] = 200  # a bright square left of centre
    assert set(CHANGES) == {"nearer", "farther", "shifted", "darker", "brighter", "mirrored"}
    for name, change in CHANGES.items():
        assert change(image).shape == image.shape, name
    assert CHANGES["mirrored"](image)[50, 170, 0] == 200  # now right of centre
    assert CHANGES["shifted"](image)[50, 20 + 24 + 5, 0] == 200  # 12 % of 200 px right
    assert CHANGES["shifted"](image)[50, 5, 0] == 128  # grey comes in on the left
    assert CHANGES["darker"](image)[50, 30, 0] == 110 and CHANGES["brighter"](image)[0, 0, 0] == 40
    far = CHANGES["farther"](image)  # 1/1.25 about the centre: the square moves inward
    assert far[50, 100 - round(70 / 1.25), 0] > 150 and far[2, 2, 0] == 128
    near = CHANGES["nearer"](image)  # x 1.15 about the centre: it moves outward
    assert near[50, 100 - round(70 * 1.15), 0] > 150


def write_manifest(path: Path, entries: list) -> Path:
    path.write_text(json.dumps({"format": MANIFEST_FORMAT, "version": 2, "entries": entries}))
    return path


def clip_entry(**changes) -> dict:
    """A manifest entry for the sample clip (the data folder is fixtures/)."""
    entry = {"name": "sample", "file": "sample_desk.mp4",
             "calibration": {"start": 0, "seconds": 5},
             "labels": [[0, 8, "good"], [10, 22, "slouched"], [24, None, "good"]]}
    return {**entry, **changes}


def tiny_image() -> np.ndarray:
    """A grey 8x8 picture: enough for the loader, which only checks that files exist."""
    return np.full((8, 8, 3), 128, np.uint8)


def test_manifest_loader_reads_videos_stills_photos_and_generated_clips(tmp_path):
    folder = tmp_path / "data"
    (folder / "stills").mkdir(parents=True)
    for name in ("a.png", "b.png", "c.png"):
        cv2.imwrite(str(folder / "stills" / name), tiny_image())
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)
    manifest = write_manifest(tmp_path / "m.json", [
        clip_entry(changes=["mirrored", "darker"], replay_s=180),
        {"name": "stills", "file": "stills", "labels": {"a.png": "good", "c.png": "slouched"},
         "calibration": {"file": ["stills/a.png", "stills/b.png"]}},
        {"name": "made", "generate": {"timeline": [[0, 0], [60, 0]], "fps": 5},
         "calibration": {"seconds": 5}, "labels": [[0, None, "good"]], "upright_only": True},
        {"name": "photos", "file": "sample_desk.mp4", "photos": True,
         "labels": {"0": "good", "1": "good", "2": "good", "3": "slouched"},
         "calibration": {"photos": [2, 0]}},
        {"name": "each", "file": "stills", "calibration": {"itself": True},
         "labels": {"a.png": "good", "b.png": "good"}, "upright_only": True,
         "changes": ["nearer"]},
    ])
    video, stills_entry, made, photos, each = load_manifest(manifest, folder)
    assert video.file == folder / "sample_desk.mp4"
    assert video.ranges[1] == (10.0, 22.0, "slouched") and video.ranges[2][1] == math.inf
    assert video.calibration.files == (video.file,) and video.calibration.seconds == 5.0
    assert video.changes == ("mirrored", "darker") and video.replay_s == 180.0
    assert stills_entry.images == {folder / "stills" / "a.png": "good",
                                   folder / "stills" / "c.png": "slouched"}
    assert stills_entry.calibration.stills and stills_entry.targets
    assert made.file is None and made.generate[-1] == (60.0, 0.0) and made.upright_only
    assert photos.photos == {0: "good", 1: "good", 2: "good", 3: "slouched"}
    assert photos.calibration_photos == (0, 2)
    assert each.calibration.itself and each.changes == ("nearer",)


@pytest.mark.parametrize(("change", "message"), [
    ({"labels": [[0, 8, "hunched"]]}, "label 'hunched' is not one of good, slouched"),
    ({"labels": [[8, 2, "good"]]}, "start < end"),
    ({"file": "missing.mp4"}, "missing.mp4 does not exist"),
    ({"calibration": {"start": 0}}, "needs one \"file\" and \"seconds\""),
    ({"upright_only": True}, "cannot have slouched labels"),
    ({"labels": {"x.png": "good"}}, "need \"file\" to be a folder"),
    ({"generate": {"timeline": [[0, 0], [9, 1]]}}, "exactly one of"),
    ({"changes": ["sideways"]}, "unknown change 'sideways'"),
    ({"replay_s": -1}, "\"replay_s\" must be"),
    ({"calibration": {"itself": True}}, "\"itself\" calibrates each still"),
    ({"photos": True, "labels": {"0": "slouched"}}, "photos labelled good"),
    ({"photos": True, "labels": {"0": "good", "1": "slouched"}, "calibration": {"photos": [1]}},
     "calibration photos [1] are not labelled good"),
    ({"photos": True, "labels": {"0": "good"}, "calibration": {"start": 0}},
     "must be {\"photos\": [index, ...]}"),
])
def test_manifest_loader_rejects_a_broken_entry_naming_it(tmp_path, change, message):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)
    manifest = write_manifest(tmp_path / "m.json",
                              [clip_entry(name="fine"), clip_entry(name="broken", **change)])
    with pytest.raises(ManifestError) as err:
        load_manifest(manifest, folder)
    text = str(err.value)
    assert "entry 2 (broken)" in text and message in text, text


def test_manifest_loader_refuses_to_score_the_only_calibration_image(tmp_path):
    folder = tmp_path / "data"
    (folder / "stills").mkdir(parents=True)
    cv2.imwrite(str(folder / "stills" / "a.png"), tiny_image())
    manifest = write_manifest(tmp_path / "m.json", [
        {"name": "self", "file": "stills", "labels": {"a.png": "good"},
         "calibration": {"file": "stills/a.png"}}])
    with pytest.raises(ManifestError, match="a.png is the only calibration image"):
        load_manifest(manifest, folder)
    with pytest.raises(ManifestError, match="data folder .* not found"):
        load_manifest(manifest, tmp_path / "nowhere")
    (tmp_path / "junk.json").write_text("{\"entries\": []}")
    with pytest.raises(ManifestError, match="not a posture accuracy manifest"):
        load_manifest(tmp_path / "junk.json", folder)


@needs_data
def test_the_shipped_manifest_holds_every_labelled_posture_clip():
    entries = load_manifest(accuracy.MANIFEST, DATA)
    assert len({e.name for e in entries}) == len(entries) >= 25
    # Labels that are another program's guess stay out of the targets.
    separate = {e.name for e in entries if not e.targets}
    assert {"side-view-app-recording", "standing-webcam"} <= separate
    files = {str(e.file.relative_to(DATA)) for e in entries if e.file is not None}
    guide = json.loads(GUIDE_MANIFEST.read_text())["entries"]
    files |= {e["source"] for e in guide if "source" in e}
    labelled = {row.split(",")[0] for row in (DATA / "labels.csv").read_text().splitlines()[1:]}
    assert labelled <= files, labelled - files
    assert {e.name for e in entries if e.changes} >= {f"talking-head-{i}" for i in range(1, 6)}


def test_accuracy_on_the_sample_clip(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)
    (entry,) = load_manifest(write_manifest(tmp_path / "m.json", [clip_entry(
        changes=["mirrored"])]), folder)
    outcome = accuracy.evaluate(entry, tmp_path)
    assert outcome.error is None and outcome.view == "front"
    labels = [f.label for f in outcome.frames]
    assert labels.count("good") > 40 and labels.count("slouched") > 40  # every frame, 5 fps
    assert all(0 <= f.t < 30 for f in outcome.frames)
    for c in (outcome.confusion, outcome.plain_confusion):
        assert c.tp + c.fn + c.fp + c.tn == len(outcome.frames)
    assert outcome.confusion.balanced_accuracy >= 0.9
    assert outcome.seconds == pytest.approx(30.0, abs=0.3)
    # A 12 s slouch is shorter than the alert's onset: no prompt, and none is false.
    assert outcome.prompts == outcome.plain_prompts == [] and outcome.time_to_prompt() == [None]
    mirrored = outcome.changes["mirrored"]
    assert mirrored.both >= 0.9 * len(outcome.frames) and mirrored.kept >= 0.9 * mirrored.both
    report = summarize([outcome])
    assert set(report) == {"entries", "groups", "problems", "changes", "changes_below_target",
                           "targets", "not_evaluated"}
    assert set(report["targets"]) == {"upright_good", "upright_prompts", "changes_kept",
                                      "side_balanced_accuracy", "balanced_accuracy",
                                      "false_prompts"}
    figures = report["entries"][0]
    for key in ("frames", "coverage", "ours", "plain", "prompts", "plain_prompts",
                "false_prompts_per_hour", "time_to_prompt_s", "upright_s", "changes"):
        assert key in figures
    assert figures["ours"]["confusion"]["tp"] == outcome.confusion.tp
    assert report["problems"]["slouch"]["on_slouched"] > 0  # the sample's slouch is named
    assert report["changes"]["mirrored"]["frames"] == mirrored.both
    text = format_report(report)
    assert "| sample |" in text and "balanced accuracy" in text and "### Targets" in text


def test_a_photo_sequence_calibrates_on_its_chosen_photos_never_on_the_judged_one(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)  # its frames serve as photos: 5 a second
    # Frame 85 (17 s) slouches; labelled good here, it makes the good photos two postures.
    labels = {"0": "good", "5": "good", "10": "good", "20": "good", "85": "good"}
    mixed, chosen = load_manifest(write_manifest(tmp_path / "m.json", [
        {"name": "mixed", "file": "sample_desk.mp4", "photos": True, "labels": labels},
        {"name": "chosen", "file": "sample_desk.mp4", "photos": True, "labels": labels,
         "calibration": {"photos": [0, 5, 10]}}]), folder)
    refused = accuracy.evaluate(mixed, tmp_path)
    assert refused.error is not None and "mixes postures" in refused.error
    outcome = accuracy.evaluate(chosen, tmp_path)
    assert outcome.error is None and outcome.view == "front"
    assert {f.t: f.ours for f in outcome.frames} == {
        0.0: "good", 5.0: "good", 10.0: "good", 20.0: "good", 85.0: "slouched"}


def test_an_entry_the_program_refuses_is_reported_not_crashed(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sample_desk.mp4").symlink_to(SAMPLE)
    # Calibrating on the slouched stretch only, then nothing: too few frames is refused.
    (entry,) = load_manifest(write_manifest(tmp_path / "m.json", [
        clip_entry(calibration={"start": 40, "seconds": 5})]), folder)
    outcome = accuracy.evaluate(entry, tmp_path)
    assert outcome.error is not None and "calibration failed" in outcome.error
    report = summarize([outcome])
    assert report["targets"]["false_prompts"]["met"] is False
    assert "Not evaluated" in format_report(report)
