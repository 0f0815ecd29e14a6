"""Overlay: draws the monitor's view of the user on a video frame.

Small composable pieces (skeleton, status border, slouch gauge, problem labels, calibration
ghost, stretch card) and `render`, which composes them from a `FrameResult`. Drawing only: no
detection and no windows here (see posture.window). Every draw_* and render* function takes a
BGR uint8 frame and returns a new one, leaving its input untouched. Sizes scale with the frame,
so one layout reads at 640x480 and at 1920x1080 and tiny frames still draw without errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from posture.alerts import AlertSettings
from posture.calibration import DEFAULT_BASELINE, Profile
from posture.metrics import VISIBLE, detect_view
from posture.pose import LM, Pose
from posture.problems import LABELS
from posture.stretches import Stretch, dose

if TYPE_CHECKING:
    from posture.monitor import FrameResult

Color = tuple[int, int, int]  # B, G, R
Centre = Callable[[str], float]  # a metric's calibrated centre, by name

COLOR_GOOD: Color = (60, 190, 40)  # green
COLOR_WARN: Color = (0, 170, 255)  # amber
COLOR_BAD: Color = (40, 40, 230)  # red
COLOR_IDLE: Color = (150, 150, 150)  # grey
COLOR_SKELETON: Color = (255, 220, 0)  # cyan-blue: unlike any status colour
COLOR_GHOST: Color = (255, 160, 210)  # lavender
COLOR_TEXT: Color = (255, 255, 255)
COLOR_MUTED: Color = (190, 190, 190)
COLOR_PANEL: Color = (30, 30, 30)

# Display states: posture from best to worst, then the neutral ones. "warning": slouching but
# the score is still below the threshold, or posture is good again but the score is still near it.
STATE_COLORS: dict[str, Color] = {
    "good": COLOR_GOOD,
    "warning": COLOR_WARN,
    "slouched": COLOR_BAD,
    "absent": COLOR_IDLE,
    "unknown": COLOR_IDLE,
    "paused": COLOR_IDLE,
    "moved": COLOR_IDLE,
    "calibrating": COLOR_IDLE,
}
# Words beside the colour, so the state never depends on telling red from green.
STATE_TEXT = {
    "good": "Good posture",
    "warning": "Posture slipping",
    "slouched": "Slouching - sit up",
    "absent": "No one in view",
    "unknown": "Head and shoulders not seen",
    "paused": "Paused",
    "moved": "Camera moved - recalibrate",
    "calibrating": "Calibrating",
}
NEAR = 0.75  # a good-posture score above this share of the threshold is still "warning"


# Upper-body segments drawn by draw_skeleton (MediaPipe landmark pairs).
SKELETON = (
    (LM.NOSE, LM.LEFT_EYE), (LM.NOSE, LM.RIGHT_EYE),
    (LM.LEFT_EYE, LM.LEFT_EAR), (LM.RIGHT_EYE, LM.RIGHT_EAR),
    (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER),
    (LM.LEFT_SHOULDER, LM.LEFT_ELBOW), (LM.LEFT_ELBOW, LM.LEFT_WRIST),
    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW), (LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
    (LM.LEFT_SHOULDER, LM.LEFT_HIP), (LM.RIGHT_SHOULDER, LM.RIGHT_HIP),
    (LM.LEFT_HIP, LM.RIGHT_HIP),
)
SKELETON_POINTS = tuple(sorted({i for pair in SKELETON for i in pair}))

FONT = cv2.FONT_HERSHEY_SIMPLEX
REFERENCE_SIDE = 480  # sizes below are in pixels of a frame whose short side is this long
PANEL_ALPHA = 0.65  # opacity of the dark panels behind text and the gauge
CARD_WIDTH = 0.5  # the stretch card takes at most this share of the frame width...
CARD_WIDTH_UNITS = 330  # ...and at most this many reference pixels, to leave a wide frame's user
MAX_DASHES = 1000  # a dashed line far larger than any frame stops after this many dashes

# Typographic replacements for text cv2.putText cannot draw (it only knows ASCII).
_ASCII = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00b0": " deg",
                        "\u00d7": "x", "\u00a0": " "})


@dataclass(frozen=True)
class Card:
    """A stretch to show: title, what is counted (dose), why it helps, numbered steps (the one
    being done marked), and a countdown only for a hold that is really running."""

    title: str
    steps: tuple[str, ...]
    dose: str = ""  # e.g. "hold 5 s x 10"
    reason: str = ""  # why this stretch helps the problem seen
    countdown_s: float | None = None  # seconds left in the running hold
    countdown_of: float | None = None  # that hold's length (the bar shows the share left)
    current: int | None = None  # index of the step being done
    footer: str = ""


def stretch_card(stretch: Stretch, reason: str = "") -> Card:
    """The card a prompt raises for one stretch of the library: name, dose, reason, steps."""
    return Card(title=stretch.name, steps=stretch.steps, dose=dose(stretch), reason=reason)


@dataclass(frozen=True)
class _Style:
    """Sizes for one frame: everything scales with the frame's short side."""

    unit: float
    border: int
    margin: int
    font: float
    thick: int

    @staticmethod
    def of(shape: Sequence[int]) -> _Style:
        unit = min(shape[:2]) / REFERENCE_SIDE
        return _Style(unit=unit, border=max(1, round(6 * unit)), margin=max(1, round(10 * unit)),
                      font=max(0.3, 0.5 * unit), thick=max(1, round(1.6 * unit)))

    def line_height(self, scale: float = 1.0) -> int:
        """Height of one text line at `scale` times the body font, with spacing."""
        (_, h), base = cv2.getTextSize("Ag", FONT, self.font * scale, self.thick)
        return h + base + max(1, round(4 * self.unit * scale))


# ---- public pieces ---------------------------------------------------------------------------

def status(result: FrameResult | None, threshold: float, paused: bool = False) -> str:
    """The display state (a key of STATE_COLORS) of one pipeline result."""
    if paused:
        return "paused"
    if result is None or result.pose is None:
        return "absent"
    if result.camera_moved:
        return "moved"
    a = result.assessment
    if a is None:
        return "unknown"
    if result.score >= threshold:
        return "slouched" if a.posture == "slouched" else "warning"
    if a.posture == "slouched" or result.score >= NEAR * threshold:
        return "warning"
    return "good"


def gauge_rect(shape: Sequence[int]) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), ends exclusive, of the slouch gauge in a frame of this shape."""
    h, w = shape[:2]
    s = _Style.of(shape)
    inset = s.border + s.margin
    x1 = w - inset
    return x1 - max(2, round(14 * s.unit)), inset, x1, h - inset


def draw_skeleton(img: np.ndarray, pose: Pose | None) -> np.ndarray:
    """Upper-body landmarks and their links, only those the model is confident of."""
    out = _canvas(img)
    if pose is not None:
        _skeleton(out, pose, _Style.of(out.shape))
    return out


def draw_status(img: np.ndarray, posture: str | None) -> np.ndarray:
    """A border in the state's colour and the state in words at the top left.

    `posture` is a STATE_COLORS key (Assessment.posture's "good"/"slouched" work too);
    None means nobody is in view.
    """
    out = _canvas(img)
    _status(out, posture or "absent", _Style.of(out.shape))
    return out


def draw_gauge(img: np.ndarray, score: float, threshold: float,
               state: str | None = None) -> np.ndarray:
    """The 0..100 slouch score as a vertical bar on the right edge, with a threshold tick.

    The fill takes the colour of `state`, or when it is None, of the score itself: green,
    amber from NEAR times the threshold, red from the threshold on.
    """
    out = _canvas(img)
    _gauge(out, score, threshold, state)
    return out


def draw_problems(img: np.ndarray, problems: Iterable[str]) -> np.ndarray:
    """The problems in plain words (LABELS), one per line below the status text."""
    out = _canvas(img)
    _problems(out, problems, _Style.of(out.shape))
    return out


def draw_ghost(img: np.ndarray, pose: Pose | None, profile: Profile) -> np.ndarray:
    """Dashed outline of the calibrated posture, placed on the user's current shoulders.

    Shows where the shoulder line and head belong, so the user sees where to return. Nothing
    is drawn when the pose is missing, unsure, or seen from another view than the profile's.
    """
    out = _canvas(img)
    if pose is not None:
        _ghost(out, pose, profile, _Style.of(out.shape))
    return out


def draw_card(img: np.ndarray, card: Card, avoid_x: float | None = None) -> np.ndarray:
    """A translucent stretch card at the bottom: title, dose, countdown, reason, steps.

    It sits at the left unless `avoid_x` (the user's face, in pixels) is in the left half of
    the frame, then at the right beside the gauge, so it never covers the face.
    """
    out = _canvas(img)
    _card(out, card, _Style.of(out.shape), _card_right(out.shape, avoid_x))
    return out


def render_stretch(img: np.ndarray, pose: Pose | None, card: Card) -> np.ndarray:
    """A guided stretch's view of a frame: the skeleton and the card, clear of the face."""
    out = _canvas(img)
    style = _Style.of(out.shape)
    if pose is not None:
        _skeleton(out, pose, style)
    _card(out, card, style, _card_right(out.shape, _face_x(pose)))
    return out


def render(img: np.ndarray, result: FrameResult, profile: Profile | None,
           threshold: float = AlertSettings.score_threshold, card: Card | None = None,
           paused: bool = False) -> np.ndarray:
    """The whole overlay for one pipeline result, on a copy of `img`.

    The ghost appears only while posture is slipping or slouched, and only for a calibrated
    profile: population defaults are not the user's own posture to return to.
    """
    out = _canvas(img)
    style = _Style.of(out.shape)
    state = status(result, threshold, paused)
    pose, a = result.pose, result.assessment
    if (pose is not None and profile is not None and profile.calibrated
            and state in ("warning", "slouched")):
        _ghost(out, pose, profile, style)
    if pose is not None:
        _skeleton(out, pose, style)
    _status(out, state, style)
    _gauge(out, result.score, threshold, state)
    if a is not None and state not in ("paused", "moved"):
        _problems(out, a.problems, style)
    if card is not None:
        _card(out, card, style, _card_right(out.shape, _face_x(pose)))
    return out


def draw_caption(img: np.ndarray, text: str) -> np.ndarray:
    """Big instruction text on a dark band at the bottom, wrapped to the frame's width."""
    out = _canvas(img)
    s = _Style.of(out.shape)
    h, w = out.shape[:2]
    scale, thick = 1.4 * s.font, max(1, round(2 * s.unit))
    inset = s.border + s.margin
    lines = _wrap(text, w - 2 * inset, scale, thick)
    step = s.line_height(1.4)
    top = max(0, h - inset - step * len(lines))
    _shade(out, 0, top - s.margin, w, h)
    for i, line in enumerate(lines):
        tw = cv2.getTextSize(line, FONT, scale, thick)[0][0]
        _text(out, line, max(inset, (w - tw) // 2), top + i * step, scale, thick, COLOR_TEXT)
    return out


# ---- drawing, in place -----------------------------------------------------------------------

def _canvas(img: np.ndarray) -> np.ndarray:
    """A copy of a BGR uint8 frame to draw on."""
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
        raise ValueError(f"expected a BGR uint8 frame (H, W, 3), got {img.dtype} {img.shape}")
    return img.copy()


def _skeleton(out: np.ndarray, pose: Pose, s: _Style) -> None:
    seen = {i for i in SKELETON_POINTS if pose.visibility[i] >= VISIBLE}
    thick = max(1, round(2 * s.unit))
    for a, b in SKELETON:
        p, q = _pt(pose.xy[a]), _pt(pose.xy[b])
        if a in seen and b in seen and p is not None and q is not None:
            cv2.line(out, p, q, COLOR_SKELETON, thick, cv2.LINE_AA)
    for i in seen:
        p = _pt(pose.xy[i])
        if p is not None:
            cv2.circle(out, p, max(1, round(4 * s.unit)), COLOR_SKELETON, -1, cv2.LINE_AA)


def _status(out: np.ndarray, state: str, s: _Style) -> None:
    if state not in STATE_COLORS:
        raise ValueError(f"unknown state {state!r}: expected one of {', '.join(STATE_COLORS)}")
    color = STATE_COLORS[state]
    b = s.border
    out[:b], out[-b:], out[:, :b], out[:, -b:] = color, color, color, color
    inset = s.border + s.margin
    _label(out, STATE_TEXT[state], inset, inset, color, s)


def _gauge(out: np.ndarray, score: float, threshold: float, state: str | None) -> None:
    x0, y0, x1, y1 = gauge_rect(out.shape)
    if x1 <= x0 or y1 <= y0:
        return
    if state is None:
        state = ("slouched" if score >= threshold
                 else "warning" if score >= NEAR * threshold else "good")
    _shade(out, x0, y0, x1, y1)
    height = y1 - y0
    top = y1 - round(min(max(score, 0.0), 100.0) / 100.0 * height)
    out[top:y1, x0:x1] = STATE_COLORS[state]
    unit = _Style.of(out.shape).unit
    tick = max(1, round(2 * unit))
    ty = y1 - round(min(max(threshold, 0.0), 100.0) / 100.0 * height) - tick // 2
    ty = min(max(ty, y0), y1 - tick)
    out[max(ty, 0):ty + tick, max(0, x0 - max(1, round(6 * unit))):x1] = COLOR_TEXT


def _problems(out: np.ndarray, problems: Iterable[str], s: _Style) -> None:
    y = s.border + s.margin + s.line_height() + s.margin // 2
    for problem in problems:
        text = LABELS.get(problem, problem.replace("_", " ").capitalize())
        y = _label(out, text, s.border + s.margin, y, COLOR_TEXT, s) + s.margin // 2


def _ghost(out: np.ndarray, pose: Pose, profile: Profile, s: _Style) -> None:
    if detect_view(pose) != profile.view:
        return

    def centre(name: str) -> float:
        base = profile.baseline.get(name)
        return base.centre if base is not None else DEFAULT_BASELINE[profile.view][name][0]

    thick = max(1, round(2 * s.unit))
    dash = max(2, round(8 * s.unit))
    if profile.view == "front":
        _ghost_front(out, pose, centre, thick, dash)
    else:
        _ghost_side(out, pose, centre, thick, dash)


def _ghost_front(out: np.ndarray, pose: Pose, centre: Centre, thick: int, dash: int) -> None:
    """Front view: the calibrated shoulder tilt, ear height and offset, face and nose height."""
    ls, rs = pose.xy[LM.LEFT_SHOULDER], pose.xy[LM.RIGHT_SHOULDER]
    span = float(np.linalg.norm(ls - rs))
    if span < 1e-6:
        return
    mid = (ls + rs) / 2.0
    tilt = math.radians(centre("shoulder_tilt"))
    side = 1.0 if ls[0] >= rs[0] else -1.0  # the image side the user's left shoulder is on
    half = np.array([side * math.cos(tilt), math.sin(tilt)]) * span / 2.0
    along = half / np.linalg.norm(half)
    if along[0] < 0:
        along = -along
    up = np.array([along[1], -along[0]])

    def at(height: float, dx: float) -> np.ndarray:
        """The point `dx` right of the shoulder midpoint and `height` above the shoulder line."""
        dy = (height - dx * up[0]) / up[1] if abs(up[1]) > 1e-6 else 0.0
        return mid + np.array([dx, dy])

    ears = at(centre("ear_height") * span, centre("head_offset") * span)
    nose = at(centre("head_height") * span, float(ears[0] - mid[0]))
    face = centre("face_size") * span
    _dashed(out, mid + half, mid - half, COLOR_GHOST, thick, dash)
    _dashed(out, mid, ears, COLOR_GHOST, thick, dash)
    _dashed(out, ears - along * face / 2, ears + along * face / 2, COLOR_GHOST, thick, dash)
    _dashed_ellipse(out, (ears + nose) / 2, (face * 0.6, face * 0.75),
                    math.degrees(math.atan2(along[1], along[0])), COLOR_GHOST, thick)
    p = _pt(nose)
    if p is not None:
        cv2.circle(out, p, max(2, thick * 2), COLOR_GHOST, -1, cv2.LINE_AA)


def _ghost_side(out: np.ndarray, pose: Pose, centre: Centre, thick: int, dash: int) -> None:
    """Side view: the calibrated torso and neck inclinations, from the hips up."""
    ears = [i for i in (LM.LEFT_EAR, LM.RIGHT_EAR) if pose.visibility[i] >= VISIBLE]
    if not ears:
        return
    ear = pose.xy[ears].mean(axis=0)
    shoulder = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    facing = 1.0
    if pose.visibility[LM.NOSE] >= VISIBLE:
        facing = 1.0 if pose.xy[LM.NOSE][0] >= ear[0] else -1.0

    def toward(degrees: float, length: float) -> np.ndarray:
        a = math.radians(degrees)
        return np.array([facing * math.sin(a), -math.cos(a)]) * length

    if pose.visible(LM.LEFT_HIP, LM.RIGHT_HIP, threshold=VISIBLE):
        hip = pose.mid(LM.LEFT_HIP, LM.RIGHT_HIP)
        target = hip + toward(centre("torso_inclination"), float(np.linalg.norm(shoulder - hip)))
        _dashed(out, hip, target, COLOR_GHOST, thick, dash)
        shoulder = target
    neck = float(np.linalg.norm(ear - shoulder))
    head = shoulder + toward(centre("neck_inclination"), neck)
    _dashed(out, shoulder, head, COLOR_GHOST, thick, dash)
    _dashed_ellipse(out, head, (0.4 * neck, 0.4 * neck), 0.0, COLOR_GHOST, thick)


def _face_x(pose: Pose | None) -> float | None:
    """The nose's x in pixels when the model is confident of it, else None."""
    if pose is None or pose.visibility[LM.NOSE] < VISIBLE:
        return None
    return float(pose.xy[LM.NOSE][0])


def _card_right(shape: Sequence[int], avoid_x: float | None) -> bool:
    """True when the card goes to the right: the face to avoid is in the left half."""
    return avoid_x is not None and math.isfinite(avoid_x) and avoid_x < shape[1] / 2


def _card(out: np.ndarray, card: Card, s: _Style, right: bool = False) -> None:
    h, w = out.shape[:2]
    inset = s.border + s.margin
    width = round(min(CARD_WIDTH * w, CARD_WIDTH_UNITS * s.unit))
    end = gauge_rect(out.shape)[0] - s.margin
    x0, x1 = (max(inset, end - width), end) if right else (inset, min(inset + width, end))
    pad = s.margin
    inner = x1 - x0 - 2 * pad
    if inner <= 0 or h - 2 * inset <= 0:
        return
    # Lines as (text, x offset, font scale, colour); a progress bar is a line of text None.
    title, big, small = 1.25, 1.6, 0.85
    lines: list[tuple[str | None, int, float, Color]] = [
        (t, 0, title, COLOR_TEXT) for t in _wrap(card.title, inner, s.font * title, s.thick + 1)]
    if card.dose:
        lines += [(t, 0, 1.0, COLOR_WARN) for t in _wrap(card.dose, inner, s.font, s.thick)]
    if card.countdown_s is not None:
        lines.append((_clock(card.countdown_s), 0, big, COLOR_WARN))
        if card.countdown_of:
            lines.append((None, 0, small, COLOR_WARN))
    if card.reason:
        lines += [(t, 0, small, COLOR_MUTED)
                  for t in _wrap(card.reason, inner, s.font * small, s.thick)]
    for n, step in enumerate(card.steps):
        colour = COLOR_WARN if n == card.current else COLOR_TEXT
        prefix = f"{n + 1}. "
        indent = cv2.getTextSize(prefix, FONT, s.font, s.thick)[0][0]
        for k, text in enumerate(_wrap(step, inner - indent, s.font, s.thick)):
            lines.append((prefix + text, 0, 1.0, colour) if k == 0
                         else (text, indent, 1.0, colour))
    if card.footer:
        lines += [(t, 0, small, COLOR_MUTED)
                  for t in _wrap(card.footer, inner, s.font * small, s.thick)]
    heights = [s.line_height(scale) for _, _, scale, _ in lines]
    room = h - 2 * inset - 2 * pad
    while lines and sum(heights) > room:  # too tall for the frame: the last lines go
        lines.pop()
        heights.pop()
    y1 = h - inset
    y0 = y1 - sum(heights) - 2 * pad
    _shade(out, x0, y0, x1, y1)
    y = y0 + pad
    for (text, dx, scale, color), lh in zip(lines, heights, strict=True):
        if text is None:
            assert card.countdown_s is not None and card.countdown_of
            frac = min(max(card.countdown_s / card.countdown_of, 0.0), 1.0)
            bar = max(1, lh // 3)
            top = y + (lh - bar) // 2
            out[top:top + bar, x0 + pad:x1 - pad] = COLOR_PANEL
            out[top:top + bar, x0 + pad:x0 + pad + round(frac * inner)] = color
        else:
            thick = s.thick + (1 if scale > 1.0 else 0)
            _text(out, text, x0 + pad + dx, y, s.font * scale, thick, color)
        y += lh


# ---- helpers ---------------------------------------------------------------------------------

def _pt(p: np.ndarray) -> tuple[int, int] | None:
    """Integer pixel point for cv2, None when not finite; far-off points are pulled in so
    cv2's fixed-point arithmetic cannot overflow (the clipped part is off-screen anyway)."""
    x, y = float(p[0]), float(p[1])  # plain floats: numpy calls per point cost ~0.4 ms a frame
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    limit = 1 << 20
    return min(max(round(x), -limit), limit), min(max(round(y), -limit), limit)


def _shade(out: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    """Darken a rectangle with a translucent panel."""
    roi = out[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)]
    if roi.size:
        panel = np.empty_like(roi)
        panel[:] = COLOR_PANEL
        cv2.addWeighted(panel, PANEL_ALPHA, roi, 1.0 - PANEL_ALPHA, 0.0, dst=roi)


def _text(out: np.ndarray, text: str, x: int, y: int, scale: float, thick: int,
          color: Color) -> None:
    """Text whose top-left corner is at (x, y)."""
    (_, th), _ = cv2.getTextSize(text, FONT, scale, thick)
    cv2.putText(out, text, (x, y + th), FONT, scale, color, thick, cv2.LINE_AA)


def _label(out: np.ndarray, text: str, x: int, y: int, color: Color, s: _Style) -> int:
    """Text on a small dark panel at (x, y); returns the panel's bottom edge."""
    text = _ascii_text(text)
    (tw, th), base = cv2.getTextSize(text, FONT, s.font, s.thick)
    pad = max(1, round(4 * s.unit))
    bottom = y + th + base + 2 * pad
    _shade(out, x, y, x + tw + 2 * pad, bottom)
    cv2.putText(out, text, (x + pad, y + pad + th), FONT, s.font, color, s.thick, cv2.LINE_AA)
    return bottom


def _ascii_text(text: str) -> str:
    """What cv2.putText can draw: typographic characters replaced, other non-ASCII dropped."""
    return text.translate(_ASCII).encode("ascii", "ignore").decode()


def _wrap(text: str, width: int, scale: float, thick: int) -> list[str]:
    """Greedy word wrap to `width` pixels; a word longer than a line gets a line of its own."""
    lines: list[str] = []
    for word in _ascii_text(text).split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and cv2.getTextSize(candidate, FONT, scale, thick)[0][0] <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _clock(seconds: float) -> str:
    """Countdown text: '25 s' under a minute, else 'm:ss' (rounded up, never negative)."""
    left = max(0, math.ceil(seconds))
    return f"{left} s" if left < 60 else f"{left // 60}:{left % 60:02d}"


def _dashed(out: np.ndarray, p: np.ndarray, q: np.ndarray, color: Color, thick: int,
            dash: int) -> None:
    """A dashed line from p to q: dashes and gaps `dash` pixels long."""
    d = q - p
    length = float(np.hypot(*d))
    if not math.isfinite(length) or length < 1e-9:
        return
    step = dash / length
    for k in range(min(int(length // (2 * dash)) + 1, MAX_DASHES)):
        a, b = _pt(p + d * (2 * k * step)), _pt(p + d * min(1.0, (2 * k + 1) * step))
        if a is not None and b is not None:
            cv2.line(out, a, b, color, thick, cv2.LINE_AA)


def _dashed_ellipse(out: np.ndarray, centre: np.ndarray, axes: tuple[float, float],
                    angle: float, color: Color, thick: int) -> None:
    """A dashed ellipse: every other 15-degree arc."""
    c = _pt(centre)
    if c is None or not all(math.isfinite(a) for a in axes):
        return
    size = (min(max(1, round(axes[0])), 1 << 16), min(max(1, round(axes[1])), 1 << 16))
    for start in range(0, 360, 30):
        cv2.ellipse(out, c, size, angle, start, start + 15, color, thick, cv2.LINE_AA)
