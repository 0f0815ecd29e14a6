"""The overlay's layout, read back from the rendered pictures: no label overlaps another, the
score has its number, the key line is always there, the stretch card is opaque, uncrossed by
the skeleton and never over the face."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from posture.core.pipeline import FrameResult
from posture.core.pose import LM, NUM_LANDMARKS, Pose
from posture.io.drawing import COLOR_PANEL, COLOR_SKELETON, COLOR_TEXT, Style
from posture.io.layout import card_room, intersects, plan
from posture.io.overlay import (
    COLOR_KEYS,
    face_box,
    render,
    render_calibration,
    render_message,
    render_stretch,
)
from tests.io.overlay_helpers import CARD, SLOUCHED, calibrated, front_pose

KEYS = "q quit | p pause | s stretch | c calibrate | m mute | space snooze"
LABELS = ["Slouching - sit up", "Head forward", "Shoulders rounded", "Snoozed 29 min", "Muted"]
SHAPES = [(480, 640), (600, 512), (720, 1280), (1080, 1920), (480, 480)]


def boxes_of(shape: tuple[int, int], face: tuple[int, int, int, int] | None):
    s = Style.of(shape)
    layout = plan(shape, s, LABELS, "72", KEYS)
    named = {f"label {i}": b for i, b in enumerate(layout.labels)}
    named.update(number=layout.number, gauge=layout.gauge, keys=layout.keys)
    room = card_room(layout, face, s)
    return layout, named, room


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("face_x", [None, 0.2, 0.5, 0.8])
def test_no_two_pieces_overlap_and_the_card_room_avoids_the_face(shape, face_x):
    h, w = shape
    face = None if face_x is None else (round((face_x - 0.1) * w), round(0.15 * h),
                                        round((face_x + 0.1) * w), round(0.5 * h))
    layout, named, room = boxes_of(shape, face)
    for (a, box_a), (b, box_b) in itertools.combinations(named.items(), 2):
        assert not intersects(box_a, box_b), (a, b, box_a, box_b)
    for name, box in named.items():  # everything inside the frame
        assert 0 <= box[0] < box[2] <= w and 0 <= box[1] < box[3] <= h, name
    assert room is not None, "a frame this size has room for the card"
    assert all(not intersects(room, box) for box in named.values())
    assert face is None or not intersects(room, face)


def result(pose: Pose | None, score: float = 72.0) -> FrameResult:
    return FrameResult(0.0, 0, pose, None, SLOUCHED, score)


def noise(h: int = 480, w: int = 640, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_the_card_is_opaque_and_the_skeleton_does_not_cross_it():
    pose = front_pose()
    # An arm reaching across the lower left, where the card goes.
    pose.xy[LM.LEFT_WRIST] = (40, 400)
    pose.visibility[LM.LEFT_WRIST] = 0.99
    img = noise()
    out = render(img, result(pose), calibrated(), 50.0, CARD)
    plain = render(img, result(pose), calibrated(), 50.0)
    changed = np.any(out != plain, axis=2)
    ys, xs = np.nonzero(changed)
    card = out[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    # Behind the text the panel is one flat colour: the noisy frame does not show through.
    assert np.mean(np.all(card == COLOR_PANEL, axis=2)) > 0.5
    other = render(noise(seed=1), result(pose), calibrated(), 50.0, CARD)
    assert np.array_equal(other[ys.min():ys.max() + 1, xs.min():xs.max() + 1], card)
    assert not np.any(np.all(card == COLOR_SKELETON, axis=2))  # no skeleton line on it
    assert np.any(np.all(plain[ys.min():ys.max() + 1, xs.min():xs.max() + 1] == COLOR_SKELETON,
                         axis=2))  # ...though the skeleton runs there under it


@pytest.mark.parametrize("nose_x", [0.3, 0.5, 0.7])
def test_the_card_never_covers_the_face(nose_x):
    img = np.full((480, 640, 3), 128, np.uint8)
    pose = front_pose()
    pose.xy[:, 0] += (nose_x - 0.5) * 640  # the sitter moved sideways
    face = face_box(pose, img.shape)
    assert face is not None
    x0, y0, x1, y1 = (max(0, v) for v in face)
    out = render_stretch(img, pose, CARD)
    bare = render_stretch(img, pose, CARD.__class__("", ()))  # a card with nothing to show
    assert np.array_equal(out[y0:y1, x0:x1], bare[y0:y1, x0:x1])
    assert np.any(out != bare)  # the card was drawn, elsewhere


def test_the_score_has_its_number_above_the_gauge():
    img = np.full((480, 640, 3), 128, np.uint8)
    number = plan(img.shape, Style.of(img.shape), [], "0", None).number
    x0, y0, x1, y1 = number

    def digits(score: float) -> np.ndarray:
        return render(img, result(front_pose(), score), calibrated())[y0:y1, x0:x1]

    assert not np.array_equal(digits(72.0), digits(12.0))
    assert np.array_equal(digits(72.2), digits(71.8))  # whole points


@pytest.mark.parametrize("picture", ["render", "message", "calibration", "stretch"])
@pytest.mark.parametrize("shape", [(480, 640), (600, 512), (1080, 1920)])
def test_the_key_line_is_always_there(picture, shape):
    img = np.full((*shape, 3), 128, np.uint8)
    pose = front_pose(shape[1], shape[0])
    draw = {"render": lambda k: render(img, result(pose), calibrated(), 50.0, CARD, keys=k),
            "message": lambda k: render_message(img, "paused", "Paused - press p", keys=k),
            "calibration": lambda k: render_calibration(img, pose, "Sit tall (3 s)", keys=k),
            "stretch": lambda k: render_stretch(img, pose, CARD, keys=k)}[picture]
    out = draw(KEYS)
    keys = plan(shape, Style.of(shape), [], "", KEYS).keys
    assert keys is not None
    band = out[keys[1]:keys[3], keys[0]:keys[2]]
    assert np.mean(np.all(band == COLOR_KEYS, axis=2)) > 0.6  # its dark band...
    assert np.any(np.all(band == COLOR_TEXT, axis=2))  # ...with the keys written on it
    assert not np.array_equal(out, draw(None))


def test_badges_stack_under_the_labels_without_overlap():
    img = np.full((480, 640, 3), 128, np.uint8)
    base = render(img, result(front_pose()), calibrated())
    marked = render(img, result(front_pose()), calibrated(), badges=("Snoozed 29 min", "Muted"))
    ys, xs = np.nonzero(np.any(marked != base, axis=2))
    labels = plan(img.shape, Style.of(img.shape), LABELS, "72", None).labels
    assert ys.min() >= labels[3][1] and ys.max() < labels[4][3] and xs.max() < 320


def test_paused_shows_paused_in_place_of_the_state():
    img = noise()
    paused = render_message(img, "paused", "Paused - press p to resume")
    slouched = render(img, result(front_pose()), calibrated())
    box = plan(img.shape, Style.of(img.shape), ["Paused"], "", None).labels[0]
    region = (slice(box[1], box[3]), slice(box[0], box[2]))
    fresh = render_message(noise(seed=3), "paused", "Paused - press p to resume")
    assert np.array_equal(paused[region], fresh[region])  # only "Paused" there
    assert not np.array_equal(paused[region], slouched[region])


def test_a_face_box_holds_the_head_and_is_none_without_one():
    pose = front_pose()
    x0, y0, x1, y1 = face_box(pose, (480, 640))
    for i in (LM.NOSE, LM.LEFT_EAR, LM.RIGHT_EAR, LM.LEFT_EYE):
        assert x0 < pose.xy[i][0] < x1 and y0 < pose.xy[i][1] < y1
    assert y1 < pose.xy[LM.LEFT_SHOULDER][1]  # not down to the shoulders
    unseen = Pose(np.zeros((NUM_LANDMARKS, 2)), np.zeros(NUM_LANDMARKS),
                  np.zeros((NUM_LANDMARKS, 3)), 640, 480)
    assert face_box(unseen, (480, 640)) is None and face_box(None, (480, 640)) is None


def test_a_short_room_drops_whole_parts_reason_first():
    from posture.core.cards import Card
    from posture.io.drawing import COLOR_MUTED, COLOR_WARN, draw_card

    card = Card("Chin tuck", ("Sit tall.", "Draw your chin straight back.", "Hold, then relax."),
                dose="hold 5 s, 10 times", reason="Trains the deep neck muscles.",
                footer="Not medical advice.")
    s = Style.of((480, 640))

    def drawn(height: int) -> np.ndarray:
        out = np.full((480, 640, 3), 128, np.uint8)
        draw_card(out, card, s, (10, 470 - height, 330, 470), 320)
        return out

    full, short = drawn(400), drawn(150)
    muted = [int(np.all(out == COLOR_MUTED, axis=2).sum()) for out in (full, short)]
    assert muted[0] > 100  # reason and footer when there is room (in their grey)...
    assert muted[1] < 0.1 * muted[0]  # ...gone first when there is not (white text's edges)
    assert np.any(np.all(short == COLOR_WARN, axis=2))  # the dose stays
    rows = np.nonzero(np.any(np.all(short == COLOR_TEXT, axis=2), axis=1))[0]
    assert rows.size and rows.max() > 400  # steps still written at the bottom of the card
