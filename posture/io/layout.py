"""Where each piece of the overlay goes, as boxes that never overlap: the state and the labels
under it (top left), the score's number and gauge (right edge), the key line (bottom), and the
stretch card in the room left, beside or below the face and never over it.

Boxes are (x0, y0, x1, y1) in pixels, ends exclusive. Text sizes come from cv2, so a box holds
exactly what `posture.io.drawing` draws in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2

from posture.io.drawing import FONT, Style, ascii_text, wrap

Box = tuple[int, int, int, int]
CARD_WIDTH = 0.5  # the stretch card takes at most this share of the frame width...
CARD_WIDTH_UNITS = 330  # ...and at most this many reference pixels
CARD_MIN_UNITS = 150  # narrower room than this (reference pixels) is no place for the card
GAUGE_UNITS = 14  # the gauge's width in reference pixels


def intersects(a: Box, b: Box) -> bool:
    """True when two boxes share a pixel."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_size(text: str, s: Style) -> tuple[int, int]:
    """(width, height) of `drawing.label`'s panel for `text`."""
    (tw, th), base = cv2.getTextSize(ascii_text(text), FONT, s.font, s.thick)
    pad = max(1, round(4 * s.unit))
    return tw + 2 * pad, th + base + 2 * pad


KEY_SEPARATOR = "  |  "  # between the keys of the key line; a line breaks only there


def key_lines(text: str, width: int, s: Style) -> list[str]:
    """The key line wrapped to `width` pixels between keys (a narrow frame takes two lines;
    a single key wider than that is wrapped by words)."""
    lines: list[str] = []
    for item in ascii_text(text).split(KEY_SEPARATOR.strip()):
        item = item.strip()
        candidate = f"{lines[-1]}{KEY_SEPARATOR}{item}" if lines else item
        if lines and cv2.getTextSize(candidate, FONT, s.font, s.thick)[0][0] <= width:
            lines[-1] = candidate
        elif cv2.getTextSize(item, FONT, s.font, s.thick)[0][0] <= width:
            lines.append(item)
        else:
            lines += wrap(item, width, s.font, s.thick)
    return lines


@dataclass(frozen=True)
class Layout:
    """The boxes of one frame's overlay."""

    shape: tuple[int, int]  # (height, width)
    labels: tuple[Box, ...]  # the state first, then problems and badges, top to bottom
    number: Box  # the score's number, above the gauge
    gauge: Box
    keys: Box | None  # the key line's band, None when there is none
    keys_lines: tuple[str, ...]
    room: Box  # what is left for a card or a caption: below the labels, left of the gauge

    @property
    def bottom(self) -> int:
        """The lowest row a caption may use (above the key line)."""
        return self.room[3]


def plan(shape: Sequence[int], s: Style, labels: Sequence[str], score_text: str,
         keys: str | None) -> Layout:
    """Place the labels (stacked at the top left), the score number and gauge (top right,
    down the right edge) and the key line (a band along the bottom) in a frame of `shape`."""
    h, w = shape[:2]
    inset = s.border + s.margin
    keys_box, lines = None, []
    bottom = h - inset
    if keys:
        lines = key_lines(keys, w - 2 * inset, s)
        band = len(lines) * s.line_height() + s.margin
        keys_box = (s.border, max(s.border, h - s.border - band), w - s.border, h - s.border)
        bottom = keys_box[1] - s.margin
    nw, nh = label_size("100", s) if score_text else (0, 0)
    gauge_w = max(2, round(GAUGE_UNITS * s.unit))
    x1 = w - inset
    number = (x1 - max(nw, gauge_w), inset, x1, inset + nh)
    gauge = (x1 - gauge_w, number[3] + s.margin // 2, x1, max(number[3] + s.margin // 2, bottom))
    boxes: list[Box] = []
    y = inset
    for text in labels:
        lw, lh = label_size(text, s)
        boxes.append((inset, y, min(inset + lw, max(inset, number[0] - s.margin)), y + lh))
        y += lh + s.margin // 2
    right = min(number[0], gauge[0]) - s.margin
    room = (inset, min(y + s.margin // 2, bottom), max(inset, right), bottom)
    return Layout((h, w), tuple(boxes), number, gauge, keys_box, tuple(lines), room)


def card_room(layout: Layout, face: Box | None, s: Style) -> Box | None:
    """The part of the layout's room the stretch card may fill: all of it when no face is in
    it, else the widest usable part to the left, right or below the face; None when no part
    is wide enough (the card is then not drawn rather than drawn over the face)."""
    x0, y0, x1, y1 = layout.room
    if x1 <= x0 or y1 <= y0:
        return None
    if face is None or not intersects(face, layout.room):
        candidates = [layout.room]
    else:
        gap = s.margin
        candidates = [(x0, y0, min(x1, face[0] - gap), y1),  # left of the face
                      (max(x0, face[2] + gap), y0, x1, y1),  # right of it
                      (x0, max(y0, face[3] + gap), x1, y1)]  # below it
    widest = max_card_width(layout.shape[1], s)
    usable = [c for c in candidates
              if c[2] - c[0] >= CARD_MIN_UNITS * s.unit and c[3] > c[1]]
    if not usable:
        return None
    return max(usable, key=lambda c: min(c[2] - c[0], widest) * (c[3] - c[1]))


def max_card_width(width: int, s: Style) -> int:
    """The widest a card is drawn in a frame `width` pixels wide."""
    return round(min(CARD_WIDTH * width, CARD_WIDTH_UNITS * s.unit))
