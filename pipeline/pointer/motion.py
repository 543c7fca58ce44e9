"""How the hand moves the pointer: the anchor point, its One Euro filter, the absolute or
relative mapping to the desktop, the dead zone, and manual takeback (the physical mouse wins).

Parts of :class:`pipeline.pointer.controller.PointerController`; the same single thread calls
them. Frames: the anchor is in frame pixels (:func:`anchor_point`) or frame fractions
(:class:`AnchorFilter`); pointer positions are desktop pixels (floats; moves sent as ints).
"""

from __future__ import annotations

import math

import numpy as np

from pipeline.filters import OneEuroFilter
from pipeline.pointer.commands import PointerCommand
from pipeline.pointer.geometry import Desktop, map_absolute
from pipeline.pointer.settings import PointerSettings
from pipeline.types import Hand

PALM_CENTRE = (0, 5, 9, 13, 17)  # wrist and the four finger knuckles
INDEX_KNUCKLE = 5


def anchor_point(hand: Hand, which: str) -> np.ndarray:
    """(2,) anchor of ``hand`` in frame pixels: the palm centre (mean of the wrist and the four
    knuckles) or the index knuckle."""
    pts = np.asarray(hand.landmarks[:, :2], dtype=np.float64)
    if which == "index_knuckle":
        return pts[INDEX_KNUCKLE].copy()
    return pts[list(PALM_CENTRE)].mean(axis=0)


class AnchorFilter:
    """The anchor One Euro filtered, as (2,) frame fractions, and the one seen before it.

    ``last`` / ``last_t``: the latest filtered anchor and its timestamp (ms); the controller
    also uses ``last_t`` as the clock of its state, so :meth:`restart` keeps it."""

    def __init__(self, settings: PointerSettings) -> None:
        self._filter = OneEuroFilter(settings.min_cutoff_hz, settings.beta)
        self.last: np.ndarray | None = None
        self.last_t: float | None = None

    def restart(self, settings: PointerSettings) -> None:
        """A fresh filter (new settings) and no previous anchor."""
        self._filter = OneEuroFilter(settings.min_cutoff_hz, settings.beta)
        self.last = None

    def forget(self, settings: PointerSettings) -> None:
        """The hand is gone: a fresh filter, no previous anchor and no last time."""
        self.restart(settings)
        self.last_t = None

    def update(
        self, raw: np.ndarray, t: float, size: float, width: int, height: int
    ) -> tuple[np.ndarray, np.ndarray | None, float | None]:
        """Filter ``raw`` ((2,) frame pixels at ``t`` ms; ``size``: palm size in pixels, the
        filter's scale) in a ``width`` x ``height`` frame. Returns the new anchor (frame
        fractions) and the previous anchor and time (None when there is none)."""
        smooth = self._filter(raw, t, scale=size)
        anchor = np.array([smooth[0] / width, smooth[1] / height])
        prev, prev_t = self.last, self.last_t
        self.last, self.last_t = anchor, t
        return anchor, prev, prev_t


def pointer_target(
    settings: PointerSettings,
    desktop: Desktop,
    pos: tuple[float, float] | None,
    anchor: np.ndarray,
    prev_anchor: np.ndarray | None,
    prev_t: float | None,
    t: float,
) -> tuple[float, float] | None:
    """Where the hand wants the pointer (desktop pixels), or None for nowhere new.

    Absolute: the anchor (frame fractions) mapped from the active area onto the desktop.
    Relative: ``pos`` (where the pointer is) moved by the anchor's step since ``prev_anchor``
    at ``prev_t`` ms, with gain and speed-dependent acceleration; the desktop's middle when the
    pointer has not been placed yet."""
    s = settings
    if s.mapping == "absolute":
        return map_absolute(float(anchor[0]), float(anchor[1]), s.active_area, desktop, s.mirror)
    if prev_anchor is None or prev_t is None or pos is None or t <= prev_t:
        if pos is None:  # first sight of a hand in relative mode: start in the middle
            x0, y0, x1, y1 = desktop.bounds
            return desktop.clamp((x0 + x1) / 2, (y0 + y1) / 2)
        return None
    area = s.active_area
    d = (anchor - prev_anchor) / np.array([area.right - area.left, area.bottom - area.top])
    if s.mirror:
        d[0] = -d[0]
    speed = float(np.hypot(*d)) / ((t - prev_t) / 1000.0)  # active areas per second
    factor = s.relative_gain * (1.0 + s.relative_acceleration * speed)
    x0, y0, x1, y1 = desktop.bounds
    x = pos[0] + d[0] * (x1 - x0) * factor
    y = pos[1] + d[1] * (y1 - y0) * factor
    return desktop.clamp(x, y)


def snap_to_edges(
    desktop: Desktop, target: tuple[float, float], new: tuple[float, float]
) -> tuple[float, float]:
    """A target pinned to an edge of the desktop is reached exactly (the dead zone's trail
    would otherwise stop the pointer a pixel or two short of screen-edge buttons)."""
    x0, y0, x1, y1 = desktop.bounds
    x = target[0] if target[0] in (x0, x1) else new[0]
    y = target[1] if target[1] in (y0, y1) else new[1]
    return x, y


class Cursor:
    """Where the controller has put the pointer.

    ``pos``: desktop pixels as floats (None before the first move); ``last_set``: the last
    integer position sent in a ``move`` command (None when unknown, e.g. after a takeback)."""

    def __init__(self) -> None:
        self.pos: tuple[float, float] | None = None
        self.last_set: tuple[int, int] | None = None

    def send_move(self, pos: tuple[float, float]) -> list[PointerCommand]:
        """A ``move`` to ``pos`` rounded, unless the pointer was already sent there."""
        xi, yi = round(pos[0]), round(pos[1])
        if self.last_set == (xi, yi):
            return []
        self.last_set = (xi, yi)
        return [PointerCommand("move", x=xi, y=yi)]

    def put(self, at: tuple[float, float]) -> list[PointerCommand]:
        """Put the pointer exactly at ``at`` (no dead zone): a pinch's aim point or click."""
        if self.pos == at:
            return []
        self.pos = at
        return self.send_move(at)

    def move_towards(
        self, target: tuple[float, float], settings: PointerSettings, desktop: Desktop
    ) -> list[PointerCommand]:
        """Dead zone as a rope: the pointer moves only when the target is farther than the dead
        zone, and then to the rope's end, so a still hand's residual jitter never moves it
        while slow moves stay smooth (the pointer trails by at most the dead zone)."""
        dz = settings.dead_zone_px
        if self.pos is None:
            new = target
        elif settings.mapping == "relative":  # the hand's steps are already deltas
            if math.dist(target, self.pos) < dz * 0.25:
                return []
            new = target
        else:
            dx, dy = target[0] - self.pos[0], target[1] - self.pos[1]
            dist = math.hypot(dx, dy)
            k = max(0.0, dist - dz) / dist if dist > 0 else 0.0
            new = snap_to_edges(desktop, target, (self.pos[0] + dx * k, self.pos[1] + dy * k))
            if new == self.pos:
                return []
        self.pos = new
        return self.send_move(new)


class Takeback:
    """Manual takeback: while the physical mouse moves the pointer, the hand lets go.

    ``until``: when the hand may take the pointer back (ms, None when not taken back);
    ``seen``: the OS pointer position read last while taken back (desktop pixels)."""

    def __init__(self) -> None:
        self.until: float | None = None
        self.seen: tuple[float, float] | None = None

    def check(
        self,
        t: float,
        pointer: tuple[float, float],
        cursor: Cursor,
        settings: PointerSettings,
    ) -> bool:
        """True while the physical mouse has the pointer (moved by someone else than us).
        ``pointer``: the OS pointer position read at ``t`` ms; ``cursor``: where we put it."""
        s = settings
        if self.until is not None:
            seen = self.seen
            if seen is not None and math.dist(seen, pointer) > s.takeback_px:
                self.until = t + s.takeback_ms  # still moving: extend the pause
            self.seen = (float(pointer[0]), float(pointer[1]))
            if t < self.until:
                return True
            self.until = None
            cursor.last_set = None
            return False
        if (
            s.takeback_ms > 0
            and cursor.last_set is not None
            and math.dist(cursor.last_set, pointer) > s.takeback_px
        ):
            self.until = t + s.takeback_ms
            self.seen = (float(pointer[0]), float(pointer[1]))
            return True
        return False

    def left_ms(self, t: float | None) -> float:
        """Time until the hand takes the pointer back, at ``t`` ms (None counts as 0)."""
        if self.until is None or self.seen is None:
            return 0.0
        return max(0.0, self.until - (t or 0.0))
