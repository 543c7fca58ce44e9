"""The Pointer page of Settings: every pointer-mode setting (``[pointer]`` in the settings file).

``settings()`` returns the edited values as a validated
:class:`pipeline.pointer.PointerSettings` (raises pydantic's ValidationError). GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pipeline.pointer import PointerSettings

CONFLICT_NOTE = (
    "While pointer mode is on, pinches and dwell do the clicking: the fist (clutch) and the "
    "ok sign (a thumb-index pinch) belong to the pointer, so mappings of those two gestures "
    "are ignored. All other mappings of the profile keep working. Toggle pointer mode with "
    "the Pointer button, Ctrl+Shift+M in the window or Ctrl+Alt+M anywhere."
)


def _spin(low: int, high: int, step: int, suffix: str, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setValue(value)
    return spin


def _dspin(low: float, high: float, step: float, decimals: int, value: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setValue(value)
    return spin


def _combo(items: list[tuple[str, str]], current: str) -> QComboBox:
    combo = QComboBox()
    for title, value in items:
        combo.addItem(title, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class PointerPage(QWidget):
    def __init__(
        self,
        settings: PointerSettings,
        parent: QWidget | None = None,
        *,
        gestures: list[str] | None = None,
        pointer: Any = None,
    ) -> None:
        super().__init__(parent)
        s = self._base = settings
        layout = QVBoxLayout(self)
        note = QLabel(CONFLICT_NOTE)
        note.setWordWrap(True)
        note.setObjectName("pointerConflictNote")
        layout.addWidget(note)

        move = QGroupBox("Moving the pointer")
        form = QFormLayout(move)
        self.mapping = _combo(
            [("Absolute: the area maps onto all screens", "absolute"),
             ("Relative: like a mouse, with acceleration", "relative")],
            s.mapping,
        )  # fmt: skip
        form.addRow("Mapping", self.mapping)
        self.anchor = _combo(
            [("Palm centre (steadiest)", "palm_centre"), ("Index knuckle", "index_knuckle")],
            s.anchor,
        )
        form.addRow("Follow", self.anchor)
        self.hand = _combo([("Either", "any"), ("Left", "left"), ("Right", "right")], s.hand)
        form.addRow("Hand", self.hand)
        self.mirror = QCheckBox("Mirrored (webcam facing you)")
        self.mirror.setChecked(s.mirror)
        form.addRow(self.mirror)
        area = QHBoxLayout()
        a = s.active_area
        self.area = {
            name: _spin(0, 100, 1, "%", round(getattr(a, name) * 100))
            for name in ("left", "top", "right", "bottom")
        }
        for name, spin in self.area.items():
            area.addWidget(QLabel(name.capitalize()))
            area.addWidget(spin)
        form.addRow("Active area", area)
        self.calibrate = QPushButton("Calibrate: show me the corners…")
        self.calibrate.setToolTip(
            "For 6 s move your open hand to the four corners you reach comfortably; the area "
            "between them becomes the active area (OK saves it). Needs a running source."
        )
        self.calibration_status = QLabel()
        self.calibration_status.setWordWrap(True)
        self._pointer = pointer
        if pointer is None:
            self.calibrate.setEnabled(False)
        else:
            self.calibrate.clicked.connect(self._on_calibrate)
            pointer.calibrated.connect(self._on_calibrated)
            pointer.calibration_failed.connect(self._on_calibration_failed)
        form.addRow(self.calibrate)
        form.addRow(self.calibration_status)
        self.min_cutoff = _dspin(0.05, 30.0, 0.1, 2, s.min_cutoff_hz)
        self.min_cutoff.setSuffix(" Hz")
        self.min_cutoff.setToolTip("Smoothing when still: lower = steadier")
        form.addRow("Smoothing (min cutoff)", self.min_cutoff)
        self.beta = _dspin(0.0, 100.0, 0.5, 2, s.beta)
        self.beta.setToolTip("How quickly smoothing gives way to fast moves: higher = less lag")
        form.addRow("Speed response (beta)", self.beta)
        self.dead_zone = _dspin(0.0, 50.0, 0.5, 1, s.dead_zone_px)
        self.dead_zone.setSuffix(" px")
        form.addRow("Dead zone", self.dead_zone)
        self.gain = _dspin(0.1, 10.0, 0.1, 2, s.relative_gain)
        form.addRow("Relative speed", self.gain)
        self.accel = _dspin(0.0, 10.0, 0.1, 2, s.relative_acceleration)
        form.addRow("Relative acceleration", self.accel)
        layout.addWidget(move)

        clicks = QGroupBox("Clicking")
        form = QFormLayout(clicks)
        self.clutch = QCheckBox("Fist = clutch (lift the mouse)")
        self.clutch.setChecked(s.clutch)
        form.addRow(self.clutch)
        self.pinch_click = QCheckBox("Thumb-index pinch = left click; hold to drag")
        self.pinch_click.setChecked(s.pinch_click)
        form.addRow(self.pinch_click)
        self.right_click = QCheckBox("Thumb-middle pinch = right click")
        self.right_click.setChecked(s.right_click)
        form.addRow(self.right_click)
        self.scroll = QCheckBox("Thumb on index and middle, then move = scroll")
        self.scroll.setChecked(s.scroll)
        form.addRow(self.scroll)
        self.scroll_invert = QCheckBox("Invert scrolling")
        self.scroll_invert.setChecked(s.scroll_invert)
        form.addRow(self.scroll_invert)
        self.pinch_on = _dspin(0.05, 1.0, 0.05, 2, s.pinch_on)
        self.pinch_on.setToolTip("Fingertip gap that starts a pinch, in palm sizes")
        form.addRow("Pinch closes at", self.pinch_on)
        self.pinch_off = _dspin(0.05, 1.5, 0.05, 2, s.pinch_off)
        form.addRow("Pinch opens at", self.pinch_off)
        self.drag_after = _spin(50, 3000, 50, " ms", s.drag_after_ms)
        form.addRow("Hold to drag after", self.drag_after)
        self.double_click = _spin(0, 2000, 50, " ms", s.double_click_ms)
        form.addRow("Double click within", self.double_click)
        self.scroll_step = _dspin(0.02, 2.0, 0.05, 2, s.scroll_step)
        self.scroll_step.setToolTip("Hand travel per wheel step, in palm sizes")
        form.addRow("Scroll step", self.scroll_step)
        self.dwell = QCheckBox("Dwell click: keep the pointer still to click")
        self.dwell.setChecked(s.dwell_click)
        form.addRow(self.dwell)
        self.dwell_ms = _spin(200, 5000, 100, " ms", s.dwell_ms)
        form.addRow("Dwell time", self.dwell_ms)
        self.dwell_radius = _dspin(2.0, 200.0, 1.0, 0, s.dwell_radius_px)
        self.dwell_radius.setSuffix(" px")
        form.addRow("Dwell radius", self.dwell_radius)
        layout.addWidget(clicks)

        safety = QGroupBox("Switching and safety")
        form = QFormLayout(safety)
        names = ["none", *sorted(g for g in (gestures or []) if g != "none")]
        if s.toggle_gesture not in names:
            names.append(s.toggle_gesture)
        self.toggle_gesture = _combo([(n.replace("_", " "), n) for n in names], s.toggle_gesture)
        self.toggle_gesture.setToolTip(
            "Hold this gesture to switch pointer mode on or off (not the arm gesture)"
        )
        form.addRow("Toggle gesture", self.toggle_gesture)
        self.toggle_hold = _spin(0, 10_000, 100, " ms", s.toggle_hold_ms)
        form.addRow("Hold it for", self.toggle_hold)
        self.takeback_ms = _spin(0, 30_000, 250, " ms", s.takeback_ms)
        self.takeback_ms.setToolTip("Moving the real mouse pauses the hand pointer this long")
        form.addRow("Mouse takes over for", self.takeback_ms)
        layout.addWidget(safety)
        layout.addStretch(1)

    def _on_calibrate(self) -> None:
        self.calibrate.setEnabled(False)
        self.calibration_status.setText(
            "Move your open hand to each corner you can reach comfortably…"
        )
        self._pointer.start_calibration()

    def _on_calibrated(self, area: Any) -> None:
        for name, spin in self.area.items():
            spin.setValue(round(getattr(area, name) * 100))
        self.calibrate.setEnabled(True)
        self.calibration_status.setText("Active area set from your corners; OK saves it.")

    def _on_calibration_failed(self, message: str) -> None:
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
            scroll=self.scroll.isChecked(),
            scroll_invert=self.scroll_invert.isChecked(),
            pinch_on=self.pinch_on.value(),
            pinch_off=self.pinch_off.value(),
            drag_after_ms=self.drag_after.value(),
            double_click_ms=self.double_click.value(),
            scroll_step=self.scroll_step.value(),
            dwell_click=self.dwell.isChecked(),
            dwell_ms=self.dwell_ms.value(),
            dwell_radius_px=self.dwell_radius.value(),
            takeback_ms=self.takeback_ms.value(),
            toggle_gesture=self.toggle_gesture.currentData(),
            toggle_hold_ms=self.toggle_hold.value(),
        )
        # settings without a control here (enabled, takeback_px) keep their values
        return PointerSettings.model_validate({**self._base.model_dump(), **edited})
