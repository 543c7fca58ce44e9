"""The Settings dialog and its Pointer page take each setting's range, label and help from the
settings schema: every numeric control accepts exactly what a settings file may hold, and a
limit changed in the schema changes the control."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel

from app.gui.schema_fields import field_range, field_title, int_spin
from app.gui.settings_dialog import SettingsDialog
from pipeline.pointer import ActiveArea, PointerSettings
from pipeline.settings import ActionSettings, GestureSettings, TrackerSettings
from pipeline.settings.window import GuiPrefs

GENERAL = [  # (dialog attribute, model, field, shown scale)
    ("max_hands", TrackerSettings, "max_hands", 1),
    ("smoothing", TrackerSettings, "smoothing", 100),
    ("stable_ms", GestureSettings, "hold_ms", 1),
    ("hold_ms", ActionSettings, "default_hold_ms", 1),
    ("cooldown_ms", ActionSettings, "default_cooldown_ms", 1),
    ("arm_hold_ms", ActionSettings, "arm_hold_ms", 1),
]
POINTER = [  # (page attribute, field, smallest step shown for an exclusive bound)
    ("min_cutoff", "min_cutoff_hz", 0.01), ("beta", "beta", 0.01),
    ("dead_zone", "dead_zone_px", 0.1), ("gain", "relative_gain", 0.01),
    ("accel", "relative_acceleration", 0.01), ("pinch_on", "pinch_on", 0.01),
    ("pinch_off", "pinch_off", 0.01), ("drag_after", "drag_after_ms", 1),
    ("double_click", "double_click_ms", 1), ("scroll_step", "scroll_step", 0.01),
    ("dwell_ms", "dwell_ms", 1), ("dwell_radius", "dwell_radius_px", 1),
    ("toggle_hold", "toggle_hold_ms", 1), ("takeback_ms", "takeback_ms", 1),
]  # fmt: skip


@pytest.fixture
def dialog(qtbot, make_ctx) -> SettingsDialog:
    dialog = SettingsDialog(make_ctx(), providers=["auto"], tray_available=True)
    qtbot.addWidget(dialog)
    return dialog


def _labels(widget) -> set[str]:
    out = set()
    for form in widget.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                out.add(item.widget().text())
    return out


@pytest.mark.parametrize(("attr", "model", "name", "scale"), GENERAL)
def test_general_controls_have_the_schema_range(dialog, attr, model, name, scale) -> None:
    low, high, _, _ = field_range(model, name)
    control = getattr(dialog, attr)
    assert (control.minimum(), control.maximum()) == (round(low * scale), round(high * scale))


@pytest.mark.parametrize(("attr", "name", "least"), POINTER)
def test_pointer_controls_have_the_schema_range_label_and_help(dialog, attr, name, least) -> None:
    page = dialog.pointer_page
    low, high, low_open, high_open = field_range(PointerSettings, name)
    control = getattr(page, attr)
    assert control.minimum() == pytest.approx(low + (least if low_open else 0))
    assert control.maximum() == pytest.approx(high - (least if high_open else 0))
    assert field_title(PointerSettings, name) in _labels(page)
    assert control.toolTip() == (PointerSettings.model_fields[name].description or "")


def test_window_choices_are_labelled_by_the_schema(dialog) -> None:
    for attr, name in (("mirror", "mirror_preview"), ("start_minimised", "start_minimised"),
                       ("close_to_tray", "close_to_tray"), ("osd", "osd"),
                       ("osd_sound", "osd_sound")):  # fmt: skip
        assert getattr(dialog, attr).text() == field_title(GuiPrefs, name)
    area = dialog.pointer_page.area["left"]
    assert (area.minimum(), area.maximum()) == (0, 100)
    assert field_range(ActiveArea, "left")[:2] == (0.0, 1.0)


def test_a_limit_changed_in_the_schema_changes_the_control(qtbot, monkeypatch) -> None:
    field = PointerSettings.model_fields["dwell_ms"]
    monkeypatch.setattr(field, "metadata", [*field.metadata[:-1], type(field.metadata[-1])(9000)])
    spin = int_spin(PointerSettings, "dwell_ms", 800)
    qtbot.addWidget(spin)
    assert spin.maximum() == 9000
