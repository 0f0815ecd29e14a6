"""Synthetic sitter: a small kinematic model of an upper body seen by a pinhole camera.

Tests and benchmarks need poses whose truth is known: "this is 30 degrees of head drop seen from a
laptop camera". `synthesize` builds the 33 MediaPipe landmarks of an adult sitter in a chosen
`Posture`, projects them through a `Camera` and returns the same `Pose` the estimator returns.

Body frame (metres, origin at the hip midpoint, never moves): X is the person's left, Y is up,
Z is forward (the way the person faces). Every sign convention below is stated in that frame.
The neutral body is an upright sitter: shoulder landmarks 0.38 m apart and 0.50 m above the hips,
ears 0.15 m apart, the nose tip 0.19 m above the shoulder line and 0.10 m in front of it, arms
hanging straight down, thighs horizontal.

It is a tool, not the truth: where it disagreed with real people in ../shared/data, real footage
won and the model was corrected (the shoulders ride up and in as the arms rise above
horizontal; the forearm's length; MediaPipe's landmark noise, which is far larger at the ears
and at the frame's edges than elsewhere; a mirrored camera).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from posture.core.pose import LM, NUM_LANDMARKS, Pose

SHOULDER_Y = 0.50  # shoulder landmarks' height above the hips
HALF_SHOULDER = 0.19  # half the distance between the shoulder landmarks
UPPER_ARM = 0.29  # shoulder to elbow
FOREARM = 0.29  # elbow to wrist: real elbow-to-wrist is 0.73-0.89 shoulder spans
# Scapulohumeral rhythm: as an arm rises above horizontal the shoulder blade turns, carrying the
# shoulder landmark up and toward the midline, by these at an arm straight overhead (real: one
# arm overhead tilts the shoulder line 17 degrees with the trunk at 6; both arms overhead narrow
# the span against the upper arm by about a quarter).
SCAPULA_RISE = 0.05
SCAPULA_INWARD = 0.15 * HALF_SHOULDER
PROTRACTION_INWARD = 0.5  # a shoulder moved forward by p also moves p * this toward the midline

CHEST_CENTRE = np.array([0.0, SHOULDER_Y - 0.10, 0.0])  # what the camera aims at and circles
CHEST_DEPTH = 0.08  # the sternum's surface is this far in front of the chest centre
# C7: pivot of neck flexion and of the neck's side bend (head_roll), which real people make
# with the whole neck: the nose swings down an arc (to 0.77 of its height at 20-24 degrees)
NECK_BASE = np.array([0.0, SHOULDER_Y + 0.045, -0.07])
NECK_TOP = np.array([0.0, SHOULDER_Y + 0.185, -0.02])  # atlas: pivot of head yaw

# Torso as an elliptic cylinder (centre, semi-axes along X, Y, Z): it hides what lies behind it.
TORSO_CENTRE = np.array([0.0, (SHOULDER_Y + 0.06) / 2, -0.03])
TORSO_SEMI = np.array([0.11, (SHOULDER_Y + 0.06) / 2, 0.09])

HIDDEN_VISIBILITY = 0.2  # landmark behind the body or facing away from the camera
OUTSIDE_VISIBILITY = 0.1  # landmark outside the image
FACING_LIMIT = -0.25  # cosine between a landmark's normal and its line of sight, below = hidden
# ...for the ears, which MediaPipe keeps reporting through head turns of 60 degrees and more
# (real head turns in ../shared/data: the nose 1.9 ear spans off the ears' midpoint, both seen)
EAR_FACING_LIMIT = -0.7

# Head landmarks of the left side (mirrored for the right): position, outward normal.
_HEAD_LEFT = {
    LM.LEFT_EYE_INNER: ((0.015, 0.722, 0.083), (0.3, 0.0, 1.0)),
    LM.LEFT_EYE: ((0.032, 0.722, 0.078), (0.5, 0.0, 1.0)),
    LM.LEFT_EYE_OUTER: ((0.047, 0.722, 0.068), (0.8, 0.0, 0.6)),
    LM.LEFT_EAR: ((0.075, 0.710, -0.010), (1.0, 0.0, 0.3)),
    LM.MOUTH_LEFT: ((0.025, 0.652, 0.088), (0.45, 0.0, 0.9)),
}
_MIRROR = {
    LM.LEFT_EYE_INNER: LM.RIGHT_EYE_INNER,
    LM.LEFT_EYE: LM.RIGHT_EYE,
    LM.LEFT_EYE_OUTER: LM.RIGHT_EYE_OUTER,
    LM.LEFT_EAR: LM.RIGHT_EAR,
    LM.MOUTH_LEFT: LM.MOUTH_RIGHT,
}
# Pelvis and crude sitting legs, left side: hips, knees (thighs forward), ankles, heels, toes.
_LEGS_LEFT = {
    LM.LEFT_HIP: (0.13, 0.0, 0.0),
    LM.LEFT_KNEE: (0.11, 0.02, 0.45),
    LM.LEFT_ANKLE: (0.10, -0.43, 0.48),
    LM.LEFT_HEEL: (0.10, -0.48, 0.42),
    LM.LEFT_FOOT_INDEX: (0.10, -0.50, 0.62),
}
_LEFT_ARM = [LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_PINKY, LM.LEFT_INDEX, LM.LEFT_THUMB]
_RIGHT_ARM = [LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_PINKY, LM.RIGHT_INDEX, LM.RIGHT_THUMB]
# Hand landmarks in the forearm's frame, from the wrist (forearm along -Y, thumb forward).
_HAND = np.array([
    [0.0, -0.075, -0.02],  # pinky knuckle
    [0.0, -0.085, 0.02],  # index knuckle
    [0.0, -0.045, 0.035],  # thumb
])


@dataclass(frozen=True)
class Arm:
    """Angles of one arm, in degrees, relative to the trunk.

    flexion raises the arm forward and up (90 = pointing forward, 180 = straight overhead);
    abduction raises it sideways, away from the body (applied first, so flexion 90 with
    abduction 30 points forward and 30 degrees out); elbow bends the forearm (0 = straight).
    """

    flexion: float = 0.0
    abduction: float = 0.0
    elbow: float = 0.0

    @classmethod
    def hands_on_shoulders(cls, spread: float = 0.0) -> Arm:
        """Butterfly stretch: hand near its own shoulder, elbow forward, opened out by `spread`."""
        return cls(flexion=80.0, abduction=spread, elbow=150.0)


@dataclass(frozen=True)
class Posture:
    """How the sitter departs from neutral upright; every default is neutral.

    Angles in degrees, distances in metres, signs in the body frame:
    neck_flexion: head and neck bend forward-down about C7 (head drop); negative extends.
    head_protraction: head slides forward with the chin level (forward head); negative tucks.
    shoulder_protraction: each shoulder moves forward and PROTRACTION_INWARD as much toward the
        midline (rounded shoulders); negative squeezes the shoulder blades back (retraction).
    shoulder_elevation: shoulders move up toward the ears.
    trunk_flexion: everything above the hips bends forward about the hips (slouch, hunch).
    lateral_lean: the trunk tilts about the hips; positive toward the person's left.
    head_yaw: head turns about the neck top; positive turns the face to the person's left.
    head_roll: head and neck bend sideways about C7; positive brings the left ear down.
    trunk_rotation: the upper body turns about the spine; positive faces the person's left.
    left_arm, right_arm: arm angles (see Arm).
    """

    neck_flexion: float = 0.0
    head_protraction: float = 0.0
    shoulder_protraction: float = 0.0
    shoulder_elevation: float = 0.0
    trunk_flexion: float = 0.0
    lateral_lean: float = 0.0
    head_yaw: float = 0.0
    head_roll: float = 0.0
    trunk_rotation: float = 0.0
    left_arm: Arm = field(default_factory=Arm)
    right_arm: Arm = field(default_factory=Arm)


@dataclass(frozen=True)
class Camera:
    """A pinhole camera aimed at the sitter's chest, 0.10 m below the shoulders.

    The camera circles the chest centre (on the spine's line, CHEST_DEPTH behind the sternum)
    at a fixed radius, so turning it keeps the sitter centred and at the same distance.
    distance: horizontal distance from the camera to the chest's front surface in a frontal
        view (the circle's radius less CHEST_DEPTH).
    height: camera height above the neutral shoulders' midpoint (default a little below the
        eyes, which sit 0.22 m above it, as a laptop's camera is).
    yaw: the camera's place around the sitter, in degrees: 0 = in front, positive moves it
        toward the person's left, so at 90 it sees the left profile (the person faces image
        left) and at -90 the right profile.
    tilt: optical axis below horizontal, in degrees; 0 keeps it level as a laptop's camera,
        which frames the face in the upper half of the image and the shoulders in the lower.
    width, height_px: image size in pixels.
    fov: horizontal field of view in degrees.
    mirrored: the picture is flipped left to right (a selfie view): the person's left is then
        on the image's left.
    """

    distance: float = 0.65
    height: float = 0.15
    yaw: float = 0.0
    tilt: float = 0.0
    width: int = 640
    height_px: int = 480
    fov: float = 65.0
    mirrored: bool = False

    @property
    def focal_px(self) -> float:
        """Focal length in pixels (square pixels, principal point at the image centre)."""
        return self.width / 2.0 / math.tan(math.radians(self.fov) / 2.0)


@dataclass(frozen=True)
class Noise:
    """How MediaPipe's landmarks wander from frame to frame, as measured on real upright people
    in ../shared/data: a little everywhere, much more at the ears (the ear-to-ear width against
    the shoulders moved by 15-30 % between rescaled copies of one frame) and for landmarks the
    model extrapolates at or past the frame's edge (a shoulder there swings the shoulder line by
    about 10 degrees). Standard deviations of independent Gaussian errors.

    px: every landmark, pixels. ears: each ear, as a share of the ear-to-ear width. edge: a
    landmark within EDGE of the frame's edge or beyond it, as a share of the shoulder span.
    """

    px: float = 1.5
    ears: float = 0.04
    edge: float = 0.08


EDGE = 0.02  # share of the frame: nearer its edge than this, a landmark is extrapolated


def _noise(xy: np.ndarray, noise: float | Noise, size: np.ndarray,
           rng: np.random.Generator) -> np.ndarray:
    """Per-landmark pixel errors for `xy` (see Noise); a number is `px` alone."""
    model = noise if isinstance(noise, Noise) else Noise(px=float(noise), ears=0.0, edge=0.0)
    std = np.full(len(xy), model.px)
    ears = [LM.LEFT_EAR, LM.RIGHT_EAR]
    std[ears] = np.hypot(std[ears], model.ears * float(np.linalg.norm(xy[ears[0]] - xy[ears[1]])))
    margin = EDGE * size
    outside = np.any((xy < margin) | (xy > size - margin), axis=1)
    shoulders = float(np.linalg.norm(xy[LM.LEFT_SHOULDER] - xy[LM.RIGHT_SHOULDER]))
    std[outside] = np.hypot(std[outside], model.edge * shoulders)
    return rng.normal(0.0, 1.0, xy.shape) * std[:, None]


def _rot_x(deg: float) -> np.ndarray:
    """Rotation about X by `deg` (positive turns +Y toward +Z: up toward forward)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _rot_y(deg: float) -> np.ndarray:
    """Rotation about Y by `deg` (positive turns +Z toward +X: forward toward the left)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rot_z(deg: float) -> np.ndarray:
    """Rotation about Z by `deg` (positive turns +X toward +Y: left toward up)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _about(points: np.ndarray, rotation: np.ndarray, pivot: np.ndarray) -> np.ndarray:
    """Rotate row-vector points about a pivot."""
    return pivot + (points - pivot) @ rotation.T


def _upper_arm(arm: Arm, side: float) -> np.ndarray:
    """The upper arm's rotation from hanging down (side is +1 left, -1 right)."""
    return _rot_x(-arm.flexion) @ _rot_z(side * arm.abduction)


def _scapula(arm: Arm, side: float) -> np.ndarray:
    """How far the arm's elevation above horizontal carries its shoulder landmark (up and in)."""
    down = _upper_arm(arm, side) @ np.array([0.0, -1.0, 0.0])
    elevation = math.degrees(math.acos(float(np.clip(-down[1], -1.0, 1.0))))
    k = min(max((elevation - 90.0) / 90.0, 0.0), 1.0)
    return np.array([-side * SCAPULA_INWARD * k, SCAPULA_RISE * k, 0.0])


def _arm(shoulder: np.ndarray, arm: Arm, side: float) -> np.ndarray:
    """Elbow, wrist, pinky, index, thumb (5, 3) of one arm; side is +1 left, -1 right."""
    upper = _upper_arm(arm, side)
    fore = upper @ _rot_x(-arm.elbow)
    elbow = shoulder + upper @ np.array([0.0, -UPPER_ARM, 0.0])
    wrist = elbow + fore @ np.array([0.0, -FOREARM, 0.0])
    return np.vstack([elbow, wrist, wrist + _HAND @ fore.T])


def _body(posture: Posture) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Landmarks (33, 3) and outward normals (33, 3; zero where no facing test applies) in the
    body frame, and the trunk's rotation (which carries the torso occluder)."""
    points = np.zeros((NUM_LANDMARKS, 3))
    normals = np.zeros((NUM_LANDMARKS, 3))

    points[LM.NOSE], normals[LM.NOSE] = (0.0, SHOULDER_Y + 0.19, 0.10), (0.0, 0.0, 1.0)
    for left, (pos, normal) in _HEAD_LEFT.items():
        points[left], normals[left] = pos, normal
        points[_MIRROR[left]] = (-pos[0], pos[1], pos[2])
        normals[_MIRROR[left]] = (-normal[0], normal[1], normal[2])
    head = list(range(LM.NOSE, LM.MOUTH_RIGHT + 1))
    normals[head] /= np.linalg.norm(normals[head], axis=1, keepdims=True)
    turn = _rot_y(posture.head_yaw)
    bend = _rot_x(posture.neck_flexion) @ _rot_z(-posture.head_roll)
    points[head] = _about(_about(points[head], turn, NECK_TOP), bend, NECK_BASE)
    points[head] += (0.0, 0.0, posture.head_protraction)
    normals[head] = normals[head] @ (bend @ turn).T

    p = posture.shoulder_protraction
    for side, shoulder, arm, chain in (
        (1.0, LM.LEFT_SHOULDER, posture.left_arm, _LEFT_ARM),
        (-1.0, LM.RIGHT_SHOULDER, posture.right_arm, _RIGHT_ARM),
    ):
        points[shoulder] = np.array((
            side * (HALF_SHOULDER - PROTRACTION_INWARD * p),
            SHOULDER_Y + posture.shoulder_elevation,
            p,
        )) + _scapula(arm, side)
        points[chain] = _arm(points[shoulder], arm, side)

    trunk = (
        _rot_z(-posture.lateral_lean) @ _rot_x(posture.trunk_flexion)
        @ _rot_y(posture.trunk_rotation)
    )
    upper = list(range(LM.NOSE, LM.RIGHT_THUMB + 1))
    points[upper] = points[upper] @ trunk.T  # the pivot, the hip midpoint, is the origin
    normals[upper] = normals[upper] @ trunk.T

    for left, (x, y, z) in _LEGS_LEFT.items():
        points[left] = (x, y, z)
        points[left + 1] = (-x, y, z)  # MediaPipe numbers each right leg landmark after its left
    return points, normals, trunk


def _camera_frame(camera: Camera) -> tuple[np.ndarray, np.ndarray]:
    """World-to-camera rotation (rows: image right, image down, optical axis) and the centre."""
    yaw, tilt = math.radians(camera.yaw), math.radians(camera.tilt)
    back = np.array([math.sin(yaw), 0.0, math.cos(yaw)])  # horizontal, from chest to camera
    centre = CHEST_CENTRE + (camera.distance + CHEST_DEPTH) * back
    centre[1] = SHOULDER_Y + camera.height
    right = np.array([math.cos(yaw), 0.0, -math.sin(yaw)])
    forward = -math.cos(tilt) * back + math.sin(tilt) * np.array([0.0, -1.0, 0.0])
    down = np.cross(forward, right)
    return np.stack([right, down, forward]), centre


def _behind_torso(points: np.ndarray, eye: np.ndarray, trunk: np.ndarray) -> np.ndarray:
    """True for points whose line of sight to `eye` passes through the torso cylinder.

    The sight line is sampled every few millimetres, which is finer than any landmark error.
    """
    centre = trunk @ TORSO_CENTRE
    t = np.linspace(0.01, 1.0, 200)[None, :, None]
    samples = points[:, None, :] + t * (eye - points)[:, None, :]
    local = ((samples - centre) @ trunk) / TORSO_SEMI  # torso axes, cylinder of radius 1
    inside = (local[..., 0] ** 2 + local[..., 2] ** 2 < 1.0) & (np.abs(local[..., 1]) < 1.0)
    return inside.any(axis=1)


def synthesize(
    posture: Posture = Posture(),
    camera: Camera = Camera(),
    noise_px: float | Noise = 0.0,
    rng: np.random.Generator | None = None,
) -> Pose:
    """The Pose MediaPipe would report for this posture seen by this camera.

    xy: pinhole projection in pixels, plus Gaussian noise: `noise_px` pixels of standard
    deviation for every landmark, or a Noise model (larger at the ears and the frame's edges).
    visibility: 1.0 when seen, HIDDEN_VISIBILITY when the torso hides the landmark or it faces
    away (the far ear, eye or shoulder in a side view), OUTSIDE_VISIBILITY when out of frame.
    world: metres around the hip midpoint with MediaPipe's camera-aligned axes (x toward image
    right, y down, z away from the camera). Noise applies to xy only.
    """
    points, normals, trunk = _body(posture)
    rotation, centre = _camera_frame(camera)
    cam = (points - centre) @ rotation.T
    depth = np.maximum(cam[:, 2], 1e-3)  # behind the camera: projected, then marked outside
    size = np.array([camera.width, camera.height_px], dtype=np.float64)
    xy = camera.focal_px * cam[:, :2] / depth[:, None] + size / 2.0

    sight = centre - points
    sight /= np.linalg.norm(sight, axis=1, keepdims=True)
    limit = np.full(len(points), FACING_LIMIT)
    limit[[LM.LEFT_EAR, LM.RIGHT_EAR]] = EAR_FACING_LIMIT
    facing = np.einsum("ij,ij->i", normals, sight) >= limit
    visibility = np.where(facing & ~_behind_torso(points, centre, trunk), 1.0, HIDDEN_VISIBILITY)
    inside = (cam[:, 2] > 0) & np.all((xy >= 0) & (xy <= size), axis=1)
    visibility = np.where(inside, visibility, np.minimum(visibility, OUTSIDE_VISIBILITY))

    if isinstance(noise_px, Noise) or noise_px > 0:
        rng = rng if rng is not None else np.random.default_rng()
        xy = xy + _noise(xy, noise_px, size, rng)
    world = points @ rotation.T
    if camera.mirrored:
        xy[:, 0] = camera.width - xy[:, 0]
        world[:, 0] = -world[:, 0]
    return Pose(
        xy=xy,
        visibility=visibility,
        world=world,
        width=camera.width,
        height=camera.height_px,
    )
