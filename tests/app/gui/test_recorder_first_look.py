"""The recorder does not greet a new user with a red error: "Give the gesture a name." is a
plain hint until they have typed in the name field, and a problem with what they typed is red."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.gui.recorder import GestureRecorder


def test_the_empty_name_is_a_hint_until_the_user_types(make_ctx, qtbot):
    dialog = GestureRecorder(make_ctx(), lambda: None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.message.text() == "Give the gesture a name."
    assert dialog.message.objectName() == "hint"  # grey, not the red of a mistake
    qtbot.keyClicks(dialog.name_edit, "9x")  # a name must start with a letter
    assert dialog.message.objectName() == "validation"
    dialog.name_edit.selectAll()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Backspace)
    assert dialog.message.text() == "Give the gesture a name."
    assert dialog.message.objectName() == "validation"  # emptied by the user: now it is one
