"""The active-window sources, one per platform: :mod:`.x11` (python-xlib, EWMH with an
input-focus fall-back), :mod:`.win32` (ctypes) and :mod:`.macos` (pyobjc when installed).
:func:`create_window_source` picks the one for this desktop. The interface they implement
(:class:`pipeline.focus.WindowSource`) and the profile switching that reads them are in
:mod:`pipeline.focus`."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from pipeline.focus.window import WAYLAND_UNAVAILABLE, WatcherUnavailable, WindowSource, is_wayland


def create_window_source(
    platform: str | None = None, env: Mapping[str, str] | None = None
) -> WindowSource:
    """The active-window source for this desktop; raises :class:`WatcherUnavailable` with a
    message for the user when there is none (Wayland, no X display, pyobjc missing)."""
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    if platform == "win32":
        from app.desktop.focus.win32 import Win32Source

        return Win32Source()
    if platform == "darwin":
        from app.desktop.focus.macos import MacSource

        return MacSource()
    if is_wayland(env):
        raise WatcherUnavailable(WAYLAND_UNAVAILABLE)
    if not env.get("DISPLAY"):
        raise WatcherUnavailable(
            "automatic profile switching needs a desktop session: no X display (DISPLAY is not set)"
        )
    from app.desktop.focus.x11 import X11Source

    return X11Source(env.get("DISPLAY"))
