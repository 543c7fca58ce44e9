"""A synthetic open hand that points where a test wants: frames whose palm centre maps (absolute
mapping) onto a chosen desktop point, for dwell and click-palette tests that need no shared data.

Frames are W x H pixels at 30 fps; the hand is :func:`tests.support.gui_fakes.synthetic_landmarks`
(an open hand, fingers up, thumb apart: no pinch, no fist).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from pipeline.pointer.geometry import Desktop
from pipeline.pointer.settings import PointerSettings
from pipeline.types import FrameResult
from tests.support.gui_fakes import hand_from_landmarks, synthetic_landmarks

W, H = 640, 480
FRAME_MS = 1000.0 / 30.0
PALM = [0, 5, 9, 13, 17]
HAND_SIZE = 60.0


def _palm_offset() -> np.ndarray:
    pts = synthetic_landmarks(0.0, 0.0, HAND_SIZE)
    return pts[PALM, :2].mean(axis=0)


def anchor_for(
    x: float, y: float, settings: PointerSettings, desktop: Desktop
) -> tuple[float, float]:
    """Frame fractions of the palm centre that put the pointer at desktop ``(x, y)``."""
    area = settings.active_area
    x0, y0, x1, y1 = desktop.bounds
    fu = (x - x0) / (x1 - x0)
    if settings.mirror:
        fu = 1.0 - fu
    fv = (y - y0) / (y1 - y0)
    return (area.left + fu * (area.right - area.left), area.top + fv * (area.bottom - area.top))


def hand_frame(
    index: int, x: float | None, y: float | None, settings: PointerSettings, desktop: Desktop
) -> FrameResult:
    """Frame ``index`` (timestamp index * 33.3 ms): the hand pointing at desktop ``(x, y)``,
    no hand when ``x`` is None."""
    t = index * FRAME_MS
    if x is None or y is None:
        return FrameResult(index, t, W, H, (), False)
    u, v = anchor_for(x, y, settings, desktop)
    off = _palm_offset()
    pts = synthetic_landmarks(u * W - float(off[0]), v * H - float(off[1]), HAND_SIZE)
    return FrameResult(index, t, W, H, (hand_from_landmarks(pts),), False)


def out_of_area_frame(index: int, settings: PointerSettings) -> FrameResult:
    """The hand in sight but below the active area (resting)."""
    area = settings.active_area
    off = _palm_offset()
    v = min(0.97, area.bottom + 0.15)
    pts = synthetic_landmarks(0.5 * W - float(off[0]), v * H - float(off[1]), HAND_SIZE)
    return FrameResult(index, index * FRAME_MS, W, H, (hand_from_landmarks(pts),), False)


class HandPath:
    """Feeds frames to ``step`` (a controller's or hook's per-frame call) and keeps the frame
    count; each method returns what ``step`` returned, in order."""

    def __init__(
        self, step: Callable[[FrameResult], object], settings: PointerSettings, desktop: Desktop
    ) -> None:
        self.step, self.settings, self.desktop = step, settings, desktop
        self.index = 0

    def _frames(self, points: Iterator[tuple[float | None, float | None]]) -> list[object]:
        out = []
        for x, y in points:
            out.append(self.step(hand_frame(self.index, x, y, self.settings, self.desktop)))
            self.index += 1
        return out

    def hold(self, x: float, y: float, ms: float) -> list[object]:
        """The hand points at ``(x, y)`` for ``ms``."""
        n = max(1, round(ms / FRAME_MS))
        return self._frames(iter([(x, y)] * n))

    def glide(self, a: tuple[float, float], b: tuple[float, float], ms: float) -> list[object]:
        """The hand moves from ``a`` to ``b`` in ``ms`` (straight line)."""
        n = max(2, round(ms / FRAME_MS))
        pts = [(a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k) for k in np.linspace(0, 1, n)]
        return self._frames(iter(pts))

    def no_hand(self, ms: float) -> list[object]:
        n = max(1, round(ms / FRAME_MS))
        return self._frames(iter([(None, None)] * n))

    def rest_below(self, ms: float) -> list[object]:
        """The hand below the active area (in sight) for ``ms``."""
        out = []
        for _ in range(max(1, round(ms / FRAME_MS))):
            out.append(self.step(out_of_area_frame(self.index, self.settings)))
            self.index += 1
        return out
