"""Pose estimation on real images: formats and sizes, model checks, clean close."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest

from posture.core.errors import UserError
from posture.core.pose import LM, body_scale
from posture.core.tracker import UserTracker
from posture.io.estimator import PoseEstimator, model_path
from posture.io.sources import read_image
from tests.conftest import DATA, needs_data
from tests.synthetic import Camera, synthesize

PORTRAIT_PATH = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
PORTRAIT = read_image(PORTRAIT_PATH)


def shoulders_x(pose) -> tuple[float, float]:
    return float(pose.xy[LM.LEFT_SHOULDER][0]), float(pose.xy[LM.RIGHT_SHOULDER][0])


def test_portrait_gives_a_plain_pose(still_estimator):
    pose = still_estimator.estimate(PORTRAIT)
    assert pose is not None
    assert pose.xy.shape == (33, 2) and pose.visibility.shape == (33,)
    assert pose.world.shape == (33, 3)
    assert (pose.width, pose.height) == (PORTRAIT.shape[1], PORTRAIT.shape[0])
    assert pose.visible(LM.NOSE, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    left, right = shoulders_x(pose)
    assert left > right  # the person's left is on the image's right (no mirroring)
    assert pose.xy[LM.NOSE][1] < pose.xy[LM.LEFT_SHOULDER][1]


@pytest.mark.parametrize("convert", [
    lambda im: cv2.cvtColor(im, cv2.COLOR_BGR2BGRA),
    lambda im: cv2.resize(im, None, fx=6, fy=6),  # very large: 3072x3600
    lambda im: cv2.resize(im, (51, 60), interpolation=cv2.INTER_AREA),  # tiny
    lambda im: (im.astype(np.uint16) * 257),  # 16-bit
], ids=["bgra", "huge", "tiny", "16bit"])
def test_any_frame_format_and_size(still_estimator, convert):
    frame = convert(PORTRAIT)
    pose = still_estimator.estimate(frame)
    reference = still_estimator.estimate(PORTRAIT)
    assert pose is not None
    # Landmarks come back in the frame's own pixels, in the same place relative to its size.
    scale = frame.shape[1] / PORTRAIT.shape[1]
    tol = max(0.04 * frame.shape[1], 3.0)
    for i in (LM.NOSE, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER):
        assert np.linalg.norm(pose.xy[i] - reference.xy[i] * scale) < tol


@needs_data
def test_grayscale_frames(still_estimator):
    # The matplotlib portrait is not found in gray by the model itself; a webcam frame is.
    color = read_image(DATA / "openvinotoolkit_openvino_build_deploy" / "good.png")
    gray = cv2.cvtColor(color, cv2.COLOR_BGR2GRAY)
    pose, reference = still_estimator.estimate(gray), still_estimator.estimate(color)
    assert pose is not None and gray.ndim == 2
    assert np.linalg.norm(pose.xy[LM.NOSE] - reference.xy[LM.NOSE]) < 0.03 * gray.shape[1]


def test_blank_frame_is_nobody(still_estimator):
    assert still_estimator.estimate(np.zeros((240, 320, 3), np.uint8)) is None


def test_video_mode_tracks_and_closes_cleanly():
    with PoseEstimator(video=True) as est:
        poses = [est.estimate(PORTRAIT, t * 0.1) for t in range(5)]
    assert all(p is not None for p in poses)
    with pytest.raises(RuntimeError):
        est.estimate(PORTRAIT, 1.0)
    est.close()  # idempotent


def test_native_logging_stays_out_of_the_terminal():
    # Nobody in the first frames, then someone: MediaPipe logs a warning on the first pose it
    # projects, whenever that comes.
    code = ("from posture.io.estimator import PoseEstimator\n"
            "from posture.io.sources import read_image\n"
            "import numpy as np\n"
            f"portrait = read_image({str(PORTRAIT_PATH)!r})\n"
            "frames = [np.zeros((240, 320, 3), np.uint8)] * 2 + [portrait] * 2\n"
            "with PoseEstimator() as e:\n"
            "    found = [e.estimate(f, i * 0.2) is not None for i, f in enumerate(frames)]\n"
            "assert found == [False, False, True, True], found\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0
    assert proc.stderr.strip() == ""


def test_corrupt_or_missing_model_says_what_to_run(tmp_path, monkeypatch):
    from posture.io import estimator

    models = tmp_path / "models"
    models.mkdir()
    real = model_path()
    (models / real.name).write_bytes(real.read_bytes()[:-10] + b"0123456789")
    (models / (real.name + ".sha256")).write_text((real.parent / (real.name + ".sha256"))
                                                  .read_text())
    monkeypatch.setattr(estimator, "models_dir", lambda: models)
    with pytest.raises(UserError, match="corrupt.*build_pose_model.py"):
        model_path()
    (models / real.name).unlink()
    with pytest.raises(UserError, match="missing.*build_pose_model.py"):
        model_path()


def scene(passer_x: float | None, user_x: int = 200, factor: float = 1.15) -> np.ndarray:
    """The user at the desk (left edge at user_x), and maybe a passer-by `factor` times larger,
    drawn over anything behind them, whose left edge is at passer_x."""
    canvas = np.full((720, 1280, 3), 200, np.uint8)
    h, w = PORTRAIT.shape[:2]
    canvas[100:100 + h, user_x:user_x + w] = PORTRAIT
    if passer_x is not None:
        big = cv2.resize(cv2.flip(PORTRAIT, 1), None, fx=factor, fy=factor)
        x0 = int(passer_x)
        a, b = max(0, x0), min(1280, x0 + big.shape[1])
        rows = min(big.shape[0], 700)
        if b > a:
            canvas[20:20 + rows, a:b] = big[:rows, a - x0:b - x0]
    return canvas


def test_a_passer_by_never_takes_over():
    # A larger person walks in from the right, stops beside the user, and walks out again.
    path = [None] * 5 + list(np.linspace(1280, 700, 12)) + list(np.linspace(700, 1280, 6))
    with PoseEstimator(video=True) as est:
        poses = [est.estimate(scene(x), i * 0.2) for i, x in enumerate(path)]
    user = poses[0].mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    followed = [p for p in poses if p is not None]
    assert len(followed) >= 0.8 * len(poses)
    for p in followed:  # whenever someone is reported, it is the user
        assert np.linalg.norm(p.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER) - user) < 100
    assert poses[-1] is not None


def test_a_passer_by_crossing_in_front_is_never_followed():
    # The passer covers the user for a few seconds on the way across: nobody is reported then,
    # the passer is never taken for the user, and the user is found again once they have gone.
    path = [None] * 5 + list(np.linspace(1280, -700, 30)) + [None] * 5
    with PoseEstimator(video=True) as est:
        poses = [est.estimate(scene(x, user_x=440, factor=1.3), i * 0.2)
                 for i, x in enumerate(path)]
    user = poses[0].mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    for i, p in enumerate(poses):
        if p is not None:
            assert np.linalg.norm(p.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER) - user) < 100, i
    assert sum(p is None for p in poses) >= 8  # the user was hidden for a while
    assert all(p is not None for p in poses[-5:])


def scaled(pose, factor: float, centre_x: float):
    """The pose made `factor` times larger and moved so its shoulders centre on centre_x."""
    mid = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    xy = (pose.xy - mid) * factor + [centre_x, mid[1]]
    return dataclasses.replace(pose, xy=xy)


def test_a_larger_person_at_the_edge_is_not_taken_for_the_user():
    # By area alone the larger person near the left edge would win: centrality counts too.
    user = synthesize(camera=Camera(width=1280, height_px=720))
    other = scaled(user, 1.3, 250.0)
    assert UserTracker().choose([other, user], 0.0) is user


def test_the_tracker_refuses_a_sudden_jump_in_place_or_size():
    user = synthesize(camera=Camera(width=1280, height_px=720))
    tracker = UserTracker()
    assert tracker.choose([user], 0.0) is user
    leaning = scaled(user, 1.05, 660.0)  # leaning in and shifting a little: still the user
    assert tracker.choose([leaning], 0.2) is leaning
    assert tracker.choose([scaled(user, 1.3, 640.0)], 0.4) is None  # someone in front
    assert tracker.choose([scaled(user, 1.0, 1240.0)], 0.6) is None  # someone beside
    assert tracker.choose([user], 2.0) is user  # the user again, where they were
    assert tracker.choose([], 2.2) is None  # the user has gone...
    assert tracker.choose([scaled(user, 1.3, 640.0)], 10.0) is None  # ...still not after a while
    stranger = scaled(user, 1.3, 640.0)
    assert tracker.choose([stranger], 40.0) is stranger  # a new person at the desk
    # Frames a few seconds apart (the settled sampling rate): the user shifting in the chair
    # between two of them is still followed.
    tracker = UserTracker()
    assert tracker.choose([user], 0.0) is user
    shifted = scaled(user, 1.0, 640.0 + 0.5 * body_scale(user))
    assert tracker.choose([shifted], 3.03) is shifted
