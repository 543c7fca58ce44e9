"""The "start at login" toggle in Settings writes and removes the XDG entry."""

from __future__ import annotations

from app.desktop.autostart import XdgAutostart, launch_command


def test_settings_toggle_turns_autostart_on_and_off(qtbot, make_ctx, tmp_path) -> None:
    from app.gui.settings_dialog import SettingsDialog

    entry = XdgAutostart(launch_command(), config_home=tmp_path / "cfg")
    dialog = SettingsDialog(make_ctx(), autostart=entry)
    qtbot.addWidget(dialog)
    assert not dialog.autostart.isChecked()
    dialog.autostart.setChecked(True)
    dialog.accept()
    assert entry.is_enabled() and "\nExec=" in entry.path.read_text()
    assert entry.path.read_text() == entry.entry_text()

    dialog = SettingsDialog(make_ctx(), autostart=entry)
    qtbot.addWidget(dialog)
    assert dialog.autostart.isChecked()
    dialog.autostart.setChecked(False)
    dialog.accept()
    assert not entry.path.exists()
