"""On a Wayland session the first-run guide and the Settings dialog do not promise a hotkey
"from any application" (HandCue's X11 grab sees keys only while an X11 window has the focus):
they say to bind ``handcue toggle pause`` in the desktop's keyboard settings."""

from __future__ import annotations


def test_the_guide_and_the_settings_say_how_to_pause_on_wayland(make_ctx, qtbot, monkeypatch):
    from app.gui.guide import GuideDialog
    from app.gui.settings_dialog import SettingsDialog

    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    monkeypatch.setattr("sys.platform", "linux")
    ctx = make_ctx()
    guide = GuideDialog(ctx)
    qtbot.addWidget(guide)
    assert "handcue toggle pause" in guide.arm_text.text()
    assert "from any application press" not in guide.arm_text.text()
    settings = SettingsDialog(ctx)
    qtbot.addWidget(settings)
    assert settings.hotkey_note is not None
    assert "handcue toggle pause" in settings.hotkey_note.text()

    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    guide = GuideDialog(ctx)
    qtbot.addWidget(guide)
    assert "from any application press Ctrl+Alt+P" in guide.arm_text.text()
    settings = SettingsDialog(ctx)
    qtbot.addWidget(settings)
    assert settings.hotkey_note is None
