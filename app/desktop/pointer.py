"""Pointer mode on this desktop, for ``handcue run --pointer``: the desktop it maps onto and the
global hotkey. The per-frame work is :class:`pipeline.pointer.hook.PointerHook`, the same object
the desktop app hands to its runtime (:mod:`app.gui.pointer_mode`, which takes the desktop from
Qt's screens instead).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.desktop import geometry, input_sink
from pipeline.pointer import Desktop, RecordingPointerSink
from pipeline.pointer.hook import GestureGate, PointerHook
from pipeline.settings import AppConfig

POINTER_HOTKEY = "ctrl+alt+m"  # the same in the app (app.gui.pointer_mode) and handcue run


def make_pointer_hook(
    args: argparse.Namespace,
    cfg: AppConfig,
    sink: object,
    engine: GestureGate,
    warn: Callable[[str], None],
) -> PointerHook | None:
    """Pointer mode for this run, or None: on with ``--pointer`` or ``[pointer] enabled``;
    present but off when only a toggle gesture is set (the gesture switches it on). A dry run
    moves a recorded pointer (on a 1920x1080 desktop when there is no display to read)."""
    settings = cfg.pointer
    on = bool(getattr(args, "pointer", False)) or settings.enabled
    if not on and settings.toggle_gesture == "none":
        return None
    dry_run = bool(args.dry_run)
    try:
        desktop = geometry.virtual_desktop()
    except Exception as exc:
        if not dry_run:
            raise
        warn(f"{exc}; the dry run maps onto a 1920x1080 desktop")
        desktop = Desktop.single(1920, 1080)
    out = RecordingPointerSink() if dry_run else sink
    return PointerHook(out, engine, settings, desktop, enabled=on)


def start_pointer_hotkey(
    hook: PointerHook, warn: Callable[[str], None]
) -> input_sink.PauseHotkey | None:
    """The global hotkey that switches pointer mode during the run (as in the app), or None
    when the desktop does not offer it. Stop it at the end of the run."""
    hotkey = input_sink.PauseHotkey(POINTER_HOTKEY, hook.request_toggle)
    if not hotkey.start():
        warn(f"the pointer hotkey {POINTER_HOTKEY} is not available")
        return None
    return hotkey
