"""The About box: HandCue's version, the Qt it runs on, and the licences (ours, the models',
Qt's LGPL notice) with their full texts from ``resources/licenses``. GUI thread only."""

from __future__ import annotations

import html

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app import resources
from app.version import handcue_version

# (title, file in resources/licenses)
LICENCE_FILES = (
    ("Notice: what is licensed how", "NOTICE.txt"),
    ("Apache License 2.0 (HandCue, the hand models)", "Apache-2.0.txt"),
    ("GNU LGPL 3.0 (Qt, PySide6, pynput)", "LGPL-3.0.txt"),
    ("GNU GPL 3.0 (the terms the LGPL builds on)", "GPL-3.0.txt"),
)


def licence_text(file_name: str) -> str:
    """A licence text, or a line saying it is missing from this install."""
    try:
        return resources.resource_path("licenses", file_name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        return f"(not found in this install: {exc})"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About HandCue")
        self.setMinimumSize(620, 520)
        layout = QVBoxLayout(self)
        self.summary = QLabel(
            f"<h2>HandCue {html.escape(handcue_version())}</h2>"
            "<p>Hands-free desktop control: hand gestures seen by the webcam become keyboard "
            "and mouse actions.</p>"
            "<p>HandCue's code is licensed under the <b>Apache License 2.0</b>.<br>"
            "Hand models: Google MediaPipe Hands, <b>Apache License 2.0</b>.<br>"
            f"Qt {html.escape(qVersion())} and Qt for Python (PySide6 "
            f"{html.escape(PySide6.__version__)}) are used under the <b>GNU LGPL 3.0</b>: "
            "they are linked dynamically and can be replaced by your own build; their source "
            "is available from the Qt Project (code.qt.io).</p>"
        )
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.chooser = QComboBox()
        for title, name in LICENCE_FILES:
            self.chooser.addItem(title, name)
        layout.addWidget(self.chooser)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        # The licence files are wrapped at ~78 columns: shown as written, in a fixed-width font
        # (re-wrapped in a proportional one they read as ragged half-lines).
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text, 1)
        self.chooser.currentIndexChanged.connect(self._on_licence_chosen)
        self._on_licence_chosen(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setIcon(QIcon())  # the style's icon is dark on the dark theme: the word is enough
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_licence_chosen(self, index: int) -> None:
        self.text.setPlainText(licence_text(str(self.chooser.itemData(index))))
