"""Is the user in a stretch's position? Pure geometry on one pose against the relaxed pose.

`check(stretch_id, pose, reference)` answers True, False, or None when nobody is in view or the
position cannot be judged from this view. Every check is label-free (MediaPipe swaps left and
right when the torso turns far), measures in pixels (never normalized coordinates: a 16:9 frame
would skew every angle), and compares against the user's own relaxed pose (`Reference`) where a
fixed threshold would depend on the camera's height, side offset or distance.

What a front camera can and cannot see, per check (thresholds below, as (enter, exit) pairs
where the looser exit value keeps a held position from flickering out):
- overhead_reach: both upper arms near vertical with the elbows well above the shoulders. A
  wrist in the frame must be above the nose on a straight arm, straight both in the image
  (elbow angle) and toward the camera (the forearm's on-screen length against the upper arm's:
  a forearm bent toward or away from the camera looks short). A wrist out of the top of the
  frame is extrapolated by MediaPipe (confidently, and wrongly): then the upper arm must be
  steeper and its elbow near enough to the top edge for a straight forearm to leave the frame.
  An elbow out of the top or sides of the frame cannot be judged (None).
- shrugs_and_rolls: the shoulder line risen in the image against the relaxed level (in relaxed
  shoulder spans) while the ears come nearer the shoulders. A slouch or a nod brings the head
  down, not the shoulders up; leaning back moves both and keeps the ear height.
- upper_trapezius_stretch (neck side bend): the ear (or eye) line rolled against its relaxed
  tilt, both in the image and against the shoulder line, with the face still frontal (both
  ears seen, the nose centred between them as when relaxed, the face not narrowed): a head turn
  seen from above or below also tilts the ear line, and a nod changes pitch, not roll.
- side_bend: the shoulder line tilted against its relaxed tilt with an upper arm raised and the
  shoulders still facing the camera (a twist also tilts the shoulder line in perspective).
- butterfly: elbows in the frame, close together in front at about shoulder height (in front
  of the chest, so at or a little below the shoulders in the image) and one wrist near each
  shoulder. Hands on the shoulders with the elbows down, chin in the hands, and crossed arms
  have the elbows low.
- trunk_rotation: the shoulder line's turn against the relaxed pose, in either direction (a
  camera off to one side sees a twist toward it widen the shoulders, not narrow them), from the
  depth of MediaPipe's world shoulders, accepted only where the on-screen shoulder span agrees
  with it; or, for far turns whose depth the model may get wrong, a clear narrowing of the span
  in frame size and against the eye height (leaning in or sitting back change only the first).
- shoulder_blade_squeeze: only partly checkable. Elbows pushed back move along the camera's own
  axis; what a camera above elbow height (a laptop's) sees is the elbows rising toward the
  shoulders in the image as they go back (forward elbows drop instead), with the arms down and
  the elbows not out to the sides (hands on the hips raise them too). It needs the elbows in the
  frame and cannot see the shoulder blades themselves.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np

from posture.calibration import Profile
from posture.metrics import VISIBLE, detect_view, front_metrics
from posture.pose import LM, Pose

Band = tuple[float, float]  # (threshold to enter the position, looser threshold to stay in it)

EDGE = 0.02  # a landmark nearer the frame's edge than this share of its size is extrapolated

# overhead_reach
UPPER_ARM_TILT: Band = (32.0, 40.0)  # degrees from vertical, at most
HIDDEN_HAND_TILT: Band = (25.0, 32.0)  # the same, at most, when the hand is above the frame
ELBOW_RISE: Band = (0.4, 0.3)  # elbow above its shoulder, in shoulder spans, at least
STRAIGHT_ELBOW: Band = (150.0, 140.0)  # shoulder-elbow-wrist angle, degrees, at least
FOREARM_SHARE: Band = (0.7, 0.6)  # forearm / upper arm on screen (straight: about 0.86), at least
WRIST_RISE: Band = (0.6, 0.45)  # wrist above the nose, in shoulder spans, at least
TOP_REACH: Band = (1.2, 1.35)  # elbow below the top edge, in upper-arm lengths, at most
# shrugs_and_rolls
SHRUG_DROP: Band = (0.10, 0.07)  # ear height (in spans) below the relaxed level, at least
SHOULDER_RISE: Band = (0.06, 0.04)  # shoulder line up the image (relaxed spans), at least
RISE_SHARE = 0.5  # the shoulders' rise makes at least this share of the ears' drop
# upper_trapezius_stretch
HEAD_ROLL: Band = (16.0, 12.0)  # degrees, at least, against the horizontal and the shoulders
FACE_TURN: Band = (0.3, 0.35)  # nose off the ears' centre (ear spans) vs relaxed, at most
EYES_TURN: Band = (0.2, 0.25)  # the same between the eyes (eye spans), when an ear is hidden
FACE_WIDTH: Band = (0.8, 0.75)  # face width on screen against the relaxed width, at least
NOSE_EAR: Band = (0.18, 0.25)  # nose to the one ear seen against relaxed (share), at most off
# side_bend
TRUNK_TILT: Band = (14.0, 10.0)  # shoulder line from its relaxed tilt, degrees, at least
RAISED_ELBOW = 0.2  # an arm counts as raised with its elbow this many spans above its shoulder
FACING_NOSE = 0.3  # nose offset along the shoulder line (spans) beyond this: shoulders turned
# butterfly
ELBOWS_TOGETHER: Band = (0.8, 0.9)  # elbow-to-elbow distance in shoulder spans, at most
ELBOWS_UP: Band = (0.55, 0.62)  # elbows below the shoulder line, in spans, at most
ELBOWS_NOT_ABOVE = 0.5  # elbows above the shoulder line by more than this: arms raised instead
HAND_ON_SHOULDER: Band = (0.5, 0.6)  # wrist to its nearest shoulder in spans, at most
# trunk_rotation
TURN: Band = (20.0, 15.0)  # shoulder line turned (world depth) from relaxed, degrees, at least
TURN_AGREES = 0.06  # |span ratio x cos(relaxed turn) - cos(turn)| at most: the 2-D agrees
SPAN_SHRINK: Band = (0.85, 0.9)  # shoulder span against the relaxed span, at most
TURN_SIDE = 8.0  # degrees of turn that tell the side of a twist...
NOSE_SIDE = 0.1  # ...else the nose's move along the shoulder line, in spans
# shoulder_blade_squeeze
ELBOW_BACK: Band = (0.8, 0.85)  # elbow drop below the shoulders against the relaxed drop, at most
ELBOW_OUT: Band = (0.8, 0.9)  # elbow from the body's midline, in spans, at most

REFERENCE_S = 1.5  # seconds of the run (with someone in view) that give the relaxed reference
RATCHET_S = 0.5  # a more relaxed level held this long replaces the reference (see RELAXED_HIGH)
STILL_SPAN = 0.05  # ...if the shoulder span stayed within this share (not leaning in or back)
# Reference measures whose relaxed value is their highest (ears highest above the shoulders,
# shoulders lowest in the image when they drop), per stretch. Only the shrug has them: a
# twisting or leaning user has no "highest" relaxed span that a lean could not fake.
RELAXED_HIGH = {"shrugs_and_rolls": ("ear_height", "shoulder_y")}
ARMS = (
    (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
)
FACE_PAIRS = {"ears": (LM.LEFT_EAR, LM.RIGHT_EAR), "eyes": (LM.LEFT_EYE, LM.RIGHT_EYE)}


# ---- reference ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """The user's relaxed pose as numbers; a field is None until it is known.

    ear_height: ear midpoint above the shoulder line / span (posture.metrics). shoulder_y,
    span_y: shoulder midpoint height and shoulder span as shares of the frame height.
    span_scale: span / frame diagonal. span_neck: span / eye height above the shoulders.
    shoulder_yaw: the shoulder line's turn from the image plane in world depth, degrees.
    nose_offset: nose along the shoulder line, spans. shoulder_tilt, head_tilt: the shoulder
    and head lines from horizontal, degrees. ears_turn, eyes_turn: nose off the pair's centre
    along its line / its length; ears_width, eyes_width: its length / span.
    ear_nose_image_left, ear_nose_image_right: the ear on that side of the nose in the image
    to the nose / span (by image side: labels may swap). elbow_drop: elbows below the
    shoulders / span (only when both elbows are in the frame).
    """

    ear_height: float | None = None
    shoulder_y: float | None = None
    span_y: float | None = None
    span_scale: float | None = None
    span_neck: float | None = None
    shoulder_yaw: float | None = None
    nose_offset: float | None = None
    shoulder_tilt: float | None = None
    head_tilt: float | None = None
    ears_turn: float | None = None
    ears_width: float | None = None
    eyes_turn: float | None = None
    eyes_width: float | None = None
    ear_nose_image_left: float | None = None
    ear_nose_image_right: float | None = None
    elbow_drop: float | None = None

    @staticmethod
    def from_profile(profile: Profile | None) -> Reference:
        """The measure a calibrated profile holds (its relaxed, upright ear height).

        The rest is left to the run: it depends on the camera's place and distance, and a
        profile does not record the arms or the face's width.
        """
        if profile is None or not profile.calibrated or profile.view != "front":
            return Reference()
        base = profile.baseline.get("ear_height")
        return Reference(ear_height=base.centre if base is not None else None)


def relaxed_measures(pose: Pose) -> dict[str, float]:
    """The Reference's measures in this pose (those its confident landmarks allow)."""
    span = _span(pose)
    out = {k: v for k, v in front_metrics(pose).items() if k in ("ear_height", "span_scale")}
    out["shoulder_y"] = float(pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)[1]) / pose.height
    out["span_y"] = span / pose.height
    out["nose_offset"] = _nose_offset(pose)
    out["shoulder_tilt"] = _tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    neck = _eye_height(pose)
    if neck > 0:
        out["span_neck"] = span / neck
    yaw = _shoulder_yaw(pose)
    if yaw is not None:
        out["shoulder_yaw"] = yaw
    line = _head_line(pose)
    if line is not None:
        out["head_tilt"] = _tilt(pose, *FACE_PAIRS[line])
    for name in FACE_PAIRS:
        face = _face(pose, name)
        if face is not None:
            out[f"{name}_turn"], out[f"{name}_width"] = face
    for ear in (LM.LEFT_EAR, LM.RIGHT_EAR):
        if pose.visible(ear, LM.NOSE, threshold=VISIBLE):
            out[_ear_nose_name(pose, ear)] = _ear_nose(pose, ear)
    if _in_frame(pose, LM.LEFT_ELBOW) and _in_frame(pose, LM.RIGHT_ELBOW):
        drops = [pose.xy[e][1] - pose.xy[s][1] for s, e, _ in ARMS]
        out["elbow_drop"] = float(np.mean(drops)) / span
    return out


class ReferenceTracker:
    """The relaxed reference for one run.

    Profile values come first (the user's own calibrated posture); the rest is the median of
    the first REFERENCE_S seconds with someone in view, when the user is still listening to the
    instructions. A measure not seen then stays unknown: learning it later could take a
    stretched position for the relaxed one (elbows that only come into the frame when pushed
    back). For the measures in RELAXED_HIGH the reference also rises to any higher level
    held for RATCHET_S with the shoulder span unchanged (within STILL_SPAN), so a recording that
    starts mid-shrug recovers once the user relaxes, while leaning in or back moves nothing. It
    never falls: a profile calibrated with another camera, whose ears sit higher above the
    shoulders than this camera shows, makes relaxed shoulders look shrugged.
    """

    def __init__(self, stretch_id: str, profile: Profile | None = None) -> None:
        self.reference = Reference.from_profile(profile)
        self._high = RELAXED_HIGH.get(stretch_id, ())
        self._start: float | None = None
        self._samples: list[dict[str, float]] | None = []  # None once settled
        self._recent: deque[tuple[float, dict[str, float]]] = deque()

    @property
    def settled(self) -> bool:
        """True once the first moments have given their medians."""
        return self._samples is None

    def update(self, t: float, pose: Pose | None) -> Reference:
        """Take one frame into account and return the reference to judge it by."""
        if pose is None or (self.settled and not self._high) or not in_view(pose):
            return self.reference  # settled, and nothing to ratchet: nothing to measure
        measures = relaxed_measures(pose)
        if self._start is None:
            self._start = t
        if self._samples is not None and t - self._start < REFERENCE_S:
            self._samples.append(measures)
            return self.reference
        if self._samples is not None:
            self._settle()
        self._ratchet(t, measures)
        return self.reference

    def _settle(self) -> None:
        """Fill the fields the profile left empty with the medians of the first moments."""
        assert self._samples is not None
        known = {f.name: getattr(self.reference, f.name) for f in fields(Reference)}
        for name, value in known.items():
            values = [m[name] for m in self._samples if name in m]
            if value is None and values:
                known[name] = float(np.median(values))
        self.reference = Reference(**known)
        self._samples = None

    def _ratchet(self, t: float, measures: dict[str, float]) -> None:
        """Raise RELAXED_HIGH measures to higher levels held over RATCHET_S at an unchanged
        shoulder span (leaning in lowers the shoulders in the image too)."""
        if not self._high or self.reference.span_y is None:
            return
        self._recent.append((t, measures))
        while t - self._recent[0][0] > RATCHET_S:
            self._recent.popleft()
        if self._recent[-1][0] - self._recent[0][0] < 0.8 * RATCHET_S:
            return
        spans = [m["span_y"] for _, m in self._recent]
        if max(abs(v / self.reference.span_y - 1.0) for v in spans) > STILL_SPAN:
            return
        for name in self._high:
            values = [m[name] for _, m in self._recent if name in m]
            current = getattr(self.reference, name)
            if len(values) == len(self._recent) and current is not None:
                level = float(np.median(values))
                if level > current:
                    self.reference = replace(self.reference, **{name: level})


# ---- geometry (pixels, label-free) ----------------------------------------------------------

def in_view(pose: Pose | None) -> bool:
    """Someone is in view: the nose seen, both shoulders seen inside the frame (shoulders at or
    past its edge are extrapolated, and every check measures from them)."""
    return (pose is not None and pose.visible(LM.NOSE, threshold=VISIBLE)
            and _in_frame(pose, LM.LEFT_SHOULDER) and _in_frame(pose, LM.RIGHT_SHOULDER))


def _span(pose: Pose) -> float:
    """Shoulder span in pixels."""
    return max(float(np.linalg.norm(pose.xy[LM.LEFT_SHOULDER] - pose.xy[LM.RIGHT_SHOULDER])),
               1e-9)


def _unit(pose: Pose, a: int, b: int) -> np.ndarray:
    """Unit vector along the line through two landmarks, pointing image-right (label-free)."""
    d = pose.xy[a] - pose.xy[b]
    d = d / max(float(np.linalg.norm(d)), 1e-9)
    return d if d[0] >= 0 else -d


def _tilt(pose: Pose, a: int, b: int) -> float:
    """Angle of the line through two landmarks from horizontal, in degrees, label-free:
    positive when its image-right end is lower (toward the person's left, camera unmirrored)."""
    d = _unit(pose, a, b)
    return math.degrees(math.atan2(d[1], d[0]))


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle at b between b->a and b->c, in degrees (180 = straight)."""
    u, v = a - b, c - b
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    if norm < 1e-9:
        return 0.0
    return math.degrees(math.acos(float(np.clip(np.dot(u, v) / norm, -1.0, 1.0))))


def _from_vertical(v: np.ndarray) -> float:
    """Angle of an image vector from straight up, in degrees (0 = up, 180 = down)."""
    return math.degrees(math.atan2(abs(float(v[0])), -float(v[1])))


def _in_frame(pose: Pose, index: int) -> bool:
    """A landmark seen inside the frame, away from its edges: anything else is extrapolated."""
    x, y = pose.xy[index]
    mx, my = EDGE * pose.width, EDGE * pose.height
    return (pose.visible(index, threshold=VISIBLE)
            and mx <= x <= pose.width - mx and my <= y <= pose.height - my)


def _eye_height(pose: Pose) -> float:
    """Pixels from the shoulder midpoint up to the eyes (to the nose if no eye is seen)."""
    eyes = [i for i in (LM.LEFT_EYE, LM.RIGHT_EYE) if pose.visible(i, threshold=VISIBLE)]
    top = pose.xy[eyes].mean(axis=0) if eyes else pose.xy[LM.NOSE]
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return float(centre[1] - top[1])


def _nose_offset(pose: Pose) -> float:
    """Nose along the shoulder line from the shoulders' midpoint, in spans (+ = image right)."""
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    along = _unit(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return float(np.dot(pose.xy[LM.NOSE] - centre, along)) / _span(pose)


def _shoulder_yaw(pose: Pose) -> float | None:
    """The shoulder line's turn out of the image plane, degrees, from MediaPipe's world depth:
    positive when the image-right shoulder is the farther one. Label-free (the pair is ordered
    by its world x, which points image-right). None when the world points are degenerate."""
    d = pose.world[LM.LEFT_SHOULDER] - pose.world[LM.RIGHT_SHOULDER]
    if not np.all(np.isfinite(d)) or float(np.hypot(d[0], d[2])) < 1e-6:
        return None
    if d[0] < 0:
        d = -d
    return math.degrees(math.atan2(float(d[2]), float(d[0])))


def _head_line(pose: Pose) -> str | None:
    """'ears' when both are seen, else 'eyes', else None: the line that rolls with the head."""
    for name, pair in FACE_PAIRS.items():
        if pose.visible(*pair, threshold=VISIBLE):
            return name
    return None


def _face(pose: Pose, name: str) -> tuple[float, float] | None:
    """(turn, width) of a face pair ('ears'): the nose off the pair's centre along it / its
    length, and its length / shoulder span. None unless the pair and the nose are seen."""
    a, b = FACE_PAIRS[name]
    if not pose.visible(a, b, LM.NOSE, threshold=VISIBLE):
        return None
    length = max(float(np.linalg.norm(pose.xy[a] - pose.xy[b])), 1e-9)
    turn = float(np.dot(pose.xy[LM.NOSE] - pose.mid(a, b), _unit(pose, a, b))) / length
    return turn, length / _span(pose)


def _ear_nose(pose: Pose, ear: int) -> float:
    """An ear's distance to the nose, in shoulder spans."""
    return float(np.linalg.norm(pose.xy[ear] - pose.xy[LM.NOSE])) / _span(pose)


def _ear_nose_name(pose: Pose, ear: int) -> str:
    """The Reference field for this ear's distance to the nose, by its image side of the nose."""
    side = "left" if pose.xy[ear][0] < pose.xy[LM.NOSE][0] else "right"
    return f"ear_nose_image_{side}"


def _pick(band: Band, held: bool) -> float:
    """The threshold that applies: the looser exit value while the position is held."""
    return band[1] if held else band[0]


def _relative(value: float, relaxed: float | None) -> float:
    """A measure against its relaxed level (against zero while that is not known)."""
    return value - (relaxed or 0.0)


def _front(pose: Pose | None) -> bool:
    """Someone in view, from the front (a side view hides what these checks measure)."""
    return in_view(pose) and detect_view(pose) == "front"


# ---- checks ---------------------------------------------------------------------------------

def _arm_overhead(pose: Pose, arm: tuple[int, int, int], held: bool) -> bool | None:
    """One arm straight up (True), not (False), or an elbow beyond the top or sides of the frame
    (None). An elbow below the frame, or unseen inside it, is an arm that is not raised."""
    s, e, w = (pose.xy[i] for i in arm)
    if not _in_frame(pose, arm[1]):
        x, y = e
        beyond = (y < pose.height * EDGE or x < pose.width * EDGE
                  or x > pose.width * (1 - EDGE))
        return None if beyond and y <= pose.height * (1 - EDGE) else False
    span = _span(pose)
    upper = max(float(np.linalg.norm(e - s)), 1e-9)
    if (s[1] - e[1]) / span < _pick(ELBOW_RISE, held):  # also an upper arm aimed at the camera
        return False
    if _in_frame(pose, arm[2]):
        return (_from_vertical(e - s) <= _pick(UPPER_ARM_TILT, held)
                and _angle(s, e, w) >= _pick(STRAIGHT_ELBOW, held)
                and float(np.linalg.norm(w - e)) / upper >= _pick(FOREARM_SHARE, held)
                and (pose.xy[LM.NOSE][1] - w[1]) / span >= _pick(WRIST_RISE, held))
    if w[1] > pose.height * EDGE and pose.visible(arm[2], threshold=VISIBLE):
        return None  # a hand off the side of the frame: nothing to judge the forearm by
    # The hand is above the frame, its wrist a guess: a steep upper arm whose elbow is near
    # enough to the top edge for a straight forearm to reach past it.
    return (_from_vertical(e - s) <= _pick(HIDDEN_HAND_TILT, held)
            and e[1] / upper <= _pick(TOP_REACH, held))


def _overhead_reach(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Both arms straight up above the head (one arm, or bent arms, is not the reach)."""
    if not _front(pose):
        return None
    arms = [_arm_overhead(pose, arm, held) for arm in ARMS]
    if False in arms:
        return False
    return None if None in arms else True


def _shrug(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Shoulders risen in the image toward ears that stay: the ears nearer the shoulder line
    and the shoulder line higher, against the relaxed level, the rise making most of the drop."""
    r = reference
    if not _front(pose) or r.ear_height is None or r.shoulder_y is None or r.span_y is None:
        return None
    m = relaxed_measures(pose)
    if "ear_height" not in m:
        return None
    drop = r.ear_height - m["ear_height"]
    rise = (r.shoulder_y - m["shoulder_y"]) / r.span_y
    return (drop >= _pick(SHRUG_DROP, held) and rise >= _pick(SHOULDER_RISE, held)
            and rise >= RISE_SHARE * drop)


def _frontal_face(pose: Pose, reference: Reference, held: bool) -> bool:
    """The face toward the camera as when relaxed: the nose centred between the ears and the
    face not narrowed, against the relaxed face. With one ear hidden (a camera off to the side
    hides it when the head rolls, as a turned head does) the eyes must pass those tests and the
    nose keep its relaxed distance from the ear seen (turning brings them together or apart)."""
    r = reference
    if (ears := _face(pose, "ears")) is not None:
        return _centred(ears, r.ears_turn, r.ears_width, FACE_TURN, held)
    seen = [e for e in (LM.LEFT_EAR, LM.RIGHT_EAR) if pose.visible(e, threshold=VISIBLE)]
    relaxed = getattr(r, _ear_nose_name(pose, seen[0])) if len(seen) == 1 else None
    if relaxed is None:
        return False
    return (abs(_ear_nose(pose, seen[0]) / relaxed - 1.0) <= _pick(NOSE_EAR, held)
            and _centred(_face(pose, "eyes"), r.eyes_turn, r.eyes_width, EYES_TURN, held))


def _centred(face: tuple[float, float] | None, relaxed_turn: float | None,
             relaxed_width: float | None, limit: Band, held: bool) -> bool:
    """A face pair's nose offset and width near their relaxed values (see _frontal_face)."""
    if face is None:
        return False
    turn, width = face
    if abs(_relative(turn, relaxed_turn)) > _pick(limit, held):
        return False
    return relaxed_width is None or width / relaxed_width >= _pick(FACE_WIDTH, held)


def _head_roll(pose: Pose, reference: Reference) -> float | None:
    """Head roll in degrees against the relaxed head: the smaller of its roll in the image and
    its roll against the shoulder line. Signed (+ toward the image right); 0 when the two
    disagree in sign. None without a head line."""
    line = _head_line(pose)
    if line is None:
        return None
    head = _tilt(pose, *FACE_PAIRS[line])
    shoulders = _tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    absolute = _relative(head, reference.head_tilt)
    relative = absolute - _relative(shoulders, reference.shoulder_tilt)
    if absolute * relative <= 0:
        return 0.0
    return math.copysign(min(abs(absolute), abs(relative)), absolute)


def _neck_side_bend(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Head tilted toward a shoulder with the face still frontal: rolled against both the
    horizontal and the shoulders, relative to the relaxed head."""
    if not _front(pose):
        return None
    roll = _head_roll(pose, reference)
    if roll is None:
        return None
    return abs(roll) >= _pick(HEAD_ROLL, held) and _frontal_face(pose, reference, held)


def _side_bend(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Trunk leaning sideways with an arm raised, shoulders still facing the camera."""
    if not _front(pose):
        return None
    span = _span(pose)
    raised = any((pose.xy[s][1] - pose.xy[e][1]) / span >= RAISED_ELBOW for s, e, _ in ARMS)
    facing = abs(_relative(_nose_offset(pose), reference.nose_offset)) <= FACING_NOSE
    tilt = _relative(_tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER), reference.shoulder_tilt)
    return raised and facing and abs(tilt) >= _pick(TRUNK_TILT, held)


def _butterfly(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Elbows together in front at about shoulder height, one hand near each shoulder."""
    if not _front(pose):
        return None
    elbows = (LM.LEFT_ELBOW, LM.RIGHT_ELBOW)
    if not all(_in_frame(pose, e) for e in elbows):
        return None if any(pose.xy[e][1] < pose.height * EDGE for e in elbows) else False
    span = _span(pose)
    shoulders = pose.xy[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]]
    apart = float(np.linalg.norm(pose.xy[LM.LEFT_ELBOW] - pose.xy[LM.RIGHT_ELBOW])) / span
    drop = float(pose.xy[list(elbows)][:, 1].mean() - shoulders[:, 1].mean()) / span
    if apart > _pick(ELBOWS_TOGETHER, held) or not -ELBOWS_NOT_ABOVE <= drop <= _pick(
            ELBOWS_UP, held):
        return False
    nearest = []
    for wrist in (LM.LEFT_WRIST, LM.RIGHT_WRIST):
        if not _in_frame(pose, wrist):
            return False
        distances = np.linalg.norm(shoulders - pose.xy[wrist], axis=1) / span
        if float(distances.min()) > _pick(HAND_ON_SHOULDER, held):
            return False
        nearest.append(int(distances.argmin()))
    return nearest[0] != nearest[1]  # one hand on each shoulder (whichever label it has)


def _turn(m: dict[str, float], reference: Reference) -> float | None:
    """Degrees the shoulder line has turned from the relaxed pose by world depth, when the
    on-screen span agrees (span ratio x cos(relaxed) near cos(now)); else None. `m`: the
    pose's relaxed_measures."""
    yaw = m.get("shoulder_yaw")
    r = reference
    if yaw is None or r.shoulder_yaw is None or r.span_scale is None or r.span_neck is None:
        return None
    expected = math.cos(math.radians(yaw))
    relaxed = math.cos(math.radians(r.shoulder_yaw))
    ratios = [m["span_scale"] / r.span_scale]
    if "span_neck" in m:
        ratios.append(m["span_neck"] / r.span_neck)
    if min(abs(ratio * relaxed - expected) for ratio in ratios) > TURN_AGREES:
        return None
    return yaw - r.shoulder_yaw


def _trunk_rotation(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Shoulders turned from the relaxed pose, either way: by world depth that the 2-D span
    agrees with, or by a clear narrowing of the span both in frame size and against the eye
    height (leaning back narrows the first only, a nod changes the second only).

    No front-view test: narrowing shoulders are what a side view is recognized by."""
    r = reference
    if not in_view(pose) or r.span_scale is None or r.span_neck is None:
        return None
    m = relaxed_measures(pose)
    turn = _turn(m, r)
    if turn is not None and abs(turn) >= _pick(TURN, held):
        return True
    if "span_neck" not in m:
        return None
    limit = _pick(SPAN_SHRINK, held)
    return m["span_scale"] <= limit * r.span_scale and m["span_neck"] <= limit * r.span_neck


def _squeeze(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Elbows pushed back (partly checkable): arms down, the elbows risen toward the shoulders
    in the image against the relaxed arms, as elbows going back do for a camera above them,
    and not out to the sides as hands on the hips put them."""
    if not _front(pose) or reference.elbow_drop is None:
        return None
    drop = relaxed_measures(pose).get("elbow_drop")
    if drop is None:  # elbows out of the frame: nothing to judge by
        return None
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    along = _unit(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    out = max(abs(float(np.dot(pose.xy[e] - centre, along))) for e in (LM.LEFT_ELBOW,
                                                                       LM.RIGHT_ELBOW))
    return (0.0 < drop <= _pick(ELBOW_BACK, held) * reference.elbow_drop
            and out / _span(pose) <= _pick(ELBOW_OUT, held))


Check = Callable[[Pose, Reference, bool], bool | None]
CHECKS: dict[str, Check] = {
    "overhead_reach": _overhead_reach,
    "shrugs_and_rolls": _shrug,
    "upper_trapezius_stretch": _neck_side_bend,
    "side_bend": _side_bend,
    "butterfly": _butterfly,
    "trunk_rotation": _trunk_rotation,
    "shoulder_blade_squeeze": _squeeze,
}


def check(stretch_id: str, pose: Pose | None, reference: Reference = Reference(),
          held: bool = False) -> bool | None:
    """Is `pose` in the stretch's position? None: nobody in view, a view or stretch the camera
    cannot judge, or a reference the check needs is not known yet. `held` applies the looser
    thresholds that keep a position once it is taken (hysteresis)."""
    judge = CHECKS.get(stretch_id)
    if judge is None or pose is None:
        return None
    return judge(pose, reference, held)


# ---- sides ----------------------------------------------------------------------------------

def _person_side(offset: float, dead_zone: float) -> str | None:
    """'left' or 'right' of the person for an image-right-positive offset (camera unmirrored:
    the person's left is on the image's right)."""
    if abs(offset) < dead_zone:
        return None
    return "left" if offset > 0 else "right"


def _twist_side(pose: Pose, reference: Reference) -> str | None:
    """The side of a twist: the way the shoulder line turned in world depth (the image-right
    shoulder going back is a turn to the person's left), else the way the nose moved along the
    shoulder line against the relaxed pose."""
    yaw = _shoulder_yaw(pose)
    if yaw is not None and reference.shoulder_yaw is not None:
        side = _person_side(yaw - reference.shoulder_yaw, TURN_SIDE)
        if side is not None:
            return side
    return _person_side(_relative(_nose_offset(pose), reference.nose_offset), NOSE_SIDE)


SIDES: dict[str, Callable[[Pose, Reference], str | None]] = {
    "trunk_rotation": _twist_side,
    "upper_trapezius_stretch": lambda pose, ref: _person_side(_head_roll(pose, ref) or 0.0, 1.0),
    "side_bend": lambda pose, ref: _person_side(
        _relative(_tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER), ref.shoulder_tilt), 1.0),
}


def side_of(stretch_id: str, pose: Pose | None, reference: Reference = Reference()) -> str | None:
    """Which side a per-side position is on ('left'/'right' of the person), None if unknown.

    Taken from label-free geometry against the relaxed pose (tilts, offsets and turns), so a
    left/right swap by the model cannot flip it. Assumes an unmirrored camera.
    """
    find = SIDES.get(stretch_id)
    return None if find is None or pose is None or not in_view(pose) else find(pose, reference)
