"""Zoomed tiles for far hands: the palm detector on overlapping square parts of the frame.

The whole-frame detector sees a 1280x720 frame at 192x192, so a hand 3 m away (40-60 px tall)
is 6-9 px there and is not found. A tile of ~30% of the frame's short side, resized to the same
192x192 input, shows it ~5x larger. Tiles overlap by a quarter of their side, so a palm up to that
size lies whole inside at least one tile; detections cut by a tile's inner edge, and large ones
(the whole-frame pass finds those), are dropped. What a tile finds is only a candidate: the
tracker keeps it when the landmark model confirms a hand (presence score).

Coordinates: frame pixels of the (H, W, 3) BGR frame, x right, y down. Pure functions and one
small cycling helper; no threads of their own (they run on the tracker's thread).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.tracking.landmark import LandmarkModel, LandmarkOutput
from pipeline.tracking.palm import SCORE_THRESHOLD, PalmDetection, PalmDetector
from pipeline.tracking.roi import landmarks_to_roi, palm_error

# A tile's side as a fraction of the frame's short side, and at least the detector's input.
TILE_FRACTION = 0.3
MIN_TILE = 192
OVERLAP = 0.25
# Only zoom when a tile is at most this fraction of the short side (a 2x zoom at least).
MAX_TILE_FRACTION = 0.5
# Tile detections larger than this fraction of the tile belong to the whole-frame pass.
MAX_PALM_FRACTION = 0.5
# A palm box this close (px of the tile) to an inner tile edge is cut by it.
EDGE_MARGIN = 2.0
# Confirming a tile's hand (:func:`confirm_far_hand`): the landmark model's second reading, on
# the region its first reading gives, may move the points at most this much (mean distance /
# palm size); the palm detector looks again at square crops this many times the hand's size.
CONFIRM_SHIFT = 0.2
CONFIRM_ZOOMS = (3.0, 4.0)
MIN_CONFIRM_CROP = 64
# Choosing between a far palm's two regions (:func:`steadier_reading`), by how far a reading's
# points move when read again on the region it gives (palm sizes). The landmark model reads a
# 15-40 px hand from either region; from the wrong one it often reads a skewed hand that moves
# 0.13-0.15, while good readings move 0.01-0.09 (the far set at 1/3), and a neck read from a
# zoom tile 0.13. The tile's region wins when its reading moves STEADIER_BY less than the
# closer look's; where the closer look's reading has no hand, when it moves at most
# STEADY_SHIFT.
STEADIER_BY = 0.05
STEADY_SHIFT = 0.1
# A tile whose grey level varies by less than PLAIN_RANGE (0..255) over a PLAIN_CELLS x
# PLAIN_CELLS grid of its cell means shows no hand the detector could find and is not looked
# at. The open hand of the far video at 1/3, darkened step by step, is found in its tile down to
# a range of 24-25 and no longer at 18; the black cloth behind the fist video's subject spans
# 1-11 (14 of its 40 tiles), a far-set canvas's plain grey 0.
PLAIN_CELLS = 24
PLAIN_RANGE = 12


@dataclass(frozen=True)
class Tile:
    """A square ``size`` x ``size`` part of the frame with its top-left corner at (x0, y0)."""

    x0: int
    y0: int
    size: int

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x0 + self.size and self.y0 <= y < self.y0 + self.size


def make_tiles(width: int, height: int) -> tuple[Tile, ...]:
    """Overlapping tiles covering a ``width`` x ``height`` frame, row by row; none when the frame
    is too small for zooming to help."""
    short = min(width, height)
    size = max(MIN_TILE, round(short * TILE_FRACTION))
    if size > short * MAX_TILE_FRACTION:
        return ()
    stride = size * (1.0 - OVERLAP)

    def starts(extent: int) -> list[int]:
        n = math.ceil((extent - size) / stride) + 1
        return [round(v) for v in np.linspace(0, extent - size, n)]

    return tuple(Tile(x, y, size) for y in starts(height) for x in starts(width))


def is_plain(view_bgr: np.ndarray) -> bool:
    """Whether a (h, w, 3) uint8 BGR part of a frame is too even to show a hand (PLAIN_RANGE;
    ~0.05 ms for a 216 px tile, against ~8 ms for the detector)."""
    grey = cv2.cvtColor(view_bgr, cv2.COLOR_BGR2GRAY)
    cells = cv2.resize(grey, (PLAIN_CELLS, PLAIN_CELLS), interpolation=cv2.INTER_AREA)
    return int(cells.max()) - int(cells.min()) < PLAIN_RANGE


def detect_in_tile(
    detector: PalmDetector,
    frame_bgr: np.ndarray,
    tile: Tile,
    min_score: float,
    timings: dict[str, float] | None = None,
) -> list[PalmDetection]:
    """Palms found in ``tile`` of ``frame_bgr`` ((H, W, 3) uint8 BGR), in frame pixels, best
    first; without those cut by an inner tile edge or too large for a far hand. A plain tile
    (:func:`is_plain`) is not run through the detector."""
    h, w = frame_bgr.shape[:2]
    view = frame_bgr[tile.y0 : tile.y0 + tile.size, tile.x0 : tile.x0 + tile.size]
    if is_plain(view):
        return []
    found = []
    for det in detector.detect(view, timings, min(min_score, SCORE_THRESHOLD)):
        if det.score < min_score:
            continue
        cx, cy, bw, bh = (float(v) for v in det.box)
        if max(bw, bh) > MAX_PALM_FRACTION * tile.size:
            continue
        lo_x, hi_x, lo_y, hi_y = cx - bw / 2, cx + bw / 2, cy - bh / 2, cy + bh / 2
        cut = (
            (tile.x0 > 0 and lo_x < EDGE_MARGIN)
            or (tile.y0 > 0 and lo_y < EDGE_MARGIN)
            or (tile.x0 + tile.size < w and hi_x > tile.size - EDGE_MARGIN)
            or (tile.y0 + tile.size < h and hi_y > tile.size - EDGE_MARGIN)
        )
        if cut:
            continue
        offset = np.array([tile.x0, tile.y0], dtype=np.float64)
        box = det.box.astype(np.float64).copy()
        box[:2] += offset
        found.append(PalmDetection(box, det.keypoints + offset, det.score))
    return found


class TileCycle:
    """Which tile to look at next in video: the one with the most change in the motion map when
    there is one, else the one looked at longest ago. Frame size changes rebuild the tiles."""

    def __init__(self) -> None:
        self._size: tuple[int, int] | None = None
        self.tiles: tuple[Tile, ...] = ()
        self._last_used: list[int] = []
        self._turn = 0

    def reset(self) -> None:
        self._size = None

    def _ensure(self, width: int, height: int) -> None:
        if self._size != (width, height):
            self._size = (width, height)
            self.tiles = make_tiles(width, height)
            self._last_used = [-1] * len(self.tiles)
            self._turn = 0

    def all(self, width: int, height: int) -> tuple[Tile, ...]:
        self._ensure(width, height)
        return self.tiles

    def containing(self, width: int, height: int, x: float, y: float) -> Tile | None:
        """The tile whose centre is nearest (x, y) (frame pixels), marked as looked at."""
        self._ensure(width, height)
        if not self.tiles:
            return None
        best = min(
            range(len(self.tiles)),
            key=lambda i: (
                (self.tiles[i].x0 + self.tiles[i].size / 2 - x) ** 2
                + (self.tiles[i].y0 + self.tiles[i].size / 2 - y) ** 2
            ),
        )
        self._turn += 1
        self._last_used[best] = self._turn
        return self.tiles[best]

    def next(self, width: int, height: int, motion: np.ndarray | None = None) -> Tile | None:
        """The next tile for a ``width`` x ``height`` frame. ``motion``: (h, w) bool map of
        changed cells of the frame (any resolution; scaled to the frame), or None."""
        self._ensure(width, height)
        if not self.tiles:
            return None
        best = None
        if motion is not None and motion.any():
            sy, sx = motion.shape[0] / height, motion.shape[1] / width
            scores = []
            for t in self.tiles:
                part = motion[
                    int(t.y0 * sy) : math.ceil((t.y0 + t.size) * sy),
                    int(t.x0 * sx) : math.ceil((t.x0 + t.size) * sx),
                ]
                scores.append(int(part.sum()))
            top = max(scores)
            if top > 0:
                # Among the tiles with the most change, the one looked at longest ago.
                tied = [i for i, s in enumerate(scores) if s == top]
                best = min(tied, key=lambda i: self._last_used[i])
        if best is None:
            best = min(range(len(self.tiles)), key=lambda i: self._last_used[i])
        self._turn += 1
        self._last_used[best] = self._turn
        return self.tiles[best]


def tile_palms(
    detector: PalmDetector,
    frame_bgr: np.ndarray,
    tiles: tuple[Tile, ...],
    min_score: float,
    timings: dict[str, float] | None = None,
) -> list[PalmDetection]:
    """Palms found in any of ``tiles``, best first, in frame pixels; a palm seen by two
    overlapping tiles is kept once (the better-scored sighting)."""
    found: list[PalmDetection] = []
    for tile in tiles:
        found.extend(detect_in_tile(detector, frame_bgr, tile, min_score, timings))
    found.sort(key=lambda d: -d.score)
    kept: list[PalmDetection] = []
    for det in found:
        size = max(float(det.box[2]), float(det.box[3]))
        if all(np.linalg.norm(det.box[:2] - k.box[:2]) > 0.5 * size for k in kept):
            kept.append(det)
    return kept


# A tile's palm is looked at again in a square crop this many times its size (at least
# MIN_CLOSER_CROP px): zoomed twice as much again, the detector places a tiny palm better
# (palms of 7-14 px in the far set at 1/3 scored 0.75-0.98 there) and the landmark model reads
# the region it gives.
CLOSER_ZOOM = 5.0
MIN_CLOSER_CROP = 64


def closer_palm(
    detector: PalmDetector,
    frame_bgr: np.ndarray,
    palm: PalmDetection,
    min_score: float,
    timings: dict[str, float] | None = None,
) -> PalmDetection:
    """``palm`` (frame pixels of ``frame_bgr``, (H, W, 3) uint8 BGR) as the detector sees it
    in a crop CLOSER_ZOOM times its size around it: the sighting nearest its centre, or
    ``palm`` itself when the closer look finds none there."""
    h, w = frame_bgr.shape[:2]
    cx, cy, bw, bh = (float(v) for v in palm.box[:4])
    side = int(min(max(MIN_CLOSER_CROP, CLOSER_ZOOM * max(bw, bh)), w, h))
    left = int(np.clip(cx - side / 2, 0, w - side))
    top = int(np.clip(cy - side / 2, 0, h - side))
    crop = frame_bgr[top : top + side, left : left + side]
    best = None
    for det in detector.detect(crop, timings):
        px, py = float(det.box[0]) + left, float(det.box[1]) + top
        gap = float(np.hypot(px - cx, py - cy))
        if det.score >= min_score and gap <= max(bw, bh) and (best is None or gap < best[0]):
            best = (gap, det)
    if best is None:
        return palm
    det = best[1]
    offset = np.array([left, top], dtype=np.float64)
    box = det.box.astype(np.float64).copy()
    box[:2] += offset
    return PalmDetection(box, det.keypoints + offset, det.score)


def steadier_reading(
    landmarker: LandmarkModel,
    frame_bgr: np.ndarray,
    readings: list[LandmarkOutput],
    min_presence: float,
    timings: dict[str, float] | None = None,
) -> int:
    """Which of ``readings`` (the landmark model on other regions of one far palm in
    ``frame_bgr``, (H, W, 3) uint8 BGR; the preferred region first) to keep.

    A reading's steadiness is how far its points move when it is read again on the region its
    own landmarks give. The first one is kept unless another one the model is present in (at
    least ``min_presence``) moves STEADIER_BY palm sizes less; or, when the model is not present
    in the first, the most present other one that moves at most STEADY_SHIFT. Presence alone
    does not tell a good reading of a small hand from a skewed one (0.995 beside 0.996), nor a
    hand from a neck (0.97 and 0.90). Costs one landmark call, for the readings the model is
    present in, when there is a choice."""
    sure = [i for i, o in enumerate(readings) if o.presence >= min_presence]
    first_sure = bool(sure) and sure[0] == 0
    if len(sure) < (2 if first_sure else 1):
        return 0
    again = landmarker.run(
        frame_bgr, [landmarks_to_roi(readings[i].landmarks) for i in sure], timings
    )
    shifts = {
        i: palm_error(a.landmarks, readings[i].landmarks) for i, a in zip(sure, again, strict=True)
    }
    if not first_sure:
        steady = [i for i in sure if shifts[i] <= STEADY_SHIFT]
        return max(steady, key=lambda i: readings[i].presence) if steady else 0
    best = min(sure, key=lambda i: shifts[i])
    return best if shifts[best] <= shifts[0] - STEADIER_BY else 0


def confirm_far_hand(
    detector: PalmDetector,
    landmarker: LandmarkModel,
    frame_bgr: np.ndarray,
    landmarks: np.ndarray,
    min_presence: float,
    min_score: float,
    timings: dict[str, float] | None = None,
) -> bool:
    """Whether a hand first seen in a zoom tile (``landmarks``: (21, >=2) frame pixels of
    ``frame_bgr``, (H, W, 3) uint8 BGR) is a hand: a second landmark reading on the region the
    first gives still scores ``min_presence`` and lands on the same points (CONFIRM_SHIFT), and
    the palm detector finds a palm on it again in a crop CONFIRM_ZOOMS times the hand's size.

    What a zoomed tile shows without a hand (a face, a neck, an arm, a toy: hagrid-dev's false
    far hands) often passes one landmark reading, rarely all three looks. Costs one landmark and
    up to two detector calls, only for a new far hand."""
    h, w = frame_bgr.shape[:2]
    again = landmarker.run(frame_bgr, [landmarks_to_roi(landmarks)], timings)[0]
    if again.presence < min_presence or palm_error(again.landmarks, landmarks) > CONFIRM_SHIFT:
        return False
    pts = np.asarray(landmarks, dtype=np.float64)[:, :2]
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    size = max(x1 - x0, y1 - y0, 1.0)
    margin = 0.2 * size
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    for zoom in CONFIRM_ZOOMS:
        side = int(min(max(MIN_CONFIRM_CROP, zoom * size), w, h))
        left = int(np.clip(cx - side / 2, 0, w - side))
        top = int(np.clip(cy - side / 2, 0, h - side))
        crop = frame_bgr[top : top + side, left : left + side]
        for det in detector.detect(crop, timings):
            px, py = float(det.box[0]) + left, float(det.box[1]) + top
            inside = x0 - margin <= px <= x1 + margin and y0 - margin <= py <= y1 + margin
            if det.score >= min_score and inside:
                return True
    return False
