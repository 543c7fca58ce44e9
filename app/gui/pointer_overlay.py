"""The pointer-mode feedback overlay: a small click-through, always-on-top, frameless window
that follows the pointer and shows what the hand will do before it happens.

Drawn from a :class:`pipeline.pointer.PointerState`: a ring whose colour is the mode (green
tracking, amber clutched, grey paused/takeback/no hand), the dwell progress as an arc around it,
and the pinch state in the middle (a dot that fills while a left pinch heads for a drag; "R"
right click, a double arrow while scrolling). GUI thread only.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen, QRegion
from PySide6.QtWidgets import QWidget

from pipeline.pointer import PointerState

SIZE = 72
OFFSET = QPoint(18, 18)  # below-right of the pointer, never under it (clicks pass through anyway)

MODE_COLOURS = {
    "tracking": QColor(46, 204, 113),
    "clutched": QColor(243, 156, 18),
    "takeback": QColor(149, 165, 166),
    "disarmed": QColor(149, 165, 166),
    "no_hand": QColor(149, 165, 166),
    "off": QColor(149, 165, 166),
}
MODE_LABELS = {
    "tracking": "",
    "clutched": "clutch",
    "takeback": "paused",
    "disarmed": "disarmed",
    "no_hand": "no hand",
    "off": "",
}
DWELL_COLOUR = QColor(52, 152, 219)
PINCH_COLOURS = {
    "left": QColor(231, 76, 60),
    "drag": QColor(192, 57, 43),
    "right": QColor(155, 89, 182),
    "scroll": QColor(52, 73, 94),
}


class PointerOverlay(QWidget):
    """Call :meth:`show_state` with each new state; it moves next to the pointer."""

    def __init__(self) -> None:
        super().__init__(
            None,
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool
            | Qt.WindowType.WindowTransparentForInput
            | Qt.WindowType.WindowDoesNotAcceptFocus,
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFixedSize(SIZE, SIZE)
        # round window: without a compositor (plain X11) the translucent corners would be black
        shape = QRegion(4, 4, SIZE - 8, SIZE - 8, QRegion.RegionType.Ellipse)
        self.setMask(shape.united(QRegion(0, SIZE - 18, SIZE, 18)))
        self.setWindowTitle("HandCue pointer")
        self.state = PointerState()

    def show_state(self, state: PointerState) -> None:
        """Redraw for ``state``; moves next to ``(state.x, state.y)`` (desktop pixels; Qt's
        logical pixels equal them at scale 1, which is where the overlay matters most)."""
        self.state = state
        if state.x is not None and state.y is not None:
            self.move(QPoint(round(state.x), round(state.y)) + OFFSET)
        if state.mode == "off":
            self.hide()
            return
        if not self.isVisible():
            self.show()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        s = self.state
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        ring = QRectF(8, 8, SIZE - 16, SIZE - 16)
        colour = MODE_COLOURS.get(s.mode, MODE_COLOURS["off"])
        # a faint disc so the ring reads on any background
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 255, 255, 150))
        p.drawEllipse(ring)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(colour, 4))
        if s.mode == "clutched":
            p.setPen(QPen(colour, 4, Qt.PenStyle.DashLine))
        p.drawEllipse(ring)
        if s.dwell_progress > 0:
            pen = QPen(DWELL_COLOUR, 5)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            outer = ring.adjusted(-4, -4, 4, 4)
            p.drawArc(outer, 90 * 16, -round(360 * 16 * s.dwell_progress))
        self._paint_pinch(p, ring)
        label = MODE_LABELS.get(s.mode, s.mode)
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

    def _paint_pinch(self, p: QPainter, ring: QRectF) -> None:
        s = self.state
        c = ring.center()
        if s.pinch == "none":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(60, 60, 60))
            p.drawEllipse(c, 3, 3)
            return
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
