"""Problems found in the Settings dialog are told with the labels on screen, every one of them,
and a check on a whole form has no stray ": " in front (issue 39, item 3)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.gui.settings_dialog import SettingsDialog
from app.gui.validation_text import on_screen
from pipeline.pointer import PointerSettings
from pipeline.settings import AppConfig


def test_a_cross_check_names_the_labels_not_the_field_names() -> None:
    with pytest.raises(ValidationError) as caught:
        PointerSettings(pinch_on=0.5, pinch_off=0.4)
    text = on_screen(caught.value, PointerSettings)
    assert "“Pinch opens at” (0.4) must be larger than “Pinch closes at” (0.5)" in text
    assert "pinch_" not in text
    assert not text.startswith(":")


def test_a_problem_inside_a_section_says_where_with_labels() -> None:
    data = AppConfig().model_dump()
    data["pointer"].update(pinch_on=0.5, pinch_off=0.4)
    data["pointer"]["dwell_ms"] = 10  # below the least allowed: a second problem
    with pytest.raises(ValidationError) as caught:
        AppConfig.model_validate(data)
    lines = on_screen(caught.value, AppConfig).splitlines()
    assert len(lines) == len(caught.value.errors()) >= 1
    assert any(line.startswith("Pointer › Dwell time: ") for line in lines), lines
    assert all("_" not in line.split(":")[0] for line in lines), lines


def test_the_dialog_shows_the_labelled_message(qtbot, make_ctx) -> None:
    dialog = SettingsDialog(make_ctx(), providers=["auto"], tray_available=True)
    qtbot.addWidget(dialog)
    page = dialog.pointer_page
    page.pinch_off.setValue(0.4)
    page.pinch_on.setValue(0.5)
    dialog.accept()
    shown = dialog.error.text()
    assert dialog.error.isVisibleTo(dialog)
    assert "“Pinch opens at”" in shown and "“Pinch closes at”" in shown, shown
    assert not shown.startswith(":") and "pinch_off" not in shown, shown
