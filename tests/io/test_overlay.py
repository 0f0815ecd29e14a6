"""Overlay drawing, real cv2 drawing checked pixel by pixel: the gauge, the status border,
the problem labels, the skeleton and the ghost, any frame size, a real detection."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from posture.core.alerts import AlertSettings
from posture.core.metrics import measure
from posture.core.pipeline import FrameResult
from posture.core.pose import LM, Pose
from posture.core.problems import LABELS, PROBLEMS
from posture.core.profile import Baseline, Profile
from posture.core.score import Assessment, assess
from posture.io.annotated_video import AnnotatedVideo
from posture.io.drawing import (
    COLOR_BAD,
    COLOR_GHOST,
    COLOR_GOOD,
    COLOR_IDLE,
    COLOR_SKELETON,
    COLOR_TEXT,
    COLOR_WARN,
)
from posture.io.library import load_library
from posture.io.overlay import (
    MonitorView,
    draw_caption,
    draw_skeleton,
    draw_status,
    render,
    render_stretch,
)
from tests.conftest import DATA
from tests.io.overlay_helpers import (
    CARD,
    GOOD,
    SLOUCHED,
    UNSURE,
    calibrated,
    frame,
    front_pose,
    gauge_rect,
    result,
)

GOOD_PNG = DATA / "openvinotoolkit_openvino_build_deploy" / "good.png"


def near(img: np.ndarray, color: tuple[int, int, int], tolerance: int = 40) -> np.ndarray:
    """Mask of the pixels within `tolerance` of `color` in every channel."""
    return np.all(np.abs(img.astype(int) - np.array(color)) <= tolerance, axis=2)


def border_color(img: np.ndarray) -> tuple[int, ...]:
    """The colour in the middle of the top border row."""
    return tuple(int(c) for c in img[0, img.shape[1] // 2])


# ---- gauge -------------------------------------------------------------------------------

@pytest.mark.parametrize(("score", "assessment", "color"), [
    (10, GOOD, COLOR_GOOD), (50, GOOD, COLOR_WARN), (80, SLOUCHED, COLOR_BAD),
    (100, SLOUCHED, COLOR_BAD)])
def test_gauge_fill_height_and_colour_follow_the_score(score: float, assessment: Assessment,
                                                       color: tuple) -> None:
    img = render(frame(), result(front_pose(), assessment, score), calibrated(), threshold=60.0)
    x0, y0, x1, y1 = gauge_rect(img.shape)
    column = img[y0:y1, (x0 + x1) // 2]  # the gauge, inside the status border of that colour
    filled = y0 + np.nonzero(np.all(column == color, axis=1))[0]
    assert filled.size, f"no {color} fill in the gauge"
    assert filled.max() == y1 - 1  # filled from the bottom...
    assert (y1 - filled.min()) / (y1 - y0) == pytest.approx(score / 100, abs=0.02)  # ...this high
    assert x1 > 0.9 * img.shape[1]  # on the right edge


def test_gauge_threshold_tick_sits_at_the_threshold() -> None:
    for threshold in (30.0, 70.0):
        img = render(frame(), result(front_pose(), GOOD, 0.0), calibrated(), threshold)
        x0, y0, x1, y1 = gauge_rect(img.shape)
        rows = np.nonzero(np.all(img[:, x0 - 1] == COLOR_TEXT, axis=1))[0]  # left of the bar
        assert rows.size
        expected = y1 - threshold / 100 * (y1 - y0)
        assert rows.mean() == pytest.approx(expected, abs=2)


def test_gauge_colour_follows_the_state() -> None:
    img = render(frame(), result(None, None, 80.0), calibrated(), threshold=60.0)  # nobody
    x0, _, x1, y1 = gauge_rect(img.shape)
    assert tuple(img[y1 - 2, (x0 + x1) // 2]) == COLOR_IDLE


# ---- status --------------------------------------------------------------------------------

@pytest.mark.parametrize(("pose", "assessment", "score", "color"), [
    (True, GOOD, 5.0, COLOR_GOOD),
    (True, SLOUCHED, 80.0, COLOR_BAD),
    (True, SLOUCHED, 20.0, COLOR_WARN),  # slouching, score still rising toward the threshold
    (True, GOOD, 55.0, COLOR_GOOD),  # sitting well again: good at once, whatever the score
    (False, None, 80.0, COLOR_IDLE),  # nobody in view
    (True, None, 10.0, COLOR_IDLE),  # someone, but not measurable
])
def test_status_border_colour(pose: bool, assessment: Assessment | None, score: float,
                              color: tuple) -> None:
    img = render(frame(value=128), result(front_pose() if pose else None, assessment, score),
                 calibrated(), threshold=60.0)
    h, w = img.shape[:2]
    for y, x in ((0, w // 2), (h - 1, w // 3), (h // 2, 0), (h // 2, w - 1)):
        assert tuple(img[y, x]) == color, (y, x)


def test_paused_is_grey_without_problem_labels() -> None:
    r = result(front_pose(), SLOUCHED, 80.0)
    paused = render(frame(value=128), r, calibrated(), state="paused")
    live = render(frame(value=128), r, calibrated())
    assert border_color(paused) == COLOR_IDLE
    band = (slice(60, 140), slice(0, 250))  # where the problem labels go at 640x480
    assert not np.array_equal(paused[band], live[band])


def test_draw_status_accepts_states_and_rejects_others() -> None:
    assert border_color(draw_status(frame(), "slouched")) == COLOR_BAD
    assert border_color(draw_status(frame(), None)) == COLOR_IDLE
    with pytest.raises(ValueError, match="unknown state"):
        draw_status(frame(), "sleepy")


def test_annotated_video_colours_follow_the_alert_threshold(tmp_path):
    """A score of 45 is past a settings file's threshold of 40 (below the default 50): the
    annotated frame is drawn slouched, red, as the prompt would be."""
    path = tmp_path / "out.mp4"
    video = AnnotatedVideo(path, 5.0, MonitorView(calibrated(), load_library(),
                                                AlertSettings(score_threshold=40.0)))
    video.write(frame(value=128), result(front_pose(), SLOUCHED, 45.0))
    video.close()
    ok, image = cv2.VideoCapture(str(path)).read()
    assert ok
    edge = image[:, 1:3].reshape(-1, 3).astype(int)
    assert np.mean(np.abs(edge - np.array(COLOR_BAD)).sum(axis=1) < 90) > 0.5


# ---- problems ------------------------------------------------------------------------------

def test_every_problem_has_a_plain_label() -> None:
    assert set(LABELS) == set(PROBLEMS)
    assert all(label.isascii() and "_" not in label for label in LABELS.values())


def test_problems_listed_at_the_top_left() -> None:
    blank = frame()

    def drawn(*problems: str) -> np.ndarray:
        return render(blank, result(None, replace(SLOUCHED, problems=problems), 80.0), None)

    none = render(blank, result(None, None, 80.0), None)
    assert np.array_equal(drawn(), none)  # no problems: no labels
    one = np.any(drawn("head_drop") != none, axis=2)
    two = np.any(drawn("head_drop", "lateral_lean") != none, axis=2)
    ys1, xs1 = np.nonzero(one)
    ys2, _ = np.nonzero(two)
    assert xs1.max() < 320 and ys1.max() < 160
    assert ys2.max() > ys1.max() + 10  # the second label goes below the first


# ---- skeleton and ghost --------------------------------------------------------------------

def test_skeleton_drawn_at_confident_landmarks_only() -> None:
    pose = front_pose()
    img = draw_skeleton(frame(), pose)
    for i in (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.NOSE):
        x, y = pose.xy[i].astype(int)
        assert near(img[y - 3:y + 4, x - 3:x + 4], COLOR_SKELETON, 10).any(), LM(i).name
    for i in UNSURE:  # unsure wrists and the forearms leading to them are left out
        x, y = pose.xy[i].astype(int)
        assert not img[y - 8:y + 9, x - 8:x + 9].any(), LM(i).name


def test_skeleton_draws_nothing_without_a_pose() -> None:
    img = frame(value=77)
    assert np.array_equal(draw_skeleton(img, None), img)


def ghost(pose: Pose | None, profile: Profile | None) -> np.ndarray:
    """The overlay of a slouched frame, where the ghost of the calibrated posture is drawn."""
    return render(frame(), result(pose, SLOUCHED, 80.0), profile)


def test_ghost_shows_the_calibrated_head_height() -> None:
    # Ear midpoint 0.7 shoulder widths above the shoulder line; the shoulders at the model's
    # edge of sureness (measured, not drawn), so the skeleton does not hide the ghost's line.
    pose = front_pose()
    pose.visibility[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]] = 0.4

    def ghost_top(profile: Profile) -> int:  # in the middle, clear of the labels at the left
        ys, _ = np.nonzero(near(ghost(pose, profile)[:, 210:430], COLOR_GHOST, 60))
        assert ys.size
        return int(ys.min())

    as_now = ghost_top(calibrated())
    taller = ghost_top(calibrated(ear_height=1.0, head_height=0.95))
    assert as_now - taller == pytest.approx(0.3 * 200, abs=4)  # 0.3 widths of 200 px higher
    shoulder_band = near(ghost(pose, calibrated())[356:365, 215:426], COLOR_GHOST)
    assert shoulder_band.sum() > 100  # the dashed shoulder line, on the current shoulders


def test_ghost_only_for_the_profiles_view_and_a_pose() -> None:
    side = Profile(view="side", baseline={"neck_inclination": Baseline(10.0, 3.0)})
    assert np.array_equal(ghost(front_pose(), side), ghost(front_pose(), None))
    assert np.array_equal(ghost(None, calibrated()), ghost(None, None))


def test_render_shows_the_ghost_only_while_slipping_for_a_calibrated_profile() -> None:
    pose, profile = front_pose(), calibrated(ear_height=1.0)

    def ghost(r: FrameResult, p: Profile) -> int:
        return int(near(render(frame(), r, p), COLOR_GHOST, 30).sum())

    assert ghost(result(pose, SLOUCHED, 80.0), profile) > 100
    assert ghost(result(pose, GOOD, 0.0), profile) == 0
    uncalibrated = Profile(**{**profile.__dict__, "calibrated": False})
    assert ghost(result(pose, SLOUCHED, 80.0), uncalibrated) == 0


# ---- robustness ----------------------------------------------------------------------------

@pytest.mark.parametrize(("height", "width"), [(1, 1), (6, 8), (48, 64), (480, 640), (640, 360),
                                               (1080, 1920)])
def test_any_frame_size_renders(height: int, width: int) -> None:
    img = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    before = img.copy()
    out = render(img, result(front_pose(width, height), SLOUCHED, 80.0),
                 calibrated(ear_height=1.0), card=CARD)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.array_equal(img, before)


def test_no_piece_modifies_its_input() -> None:
    img = np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    before = img.copy()
    pose = front_pose()
    outputs = [
        draw_skeleton(img, pose), draw_status(img, "good"), draw_caption(img, "Hold still"),
        render_stretch(img, pose, CARD),
        render(img, result(pose, SLOUCHED, 80), calibrated(ear_height=1.0), card=CARD),
    ]
    assert np.array_equal(img, before)
    assert all(out is not img and not np.array_equal(out, img) for out in outputs)


def test_landmarks_far_outside_the_frame_are_harmless() -> None:
    pose = front_pose()
    pose.xy[LM.LEFT_SHOULDER] = (1e12, -1e12)
    pose.xy[LM.NOSE] = (np.nan, 5.0)
    render(frame(), result(pose, SLOUCHED, 80.0), calibrated(ear_height=1.0))


def test_rejects_frames_that_are_not_bgr_uint8() -> None:
    with pytest.raises(ValueError, match="BGR uint8"):
        render(np.zeros((48, 64), np.uint8), result(None, None, 0.0), None)
    with pytest.raises(ValueError, match="BGR uint8"):
        draw_status(np.zeros((48, 64, 3), np.float32), "good")


# ---- a real detection ----------------------------------------------------------------------

@pytest.mark.skipif(not GOOD_PNG.is_file(), reason=f"sample images absent: {GOOD_PNG} "
                    "(the shared data folder beside the repository)")
def test_render_over_a_real_detection() -> None:
    from posture.io.estimator import PoseEstimator

    img = cv2.imread(str(GOOD_PNG))
    with PoseEstimator(video=False) as estimator:
        pose = estimator.estimate(img)
    assert pose is not None
    m = measure(pose)
    profile = Profile.defaults(m.view if m else "front")
    out = render(img, FrameResult(0.0, 0, pose, m, assess(m, profile), 0.0), profile)
    assert border_color(out) in (COLOR_GOOD, COLOR_WARN, COLOR_BAD)  # a person was assessed
    r = max(4, round(0.01 * img.shape[1]))
    for i in (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER):
        x, y = pose.xy[i].astype(int)
        assert near(out[y - r:y + r, x - r:x + r], COLOR_SKELETON, 10).any(), LM(i).name
