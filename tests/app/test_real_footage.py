"""The pipeline on real people (../shared/data): laptop webcam stills, talking heads, side view."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from posture.app.cli import main
from posture.core.pose import LM
from tests.conftest import DATA, needs_data

pytestmark = needs_data
LAPTOP = DATA / "openvinotoolkit_openvino_build_deploy"
TALKING = DATA / "OpenTalker_video-retalking"
SIDE = DATA / "nvinayvarma189_Sitting-Posture-Recognition"


def analyze(tmp_path, source, *extra) -> list[dict]:
    """Run `posture analyze` in-process and return its JSON Lines records."""
    out = tmp_path / "out.jsonl"
    assert main(["analyze", str(source), "--jsonl", str(out), *extra]) == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def calibrate(*args) -> None:
    assert main(["calibrate", *args]) == 0


def test_laptop_webcam_good_slouch_and_head_turn(tmp_path):
    calibrate("--source", str(LAPTOP / "good.png"), "--profile", "laptop")
    slouch = analyze(tmp_path, LAPTOP / "slouch.png", "--profile", "laptop")[0]
    assert slouch["posture"] == "slouched"
    assert {"forward_head", "head_drop"} & set(slouch["problems"])
    assert slouch["metrics"]["head_height"] == pytest.approx(0.22, abs=0.05)
    good = analyze(tmp_path, LAPTOP / "ypr-good.png", "--profile", "laptop")[0]
    assert good["posture"] == "good" and good["problems"] == []
    turn = analyze(tmp_path, LAPTOP / "headturn.png", "--profile", "laptop")[0]
    assert turn["posture"] == "good", turn


def test_laptop_slouch_is_caught_uncalibrated_and_upright_is_not(tmp_path, capsys):
    assert analyze(tmp_path, LAPTOP / "slouch.png")[0]["posture"] == "slouched"
    assert "uncalibrated" in capsys.readouterr().err
    for name in ("good.png", "ypr-good.png"):
        assert analyze(tmp_path, LAPTOP / name)[0]["posture"] == "good"


@pytest.mark.parametrize("clip", [f"face_{i}.mp4" for i in range(1, 6)])
def test_talking_heads_stay_good_after_calibrating_on_their_first_second(tmp_path, clip):
    # Every frame of the clip (not only the sampled ones) is judged, and judged good.
    calibrate("--source", str(TALKING / clip), "--seconds", "1", "--profile", "clip")
    records = analyze(tmp_path, TALKING / clip, "--profile", "clip", "--fps", "60")
    assert len(records) >= 120
    good = sum(r["posture"] == "good" for r in records)
    assert good >= 0.95 * len(records)
    assert max(r["score"] for r in records) < 30


def test_side_view_straight_vs_hunched(tmp_path):
    folder = tmp_path / "straight"
    folder.mkdir()
    for path in SIDE.glob("straight*.jpg"):
        (folder / path.name).symlink_to(path)
    calibrate("--source", str(folder), "--profile", "side")
    for path in sorted(SIDE.glob("*.jpg")):
        if path.name.startswith("img_"):  # other people, from elsewhere
            continue
        record = analyze(tmp_path, path, "--profile", "side")[0]
        assert record["view"] == "side", path.name
        expected = "slouched" if "hunchback" in path.name else "good"
        assert record["posture"] == expected, (path.name, record)
        if expected == "slouched":
            assert "slouch" in record["problems"]


def test_a_side_camera_far_away_calibrates_and_sees_the_slouch(tmp_path):
    # The woman fills 0.09 of the frame (small inside another posture app's window): farther
    # than the 0.1 once refused, near enough to judge. Her ranges are that app's verdicts.
    clip = DATA / "itakurah_Sitting-Posture-Detection-YOLOv5" / "posture_converted.mp4"
    calibrate("--source", str(clip), "--seconds", "1", "--profile", "far")
    records = analyze(tmp_path, clip, "--profile", "far", "--fps", "10")
    assert {r["view"] for r in records} == {"side"}
    upright = [r["posture"] for r in records if 2.4 <= r["t"] < 4.9]
    slouched = [r for r in records if r["t"] >= 5.5]
    assert len(upright) >= 20 and len(slouched) >= 8
    assert upright.count("good") >= 0.9 * len(upright)
    assert sum(r["posture"] == "slouched" for r in slouched) >= 0.9 * len(slouched)
    assert all("slouch" in r["problems"] for r in slouched if r["posture"] == "slouched")


def test_frontal_profile_refuses_side_footage(tmp_path, capsys):
    calibrate("--source", str(LAPTOP / "good.png"), "--profile", "laptop")
    folder = tmp_path / "side"
    folder.mkdir()
    for i, path in enumerate(sorted(SIDE.glob("*flip.jpg"))[:6] * 2):
        (folder / f"{i:02d}.jpg").symlink_to(path)
    assert main(["analyze", str(folder), "--profile", "laptop"]) == 2
    err = capsys.readouterr().err
    assert "front camera" in err and "side" in err and "posture calibrate" in err


def two_people(other_height: int, other_x: int) -> tuple[np.ndarray, range, range]:
    """A 960x540 scene made from the real two_people.jpg: the user (the man on the left of
    that photo) sits left of centre, 460 pixels tall; the other man stands at `other_x`,
    `other_height` tall, in front. Returns the scene and the columns each of them covers."""
    from posture.io.sources import read_image

    photo = read_image(DATA / "ageitgey_face_recognition" / "two_people.jpg")
    half = photo.shape[1] // 2
    scene = np.full((540, 960, 3), 128, np.uint8)
    spans = []
    for person, height, x in ((photo[:, :half], 460, 60),
                              (photo[:, half:], other_height, other_x)):
        scale = height / person.shape[0]
        person = cv2.resize(person, (round(person.shape[1] * scale), height))[:, :960 - x]
        scene[540 - height:, x:x + person.shape[1]] = person
        spans.append(range(x, x + person.shape[1]))
    return scene, spans[0], spans[1]


def whose(pose, user: range, other: range) -> str:
    """Which of the two people a pose is, by where its nose is."""
    x = round(pose.xy[LM.NOSE][0])
    return "user" if x in user and x < other.start else "other" if x in other else "nobody"


def test_several_people_the_user_is_followed(still_estimator):
    """The user is taken to be the larger, more central person, and is then followed: when
    the other man steps in front, larger and nearer the middle, a still picture is his (a
    still has no past), but the video keeps following the user."""
    from posture.io.estimator import PoseEstimator

    aside = two_people(200, 790)  # the other man small, at the right edge
    stepped_in = two_people(540, 420)  # ...then larger and nearer the middle than the user
    assert whose(still_estimator.estimate(aside[0]), *aside[1:]) == "user"
    assert whose(still_estimator.estimate(stepped_in[0]), *stepped_in[1:]) == "other"
    with PoseEstimator(video=True) as estimator:
        seen = [whose(estimator.estimate(scene, i * 0.2), user, other)
                for i, (scene, user, other) in enumerate([aside] * 5 + [stepped_in] * 5)]
    assert seen == ["user"] * 10


def test_nobody_in_view_holds_the_score(tmp_path):
    # A webcam clip where the man is mostly cut off or the lens is covered.
    records = analyze(tmp_path, DATA / "crypdick_slouchless" / "demo.gif", "--fps", "10")
    absent = [(a, b) for a, b in zip(records, records[1:], strict=False)
              if not a["person"] and not b["person"]]
    assert len(absent) > 30
    for before, now in absent:
        assert now["posture"] is None and now["problems"] == []
        assert now["score"] == before["score"]


def test_a_side_profile_refuses_a_single_front_image(tmp_path, capsys):
    calibrate("--source", str(SIDE / "straight_flip.jpg"), "--profile", "side")
    capsys.readouterr()
    assert main(["analyze", str(LAPTOP / "slouch.png"), "--profile", "side"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "side camera" in err[0] and "front" in err[0], err


SAGOR = DATA / "sagorghhj253_sagor_rehabilitation_project_BME410"


@pytest.mark.parametrize(("clip", "start", "seconds"), [
    ("neck_rotation.mp4", "0.9", "0.46"),  # ten head turns; calibrated facing the camera
    ("neck_flexion.mp4", "1.86", "0.71"),  # seven neck side bends; calibrated on a neutral head
])
def test_head_turns_and_neck_bends_alone_are_good_at_the_adaptive_rate(tmp_path, clip, start,
                                                                       seconds):
    """A head turned or tilted on its own is no posture problem: calibrated on the labelled
    neutral moment, the clip as `posture analyze` samples it is judged good throughout."""
    calibrate("--source", str(SAGOR / clip), "--start", start, "--seconds", seconds,
              "--profile", "neck")
    records = [r for r in analyze(tmp_path, SAGOR / clip, "--profile", "neck")
               if r["posture"] is not None]
    assert len(records) >= 20
    assert sum(r["posture"] == "good" for r in records) >= 0.99 * len(records)
    assert not any(r["prompt"] for r in records)


def test_a_mirrored_camera_gives_the_same_verdicts(tmp_path):
    """Calibrated on the plain picture, judged on mirror images (a selfie view): the upright
    frames stay good and the slouch stays a slouch."""
    calibrate("--source", str(LAPTOP / "good.png"), "--profile", "laptop")
    for name, expected in (("ypr-good.png", "good"), ("headturn.png", "good"),
                           ("slouch.png", "slouched")):
        flipped = tmp_path / f"mirrored-{name}"
        cv2.imwrite(str(flipped), cv2.flip(cv2.imread(str(LAPTOP / name)), 1))
        plain = analyze(tmp_path, LAPTOP / name, "--profile", "laptop")[0]
        mirrored = analyze(tmp_path, flipped, "--profile", "laptop")[0]
        assert plain["posture"] == mirrored["posture"] == expected, name
