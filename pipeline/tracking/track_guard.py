"""Rules that keep tracking trustworthy when frames come far apart (a slow or busy machine):
one track per hand, regions carried along the hand's motion, and wrong readings replaced.

Everything here is pure geometry on landmark arrays, called from ``HandTracker.process`` on the
tracker's thread. Points are ``(21, >=2)`` arrays in pixels of the frame (x right, y down), rows
in :data:`pipeline.skeleton.LANDMARK_NAMES` order.
"""

from __future__ import annotations

import numpy as np

# Two readings are one hand when their points lie this close on average (palm sizes), or when
# their boxes share this fraction of the smaller box (see same_hand).
MERGE_DISTANCE = 0.5
MERGE_OVERLAP = 0.6
# A weak reading (landmark presence under GHOST_PRESENCE, GHOST_GAP below the other's) whose box
# shares GHOST_OVERLAP of the smaller box with a sure reading of the same side is what is left
# of a region a fast hand moved out of (fist video mirrored, frame step 2, frame 58: presence
# 0.54 beside 0.98, overlap 0.37, one hand).
GHOST_PRESENCE = 0.8
GHOST_GAP = 0.3
GHOST_OVERLAP = 0.25

# Palm points: wrist and the five finger bases (thumb CMC, index/middle/ring/pinky MCP).
PALM_POINTS = (0, 1, 5, 9, 13, 17)


def palm_size(points: np.ndarray) -> float:
    """Wrist to middle-finger MCP distance (x, y), at least one pixel."""
    return max(float(np.linalg.norm(points[9, :2] - points[0, :2])), 1.0)


def hand_shape(points: np.ndarray) -> np.ndarray:
    """(21, 2) the reading's points (x, y) in the palm's own frame: relative to the wrist, in
    palm sizes, turned so the wrist -> middle-finger MCP axis points along +y. What stays when
    the hand moves, comes closer or tilts in the image plane; what changes when fingers open or
    close, or the hand turns out of the plane."""
    rel = points[:, :2] - points[0, :2]
    axis = rel[9] / palm_size(points)
    # Rotate by the angle that takes ``axis`` onto (0, 1): rows are the new x and y directions.
    turn = np.array([[axis[1], -axis[0]], [axis[0], axis[1]]])
    return (rel @ turn.T) / palm_size(points)


def shape_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean distance over the 21 points of two readings' shapes (:func:`hand_shape`), in palm
    sizes: how differently they see the hand's pose, wherever and however large each sees it."""
    return float(np.linalg.norm(hand_shape(a) - hand_shape(b), axis=1).mean())


def box_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Area shared by the axis-aligned boxes around two point sets ((N, >=2) pixels), as a
    fraction of the smaller box: 1 when one hand's box lies inside the other's."""
    a0, a1 = a[:, :2].min(axis=0), a[:, :2].max(axis=0)
    b0, b1 = b[:, :2].min(axis=0), b[:, :2].max(axis=0)
    inter = float(np.prod(np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0.0, None)))
    smaller = min(float(np.prod(a1 - a0)), float(np.prod(b1 - b0)))
    return inter / smaller if smaller > 0 else 0.0


def mean_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean distance over the 21 points of two readings, in palm sizes (the larger palm)."""
    d = np.linalg.norm(a[:, :2] - b[:, :2], axis=1).mean()
    return float(d / max(palm_size(a), palm_size(b)))


def same_hand(
    a: np.ndarray,
    b: np.ndarray,
    max_distance: float,
    min_overlap: float,
    same_side: bool = True,
) -> bool:
    """Do two landmark readings ((21, >=2) pixels) describe one hand?

    Either their points nearly coincide (mean distance under ``max_distance`` palm sizes: a
    duplicate of one reading) or, when both were read as the same hand (``same_side``: both
    left or both right), their boxes overlap by ``min_overlap`` of the smaller one (two readings
    of one hand that disagree about its pose, e.g. the thumb read as the index finger, or a
    too-large second reading around the hand). The side condition keeps a person's two hands
    apart when one covers the other (read as a left and a right hand); a safeguard, not seen
    on the shared data: the one HaGRID photo whose result the merge changes holds MediaPipe's
    own duplicate of one hand (mean distance under 0.5)."""
    if mean_distance(a, b) < max_distance:
        return True
    return same_side and box_overlap(a, b) >= min_overlap


def is_ghost(
    weak: np.ndarray, weak_presence: float, sure: np.ndarray, sure_presence: float
) -> bool:
    """Is the weaker of two same-side readings ((21, >=2) pixels) a leftover of the sure one's
    hand (see GHOST_PRESENCE)?"""
    return (
        weak_presence < GHOST_PRESENCE
        and sure_presence - weak_presence >= GHOST_GAP
        and box_overlap(weak, sure) >= GHOST_OVERLAP
    )
