"""The stretch position checks on real people in ../shared/data: talking, sitting at a laptop,
arms crossed or one hand raised are no stretch; a real head tilted aside is a side bend."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posture.core.checks.positions import POSITION_CHECKS, check
from posture.core.checks.reference import Reference, relaxed_measures
from posture.core.checks.sides import side_of
from posture.core.pose import LM, Pose
from posture.io.estimator import PoseEstimator
from posture.io.sources import open_source, read_image
from tests.conftest import DATA, needs_data
from tests.poses import (
    run,
)

TALKING = DATA / "OpenTalker_video-retalking"


LAPTOP = DATA / "openvinotoolkit_openvino_build_deploy"


@pytest.fixture(scope="module")
def talking_heads() -> dict[str, list[tuple[float, Pose | None]]]:
    """Poses of the four talking-head clips whose shoulders are in the frame."""
    clips = {}
    for n in (1, 2, 3, 4):
        with open_source(TALKING / f"face_{n}.mp4") as source, \
                PoseEstimator(video=True) as estimator:
            clips[n] = [(f.t, estimator.estimate(f.image, f.t)) for f in source]
    return clips


@needs_data
@pytest.mark.parametrize("stretch_id", sorted(POSITION_CHECKS))
def test_people_talking_are_in_no_stretch_position(talking_heads, stretch_id):
    for n, poses in talking_heads.items():
        frames = run(stretch_id, poses)
        assert not any(f.in_position for f in frames), (n, stretch_id)
        assert frames[-1].reps_done == 0


@needs_data
def test_one_hand_raised_is_not_an_overhead_reach(still_estimator):
    pose = still_estimator.estimate(read_image(DATA / "ying-2626_hunckbackDetect" / "label.png"))
    assert check("overhead_reach", pose) is False


@needs_data
@pytest.mark.parametrize("name", ["biden.jpg", "obama.jpg", "two_people.jpg"])
def test_real_people_with_crossed_or_hanging_arms_are_not_the_butterfly(still_estimator, name):
    pose = still_estimator.estimate(read_image(DATA / "ageitgey_face_recognition" / name))
    assert pose is not None
    assert check("butterfly", pose) is False
    assert check("butterfly", pose, held=True) is False


@needs_data
def test_a_real_slouch_with_the_eyes_on_the_screen_is_not_a_shrug(still_estimator):
    """The laptop webcam's good and slouched frames: the eyes drop toward the shoulders, but
    the head came down, the shoulders did not rise."""
    good = still_estimator.estimate(read_image(LAPTOP / "good.png"))
    slouch = still_estimator.estimate(read_image(LAPTOP / "slouch.png"))
    relaxed = Reference(**relaxed_measures(good))
    assert relaxed_measures(slouch)["eye_height"] < 0.8 * relaxed.eye_height
    assert check("shrugs_and_rolls", slouch, relaxed) is False


@needs_data
@pytest.mark.parametrize("name", ["good.png", "slouch.png", "headturn.png", "ypr-good.png"])
def test_laptop_webcam_sitting_is_in_no_position(still_estimator, name):
    pose = still_estimator.estimate(read_image(LAPTOP / name))
    for stretch_id in ("overhead_reach", "butterfly", "upper_trapezius_stretch", "side_bend"):
        assert check(stretch_id, pose) is False, stretch_id


def tilt_head(image: np.ndarray, pose: Pose, degrees: float) -> np.ndarray:
    """Rotate the picture above the neck about the neck (a crude but honest neck side bend:
    positive degrees turn the head counter-clockwise in the image)."""
    h, w = image.shape[:2]
    neck = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    cut = (pose.mid(LM.MOUTH_LEFT, LM.MOUTH_RIGHT)[1] + neck[1]) / 2
    m = cv2.getRotationMatrix2D((float(neck[0]), float(cut)), degrees, 1.0)
    rotated = cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    blend = np.clip((np.arange(h) - (cut - 20)) / 40.0, 0, 1)[:, None, None]
    return (rotated * (1 - blend) + image * blend).astype(np.uint8)


@needs_data
def test_a_real_head_tilted_aside_is_a_neck_side_bend_and_its_side_is_seen(still_estimator):
    with open_source(TALKING / "face_1.mp4") as source:
        images = [f.image for f in source if f.index % 30 == 0]
    for image in images:
        pose = still_estimator.estimate(image)
        relaxed = Reference(**relaxed_measures(pose))
        assert check("upper_trapezius_stretch", pose, relaxed) is False
        # Counter-clockwise in the image brings the person's right ear down (camera unmirrored).
        for degrees, side in ((35, "right"), (-35, "left")):
            tilted = still_estimator.estimate(tilt_head(image, pose, degrees))
            assert check("upper_trapezius_stretch", tilted, relaxed) is True, degrees
            assert side_of("upper_trapezius_stretch", tilted, relaxed) == side
