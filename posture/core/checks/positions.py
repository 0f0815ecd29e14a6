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
from collections.abc import Callable

import numpy as np

from posture.core.checks.geometry import (
    ARMS,
    EDGE,
    FACE_PAIRS,
    angle,
    ear_nose,
    ear_nose_name,
    face,
    from_vertical,
    head_line,
    in_frame,
    in_view,
    nose_offset,
    relative,
    seen_from_front,
    span,
    tilt,
    unit,
)
from posture.core.checks.reference import NOTHING_KNOWN, Reference, relaxed_measures
from posture.core.metrics import VISIBLE
from posture.core.pose import LM, Pose

Band = tuple[float, float]  # (threshold to enter the position, looser threshold to stay in it)

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
# shoulder_blade_squeeze
ELBOW_BACK: Band = (0.8, 0.85)  # elbow drop below the shoulders against the relaxed drop, at most
ELBOW_OUT: Band = (0.8, 0.9)  # elbow from the body's midline, in spans, at most


def _pick(band: Band, held: bool) -> float:
    """The threshold that applies: the looser exit value while the position is held."""
    return band[1] if held else band[0]


def _arm_overhead(pose: Pose, arm: tuple[int, int, int], held: bool) -> bool | None:
    """One arm straight up (True), not (False), or an elbow beyond the top or sides of the frame
    (None). An elbow below the frame, or unseen inside it, is an arm that is not raised."""
    s, e, w = (pose.xy[i] for i in arm)
    if not in_frame(pose, arm[1]):
        x, y = e
        beyond = (y < pose.height * EDGE or x < pose.width * EDGE
                  or x > pose.width * (1 - EDGE))
        return None if beyond and y <= pose.height * (1 - EDGE) else False
    width = span(pose)
    upper = max(float(np.linalg.norm(e - s)), 1e-9)
    if (s[1] - e[1]) / width < _pick(ELBOW_RISE, held):  # also an upper arm aimed at the camera
        return False
    if in_frame(pose, arm[2]):
        return (from_vertical(e - s) <= _pick(UPPER_ARM_TILT, held)
                and angle(s, e, w) >= _pick(STRAIGHT_ELBOW, held)
                and float(np.linalg.norm(w - e)) / upper >= _pick(FOREARM_SHARE, held)
                and (pose.xy[LM.NOSE][1] - w[1]) / width >= _pick(WRIST_RISE, held))
    if w[1] > pose.height * EDGE and pose.visible(arm[2], threshold=VISIBLE):
        return None  # a hand off the side of the frame: nothing to judge the forearm by
    # The hand is above the frame, its wrist a guess: a steep upper arm whose elbow is near
    # enough to the top edge for a straight forearm to reach past it.
    return (from_vertical(e - s) <= _pick(HIDDEN_HAND_TILT, held)
            and e[1] / upper <= _pick(TOP_REACH, held))


def _overhead_reach(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Both arms straight up above the head (one arm, or bent arms, is not the reach)."""
    if not seen_from_front(pose):
        return None
    arms = [_arm_overhead(pose, arm, held) for arm in ARMS]
    if False in arms:
        return False
    return None if None in arms else True


def _shrug(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Shoulders risen in the image toward ears that stay: the ears nearer the shoulder line
    and the shoulder line higher, against the relaxed level, the rise making most of the drop."""
    r = reference
    if (not seen_from_front(pose) or r.ear_height is None or r.shoulder_y is None
            or r.span_y is None):
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
    if (ears := face(pose, "ears")) is not None:
        return _centred(ears, r.ears_turn, r.ears_width, FACE_TURN, held)
    seen = [e for e in (LM.LEFT_EAR, LM.RIGHT_EAR) if pose.visible(e, threshold=VISIBLE)]
    relaxed = getattr(r, ear_nose_name(pose, seen[0])) if len(seen) == 1 else None
    if relaxed is None:
        return False
    return (abs(ear_nose(pose, seen[0]) / relaxed - 1.0) <= _pick(NOSE_EAR, held)
            and _centred(face(pose, "eyes"), r.eyes_turn, r.eyes_width, EYES_TURN, held))


def _centred(face: tuple[float, float] | None, relaxed_turn: float | None,
             relaxed_width: float | None, limit: Band, held: bool) -> bool:
    """A face pair's nose offset and width near their relaxed values (see _frontal_face)."""
    if face is None:
        return False
    turn, width = face
    if abs(relative(turn, relaxed_turn)) > _pick(limit, held):
        return False
    return relaxed_width is None or width / relaxed_width >= _pick(FACE_WIDTH, held)


def head_roll(pose: Pose, reference: Reference) -> float | None:
    """Head roll in degrees against the relaxed head: the smaller of its roll in the image and
    its roll against the shoulder line. Signed (+ toward the image right); 0 when the two
    disagree in sign. None without a head line."""
    line = head_line(pose)
    if line is None:
        return None
    head = tilt(pose, *FACE_PAIRS[line])
    shoulders = tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    absolute = relative(head, reference.head_tilt)
    against_shoulders = absolute - relative(shoulders, reference.shoulder_tilt)
    if absolute * against_shoulders <= 0:
        return 0.0
    return math.copysign(min(abs(absolute), abs(against_shoulders)), absolute)


def _neck_side_bend(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Head tilted toward a shoulder with the face still frontal: rolled against both the
    horizontal and the shoulders, relative to the relaxed head."""
    if not seen_from_front(pose):
        return None
    roll = head_roll(pose, reference)
    if roll is None:
        return None
    return abs(roll) >= _pick(HEAD_ROLL, held) and _frontal_face(pose, reference, held)


def _side_bend(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Trunk leaning sideways with an arm raised, shoulders still facing the camera."""
    if not seen_from_front(pose):
        return None
    width = span(pose)
    raised = any((pose.xy[s][1] - pose.xy[e][1]) / width >= RAISED_ELBOW for s, e, _ in ARMS)
    facing = abs(relative(nose_offset(pose), reference.nose_offset)) <= FACING_NOSE
    lean = relative(tilt(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER), reference.shoulder_tilt)
    return raised and facing and abs(lean) >= _pick(TRUNK_TILT, held)


def _butterfly(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Elbows together in front at about shoulder height, one hand near each shoulder."""
    if not seen_from_front(pose):
        return None
    elbows = (LM.LEFT_ELBOW, LM.RIGHT_ELBOW)
    if not all(in_frame(pose, e) for e in elbows):
        return None if any(pose.xy[e][1] < pose.height * EDGE for e in elbows) else False
    width = span(pose)
    shoulders = pose.xy[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]]
    apart = float(np.linalg.norm(pose.xy[LM.LEFT_ELBOW] - pose.xy[LM.RIGHT_ELBOW])) / width
    drop = float(pose.xy[list(elbows)][:, 1].mean() - shoulders[:, 1].mean()) / width
    if apart > _pick(ELBOWS_TOGETHER, held) or not -ELBOWS_NOT_ABOVE <= drop <= _pick(
            ELBOWS_UP, held):
        return False
    nearest = []
    for wrist in (LM.LEFT_WRIST, LM.RIGHT_WRIST):
        if not in_frame(pose, wrist):
            return False
        distances = np.linalg.norm(shoulders - pose.xy[wrist], axis=1) / width
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
    if not seen_from_front(pose) or reference.elbow_drop is None:
        return None
    drop = relaxed_measures(pose).get("elbow_drop")
    if drop is None:  # elbows out of the frame: nothing to judge by
        return None
    centre = pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    along = unit(pose, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    out = max(abs(float(np.dot(pose.xy[e] - centre, along))) for e in (LM.LEFT_ELBOW,
                                                                       LM.RIGHT_ELBOW))
    return (0.0 < drop <= _pick(ELBOW_BACK, held) * reference.elbow_drop
            and out / span(pose) <= _pick(ELBOW_OUT, held))


Check = Callable[[Pose, Reference, bool], bool | None]
POSITION_CHECKS: dict[str, Check] = {
    "overhead_reach": _overhead_reach,
    "shrugs_and_rolls": _shrug,
    "upper_trapezius_stretch": _neck_side_bend,
    "side_bend": _side_bend,
    "butterfly": _butterfly,
    "trunk_rotation": _trunk_rotation,
    "shoulder_blade_squeeze": _squeeze,
}


def check(stretch_id: str, pose: Pose | None, reference: Reference = NOTHING_KNOWN,
          held: bool = False) -> bool | None:
    """Is `pose` in the stretch's position? None: nobody in view, a view or stretch the camera
    cannot judge, or a reference the check needs is not known yet. `held` applies the looser
    thresholds that keep a position once it is taken (hysteresis)."""
    judge = POSITION_CHECKS.get(stretch_id)
    if judge is None or pose is None:
        return None
    return judge(pose, reference, held)
