"""Which side a per-side stretch is done on ('left' or 'right' of the person), from label-free
geometry against the relaxed pose."""

from __future__ import annotations

from collections.abc import Callable

from posture.core.checks.geometry import in_view, nose_offset, relative, shoulder_yaw
from posture.core.checks.positions import bend, head_roll
from posture.core.checks.reference import NOTHING_KNOWN, Reference
from posture.core.pose import Pose

TURN_SIDE = 8.0  # degrees of turn that tell the side of a twist...
NOSE_SIDE = 0.1  # ...else the nose's move along the shoulder line, in spans


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
    yaw = shoulder_yaw(pose)
    if yaw is not None and reference.shoulder_yaw is not None:
        side = _person_side(yaw - reference.shoulder_yaw, TURN_SIDE)
        if side is not None:
            return side
    return _person_side(relative(nose_offset(pose), reference.nose_offset), NOSE_SIDE)


SIDES: dict[str, Callable[[Pose, Reference], str | None]] = {
    "trunk_rotation": _twist_side,
    "upper_trapezius_stretch": lambda pose, ref: _person_side(head_roll(pose, ref) or 0.0, 1.0),
    "side_bend": lambda pose, ref: _person_side(bend(pose), 1.0),
}


def side_of(stretch_id: str, pose: Pose | None, reference: Reference = NOTHING_KNOWN
            ) -> str | None:
    """Which side a per-side position is on ('left'/'right' of the person), None if unknown.

    Taken from label-free geometry against the relaxed pose (tilts, offsets and turns), so a
    left/right swap by the model cannot flip it. Assumes an unmirrored camera.
    """
    find = SIDES.get(stretch_id)
    return None if find is None or pose is None or not in_view(pose) else find(pose, reference)
