"""Settings > General > "Send keys and clicks through" (issue 37, part 3): the choice of the
uinput fallback is shown with the schema's label and help, saved to the settings file and shown
again when the dialog reopens."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel

from app.gui.schema_fields import field_title
from app.gui.settings_dialog import SettingsDialog
from pipeline.settings import ActionSettings, load_config


def _label_of(dialog: SettingsDialog, widget) -> str | None:
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if field is not None and field.widget() is widget and label is not None:
                text = label.widget()
                return text.text() if isinstance(text, QLabel) else None
    return None


def test_the_choice_is_shown_saved_and_shown_again(qtbot, make_ctx) -> None:
    ctx = make_ctx()
    dialog = SettingsDialog(ctx, providers=["auto"], tray_available=True)
    qtbot.addWidget(dialog)
    combo = dialog.input_backend
    assert [combo.itemData(i) for i in range(combo.count())] == ["auto", "uinput"]
    assert combo.currentData() == "auto"
    assert _label_of(dialog, combo) == field_title(ActionSettings, "input_backend")
    assert "/dev/uinput" in combo.toolTip()
    hints = [w.text() for w in dialog.findChildren(QLabel) if "uinput works" in w.text()]
    assert len(hints) == 1 and "next start" in hints[0]

    combo.setCurrentIndex(combo.findData("uinput"))
    dialog.accept()
    assert load_config()[0].actions.input_backend == "uinput"
    assert ctx.config.actions.input_backend == "uinput"

    reopened = SettingsDialog(ctx, providers=["auto"], tray_available=True)
    qtbot.addWidget(reopened)
    assert reopened.input_backend.currentData() == "uinput"
    reopened.input_backend.setCurrentIndex(reopened.input_backend.findData("auto"))
    reopened.accept()
    assert load_config()[0].actions.input_backend == "auto"
