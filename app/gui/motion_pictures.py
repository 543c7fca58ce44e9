"""Pictures of the movement gestures (swipes, drag, zoom, tap, circles) for the gesture gallery
and the guide: a real example pose (``resources/gestures/poses.json``) drawn by our skeleton
renderer, with the movement marked on it as arrows: an arrowed still, one square picture.

Pictures show the hand as the user sees it in the mirrored preview, so "left", "clockwise"
and so on in them are the user's own. Sizes: every mark is laid out in fractions of the
picture's side, so the 112 px gallery cards and the 64 px guide rows draw the same picture.
GUI thread only.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from app.gui.skeleton_icons import fit_points, skeleton_drawing
from pipeline.skeleton import FINGER_CHAINS, FINGER_TIPS

#: The colour of every movement mark (arrows, circles, "x2").
MARK = QColor(255, 209, 102)
# A dark rim under each mark keeps it apart from the thumb's yellow bones it crosses.
_RIM = QColor(15, 18, 22)

_SWIPES = {"swipe_left": (-1, 0), "swipe_right": (1, 0), "swipe_up": (0, -1),
           "swipe_down": (0, 1)}  # fmt: skip
Painter = Callable[[QPainter, dict[str, np.ndarray], float], None]
CircleArrow = tuple[QPainterPath, QPointF, QPointF]
#: Which way each circle turns on screen (True: clockwise), as the user sees it.
CIRCLES = {"circle_cw": True, "circle_ccw": False}
_THUMB_TIP, _INDEX_TIP = FINGER_TIPS["thumb"], FINGER_TIPS["index"]


def motion_picture(gesture: str, poses: dict[str, np.ndarray], size: int) -> QIcon | None:
    """The picture of the movement ``gesture`` (a name of ``DYNAMIC_GESTURES``) drawn from the
    example ``poses`` (gesture id -> ``(21, 2)`` points, unit box, y down); None for a name
    that is not a movement or when the pose it needs is missing."""
    painter = _PAINTERS.get(gesture)
    if painter is None:
        return None
    draw, needed = painter
    if any(name not in poses for name in needed):
        return None
    pix = _canvas(size)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    try:
        draw(p, poses, float(size))
    finally:
        p.end()
    return QIcon(pix)


# ----------------------------------------------------------------------------- drawing helpers


def _canvas(size: int) -> QPixmap:
    """An empty picture with the skeleton drawings' own background (read from one, so poses
    drawn smaller on it leave no visible box)."""
    pix = QPixmap(size, size)
    blank = skeleton_drawing(np.zeros((21, 2)), 32).pixmap(32, 32).toImage()
    pix.fill(blank.pixelColor(0, 0))
    return pix


def _pose(p: QPainter, xy: np.ndarray, left: float, top: float, side: float) -> np.ndarray:
    """Draw pose ``xy`` ``(21, 2)`` fitted into the square at (``left``, ``top``) of ``side``
    pixels; returns its 21 points in the picture's pixels (to place marks on fingertips)."""
    n = max(8, round(side))
    p.drawPixmap(QPointF(left, top), skeleton_drawing(xy, n).pixmap(n, n))
    return fit_points(xy, n) + np.array([left, top])


def _pens(size: float) -> tuple[QPen, QPen]:
    """The rim pen and the mark pen for a picture of ``size`` pixels (4 px marks at 112 px)."""
    width = max(2.0, size / 28)
    cap, join = Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    rim = QPen(_RIM, width + 3, Qt.PenStyle.SolidLine, cap, join)
    return rim, QPen(MARK, width, Qt.PenStyle.SolidLine, cap, join)


def _stroke(p: QPainter, path: QPainterPath, size: float, head: QPointF | None = None,
            heading: QPointF | None = None, head_len: float = 0.11) -> None:  # fmt: skip
    """Draw ``path`` as a mark; with an arrow head at ``head`` pointing along ``heading``,
    ``head_len`` of the picture's side long."""
    rim, pen = _pens(size)
    head_path = QPainterPath()
    if head is not None and heading is not None:
        length = math.hypot(heading.x(), heading.y()) or 1.0
        d = QPointF(heading.x() / length, heading.y() / length)
        side = QPointF(-d.y(), d.x()) * (size * head_len * 0.7)
        back = head - d * (size * head_len)
        head_path.moveTo(head)
        head_path.lineTo(back + side)
        head_path.lineTo(back - side)
        head_path.closeSubpath()
    p.setBrush(Qt.BrushStyle.NoBrush)
    for pen_now in (rim, pen):
        p.setPen(pen_now)
        p.drawPath(path)
        if not head_path.isEmpty():
            p.setBrush(pen_now.color())
            p.drawPath(head_path)
            p.setBrush(Qt.BrushStyle.NoBrush)


def _arrow(p: QPainter, tail: QPointF, tip: QPointF, size: float, head_len: float = 0.11) -> None:
    path = QPainterPath(tail)
    path.lineTo(tip)
    _stroke(p, path, size, tip, tip - tail, head_len)


def _point(xy: np.ndarray) -> QPointF:
    return QPointF(float(xy[0]), float(xy[1]))


def _text(p: QPainter, text: str, box: QRectF, size: float) -> None:
    font = p.font()
    font.setPixelSize(max(9, round(size * 0.16)))
    font.setBold(True)
    p.setFont(font)
    p.setPen(MARK)
    p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


# ----------------------------------------------------------------------------- the movements


def _swipe(direction: tuple[int, int]) -> Painter:
    """A swipe: the open hand with an arrow across it, in the direction the hand moves."""

    def draw(p: QPainter, poses: dict[str, np.ndarray], s: float) -> None:
        _pose(p, poses["open_palm"], 0, 0, s)
        c = QPointF(s / 2, s / 2)
        d = QPointF(direction[0], direction[1]) * (s * 0.36)
        _arrow(p, c - d, c + d, s)

    return draw


def _drag(p: QPainter, poses: dict[str, np.ndarray], s: float) -> None:
    """Drag: the closed hand (the grab), an arrow along the move, a small open hand (the
    drop) at its end."""
    _pose(p, poses["fist"], 0.0, 0.0, 0.6 * s)
    _pose(p, poses["open_palm"], 0.54 * s, 0.5 * s, 0.46 * s)
    path = QPainterPath(QPointF(0.22 * s, 0.64 * s))
    path.quadTo(QPointF(0.26 * s, 0.9 * s), QPointF(0.56 * s, 0.86 * s))
    _stroke(p, path, s, QPointF(0.56 * s, 0.86 * s), QPointF(1.0, -0.15))


def _spread_hand(poses: dict[str, np.ndarray]) -> np.ndarray:
    """Thumb and index out, the other fingers curled: the real "I love you" pose with its
    little finger curled like its (curled) ring finger, moved to the little finger's knuckle.
    No example photo shows this pose by itself."""
    xy = poses["i_love_you"].copy()
    ring, pinky = FINGER_CHAINS["ring"][1:], FINGER_CHAINS["pinky"][1:]
    xy[list(pinky)] = xy[list(ring)] + (xy[pinky[0]] - xy[ring[0]])
    return xy


def _zoom(outward: bool) -> Painter:
    """Zoom: thumb and index apart, two arrows between their tips: from the middle out to the
    tips (spreading, zoom in) or from the tips in to the middle (pinching, zoom out)."""

    def draw(p: QPainter, poses: dict[str, np.ndarray], s: float) -> None:
        pts = _pose(p, _spread_hand(poses), 0.0, 0.12 * s, 0.88 * s)
        thumb, index = _point(pts[_THUMB_TIP]), _point(pts[_INDEX_TIP])
        mid = (thumb + index) / 2
        for tip in (thumb, index):
            near = mid + (tip - mid) * 0.18  # a gap in the middle between the two arrows
            far = mid + (tip - mid) * 0.88
            if outward:
                _arrow(p, near, far, s, head_len=0.08)
            else:
                _arrow(p, far, near, s, head_len=0.08)
        sign = "+" if outward else "\N{MINUS SIGN}"
        _text(p, sign, QRectF(0.74 * s, 0.0, 0.26 * s, 0.26 * s), s * 1.4)

    return draw


def _taps(count: int) -> Painter:
    """Tap: the pointing hand with a down arrow and an up arrow beside the index tip (the
    flick down and back); a double tap adds "x2"."""

    def draw(p: QPainter, poses: dict[str, np.ndarray], s: float) -> None:
        pts = _pose(p, poses["pointing_up"], 0.0, 0.1 * s, 0.9 * s)
        tip = _point(pts[_INDEX_TIP])
        left, top, bottom = tip.x() + 0.16 * s, tip.y() - 0.02 * s, tip.y() + 0.26 * s
        _arrow(p, QPointF(left, top), QPointF(left, bottom), s)
        _arrow(p, QPointF(left + 0.14 * s, bottom), QPointF(left + 0.14 * s, top), s)
        if count > 1:
            # below the arrows, right of the palm
            _text(p, "\N{MULTIPLICATION SIGN}2", QRectF(0.66 * s, 0.56 * s, 0.34 * s, 0.22 * s),
                  s * 1.2)  # fmt: skip

    return draw


def circle_arrow(centre: QPointF, radius: float, *, clockwise: bool) -> CircleArrow:
    """A circular arrow around ``centre`` (picture pixels, y down) turning clockwise or
    counter-clockwise on screen: the arc from the bottom round most of the circle, its arrow
    head's point and the direction the head points."""
    box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
    # Qt's angles turn counter-clockwise on screen; start at the bottom, leave a gap.
    start, sweep = -90.0, -290.0 if clockwise else 290.0
    path = QPainterPath()
    path.arcMoveTo(box, start)
    path.arcTo(box, start, sweep)
    end = math.radians(start + sweep)
    turn = -1.0 if clockwise else 1.0  # the tangent at the end, in screen coordinates
    heading = QPointF(-math.sin(end) * turn, -math.cos(end) * turn)
    head = path.currentPosition() + heading * (radius * 0.2)
    return path, head, heading


def _circle(clockwise: bool) -> Painter:
    """Circle: the pointing hand with a circular arrow around the index tip, turning
    clockwise or counter-clockwise as the user sees it."""

    def draw(p: QPainter, poses: dict[str, np.ndarray], s: float) -> None:
        pts = _pose(p, poses["pointing_up"], 0.08 * s, 0.2 * s, 0.8 * s)
        path, head, heading = circle_arrow(_point(pts[_INDEX_TIP]), 0.2 * s, clockwise=clockwise)
        _stroke(p, path, s, head, heading)

    return draw


# Gesture -> how to draw it and the example poses it is drawn from.
_PAINTERS: dict[str, tuple[Painter, tuple[str, ...]]] = {
    **{g: (_swipe(d), ("open_palm",)) for g, d in _SWIPES.items()},
    "drag": (_drag, ("fist", "open_palm")),
    "zoom_in": (_zoom(outward=True), ("i_love_you",)),
    "zoom_out": (_zoom(outward=False), ("i_love_you",)),
    "tap": (_taps(1), ("pointing_up",)),
    "double_tap": (_taps(2), ("pointing_up",)),
    **{g: (_circle(clockwise=cw), ("pointing_up",)) for g, cw in CIRCLES.items()},
}
