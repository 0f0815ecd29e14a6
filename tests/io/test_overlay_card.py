"""The stretch card on the overlay, checked pixel by pixel: a dark panel at the bottom left,
its countdown and progress bar, the current step and reason, clear of the face; a prompt's card."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posture.core.alerts import Prompt
from posture.core.cards import Card, CardShelf
from posture.core.pipeline import FrameResult
from posture.core.pose import LM, NUM_LANDMARKS, Pose
from posture.io.drawing import (
    COLOR_WARN,
)
from posture.io.library import load_library
from posture.io.overlay import (
    render,
    render_stretch,
)
from tests.io.overlay_helpers import (
    CARD,
    frame,
    result,
)


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
