"""Settings' Pointer page fits the dialog's width at every size (it scrolls down, never
sideways): its fields are sized to short texts, the active area is two by two, and long labels
go above their fields when the dialog is narrow."""

from __future__ import annotations

import pytest

from app.gui.settings_dialog import SettingsDialog


@pytest.mark.parametrize("size", [None, (1000, 620), (800, 600), (640, 480), (560, 700)])
def test_the_pointer_page_needs_no_horizontal_scroll_bar(make_ctx, qtbot, size):
    dialog = SettingsDialog(make_ctx(), providers=["auto"], tray_available=True)
    qtbot.addWidget(dialog)
    if size is not None:
        dialog.resize(*size)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.tabs.widget(dialog.tabs.count() - 1))
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Pointer"
    area = dialog.tabs.currentWidget()
    qtbot.waitUntil(lambda: area.viewport().width() > 0)
    assert dialog.pointer_page.minimumSizeHint().width() <= area.viewport().width()
    assert area.horizontalScrollBar().maximum() == 0
