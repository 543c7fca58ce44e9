"""System tray icon and menu: arm/disarm, pause, pointer mode, profile, mappings, settings,
show/hide, quit.

The menu and its actions exist even where there is no tray (tests, some Linux desktops); the icon
itself is only created when ``QSystemTrayIcon.isSystemTrayAvailable()``. Without a tray the window
does not close to the tray (it would be unreachable)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app import resources
from app.gui.main_window import MainWindow


class TrayController(QObject):
    """Owns the tray icon and keeps its menu in step with the app state (GUI thread)."""

    def __init__(self, window: MainWindow, *, force_available: bool | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.menu = QMenu()
        self.show_action = QAction("Hide window", self.menu)
        self.show_action.triggered.connect(self.toggle_window)
        self.arm_action = QAction("Armed", self.menu)
        self.arm_action.setCheckable(True)
        self.arm_action.triggered.connect(self._on_arm_triggered)
        self.pause_action = QAction("Paused", self.menu)
        self.pause_action.setCheckable(True)
        self.pause_action.triggered.connect(self._on_pause_triggered)
        # Pointer mode, kept in step with the window's own action (and its refusals).
        self.pointer_action = window.pointer_mode.make_toggle_action(self.menu)
        self.pointer_action.setShortcut("")  # the window's shortcut belongs to the window
        self.mappings_action = QAction("Mappings…", self.menu)
        self.mappings_action.triggered.connect(lambda: self._open(window.open_mapping_editor))
        self.settings_action = QAction("Settings…", self.menu)
        self.settings_action.triggered.connect(lambda: self._open(window.open_settings))
        self.profile_menu = QMenu("Profile", self.menu)
        self.profile_group = QActionGroup(self.profile_menu)
        self.profile_group.setExclusive(True)
        self.quit_action = QAction("Quit HandCue", self.menu)
        self.quit_action.triggered.connect(window.quit_app)
        self.menu.addAction(self.show_action)
        self.menu.addSeparator()
        self.menu.addAction(self.arm_action)
        self.menu.addAction(self.pause_action)
        self.menu.addAction(self.pointer_action)
        self.menu.addMenu(self.profile_menu)
        self.menu.addSeparator()
        self.menu.addAction(self.mappings_action)
        self.menu.addAction(self.settings_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)

        available = (
            QSystemTrayIcon.isSystemTrayAvailable() if force_available is None else force_available
        )
        self.icon: QSystemTrayIcon | None = None
        if available:
            self.icon = QSystemTrayIcon(resources.icon("disarmed"), self)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._on_icon_activated)
            self.icon.show()
        window.close_to_tray = available and self.ctx.prefs.close_to_tray
        self._told_about_tray = False
        window.hidden_to_tray.connect(self._on_hidden_to_tray)
        self.ctx.state_changed.connect(self.sync)
        self.ctx.config_changed.connect(self.sync)
        self.ctx.switch_changed.connect(self._on_switch_changed)
        self._last_switch: tuple[str, str] | None = None
        self.last_toast: tuple[str, str] | None = None  # (title, text) of the last switch toast
        self.menu.aboutToShow.connect(self.sync)
        self.sync()

    @property
    def available(self) -> bool:
        return self.icon is not None

    def sync(self) -> None:
        """Reflect armed / paused / profile / window visibility in the menu and icon."""
        engine = self.ctx.engine
        self.arm_action.setChecked(engine.armed)
        self.arm_action.setText("Armed (gestures act)" if engine.armed else "Arm gestures")
        self.pause_action.setChecked(engine.paused)
        self.show_action.setText("Hide window" if self.window.isVisible() else "Show window")
        names = self.ctx.profile_names()
        current = [a.text() for a in self.profile_group.actions()]
        if current != names:
            for action in self.profile_group.actions():
                self.profile_group.removeAction(action)
                self.profile_menu.removeAction(action)
                action.deleteLater()
            for name in names:
                action = QAction(name, self.profile_menu)
                action.setCheckable(True)
                action.triggered.connect(
                    lambda _checked=False, n=name: self.window.switch_profile(n)
                )
                self.profile_group.addAction(action)
                self.profile_menu.addAction(action)
        active = self.ctx.active_profile()
        for action in self.profile_group.actions():
            action.setChecked(action.text() == active)
        if self.icon is not None:
            name = "paused" if engine.paused else "armed" if engine.armed else "disarmed"
            self.icon.setIcon(resources.icon(name))
            choice = getattr(self.ctx.switcher, "choice", None)
            why = f" ({choice.reason})" if choice is not None and choice.profile == active else ""
            self.icon.setToolTip(f"HandCue — {name}, profile {active}{why}")

    def profile_action(self, name: str) -> QAction | None:
        for action in self.profile_group.actions():
            if action.text() == name:
                return action
        return None

    def _on_hidden_to_tray(self) -> None:
        self.sync()
        if self.icon is not None and not self._told_about_tray:
            self._told_about_tray = True
            self.icon.showMessage(
                "HandCue is still running",
                "Gestures keep working. Use this icon to show the window or quit.",
                resources.icon("hand"),
                4000,
            )

    def _on_switch_changed(self, choice: object) -> None:
        """The active window chose a profile: a short toast when the profile changed, saying
        which rule chose it (not for title changes that keep the profile)."""
        profile = str(getattr(choice, "profile", ""))
        source = str(getattr(choice, "source", ""))
        key = (profile, source)
        first = self._last_switch is None
        changed = self._last_switch is not None and self._last_switch[0] != profile
        self._last_switch = key
        self.sync()
        if first or not changed or source not in ("rule", "default"):
            return
        self.last_toast = (f"HandCue profile: {profile}", str(getattr(choice, "reason", "")))
        if self.icon is not None:
            self.icon.showMessage(*self.last_toast, resources.icon("hand"), 2500)

    def _open(self, dialog: Callable[[], object]) -> None:
        """Open one of the window's dialogs from the tray: the window comes back first (the
        dialogs belong to it, and a hidden parent would hide them too)."""
        if not self.window.isVisible():
            self.window.show_and_raise()
        dialog()
        self.sync()

    def toggle_window(self) -> None:
        if self.window.isVisible():
            self.window.hide()
        else:
            self.window.show_and_raise()
        self.sync()

    def _on_arm_triggered(self, checked: bool) -> None:
        self.window.set_armed(checked)

    def _on_pause_triggered(self, checked: bool) -> None:
        self.window.set_paused(checked)

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_window()
