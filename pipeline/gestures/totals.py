"""Two-hand totals: the number all the hands of one frame show together.

- Every scheme: the counts of the hands that show one are added (American/European 6-10 are
  one hand showing 5 and the other the rest; 2 + 3 is 5 as well). A frame where no hand shows
  a number has no total; a sum above :data:`MAX_TOTAL` is not a number anyone shows and gives
  none either.
- ``chinese`` also has a two-hand 10: the index fingers of two hands crossed into an X
  (:func:`crossed_index_fingers`), whatever each hand's own count says.

Pure functions of one frame's hands and their :class:`GestureResult` s; called by
:class:`pipeline.gestures.engine.GestureEngine` on the tracking worker thread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pipeline.gestures.features import STRAIGHT
from pipeline.gestures.recognizer import GestureResult
from pipeline.types import Hand

MAX_TOTAL = 10
# Crossed index fingers: the two index fingers (knuckle -> tip segments in the image) intersect
# and meet at an angle of at least this many degrees (an X, not two fingers side by side).
CROSS_MIN_DEG = 35.0
# The crossing point may lie this far (fraction of each segment) beyond the segment ends:
# landmarks of fingers occluding each other are a little short.
CROSS_MARGIN = 0.15


def _segments_cross(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray) -> bool:
    """True when 2D segments a0-a1 and b0-b1 intersect (each extended by CROSS_MARGIN)."""
    da, db = a1 - a0, b1 - b0
    denom = float(da[0] * db[1] - da[1] * db[0])
    if abs(denom) < 1e-9:
        return False
    diff = b0 - a0
    t = float(diff[0] * db[1] - diff[1] * db[0]) / denom
    u = float(diff[0] * da[1] - diff[1] * da[0]) / denom
    lo, hi = -CROSS_MARGIN, 1.0 + CROSS_MARGIN
    return lo <= t <= hi and lo <= u <= hi


def crossed_index_fingers(
    first: Hand, first_result: GestureResult, second: Hand, second_result: GestureResult
) -> bool:
    """True when two hands' straight index fingers cross each other in the image (an X)."""
    if first_result.fingers[1] != STRAIGHT or second_result.fingers[1] != STRAIGHT:
        return False
    a0, a1 = (np.asarray(first.landmarks[i, :2], dtype=np.float64) for i in (5, 8))
    b0, b1 = (np.asarray(second.landmarks[i, :2], dtype=np.float64) for i in (5, 8))
    da, db = a1 - a0, b1 - b0
    na, nb = float(np.linalg.norm(da)), float(np.linalg.norm(db))
    if na < 1e-6 or nb < 1e-6:
        return False
    cos = abs(float(np.dot(da, db))) / (na * nb)
    if math.degrees(math.acos(min(1.0, cos))) < CROSS_MIN_DEG:
        return False
    return _segments_cross(a0, a1, b0, b1)


def frame_total(scheme: str, hands: Sequence[Hand], results: Sequence[GestureResult]) -> int | None:
    """The number shown by ``hands`` together (``results[i]`` is ``hands[i]``'s result under
    ``scheme``), or ``None`` when they show none (see the module docstring)."""
    if len(hands) != len(results):
        raise ValueError("one result per hand")
    if scheme == "chinese":
        for i in range(len(hands)):
            for j in range(i + 1, len(hands)):
                if crossed_index_fingers(hands[i], results[i], hands[j], results[j]):
                    return 10
    counts = [r.count for r in results if r.count is not None]
    if not counts:
        return None
    total = sum(counts)
    return total if total <= MAX_TOTAL else None


def counting_hands(hands: Sequence[Hand], results: Sequence[GestureResult]) -> list[Hand]:
    """The hands that contribute to the total (a count of their own, or an index finger
    crossing another hand's): used to pick which hand's presence a total depends on."""
    out = [h for h, r in zip(hands, results, strict=True) if r.count is not None]
    if out:
        return out
    return [h for h, r in zip(hands, results, strict=True) if r.fingers[1] == STRAIGHT]
