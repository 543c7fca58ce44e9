"""Pointer mode: the hand moves the mouse pointer, pinches and dwell click, drag and scroll.

Qt-free: :class:`PointerController` (state machine, pure), :class:`PointerDriver` (controller +
sink), :class:`PointerHook` (pointer mode inside the runtime loop, for both front ends), desktop
geometry and the settings model."""

from pipeline.pointer.controller import PointerCommand, PointerController, PointerState
from pipeline.pointer.geometry import Desktop, ScreenRect, area_from_corners, map_absolute
from pipeline.pointer.hook import PointerFrame, PointerHook
from pipeline.pointer.output import (
    GestureToggle,
    PointerDriver,
    RecordingPointerSink,
    apply_commands,
)
from pipeline.pointer.settings import ActiveArea, PointerSettings

__all__ = [
    "ActiveArea",
    "Desktop",
    "GestureToggle",
    "PointerCommand",
    "PointerController",
    "PointerDriver",
    "PointerFrame",
    "PointerHook",
    "PointerSettings",
    "PointerState",
    "RecordingPointerSink",
    "ScreenRect",
    "apply_commands",
    "area_from_corners",
    "map_absolute",
]
