"""The Pointer page of Settings: every pointer-mode setting (``[pointer]`` in the settings file).

``settings()`` returns the edited values as a validated
:class:`pipeline.pointer.PointerSettings` (raises pydantic's ValidationError). GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.calibration_preview import CalibrationPreview
from app.gui.schema_fields import field_title, float_spin, int_spin
from pipeline.pointer import ActiveArea, PointerSettings

CONFLICT_NOTE = (
    "While pointer mode is on, pinches and dwell do the clicking: the fist (clutch) and the "
    "ok sign (a thumb-index pinch) belong to the pointer, and so do the movements (swipes, "
    "drag, zoom, tap, circles: the hand is moving the pointer), so their mappings are ignored. "
    "All other mappings of the profile keep working. Toggle pointer mode with "
    "the Pointer button, Ctrl+Shift+M in the window or Ctrl+Alt+M anywhere."
)


# "Show me the corners" lasts this long (s), counted down on the page.
CALIBRATION_SECONDS = 6
# A calibrated active area under this share of the camera's picture gets a warning.
SMALL_AREA = 0.25


def _checkbox(form: QFormLayout, settings: PointerSettings, name: str) -> QCheckBox:
    """A check box for a yes/no setting, labelled by the schema, added to ``form``."""
    box = QCheckBox(field_title(PointerSettings, name))
    box.setChecked(bool(getattr(settings, name)))
    form.addRow(box)
    return box


def _combo(items: list[tuple[str, str]], current: str) -> QComboBox:
    combo = QComboBox()
    # Sized to a short text, not to its longest choice: the page fits a narrow dialog (the list
    # itself still shows the whole texts).
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    for title, value in items:
        combo.addItem(title, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def _form(box: QGroupBox) -> QFormLayout:
    """A form whose long labels go above their fields when the dialog is narrow."""
    form = QFormLayout(box)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


class PointerPage(QWidget):
    def __init__(
        self,
        settings: PointerSettings,
        parent: QWidget | None = None,
        *,
        gestures: list[str] | None = None,
        pointer: Any = None,
        frames: Any = None,
        mirrored: bool = True,
    ) -> None:
        super().__init__(parent)
        self._frames, self._mirrored = frames, mirrored  # the live picture, for calibration
        s = self._base = settings
        P = PointerSettings
        layout = QVBoxLayout(self)
        note = QLabel(CONFLICT_NOTE)
        note.setWordWrap(True)
        note.setObjectName("pointerConflictNote")
        layout.addWidget(note)

        move = QGroupBox("Moving the pointer")
        form = _form(move)
        # on at start, from the next start on: a user who cannot press keys needs no key
        self.start_on = _checkbox(form, s, "enabled")
        self.mapping = _combo(
            [("Absolute: the area maps onto all screens", "absolute"),
             ("Relative: like a mouse, with acceleration", "relative")],
            s.mapping,
        )  # fmt: skip
        form.addRow(field_title(PointerSettings, "mapping"), self.mapping)
        self.anchor = _combo(
            [("Palm centre (steadiest)", "palm_centre"), ("Index knuckle", "index_knuckle")],
            s.anchor,
        )
        form.addRow(field_title(PointerSettings, "anchor"), self.anchor)
        self.hand = _combo([("Either", "any"), ("Left", "left"), ("Right", "right")], s.hand)
        form.addRow(field_title(PointerSettings, "hand"), self.hand)
        self.mirror = QCheckBox(field_title(PointerSettings, "mirror"))
        self.mirror.setChecked(s.mirror)
        form.addRow(self.mirror)
        area = QGridLayout()  # two by two: four in a row made the page wider than the dialog
        a = s.active_area
        self.area = {
            name: int_spin(ActiveArea, name, round(getattr(a, name) * 100), suffix="%", scale=100)
            for name in ("left", "top", "right", "bottom")
        }
        for i, (name, spin) in enumerate(self.area.items()):
            row, col = divmod(i, 2)
            area.addWidget(QLabel(name.capitalize()), row, 2 * col)
            area.addWidget(spin, row, 2 * col + 1)
        form.addRow(field_title(PointerSettings, "active_area"), area)
        self.calibrate = QPushButton("Calibrate: show me the corners…")
        self.calibrate.setToolTip(
            "For 6 s move your open hand to the four corners you reach comfortably; the area "
            "between them becomes the active area (OK saves it). Needs a running source."
        )
        self.calibration_status = QLabel()
        self.calibration_status.setWordWrap(True)
        self._seconds_left = 0
        self._countdown = QTimer(self)  # the seconds left, shown while calibrating
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._pointer = pointer
        if pointer is None:
            self.calibrate.setEnabled(False)
        else:
            self.calibrate.clicked.connect(self._on_calibrate)
            pointer.calibrated.connect(self._on_calibrated)
            pointer.calibration_failed.connect(self._on_calibration_failed)
        form.addRow(self.calibrate)
        form.addRow(self.calibration_status)
        self.calibration_preview = CalibrationPreview()
        form.addRow(self.calibration_preview)
        self.min_cutoff = float_spin(P, "min_cutoff_hz", s.min_cutoff_hz, step=0.1, decimals=2,
                                     suffix=" Hz")  # fmt: skip
        self.beta = float_spin(P, "beta", s.beta, step=0.5, decimals=2)
        self.dead_zone = float_spin(P, "dead_zone_px", s.dead_zone_px, step=0.5, decimals=1,
                                    suffix=" px")  # fmt: skip
        self.gain = float_spin(P, "relative_gain", s.relative_gain, step=0.1, decimals=2)
        self.accel = float_spin(P, "relative_acceleration", s.relative_acceleration, step=0.1,
                                decimals=2)  # fmt: skip
        rows = {"min_cutoff_hz": self.min_cutoff, "beta": self.beta, "dead_zone_px": self.dead_zone,
                "relative_gain": self.gain, "relative_acceleration": self.accel}  # fmt: skip
        for name, widget in rows.items():
            form.addRow(field_title(P, name), widget)
        layout.addWidget(move)

        clicks = QGroupBox("Clicking")
        form = _form(clicks)
        self.clutch = _checkbox(form, s, "clutch")
        self.pinch_click = _checkbox(form, s, "pinch_click")
        self.right_click = _checkbox(form, s, "right_click")
        self.scroll_box = _checkbox(form, s, "scroll")  # (QWidget.scroll is a method)
        self.scroll_invert = _checkbox(form, s, "scroll_invert")
        self.pinch_on = float_spin(P, "pinch_on", s.pinch_on, step=0.05, decimals=2)
        self.pinch_off = float_spin(P, "pinch_off", s.pinch_off, step=0.05, decimals=2)
        self.drag_after = int_spin(P, "drag_after_ms", s.drag_after_ms, step=50, suffix=" ms")
        self.double_click = int_spin(P, "double_click_ms", s.double_click_ms, step=50,
                                     suffix=" ms")  # fmt: skip
        self.scroll_step = float_spin(P, "scroll_step", s.scroll_step, step=0.05, decimals=2)
        form.addRow(field_title(P, "pinch_on"), self.pinch_on)
        form.addRow(field_title(P, "pinch_off"), self.pinch_off)
        form.addRow(field_title(P, "drag_after_ms"), self.drag_after)
        form.addRow(field_title(P, "double_click_ms"), self.double_click)
        form.addRow(field_title(P, "scroll_step"), self.scroll_step)
        self.dwell = QCheckBox(field_title(P, "dwell_click"))
        self.dwell.setChecked(s.dwell_click)
        form.addRow(self.dwell)
        self.dwell_ms = int_spin(P, "dwell_ms", s.dwell_ms, step=100, suffix=" ms")
        form.addRow(field_title(P, "dwell_ms"), self.dwell_ms)
        self.dwell_radius = float_spin(P, "dwell_radius_px", s.dwell_radius_px, step=1.0,
                                       decimals=0, suffix=" px")  # fmt: skip
        form.addRow(field_title(P, "dwell_radius_px"), self.dwell_radius)
        self.dwell_refractory = int_spin(P, "dwell_refractory_ms", s.dwell_refractory_ms,
                                         step=100, suffix=" ms")  # fmt: skip
        form.addRow(field_title(P, "dwell_refractory_ms"), self.dwell_refractory)
        layout.addWidget(clicks)

        palette = QGroupBox("Click palette and pausing")
        form = _form(palette)
        self.show_palette = _checkbox(form, s, "show_palette")
        self.show_palette.setToolTip(P.model_fields["show_palette"].description or "")
        self.rest_pause = _checkbox(form, s, "rest_pause")
        self.rest_pause.setToolTip(P.model_fields["rest_pause"].description or "")
        self.rest_pause_s = float_spin(P, "rest_pause_s", s.rest_pause_s, step=0.5, decimals=1,
                                       suffix=" s")  # fmt: skip
        form.addRow(field_title(P, "rest_pause_s"), self.rest_pause_s)
        palette_note = QLabel(
            "Dwell (or pinch) on a palette button to choose the next click: Right, Double, "
            "Drag (down at one click, up at the next) or Scroll (hold the hand above or below "
            "where it started; rest there to stop). Choose it twice to keep it. Pause stops "
            "clicks until you dwell on Resume; the pointer still moves."
        )
        palette_note.setWordWrap(True)
        form.addRow(palette_note)
        layout.addWidget(palette)

        safety = QGroupBox("Switching and safety")
        form = _form(safety)
        names = ["none", *sorted(g for g in (gestures or []) if g != "none")]
        if s.toggle_gesture not in names:
            names.append(s.toggle_gesture)
        self.toggle_gesture = _combo([(n.replace("_", " "), n) for n in names], s.toggle_gesture)
        self.toggle_gesture.setToolTip(P.model_fields["toggle_gesture"].description or "")
        form.addRow(field_title(P, "toggle_gesture"), self.toggle_gesture)
        self.toggle_hold = int_spin(P, "toggle_hold_ms", s.toggle_hold_ms, step=100, suffix=" ms")
        form.addRow(field_title(P, "toggle_hold_ms"), self.toggle_hold)
        self.takeback_ms = int_spin(P, "takeback_ms", s.takeback_ms, step=250, suffix=" ms")
        form.addRow(field_title(P, "takeback_ms"), self.takeback_ms)
        layout.addWidget(safety)
        layout.addStretch(1)

    def _on_calibrate(self) -> None:
        self.calibrate.setEnabled(False)
        self._seconds_left = CALIBRATION_SECONDS
        self._show_countdown()
        self._countdown.start()
        self.calibration_preview.start(
            self._frames, mirrored=self._mirrored, anchor=self.anchor.currentData()
        )
        self._pointer.start_calibration(CALIBRATION_SECONDS)

    def _show_countdown(self) -> None:
        self.calibration_status.setText(
            "Move your open hand to each corner you can reach comfortably… "
            f"{self._seconds_left} s left"
        )

    def _tick(self) -> None:
        self._seconds_left = max(self._seconds_left - 1, 0)
        if self._seconds_left > 0:
            self._show_countdown()

    def _on_calibrated(self, area: Any) -> None:
        self._countdown.stop()
        self.calibration_preview.stop()
        for name, spin in self.area.items():
            spin.setValue(round(getattr(area, name) * 100))
        self.calibrate.setEnabled(True)
        share = (area.right - area.left) * (area.bottom - area.top)
        if share < SMALL_AREA:
            self.calibration_status.setText(
                f"Active area set, but it is small ({share:.0%} of the camera's picture): a "
                "small move of the hand will cross the whole screen and the pointer will be "
                "hard to aim. Calibrate again reaching further, or widen it above; OK saves it."
            )
        else:
            self.calibration_status.setText("Active area set from your corners; OK saves it.")

    def _on_calibration_failed(self, message: str) -> None:
        self._countdown.stop()
        self.calibration_preview.stop()
        self.calibrate.setEnabled(True)
        self.calibration_status.setText(message)

    def settings(self) -> PointerSettings:
        """The page's values, validated (raises pydantic ValidationError)."""
        edited = dict(
            mapping=self.mapping.currentData(),
            anchor=self.anchor.currentData(),
            hand=self.hand.currentData(),
            mirror=self.mirror.isChecked(),
            active_area={k: v.value() / 100.0 for k, v in self.area.items()},
            min_cutoff_hz=self.min_cutoff.value(),
            beta=self.beta.value(),
            dead_zone_px=self.dead_zone.value(),
            relative_gain=self.gain.value(),
            relative_acceleration=self.accel.value(),
            clutch=self.clutch.isChecked(),
            pinch_click=self.pinch_click.isChecked(),
            right_click=self.right_click.isChecked(),
            scroll=self.scroll_box.isChecked(),
            scroll_invert=self.scroll_invert.isChecked(),
            pinch_on=self.pinch_on.value(),
            pinch_off=self.pinch_off.value(),
            drag_after_ms=self.drag_after.value(),
            double_click_ms=self.double_click.value(),
            scroll_step=self.scroll_step.value(),
            dwell_click=self.dwell.isChecked(),
            dwell_ms=self.dwell_ms.value(),
            dwell_radius_px=self.dwell_radius.value(),
            dwell_refractory_ms=self.dwell_refractory.value(),
            show_palette=self.show_palette.isChecked(),
            rest_pause=self.rest_pause.isChecked(),
            rest_pause_s=self.rest_pause_s.value(),
            takeback_ms=self.takeback_ms.value(),
            toggle_gesture=self.toggle_gesture.currentData(),
            toggle_hold_ms=self.toggle_hold.value(),
            enabled=self.start_on.isChecked(),
        )
        # settings without a control here (takeback_px) keep their values
        return PointerSettings.model_validate({**self._base.model_dump(), **edited})
