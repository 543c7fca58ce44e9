"""Geometry of hand regions: palm detection -> ROI, landmarks -> next ROI, crop warps.

All rects are ``RotatedRect`` in pixels of the original frame. A rect's rotation turns its
"up" axis (towards the fingers) away from the image's up direction; MediaPipe's convention.
"""

from __future__ import annotations

import math

import numpy as np

from pipeline.types import RotatedRect

# Palm detection -> hand region (MediaPipe's palm-to-ROI constants).
PALM_SCALE = 2.6
PALM_SHIFT_Y = -0.5
# Landmarks -> next frame's region.
TRACK_SCALE = 2.0
TRACK_SHIFT_Y = -0.1
# Landmarks that describe the palm and finger bases (tips and DIP joints move too much).
TRACK_POINTS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)


def normalize_angle(angle: float) -> float:
    """Wrap to [-pi, pi)."""
    return angle - 2.0 * math.pi * math.floor((angle + math.pi) / (2.0 * math.pi))


def rotation_towards(x0: float, y0: float, x1: float, y1: float) -> float:
    """Rotation that makes the vector (x0, y0) -> (x1, y1) (image pixels, y down) point up."""
    return normalize_angle(math.pi / 2.0 - math.atan2(-(y1 - y0), x1 - x0))


def transform_rect(
    cx: float, cy: float, w: float, h: float, rotation: float, scale: float, shift_y: float
) -> RotatedRect:
    """Shift along the rect's own y axis by ``shift_y`` of its height, make it square on its
    long side, then scale it."""
    cx += -h * shift_y * math.sin(rotation)
    cy += h * shift_y * math.cos(rotation)
    side = max(w, h) * scale
    return RotatedRect(cx, cy, side, side, rotation)


def palm_to_roi(box: np.ndarray, keypoints: np.ndarray) -> RotatedRect:
    """Hand region from one palm detection.

    ``box``: (4,) cx, cy, w, h in frame pixels; ``keypoints``: (7, 2) frame pixels
    (0 = wrist centre, 2 = middle-finger MCP)."""
    rotation = rotation_towards(*keypoints[0], *keypoints[2])
    cx, cy, w, h = (float(v) for v in box)
    return transform_rect(cx, cy, w, h, rotation, PALM_SCALE, PALM_SHIFT_Y)


def landmarks_to_roi(landmarks: np.ndarray) -> RotatedRect:
    """Next frame's hand region from this frame's landmarks ((21, >=2) frame pixels)."""
    pts = np.asarray(landmarks, dtype=np.float64)[:, :2]
    x1, y1 = ((pts[5] + pts[13]) / 2.0 + pts[9]) / 2.0
    rotation = rotation_towards(pts[0, 0], pts[0, 1], x1, y1)
    sub = pts[list(TRACK_POINTS)]
    axis_centre = (sub.min(axis=0) + sub.max(axis=0)) / 2.0
    c, s = math.cos(rotation), math.sin(rotation)
    rel = sub - axis_centre
    # Coordinates along the rect's own axes.
    proj = np.stack([rel[:, 0] * c + rel[:, 1] * s, -rel[:, 0] * s + rel[:, 1] * c], axis=1)
    lo, hi = proj.min(axis=0), proj.max(axis=0)
    pc = (lo + hi) / 2.0
    w, h = hi - lo
    cx = axis_centre[0] + pc[0] * c - pc[1] * s
    cy = axis_centre[1] + pc[0] * s + pc[1] * c
    return transform_rect(cx, cy, w, h, rotation, TRACK_SCALE, TRACK_SHIFT_Y)


def crop_matrix(rect: RotatedRect, size: int) -> np.ndarray:
    """2x3 affine matrix mapping frame pixels into a ``size`` x ``size`` crop of ``rect``
    (crop "up" = the rect's up axis), as ``cv2.warpAffine`` takes it."""
    c, s = math.cos(rect.rotation), math.sin(rect.rotation)
    sx, sy = size / rect.width, size / rect.height
    # crop = S * R^-1 * (p - centre) + size/2
    m = np.array(
        [
            [c * sx, s * sx, 0.0],
            [-s * sy, c * sy, 0.0],
        ]
    )
    m[:, 2] = -m[:, :2] @ np.array([rect.cx, rect.cy]) + size / 2.0
    # No half-pixel correction between OpenCV's index convention and continuous coordinates:
    # MediaPipe's own crop maps corners the same way, and matching it cut the landmark error
    # against the reference from 1.8% to 0.2% of palm size.
    return m


def crop_to_frame(points: np.ndarray, rect: RotatedRect, size: int) -> np.ndarray:
    """Inverse of ``crop_matrix`` for (N, 2) points in crop pixels -> frame pixels."""
    c, s = math.cos(rect.rotation), math.sin(rect.rotation)
    u = (points[:, 0] / size - 0.5) * rect.width
    v = (points[:, 1] / size - 0.5) * rect.height
    return np.stack([rect.cx + u * c - v * s, rect.cy + u * s + v * c], axis=1)


def rect_iou(a: RotatedRect, b: RotatedRect) -> float:
    """IoU of two regions with their rotation ignored (centre and size only), the similarity
    MediaPipe's tracking uses to decide two regions hold the same hand."""
    iw = max(
        0.0,
        min(a.cx + a.width / 2, b.cx + b.width / 2) - max(a.cx - a.width / 2, b.cx - b.width / 2),
    )
    ih = max(
        0.0,
        min(a.cy + a.height / 2, b.cy + b.height / 2)
        - max(a.cy - a.height / 2, b.cy - b.height / 2),
    )
    inter = iw * ih
    union = a.width * a.height + b.width * b.height - inter
    return float(inter / union) if union > 0 else 0.0


def palm_error(ours: np.ndarray, ref: np.ndarray) -> float:
    """How far two readings of a hand lie apart: the mean distance over the 21 points
    ((21, >=2) pixels each) divided by the palm size of ``ref`` (landmark 0 -> 9). The accuracy
    measure of the data README, and how the tracker tells whether a second look moved a hand."""
    ref = np.asarray(ref, dtype=np.float64)
    palm = float(np.linalg.norm(ref[9, :2] - ref[0, :2]))
    dist = np.linalg.norm(np.asarray(ours, dtype=np.float64)[:, :2] - ref[:, :2], axis=1)
    return float(dist.mean() / max(palm, 1e-9))
