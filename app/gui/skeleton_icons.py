"""Small skeleton drawings of hands and of saved gesture samples (the recorder's thumbnails, the
gesture gallery's pictures), and the icon list the recorder shows thumbnails in. GUI thread."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QListView, QListWidget

from pipeline.skeleton import BONES, FINGER_COLOURS
from pipeline.types import Hand

THUMB = 88


def skeleton_icon(hand: Hand, size: int = THUMB, *, mirrored: bool = False) -> QIcon:
    """A small drawing of the hand's 2D skeleton, fitted into a ``size`` square (mirrored
    like the preview when ``mirrored``). GUI thread."""
    xy = hand.landmarks[:, :2].astype(np.float64)  # image pixels, y down
    if mirrored:
        xy[:, 0] = -xy[:, 0]
    return _skeleton_drawing(xy, size, min_extent=1.0)


def sample_icon(sample: np.ndarray, size: int = THUMB, *, mirrored: bool = False) -> QIcon:
    """A small drawing of a saved sample: ``sample`` is the ``(21, 3)`` canonical pose of
    :func:`pipeline.gestures.templates.sample_from_hand` (palm units, x towards the thumb side,
    y towards the fingers), drawn in the palm plane, fingers up, thumb side on the left (on the
    right when ``mirrored``, like the preview). A sample does not keep which hand it was or
    which side faced the camera, so some thumbnails are the mirror image of what the camera
    saw. GUI thread."""
    pts = np.asarray(sample, dtype=np.float64)
    if pts.shape != (21, 3):
        raise ValueError(f"a saved sample is (21, 3) points, got shape {pts.shape}")
    # Thumb side (+x) to the left, fingers (+y) up, and up is -y on screen.
    xy = np.stack([-pts[:, 0], -pts[:, 1]], axis=1)
    if mirrored:
        xy[:, 0] = -xy[:, 0]
    return _skeleton_drawing(xy, size, min_extent=1e-6)


def skeleton_drawing(xy: np.ndarray, size: int = THUMB) -> QIcon:
    """Our skeleton renderer for any ``(21, 2)`` points (any unit, y down) fitted into a
    ``size`` square (the gesture gallery draws real example poses with it). GUI thread."""
    return _skeleton_drawing(np.asarray(xy, dtype=np.float64)[:, :2], size, min_extent=1e-6)


#: The palm's outline: wrist, then the base of each finger from the thumb to the little finger.
PALM_OUTLINE = (0, 1, 5, 9, 13, 17)
TIPS = (4, 8, 12, 16, 20)
BACKGROUND = QColor(15, 18, 22)


def fit_points(xy: np.ndarray, size: int, *, min_extent: float = 1e-6) -> np.ndarray:
    """Where the drawings put ``xy`` ``(21, 2)`` in a ``size`` square: centred, the larger
    extent filling the square but a margin (an extent below ``min_extent`` is not magnified
    further). Marks drawn over a picture are placed with it."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    margin = max(6.0, size * 0.06)
    scale = (size - 2 * margin) / max(float((hi - lo).max()), min_extent)
    return (xy - (lo + hi) / 2) * scale + size / 2


def _skeleton_drawing(xy: np.ndarray, size: int, *, min_extent: float) -> QIcon:
    """Bones and joints of ``xy`` ``(21, 2)`` (any unit, y down), fitted into a ``size``
    square; an extent below ``min_extent`` is not magnified further.

    Drawn to be read at a glance: a lightly filled palm (which way the hand faces and where the
    fingers start), bones as thick as the picture allows, fingertips as larger dots in their
    finger's colour (a folded finger's tip shows inside the palm)."""
    pix = QPixmap(size, size)
    pix.fill(BACKGROUND)
    pts = fit_points(xy, size, min_extent=min_extent)
    bone = max(2.0, size / 40)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 255, 255, 46))
    p.drawPolygon(QPolygonF([QPointF(*pts[i]) for i in PALM_OUTLINE]))
    for a, b, finger in BONES:
        pen = QPen(QColor(*FINGER_COLOURS[finger]), bone)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.drawLine(QPointF(*pts[a]), QPointF(*pts[b]))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(240, 240, 240))
    for i, (x, y) in enumerate(pts):
        if i not in TIPS:
            p.drawEllipse(QPointF(x, y), bone * 0.8, bone * 0.8)
    tip_colour = {b: finger for _, b, finger in BONES}
    p.setPen(QPen(QColor(240, 240, 240), 1.0))
    for i in TIPS:
        p.setBrush(QColor(*FINGER_COLOURS[tip_colour[i]]))
        p.drawEllipse(QPointF(*pts[i]), bone * 1.6, bone * 1.6)
    p.end()
    return QIcon(pix)


def thumbnail_list() -> QListWidget:
    """An empty list that shows ``THUMB``-sized icons in rows that wrap with its width, several
    selectable at once (Ctrl- or Shift-click). GUI thread."""
    view = QListWidget()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setIconSize(QSize(THUMB, THUMB))
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
    return view
