"""The virtual desktop for pointer mode outside Qt (``handcue run --pointer``).

X11: the root window (one rectangle spanning every monitor, origin 0,0: the pointer coordinates
XTEST uses). Windows: the virtual screen (``SM_XVIRTUALSCREEN`` ..., may start at negative
coordinates). macOS: the union of the active displays' bounds in points (Quartz). The desktop
app uses Qt's screen list instead (``app.gui.pointer_mode``).
"""

from __future__ import annotations

import os
import sys

from pipeline.errors import HandCueError
from pipeline.pointer.geometry import Desktop, ScreenRect


def _x11() -> Desktop:
    from Xlib import display as xdisplay

    d = xdisplay.Display()
    try:
        screen = d.screen()
        return Desktop.single(screen.width_in_pixels, screen.height_in_pixels)
    finally:
        d.close()


def _wayland() -> Desktop:
    """The outputs of a Wayland compositor, in its layout (logical pixels)."""
    from app.desktop.wayland.sink import read_outputs

    return Desktop(tuple(ScreenRect(x, y, w, h) for x, y, w, h in read_outputs()))


def _windows() -> Desktop:  # pragma: no cover - Windows only
    import ctypes

    metrics = ctypes.windll.user32.GetSystemMetrics  # type: ignore[attr-defined]
    x, y, w, h = (metrics(i) for i in (76, 77, 78, 79))
    return Desktop((ScreenRect(x, y, w, h),))


def _macos() -> Desktop:  # pragma: no cover - macOS only
    import Quartz  # comes with pynput's macOS dependencies (pyobjc)

    err, ids, count = Quartz.CGGetActiveDisplayList(16, None, None)
    if err or not count:
        raise OSError(f"CGGetActiveDisplayList failed ({err})")
    rects = []
    for display_id in ids[:count]:
        b = Quartz.CGDisplayBounds(display_id)
        rects.append(
            ScreenRect(int(b.origin.x), int(b.origin.y), int(b.size.width), int(b.size.height))
        )
    return Desktop(tuple(rects))


def virtual_desktop() -> Desktop:
    """The desktop the OS pointer moves on. Raises HandCueError when it cannot be read."""
    try:
        if sys.platform.startswith("win"):
            return _windows()
        if sys.platform == "darwin":
            return _macos()
        if os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
            return _wayland()
        if not os.environ.get("DISPLAY"):
            raise HandCueError(
                "pointer mode needs a desktop: no X display (DISPLAY is not set)", code=4
            )
        return _x11()
    except HandCueError:
        raise
    except Exception as exc:
        raise HandCueError(f"cannot read the screen size for pointer mode: {exc}", code=4) from None
