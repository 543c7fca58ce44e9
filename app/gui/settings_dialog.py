"""Settings: tracking model and provider, hands, counting, timings, smoothing, window behaviour.

OK validates the whole config (pydantic) and saves it through ``pipeline.settings.save_config``;
a problem is shown inline and nothing is saved. The main window then restarts a running source
with the new settings (no app restart)."""

from __future__ import annotations

from dataclasses import replace

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.gui.context import AppContext
from pipeline.errors import HandCueError
from pipeline.settings import COUNTING_SCHEMES, PROVIDERS

PROVIDER_TITLES = {
    "auto": "Automatic (best available)",
    "cpu": "CPU",
    "cuda": "NVIDIA GPU (CUDA)",
    "directml": "GPU (DirectML, Windows)",
    "coreml": "Apple Neural Engine (CoreML)",
}


def counting_schemes() -> tuple[str, ...]:
    return tuple(COUNTING_SCHEMES)


def _ms_spin(maximum: int, step: int = 50) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setSingleStep(step)
    spin.setSuffix(" ms")
    return spin


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("HandCue settings")
        self.setMinimumWidth(480)
        cfg = ctx.config
        layout = QVBoxLayout(self)

        tracking = QGroupBox("Tracking")
        form = QFormLayout(tracking)
        self.model = QComboBox()
        self.model.addItem("Full — most accurate", "full")
        self.model.addItem("Lite — fastest", "lite")
        self.model.setCurrentIndex(max(0, self.model.findData(cfg.tracker.model)))
        form.addRow("Hand model", self.model)
        self.max_hands = QSpinBox()
        self.max_hands.setRange(1, 4)
        self.max_hands.setValue(cfg.tracker.max_hands)
        form.addRow("Hands to track", self.max_hands)
        self.provider = QComboBox()
        for name in PROVIDERS:
            self.provider.addItem(PROVIDER_TITLES.get(name, name), name)
        self.provider.setCurrentIndex(max(0, self.provider.findData(cfg.tracker.provider)))
        form.addRow("Run on", self.provider)
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 100)
        self.smoothing.setValue(round(cfg.tracker.smoothing * 100))
        self.smoothing.setToolTip("0 = raw (fast, jittery), 100 = steadiest (a little lag)")
        form.addRow("Smoothing", self.smoothing)
        self.far_hands = QCheckBox("Look for far hands")
        self.far_hands.setChecked(cfg.tracker.far_hands)
        self.far_hands.setToolTip(
            "Also look at zoomed parts of the picture, to find a hand a few metres away"
        )
        self.power_saving = QCheckBox("Power saving when no hand")
        self.power_saving.setChecked(cfg.tracker.power_saving)
        self.power_saving.setToolTip(
            "While no hand is in view, look for one only when something moves (and once a "
            "second): much less CPU"
        )
        form.addRow(self.far_hands)
        form.addRow(self.power_saving)
        layout.addWidget(tracking)

        gestures = QGroupBox("Gestures")
        form = QFormLayout(gestures)
        self.counting = QComboBox()
        for scheme in counting_schemes():
            self.counting.addItem(scheme.capitalize(), scheme)
        self.counting.setCurrentIndex(max(0, self.counting.findData(cfg.gestures.counting)))
        self.counting.setToolTip("How fingers are counted (which finger means 'one')")
        form.addRow("Counting", self.counting)
        self.stable_ms = _ms_spin(2000, 25)
        self.stable_ms.setValue(cfg.gestures.hold_ms)
        self.stable_ms.setToolTip("A gesture must be seen this long before it counts")
        form.addRow("Recognise after", self.stable_ms)
        self.hold_ms = _ms_spin(10_000)
        self.hold_ms.setValue(cfg.actions.default_hold_ms)
        self.hold_ms.setToolTip("Default time to hold a gesture before its action fires")
        form.addRow("Default hold", self.hold_ms)
        self.cooldown_ms = _ms_spin(60_000, 100)
        self.cooldown_ms.setValue(cfg.actions.default_cooldown_ms)
        self.cooldown_ms.setToolTip("Default pause after an action before it can fire again")
        form.addRow("Default cooldown", self.cooldown_ms)
        layout.addWidget(gestures)

        window = QGroupBox("Window")
        form = QFormLayout(window)
        prefs = ctx.prefs
        self.mirror = QCheckBox("Mirror the webcam picture (like a mirror)")
        self.mirror.setChecked(prefs.mirror_preview)
        self.start_minimised = QCheckBox("Start minimised to the tray")
        self.start_minimised.setChecked(prefs.start_minimised)
        self.close_to_tray = QCheckBox("Closing the window keeps HandCue in the tray")
        self.close_to_tray.setChecked(prefs.close_to_tray)
        for box in (self.mirror, self.start_minimised, self.close_to_tray):
            form.addRow(box)
        layout.addWidget(window)

        self.error = QLabel()
        self.error.setObjectName("validation")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def new_config(self):
        """The edited settings as a validated AppConfig (raises ValidationError)."""
        cfg = self.ctx.config
        data = cfg.model_dump()
        data["tracker"].update(
            model=self.model.currentData(),
            max_hands=self.max_hands.value(),
            provider=self.provider.currentData(),
            smoothing=self.smoothing.value() / 100.0,
            far_hands=self.far_hands.isChecked(),
            power_saving=self.power_saving.isChecked(),
        )
        data["gestures"].update(counting=self.counting.currentData(),
                                hold_ms=self.stable_ms.value())  # fmt: skip
        data["actions"].update(default_hold_ms=self.hold_ms.value(),
                               default_cooldown_ms=self.cooldown_ms.value())  # fmt: skip
        return type(cfg).model_validate(data)

    def accept(self) -> None:
        try:
            cfg = self.new_config()
            self.ctx.set_config(cfg)
        except ValidationError as exc:
            first = exc.errors()[0]
            self.error.setText(f"{'.'.join(map(str, first['loc']))}: {first['msg']}")
            self.error.show()
            return
        except HandCueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        window = self.window_prefs()
        self.ctx.set_prefs(window)
        super().accept()

    def window_prefs(self):
        return replace(
            self.ctx.prefs,
            mirror_preview=self.mirror.isChecked(),
            start_minimised=self.start_minimised.isChecked(),
            close_to_tray=self.close_to_tray.isChecked(),
        )
