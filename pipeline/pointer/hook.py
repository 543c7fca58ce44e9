"""Pointer mode inside the runtime loop: the one path both front ends use.

:class:`PointerHook` is handed to :func:`pipeline.runtime.build_runtime` by ``handcue run``
(:func:`app.desktop.pointer.make_pointer_hook`) and by the desktop app
(:class:`app.gui.pointer_mode.PointerMode`). Per tracked frame the runtime calls
:meth:`PointerHook.filter_events` before the action engine and :meth:`PointerHook.step` after
it; the front ends only choose the sink and the desktop, show the result (a JSON line, the
overlay) and switch pointer mode on and off.

What it does each frame: the toggle gesture switches pointer mode; the gestures pointer mode
owns (the toggle gesture always; fist = clutch and ok = pinch while it is on) are withheld from
the action engine (:meth:`pipeline.actions.ActionEngine.withhold_gestures`, which releases what
such a gesture held); the hand's anchor is collected while calibrating; the controller moves the
pointer and clicks, active while the engine is armed and not paused.

Threads: ``filter_events`` and ``step`` run on the tracking thread. Every other method may be
called from any thread (the app's GUI thread, a hotkey's thread); one lock keeps the driver and
the sink used by one thread at a time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pipeline.pointer.click_types import PaletteLayout
from pipeline.pointer.controller import PointerCommand, PointerState, anchor_point
from pipeline.pointer.geometry import Desktop
from pipeline.pointer.output import GestureToggle, PointerDriver, apply_commands
from pipeline.pointer.settings import PointerSettings
from pipeline.types import FrameResult, GestureEvent

log = logging.getLogger(__name__)


class GestureGate(Protocol):
    """What pointer mode needs of the action engine (:class:`pipeline.actions.ActionEngine`)."""

    @property
    def armed(self) -> bool: ...

    @property
    def paused(self) -> bool: ...

    def withhold_gestures(self, gestures: Iterable[str]) -> None: ...


@dataclass(frozen=True)
class PointerFrame:
    """What pointer mode did on one frame (immutable; made on the tracking thread).

    ``enabled``: pointer mode is on after this frame. ``state``: the controller's state (its
    ``x, y`` are where it put the pointer, desktop pixels; None before the first move).
    ``position``: the OS pointer read back after this frame's input (desktop pixels), the
    controller's own idea of it when the sink cannot be read, None before anything is known.
    ``sent``: the clicks, presses, releases and scrolls of the frame (moves left out).
    ``error``: why pointer mode stopped on this frame (the sink refused input), else None.
    """

    frame_index: int
    timestamp_ms: float
    enabled: bool
    state: PointerState
    position: tuple[int, int] | None
    sent: tuple[PointerCommand, ...] = ()
    error: str | None = None


class PointerHook:
    """Pointer mode for one front end.

    ``sink``: the pointer output (:class:`pipeline.pointer.output.PointerSink`: the desktop's
    input sink, or a recording sink for dry runs). ``engine``: the action engine, told which
    gestures to withhold. ``desktop``: the virtual desktop in OS pointer pixels. ``enabled``:
    pointer mode on at start. ``stop_on_error``: when the sink raises, switch pointer mode off
    and report the error in the frame (the app) instead of raising it (``handcue run``).
    """

    def __init__(
        self,
        sink: object,
        engine: GestureGate,
        settings: PointerSettings,
        desktop: Desktop,
        *,
        enabled: bool = True,
        stop_on_error: bool = False,
    ) -> None:
        self.sink = sink
        self._engine = engine
        self._settings = settings
        self._stop_on_error = stop_on_error
        self._lock = threading.RLock()
        self._driver = PointerDriver(sink, settings, desktop, enabled=enabled)
        self._toggle = GestureToggle(settings.toggle_gesture, settings.toggle_hold_ms)
        self._toggle_requested = threading.Event()
        self._corners: list[tuple[float, float]] | None = None
        self._update_withheld()

    # ------------------------------------------------------------------ any thread
    @property
    def enabled(self) -> bool:
        return self._driver.enabled

    @property
    def settings(self) -> PointerSettings:
        return self._settings

    @property
    def state(self) -> PointerState:
        with self._lock:
            return self._driver.state

    def set_enabled(self, enabled: bool) -> None:
        """Switch pointer mode now; switching off releases what it held."""
        with self._lock:
            if enabled != self._driver.enabled:
                self._driver.set_enabled(enabled)
                self._update_withheld()

    def request_toggle(self) -> None:
        """Flip pointer mode at the next frame (for a hotkey's own thread)."""
        self._toggle_requested.set()

    def set_settings(self, settings: PointerSettings) -> None:
        """New pointer settings: releases anything held and starts a fresh controller."""
        with self._lock:
            enabled = self._driver.enabled
            desktop = self._driver.controller.desktop
            self._driver.release()
            self._settings = settings
            clicks, palette = self._driver.controller.clicks, self._driver.controller.palette
            self._driver = PointerDriver(self.sink, settings, desktop, enabled=enabled)
            # the palette's choice and pause outlive a settings change (its drag was released)
            self._driver.controller.clicks = clicks
            self._driver.controller.set_palette(palette)
            self._toggle = GestureToggle(settings.toggle_gesture, settings.toggle_hold_ms)
            self._update_withheld()

    def set_palette(self, layout: PaletteLayout) -> None:
        """Where the click palette's buttons are now (desktop pixels; an empty layout when it
        is hidden). The tracking thread hit-tests the pointer against it from the next frame."""
        with self._lock:
            self._driver.controller.set_palette(layout)

    def choose(self, button: str) -> None:
        """A palette button chosen by the real mouse (as a dwell on it would); never raises
        for the sink (a refused release is logged)."""
        with self._lock:
            commands = self._driver.controller.choose(button)
            try:
                apply_commands(self.sink, commands)
            except Exception:
                log.exception("could not send %s", commands)

    def set_desktop(self, desktop: Desktop) -> None:
        """The screens changed."""
        with self._lock:
            self._driver.controller.set_desktop(desktop)

    def start_calibration(self) -> None:
        """Collect the hand's anchor (fractions of the frame) from the next frames on."""
        with self._lock:
            self._corners = []

    def finish_calibration(self) -> list[tuple[float, float]]:
        """Stop collecting; the anchors seen since :meth:`start_calibration`."""
        with self._lock:
            points, self._corners = self._corners or [], None
            return points

    def release(self) -> None:
        """Release every held button (disarm, pause, source stopped, exit); never raises."""
        with self._lock:
            self._driver.release()

    # ------------------------------------------------------------------ tracking thread
    def filter_events(self, events: Sequence[GestureEvent]) -> list[GestureEvent]:
        """Before the action engine: the toggle gesture and a requested toggle switch pointer
        mode. Returns the events unchanged: the engine withholds the gestures pointer mode
        owns itself, so a key such a gesture held is released when pointer mode takes it."""
        events = list(events)
        with self._lock:
            flip = self._toggle.update(events)
            if self._toggle_requested.is_set():
                self._toggle_requested.clear()
                flip = not flip
            if flip:
                self.set_enabled(not self._driver.enabled)
                log.info("pointer mode %s", "on" if self._driver.enabled else "off")
        return events

    def step(self, result: FrameResult) -> PointerFrame:
        """After the action engine: calibration, then move / click (active while the engine
        is armed and not paused)."""
        with self._lock:
            if self._corners is not None:
                self._collect_corner(result)
            commands: list[PointerCommand] = []
            error = None
            if self._driver.enabled:
                paused = bool(self._engine.paused)
                active = bool(self._engine.armed) and not paused
                try:
                    commands = self._driver.step(result, active=active, paused=paused)
                except Exception as exc:
                    if not self._stop_on_error:
                        raise
                    log.exception("pointer mode failed")
                    self.set_enabled(False)
                    error = str(exc)
            state = self._driver.state
            position = self._read_position(state) if self._driver.enabled else None
            return PointerFrame(
                frame_index=result.frame_index,
                timestamp_ms=result.timestamp_ms,
                enabled=self._driver.enabled,
                state=state,
                position=position,
                sent=tuple(c for c in commands if c.kind != "move"),
                error=error,
            )

    # ------------------------------------------------------------------ helpers (locked)
    def _update_withheld(self) -> None:
        owned = set(self._driver.controller.owned_gestures) if self._driver.enabled else set()
        if self._settings.toggle_gesture != "none":
            owned.add(self._settings.toggle_gesture)
        self._engine.withhold_gestures(owned)

    def _read_position(self, state: PointerState) -> tuple[int, int] | None:
        position = self._driver.read_pointer()
        if position is None and state.x is not None and state.y is not None:
            position = (round(state.x), round(state.y))
        return position

    def _collect_corner(self, result: FrameResult) -> None:
        wanted = self._settings.hand
        hands = [h for h in result.hands if wanted == "any" or h.handedness.lower() == wanted]
        if hands and self._corners is not None:
            hand = max(hands, key=lambda h: h.palm_size)
            x, y = anchor_point(hand, self._settings.anchor)
            self._corners.append((float(x) / result.width, float(y) / result.height))
