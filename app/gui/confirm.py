"""Asking before a change that cannot be undone. GUI thread."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_destructive(parent: QWidget, title: str, text: str, accept_text: str) -> bool:
    """Ask before a destructive change, in a warning box over ``parent`` with a button
    ``accept_text`` and Cancel; Cancel is the default (Enter/Escape keep things). True if the
    user chose ``accept_text``."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.setObjectName("confirmDelete")
    yes = box.addButton(accept_text, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    accepted = box.clickedButton() is yes
    box.deleteLater()
    return accepted
