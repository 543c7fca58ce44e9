"""The About box shows the licences as written (fixed-width, not re-wrapped into ragged lines)
and its Close button has no dark icon on the dark theme."""

from __future__ import annotations

from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit

from app.gui.about import AboutDialog


def test_licences_read_as_written_and_close_has_no_icon(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert dialog.text.lineWrapMode() == QPlainTextEdit.LineWrapMode.NoWrap
    assert QFontInfo(dialog.text.font()).fixedPitch()
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    assert box.button(QDialogButtonBox.StandardButton.Close).icon().isNull()
