"""The pointer-mode feedback overlay: a small click-through, always-on-top, frameless window
that follows the pointer and shows what the hand will do before it happens.

Drawn from a :class:`pipeline.pointer.PointerState`: a ring whose colour is the mode (green
tracking, amber clutched, grey paused/disarmed/takeback/no hand), the dwell progress as a thick
arc on a track around it, and the pinch state in the middle (a dot that fills while a left
pinch heads for a drag; "R" right click, a double arrow while scrolling). A badge at the top
right shows the click chosen on the click palette when it is not a plain left click (R right,
2 double, D drag, S scroll: white when for the next click only, filled blue when sticky, red
while a drag holds the button, dark while scrolling), and the label says PAUSED while clicks
are paused by dwell or by a resting hand. GUI thread only.

The window's shape (a mask) is the ring, its label and, only while a pinch shows, a small
centre: everything else is not part of the window at all, so what lies under the middle of the
ring stays visible with or without a compositor (without one, a translucent window is opaque:
the old full disc hid the click target behind a grey plate).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPaintEvent, QPen, QRegion
from PySide6.QtWidgets import QWidget

from app.gui.toast import floating_flags
from pipeline.pointer import PointerState

SIZE = 72
# The see-through middle: the window's shape leaves out a disc this far in from its edge.
HOLE = 15
OFFSET = QPoint(18, 18)  # below-right of the pointer, never under it (clicks pass through anyway)

MODE_COLOURS = {
    "tracking": QColor(46, 204, 113),
    "clutched": QColor(243, 156, 18),
    "takeback": QColor(149, 165, 166),
    "disarmed": QColor(149, 165, 166),
    "paused": QColor(149, 165, 166),
    "no_hand": QColor(149, 165, 166),
    "off": QColor(149, 165, 166),
}
MODE_LABELS = {
    "tracking": "",
    "clutched": "clutch",
    "takeback": "paused",
    "disarmed": "disarmed",
    "paused": "paused",
    "no_hand": "no hand",
    "off": "",
}
DWELL_COLOUR = QColor(52, 152, 219)
BADGE_LETTERS = {"right": "R", "double": "2", "drag": "D", "scroll": "S"}
BADGE_R = 11
BADGE_CENTRE = (SIZE - BADGE_R - 1, BADGE_R + 1)
PINCH_COLOURS = {
    "left": QColor(231, 76, 60),
    "drag": QColor(192, 57, 43),
    "right": QColor(155, 89, 182),
    "scroll": QColor(52, 73, 94),
}


class PointerOverlay(QWidget):
    """Call :meth:`show_state` with each new state; it moves next to the pointer."""

    def __init__(self) -> None:
        # On X11 unmanaged, like the note and the click palette: a managed ring would stay
        # under the palette (and under fullscreen windows) whatever it asks for.
        super().__init__(None, floating_flags(QGuiApplication.platformName()))
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFixedSize(SIZE, SIZE)
        self.setWindowTitle("HandCue pointer")
        self.state = PointerState()
        self._shape: tuple[bool, bool, bool] | None = None
        self._apply_shape()

    def _apply_shape(self) -> None:
        """The window is the ring band (with the dwell track), plus the label strip when there
        is a label and the centre when a pinch shows (see the module docstring)."""
        s = self.state
        label = bool(_label(s))
        centre = s.pinch != "none"
        badge = bool(_badge(s))
        if self._shape == (label, centre, badge):
            return
        self._shape = (label, centre, badge)
        outer = QRegion(1, 1, SIZE - 2, SIZE - 2, QRegion.RegionType.Ellipse)
        hole = QRegion(HOLE, HOLE, SIZE - 2 * HOLE, SIZE - 2 * HOLE, QRegion.RegionType.Ellipse)
        shape = outer.subtracted(hole)
        if centre:
            c = SIZE // 2
            shape = shape.united(QRegion(c - 16, c - 16, 32, 32, QRegion.RegionType.Ellipse))
        if label:
            shape = shape.united(QRegion(0, SIZE - 18, SIZE, 18))
        if badge:
            bx, by = BADGE_CENTRE
            r = BADGE_R + 1
            shape = shape.united(QRegion(bx - r, by - r, 2 * r, 2 * r, QRegion.RegionType.Ellipse))
        self.setMask(shape)

    def show_state(self, state: PointerState) -> None:
        """Redraw for ``state``; moves next to ``(state.x, state.y)`` (desktop pixels; Qt's
        logical pixels equal them at scale 1, which is where the overlay matters most)."""
        self.state = state
        if state.x is not None and state.y is not None:
            self.move(QPoint(round(state.x), round(state.y)) + OFFSET)
        if state.mode == "off":
            self.hide()
            return
        self._apply_shape()
        if not self.isVisible():
            self.show()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        s = self.state
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        ring = QRectF(8, 8, SIZE - 16, SIZE - 16)
        colour = MODE_COLOURS.get(s.mode, MODE_COLOURS["off"])
        # A dark band under the ring so it reads on any background (only the band is window).
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor(20, 20, 20, 200), 10))
        p.drawEllipse(ring)
        p.setPen(
            QPen(colour, 4, Qt.PenStyle.DashLine if s.mode == "clutched" else Qt.PenStyle.SolidLine)
        )
        p.drawEllipse(ring)
        if s.dwell_progress > 0:
            # The dwell click: a thick white arc filling clockwise from the top over the band.
            outer = ring.adjusted(-4, -4, 4, 4)
            p.setPen(QPen(QColor(255, 255, 255), 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            p.drawArc(outer, 90 * 16, -round(360 * 16 * s.dwell_progress))
            p.setPen(QPen(DWELL_COLOUR, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            p.drawArc(outer, 90 * 16, -round(360 * 16 * s.dwell_progress))
        self._paint_pinch(p, ring)
        self._paint_badge(p)
        label = _label(s)
        if label:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(255, 255, 255, 220))
            p.drawRoundedRect(QRectF(4, SIZE - 17, SIZE - 8, 15), 6, 6)
            p.setPen(QColor(30, 30, 30))
            font = QFont(self.font())
            font.setPointSizeF(7.0)
            font.setBold(True)
            p.setFont(font)
            p.drawText(QRectF(0, SIZE - 16, SIZE, 14), Qt.AlignmentFlag.AlignCenter, label)
        p.end()

    def _paint_badge(self, p: QPainter) -> None:
        s = self.state
        letter = _badge(s)
        if not letter:
            return
        if s.click_step == "dragging":
            fill, ink = PINCH_COLOURS["drag"], QColor(255, 255, 255)
        elif s.click_step == "scrolling":
            fill, ink = PINCH_COLOURS["scroll"], QColor(255, 255, 255)
        elif s.sticky:
            fill, ink = DWELL_COLOUR, QColor(255, 255, 255)
        else:
            fill, ink = QColor(255, 255, 255), DWELL_COLOUR.darker(130)
        bx, by = BADGE_CENTRE
        p.setPen(QPen(QColor(20, 20, 20), 1.5))
        p.setBrush(fill)
        p.drawEllipse(QPointF(bx, by), BADGE_R - 0.5, BADGE_R - 0.5)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(13)
        p.setFont(font)
        p.setPen(ink)
        box = QRectF(bx - BADGE_R, by - BADGE_R, 2 * BADGE_R, 2 * BADGE_R)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, letter)

    def _paint_pinch(self, p: QPainter, ring: QRectF) -> None:
        s = self.state
        c = ring.center()
        if s.pinch == "none":
            return  # the middle is not part of the window: the target shows through
        colour = PINCH_COLOURS.get(s.pinch, QColor(60, 60, 60))
        if s.pinch == "left":
            # the drag timer: the dot grows towards a full disc when a drag starts
            radius = 5 + 9 * s.drag_progress
            p.setPen(QPen(colour, 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, 14, 14)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawEllipse(c, radius, radius)
        elif s.pinch == "drag":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawEllipse(c, 14, 14)
        elif s.pinch == "right":
            p.setPen(QPen(colour, 2))
            font = QFont(self.font())
            font.setBold(True)
            font.setPointSizeF(11.0)
            p.setFont(font)
            p.drawText(ring, Qt.AlignmentFlag.AlignCenter, "R")
        elif s.pinch == "scroll":
            p.setPen(QPen(colour, 3))
            for sign in (-1, 1):
                tip = c.y() + sign * 12
                p.drawLine(round(c.x()), round(c.y()), round(c.x()), round(tip))
                for side in (-1, 1):
                    p.drawLine(
                        round(c.x()),
                        round(tip),
                        round(c.x() + side * 5),
                        round(tip - sign * 5 * math.cos(0)),
                    )


def _label(s: PointerState) -> str:
    """The text under the ring: PAUSED while clicks are paused (the pointer still moves),
    else the mode's label."""
    if s.clicks_paused and s.mode in ("tracking", "clutched", "no_hand"):
        return "PAUSED"
    return MODE_LABELS.get(s.mode, s.mode)


def _badge(s: PointerState) -> str:
    """The badge's letter for the palette's click type ("" for a plain left click)."""
    if s.clicks_paused or s.mode == "off":
        return ""
    if s.click_step == "dragging":
        return "D"
    if s.click_step == "scrolling":
        return "S"
    return BADGE_LETTERS.get(s.click_type, "")
