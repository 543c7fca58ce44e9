"""The About box: version, licences (ours, the models', Qt's LGPL) and their full texts."""

from __future__ import annotations

from app.version import handcue_version


def test_about_box_from_the_main_window(make_window, qtbot) -> None:
    window = make_window()
    window.about_action.trigger()
    dialog = window.about_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    summary = dialog.summary.text()
    assert handcue_version() != "unknown" and f"HandCue {handcue_version()}" in summary
    assert summary.count("Apache License 2.0") == 2 and "GNU LGPL 3.0" in summary
    assert "MediaPipe" in summary
    texts = {}
    for i in range(dialog.chooser.count()):
        dialog.chooser.setCurrentIndex(i)
        texts[dialog.chooser.itemData(i)] = dialog.text.toPlainText()
    assert "Apache License" in texts["Apache-2.0.txt"] and "Version 2.0" in texts["Apache-2.0.txt"]
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in texts["LGPL-3.0.txt"]
    assert "GNU GENERAL PUBLIC LICENSE" in texts["GPL-3.0.txt"]
    assert "MediaPipe" in texts["NOTICE.txt"] and "not found" not in texts["NOTICE.txt"]
    dialog.close()
