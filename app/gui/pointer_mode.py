"""Pointer mode in the desktop app: the hand moves the mouse pointer.

The work is done where ``handcue run --pointer`` does it: a
:class:`pipeline.pointer.hook.PointerHook` that the app hands to its runtime (``ctx.pointer``,
:meth:`app.gui.context.AppContext.build_runtime`), so the pointer moves on the tracking thread on
every tracked frame and the gestures pointer mode owns (fist = clutch, ok = pinch, the toggle
gesture) are withheld by the action engine. :class:`PointerMode` (GUI thread) keeps the rest:
the toggle (the window's action, Ctrl+Shift+M, and the global hotkey Ctrl+Alt+M on a real
desktop), the desktop from Qt's screens (updated when they change), the feedback overlay drawn
from each delivered frame's :class:`pipeline.pointer.hook.PointerFrame`, the corner
calibration's timer, and releasing held buttons on disarm, pause, stop and shutdown. It also
owns the click palette (:mod:`app.gui.click_palette`): shown while pointer mode is on (unless
``show_palette`` is off), its buttons handed to the hook for the hit test, sized for the setup's
precision, and its place remembered in the window preferences.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QScreen

from app.desktop.pointer import POINTER_HOTKEY
from app.gui.click_palette import ClickPalette
from app.gui.pointer_overlay import PointerOverlay
from pipeline.actions.sink import can_move_pointer
from pipeline.pointer import Desktop, PointerHook, PointerSettings, PointerState
from pipeline.pointer.click_types import palette_button_px
from pipeline.pointer.geometry import area_from_corners, screens_from_logical

if TYPE_CHECKING:
    from app.desktop.input_sink import PauseHotkey
    from app.gui.context import AppContext
    from app.gui.tracked_frames import TrackedFrame
    from app.gui.worker import TrackingSession

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


def reaches_desktop(sink: object) -> bool:
    """Whether ``sink`` sends real input to the desktop: a ``PynputSink`` itself or inside the
    wrappers the app puts around it (``GuardedSink``, ``BackgroundTyping``: each keeps the sink
    it wraps in ``.sink``). Global hotkeys are only started then (tests run on fakes). Checking
    the outer type alone missed the app's own wrapped sink, so Ctrl+Alt+M never worked."""
    for _ in range(8):  # wrappers nest a few deep at most
        if type(sink).__name__ == "PynputSink":
            return True
        inner = getattr(sink, "sink", None)
        if inner is None or inner is sink:
            return False
        sink = inner
    return False


class PointerMode(QObject):
    """Signals: ``enabled_changed(bool)``; ``unavailable(str)`` when it cannot be switched on
    (no input sink) or the OS refused input. ``hook`` is the runtime's pointer hook (also
    ``ctx.pointer``); ``settings`` the pointer settings in use."""

    enabled_changed = Signal(bool)
    unavailable = Signal(str)
    calibrated = Signal(object)  # ActiveArea
    calibration_failed = Signal(str)
    _hotkey_pressed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        *,
        sink: object = None,
        overlay: bool = True,
        palette: bool | None = None,
        global_hotkey: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sink = sink if sink is not None else getattr(ctx, "sink", None)
        self.hook = PointerHook(
            self.sink, ctx.engine, ctx.config.pointer, qt_desktop(),
            enabled=False, stop_on_error=True,
        )  # fmt: skip
        ctx.pointer = self.hook  # the runtime of every session runs it
        self._shown_enabled = False  # what enabled_changed last said
        self.overlay = PointerOverlay() if overlay else None
        # the click palette (``palette``: as ``overlay`` unless said)
        self.palette: ClickPalette | None = None
        self._frame_size = (640, 480)  # the camera's, until a frame says
        if overlay if palette is None else palette:
            self.palette = ClickPalette(self._palette_px())
            self.palette.layout_changed.connect(self.hook.set_palette)
            self.palette.chosen.connect(self.hook.choose)
            self.palette.moved.connect(self._on_palette_moved)
        self._hotkey: PauseHotkey | None = None
        self._hotkey_pressed.connect(self.toggle)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenAdded.connect(self._on_screens_changed)
            app.screenRemoved.connect(self._on_screens_changed)
        if global_hotkey is None:
            global_hotkey = reaches_desktop(self.sink)
        if global_hotkey:
            from app.desktop.input_sink import PauseHotkey

            self._hotkey = PauseHotkey(POINTER_HOTKEY, self._hotkey_pressed.emit)
            if not self._hotkey.start():
                self._hotkey = None

    @property
    def enabled(self) -> bool:
        return self.hook.enabled

    @property
    def settings(self) -> PointerSettings:
        return self.hook.settings

    @property
    def state(self) -> PointerState:
        return self.hook.state

    def shown_area(self) -> tuple[float, float, float, float] | None:
        """The active area to draw on the live view (left, top, right, bottom fractions of the
        unmirrored frame) while pointer mode is on; None while it is off."""
        if not self.enabled:
            return None
        a = self.settings.active_area
        return (a.left, a.top, a.right, a.bottom)

    def toggle(self) -> None:
        self.set_enabled(not self.enabled)

    def set_enabled(self, on: bool) -> bool:
        """Switch pointer mode; False (and ``unavailable``) when it cannot run here."""
        if on and (self.sink is None or not can_move_pointer(self.sink)):
            self.unavailable.emit(
                "Pointer mode needs mouse control, which is not available here "
                "(see the log for why)"
            )
            self._announce(False, force=True)
            return False
        if on != self.enabled:
            self.hook.set_enabled(on)
        self._announce(on)
        return True

    def _announce(self, on: bool, force: bool = False) -> None:
        if not on and self.overlay is not None:
            self.overlay.hide()
        if force or on != self._shown_enabled:
            self._shown_enabled = on
            self._sync_palette(on)
            self.enabled_changed.emit(on)

    def set_settings(self, settings: PointerSettings) -> None:
        """New pointer settings (from the Settings dialog); releases anything held."""
        self.hook.set_settings(settings)
        self._sync_palette(self.enabled)

    # ------------------------------------------------------------------ the click palette
    def _palette_px(self) -> int:
        return palette_button_px(self.settings, qt_desktop(), *self._frame_size)

    def _sync_palette(self, on: bool) -> None:
        """Show the palette while pointer mode is on and ``show_palette`` says so; size it."""
        palette = self.palette
        if palette is None:
            return
        if not (on and self.settings.show_palette):
            palette.hide()
            return
        palette.set_button_px(self._palette_px())
        if not palette.isVisible():
            saved = getattr(getattr(self.ctx, "prefs", None), "palette_position", ())
            palette.place(QPoint(*saved) if len(saved) == 2 else None)
            palette.show()
            palette.raise_()

    def _on_palette_moved(self, at: QPoint) -> None:
        set_prefs = getattr(self.ctx, "set_prefs", None)
        if set_prefs is not None:
            set_prefs(self.ctx.prefs.changed(palette_position=(at.x(), at.y())))

    def start_calibration(self, seconds: float = 6.0) -> None:
        """ "Show me the corners": for ``seconds`` the hand's anchor is recorded while the user
        reaches the corners they can reach comfortably; then ``calibrated(ActiveArea)`` (the
        settings are not changed: the Pointer page shows the area and OK saves it) or
        ``calibration_failed(message)``."""
        self.hook.start_calibration()
        QTimer.singleShot(round(seconds * 1000), self, self._finish_calibration)

    def _finish_calibration(self) -> None:
        points = self.hook.finish_calibration()
        try:
            area = area_from_corners(points, margin=0.05)
        except ValueError as exc:
            self.calibration_failed.emit(
                f"Calibration needs a hand moving to the corners (no area found: {exc})"
            )
            return
        self.calibrated.emit(area)

    def on_frame(self, frame: TrackedFrame) -> None:
        """GUI thread, once per delivered frame (``TrackedFrame``): show what the tracking
        thread's pointer hook did (``frame.pointer``)."""
        pointer = getattr(frame, "pointer", None)
        if pointer is None:
            return
        if pointer.error is not None:  # the OS refused input: the hook stopped and released
            self._announce(False)
            self.unavailable.emit(f"Pointer mode stopped: {pointer.error}")
            return
        self._announce(pointer.enabled)  # the toggle gesture or the hotkey switched it
        if not pointer.enabled:
            return
        result = getattr(frame, "result", None)
        if result is not None and (result.width, result.height) != self._frame_size:
            self._frame_size = (result.width, result.height)
            self._sync_palette(True)  # the precision changed: so may the buttons' size
        raised = False
        if self.palette is not None and self.palette.isVisible():
            raised = self.palette.show_state(pointer.state)
        if self.overlay is None:
            return
        if raised:
            self.overlay.raise_()  # the ring stays above the palette
        state = pointer.state
        if (state.x is None or state.y is None) and pointer.position is not None:
            # not moved yet: sit by the real pointer
            state = PointerState(**{**state.__dict__, "x": pointer.position[0],
                                    "y": pointer.position[1]})  # fmt: skip
        if state.x is not None and state.y is not None:
            lx, ly = native_to_logical(state.x, state.y)
            state = PointerState(**{**state.__dict__, "x": lx, "y": ly})
        self.overlay.show_state(state)

    def attach(self, session: TrackingSession) -> None:
        """Release held buttons when tracking stops and when actions are disarmed or paused
        (no frame may come to do it); start in pointer mode if the settings say so."""
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
        self.hook.release()

    def _on_screens_changed(self, *_: object) -> None:
        self.hook.set_desktop(qt_desktop())
        if self.palette is not None and self.palette.isVisible():
            self.palette.place(self.palette.pos())  # back on a screen if its screen went
            self.palette.layout_changed.emit(self.palette.desktop_layout())

    def shutdown(self) -> None:
        self.hook.set_enabled(False)
        self.hook.release()
        if self._hotkey is not None:
            self._hotkey.stop()
            self._hotkey = None
        if self.overlay is not None:
            self.overlay.close()
        if self.palette is not None:
            self.palette.close()
