"""Landmark sequences for pointer-mode tests, built from real hands of MediaPipe's reference
output on the HaGRID photos (``../shared/data/reference/hagrid-dev.jsonl``).

A pinch is the real ``ok`` hand (a thumb-index contact) aligned onto a real open ``palm`` hand
by their palm points, so the palm stays put while the fingers close. Right-click and two-finger
pinches are derived from the same ``ok`` hand by moving its curled index chain onto the middle
finger. Coordinates: frame pixels of a W x H frame (unmirrored).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from pipeline.types import FrameResult, Hand, RotatedRect

W, H = 640, 480
PALM = [0, 5, 9, 13, 17]
INDEX, MIDDLE = [5, 6, 7, 8], [9, 10, 11, 12]


def _reference_hands(data: Path, folder: str) -> list[np.ndarray]:
    hands = []
    with open(data / "reference" / "hagrid-dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if f"/{folder}/" in row["image"]:
                hands += [np.asarray(h["landmarks"], dtype=np.float64) for h in row["hands"]]
    return hands


def _similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """(2, 3) similarity transform (rotation, uniform scale, shift) taking src onto dst."""
    sc, dc = src.mean(axis=0), dst.mean(axis=0)
    a, b = src - sc, dst - dc
    num = (a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1]).sum()
    den = (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]).sum()
    norm = (a**2).sum()
    s_cos, s_sin = num / norm, den / norm
    m = np.array([[s_cos, -s_sin], [s_sin, s_cos]])
    return np.hstack([m, (dc - m @ sc)[:, None]])


def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    out = pts.copy()
    out[:, :2] = pts[:, :2] @ m[:, :2].T + m[:, 2]
    scale = float(np.hypot(m[0, 0], m[1, 0]))
    out[:, 2] = pts[:, 2] * scale
    return out


class Poses:
    """Real poses, all with the same palm: ``open``, ``ok`` (thumb-index pinch), ``right``
    (thumb-middle), ``two`` (thumb on index and middle), ``fist``; palm centred at (W/2, H/2),
    palm size about 90 px."""

    def __init__(self, data: Path) -> None:
        from app.measure.gestures import hand_from_reference
        from pipeline.gestures.features import measure
        from pipeline.gestures.recognizer import match_builtin

        def best(folder: str, gesture: str) -> np.ndarray:
            for pts in _reference_hands(data, folder):
                hand = hand_from_reference({"landmarks": pts.tolist()})
                if match_builtin(measure(hand))[0] == gesture:
                    return pts
            raise AssertionError(f"no {gesture} hand in hagrid-dev/{folder}")

        base = best("palm", "open_palm")
        # put the open palm upright-ish at the frame centre with a 90 px palm
        size = np.linalg.norm(base[9, :2] - base[0, :2])
        k = 90.0 / size
        centre = base[PALM, :2].mean(axis=0)
        m = np.array([[k, 0, W / 2 - k * centre[0]], [0, k, H / 2 - k * centre[1]]])
        self.open = _apply(m, base)
        self.ok = self._onto(best("ok", "ok"))
        self.fist = self._onto(best("fist", "fist"))
        offset = self.ok[9] - self.ok[5]  # index knuckle -> middle knuckle
        right = self.ok.copy()
        right[MIDDLE] = self.ok[INDEX] + offset  # the curled index becomes a curled middle
        right[INDEX] = self.ok[MIDDLE] - offset  # the straight middle becomes a straight index
        right[[3, 4]] = self.ok[[3, 4]] + offset  # the thumb meets the middle tip
        self.right = right
        two = self.ok.copy()
        two[MIDDLE] = self.ok[INDEX] + offset * 0.6  # middle tip curled next to the index tip
        two[[3, 4]] = self.ok[[3, 4]] + offset * 0.3
        self.two = two

    def _onto(self, pts: np.ndarray) -> np.ndarray:
        return _apply(_similarity(pts[PALM, :2], self.open[PALM, :2]), pts)

    def blend(self, a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
        """Fingers part way from pose a (k=0) to pose b (k=1) with a's palm."""
        return a + (b - a) * k


def hand_at(pts: np.ndarray, shift: tuple[float, float] = (0.0, 0.0), track_id: int = 1) -> Hand:
    p = pts.copy()
    p[:, 0] += shift[0]
    p[:, 1] += shift[1]
    c = p[:, :2].mean(axis=0)
    return Hand(
        landmarks=p.astype(np.float32),
        world_landmarks=np.zeros((21, 3), np.float32),
        handedness="Right",
        handedness_score=1.0,
        score=1.0,
        track_id=track_id,
        roi=RotatedRect(float(c[0]), float(c[1]), 200.0, 200.0, 0.0),
    )


def frames(
    poses: Iterable[np.ndarray | None],
    shifts: Iterable[tuple[float, float]] | None = None,
    fps: float = 30.0,
    start: int = 0,
) -> Iterator[FrameResult]:
    """One FrameResult per pose (None = no hand), ``shifts`` moving the hand in pixels."""
    shifts_list = list(shifts) if shifts is not None else None
    for i, pts in enumerate(poses):
        shift = shifts_list[i] if shifts_list is not None else (0.0, 0.0)
        hands = () if pts is None else (hand_at(pts, shift),)
        yield FrameResult(start + i, (start + i) * 1000.0 / fps, W, H, hands, False)
