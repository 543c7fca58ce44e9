"""Tray menu actions (the menu exists even where no tray is available, as offscreen)."""

from __future__ import annotations

import pytest

from app.gui.tray import TrayController


@pytest.fixture
def tray(make_window):
    window = make_window()
    window.show()
    return TrayController(window, force_available=False)


def test_tray_arm_and_pause(tray):
    window = tray.window
    assert not tray.arm_action.isChecked()
    tray.arm_action.trigger()
    assert window.ctx.engine.armed and window.arm_state == "armed"
    tray.pause_action.trigger()
    assert window.ctx.engine.paused and window.arm_state == "paused"
    tray.pause_action.trigger()
    assert not window.ctx.engine.paused
    window.arm_button.click()  # disarm from the window: the tray follows
    assert not tray.arm_action.isChecked()


def test_tray_switches_profile(tray):
    action = tray.profile_action("media")
    assert action is not None
    action.trigger()
    assert tray.window.profile_combo.currentText() == "media"
    assert tray.profile_action("media").isChecked()
    assert not tray.profile_action("slides").isChecked()


def test_tray_show_hide(tray):
    window = tray.window
    assert window.isVisible()
    tray.show_action.trigger()
    assert not window.isVisible()
    assert tray.show_action.text() == "Show window"
    tray.show_action.trigger()
    assert window.isVisible()


def test_without_tray_closing_really_closes(tray):
    assert not tray.available
    assert not tray.window.close_to_tray


def test_close_to_tray_hides_instead(make_window):
    window = make_window()
    window.show()
    window.close_to_tray = True
    window.close()
    assert not window.isVisible()
    assert window.redraw_timer.isActive()  # still running in the tray


def test_hidden_window_lets_power_saving_skip_frames(make_window):
    """In the tray nobody watches the live view: the session may skip the frames power saving
    does not need (worker.IdleSkip); shown again, every frame is read."""
    window = make_window()
    window.show()
    window.set_source("clip.mp4")
    skip = window.session._skip
    assert skip is not None and not skip.background
    window.close_to_tray = True
    window.close()
    assert skip.background
    window.show_and_raise()
    assert not skip.background


def test_tray_quit(tray, qtbot):
    window = tray.window
    window.set_source("clip.mp4")
    assert window.session.running
    window.close_to_tray = True
    with qtbot.waitSignal(window.quit_requested):
        tray.quit_action.trigger()
    assert not window.session.running
    assert not window.isVisible()


def test_tray_menu_has_pointer_mappings_and_settings(tray, monkeypatch):
    """The tray reaches what a user needs without the window: pointer mode (kept in step with
    the window's toggle), the mapping editor and Settings (which bring the window back)."""
    texts = [a.text() for a in tray.menu.actions() if a.text()]
    for wanted in ("Paused", "Pointer", "Mappings…", "Settings…"):
        assert wanted in texts, texts
    assert tray.pause_action.isCheckable() and tray.pointer_action.isCheckable()
    window = tray.window
    opened = []
    monkeypatch.setattr(window, "open_mapping_editor", lambda: opened.append("mappings"))
    monkeypatch.setattr(window, "open_settings", lambda: opened.append("settings"))
    window.hide()
    tray.mappings_action.trigger()
    assert opened == ["mappings"] and window.isVisible()
    tray.settings_action.trigger()
    assert opened == ["mappings", "settings"]
    # Pointer mode: the tray's check mark follows the window's toggle and the other way round.
    window.pointer_mode.enabled_changed.emit(True)
    assert tray.pointer_action.isChecked()
    window.pointer_mode.enabled_changed.emit(False)
    assert not tray.pointer_action.isChecked()
