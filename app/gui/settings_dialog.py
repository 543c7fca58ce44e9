"""Settings: tracking model and provider, hands, counting, timings, smoothing, safety (arm
gesture, arm hold, pause hotkey), window behaviour.

OK validates the whole config (pydantic) and saves this dialog's edits through the context (the
settings file is read again first: changes made to it meanwhile are kept, and a file with a
mistake is replaced only when the user says so); a problem is shown inline and nothing is
saved. "Run on" offers only the processors onnxruntime
reports on this computer, and a processor that then fails to load a model is not saved (the
dialog says so plainly). The main window then restarts a running source with the new settings
(no app restart)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.desktop.autostart import Autostart, autostart_for_platform
from app.desktop.input_sink import wayland_hotkey_advice
from app.gui.a11y import name_widgets
from app.gui.context import AppContext
from app.gui.key_capture import KeyCaptureEdit
from app.gui.pointer_page import PointerPage
from app.gui.schema_fields import field_title, fraction_slider, int_spin
from app.gui.screen_fit import fit_to_screen, scroll_body
from app.gui.toast import POSITIONS
from app.gui.video_view import gesture_title
from pipeline.errors import HandCueError
from pipeline.settings import (
    COUNTING_SCHEMES,
    PROVIDERS,
    ActionSettings,
    GestureSettings,
    TrackerSettings,
    is_dynamic_gesture,
)
from pipeline.settings.window import GuiPrefs

PROVIDER_TITLES = {
    "auto": "Automatic (best available)",
    "cpu": "CPU",
    "cuda": "NVIDIA GPU (CUDA)",
    "directml": "GPU (DirectML, Windows)",
    "coreml": "Apple Neural Engine (CoreML)",
}

#: The "Send keys and clicks through" choices (pipeline.settings.sections.INPUT_BACKENDS).
INPUT_BACKEND_TITLES = {
    "auto": "Automatic (what this desktop offers)",
    "uinput": "uinput (Linux kernel virtual devices)",
}


#: onnxruntime's name of each provider choice ("auto" is always offered).
ORT_PROVIDERS = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "directml": "DmlExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
}


def counting_schemes() -> tuple[str, ...]:
    return tuple(COUNTING_SCHEMES)


def available_providers(reported: list[str] | None = None) -> list[str]:
    """The "Run on" choices this computer has: ``auto``, ``cpu`` and each provider that
    onnxruntime reports as available (``reported``: its list, asked when None)."""
    if reported is None:
        try:
            import onnxruntime as ort

            reported = list(ort.get_available_providers())
        except Exception:  # a broken onnxruntime install: the CPU is still offered
            reported = []
    return [name for name in PROVIDERS
            if name in ("auto", "cpu") or ORT_PROVIDERS.get(name) in reported]  # fmt: skip


def probe_provider(name: str) -> str | None:
    """Load the small palm model on provider ``name``; None when it runs there, else why not
    (in plain words). Blocks for a moment: called when the user chose a new provider."""
    if name in ("auto", "cpu"):
        return None
    from pipeline.models.manifest import model_path
    from pipeline.models.session import InferenceSession

    try:
        session = InferenceSession(model_path("palm_detection", "lite"), name, threads=1)
    except HandCueError as exc:
        return str(exc).splitlines()[0]
    except Exception as exc:  # onnxruntime's own errors are untyped
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if session.provider != ORT_PROVIDERS.get(name):
        return f"onnxruntime used {session.provider.replace('ExecutionProvider', '')} instead"
    return None


def arm_gesture_choices(known: list[str]) -> list[str]:
    """Gestures that can arm HandCue: held ones (no swipes), and "none" (button only)."""
    return [g for g in known if not is_dynamic_gesture(g)] + ["none"]


class SettingsDialog(QDialog):
    """``providers``: the "Run on" choices (default: :func:`available_providers`);
    ``probe``: checks a newly chosen provider (default: :func:`probe_provider`);
    ``tray_available``: whether the desktop has a system tray (asked when None)."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        providers: list[str] | None = None,
        probe: Callable[[str], str | None] = probe_provider,
        tray_available: bool | None = None,
        autostart: Autostart | None = None,
        pointer: Any = None,
        frames: Any = None,
        mirrored: bool = True,
    ) -> None:
        """``frames``: the live view's ``frame_ready`` signal (the Pointer page shows the
        camera's picture while calibrating), ``mirrored`` as the live view shows it."""
        super().__init__(parent)
        self.ctx = ctx
        self._opened_with = ctx.config  # OK takes only this dialog's edits to it
        self._probe = probe
        self._autostart = autostart or autostart_for_platform()
        self.pointer = pointer  # app.gui.pointer_mode.PointerMode, when the window has one
        self.setWindowTitle("HandCue settings")
        self.setMinimumWidth(420)
        cfg = ctx.config
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings pages")
        self.tabs.tabBar().setAccessibleName("Settings pages: General, Pointer")
        outer.addWidget(self.tabs, 1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(scroll_body(body), "General")

        tracking = QGroupBox("Tracking")
        form = QFormLayout(tracking)
        self.model = QComboBox()
        self.model.addItem("Full — most accurate", "full")
        self.model.addItem("Lite — fastest", "lite")
        self.model.setCurrentIndex(max(0, self.model.findData(cfg.tracker.model)))
        form.addRow("Hand model", self.model)
        self.max_hands = int_spin(TrackerSettings, "max_hands", cfg.tracker.max_hands)
        form.addRow("Hands to track", self.max_hands)
        self.provider = QComboBox()
        offered = available_providers() if providers is None else providers
        for name in offered:
            self.provider.addItem(PROVIDER_TITLES.get(name, name), name)
        if cfg.tracker.provider not in offered:  # the file asks for one this computer lacks
            self.provider.addItem(
                f"{PROVIDER_TITLES.get(cfg.tracker.provider, cfg.tracker.provider)} "
                "(not available here)", cfg.tracker.provider,
            )  # fmt: skip
        self.provider.setCurrentIndex(max(0, self.provider.findData(cfg.tracker.provider)))
        self.provider.setToolTip("Only the processors this computer can use are listed")
        form.addRow("Run on", self.provider)
        self.smoothing = fraction_slider(
            QSlider(Qt.Orientation.Horizontal), TrackerSettings, "smoothing", cfg.tracker.smoothing
        )
        self.smoothing.setToolTip("0 = raw (fast, jittery), 100 = steadiest (a little lag)")
        smoothing_row = QHBoxLayout()
        smoothing_row.addWidget(self.smoothing, 1)
        self.smoothing_value = QLabel()  # the slider's value, which it does not show itself
        self.smoothing_value.setMinimumWidth(
            self.smoothing_value.fontMetrics().horizontalAdvance("100")
        )
        self.smoothing.valueChanged.connect(lambda v: self.smoothing_value.setText(str(v)))
        self.smoothing_value.setText(str(self.smoothing.value()))
        smoothing_row.addWidget(self.smoothing_value)
        form.addRow("Smoothing", smoothing_row)
        self.far_hands = QCheckBox("Look for far hands")
        self.far_hands.setChecked(cfg.tracker.far_hands)
        self.far_hands.setToolTip(
            "Also look at zoomed parts of the picture, to find a hand a few metres away"
        )
        self.power_saving = QCheckBox("Power saving when no hand")
        self.power_saving.setChecked(cfg.tracker.power_saving)
        self.power_saving.setToolTip(
            "While no hand is in view, look for one only when something moves (and once a "
            "second); while a tracked hand is held still, look for another hand and re-check "
            "it twice a second instead of ten times: much less CPU"
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
        self.stable_ms = int_spin(GestureSettings, "hold_ms", cfg.gestures.hold_ms, step=25,
                                  suffix=" ms")  # fmt: skip
        self.stable_ms.setToolTip("A gesture must be seen this long before it counts")
        form.addRow("Recognise after", self.stable_ms)
        self.hold_ms = int_spin(ActionSettings, "default_hold_ms", cfg.actions.default_hold_ms,
                                step=50, suffix=" ms")  # fmt: skip
        self.hold_ms.setToolTip("Default time to hold a gesture before its action fires")
        form.addRow("Default hold", self.hold_ms)
        self.cooldown_ms = int_spin(ActionSettings, "default_cooldown_ms",
                                    cfg.actions.default_cooldown_ms, step=100, suffix=" ms")  # fmt: skip
        self.cooldown_ms.setToolTip("Default pause after an action before it can fire again")
        form.addRow("Default cooldown", self.cooldown_ms)
        layout.addWidget(gestures)

        safety = QGroupBox("Safety")
        form = QFormLayout(safety)
        actions = cfg.actions
        self.arm_gesture = QComboBox()
        known = ctx.known_gestures()
        if actions.arm_gesture not in known and actions.arm_gesture != "none":
            known.append(actions.arm_gesture)
        for gid in arm_gesture_choices(known):
            title = "None (arm with the button only)" if gid == "none" else gesture_title(gid)
            self.arm_gesture.addItem(f"{title}  ({gid})" if gid != "none" else title, gid)
        self.arm_gesture.setCurrentIndex(max(0, self.arm_gesture.findData(actions.arm_gesture)))
        self.arm_gesture.setToolTip("Hold this gesture to arm or disarm HandCue")
        self.arm_gesture.currentIndexChanged.connect(lambda _i: self._check_arm_conflicts())
        form.addRow("Arm gesture", self.arm_gesture)
        self.arm_hold_ms = int_spin(ActionSettings, "arm_hold_ms", actions.arm_hold_ms, step=100,
                                    suffix=" ms")  # fmt: skip
        self.arm_hold_ms.setToolTip("How long the arm gesture must be held to arm or disarm")
        form.addRow("Hold to arm", self.arm_hold_ms)
        hotkey_row = QHBoxLayout()
        self.pause_hotkey = KeyCaptureEdit()
        self.pause_hotkey.set_action(f"combo:{actions.pause_hotkey}" if actions.pause_hotkey
                                     else "")  # fmt: skip
        self.pause_hotkey.setPlaceholderText("No hotkey: click, then press a combination")
        self.pause_hotkey.setToolTip("Pauses and resumes HandCue from any application")
        self.clear_hotkey = QPushButton("No hotkey")
        self.clear_hotkey.setToolTip("Turn the pause hotkey off")
        self.clear_hotkey.clicked.connect(self.pause_hotkey.clear_capture)
        hotkey_row.addWidget(self.pause_hotkey, 1)
        hotkey_row.addWidget(self.clear_hotkey)
        form.addRow("Pause hotkey", hotkey_row)
        advice = wayland_hotkey_advice()
        self.hotkey_note: QLabel | None = None
        if advice:  # the hotkey does not reach HandCue from native Wayland windows
            self.hotkey_note = QLabel(advice)
            self.hotkey_note.setObjectName("hint")
            self.hotkey_note.setWordWrap(True)
            self.hotkey_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.hotkey_note)
        self.arm_note = QLabel("")
        self.arm_note.setObjectName("hint")
        self.arm_note.setWordWrap(True)
        self.arm_note.hide()
        form.addRow(self.arm_note)
        layout.addWidget(safety)

        sending = QGroupBox("Keys and clicks")
        form = QFormLayout(sending)
        self.input_backend = QComboBox()
        for key, title in INPUT_BACKEND_TITLES.items():
            self.input_backend.addItem(title, key)
        self.input_backend.setCurrentIndex(
            max(0, self.input_backend.findData(actions.input_backend))
        )
        self.input_backend.setToolTip(
            ActionSettings.model_fields["input_backend"].description or ""
        )
        form.addRow(field_title(ActionSettings, "input_backend"), self.input_backend)
        backend_note = QLabel(
            "uinput works on any Linux desktop (also Wayland) once /dev/uinput is writable; "
            "used from the next start."
        )
        backend_note.setObjectName("hint")
        backend_note.setWordWrap(True)
        form.addRow(backend_note)
        layout.addWidget(sending)

        window = QGroupBox("Window")
        form = QFormLayout(window)
        prefs = ctx.prefs
        self.mirror = QCheckBox(field_title(GuiPrefs, "mirror_preview"))
        self.mirror.setChecked(prefs.mirror_preview)
        self.start_minimised = QCheckBox(field_title(GuiPrefs, "start_minimised"))
        self.start_minimised.setChecked(prefs.start_minimised)
        self.close_to_tray = QCheckBox(field_title(GuiPrefs, "close_to_tray"))
        self.close_to_tray.setChecked(prefs.close_to_tray)
        self.autostart = QCheckBox("Start HandCue when I log in (minimised to the tray)")
        self.autostart.setToolTip(f"Writes {self._autostart.describe()}")
        self.autostart.setChecked(self._autostart.is_enabled())
        for box in (self.mirror, self.start_minimised, self.close_to_tray, self.autostart):
            form.addRow(box)
        if tray_available is None:
            tray_available = QSystemTrayIcon.isSystemTrayAvailable()
        if not tray_available:
            # Shown as saved but greyed out: OK must not turn off what the user chose on a
            # desktop with a tray (a tray that is missing now may be back at the next login).
            for box in (self.start_minimised, self.close_to_tray):
                box.setEnabled(False)
                box.setToolTip("This desktop has no system tray, so HandCue cannot live there")
            note = QLabel("This desktop has no system tray: HandCue closes with its window.")
            note.setObjectName("hint")
            note.setWordWrap(True)
            form.addRow(note)
        layout.addWidget(window)

        osd = QGroupBox("On-screen display")
        form = QFormLayout(osd)
        self.osd = QCheckBox(field_title(GuiPrefs, "osd"))
        self.osd.setChecked(prefs.osd)
        self.osd_sound = QCheckBox(field_title(GuiPrefs, "osd_sound"))
        self.osd_sound.setChecked(prefs.osd_sound)
        self.osd_position = QComboBox()
        for key, title in POSITIONS.items():
            self.osd_position.addItem(title, key)
        self.osd_position.setCurrentIndex(max(0, self.osd_position.findData(prefs.osd_position)))
        self.osd.toggled.connect(self.osd_sound.setEnabled)
        self.osd.toggled.connect(self.osd_position.setEnabled)
        self.osd_sound.setEnabled(prefs.osd)
        self.osd_position.setEnabled(prefs.osd)
        form.addRow(self.osd)
        form.addRow(self.osd_sound)
        form.addRow(field_title(GuiPrefs, "osd_position"), self.osd_position)
        layout.addWidget(osd)
        layout.addStretch(1)
        current = pointer.settings if pointer is not None else cfg.pointer
        self.pointer_page = PointerPage(current, gestures=ctx.known_gestures(), pointer=pointer,
                                        frames=frames, mirrored=mirrored)  # fmt: skip
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.pointer_page)
        self.tabs.addTab(scroller, "Pointer")

        self.error = QLabel()
        self.error.setObjectName("validation")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.buttons = buttons
        name_widgets(self)
        self._check_arm_conflicts()
        fit_to_screen(self, 560, 860)

    def _check_arm_conflicts(self) -> None:
        """Say which mappings the chosen arm gesture would silence (they stay saved)."""
        gesture = self.arm_gesture.currentData()
        profiles = sorted(
            name for name, p in self.ctx.config.profiles.items()
            if any(m.gesture == gesture for m in p.mappings)
        )  # fmt: skip
        if gesture != "none" and profiles:
            self.arm_note.setText(
                f"{gesture_title(gesture)} is mapped in {', '.join(profiles)}: while it is "
                "the arm gesture those mappings do nothing."
            )
        self.arm_note.setVisible(gesture != "none" and bool(profiles))

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
                               default_cooldown_ms=self.cooldown_ms.value(),
                               arm_gesture=self.arm_gesture.currentData(),
                               arm_hold_ms=self.arm_hold_ms.value(),
                               pause_hotkey=self.pause_hotkey.action().partition(":")[2],
                               input_backend=self.input_backend.currentData())  # fmt: skip
        data["pointer"] = self.pointer_page.settings().model_dump()
        return type(cfg).model_validate(data)

    def accept(self) -> None:
        try:
            pointer = self.pointer_page.settings()
            cfg = self.new_config()
            provider = cfg.tracker.provider
            if provider != self.ctx.config.tracker.provider:
                why = self._probe(provider)
                if why is not None:
                    old = self.ctx.config.tracker.provider
                    self.provider.setCurrentIndex(max(0, self.provider.findData(old)))
                    title = PROVIDER_TITLES.get(provider, provider)
                    self.error.setText(
                        f"{title} could not be used on this computer ({why}). HandCue keeps "
                        f"running on {PROVIDER_TITLES.get(old, old)}; nothing was saved."
                    )
                    self.error.show()
                    return
            replace = False
            fault = self.ctx.check_settings_file()
            if fault is not None:
                from app.gui.banner import ask_to_replace_settings_file

                if not ask_to_replace_settings_file(self, fault):
                    self.error.setText("Not saved: the settings file has a mistake and was left "
                                       "as it is.")  # fmt: skip
                    self.error.show()
                    return
                replace = True
            self.ctx.set_config(cfg, since=self._opened_with, replace_invalid=replace)
        except ValidationError as exc:
            from app.gui.validation_text import on_screen
            from pipeline.pointer import PointerSettings

            pointer_only = exc.title == PointerSettings.__name__  # the Pointer page's own check
            self.error.setText(
                on_screen(exc, PointerSettings if pointer_only else type(self.ctx.config))
            )
            self.error.show()
            return
        except HandCueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        try:
            if self.autostart.isChecked() != self._autostart.is_enabled():
                if self.autostart.isChecked():
                    self._autostart.enable()
                else:
                    self._autostart.disable()
        except HandCueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        window = self.window_prefs()
        self.ctx.set_prefs(window)
        if self.pointer is not None:
            self.pointer.set_settings(pointer)
        super().accept()

    def window_prefs(self) -> GuiPrefs:
        return self.ctx.prefs.changed(
            mirror_preview=self.mirror.isChecked(),
            start_minimised=self.start_minimised.isChecked(),  # as saved while greyed out
            close_to_tray=self.close_to_tray.isChecked(),
            osd=self.osd.isChecked(),
            osd_sound=self.osd_sound.isChecked(),
            osd_position=self.osd_position.currentData(),
        )
