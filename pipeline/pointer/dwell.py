"""Dwell click: the pointer kept within ``dwell_radius_px`` for ``dwell_ms`` clicks once.

A part of :class:`pipeline.pointer.controller.PointerController`; the same single thread calls
it. Positions are desktop pixels, times milliseconds.
"""

from __future__ import annotations

import math

from pipeline.pointer.commands import PointerCommand
from pipeline.pointer.settings import PointerSettings


class Dwell:
    """Where the pointer came to rest, since when, and whether that rest already clicked.

    A dwell click needs the pointer to have moved away from the last rest first, so a hand
    that stays still clicks once, not every ``dwell_ms``."""

    def __init__(self) -> None:
        self._anchor: tuple[float, float] | None = None
        self._start = 0.0
        self._done = True  # no dwell click before the pointer has moved

    def reset(self) -> None:
        """No rest and no click until the pointer has moved (hand lost, a pinch started)."""
        self._anchor = None
        self._done = True

    def drop_anchor(self) -> None:
        """Forget where the pointer rests (clutch); the next update starts a new rest."""
        self._anchor = None

    def update(
        self, pos: tuple[float, float], t: float, settings: PointerSettings
    ) -> list[PointerCommand]:
        """The pointer is at ``pos`` at ``t`` ms: a left click once it has rested long enough."""
        s = settings
        if self._anchor is None or math.dist(self._anchor, pos) > s.dwell_radius_px:
            if self._anchor is not None:
                self._done = False  # moved away: the next stop may click
            self._anchor, self._start = pos, t
            return []
        if self._done or t - self._start < s.dwell_ms:
            return []
        self._done = True
        return [PointerCommand("click", button="left")]

    def progress(self, t: float | None, settings: PointerSettings) -> float:
        """0..1 towards a dwell click at ``t`` ms (0 when dwell click is off or not counting)."""
        if not settings.dwell_click or self._anchor is None or self._done or t is None:
            return 0.0
        return min(1.0, max(0.0, (t - self._start) / settings.dwell_ms))
