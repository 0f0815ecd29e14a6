"""Overlay drawing: real cv2 drawing checked pixel by pixel, and a real window under Xvfb."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from posture.core.alerts import AlertSettings, Prompt
from posture.core.cards import Card, CardShelf
from posture.core.metrics import measure
from posture.core.pipeline import FrameResult
from posture.core.pose import LM, NUM_LANDMARKS, Pose
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
    Style,
)
from posture.io.layout import plan
from posture.io.library import load_library
from posture.io.overlay import (
    MonitorView,
    draw_caption,
    draw_skeleton,
    draw_status,
    render,
    render_stretch,
)
from tests.conftest import DATA, REPO, screen_when

GOOD_PNG = DATA / "openvinotoolkit_openvino_build_deploy" / "good.png"

# A frontal sitter as fractions of the frame: at 640x480 the shoulders are 200 px apart at
# y=360, the ear midpoint 140 px above them. The wrists are there but unsure (not drawn).
FRONT = {
    LM.NOSE: (0.5, 0.48), LM.LEFT_EYE: (0.53, 0.44), LM.RIGHT_EYE: (0.47, 0.44),
    LM.LEFT_EAR: (0.5625, 0.4625), LM.RIGHT_EAR: (0.4375, 0.4625),
    LM.LEFT_SHOULDER: (0.65625, 0.75), LM.RIGHT_SHOULDER: (0.34375, 0.75),
    LM.LEFT_ELBOW: (0.69, 0.95), LM.RIGHT_ELBOW: (0.31, 0.95),
}
UNSURE = {LM.LEFT_WRIST: (0.75, 0.6), LM.RIGHT_WRIST: (0.25, 0.6)}

GOOD = Assessment("front", {}, {}, (), "good", 0.0)
SLOUCHED = Assessment("front", {}, {}, ("forward_head", "rounded_shoulders"), "slouched", 0.6)
CARD = Card(
    title="Doorway pectoral stretch",
    steps=("Stand in a doorway with your forearms on the frame, elbows at shoulder height.",
           "Step forward slowly until you feel a stretch across your chest \u2013 no pain.",
           "Breathe."),
    dose="hold 15-30 s, 3 times", countdown_s=25.0, countdown_of=30.0,
    footer="Not medical advice.")


def front_pose(width: int = 640, height: int = 480) -> Pose:
    """FRONT (confident) and UNSURE landmarks scaled to a frame; the rest unseen."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    vis = np.zeros(NUM_LANDMARKS)
    for points, confidence in ((FRONT, 0.99), (UNSURE, 0.1)):
        for i, (fx, fy) in points.items():
            xy[i] = (fx * width, fy * height)
            vis[i] = confidence
    return Pose(xy=xy, visibility=vis, world=np.zeros((NUM_LANDMARKS, 3)),
                width=width, height=height)


def gauge_rect(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Where the gauge goes in a frame of this shape (without a key line)."""
    return plan(shape, Style.of(shape), [], "0", None).gauge


def result(pose: Pose | None, assessment: Assessment | None, score: float) -> FrameResult:
    return FrameResult(t=0.0, frame=0, pose=pose, measurement=None, assessment=assessment,
                       score=score)


def calibrated(**centres: float) -> Profile:
    """A front-view profile whose centres match front_pose, except those given."""
    base = {"head_height": 0.65, "ear_height": 0.7, "face_size": 0.4, "neck_length": 1.75,
            "head_pitch": -0.125, "shoulder_tilt": 0.0, "head_offset": 0.0}
    base.update(centres)
    return Profile(view="front", baseline={k: Baseline(v, 0.03) for k, v in base.items()})


def frame(height: int = 480, width: int = 640, value: int = 0) -> np.ndarray:
    return np.full((height, width, 3), value, np.uint8)


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


# ---- card ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("height", "width"), [(480, 640), (1080, 1920)])
def test_card_is_a_dark_panel_at_the_bottom_left(height: int, width: int) -> None:
    img = frame(height, width, value=200)
    changed = np.any(render_stretch(img, None, CARD) != img, axis=2)
    out = render_stretch(img, None, CARD)
    ys, xs = np.nonzero(changed)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    assert x0 < 0.05 * width and x1 <= 0.55 * width  # on the left, at most half the width
    assert y1 > 0.95 * height and y0 > 0.1 * height  # anchored at the bottom
    assert not changed[:y0].any() and not changed[:, x1:].any()  # nothing drawn outside
    assert out[y0:y1, x0:x1].mean() < 150  # darker than the frame: a panel under the text
    # The text wraps inside the panel: its right edge is panel, not a stray stroke of text.
    assert np.mean(out[y0:y1, x1 - 1] < 150) > 0.95


def test_card_text_scales_with_the_frame() -> None:
    def card_height(h: int, w: int) -> int:
        img = frame(h, w, value=200)
        ys, _ = np.nonzero(np.any(render_stretch(img, None, CARD) != img, axis=2))
        return int(ys.max() - ys.min())

    assert card_height(1080, 1920) / card_height(480, 640) == pytest.approx(1080 / 480, rel=0.25)


def tuck(countdown: float | None = None, of: float | None = None, **fields) -> Card:
    """A one-step card, with a countdown when given."""
    return Card("Chin tuck", ("Tuck your chin.",), countdown_s=countdown, countdown_of=of,
                **fields)


def test_card_countdown_text_changes_the_picture() -> None:
    img = frame(value=200)
    at = {r: render_stretch(img, None, tuck(r)) for r in (9, 8)}
    changed = np.any(at[9] != at[8], axis=2)  # no progress bar without its length: only text
    ys, xs = np.nonzero(changed)
    assert ys.size > 20
    panel_ys, _ = np.nonzero(np.any(at[9] != img, axis=2))
    assert panel_ys.min() < ys.min() and ys.max() < panel_ys.max()  # inside the card
    assert np.array_equal(at[9], render_stretch(img, None, tuck(8.2)))  # whole seconds, rounded up


def test_card_progress_bar_follows_the_hold() -> None:
    img = frame(value=200)

    def bar(remaining: float) -> int:
        out = render_stretch(img, None, tuck(remaining, 10.0))
        return int(np.all(out == COLOR_WARN, axis=2).sum(axis=1).max())  # widest amber row

    assert bar(9.0) == pytest.approx(2 * bar(4.5), abs=2)


def test_a_card_without_a_running_hold_has_no_countdown() -> None:
    """A prompt's card shows the dose, not a clock: nothing on it is counting down."""
    img = frame(value=200)
    still = render_stretch(img, None, tuck(dose="hold 5 s, 10 times"))
    assert np.array_equal(still, render_stretch(img, None, tuck(dose="hold 5 s, 10 times")))
    assert not np.any(np.all(still == COLOR_WARN, axis=2).sum(axis=1) > 0.3 * img.shape[1])


def test_card_marks_the_current_step_and_shows_the_reason() -> None:
    img = frame(value=200)
    steps = ("Sit tall.", "Tilt your ear to your shoulder.")
    first = render_stretch(img, None, Card("Neck", steps, current=0))
    second = render_stretch(img, None, Card("Neck", steps, current=1))
    amber = [np.nonzero(np.any(np.abs(out.astype(int) - COLOR_WARN).sum(axis=2)[..., None] < 60,
                               axis=2))[0] for out in (first, second)]
    assert amber[0].size and amber[1].size and amber[0].mean() < amber[1].mean()
    plain = render_stretch(img, None, Card("Neck", steps))
    reasoned = render_stretch(img, None, Card("Neck", steps, reason="Eases the neck muscles."))

    def top(out: np.ndarray) -> int:
        return int(np.nonzero(np.any(out != img, axis=2))[0].min())

    assert top(reasoned) < top(plain)  # one more line: the card grows upward


def face_at(x: float, img: np.ndarray) -> Pose:
    """A pose whose only landmark seen is the nose, at `x` pixels."""
    h, w = img.shape[:2]
    xy, vis = np.zeros((NUM_LANDMARKS, 2)), np.zeros(NUM_LANDMARKS)
    xy[LM.NOSE], vis[LM.NOSE] = (x, 0.3 * h), 0.99
    return Pose(xy=xy, visibility=vis, world=np.zeros((NUM_LANDMARKS, 3)), width=w, height=h)


def with_card(img: np.ndarray, face_x: float) -> np.ndarray:
    return render(img, result(face_at(face_x, img), None, 0.0), None, card=CARD)


def without_card(img: np.ndarray, face_x: float) -> np.ndarray:
    return render(img, result(face_at(face_x, img), None, 0.0), None)


def test_card_keeps_clear_of_a_face_on_the_left() -> None:
    img = frame(360, 640, value=200)
    _, xs = np.nonzero(np.any(with_card(img, 150.0) != without_card(img, 150.0), axis=2))
    assert xs.min() > 320  # at the right, beside the gauge
    _, xs = np.nonzero(np.any(with_card(img, 450.0) != without_card(img, 450.0), axis=2))
    assert xs.max() < 330


def test_card_keeps_what_fits_in_a_short_frame() -> None:
    long = Card("Stretch", tuple(f"Step number {n} of a long routine." for n in range(40)))
    img = frame(240, 320, value=200)
    ys, _ = np.nonzero(np.any(render_stretch(img, None, long) != img, axis=2))
    assert ys.min() > 0 and ys.max() < 240


def prompt_at(t: float) -> FrameResult:
    """A frame whose prompt names the shoulder blade squeeze, with its reason."""
    p = Prompt(t, "posture", ("rounded_shoulders",), ("shoulder_blade_squeeze", "butterfly"),
               "text", 0, ("Strengthens the mid back.", "Moves the shoulder blades."))
    return FrameResult(t, 0, None, None, None, 0.0, p)


def test_a_prompt_card_shows_the_dose_and_reason_for_the_settings_time():
    shelf = CardShelf(load_library(), seconds=12.0)
    card = shelf.update(prompt_at(5.0))
    assert card is not None and card.title == "Shoulder blade squeeze"
    assert card.reason == "Strengthens the mid back." and card.dose == "hold 5 s, 10 times"
    assert card.countdown_s is None  # the card's lifetime is no hold to count down
    later = shelf.update(replace(prompt_at(16.9), prompt=None))
    assert later == card
    assert shelf.update(replace(prompt_at(17.0), prompt=None)) is None


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


# ---- a real window -------------------------------------------------------------------------

SHOW = """
import sys, time
import numpy as np
from posture.io.window import show
picture = np.load(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    if show(picture, wait_ms=20) is None:
        sys.exit("show() found no display")
"""


def test_window_shows_the_overlay_under_xvfb(xvfb, tmp_path: Path) -> None:
    display, grab = xvfb
    picture = render(frame(360, 640, value=128), result(front_pose(640, 360), GOOD, 30.0),
                     calibrated(), threshold=60.0)
    np.save(tmp_path / "picture.npy", picture)
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env.update(DISPLAY=display, PYTHONPATH=str(REPO))
    def start() -> subprocess.Popen:
        # A separate process: should the GUI toolkit abort, it must not take pytest with it.
        return subprocess.Popen([sys.executable, "-c", SHOW, str(tmp_path / "picture.npy"), "20"],
                                cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def painted(screen: np.ndarray) -> bool:  # the whole picture, not half-drawn
        ys, xs = np.nonzero(np.all(screen == COLOR_GOOD, axis=2))
        if len(ys) <= 2000 or (np.ptp(ys) + 1, np.ptp(xs) + 1) != (360, 640):
            return False
        top, left = ys.min(), xs.min()
        return np.array_equal(screen[top:top + 360, left:left + 640], picture)

    screen, child = screen_when(grab, start, painted)
    alive = child.poll() is None  # still showing the window: it did not crash
    child.terminate()
    _, stderr = child.communicate(timeout=30)
    assert alive, f"window process failed: {stderr.decode(errors='replace')}"

    green = np.all(screen == COLOR_GOOD, axis=2)
    assert green.sum() > 2000, "the green status border never appeared on screen"
    ys, xs = np.nonzero(green)
    top, left = ys.min(), xs.min()
    # The border outlines the whole 640x360 picture, wherever the window was placed.
    assert (ys.max() - top + 1, xs.max() - left + 1) == (360, 640)
    shown = screen[top:top + 360, left:left + 640]
    assert np.array_equal(shown, picture)
    x0, y0, x1, y1 = gauge_rect(picture.shape)
    x = (x0 + x1) // 2
    assert tuple(shown[y1 - round(0.15 * (y1 - y0)), x]) == COLOR_GOOD  # filled to 30 %...
    assert shown[y1 - round(0.45 * (y1 - y0)), x].max() < 80  # ...dark panel above
    assert tuple(shown[y1 - round(0.6 * (y1 - y0)), x0 - 1]) == COLOR_TEXT  # threshold tick


def test_show_without_a_display_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from posture.io import window

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    window.display_problem.cache_clear()
    assert window.show(frame()) is None
    window.display_problem.cache_clear()
