"""Anchors, decoding and weighted NMS of the palm detector (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.tracking.palm import INPUT_SIZE, decode, letterbox_matrix, ssd_anchors, weighted_nms


def test_anchor_count_and_layout() -> None:
    anchors = ssd_anchors()
    assert anchors.shape == (2016, 2)
    # Stride 8: 24x24 cells, 2 anchors each, row-major, both anchors at the cell centre.
    assert np.allclose(anchors[0], [0.5 / 24, 0.5 / 24])
    assert np.allclose(anchors[1], anchors[0])
    assert np.allclose(anchors[2], [1.5 / 24, 0.5 / 24])
    assert np.allclose(anchors[2 * 24], [0.5 / 24, 1.5 / 24])
    # Stride 16 starts after 1152 anchors: 12x12 cells, 6 anchors each.
    assert np.allclose(anchors[1152:1158], [0.5 / 12, 0.5 / 12])
    assert np.allclose(anchors[1158], [1.5 / 12, 0.5 / 12])
    assert np.allclose(anchors[-1], [11.5 / 12, 11.5 / 12])


def _raw_for(
    anchor_index: int, anchors: np.ndarray, centre_px: tuple[float, float], size_px: float
):
    reg = np.zeros((2016, 18), np.float32)
    a = anchors[anchor_index] * INPUT_SIZE
    reg[anchor_index, 0:2] = np.array(centre_px) - a
    reg[anchor_index, 2:4] = size_px
    reg[anchor_index, 4::2] = centre_px[0] - a[0] + np.arange(7)
    reg[anchor_index, 5::2] = centre_px[1] - a[1]
    return reg


def test_decode_offsets_are_relative_to_anchor_and_thresholded() -> None:
    anchors = ssd_anchors()
    reg = _raw_for(100, anchors, (96.0, 48.0), 40.0)
    logits = np.full((2016, 1), -10.0, np.float32)
    logits[100] = 2.0  # sigmoid 0.88
    rows, scores = decode(reg, logits, anchors)
    assert rows.shape == (1, 18)
    assert scores[0] == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert rows[0, :4] * INPUT_SIZE == pytest.approx([96.0, 48.0, 40.0, 40.0], abs=1e-4)
    assert rows[0, 4] * INPUT_SIZE == pytest.approx(96.0, abs=1e-4)
    assert rows[0, 6] * INPUT_SIZE == pytest.approx(97.0, abs=1e-4)


def test_decode_clips_huge_logits() -> None:
    anchors = ssd_anchors()
    logits = np.full((2016, 1), -1e9, np.float32)
    logits[5] = 1e9
    with np.errstate(over="raise"):
        _, scores = decode(np.zeros((2016, 18), np.float32), logits, anchors)
    assert scores.tolist() == [1.0]


def test_weighted_nms_merges_overlaps_and_keeps_separate_boxes() -> None:
    rows = np.zeros((3, 18))
    rows[0, :4] = [0.50, 0.50, 0.2, 0.2]
    rows[1, :4] = [0.52, 0.50, 0.2, 0.2]  # overlaps box 0 (IoU ~0.82)
    rows[2, :4] = [0.10, 0.10, 0.1, 0.1]  # separate
    scores = np.array([0.9, 0.6, 0.7])
    out = weighted_nms(rows, scores)
    assert [round(s, 2) for _, s in out] == [0.9, 0.7]
    merged = out[0][0]
    assert merged[0] == pytest.approx((0.50 * 0.9 + 0.52 * 0.6) / 1.5)
    assert out[1][0][0] == pytest.approx(0.10)


def test_weighted_nms_empty() -> None:
    assert weighted_nms(np.zeros((0, 18)), np.zeros(0)) == []


@pytest.mark.parametrize("w,h", [(1280, 720), (360, 640), (500, 500)])
def test_letterbox_keeps_aspect_and_centres(w: int, h: int) -> None:
    m, scale, pad_x, pad_y = letterbox_matrix(w, h)
    corners = np.array([[0, 0, 1], [w, h, 1]], float) @ m.T
    assert corners[0] == pytest.approx([pad_x, pad_y])
    assert corners[1] == pytest.approx([INPUT_SIZE - pad_x, INPUT_SIZE - pad_y])
    assert min(pad_x, pad_y) == pytest.approx(0.0)
    assert scale == pytest.approx(INPUT_SIZE / max(w, h))
