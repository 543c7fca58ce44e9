"""Pointer mode in the desktop app: the hand moves the mouse pointer.

:class:`PointerMode` lives in the GUI thread. It runs :class:`pipeline.pointer.PointerDriver`
on each frame the worker delivers (``on_frame``), maps onto every monitor Qt knows (updated when
screens change), feeds the feedback overlay, and tells the action engine to withhold the gestures
pointer mode owns (fist = clutch, ok = pinch). It is switched by the main window's toggle
(Ctrl+Shift+M in the window) and, on a real desktop, the global hotkey Ctrl+Alt+M.
Disarm, pause, switching off and shutdown release any held button.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QScreen

from app.desktop.pointer import POINTER_HOTKEY, pointer_settings
from app.gui.pointer_overlay import PointerOverlay
from pipeline.pointer import Desktop, GestureToggle, PointerDriver, PointerSettings, PointerState
from pipeline.pointer.controller import anchor_point
from pipeline.pointer.geometry import area_from_corners, screens_from_logical

log = logging.getLogger(__name__)

WINDOW_SHORTCUT = "Ctrl+Shift+M"


def qt_desktop(screens: list[QScreen] | None = None) -> Desktop:
    """The virtual desktop in OS pointer pixels from Qt's screens."""
    screens = QGuiApplication.screens() if screens is None else screens
    entries = []
    for screen in screens:
        g = screen.geometry()
        entries.append((g.x(), g.y(), g.width(), g.height(), screen.devicePixelRatio()))
    return Desktop(tuple(screens_from_logical(entries, native_origin=sys.platform != "darwin")))


def native_to_logical(x: float, y: float, screens: list[QScreen] | None = None) -> tuple[int, int]:
    """OS pointer pixels -> Qt's logical coordinates (they differ on scaled screens)."""
    screens = QGuiApplication.screens() if screens is None else screens
    if sys.platform == "darwin":
        return round(x), round(y)
    for screen in screens:
        g, ratio = screen.geometry(), screen.devicePixelRatio()
        if g.x() <= x < g.x() + g.width() * ratio and g.y() <= y < g.y() + g.height() * ratio:
            return round(g.x() + (x - g.x()) / ratio), round(g.y() + (y - g.y()) / ratio)
    return round(x), round(y)


class PointerMode(QObject):
    """Signals: ``enabled_changed(bool)``; ``unavailable(str)`` when it cannot be switched on
    (no input sink). ``settings`` holds the pointer settings in use."""

    enabled_changed = Signal(bool)
    unavailable = Signal(str)
    calibrated = Signal(object)  # ActiveArea
    calibration_failed = Signal(str)
    _hotkey_pressed = Signal()

    def __init__(
        self,
        ctx: Any,
        parent: QObject | None = None,
        *,
        sink: Any = None,
        overlay: bool = True,
        global_hotkey: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sink = sink if sink is not None else getattr(ctx, "sink", None)
        self.settings: PointerSettings = pointer_settings(ctx.config)
        self.driver: PointerDriver | None = None
        self._toggle = GestureToggle(self.settings.toggle_gesture, self.settings.toggle_hold_ms)
        self.overlay = PointerOverlay() if overlay else None
        self._hotkey: Any = None
        self._corners: list[tuple[float, float]] | None = None  # collecting while calibrating
        self._hotkey_pressed.connect(self.toggle)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenAdded.connect(self._on_screens_changed)
            app.screenRemoved.connect(self._on_screens_changed)
        if global_hotkey is None:
            global_hotkey = type(self.sink).__name__ == "PynputSink"
        if global_hotkey:
            from app.desktop.input_sink import PauseHotkey

            self._hotkey = PauseHotkey(POINTER_HOTKEY, self._hotkey_pressed.emit)
            if not self._hotkey.start():
                self._hotkey = None

    @property
    def enabled(self) -> bool:
        return self.driver is not None and self.driver.enabled

    @property
    def state(self) -> PointerState:
        return self.driver.state if self.driver is not None else PointerState()

    def toggle(self) -> None:
        self.set_enabled(not self.enabled)

    def set_enabled(self, on: bool) -> bool:
        """Switch pointer mode; False (and ``unavailable``) when it cannot run here."""
        if on == self.enabled:
            return True
        if on:
            if self.sink is None or not hasattr(self.sink, "move_pointer"):
                self.unavailable.emit(
                    "Pointer mode needs mouse control, which is not available here "
                    "(see the log for why)"
                )
                self.enabled_changed.emit(False)
                return False
            self.driver = PointerDriver(self.sink, self.settings, qt_desktop())
        else:
            assert self.driver is not None
            self.driver.set_enabled(False)
            self.driver = None
            if self.overlay is not None:
                self.overlay.hide()
        self._update_withheld()
        self.enabled_changed.emit(on)
        return True

    def _update_withheld(self) -> None:
        """The engine holds back the toggle gesture always, fist and ok while pointer mode is on."""
        owned = set(self.driver.controller.owned_gestures) if self.driver is not None else set()
        if self.settings.toggle_gesture != "none":
            owned.add(self.settings.toggle_gesture)
        self.ctx.engine.withhold_gestures(owned)

    def set_settings(self, settings: PointerSettings) -> None:
        """New pointer settings (from the Settings dialog); releases anything held."""
        self.settings = settings
        self._toggle = GestureToggle(settings.toggle_gesture, settings.toggle_hold_ms)
        if self.driver is not None:
            self.driver.release()
            self.driver = PointerDriver(self.sink, settings, qt_desktop())
        self._update_withheld()

    def start_calibration(self, seconds: float = 6.0) -> None:
        """ "Show me the corners": for ``seconds`` the hand's anchor is recorded while the user
        reaches the corners they can reach comfortably; then ``calibrated(ActiveArea)`` (the
        settings are not changed: the Pointer page shows the area and OK saves it) or
        ``calibration_failed(message)``."""
        self._corners = []
        QTimer.singleShot(round(seconds * 1000), self._finish_calibration)

    def _finish_calibration(self) -> None:
        points, self._corners = self._corners or [], None
        try:
            area = area_from_corners(points, margin=0.05)
        except ValueError as exc:
            self.calibration_failed.emit(
                f"Calibration needs a hand moving to the corners (no area found: {exc})"
            )
            return
        self.calibrated.emit(area)

    def _collect_corner(self, frame: Any) -> None:
        result = frame.result
        wanted = self.settings.hand
        hands = [h for h in result.hands if wanted == "any" or h.handedness.lower() == wanted]
        if hands and self._corners is not None:
            hand = max(hands, key=lambda h: h.palm_size)
            x, y = anchor_point(hand, self.settings.anchor)
            self._corners.append((float(x) / result.width, float(y) / result.height))

    def on_frame(self, frame: Any) -> None:
        """GUI thread, once per delivered frame (``TrackedFrame``): move / click."""
        if self._corners is not None:
            self._collect_corner(frame)
        if self._toggle.update(getattr(frame, "events", ())):
            self.toggle()
        if self.driver is None:
            return
        engine = self.ctx.engine
        active = engine.armed and not engine.paused
        try:
            self.driver.step(frame.result, active=active)
        except Exception as exc:  # the OS refused input: stop, release, tell the user
            log.exception("pointer mode failed")
            self.set_enabled(False)
            self.unavailable.emit(f"Pointer mode stopped: {exc}")
            return
        if self.overlay is not None:
            state = self.driver.state
            if state.x is None or state.y is None:  # not moved yet: sit by the real pointer
                pos = self.driver.sink.pointer_position()
                if pos is not None:
                    state = PointerState(**{**state.__dict__, "x": pos[0], "y": pos[1]})
            if state.x is not None and state.y is not None:
                lx, ly = native_to_logical(state.x, state.y)
                state = PointerState(**{**state.__dict__, "x": lx, "y": ly})
            self.overlay.show_state(state)

    def attach(self, session: Any) -> None:
        """Release held buttons when tracking stops and when actions are disarmed or paused
        (no frame may come to do it); start in pointer mode if the settings say so."""
        self._update_withheld()
        if self.settings.enabled:
            self.set_enabled(True)
        session.running_changed.connect(self._on_running_changed)
        # Pointer mode follows every small move of the hand: the tracker reads every frame.
        set_precise = getattr(session, "set_precise", None)
        if set_precise is not None:
            self.enabled_changed.connect(set_precise)
            set_precise(self.enabled)
        state_changed = getattr(self.ctx, "state_changed", None)
        if state_changed is not None:
            state_changed.connect(self._on_gate_changed)

    def make_toggle_action(self, parent: QObject) -> QAction:
        """A checkable "Pointer" action with the window shortcut, kept in sync."""
        action = QAction("Pointer", parent)
        action.setCheckable(True)
        action.setShortcut(QKeySequence(WINDOW_SHORTCUT))
        action.setToolTip(
            f"Pointer mode: the hand moves the mouse ({WINDOW_SHORTCUT}; "
            f"{POINTER_HOTKEY.title()} anywhere). Pinch to click, hold the pinch to drag, "
            "make a fist to lift the mouse"
        )
        action.toggled.connect(self._on_action_toggled)
        self.enabled_changed.connect(action.setChecked)
        action.setChecked(self.enabled)
        return action

    def _on_action_toggled(self, on: bool) -> None:
        if on != self.enabled:
            self.set_enabled(on)

    def _on_running_changed(self, running: bool) -> None:
        if not running:
            self.release()

    def _on_gate_changed(self) -> None:
        engine = self.ctx.engine
        if not engine.armed or engine.paused:
            self.release()

    def release(self) -> None:
        """Release held buttons (disarm, pause, source stopped)."""
        if self.driver is not None:
            self.driver.release()

    def _on_screens_changed(self, *_: Any) -> None:
        if self.driver is not None:
            self.driver.controller.set_desktop(qt_desktop())

    def shutdown(self) -> None:
        if self.driver is not None:
            self.driver.release()
        if self._hotkey is not None:
            self._hotkey.stop()
            self._hotkey = None
        if self.overlay is not None:
            self.overlay.close()
