"""Pointer mode's click palette: a small floating column of buttons (left, right, double, drag,
scroll, pause) that a hand-pointer user dwells on to choose what the next click does.

The palette is only a view. The choosing is pointer mode's own (:mod:`pipeline.pointer.click_types`):
the palette hands its buttons' rectangles in desktop pixels to the pointer hook
(:meth:`pipeline.pointer.hook.PointerHook.set_palette`, through ``layout_changed``), the tracking
thread hit-tests the pointer against them, so a dwell or pinch on a button chooses and never
sends an OS click, and each frame's :class:`pipeline.pointer.PointerState` comes back to
:meth:`ClickPalette.show_state` (what is chosen, sticky, paused, the button under the pointer
and its dwell progress). The real mouse may click the buttons too (``chosen``), e.g. a helper
setting things up.

The window never takes the focus (``Tool``, ``WindowDoesNotAcceptFocus``,
``WA_ShowWithoutActivating``) and stays on top; on X11 it bypasses the window manager like the
on-screen note (:func:`app.gui.toast.floating_flags`), since window managers keep fullscreen
windows above "stay on top" ones, and it is raised again now and then. Its grip at the top moves
it (a real mouse drag, or a dwell drag: choose drag, dwell on the grip, move, dwell again);
``moved`` reports where it was dropped so the app can remember it. GUI thread only.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QScreen,
)
from PySide6.QtWidgets import QWidget

from app.gui.toast import floating_flags
from pipeline.pointer import PointerState
from pipeline.pointer.click_types import PALETTE_BUTTONS, PaletteLayout

GRIP = 22  # height of the grip strip at the top
GAP = 4  # between buttons and around them
RAISE_EVERY_S = 2.0

TITLES = {
    "left": "Left",
    "right": "Right",
    "double": "Double",
    "drag": "Drag",
    "scroll": "Scroll",
    "pause": "Pause",
}
BUTTON_BG = QColor(38, 42, 48, 235)
CHOSEN_BG = QColor(41, 128, 185)
STICKY_EDGE = QColor(255, 255, 255)
PAUSED_BG = QColor(211, 84, 0)
HOVER_EDGE = QColor(241, 196, 15)
PROGRESS = QColor(241, 196, 15)
TEXT = QColor(245, 245, 245)


def palette_flags(platform: str) -> Qt.WindowType:
    """The palette's window flags on the Qt ``platform``: a floating window that takes the
    real mouse (see the module docstring)."""
    return floating_flags(platform, click_through=False)


def logical_to_native(
    rect: QRect, screens: list[QScreen] | None = None
) -> tuple[float, float, float, float]:
    """A rectangle in Qt's logical desktop coordinates -> (x, y, w, h) in OS pointer pixels
    (the inverse of :func:`app.gui.pointer_mode.native_to_logical`; they differ on scaled
    screens except on macOS)."""
    if sys.platform == "darwin":
        return (rect.x(), rect.y(), rect.width(), rect.height())
    screens = QGuiApplication.screens() if screens is None else screens
    centre = rect.center()
    for screen in screens:
        g, ratio = screen.geometry(), screen.devicePixelRatio()
        if g.contains(centre):
            return (
                g.x() + (rect.x() - g.x()) * ratio,
                g.y() + (rect.y() - g.y()) * ratio,
                rect.width() * ratio,
                rect.height() * ratio,
            )
    return (rect.x(), rect.y(), rect.width(), rect.height())


class ClickPalette(QWidget):
    """Signals: ``chosen(str)`` a button clicked with the real mouse; ``moved(QPoint)`` the
    palette dropped at a new top-left corner (logical pixels); ``layout_changed(object)`` the
    buttons' :class:`PaletteLayout` in desktop pixels (empty while hidden)."""

    chosen = Signal(str)
    moved = Signal(QPoint)
    layout_changed = Signal(object)

    def __init__(self, button_px: int = 64) -> None:
        super().__init__(None, palette_flags(QGuiApplication.platformName()))
        self.setObjectName("clickPalette")
        self.setWindowTitle("HandCue click palette")
        self.setAccessibleName("HandCue click palette")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMouseTracking(True)
        self.state = PointerState()
        self.button_px = 0
        self._grab: QPoint | None = None  # where the grip was taken (offset in the window)
        self._pressed: str | None = None
        self._raised_at = 0.0
        self.set_button_px(button_px)

    # ------------------------------------------------------------------ geometry
    def set_button_px(self, px: int) -> None:
        """Buttons ``px`` logical pixels square (the precision rule:
        :func:`pipeline.pointer.click_types.palette_button_px`)."""
        px = int(px)
        if px == self.button_px:
            return
        self.button_px = px
        n = len(PALETTE_BUTTONS)
        self.setFixedSize(px + 2 * GAP, GRIP + n * (px + GAP) + GAP)
        self._publish()
        self.update()

    def button_rects(self) -> dict[str, QRect]:
        """Each button's rectangle in the window (logical pixels)."""
        px = self.button_px
        return {
            name: QRect(GAP, GRIP + i * (px + GAP), px, px)
            for i, name in enumerate(PALETTE_BUTTONS)
        }

    def grip_rect(self) -> QRect:
        return QRect(0, 0, self.width(), GRIP)

    def desktop_layout(self) -> PaletteLayout:
        """The buttons in desktop pixels (OS pointer coordinates), empty while hidden."""
        if not self.isVisible():
            return PaletteLayout()
        origin = self.geometry().topLeft()
        return PaletteLayout.from_rects(
            {n: logical_to_native(r.translated(origin)) for n, r in self.button_rects().items()}
        )

    def place(self, at: QPoint | None) -> None:
        """Put the palette's top-left corner at ``at`` (logical) if the palette is then fully
        on a screen, else at the default place: the left edge of the primary screen, halfway
        down."""
        if at is not None:
            box = QRect(at, self.size())
            for screen in QGuiApplication.screens():
                if screen.availableGeometry().contains(box):
                    self.move(at)
                    return
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)
        y = area.top() + max(0, (area.height() - self.height()) // 2)
        self.move(QPoint(area.left() + 12, y))

    def _publish(self) -> None:
        self.layout_changed.emit(self.desktop_layout())

    def moveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().moveEvent(event)
        self._publish()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._publish()

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self.layout_changed.emit(PaletteLayout())

    # ------------------------------------------------------------------ state
    def show_state(self, state: PointerState) -> bool:
        """What pointer mode is doing (each delivered frame): redraw the choice, the pause and
        the button under the pointer; raise the palette now and then (see the module
        docstring). True when it was raised: the caller raises the pointer's ring after it,
        which must never hide under the palette."""
        changed = (
            state.click_type,
            state.sticky,
            state.clicks_paused,
            state.palette_button,
            round(state.dwell_progress, 2) if state.palette_button else 0.0,
        ) != (
            self.state.click_type,
            self.state.sticky,
            self.state.clicks_paused,
            self.state.palette_button,
            round(self.state.dwell_progress, 2) if self.state.palette_button else 0.0,
        )
        self.state = state
        now = time.monotonic()
        raised = self.isVisible() and now - self._raised_at > RAISE_EVERY_S
        if raised:
            self._raised_at = now
            self.raise_()
        if changed:
            self.update()
        return raised

    # ------------------------------------------------------------------ the real mouse
    def _button_at(self, pos: QPoint) -> str | None:
        for name, rect in self.button_rects().items():
            if rect.contains(pos):
                return name
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position().toPoint()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self._button_at(pos) is None:  # the grip (or the frame around the buttons)
            self._grab = pos
        else:
            self._pressed = self._button_at(pos)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._grab is not None:
            self.move(event.globalPosition().toPoint() - self._grab)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._grab is not None:
            self._grab = None
            self.moved.emit(self.pos())
            return
        pressed, self._pressed = self._pressed, None
        if pressed is not None and pressed == self._button_at(event.position().toPoint()):
            self.chosen.emit(pressed)

    # ------------------------------------------------------------------ drawing
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(20, 22, 26, 225))
        p.drawRoundedRect(QRectF(self.rect()), 8, 8)
        self._paint_grip(p)
        for name, rect in self.button_rects().items():
            self._paint_button(p, name, QRectF(rect))
        p.end()

    def _paint_grip(self, p: QPainter) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(200, 200, 200))
        cx = self.width() / 2
        for row in (8, 14):
            for k in range(-2, 3):
                p.drawEllipse(QPointF(cx + k * 6, row), 1.6, 1.6)

    def _paint_button(self, p: QPainter, name: str, r: QRectF) -> None:
        s = self.state
        paused = bool(s.clicks_paused)
        chosen = name == s.click_type and name != "pause"
        bg = BUTTON_BG
        if name == "pause" and paused:
            bg = PAUSED_BG
        elif chosen and not paused:
            bg = CHOSEN_BG
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(bg)
        p.drawRoundedRect(r, 7, 7)
        if chosen and s.sticky and not paused:  # kept: a white edge and a pin dot
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(STICKY_EDGE, 3))
            p.drawRoundedRect(r.adjusted(2, 2, -2, -2), 6, 6)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(STICKY_EDGE)
            p.drawEllipse(QPointF(r.right() - 9, r.top() + 9), 3.5, 3.5)
        if s.palette_button == name:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(HOVER_EDGE, 2))
            p.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), 7, 7)
            if s.dwell_progress > 0:  # the dwell filling along the bottom
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(PROGRESS)
                w = (r.width() - 8) * min(1.0, s.dwell_progress)
                p.drawRoundedRect(QRectF(r.left() + 4, r.bottom() - 7, w, 4), 2, 2)
        dim = paused and name != "pause"
        ink = QColor(TEXT)
        if dim:
            ink.setAlpha(110)
        icon = QRectF(r.left(), r.top() + r.height() * 0.1, r.width(), r.height() * 0.55)
        _paint_icon(p, "resume" if name == "pause" and paused else name, icon, ink)
        font = QFont(self.font())
        font.setPixelSize(max(9, min(14, round(r.width() * 0.2))))
        font.setBold(True)
        p.setFont(font)
        p.setPen(ink)
        title = "Resume" if name == "pause" and paused else TITLES[name]
        label = QRectF(r.left(), r.top() + r.height() * 0.62, r.width(), r.height() * 0.3)
        p.drawText(label, Qt.AlignmentFlag.AlignCenter, title)


def _paint_icon(p: QPainter, name: str, r: QRectF, ink: QColor) -> None:
    """A small picture of ``name`` in ``r`` (drawn, so it needs no icon font)."""
    c = r.center()
    k = min(r.width(), r.height())
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(ink, max(1.5, k * 0.06)))
    if name in ("left", "right", "double"):
        w, h = k * 0.42, k * 0.62
        if name == "double":
            c = QPointF(c.x() - k * 0.08, c.y())
        body = QRectF(c.x() - w / 2, c.y() - h / 2, w, h)
        p.drawRoundedRect(body, w / 2, w / 2)
        half = QPainterPath()
        top = QRectF(body.left(), body.top(), w, h * 0.42)
        if name == "right":
            half.addRect(QRectF(top.center().x(), top.top(), w / 2, top.height()))
        else:
            half.addRect(QRectF(top.left(), top.top(), w / 2, top.height()))
        rounded = QPainterPath()
        rounded.addRoundedRect(body, w / 2, w / 2)
        p.setBrush(ink)
        p.drawPath(half.intersected(rounded))
        p.drawLine(QPointF(c.x(), body.top()), QPointF(c.x(), top.bottom()))
        if name == "double":
            font = QFont(p.font())
            font.setPixelSize(max(8, round(k * 0.32)))
            font.setBold(True)
            p.setFont(font)
            p.drawText(QRectF(body.right(), c.y() - k * 0.2, k * 0.4, k * 0.4),
                       Qt.AlignmentFlag.AlignCenter, "2")  # fmt: skip
    elif name == "drag":
        a = k * 0.34
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            tip = QPointF(c.x() + dx * a, c.y() + dy * a)
            p.drawLine(c, tip)
            side = QPointF(-dy, dx) * (a * 0.3)
            back = QPointF(c.x() + dx * a * 0.65, c.y() + dy * a * 0.65)
            p.drawLine(tip, back + side)
            p.drawLine(tip, back - side)
    elif name == "scroll":
        a = k * 0.36
        for sign in (-1, 1):
            tip = QPointF(c.x(), c.y() + sign * a)
            p.drawLine(c, tip)
            p.drawLine(tip, QPointF(c.x() - a * 0.4, tip.y() - sign * a * 0.4))
            p.drawLine(tip, QPointF(c.x() + a * 0.4, tip.y() - sign * a * 0.4))
    elif name == "pause":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        w, h = k * 0.14, k * 0.5
        for dx in (-1, 1):
            p.drawRect(QRectF(c.x() + dx * k * 0.12 - w / 2, c.y() - h / 2, w, h))
    elif name == "resume":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        h = k * 0.5
        p.drawPolygon(
            QPolygonF(
                [
                    QPointF(c.x() - h * 0.35, c.y() - h / 2),
                    QPointF(c.x() - h * 0.35, c.y() + h / 2),
                    QPointF(c.x() + h * 0.5, c.y()),
                ]
            )
        )
