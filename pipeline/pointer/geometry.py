"""Desktop geometry for pointer mode: the screens, the virtual desktop around them, and the
mapping from the camera's active area onto it.

Coordinates: *desktop pixels* are the ones the OS pointer uses (X11 root window pixels, Windows
virtual-screen pixels; they can be negative left of or above the primary screen). *Frame
fractions* are positions in the unmirrored camera image divided by its width/height.
Everything here is pure and thread-agnostic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.pointer.settings import ActiveArea


@dataclass(frozen=True)
class ScreenRect:
    """One monitor in desktop pixels: top-left ``(x, y)`` and size; ``scale`` is its device
    pixel ratio (informational once the rect is in desktop pixels)."""

    x: int
    y: int
    width: int
    height: int
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"screen size must be positive, got {self.width}x{self.height}")

    @property
    def right(self) -> int:
        """Last pixel column inside the screen."""
        return self.x + self.width - 1

    @property
    def bottom(self) -> int:
        return self.y + self.height - 1

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.right and self.y <= y <= self.bottom

    def nearest(self, x: float, y: float) -> tuple[float, float]:
        """The point of this screen closest to ``(x, y)``."""
        return min(max(x, self.x), self.right), min(max(y, self.y), self.bottom)


def screens_from_logical(
    entries: Iterable[tuple[int, int, int, int, float]], *, native_origin: bool = True
) -> list[ScreenRect]:
    """Screens as a GUI toolkit reports them -> desktop pixels.

    ``entries``: ``(x, y, width, height, device_pixel_ratio)`` per screen, size in logical
    (device-independent) pixels. Qt on X11 and Windows keeps each screen's top-left in native
    pixels and divides only its size by the ratio, so the native size is ``size * ratio`` at the
    same origin (``native_origin=True``). On macOS the OS pointer itself works in points, so
    there pass ``native_origin=False`` and ratios are ignored.
    """
    screens = []
    for x, y, w, h, ratio in entries:
        factor = ratio if native_origin else 1.0
        screens.append(
            ScreenRect(int(x), int(y), round(w * factor), round(h * factor), float(ratio))
        )
    if not screens:
        raise ValueError("no screens: the desktop geometry is empty")
    return screens


@dataclass(frozen=True)
class Desktop:
    """All monitors. ``bounds`` is the bounding box ``(x0, y0, x1, y1)`` (last pixels inside);
    points in the box but on no monitor (the gaps of an uneven layout) are moved to the nearest
    monitor by :meth:`clamp`."""

    screens: tuple[ScreenRect, ...]

    def __post_init__(self) -> None:
        if not self.screens:
            raise ValueError("a desktop needs at least one screen")
        object.__setattr__(self, "screens", tuple(self.screens))

    @classmethod
    def single(cls, width: int, height: int, x: int = 0, y: int = 0) -> Desktop:
        return cls((ScreenRect(x, y, width, height),))

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        return (
            min(s.x for s in self.screens),
            min(s.y for s in self.screens),
            max(s.right for s in self.screens),
            max(s.bottom for s in self.screens),
        )

    def clamp(self, x: float, y: float) -> tuple[float, float]:
        """``(x, y)`` if it is on a monitor, else the closest point of the closest monitor."""
        best: tuple[float, float] | None = None
        best_d = float("inf")
        for screen in self.screens:
            if screen.contains(x, y):
                return x, y
            nx, ny = screen.nearest(x, y)
            d = (nx - x) ** 2 + (ny - y) ** 2
            if d < best_d:
                best, best_d = (nx, ny), d
        assert best is not None
        return best


def map_absolute(
    u: float, v: float, area: ActiveArea, desktop: Desktop, mirror: bool
) -> tuple[float, float]:
    """Frame fractions ``(u, v)`` of the anchor -> desktop pixels (floats).

    The active area is stretched over the desktop's bounding box; points outside it pin to the
    edges so the far edges are reachable without leaving the camera view. ``mirror`` flips x
    (a webcam faces the user, whose right is the image's left).
    """
    fu = (u - area.left) / (area.right - area.left)
    fv = (v - area.top) / (area.bottom - area.top)
    fu = min(max(fu, 0.0), 1.0)
    fv = min(max(fv, 0.0), 1.0)
    if mirror:
        fu = 1.0 - fu
    x0, y0, x1, y1 = desktop.bounds
    return desktop.clamp(x0 + fu * (x1 - x0), y0 + fv * (y1 - y0))


def area_from_corners(points: Sequence[tuple[float, float]], margin: float = 0.0) -> ActiveArea:
    """Corner calibration ("show me the corners"): the anchor's frame fractions at the corners the user
    reached -> the active area around them, shrunk by ``margin`` (fraction of its size) so the
    edges are reached without stretching. Raises ValueError if the points span too little."""
    if len(points) < 2:
        raise ValueError("calibration needs at least two corner positions")
    us = [p[0] for p in points]
    vs = [p[1] for p in points]
    left, right, top, bottom = min(us), max(us), min(vs), max(vs)
    dx, dy = (right - left) * margin, (bottom - top) * margin
    return ActiveArea(
        left=max(0.0, left + dx),
        right=min(1.0, right - dx),
        top=max(0.0, top + dy),
        bottom=min(1.0, bottom - dy),
    )
