"""``handcue run --pointer``: pointer mode in the command-line run (the hand moves the mouse).

Two calls per frame from :func:`app.cli.run.run`: :func:`PointerRun.filter_events` before the
action engine (pointer mode owns the fist and ok gestures) and :meth:`PointerRun.step` after it;
:meth:`PointerRun.release` in the run's ``finally``. Each frame gives one ``pointer`` JSON line:
``{"type": "pointer", "frame", "t_ms", "mode", "pinch", "x", "y", "sent"}`` where ``x, y`` is
the OS pointer read back after this frame's input (desktop pixels; the controller's own idea of
it in a dry run) and ``sent`` the clicks/presses/releases/scrolls of the frame. Ctrl+Alt+M (global hotkey, as in
the app) and the ``toggle_gesture`` switch pointer mode off and on during the run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from pipeline.pointer import Desktop, PointerDriver, PointerSettings, RecordingPointerSink
from pipeline.pointer.controller import PointerCommand

log = logging.getLogger(__name__)

POINTER_HOTKEY = "ctrl+alt+m"  # the app uses the same one (app.gui.pointer_mode)


def pointer_settings(cfg: Any) -> PointerSettings:
    """The ``[pointer]`` table of the settings, or the defaults when this config has none."""
    settings = getattr(cfg, "pointer", None)
    return settings if isinstance(settings, PointerSettings) else PointerSettings()


def _command_text(c: PointerCommand) -> str:
    if c.kind == "scroll":
        return f"scroll:{c.dx},{c.dy}"
    if c.kind == "click":
        return f"click:{c.button}" if c.count == 1 else f"click:{c.button}x{c.count}"
    return f"{c.kind}:{c.button}"


class PointerRun:
    """Pointer mode for one ``handcue run``."""

    def __init__(
        self,
        cfg: Any,
        sink: Any,
        dry_run: bool,
        warn: Callable[[str], None],
        *,
        enabled: bool = True,
    ) -> None:
        from app.desktop.geometry import virtual_desktop

        try:
            desktop = virtual_desktop()
        except Exception as exc:
            if not dry_run:
                raise
            warn(f"{exc}; the dry run maps onto a 1920x1080 desktop")
            desktop = Desktop.single(1920, 1080)
        self.dry_run = dry_run
        self.sink = RecordingPointerSink() if dry_run else sink
        self.driver = PointerDriver(self.sink, pointer_settings(cfg), desktop, enabled=enabled)
        self.desktop = desktop
        # the global pointer hotkey (as in the app) switches pointer mode from pynput's thread
        self._toggle_requests = threading.Event()
        self._hotkey: Any = None
        if not dry_run:
            from app.desktop.input_sink import PauseHotkey

            self._hotkey = PauseHotkey(POINTER_HOTKEY, self._toggle_requests.set)
            if not self._hotkey.start():
                warn(f"the pointer hotkey {POINTER_HOTKEY} is not available")
                self._hotkey = None

    def filter_events(self, events: Any) -> Any:
        return self.driver.filter_events(events)

    def step(self, result: Any, engine: Any) -> dict[str, Any] | None:
        """Run pointer mode on one tracked frame (active while the engine is armed and not
        paused); returns the frame's JSON line (None while pointer mode is switched off)."""
        if self._toggle_requests.is_set():
            self._toggle_requests.clear()
            self.driver.set_enabled(not self.driver.enabled)
        if not self.driver.enabled:
            return None
        active = bool(engine.armed) and not bool(engine.paused)
        commands = self.driver.step(result, active=active)
        state = self.driver.state
        pos = self.sink.pointer_position()
        if pos is None and state.x is not None and state.y is not None:
            pos = (round(state.x), round(state.y))
        return {
            "type": "pointer",
            "frame": result.frame_index,
            "t_ms": round(result.timestamp_ms, 1),
            "mode": state.mode,
            "pinch": state.pinch,
            "x": None if pos is None else pos[0],
            "y": None if pos is None else pos[1],
            "sent": [_command_text(c) for c in commands if c.kind != "move"],
        }

    def release(self) -> None:
        """End of the run: release held buttons, stop the hotkey."""
        self.driver.release()
        if self._hotkey is not None:
            self._hotkey.stop()
            self._hotkey = None


def make_pointer_run(
    args: Any, cfg: Any, sink: Any, warn: Callable[[str], None]
) -> PointerRun | None:
    """Pointer mode for this run, or None: on with ``--pointer`` or ``[pointer] enabled``;
    present but off when only a toggle gesture is set (the gesture switches it on)."""
    settings = pointer_settings(cfg)
    on = bool(getattr(args, "pointer", False)) or settings.enabled
    if not on and settings.toggle_gesture == "none":
        return None
    return PointerRun(cfg, sink, bool(args.dry_run), warn, enabled=on)
