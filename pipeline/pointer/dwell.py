"""Dwell: the pointer kept within ``dwell_radius_px`` of where it stopped for ``dwell_ms``
completes a dwell once; the controller decides what it does (a click of the chosen type, or a
choice on the click palette: :mod:`pipeline.pointer.click_types`).

The radius is a cancel zone: the rest is measured from where the pointer stopped, and moving
further than the radius from there cancels it and starts a new rest at the new place. After a
click the dwell is quiet for ``dwell_refractory_ms`` (no rest counts), so one long rest never
clicks twice and a click is not followed by an accidental one while the hand settles.

A part of :class:`pipeline.pointer.controller.PointerController`; the same single thread calls
it. Positions are desktop pixels, times milliseconds.
"""

from __future__ import annotations

import math

from pipeline.pointer.settings import PointerSettings


class Dwell:
    """Where the pointer came to rest, since when, and whether that rest already fired.

    A dwell needs the pointer to have moved away from the last rest first, so a hand that
    stays still fires once, not every ``dwell_ms`` (the controller may :meth:`restart` the
    rest on purpose: a second dwell on a palette button)."""

    def __init__(self) -> None:
        self._anchor: tuple[float, float] | None = None
        self._start = 0.0
        self._done = True  # no dwell before the pointer has moved
        self._quiet_until = -math.inf

    def reset(self) -> None:
        """No rest and no dwell until the pointer has moved (hand lost, a pinch started)."""
        self._anchor = None
        self._done = True

    def drop_anchor(self) -> None:
        """Forget where the pointer rests (clutch); the next update starts a new rest."""
        self._anchor = None

    def hold_off(self) -> None:
        """Not counting now (clicks paused off the palette, scrolling outside the neutral
        band), but the next rest may fire: as if the pointer had moved away."""
        self._anchor = None
        self._done = False

    def restart(self, pos: tuple[float, float], t: float) -> None:
        """Count a new rest at ``pos`` from ``t`` ms although the pointer has not moved."""
        self._anchor, self._start, self._done = pos, t, False

    def quiet(self, until: float) -> None:
        """No rest counts before ``until`` ms (the refractory pause after a click)."""
        self._quiet_until = until

    def update(self, pos: tuple[float, float], t: float, settings: PointerSettings) -> bool:
        """The pointer is at ``pos`` at ``t`` ms: True once it has rested long enough."""
        s = settings
        if self._anchor is None or math.dist(self._anchor, pos) > s.dwell_radius_px:
            if self._anchor is not None:
                self._done = False  # moved away: the next stop may fire
            self._anchor, self._start = pos, t
            return False
        if t < self._quiet_until:
            self._start = t  # the rest counts from the end of the quiet time
            return False
        if self._done or t - self._start < s.dwell_ms:
            return False
        self._done = True
        return True

    def progress(self, t: float | None, settings: PointerSettings) -> float:
        """0..1 towards a dwell at ``t`` ms (0 when dwell click is off or not counting)."""
        if not settings.dwell_click or self._anchor is None or self._done or t is None:
            return 0.0
        if t < self._quiet_until:
            return 0.0
        return min(1.0, max(0.0, (t - self._start) / settings.dwell_ms))
