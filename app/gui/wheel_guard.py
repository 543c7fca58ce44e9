"""The mouse wheel changes a field's value only when the field has the keyboard focus.

Scrolling a long form (Settings, the mapping editor) with the wheel used to change whatever spin
box, slider or list passed under the pointer ("Pinch opens at" 0.50 -> 0.05 while scrolling to
the next section). :class:`WheelGuard`, installed once on the application, passes a wheel event
over an unfocused field on to the scroll area around it (or drops it where there is none).
GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

_FIELDS = (QAbstractSpinBox, QComboBox, QAbstractSlider)


class WheelGuard(QObject):
    """Application-wide event filter; :func:`install_wheel_guard` adds it once."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.Wheel or not isinstance(obj, _FIELDS):
            return False
        if isinstance(obj, QScrollBar) or obj.hasFocus():
            return False  # a scroll bar scrolls; a focused field takes the wheel
        area = _scroll_area(obj)
        if area is not None:
            QCoreApplication.sendEvent(area.verticalScrollBar(), event)
        return True


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def install_wheel_guard(app: QApplication | None = None) -> WheelGuard | None:
    """Install the guard on ``app`` (the running application by default) once; returns it."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return None
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
