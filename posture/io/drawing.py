"""Drawing primitives for the overlay: sizes that scale with the frame, text on panels, dashed
lines, and the stretch card's panel. cv2 drawing on numpy BGR images, in place; no window."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from posture.core.cards import Card

Color = tuple[int, int, int]  # B, G, R

COLOR_GOOD: Color = (60, 190, 40)  # green
COLOR_WARN: Color = (0, 170, 255)  # amber
COLOR_BAD: Color = (40, 40, 230)  # red
COLOR_IDLE: Color = (150, 150, 150)  # grey
COLOR_SKELETON: Color = (255, 220, 0)  # cyan-blue: unlike any status colour
COLOR_GHOST: Color = (255, 160, 210)  # lavender
COLOR_TEXT: Color = (255, 255, 255)
COLOR_MUTED: Color = (215, 215, 215)  # secondary text, still readable on the panel
COLOR_PANEL: Color = (30, 30, 30)

FONT = cv2.FONT_HERSHEY_SIMPLEX
REFERENCE_SIDE = 480  # sizes below are in pixels of a frame whose short side is this long
PANEL_ALPHA = 0.65  # opacity of the dark panels behind the gauge and captions
MAX_DASHES = 1000  # a dashed line far larger than any frame stops after this many dashes

# Typographic replacements for text cv2.putText cannot draw (it only knows ASCII).
_ASCII = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00b0": " deg",
                        "\u00d7": "x", "\u00a0": " "})


@dataclass(frozen=True)
class Style:
    """Sizes for one frame: everything scales with the frame's short side."""

    unit: float
    border: int
    margin: int
    font: float
    thick: int

    @staticmethod
    def of(shape: Sequence[int]) -> Style:
        unit = min(shape[:2]) / REFERENCE_SIDE
        return Style(unit=unit, border=max(1, round(6 * unit)), margin=max(1, round(10 * unit)),
                     font=max(0.3, 0.5 * unit), thick=max(1, round(1.6 * unit)))

    def line_height(self, scale: float = 1.0) -> int:
        """Height of one text line at `scale` times the body font, with spacing."""
        (_, h), base = cv2.getTextSize("Ag", FONT, self.font * scale, self.thick)
        return h + base + max(1, round(4 * self.unit * scale))


def canvas(img: np.ndarray) -> np.ndarray:
    """A copy of a BGR uint8 frame to draw on."""
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
        raise ValueError(f"expected a BGR uint8 frame (H, W, 3), got {img.dtype} {img.shape}")
    return img.copy()


def point(p: np.ndarray) -> tuple[int, int] | None:
    """Integer pixel point for cv2, None when not finite; far-off points are pulled in so
    cv2's fixed-point arithmetic cannot overflow (the clipped part is off-screen anyway)."""
    x, y = float(p[0]), float(p[1])  # plain floats: numpy calls per point cost ~0.4 ms a frame
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    limit = 1 << 20
    return min(max(round(x), -limit), limit), min(max(round(y), -limit), limit)


def shade(out: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    """Darken a rectangle with a translucent panel."""
    roi = out[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)]
    if roi.size:
        panel = np.empty_like(roi)
        panel[:] = COLOR_PANEL
        cv2.addWeighted(panel, PANEL_ALPHA, roi, 1.0 - PANEL_ALPHA, 0.0, dst=roi)


def put_text(out: np.ndarray, text: str, x: int, y: int, scale: float, thick: int,
          color: Color) -> None:
    """Text whose top-left corner is at (x, y)."""
    (_, th), _ = cv2.getTextSize(text, FONT, scale, thick)
    cv2.putText(out, text, (x, y + th), FONT, scale, color, thick, cv2.LINE_AA)


def label(out: np.ndarray, text: str, x: int, y: int, color: Color, s: Style,
          right: int | None = None) -> int:
    """Text on a small opaque dark panel at (x, y), shortened with "..." so the panel ends by
    `right`; returns the panel's bottom edge."""
    text = ascii_text(text)
    pad = max(1, round(4 * s.unit))
    (tw, th), base = cv2.getTextSize(text, FONT, s.font, s.thick)
    while right is not None and len(text) > 1 and x + tw + 2 * pad > right:
        text = text[:-4].rstrip() + "..." if len(text) > 4 else text[:-1]
        (tw, th), base = cv2.getTextSize(text, FONT, s.font, s.thick)
    bottom = y + th + base + 2 * pad
    fill(out, (x, y, x + tw + 2 * pad, bottom))
    cv2.putText(out, text, (x + pad, y + pad + th), FONT, s.font, color, s.thick, cv2.LINE_AA)
    return bottom


def ascii_text(text: str) -> str:
    """What cv2.putText can draw: typographic characters replaced, other non-ASCII dropped."""
    return text.translate(_ASCII).encode("ascii", "ignore").decode()


def wrap(text: str, width: int, scale: float, thick: int) -> list[str]:
    """Greedy word wrap to `width` pixels; a word longer than a line gets a line of its own."""
    lines: list[str] = []
    for word in ascii_text(text).split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and cv2.getTextSize(candidate, FONT, scale, thick)[0][0] <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def countdown_text(seconds: float) -> str:
    """Countdown text: '25 s' under a minute, else 'm:ss' (rounded up, never negative)."""
    left = max(0, math.ceil(seconds))
    return f"{left} s" if left < 60 else f"{left // 60}:{left % 60:02d}"


def dashed(out: np.ndarray, p: np.ndarray, q: np.ndarray, color: Color, thick: int,
            dash: int) -> None:
    """A dashed line from p to q: dashes and gaps `dash` pixels long."""
    d = q - p
    length = float(np.hypot(*d))
    if not math.isfinite(length) or length < 1e-9:
        return
    step = dash / length
    for k in range(min(int(length // (2 * dash)) + 1, MAX_DASHES)):
        a, b = point(p + d * (2 * k * step)), point(p + d * min(1.0, (2 * k + 1) * step))
        if a is not None and b is not None:
            cv2.line(out, a, b, color, thick, cv2.LINE_AA)


def dashed_ellipse(out: np.ndarray, centre: np.ndarray, axes: tuple[float, float],
                    angle: float, color: Color, thick: int) -> None:
    """A dashed ellipse: every other 15-degree arc."""
    c = point(centre)
    if c is None or not all(math.isfinite(a) for a in axes):
        return
    size = (min(max(1, round(axes[0])), 1 << 16), min(max(1, round(axes[1])), 1 << 16))
    for start in range(0, 360, 30):
        cv2.ellipse(out, c, size, angle, start, start + 15, color, thick, cv2.LINE_AA)
def fill(out: np.ndarray, box: tuple[int, int, int, int], color: Color = COLOR_PANEL) -> None:
    """Paint a box (x0, y0, x1, y1, ends exclusive) in one opaque colour."""
    x0, y0, x1, y1 = box
    out[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = color


def draw_card(out: np.ndarray, card: Card, s: Style, room: tuple[int, int, int, int],
              width: int, right: bool = False) -> tuple[int, int, int, int] | None:
    """The stretch card on an opaque panel at most `width` wide, at the bottom of `room` and at
    its right end when `right`; what does not fit the room's height is left off, a part at a
    time. Returns the panel's box (None when the room is too small for any line)."""
    rx0, ry0, rx1, ry1 = room
    width = min(width, rx1 - rx0)
    x0, x1 = (rx1 - width, rx1) if right else (rx0, rx0 + width)
    pad = s.margin
    inner = x1 - x0 - 2 * pad
    if inner <= 0 or ry1 - ry0 <= 2 * pad:
        return None
    # Blocks of lines as (text, x offset, font scale, colour), a progress bar being a line of
    # text None; each block with its rank: when the room is too short, the highest-ranked
    # block goes first, whole (the footer, the reason, the last steps), never the title.
    title, big, small = 1.25, 1.6, 0.85
    blocks: list[tuple[int, list[tuple[str | None, int, float, Color]]]] = [
        (0, [(t, 0, title, COLOR_TEXT)
             for t in wrap(card.title, inner, s.font * title, s.thick + 1)])]
    if card.dose:
        blocks.append((20, [(t, 0, 1.0, COLOR_WARN)
                            for t in wrap(card.dose, inner, s.font, s.thick)]))
    if card.countdown_s is not None:
        bar = [(None, 0, small, COLOR_WARN)] if card.countdown_of else []
        blocks.append((10, [(countdown_text(card.countdown_s), 0, big, COLOR_WARN), *bar]))
    if card.reason:
        blocks.append((90, [(t, 0, small, COLOR_MUTED)
                            for t in wrap(card.reason, inner, s.font * small, s.thick)]))
    for n, step in enumerate(card.steps):
        colour = COLOR_WARN if n == card.current else COLOR_TEXT
        prefix = f"{n + 1}. "
        indent = cv2.getTextSize(prefix, FONT, s.font, s.thick)[0][0]
        wrapped = wrap(step, inner - indent, s.font, s.thick)
        blocks.append((30 if n == card.current else 40 + n,
                       [(prefix + text, 0, 1.0, colour) if k == 0 else (text, indent, 1.0, colour)
                        for k, text in enumerate(wrapped)]))
    if card.footer:
        blocks.append((100, [(t, 0, small, COLOR_MUTED)
                             for t in wrap(card.footer, inner, s.font * small, s.thick)]))
    room_h = ry1 - ry0 - 2 * pad

    def height(block: list[tuple[str | None, int, float, Color]]) -> int:
        return sum(s.line_height(scale) for _, _, scale, _ in block)

    while len(blocks) > 1 and sum(height(b) for _, b in blocks) > room_h:
        blocks.remove(max(blocks, key=lambda b: b[0]))
    lines = [line for _, block in blocks for line in block]
    heights = [s.line_height(scale) for _, _, scale, _ in lines]
    while lines and sum(heights) > room_h:  # even the title is too tall: its last lines go
        lines.pop()
        heights.pop()
    if not lines:
        return None
    y0 = ry1 - sum(heights) - 2 * pad
    box = (x0, y0, x1, ry1)
    fill(out, box)
    y = y0 + pad
    for (text, dx, scale, color), lh in zip(lines, heights, strict=True):
        if text is None:
            assert card.countdown_s is not None and card.countdown_of
            frac = min(max(card.countdown_s / card.countdown_of, 0.0), 1.0)
            bar = max(1, lh // 3)
            top = y + (lh - bar) // 2
            out[top:top + bar, x0 + pad:x1 - pad] = (70, 70, 70)
            out[top:top + bar, x0 + pad:x0 + pad + round(frac * inner)] = color
        else:
            thick = s.thick + (1 if scale > 1.0 else 0)
            put_text(out, text, x0 + pad + dx, y, s.font * scale, thick, color)
        y += lh
    return box
