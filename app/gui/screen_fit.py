"""Windows that fit the screen they open on, whatever its size and scale factor.

A window asks for a comfortable size (``resize(1280, 780)``); on a small screen, or with Qt's
scale factor at 2 (a 1600x1000 screen is then 800x500 logical pixels), that size is larger than
the screen and the window's buttons end up off-screen. :func:`fit_to_screen` gives the window the
wanted size or the screen's available area, whichever is smaller, and keeps it on the screen.
:func:`scroll_body` puts a dialog's content in a scroll area so that its buttons (kept outside
it) stay reachable when the dialog is shorter than its content. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

#: Share of the available screen a window may take at most (leaves room for its frame).
SCREEN_SHARE = 0.96


def available_geometry(widget: QWidget) -> QRect:
    """The available area (logical pixels) of the screen ``widget`` is on, or of the primary
    screen (or of its parent's) when it has not been shown yet."""
    screen = None
    parent = widget.parentWidget()
    if parent is not None:
        screen = parent.screen()
    if screen is None:
        screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(widget: QWidget, width: int, height: int) -> tuple[int, int]:
    """Resize ``widget`` to ``width`` x ``height`` logical pixels, or less so that it fits the
    screen; returns the size given. A minimum size larger than the screen is lowered too (the
    caller makes the content scroll, see :func:`scroll_body`)."""
    area = available_geometry(widget)
    max_w = max(200, int(area.width() * SCREEN_SHARE))
    max_h = max(150, int(area.height() * SCREEN_SHARE))
    min_size = widget.minimumSize()
    if min_size.width() > max_w or min_size.height() > max_h:
        widget.setMinimumSize(min(min_size.width(), max_w), min(min_size.height(), max_h))
    w, h = min(width, max_w), min(height, max_h)
    widget.resize(w, h)
    if widget.isWindow():
        x = area.x() + max(0, (area.width() - w) // 2)
        y = area.y() + max(0, (area.height() - h) // 2)
        widget.move(x, y)
        if widget.findChild(_FrameFitter) is None:
            widget.installEventFilter(_FrameFitter(widget))
    return w, h


def keep_frame_on_screen(widget: QWidget) -> None:
    """Once the window manager has framed ``widget`` (title bar, borders), shrink and move it
    so that the whole frame is inside the screen's available area: a client area sized to the
    screen plus a title bar put the status bar below the screen's edge (1024x640 under
    openbox)."""
    if not widget.isVisible():
        return
    area = available_geometry(widget)
    frame = widget.frameGeometry()
    extra_w = frame.width() - widget.width()
    extra_h = frame.height() - widget.height()
    w = min(widget.width(), area.width() - extra_w)
    h = min(widget.height(), area.height() - extra_h)
    if (w, h) != (widget.width(), widget.height()):
        widget.setMinimumSize(min(widget.minimumWidth(), w), min(widget.minimumHeight(), h))
        widget.resize(w, h)
    x = min(max(frame.x(), area.x()), area.right() + 1 - (w + extra_w))
    y = min(max(frame.y(), area.y()), area.bottom() + 1 - (h + extra_h))
    if (x, y) != (frame.x(), frame.y()):
        widget.move(x, y)


def _refit(widget: QWidget, shown: QSize) -> None:
    """:func:`keep_frame_on_screen`, unless the window was resized since it was shown (by the
    user, or the program): that size is left as it is."""
    if widget.size() == shown:
        keep_frame_on_screen(widget)


class _FrameFitter(QObject):
    """Runs :func:`keep_frame_on_screen` on a window shortly after it is shown (the frame
    exists only then, and some window managers add it a little later)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Show and isinstance(obj, QWidget):
            shown = obj.size()
            for delay in (0, 300, 1000, 2500):
                # With the window as the timer's context: no call once it is deleted.
                QTimer.singleShot(delay, obj, lambda w=obj, size=shown: _refit(w, size))
        return False


def scroll_body(body: QWidget) -> QScrollArea:
    """``body`` inside a frameless, resizable scroll area: scroll bars appear only when the
    window is smaller than the content."""
    area = QScrollArea()
    area.setWidget(body)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    # The controls inside take the focus (and the area scrolls to show the focused one).
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area
