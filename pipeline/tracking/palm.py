"""BlazePalm palm detector: letterbox, anchors, decoding, weighted non-max suppression."""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.models.session import InferenceSession
from pipeline.tracking.landmark import to_model_input
from pipeline.tracking.timing import add_stage_times

INPUT_SIZE = 192
NUM_KEYPOINTS = 7
SCORE_THRESHOLD = 0.5
NMS_IOU = 0.3
SCORE_CLIP = 100.0


def ssd_anchors(
    input_size: int = INPUT_SIZE,
    strides: tuple[int, ...] = (8, 16, 16, 16),
    min_scale: float = 0.1484375,
    max_scale: float = 0.75,
    offset: float = 0.5,
) -> np.ndarray:
    """(N, 2) anchor centres, normalised to the detector input, for fixed-size anchors.

    Layers sharing a stride are one feature map; each layer adds two anchors per cell (aspect
    ratio 1 and the interpolated scale), so 4 layers give 24*24*2 + 12*12*6 = 2016 anchors.
    The scales only matter for variable-size anchors, so they are accepted but unused."""
    del min_scale, max_scale
    centres: list[np.ndarray] = []
    layer = 0
    while layer < len(strides):
        stride = strides[layer]
        same = 0
        while layer + same < len(strides) and strides[layer + same] == stride:
            same += 1
        per_cell = 2 * same
        cells = -(-input_size // stride)
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + offset) / cells, (ys + offset) / cells], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid, per_cell, axis=0))
        layer += same
    return np.concatenate(centres).astype(np.float32)


@dataclass(frozen=True)
class PalmDetection:
    """One palm in frame pixels: box (4,) cx, cy, w, h; keypoints (7, 2); score in [0, 1]."""

    box: np.ndarray
    keypoints: np.ndarray
    score: float


def decode(
    regressors: np.ndarray,
    logits: np.ndarray,
    anchors: np.ndarray,
    threshold: float = SCORE_THRESHOLD,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw outputs -> (boxes (M, 18) normalised to the detector input, scores (M,)) above
    ``threshold``. Each row: cx, cy, w, h, then 7 keypoints (x, y)."""
    # float64: exp(100) overflows float32.
    clipped = np.clip(logits.reshape(-1).astype(np.float64), -SCORE_CLIP, SCORE_CLIP)
    scores = 1.0 / (1.0 + np.exp(-clipped))
    keep = np.flatnonzero(scores >= threshold)
    raw = regressors.reshape(-1, 18)[keep] / INPUT_SIZE
    a = anchors[keep]
    out = raw.copy()
    out[:, 0:2] += a
    out[:, 4::2] += a[:, :1]
    out[:, 5::2] += a[:, 1:2]
    return out, scores[keep]


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one (cx, cy, w, h) box against (M, 4) boxes."""
    x0 = np.maximum(box[0] - box[2] / 2, boxes[:, 0] - boxes[:, 2] / 2)
    y0 = np.maximum(box[1] - box[3] / 2, boxes[:, 1] - boxes[:, 3] / 2)
    x1 = np.minimum(box[0] + box[2] / 2, boxes[:, 0] + boxes[:, 2] / 2)
    y1 = np.minimum(box[1] + box[3] / 2, boxes[:, 1] + boxes[:, 3] / 2)
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    union = box[2] * box[3] + boxes[:, 2] * boxes[:, 3] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def weighted_nms(
    rows: np.ndarray, scores: np.ndarray, iou: float = NMS_IOU
) -> list[tuple[np.ndarray, float]]:
    """Weighted non-max suppression: each cluster of boxes overlapping the best remaining one
    by more than ``iou`` becomes one detection whose coordinates are the score-weighted mean of
    the cluster and whose score is the best one's. Returns [(row (18,), score)], best first."""
    order = np.argsort(-scores, kind="stable")
    rows, scores = rows[order], scores[order]
    alive = np.ones(len(rows), dtype=bool)
    result = []
    for i in range(len(rows)):
        if not alive[i]:
            continue
        idx = np.flatnonzero(alive)
        overlap = _iou(rows[i, :4], rows[idx, :4]) > iou
        cluster = idx[overlap]
        w = scores[cluster]
        merged = (rows[cluster] * w[:, None]).sum(axis=0) / w.sum()
        result.append((merged, float(scores[i])))
        alive[cluster] = False
        alive[i] = False
    return result


def letterbox_matrix(
    width: int, height: int, size: int = INPUT_SIZE
) -> tuple[np.ndarray, float, float, float]:
    """Affine matrix (2x3, OpenCV index convention) that fits a frame into a ``size`` square,
    centred with a zero border (no half-pixel shift, as MediaPipe); also the scale and the left/top padding in input pixels."""
    scale = size / max(width, height)
    pad_x = (size - width * scale) / 2.0
    pad_y = (size - height * scale) / 2.0
    m = np.array([[scale, 0.0, pad_x], [0.0, scale, pad_y]])
    return m, scale, pad_x, pad_y


class PalmDetector:
    """Runs BlazePalm on a whole frame. Thread: the tracker's."""

    def __init__(self, session: InferenceSession) -> None:
        self.session = session
        self.anchors = ssd_anchors()

    def detect(
        self,
        frame_bgr: np.ndarray,
        timings: dict[str, float] | None = None,
        threshold: float = SCORE_THRESHOLD,
    ) -> list[PalmDetection]:
        """Palms in ``frame_bgr`` ((H, W, 3) uint8 BGR) scored ``threshold`` or more, in frame
        pixels, best first."""
        t0 = time.perf_counter()
        h, w = frame_bgr.shape[:2]
        m, scale, pad_x, pad_y = letterbox_matrix(w, h)
        img = cv2.warpAffine(
            frame_bgr,
            m,
            (INPUT_SIZE, INPUT_SIZE),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(0, 0, 0),
        )
        # BGR -> RGB and [0, 1] on the small image, not the whole frame.
        tensor = to_model_input(img)[None]
        t1 = time.perf_counter()
        out = self.session.run(tensor)
        t2 = time.perf_counter()
        regressors, logits = out["Identity"], out["Identity_1"]
        rows, scores = decode(regressors[0], logits[0], self.anchors, threshold)
        sure = scores >= SCORE_THRESHOLD
        found = weighted_nms(rows[sure], scores[sure])
        if not sure.all():
            # Sightings under SCORE_THRESHOLD are merged among themselves only, so that the
            # sure ones stay exactly what they are at the usual threshold; one overlapping a
            # sure sighting is part of it.
            sure_boxes = np.array([row[:4] for row, _ in found]).reshape(-1, 4)
            found += [
                (row, score)
                for row, score in weighted_nms(rows[~sure], scores[~sure])
                if not (_iou(row[:4], sure_boxes) > NMS_IOU).any()
            ]
        detections = []
        for row, score in found:
            pts = row.reshape(-1, 2) * INPUT_SIZE  # detector-input pixels
            pts = (pts - np.array([pad_x, pad_y])) / scale
            box = np.array(
                [pts[0, 0], pts[0, 1], row[2] * INPUT_SIZE / scale, row[3] * INPUT_SIZE / scale]
            )
            detections.append(PalmDetection(box, pts[2:], score))
        t3 = time.perf_counter()
        add_stage_times(timings, "detect", t0, t1, t2, t3)
        return detections
