"""The overlay: the monitor's view of the user drawn on a video frame.

Small pieces (skeleton, status border and state, score number and gauge, labels, calibration
ghost, stretch card, key line) placed by `posture.io.layout` so that none overlaps another and
the card never covers the face, composed by `render` from a `FrameResult`, by `render_stretch`
for a guided stretch, by `render_calibration` and `render_message`, and by `MonitorView` for
each monitored frame. Drawing only: no detection and no windows here. Each render* and draw_*
function takes a BGR uint8 frame and returns a new one, leaving its input untouched. Sizes
scale with the frame, so one layout reads at 640x480 and at 1920x1080 and tiny frames still
draw without errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

from posture.core.alerts import AlertSettings
from posture.core.cards import Card, CardShelf
from posture.core.metrics import VISIBLE, detect_view
from posture.core.pipeline import FrameResult
from posture.core.pose import LM, Pose
from posture.core.problems import LABELS
from posture.core.profile import DEFAULT_BASELINE, Profile
from posture.core.states import STATE_TEXT, posture_state
from posture.core.stretches import Library
from posture.io.drawing import (
    COLOR_BAD,
    COLOR_GHOST,
    COLOR_GOOD,
    COLOR_IDLE,
    COLOR_SKELETON,
    COLOR_TEXT,
    COLOR_WARN,
    FONT,
    Color,
    Style,
    canvas,
    dashed,
    dashed_ellipse,
    draw_card,
    fill,
    label,
    point,
    put_text,
    shade,
    wrap,
)
from posture.io.images import to_bgr
from posture.io.layout import Box, Layout, card_room, label_size, max_card_width, plan

Centre = Callable[[str], float]  # a metric's calibrated centre, by name

# The border and state colour of each state (posture.core.states); the words beside it are
# STATE_TEXT, so the state never depends on telling red from green.
STATE_COLORS: dict[str, Color] = {state: COLOR_IDLE for state in STATE_TEXT}
STATE_COLORS.update(good=COLOR_GOOD, slipping=COLOR_WARN, slouched=COLOR_BAD)
NEAR = 0.75  # the gauge is amber from this share of the threshold, red from the threshold
COLOR_KEYS: Color = (20, 20, 20)  # the key line's band
NO_SCORE = ("paused", "starting", "calibrating", "stretching", "camera unavailable")


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
FACE_POINTS = (LM.NOSE, LM.LEFT_EYE, LM.RIGHT_EYE, LM.LEFT_EAR, LM.RIGHT_EAR)


def gauge_color(score: float, threshold: float, state: str) -> Color:
    """The gauge follows the score: green, amber near the threshold, red past it; grey while
    nothing is being judged."""
    if state in ("away", "unseen", "camera moved", *NO_SCORE):
        return COLOR_IDLE
    if score >= threshold:
        return COLOR_BAD
    return COLOR_WARN if score >= NEAR * threshold else COLOR_GOOD


def draw_skeleton(img: np.ndarray, pose: Pose | None) -> np.ndarray:
    """Upper-body landmarks and their links, only those the model is confident of."""
    out = canvas(img)
    if pose is not None:
        _skeleton(out, pose, Style.of(out.shape))
    return out


def draw_status(img: np.ndarray, state: str | None) -> np.ndarray:
    """A border in the state's colour and the state in words at the top left.

    `state` is a posture.core.states state (Assessment.posture's "good"/"slouched" work too);
    None means nobody is in view.
    """
    out = canvas(img)
    state = state or "away"
    _check(state)
    s = Style.of(out.shape)
    layout = plan(out.shape, s, [STATE_TEXT[state]], "", None)
    _frame(out, layout, state, [STATE_TEXT[state]], s)
    return out


def render(img: np.ndarray, result: FrameResult, profile: Profile | None,
           threshold: float = AlertSettings.score_threshold, card: Card | None = None, *,
           state: str | None = None, badges: Sequence[str] = (), keys: str | None = None,
           caption: str | None = None) -> np.ndarray:
    """The whole overlay for one pipeline result, on a copy of `img`.

    `state` replaces the result's own (posture.core.states.posture_state), e.g. "paused";
    `badges` (snooze, mute) go under the labels, `keys` is the key line along the bottom and
    `caption` an instruction above it.
    The ghost appears only while posture is slipping or slouched, and only for a calibrated
    profile: population defaults are not the user's own posture to return to.
    """
    out = canvas(img)
    s = Style.of(out.shape)
    state = state or posture_state(result, threshold)
    _check(state)
    pose, a = result.pose, result.verdict
    labels = [STATE_TEXT[state]]
    if a is not None and state != "paused":
        labels += [LABELS.get(p, p.replace("_", " ").capitalize()) for p in a.problems]
    labels += badges
    layout = plan(out.shape, s, labels, f"{round(result.score)}", keys)
    if (pose is not None and profile is not None and profile.calibrated
            and state in ("slipping", "slouched")):
        _ghost(out, pose, profile, s)
    if pose is not None:
        _skeleton(out, pose, s)
    _frame(out, layout, state, labels, s)
    _gauge(out, layout, result.score, threshold, state, s)
    if caption:
        _caption(out, caption, s, layout.bottom)
    elif card is not None:
        _card(out, layout, card, pose, s)
    return out


def render_stretch(img: np.ndarray, pose: Pose | None, card: Card, *,
                   badges: Sequence[str] = (), keys: str | None = None) -> np.ndarray:
    """A guided stretch's view of a frame: the skeleton and the card, clear of the face; in
    the live window also the state, badges and key line."""
    out = canvas(img)
    s = Style.of(out.shape)
    labels = [STATE_TEXT["stretching"], *badges] if keys else list(badges)
    layout = plan(out.shape, s, labels, "", keys)
    if pose is not None:
        _skeleton(out, pose, s)
    if keys:
        _frame(out, layout, "stretching", labels, s)
    _card(out, layout, card, pose, s)
    return out


def render_calibration(img: np.ndarray, pose: Pose | None, text: str, *,
                       badges: Sequence[str] = (), keys: str | None = None) -> np.ndarray:
    """The guided calibration's view: skeleton, the "Calibrating" state and its instruction."""
    out = canvas(img)
    s = Style.of(out.shape)
    labels = [STATE_TEXT["calibrating"], *badges]
    layout = plan(out.shape, s, labels, "", keys)
    if pose is not None:
        _skeleton(out, pose, s)
    _frame(out, layout, "calibrating", labels, s)
    _caption(out, text, s, layout.bottom)
    return out


def render_message(img: np.ndarray, state: str, text: str, *, badges: Sequence[str] = (),
                   keys: str | None = None) -> np.ndarray:
    """A still for when nothing is watched (paused, camera unavailable, a question): the
    picture dimmed, the state (which replaces any other) and one instruction."""
    out = (canvas(img) // 3).astype(np.uint8)
    s = Style.of(out.shape)
    _check(state)
    labels = [STATE_TEXT[state], *badges]
    layout = plan(out.shape, s, labels, "", keys)
    _frame(out, layout, state, labels, s)
    _caption(out, text, s, layout.bottom)
    return out


def draw_caption(img: np.ndarray, text: str) -> np.ndarray:
    """Big instruction text on a dark band at the bottom, wrapped to the frame's width."""
    out = canvas(img)
    s = Style.of(out.shape)
    _caption(out, text, s, out.shape[0] - s.border - s.margin)
    return out


class MonitorView:
    """What `posture run` and `posture analyze --annotate` draw for each monitored frame: the
    overlay with the card of the latest prompt's stretch, its colours following the alert
    threshold."""

    def __init__(self, profile: Profile | None, library: Library, alerts: AlertSettings) -> None:
        self.profile = profile
        self.threshold = alerts.score_threshold
        self.cards = CardShelf(library, alerts.card_s)

    def draw(self, image: np.ndarray, result: FrameResult, **extras: Any) -> np.ndarray:
        """The overlay for one pipeline result on (a BGR copy of) the frame it came from;
        `extras` are render's keyword arguments (state, badges, keys, caption)."""
        return render(to_bgr(image), result, self.profile, self.threshold,
                      self.cards.update(result), **extras)


def face_box(pose: Pose | None, shape: Sequence[int]) -> Box | None:
    """The head's box in pixels, with room for the hair and chin, from the face landmarks the
    model is confident of; None when it sees none."""
    if pose is None:
        return None
    seen = [pose.xy[i] for i in FACE_POINTS if pose.visibility[i] >= VISIBLE]
    seen = [p for p in seen if math.isfinite(p[0]) and math.isfinite(p[1])]
    if not seen:
        return None
    xs, ys = [float(p[0]) for p in seen], [float(p[1]) for p in seen]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 0.08 * min(shape[:2]))
    box = (min(xs) - 0.45 * span, min(ys) - 0.9 * span, max(xs) + 0.45 * span,
           max(ys) + 0.8 * span)
    return tuple(int(round(v)) for v in box)  # type: ignore[return-value]


# ---- pieces, drawn in place --------------------------------------------------------------

def _skeleton(out: np.ndarray, pose: Pose, s: Style) -> None:
    seen = {i for i in SKELETON_POINTS if pose.visibility[i] >= VISIBLE}
    thick = max(1, round(2 * s.unit))
    for a, b in SKELETON:
        p, q = point(pose.xy[a]), point(pose.xy[b])
        if a in seen and b in seen and p is not None and q is not None:
            cv2.line(out, p, q, COLOR_SKELETON, thick, cv2.LINE_AA)
    for i in seen:
        p = point(pose.xy[i])
        if p is not None:
            cv2.circle(out, p, max(1, round(4 * s.unit)), COLOR_SKELETON, -1, cv2.LINE_AA)


def _check(state: str) -> None:
    if state not in STATE_COLORS:
        raise ValueError(f"unknown state {state!r}: expected one of {', '.join(STATE_COLORS)}")


def _frame(out: np.ndarray, layout: Layout, state: str, labels: Sequence[str],
           s: Style) -> None:
    """The border in the state's colour, the labels in their boxes (the state first, in its
    colour) and the key line."""
    color = STATE_COLORS[state]
    b = s.border
    out[:b], out[-b:], out[:, :b], out[:, -b:] = color, color, color, color
    for n, (text, box) in enumerate(zip(labels, layout.labels, strict=True)):
        label(out, text, box[0], box[1], color if n == 0 else COLOR_TEXT, s, box[2])
    if layout.keys is not None:
        fill(out, layout.keys, COLOR_KEYS)
        step = s.line_height()
        for i, line in enumerate(layout.keys_lines):
            tw = cv2.getTextSize(line, FONT, s.font, s.thick)[0][0]
            x = max(layout.keys[0], (out.shape[1] - tw) // 2)
            put_text(out, line, x, layout.keys[1] + s.margin // 2 + i * step, s.font, s.thick,
                     COLOR_TEXT)


def _gauge(out: np.ndarray, layout: Layout, score: float, threshold: float, state: str,
           s: Style) -> None:
    """The 0..100 slouch score as a vertical bar on the right edge, filled from the bottom in
    the score's colour, with a tick at the threshold and the number above it."""
    x0, y0, x1, y1 = layout.gauge
    if x1 <= x0 or y1 <= y0:
        return
    color = gauge_color(score, threshold, state)
    _, ny0, nx1, _ = layout.number
    text = f"{round(min(max(score, 0.0), 100.0))}"
    label(out, text, nx1 - label_size(text, s)[0], ny0, color, s)
    shade(out, x0, y0, x1, y1)
    height = y1 - y0
    top = y1 - round(min(max(score, 0.0), 100.0) / 100.0 * height)
    out[top:y1, x0:x1] = color
    tick = max(1, round(2 * s.unit))
    ty = y1 - round(min(max(threshold, 0.0), 100.0) / 100.0 * height) - tick // 2
    ty = min(max(ty, y0), y1 - tick)
    out[max(ty, 0):ty + tick, max(0, x0 - max(1, round(6 * s.unit))):x1] = COLOR_TEXT


def _card(out: np.ndarray, layout: Layout, card: Card, pose: Pose | None, s: Style) -> None:
    """The stretch card in the room the layout leaves, beside or below the face."""
    face = face_box(pose, out.shape)
    room = card_room(layout, face, s)
    if room is None:
        return
    right = face is not None and (face[0] + face[2]) / 2 < (room[0] + room[2]) / 2
    draw_card(out, card, s, room, max_card_width(out.shape[1], s), right)


def _caption(out: np.ndarray, text: str, s: Style, bottom: int) -> None:
    """Big instruction text on a dark band ending at row `bottom`, wrapped to the width."""
    w = out.shape[1]
    scale, thick = 1.4 * s.font, max(1, round(2 * s.unit))
    inset = s.border + s.margin
    lines = wrap(text, w - 2 * inset, scale, thick)
    if not lines:
        return
    step = s.line_height(1.4)
    top = max(0, bottom - step * len(lines))
    shade(out, s.border, top - s.margin, w - s.border, bottom + s.margin // 2)
    for i, line in enumerate(lines):
        tw = cv2.getTextSize(line, FONT, scale, thick)[0][0]
        put_text(out, line, max(inset, (w - tw) // 2), top + i * step, scale, thick, COLOR_TEXT)


def _ghost(out: np.ndarray, pose: Pose, profile: Profile, s: Style) -> None:
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
    dashed(out, mid + half, mid - half, COLOR_GHOST, thick, dash)
    dashed(out, mid, ears, COLOR_GHOST, thick, dash)
    dashed(out, ears - along * face / 2, ears + along * face / 2, COLOR_GHOST, thick, dash)
    dashed_ellipse(out, (ears + nose) / 2, (face * 0.6, face * 0.75),
                    math.degrees(math.atan2(along[1], along[0])), COLOR_GHOST, thick)
    p = point(nose)
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
        dashed(out, hip, target, COLOR_GHOST, thick, dash)
        shoulder = target
    neck = float(np.linalg.norm(ear - shoulder))
    head = shoulder + toward(centre("neck_inclination"), neck)
    dashed(out, shoulder, head, COLOR_GHOST, thick, dash)
    dashed_ellipse(out, head, (0.4 * neck, 0.4 * neck), 0.0, COLOR_GHOST, thick)
