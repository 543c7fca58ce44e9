"""A parametric hand for tests: joint angles -> 21 keypoints.

Local frame of a canonical right hand (metres): wrist at the origin, x towards the thumb side,
y towards the fingers, z out of the palm (the side fingers curl to). A right hand showing its
palm to the camera maps to image axes by (x, y, z) -> (x, -y, -z), a proper rotation; a left hand
is the mirror image (x -> -x). :func:`make_hand` places the hand in front of a pinhole camera
and returns a :class:`pipeline.types.Hand` with world landmarks (metres, origin at the hand) and
image landmarks (pixels; z relative depth in x's pixel scale), like the tracker.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.types import Hand, RotatedRect

# Knuckle (MCP) positions and phalanx lengths of a mid-sized adult hand (metres).
_MCP = {
    "index": (0.024, 0.090, 0.0),
    "middle": (0.002, 0.094, 0.0),
    "ring": (-0.018, 0.088, 0.0),
    "pinky": (-0.035, 0.077, 0.0),
}
_LENGTHS = {
    "index": (0.040, 0.024, 0.020),
    "middle": (0.045, 0.028, 0.022),
    "ring": (0.042, 0.027, 0.021),
    "pinky": (0.032, 0.020, 0.018),
}
_FIRST = {"index": 5, "middle": 9, "ring": 13, "pinky": 17}
_THUMB_CMC = np.array([0.022, 0.028, 0.004])
_THUMB_LENGTHS = (0.036, 0.030, 0.026)

# Flexion (MCP, PIP, DIP) in degrees.
STRAIGHT = (5.0, 5.0, 3.0)
BENT = (80.0, 100.0, 50.0)
HALF = (35.0, 45.0, 20.0)
HOOK = (10.0, 80.0, 40.0)  # Chinese 9: index hooked at PIP/DIP (sum 130 -> still not bent)

# Thumb bone directions (yaw towards +x from +y, pitch towards the palm side), degrees.
THUMB_OUT = ((40.0, 0.0), (48.0, 0.0), (52.0, 0.0))
THUMB_IN = ((25.0, 30.0), (-35.0, 45.0), (-75.0, 45.0))


def _dir(yaw: float, pitch: float) -> np.ndarray:
    y, p = np.radians(yaw), np.radians(pitch)
    return np.array([np.sin(y) * np.cos(p), np.cos(y) * np.cos(p), np.sin(p)])


@dataclass(frozen=True)
class Pose:
    """Joint angles of one hand. ``fingers`` maps index/middle/ring/pinky -> (MCP, PIP, DIP)
    flexion in degrees; ``thumb`` is three (yaw, pitch) bone directions or ``None`` when
    ``thumb_tip`` is given (the thumb then bends to touch that local point). ``splay`` spreads the
    fingers apart (degrees between neighbours); ``cross`` moves the index tip over the middle."""

    fingers: dict
    thumb: tuple | None = THUMB_IN
    thumb_tip: np.ndarray | None = None
    splay: float = 6.0
    cross: float = 0.0


def local_points(pose: Pose) -> np.ndarray:
    """(21, 3) keypoints of ``pose`` in the canonical right-hand frame (metres)."""
    pts = np.zeros((21, 3))
    for k, name in enumerate(("index", "middle", "ring", "pinky")):
        first = _FIRST[name]
        mcp = np.array(_MCP[name])
        pts[first] = mcp
        base = mcp / np.linalg.norm(mcp)
        yaw = np.degrees(np.arctan2(base[0], base[1])) + (1.5 - k) * pose.splay
        if name == "index":
            yaw -= pose.cross
        if name == "middle":
            yaw += pose.cross * 0.4
        flex = np.cumsum(pose.fingers[name])
        p = mcp
        for j in range(3):
            p = p + _LENGTHS[name][j] * _dir(yaw, flex[j])
            pts[first + 1 + j] = p
    pts[1] = _THUMB_CMC
    if pose.thumb_tip is not None:
        target = np.asarray(pose.thumb_tip, dtype=float)
        span = target - _THUMB_CMC
        bulge = np.array([0.012, 0.0, 0.010])  # the thumb arcs out, not through the palm
        for j, f in enumerate((0.4, 0.72), start=2):
            pts[j] = _THUMB_CMC + f * span + bulge * np.sin(np.pi * f)
        pts[4] = target
    else:
        p = _THUMB_CMC
        for j, (yaw, pitch) in enumerate(pose.thumb):
            p = p + _THUMB_LENGTHS[j] * _dir(yaw, pitch)
            pts[2 + j] = p
    return pts


def rotation(yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0) -> np.ndarray:
    """(3, 3) rotation in image axes: ``roll`` about the camera axis (degrees, clockwise on
    screen), ``yaw`` about the image vertical, ``pitch`` about the image horizontal."""
    a, b, c = np.radians([yaw, pitch, roll])
    ry = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rz @ rx @ ry


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """Uniformly random (3, 3) rotation."""
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


# Canonical right hand, palm to the camera, fingers up, in image axes (x right, y down, z away).
_TO_IMAGE = np.diag([1.0, -1.0, -1.0])


def make_hand(
    pose: Pose,
    handedness: str = "Right",
    rot: np.ndarray | None = None,
    distance: float = 0.6,
    centre: tuple[float, float] = (320.0, 240.0),
    focal: float = 600.0,
    track_id: int = 0,
    world: bool = True,
    noise_px: float = 0.0,
    rng: np.random.Generator | None = None,
) -> Hand:
    """A :class:`Hand` showing ``pose``.

    ``rot`` (3, 3) turns the canonical palm-to-camera hand in image axes (identity: fingers up,
    palm facing the camera). ``world=False`` leaves the world landmarks at zero (like the
    reference data). ``noise_px`` adds Gaussian noise to the image landmarks.
    """
    local = local_points(pose)
    if handedness == "Left":
        local = local * np.array([-1.0, 1.0, 1.0])
    r = np.eye(3) if rot is None else rot
    cam = local @ _TO_IMAGE.T @ r.T  # metres, image axes, origin at the wrist
    centre_m = cam.mean(axis=0)
    world_pts = cam - centre_m
    cam = world_pts + np.array([0.0, 0.0, distance])
    z = cam[:, 2]
    px = np.empty((21, 3))
    px[:, 0] = focal * cam[:, 0] / z + centre[0]
    px[:, 1] = focal * cam[:, 1] / z + centre[1]
    px[:, 2] = focal * (z - z[0]) / distance
    if noise_px and rng is not None:
        px = px + rng.normal(scale=noise_px, size=px.shape)
    lo, hi = px[:, :2].min(axis=0), px[:, :2].max(axis=0)
    size = float(max(hi - lo)) * 1.5
    return Hand(
        landmarks=px.astype(np.float32),
        world_landmarks=(world_pts if world else np.zeros((21, 3))).astype(np.float32),
        handedness=handedness,
        handedness_score=0.99,
        score=0.99,
        track_id=track_id,
        roi=RotatedRect(float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2), size, size, 0.0),
    )


def fingers(index=BENT, middle=BENT, ring=BENT, pinky=BENT) -> dict:
    return {"index": index, "middle": middle, "ring": ring, "pinky": pinky}


S, B, H = STRAIGHT, BENT, HALF

# Built-in signs as poses: name -> Pose.
SIGNS: dict[str, Pose] = {
    "fist": Pose(fingers(B, B, B, B), THUMB_IN),
    "open_palm": Pose(fingers(S, S, S, S), THUMB_OUT),
    "pointing_up": Pose(fingers(S, B, B, B), THUMB_IN),
    "victory": Pose(fingers(S, S, B, B), THUMB_IN),
    "three": Pose(fingers(S, S, S, B), THUMB_IN),
    "three_thumb": Pose(fingers(S, S, B, B), THUMB_OUT),
    "four": Pose(fingers(S, S, S, S), THUMB_IN),
    "thumb_up": Pose(fingers(B, B, B, B), THUMB_OUT),
    "rock": Pose(fingers(S, B, B, S), THUMB_IN),
    "i_love_you": Pose(fingers(S, B, B, S), THUMB_OUT),
    "call": Pose(fingers(B, B, B, S), THUMB_OUT),
    "l_shape": Pose(fingers(S, B, B, B), THUMB_OUT),
    "thumb_index_middle_ring": Pose(fingers(S, S, S, B), THUMB_OUT),
}


def ok_pose(gap: float = 0.0) -> Pose:
    """Thumb and index tips touching (``gap`` metres apart), other fingers straight."""
    base = Pose(fingers((35.0, 55.0, 30.0), S, S, S))
    index_tip = local_points(base)[8]
    return Pose(base.fingers, None, thumb_tip=index_tip + np.array([gap, 0.0, 0.004]))
