"""A photo read scaled down for memory is reported in its own pixels (issue 38: a 10000x10000
photo came out as 8192x8192 with landmarks in the scaled picture's pixels)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.photos.large import in_photo_pixels
from pipeline.types import FrameResult, Hand, RotatedRect


def _result(width: int, height: int) -> FrameResult:
    pts = np.column_stack([np.linspace(100, 300, 21), np.linspace(50, 250, 21), np.full(21, -4.0)])
    world = np.full((21, 3), 0.01)
    hand = Hand(pts, world, "Left", 0.9, 0.95, 1, RotatedRect(200.0, 150.0, 80.0, 80.0, 0.3))
    return FrameResult(0, 0.0, width, height, (hand,), True)


def test_a_scaled_result_is_mapped_to_the_photos_pixels() -> None:
    scaled = _result(8192, 6144)  # a 12000x9000 photo as read for tracking (x 0.6827)
    out = in_photo_pixels(scaled, 12000, 9000)
    assert (out.width, out.height) == (12000, 9000)
    sx, sy = 12000 / 8192, 9000 / 6144
    before, after = scaled.hands[0], out.hands[0]
    assert after.landmarks[:, 0] == pytest.approx(before.landmarks[:, 0] * sx)
    assert after.landmarks[:, 1] == pytest.approx(before.landmarks[:, 1] * sy)
    assert after.landmarks[:, 2] == pytest.approx(before.landmarks[:, 2] * sx)  # x's scale
    assert np.array_equal(after.world_landmarks, before.world_landmarks)  # metres
    assert (after.roi.cx, after.roi.cy) == pytest.approx((200 * sx, 150 * sy))
    assert after.roi.width == pytest.approx(80 * sx, rel=1e-3)
    assert after.roi.rotation == before.roi.rotation
    assert (after.handedness, after.score, after.track_id) == ("Left", 0.95, 1)


def test_a_photo_read_at_its_own_size_is_left_alone() -> None:
    result = _result(640, 480)
    assert in_photo_pixels(result, 640, 480) is result
