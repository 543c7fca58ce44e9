"""Keyboard-free from the first start: "Start in pointer mode" on the Pointer page is saved and a
new window starts in pointer mode with the palette; ``handcue gui --pointer`` does the same for
one run without saving it (issue 40, item 1)."""

from __future__ import annotations

from app.cli import build_parser
from app.gui.settings_dialog import SettingsDialog


def test_the_pointer_page_saves_start_in_pointer_mode(qtbot, make_window) -> None:
    window = make_window()
    dialog = SettingsDialog(window.ctx, window, pointer=window.pointer_mode)
    qtbot.addWidget(dialog)
    page = dialog.pointer_page
    assert not page.start_on.isChecked()
    assert page.start_on.text().startswith("Start in pointer mode")
    page.start_on.setChecked(True)
    dialog.accept()
    assert window.ctx.config.pointer.enabled
    again = make_window(ctx=window.ctx)  # the next start
    assert again.pointer_mode.enabled


def test_gui_takes_pointer() -> None:
    args = build_parser().parse_args(["gui", "--pointer", "--source", "x.mp4"])
    assert args.pointer and args.source == "x.mp4"
    assert not build_parser().parse_args(["gui"]).pointer
