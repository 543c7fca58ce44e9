"""Scrolling Settings with the mouse wheel does not change the fields it passes over: a spin
box, slider or list takes the wheel only when it has the keyboard focus."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDoubleSpinBox

from app.gui.settings_dialog import SettingsDialog


def _wheel(widget, steps: int = -3) -> None:
    """``steps`` notches of the wheel over the middle of ``widget`` (negative: towards you)."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
        QPoint(0, 120 * steps), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_the_wheel_changes_only_a_focused_field(make_window, qtbot):
    window = make_window()  # the app's window installs the guard for every form
    dialog = SettingsDialog(window.ctx, window, providers=["auto"], tray_available=True)
    qtbot.addWidget(dialog)
    dialog.show()
    spin = dialog.pointer_page.pinch_on
    assert isinstance(spin, QDoubleSpinBox)
    before = spin.value()
    _wheel(spin)
    assert spin.value() == before  # passed over while scrolling: unchanged
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=3000)
    _wheel(spin)
    assert spin.value() != before  # the field the user is editing takes the wheel


def test_the_wheel_over_an_unfocused_field_scrolls_the_form(make_window, qtbot):
    window = make_window()
    dialog = SettingsDialog(window.ctx, window, providers=["auto"], tray_available=True)
    qtbot.addWidget(dialog)
    dialog.resize(700, 360)  # small: the pointer page scrolls
    dialog.show()
    spin = dialog.pointer_page.pinch_on
    area = spin.parentWidget()
    while area is not None and not isinstance(area, QAbstractScrollArea):
        area = area.parentWidget()
    assert area is not None
    bar = area.verticalScrollBar()
    if bar.maximum() == 0:
        return  # everything fits at this size: nothing to scroll
    bar.setValue(0)
    _wheel(spin)
    assert bar.value() > 0
