"""ROI geometry: palm -> region, landmarks -> region, the crop warp and its inverse."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from pipeline.tracking.roi import (
    crop_matrix,
    crop_to_frame,
    landmarks_to_roi,
    normalize_angle,
    palm_to_roi,
    rect_iou,
    rotation_towards,
)
from pipeline.types import RotatedRect


@pytest.mark.parametrize(
    "dx,dy,expected",
    [(0, -1, 0.0), (1, 0, math.pi / 2), (0, 1, -math.pi), (-1, 0, -math.pi / 2)],
)
def test_rotation_points_vector_up(dx: float, dy: float, expected: float) -> None:
    assert rotation_towards(10, 10, 10 + dx, 10 + dy) == pytest.approx(expected)


def test_normalize_angle_range() -> None:
    for a in np.linspace(-10, 10, 41):
        n = normalize_angle(float(a))
        assert -math.pi <= n < math.pi
        assert math.isclose(math.cos(n), math.cos(a), abs_tol=1e-9)


def test_palm_to_roi_upright_palm() -> None:
    box = np.array([100.0, 200.0, 40.0, 30.0])
    kps = np.zeros((7, 2))
    kps[0] = [100, 220]  # wrist below
    kps[2] = [100, 180]  # middle MCP above
    roi = palm_to_roi(box, kps)
    assert roi.rotation == pytest.approx(0.0)
    assert roi.width == pytest.approx(40 * 2.6) and roi.height == pytest.approx(40 * 2.6)
    assert roi.cx == pytest.approx(100.0)
    assert roi.cy == pytest.approx(200 - 0.5 * 30)  # shifted towards the fingers


def test_palm_to_roi_sideways_palm_shifts_along_its_axis() -> None:
    box = np.array([100.0, 100.0, 30.0, 30.0])
    kps = np.zeros((7, 2))
    kps[0] = [80, 100]
    kps[2] = [120, 100]  # fingers point right
    roi = palm_to_roi(box, kps)
    assert roi.rotation == pytest.approx(math.pi / 2)
    assert roi.cx == pytest.approx(100 + 15) and roi.cy == pytest.approx(100)


def _rect() -> RotatedRect:
    return RotatedRect(cx=320.0, cy=200.0, width=180.0, height=180.0, rotation=0.6)


def test_crop_matrix_and_inverse_round_trip() -> None:
    rect = _rect()
    m = crop_matrix(rect, 224)
    pts = np.random.default_rng(0).uniform(0, 224, size=(50, 2))
    frame_pts = crop_to_frame(pts, rect, 224)
    back = np.c_[frame_pts, np.ones(len(frame_pts))] @ m.T
    assert back == pytest.approx(pts, abs=1e-9)


def test_crop_matrix_maps_rect_corners_to_crop_corners() -> None:
    rect = _rect()
    m = crop_matrix(rect, 224)
    corners = np.c_[rect.corners(), np.ones(4)] @ m.T
    assert corners == pytest.approx(np.array([[0, 0], [224, 0], [224, 224], [0, 224]]), abs=1e-9)


def test_warp_moves_a_bright_dot_where_the_matrix_says() -> None:
    frame = np.zeros((400, 640, 3), np.uint8)
    cv2.circle(frame, (350, 170), 3, (255, 255, 255), -1)
    rect = _rect()
    crop = cv2.warpAffine(frame, crop_matrix(rect, 224), (224, 224), flags=cv2.INTER_LINEAR)
    ys, xs = np.nonzero(crop[:, :, 0] > 128)
    found = np.array([[xs.mean(), ys.mean()]])
    assert crop_to_frame(found, rect, 224)[0] == pytest.approx([350, 170], abs=1.0)


def test_landmarks_to_roi_is_rotation_equivariant() -> None:
    rng = np.random.default_rng(3)
    hand = rng.normal(0, 20, size=(21, 2))
    hand[0] = [0, 60]
    hand[[5, 9, 13]] = [[-15, -10], [0, -12], [15, -10]]
    base = landmarks_to_roi(hand + 300)
    assert base.rotation == pytest.approx(0.0, abs=0.1)
    angle = 0.9
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    turned = landmarks_to_roi(hand @ rot.T + 300)
    assert normalize_angle(turned.rotation - base.rotation - angle) == pytest.approx(0.0, abs=1e-6)
    assert turned.width == pytest.approx(base.width, rel=1e-6)
    centre = rot @ np.array([base.cx - 300, base.cy - 300]) + 300
    assert [turned.cx, turned.cy] == pytest.approx(list(centre), abs=1e-6)


def test_rect_iou() -> None:
    a = RotatedRect(0, 0, 10, 10, 0.0)
    assert rect_iou(a, a) == pytest.approx(1.0)
    assert rect_iou(a, RotatedRect(5, 0, 10, 10, 1.0)) == pytest.approx(50 / 150)
    assert rect_iou(a, RotatedRect(50, 0, 10, 10, 0.0)) == 0.0
