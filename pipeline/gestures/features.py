"""Geometric features of one hand: finger curl angles, thumb placement, palm frame.

Everything here is a pure function of the 21 keypoints. Angles are rotation-, scale- and
mirror-invariant, so finger states do not depend on which hand it is, on whether the palm or the
back faces the camera, or on the distance to the camera.

Point sets (all ``(21, 3)`` float arrays, rows in :data:`pipeline.skeleton.LANDMARK_NAMES` order):

- *image points*: ``Hand.landmarks``, x/y in frame pixels, z relative depth in x's pixel scale;
- *world points*: ``Hand.world_landmarks``, metres, metric 3D.

Image points are the default. World points look like the better choice for angles (metric, no
perspective), but measured on the HaGRID development photos with our tracker they are flatter:
bent fingers sum to 130-180 degrees instead of 180-300 and straight fingers to 40-80 instead of
15-40, and the recogniser gets 74% of the signs right on them (87% with thresholds re-tuned for
them) against 96% on the image points of the same hands. ``use_world=True`` selects them anyway
when they are present (trackers or fakes that leave them all zero fall back to image points).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.skeleton import FINGER_CHAINS, FINGER_NAMES, PALM_SIZE_PAIR
from pipeline.types import Hand

STRAIGHT = "straight"
HALF = "half"
BENT = "bent"

# Accumulated flexion of a finger (MCP + PIP + DIP, degrees). A straight finger sums to a few
# tens of degrees even with landmark noise; a finger folded into a fist sums to 170-300 degrees
# (MCP ~45-90, PIP ~100-140, DIP ~10-100). In between is a relaxed, half-curled finger.
STRAIGHT_MAX_DEG = 70.0
BENT_MIN_DEG = 130.0
# Degrees past a threshold over which a state's confidence rises from 0.5 to 1.
SOFT_BAND_DEG = 30.0

# Thumb: where its tip lies across the palm, measured along the palm's lateral axis (from the
# pinky knuckle towards the index knuckle) relative to the index knuckle, in palm sizes.
# An extended thumb sticks out beyond the index side (> 0.15); a thumb folded over the palm or
# the fingers lies on the pinky side of the index knuckle (< 0).
THUMB_OUT_MIN = 0.15
THUMB_IN_MAX = 0.0
THUMB_SOFT = 0.12

# Crossed fingers: index tip this many palm sizes past the middle tip towards the pinky side.
CROSSED_MIN = 0.05

MIN_WORLD_SPREAD_M = 1e-3  # world landmarks spanning less than 1 mm are "absent"


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-12 else v * 0.0


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    ua, ub = _unit(a), _unit(b)
    return float(np.degrees(np.arccos(np.clip(np.dot(ua, ub), -1.0, 1.0))))


def has_world(hand: Hand) -> bool:
    """True when ``hand.world_landmarks`` carry a real metric pose (not all zeros)."""
    w = hand.world_landmarks
    return float(np.ptp(w, axis=0).max()) > MIN_WORLD_SPREAD_M


def angle_points(hand: Hand, use_world: bool = False) -> np.ndarray:
    """(21, 3) float64 points used for angles: the image landmarks (pixels, z in x's scale), or
    with ``use_world`` the world landmarks (metres) when present."""
    pts = hand.world_landmarks if use_world and has_world(hand) else hand.landmarks
    return np.asarray(pts, dtype=np.float64)


def palm_size(points: np.ndarray) -> float:
    """3D wrist to middle-knuckle distance of ``points`` (21, 3), in their own unit."""
    a, b = PALM_SIZE_PAIR
    return float(np.linalg.norm(points[b] - points[a]))


def palm_frame(points: np.ndarray) -> np.ndarray:
    """(3, 3) orthonormal rows (lateral, up, normal) of the palm, in ``points``' frame.

    ``up`` runs from the wrist to the middle knuckle; ``lateral`` from the pinky knuckle towards
    the index knuckle, made orthogonal to ``up``; ``normal = lateral x up``. The normal points out
    of the palm for a left hand and out of the back for a right hand (in a y-down, right-handed
    frame), which is why :func:`canonical_points` mirrors one of them.
    """
    up = _unit(points[9] - points[0])
    lat = points[5] - points[17]
    lat = _unit(lat - np.dot(lat, up) * up)
    normal = np.cross(lat, up)
    return np.stack([lat, up, normal])


def canonical_points(points: np.ndarray, handedness: str) -> np.ndarray:
    """(21, 3) pose with translation, scale and rotation removed; left hands mirrored.

    Result is in palm units (wrist at the origin, wrist to middle knuckle = 1) expressed in the
    palm frame of :func:`palm_frame` (x lateral towards the thumb side, y towards the fingers,
    z the palm normal). Mirroring flips z for left hands so both hands map to one canonical
    (right) hand.
    """
    pts = np.asarray(points, dtype=np.float64)
    scale = palm_size(pts)
    if scale <= 1e-9:
        raise ValueError("degenerate hand: wrist and middle knuckle coincide")
    local = (pts - pts[0]) @ palm_frame(pts).T / scale
    if handedness == "Left":
        local[:, 2] *= -1.0
    return local


def finger_curls(points: np.ndarray) -> dict[str, tuple[float, float, float]]:
    """Flexion angles (degrees) at the three joints of each finger.

    For a finger chain (wrist, a, b, c, tip) the angles are between consecutive bones:
    (wrist->a, a->b), (a->b, b->c), (b->c, c->tip). For the thumb those are its CMC/MCP/IP joints.
    """
    out: dict[str, tuple[float, float, float]] = {}
    for name in FINGER_NAMES:
        chain = FINGER_CHAINS[name]
        bones = [points[chain[i + 1]] - points[chain[i]] for i in range(4)]
        out[name] = (
            _angle_deg(bones[0], bones[1]),
            _angle_deg(bones[1], bones[2]),
            _angle_deg(bones[2], bones[3]),
        )
    return out


def thumb_lateral(points: np.ndarray) -> float:
    """How far the thumb tip sticks out beyond the index knuckle, along the palm's lateral axis,
    in palm sizes (positive = out on the thumb side, negative = over the palm)."""
    lat = palm_frame(points)[0]
    return float(np.dot(points[4] - points[5], lat) / palm_size(points))


def _ramp(value: float, at_half: float, at_one: float) -> float:
    """Linear confidence: 0.5 at ``at_half``, 1 at ``at_one`` (clipped to [0, 1])."""
    return float(np.clip(0.5 + 0.5 * (value - at_half) / (at_one - at_half), 0.0, 1.0))


@dataclass(frozen=True)
class HandPose:
    """Finger states and the raw measures behind them, for one hand in one frame.

    Per-finger tuples follow :data:`pipeline.skeleton.FINGER_NAMES` (thumb first).
    ``states``: ``"straight"``, ``"half"`` or ``"bent"`` (for the thumb: sticking out from the
    palm, uncertain, folded over the palm). ``straight_conf`` / ``bent_conf``: confidence in [0, 1]
    that the finger is straight / bent; 0.5 at the state threshold. ``curls``: accumulated flexion
    in degrees, ``joints`` the three joint angles behind each sum. ``thumb_out``: lateral thumb measure (palm sizes, :func:`thumb_lateral`).
    ``pinch``: thumb tip to index tip distance in palm sizes (3D); ``pinch_middle`` the same for
    the middle fingertip. ``crossed``: the index fingertip lies on the pinky side of the middle
    fingertip (crossed fingers).
    ``direction``: 2D unit vector wrist -> middle knuckle in the image (x right, y down);
    ``thumb_direction``: 2D unit vector thumb MCP -> thumb tip in the image.

    Measures in the hand's own frame (:func:`canonical_points`, palm sizes, independent of how
    the hand is turned): ``tip_height`` how far each fingertip lies along the palm's up axis
    (wrist 0, middle knuckle 1; a straight finger reaches 1.6-2.2, a finger folded into a fist
    0.6-0.95, fingers curled into an O 1.0-1.5); ``thumb_span`` thumb tip to pinky knuckle (an L
    thumb sticks out 1.2-1.9, a thumb beside a pointing index 0.9-1.2); ``tip_gaps``
    index-middle, middle-ring and ring-little fingertip distances. ``facing``: 2D length of
    wrist -> middle knuckle in the image over its 3D length (1: the hand lies in the image plane;
    near 0: it points at or away from the camera, so ``direction`` says little).
    """

    states: tuple[str, ...]
    straight_conf: tuple[float, ...]
    bent_conf: tuple[float, ...]
    curls: tuple[float, ...]
    joints: tuple[tuple[float, float, float], ...]
    thumb_out: float
    pinch: float
    pinch_middle: float
    crossed: bool
    direction: tuple[float, float]
    thumb_direction: tuple[float, float]
    tip_height: tuple[float, ...] = (0.0,) * 5
    thumb_span: float = 0.0
    facing: float = 1.0
    tip_gaps: tuple[float, ...] = (0.0,) * 3

    def extended(self) -> frozenset[str]:
        """Names of the fingers in the straight state."""
        return frozenset(n for n, s in zip(FINGER_NAMES, self.states, strict=True) if s == STRAIGHT)


def measure(hand: Hand, use_world: bool = False) -> HandPose:
    """Finger states of ``hand`` (rotation, mirror and scale invariant); ``use_world`` as in
    :func:`angle_points`."""
    pts = angle_points(hand, use_world)
    curls = finger_curls(pts)
    totals = [float(sum(curls[name])) for name in FINGER_NAMES]
    # Thumb: placement across the palm, not its curl (a folded thumb can be nearly straight).
    t_out = thumb_lateral(pts)
    states = [STRAIGHT if t_out >= THUMB_OUT_MIN else BENT if t_out <= THUMB_IN_MAX else HALF]
    s_conf = [_ramp(t_out, THUMB_OUT_MIN, THUMB_OUT_MIN + THUMB_SOFT)]
    b_conf = [_ramp(-t_out, -THUMB_IN_MAX, -THUMB_IN_MAX + THUMB_SOFT)]
    for total in totals[1:]:
        if total <= STRAIGHT_MAX_DEG:
            states.append(STRAIGHT)
        elif total >= BENT_MIN_DEG:
            states.append(BENT)
        else:
            states.append(HALF)
        s_conf.append(_ramp(-total, -STRAIGHT_MAX_DEG, -STRAIGHT_MAX_DEG + SOFT_BAND_DEG))
        b_conf.append(_ramp(total, BENT_MIN_DEG, BENT_MIN_DEG + SOFT_BAND_DEG))
    img = np.asarray(hand.landmarks, dtype=np.float64)
    direction = _unit(img[9, :2] - img[0, :2])
    thumb_dir = _unit(img[4, :2] - img[2, :2])
    size = palm_size(pts)
    pinch = float(np.linalg.norm(pts[4] - pts[8]) / size)
    pinch_middle = float(np.linalg.norm(pts[4] - pts[12]) / size)
    lateral = palm_frame(pts)[0]
    crossed = bool(np.dot(pts[8] - pts[12], lateral) / size < -CROSSED_MIN)
    local = canonical_points(pts, "Right")  # only heights and distances are used: no mirroring
    img_palm = float(np.linalg.norm(img[9] - img[0]))
    facing = float(np.linalg.norm(img[9, :2] - img[0, :2]) / img_palm) if img_palm > 1e-9 else 0.0
    return HandPose(
        states=tuple(states),
        straight_conf=tuple(s_conf),
        bent_conf=tuple(b_conf),
        curls=tuple(totals),
        joints=tuple(curls[name] for name in FINGER_NAMES),
        thumb_out=t_out,
        pinch=pinch,
        pinch_middle=pinch_middle,
        crossed=crossed,
        direction=(float(direction[0]), float(direction[1])),
        thumb_direction=(float(thumb_dir[0]), float(thumb_dir[1])),
        tip_height=tuple(float(local[i, 1]) for i in (4, 8, 12, 16, 20)),
        thumb_span=float(np.linalg.norm(local[4] - local[17])),
        facing=facing,
        tip_gaps=tuple(float(np.linalg.norm(local[a] - local[a + 4])) for a in (8, 12, 16)),
    )
