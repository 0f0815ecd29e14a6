"""The overlay: the monitor's view of the user drawn on a video frame.

Small pieces (skeleton, status border, slouch gauge, problem labels, calibration ghost, stretch
card) composed by `render` from a `FrameResult`, by `render_stretch` for a guided stretch, and
by `MonitorView` for each monitored frame. Drawing only: no detection and no windows here (see
posture.io.window). Each render* and draw_* function takes a BGR uint8 frame and returns a new
one, leaving its input untouched. Sizes scale with the frame, so one layout reads at 640x480
and at 1920x1080 and tiny frames still draw without errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import cv2
import numpy as np

from posture.core.alerts import AlertSettings
from posture.core.cards import Card, CardShelf
from posture.core.metrics import VISIBLE, detect_view
from posture.core.pipeline import FrameResult
from posture.core.pose import LM, Pose
from posture.core.problems import LABELS
from posture.core.profile import DEFAULT_BASELINE, Profile
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
    card_on_right,
    dashed,
    dashed_ellipse,
    draw_card_panel,
    gauge_rect,
    label,
    point,
    put_text,
    shade,
    wrap,
)
from posture.io.images import to_bgr

Centre = Callable[[str], float]  # a metric's calibrated centre, by name

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


def status(result: FrameResult | None, threshold: float, paused: bool = False) -> str:
    """The display state (a key of STATE_COLORS) of one pipeline result."""
    if paused:
        return "paused"
    if result is None or result.pose is None:
        return "absent"
    if result.camera_moved:
        return "moved"
    a = result.verdict
    if a is None:
        return "unknown"
    if result.score >= threshold:
        return "slouched" if a.posture == "slouched" else "warning"
    if a.posture == "slouched" or result.score >= NEAR * threshold:
        return "warning"
    return "good"


def draw_skeleton(img: np.ndarray, pose: Pose | None) -> np.ndarray:
    """Upper-body landmarks and their links, only those the model is confident of."""
    out = canvas(img)
    if pose is not None:
        _skeleton(out, pose, Style.of(out.shape))
    return out


def draw_status(img: np.ndarray, posture: str | None) -> np.ndarray:
    """A border in the state's colour and the state in words at the top left.

    `posture` is a STATE_COLORS key (Assessment.posture's "good"/"slouched" work too);
    None means nobody is in view.
    """
    out = canvas(img)
    _status(out, posture or "absent", Style.of(out.shape))
    return out


def render_stretch(img: np.ndarray, pose: Pose | None, card: Card) -> np.ndarray:
    """A guided stretch's view of a frame: the skeleton and the card, clear of the face."""
    out = canvas(img)
    style = Style.of(out.shape)
    if pose is not None:
        _skeleton(out, pose, style)
    draw_card_panel(out, card, style, card_on_right(out.shape, _face_x(pose)))
    return out


def render(img: np.ndarray, result: FrameResult, profile: Profile | None,
           threshold: float = AlertSettings.score_threshold, card: Card | None = None,
           paused: bool = False) -> np.ndarray:
    """The whole overlay for one pipeline result, on a copy of `img`.

    The ghost appears only while posture is slipping or slouched, and only for a calibrated
    profile: population defaults are not the user's own posture to return to.
    """
    out = canvas(img)
    style = Style.of(out.shape)
    state = status(result, threshold, paused)
    pose, a = result.pose, result.verdict
    if (pose is not None and profile is not None and profile.calibrated
            and state in ("warning", "slouched")):
        _ghost(out, pose, profile, style)
    if pose is not None:
        _skeleton(out, pose, style)
    _status(out, state, style)
    _gauge(out, result.score, threshold, state)
    if a is not None and state != "paused":
        _problems(out, a.problems, style)
    if card is not None:
        draw_card_panel(out, card, style, card_on_right(out.shape, _face_x(pose)))
    return out


def draw_caption(img: np.ndarray, text: str) -> np.ndarray:
    """Big instruction text on a dark band at the bottom, wrapped to the frame's width."""
    out = canvas(img)
    s = Style.of(out.shape)
    h, w = out.shape[:2]
    scale, thick = 1.4 * s.font, max(1, round(2 * s.unit))
    inset = s.border + s.margin
    lines = wrap(text, w - 2 * inset, scale, thick)
    step = s.line_height(1.4)
    top = max(0, h - inset - step * len(lines))
    shade(out, 0, top - s.margin, w, h)
    for i, line in enumerate(lines):
        tw = cv2.getTextSize(line, FONT, scale, thick)[0][0]
        put_text(out, line, max(inset, (w - tw) // 2), top + i * step, scale, thick, COLOR_TEXT)
    return out


class MonitorView:
    """What `posture run` and `posture analyze --annotate` draw for each monitored frame: the
    overlay with the card of the latest prompt's stretch, its colours following the alert
    threshold."""

    def __init__(self, profile: Profile | None, library: Library, alerts: AlertSettings) -> None:
        self.profile = profile
        self.threshold = alerts.score_threshold
        self.cards = CardShelf(library, alerts.card_s)

    def draw(self, image: np.ndarray, result: FrameResult) -> np.ndarray:
        """The overlay for one pipeline result on (a BGR copy of) the frame it came from."""
        return render(to_bgr(image), result, self.profile, self.threshold,
                      self.cards.update(result))


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


def _status(out: np.ndarray, state: str, s: Style) -> None:
    if state not in STATE_COLORS:
        raise ValueError(f"unknown state {state!r}: expected one of {', '.join(STATE_COLORS)}")
    color = STATE_COLORS[state]
    b = s.border
    out[:b], out[-b:], out[:, :b], out[:, -b:] = color, color, color, color
    inset = s.border + s.margin
    label(out, STATE_TEXT[state], inset, inset, color, s)


def _gauge(out: np.ndarray, score: float, threshold: float, state: str) -> None:
    """The 0..100 slouch score as a vertical bar on the right edge, filled in the state's
    colour, with a tick at the threshold."""
    x0, y0, x1, y1 = gauge_rect(out.shape)
    if x1 <= x0 or y1 <= y0:
        return
    shade(out, x0, y0, x1, y1)
    height = y1 - y0
    top = y1 - round(min(max(score, 0.0), 100.0) / 100.0 * height)
    out[top:y1, x0:x1] = STATE_COLORS[state]
    unit = Style.of(out.shape).unit
    tick = max(1, round(2 * unit))
    ty = y1 - round(min(max(threshold, 0.0), 100.0) / 100.0 * height) - tick // 2
    ty = min(max(ty, y0), y1 - tick)
    out[max(ty, 0):ty + tick, max(0, x0 - max(1, round(6 * unit))):x1] = COLOR_TEXT


def _problems(out: np.ndarray, problems: Iterable[str], s: Style) -> None:
    y = s.border + s.margin + s.line_height() + s.margin // 2
    for problem in problems:
        text = LABELS.get(problem, problem.replace("_", " ").capitalize())
        y = label(out, text, s.border + s.margin, y, COLOR_TEXT, s) + s.margin // 2


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


def _face_x(pose: Pose | None) -> float | None:
    """The nose's x in pixels when the model is confident of it, else None."""
    if pose is None or pose.visibility[LM.NOSE] < VISIBLE:
        return None
    return float(pose.xy[LM.NOSE][0])
