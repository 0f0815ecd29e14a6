"""Is the user in a stretch's position? Pure geometry on one pose against the relaxed pose.

`check(stretch_id, pose, reference)` answers True, False, or None when nobody is in view or the
position cannot be judged from this view. Every check is label-free (MediaPipe swaps left and
right when the torso turns far) and measures in pixels (never normalized coordinates: a 16:9
frame would skew every angle). Thresholds are (enter, exit) pairs: the looser exit value keeps
a held position from flickering out. The four checks with real footage in ../shared/data
(reach, neck side bend, shrug, side bend) accept what a physiotherapist would accept as the
stretch and were measured there (README, "How well it works"):

- overhead_reach: BOTH arms (one arm is not the reach), each with the upper arm raised at least
  ELEVATION from the trunk's own down axis (110 degrees is 20 above horizontal: arms out to the
  sides reach 99, the lowest real reach 124), its elbow ELBOW_RISE above its shoulder, the forearm
  pointing up from the elbow (hands on or behind the head hang it down or sideways) and the hand
  HAND_HIGH above the nose (a hand resting on the head is about 0.4). Palms together, fingers
  interlaced and elbows bent to about 110 degrees are accepted. A hand at or past the frame's top
  edge above an elbow that passes both tests is overhead, wherever MediaPipe places it there, when
  the elbow is within FOREARM_REACH of the edge (an upper arm raised toward the camera shortens in
  the image, and forearms seen in real reaches span up to 1.4 of it). An elbow beyond the top edge
  cannot be judged (None); one past another edge or unseen inside the frame (below VISIBLE) cannot
  be judged where the model places it above its shoulder, and is not raised where it places it
  below (an elbow hidden by the desk or the body).
- upper_trapezius_stretch (neck side bend): the ear line rolled ROLL against the shoulder line,
  less the relaxed roll (everyday upright heads roll up to 8 degrees, real side bends hold
  14-24: 12 is between the two; head turns seen from below roll up to 13, and the turn test
  refuses them), the face not turned away (the nose within TURN ear
  spans of the ears' midpoint, less the relaxed turn: side bends couple some rotation, up to
  0.47; head turns go past 0.55) and the chin not dropped (the nose at most CHIN_DOWN ear spans
  below the ear line: a head turned and bent down at a phone rolls the ear line too). Both
  ears must be seen: a front camera that sees one ear sees a face turned away (False).
- shrugs_and_rolls: the gap between the eyes and the shoulder line shrunk to SHRUG_GAP of the
  relaxed gap AND the shoulder line risen SHOULDER_RISE relaxed spans up the image (every real
  shrug rose 0.15-0.25; relaxed frames 0.08 at most): the shoulders came up. A nod or a slouch
  brings the head down without raising them.
- side_bend: an arm raised (elbow RAISED spans above its shoulder) and the trunk leaning: the
  hip-to-shoulder line TRUNK_BEND from vertical with the hips in view, else the shoulder line
  SHOULDER_BEND from horizontal (the lean plus about 10 degrees that a raised arm's shoulder
  adds: one arm overhead with the trunk upright tilts it 17 degrees).
The others have no real footage yet and keep their synthetic-body design:
- butterfly: elbows in the frame, close together in front at about shoulder height (in front
  of the chest, so at or a little below the shoulders in the image), level with each other
  (ELBOWS_LEVEL: the stretch is symmetric; a real cross-body shoulder stretch met every other
  test with one elbow 0.3-0.57 spans below the other) and one wrist near each shoulder. Hands
  on the shoulders with the elbows down, chin in the hands, and crossed arms have the elbows
  low. The elbows' midpoint is not asked to be centred: a camera to one side moves it. Unseen
  parts are judged as the reach's are: elbows placed lower than ELBOWS_UP (arms resting) or
  farther apart than ELBOWS_TOGETHER (arms open) are not in position; elbows placed together in
  front, or a hand unseen (behind a forearm that points at the camera), cannot be judged.
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
    angle_between,
    down_axis,
    eye_height,
    height_above_shoulders,
    in_view,
    seen_from_front,
    shoulder_tilt,
    span,
    trunk_lean,
    unit,
)
from posture.core.checks.reference import NOTHING_KNOWN, Reference, relaxed_measures
from posture.core.metrics import EDGE, VISIBLE, in_frame, line_tilt
from posture.core.pose import LM, Pose

Band = tuple[float, float]  # (threshold to enter the position, looser threshold to stay in it)

# overhead_reach
ELEVATION: Band = (110.0, 100.0)  # upper arm from the trunk's down axis, degrees, at least
ELBOW_RISE: Band = (0.25, 0.20)  # elbow above its shoulder, shoulder spans, at least
FOREARM_UP: Band = (0.20, 0.10)  # wrist above its elbow, upper-arm lengths, at least
HAND_HIGH: Band = (0.60, 0.50)  # wrist above the nose, shoulder spans, at least
# elbow below the top edge when the hand is past it, upper-arm lengths, at most: real forearms
# span up to 1.4 upper arms in the image (an upper arm raised toward the camera shortens)
FOREARM_REACH: Band = (1.5, 1.6)
# upper_trapezius_stretch
ROLL: Band = (12.0, 10.0)  # ear line against the shoulder line less relaxed, degrees, at least
TURN: Band = (0.55, 0.65)  # nose off the ears' midpoint along the ear line, ear spans, at most
CHIN_DOWN: Band = (0.50, 0.60)  # nose below the ear line, ear spans, at most
# shrugs_and_rolls
SHRUG_GAP: Band = (0.85, 0.90)  # eyes-to-shoulders gap against relaxed, at most
SHOULDER_RISE: Band = (0.15, 0.10)  # shoulder line up the image, relaxed spans, at least
# side_bend
RAISED = 0.2  # an arm is raised with its elbow this many spans above its shoulder
TRUNK_BEND: Band = (15.0, 12.0)  # hip-to-shoulder line from vertical, degrees, at least
SHOULDER_BEND: Band = (25.0, 20.0)  # shoulder line from horizontal without hips, at least
# butterfly
ELBOWS_TOGETHER: Band = (0.8, 0.9)  # elbow-to-elbow distance in shoulder spans, at most
ELBOWS_UP: Band = (0.55, 0.62)  # elbows below the shoulder line, in spans, at most
ELBOWS_NOT_ABOVE = 0.5  # elbows above the shoulder line by more than this: arms raised instead
# elbows' height difference across the shoulder line, spans, at most: synthetic butterflies up
# to 30 degrees off the camera hold them within 0.1, the real cross-body stretch 0.29 and more
ELBOWS_LEVEL: Band = (0.2, 0.25)
HAND_ON_SHOULDER: Band = (0.5, 0.6)  # wrist to its nearest shoulder in spans, at most
# trunk_rotation
TWIST: Band = (20.0, 15.0)  # shoulder line turned (world depth) from relaxed, degrees, at least
TURN_AGREES = 0.06  # |span ratio x cos(relaxed turn) - cos(turn)| at most: the 2-D agrees
SPAN_SHRINK: Band = (0.85, 0.9)  # shoulder span against the relaxed span, at most
# shoulder_blade_squeeze
ELBOW_BACK: Band = (0.8, 0.85)  # elbow drop below the shoulders against the relaxed drop, at most
ELBOW_OUT: Band = (0.8, 0.9)  # elbow from the body's midline, in spans, at most


def _pick(band: Band, held: bool) -> float:
    """The threshold that applies: the looser exit value while the position is held."""
    return band[1] if held else band[0]


def _arm_up(pose: Pose, arm: tuple[int, int, int], held: bool) -> bool | None:
    """One arm raised overhead (True), not (False), or not to be judged from this frame (None):
    see the module docstring."""
    s, e, w = (pose.xy[i] for i in arm)
    width = span(pose)
    rise = (s[1] - e[1]) / width
    if not in_frame(pose, arm[1]):
        if e[1] < EDGE * pose.height:
            return None  # beyond the top
        # past a side, or unseen inside the frame: placed above its shoulder it may be raised
        # (nothing to judge it by); placed below, as a desk worker's hidden elbow is, it is not
        return None if rise >= _pick(ELBOW_RISE, held) else False
    if angle_between(e - s, down_axis(pose)) < _pick(ELEVATION, held):
        return False
    if rise < _pick(ELBOW_RISE, held):  # also an upper arm aimed at the camera
        return False
    upper = max(float(np.linalg.norm(e - s)), 1e-9)
    if in_frame(pose, arm[2]):
        return ((e[1] - w[1]) / upper >= _pick(FOREARM_UP, held)
                and (pose.xy[LM.NOSE][1] - w[1]) / width >= _pick(HAND_HIGH, held))
    if w[1] < EDGE * pose.height:
        return e[1] / upper <= _pick(FOREARM_REACH, held)  # a forearm can reach past it
    return None  # the hand off the side, or unseen inside the frame: nothing to judge it by


def _overhead_reach(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Both arms raised overhead, hands above the head."""
    if not seen_from_front(pose):
        return None
    arms = [_arm_up(pose, arm, held) for arm in ARMS]
    if False in arms:
        return False
    return None if None in arms else True


def head_roll(pose: Pose, reference: Reference) -> float | None:
    """The ear line's roll against the shoulder line less the relaxed roll, degrees (+ toward
    the image right); None unless both ears are seen."""
    if not pose.visible(LM.LEFT_EAR, LM.RIGHT_EAR, threshold=VISIBLE):
        return None
    return (line_tilt(pose, LM.LEFT_EAR, LM.RIGHT_EAR) - shoulder_tilt(pose)
            - reference.head_roll)


def _face_off_ears(pose: Pose) -> tuple[float, float]:
    """The nose off the ears' midpoint, along the ear line and below it, in ear spans."""
    along = unit(pose, LM.LEFT_EAR, LM.RIGHT_EAR)
    below = np.array([-along[1], along[0]])
    length = max(float(np.linalg.norm(pose.xy[LM.LEFT_EAR] - pose.xy[LM.RIGHT_EAR])), 1e-9)
    off = pose.xy[LM.NOSE] - pose.mid(LM.LEFT_EAR, LM.RIGHT_EAR)
    return float(np.dot(off, along)) / length, float(np.dot(off, below)) / length


def _neck_side_bend(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """The head tilted toward a shoulder, the face toward the camera, the chin not dropped."""
    if not seen_from_front(pose):
        return None
    roll = head_roll(pose, reference)
    if roll is None:
        return False  # an ear hidden from a front camera: the face is turned away
    turn, chin = _face_off_ears(pose)
    return (abs(roll) >= _pick(ROLL, held)
            and abs(turn - reference.face_turn) <= _pick(TURN, held)
            and chin <= _pick(CHIN_DOWN, held))


def _shrug(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """The shoulders up toward the ears: the eye gap shrunk and the shoulder line risen."""
    r = reference
    if (not seen_from_front(pose) or r.eye_height is None or r.shoulder_y is None
            or r.span_y is None):
        return None
    eyes = eye_height(pose)
    if eyes is None:
        return None
    row = float(pose.mid(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)[1]) / pose.height
    return (eyes / r.eye_height <= _pick(SHRUG_GAP, held)
            and (r.shoulder_y - row) / r.span_y >= _pick(SHOULDER_RISE, held))


def bend(pose: Pose) -> float:
    """The trunk's sideways lean in degrees (+ toward the image right): the hip-to-shoulder
    line with the hips in view, else the shoulder line's tilt."""
    lean = trunk_lean(pose)
    return shoulder_tilt(pose) if lean is None else lean


def _side_bend(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """An arm raised and the trunk leaning sideways."""
    if not seen_from_front(pose):
        return None
    width = span(pose)
    if not any((pose.xy[s][1] - pose.xy[e][1]) / width >= RAISED for s, e, _ in ARMS):
        return False
    band = SHOULDER_BEND if trunk_lean(pose) is None else TRUNK_BEND
    return abs(bend(pose)) >= _pick(band, held)


def _butterfly(pose: Pose, reference: Reference, held: bool) -> bool | None:
    """Elbows together and level in front at shoulder height, a hand near each shoulder."""
    if not seen_from_front(pose):
        return None
    elbows = (LM.LEFT_ELBOW, LM.RIGHT_ELBOW)
    width = span(pose)
    shoulders = pose.xy[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]]
    drops = (pose.xy[list(elbows)][:, 1] - shoulders[:, 1].mean()) / width
    apart = float(np.linalg.norm(pose.xy[LM.LEFT_ELBOW] - pose.xy[LM.RIGHT_ELBOW])) / width
    if apart > _pick(ELBOWS_TOGETHER, held):  # seen or placed: the arms are open
        return False
    if not all(in_frame(pose, e) for e in elbows):
        # past an edge or unseen: placed as low as resting arms, not in position; placed
        # together in front (where they may hide each other), nothing to judge them by
        return False if float(drops.max()) > _pick(ELBOWS_UP, held) else None
    if not -ELBOWS_NOT_ABOVE <= float(drops.mean()) <= _pick(ELBOWS_UP, held):
        return False
    heights = [height_above_shoulders(pose, pose.xy[e]) for e in elbows]
    if abs(heights[0] - heights[1]) > _pick(ELBOWS_LEVEL, held):
        return False
    nearest = []
    for wrist in (LM.LEFT_WRIST, LM.RIGHT_WRIST):
        if in_frame(pose, wrist):
            distances = np.linalg.norm(shoulders - pose.xy[wrist], axis=1) / width
            if float(distances.min()) > _pick(HAND_ON_SHOULDER, held):
                return False
            nearest.append(int(distances.argmin()))
    if len(nearest) < 2:  # a hand hidden behind its forearm, pointing at the camera
        return None
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
    if turn is not None and abs(turn) >= _pick(TWIST, held):
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
