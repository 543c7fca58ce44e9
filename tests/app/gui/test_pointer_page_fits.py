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


def test_the_two_mirror_settings_say_what_each_mirrors(make_window, make_ctx, qtbot):
    """The toolbar's mirror is the view's; the Pointer page's is how the pointer follows the
    hand. Both were called "Mirror(ed)" and could show opposite ticks."""
    window = make_window()
    dialog = SettingsDialog(make_ctx(), providers=["auto"], tray_available=True)
    qtbot.addWidget(dialog)
    view = window.mirror_box.text().replace("&", "")
    pointer = dialog.pointer_page.mirror.text()
    assert view == "Mirror view" and "view" in window.mirror_box.toolTip()
    assert pointer.startswith("Pointer moves as in a mirror")


def test_the_smoothing_slider_shows_its_value(make_ctx, qtbot):
    dialog = SettingsDialog(make_ctx(), providers=["auto"], tray_available=True)
    qtbot.addWidget(dialog)
    assert dialog.smoothing_value.text() == str(dialog.smoothing.value())
    dialog.smoothing.setValue(80)
    assert dialog.smoothing_value.text() == "80"
