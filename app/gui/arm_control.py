"""Arming, pausing and the active profile, as the main window shows them: the arm button,
the profile list of the tool bar, the on-screen notes. GUI thread only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QMainWindow, QPushButton

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.toast import Osd

    _WindowBase = QMainWindow  # the mixin is only ever a base of MainWindow
else:
    _WindowBase = object


class ArmControl(_WindowBase):
    """Mixin of ``MainWindow``: arm / disarm, pause / resume and switch profile (also called
    by the tray), and keeping the arm button and the profile list up to date. The attributes
    below are the window's parts it uses."""

    ctx: AppContext
    osd: Osd
    arm_button: QPushButton
    profile_combo: QComboBox

    if TYPE_CHECKING:

        def show_message(self, text: str, level: str = "error",
                         actions: tuple[tuple[str, object], ...] = ()) -> None: ...  # fmt: skip

    def set_armed(self, armed: bool) -> None:
        self.ctx.engine.set_armed(armed)
        self._update_arm_button()
        self.ctx.state_changed.emit()
        self.osd.notify(*(("Armed: gestures act", "armed") if armed else ("Disarmed", "info")))

    def set_paused(self, paused: bool) -> None:
        self.ctx.engine.set_paused(paused)
        self._update_arm_button()
        self.ctx.state_changed.emit()
        self.osd.notify(*(("Paused", "paused") if paused else ("Resumed", "info")))

    def toggle_paused(self) -> None:
        """Pause or resume, whichever it is not (the menu, the hotkey, ``handcue toggle``)."""
        self.set_paused(not self.ctx.engine.paused)

    def action_for(self, gesture: str) -> str:
        """What ``gesture`` does in the active profile, in words ("" for nothing)."""
        from app.gui.action_words import action_words

        if gesture == self.ctx.config.actions.arm_gesture and gesture != "none":
            return "arm / disarm"
        for binding in self.ctx.engine.mappings:
            if binding.gesture == gesture:
                return action_words(binding.action)
        return ""

    def _on_arm_clicked(self) -> None:
        engine = self.ctx.engine
        if engine.paused:
            self.set_paused(False)
            return
        self.set_armed(not engine.armed)

    def _update_arm_button(self) -> None:
        engine = self.ctx.engine
        if engine.paused:
            state, text = "paused", "PAUSED\nclick to resume"
            about = "Paused: no gesture acts. Press to resume."
        elif engine.armed:
            state, text = "armed", "ARMED\ngestures act"
            about = "Armed: gestures press keys and click. Press to disarm."
        else:
            state, text = "disarmed", "DISARMED\nclick to arm"
            about = "Disarmed: gestures are shown but do nothing. Press to arm."
        self.arm_button.setText(text)
        self.arm_button.setAccessibleName(text.replace("\n", ": "))
        self.arm_button.setAccessibleDescription(about)
        self.arm_button.setChecked(engine.armed and not engine.paused)
        self.arm_button.setProperty("state", state)
        self.arm_button.style().unpolish(self.arm_button)
        self.arm_button.style().polish(self.arm_button)
        self.setWindowTitle(f"HandCue — {state}")

    @property
    def arm_state(self) -> str:
        return str(self.arm_button.property("state"))

    def refresh_profiles(self) -> None:
        names = self.ctx.profile_names()
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItems(names)
        active = self.ctx.engine.profile or (names[0] if names else "")
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findText(active)))
        self.profile_combo.blockSignals(False)

    def _on_profile_activated(self, index: int) -> None:
        self.switch_profile(self.profile_combo.itemText(index))

    def switch_profile(self, name: str) -> None:
        try:
            self.ctx.set_active_profile(name)
        except Exception as exc:
            self.show_message(f"Could not switch to profile {name!r}: {exc}")
        self.refresh_profiles()
        self.ctx.state_changed.emit()
