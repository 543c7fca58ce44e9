"""Accessibility helpers: names and descriptions a screen reader announces, and a check that
every control has one. GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QWidget,
)


def name_widgets(dialog: QWidget) -> None:
    """Give every input of ``dialog``'s forms the accessible name of its row label (what a
    screen reader says) and its tooltip as the accessible description."""
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if field is None:
                continue
            lay = field.layout()
            items = [field] if lay is None else [lay.itemAt(i) for i in range(lay.count())]
            found = [item.widget() for item in items if item is not None]
            widgets = [w for w in found if w is not None]
            shown = label.widget() if label is not None else None
            text = shown.text() if isinstance(shown, (QLabel, QAbstractButton)) else ""
            for widget in widgets:
                if not widget.accessibleName():
                    name = text or getattr(widget, "text", lambda: "")()
                    if isinstance(widget, QAbstractButton):
                        name = widget.text()
                    widget.setAccessibleName(name.replace("&", ""))
                if widget.toolTip() and not widget.accessibleDescription():
                    widget.setAccessibleDescription(widget.toolTip())


def unnamed_controls(root: QWidget) -> list[QWidget]:
    """Controls under ``root`` that take keyboard focus but have nothing for a screen reader
    to say: no accessible name, no text of their own and no label pointing at them. Hidden
    widgets (e.g. a combo box's closed list) and the editor inside a spin box or combo box
    (the box speaks for it) are left out."""
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy()}
    out = []
    for widget in root.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isEnabled():
            continue
        if not widget.isVisibleTo(root) or isinstance(widget.parentWidget(), QAbstractSpinBox):
            continue
        if isinstance(widget.parentWidget(), QComboBox):
            continue
        own = widget.text() if isinstance(widget, QAbstractButton) else ""
        if widget.accessibleName() or own or id(widget) in buddies:
            continue
        out.append(widget)
    return out
