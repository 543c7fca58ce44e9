"""The active-window sources, one per platform: :mod:`.x11` (python-xlib, EWMH with an
input-focus fall-back), :mod:`.win32` (ctypes), :mod:`.macos` (pyobjc when installed), and on
Wayland :mod:`.wlroots` (sway IPC, wlr foreign-toplevel) and :mod:`.kwin` (KDE Plasma).
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
        return wayland_window_source(env)
    if not env.get("DISPLAY"):
        raise WatcherUnavailable(
            "automatic profile switching needs a desktop session: no X display (DISPLAY is not set)"
        )
    from app.desktop.focus.x11 import X11Source

    return X11Source(env.get("DISPLAY"))


def wayland_window_source(env: Mapping[str, str]) -> WindowSource:
    """The active-window source of a Wayland session: sway's IPC, the wlr foreign-toplevel
    list (Hyprland, river, labwc, Wayfire), a KWin script (KDE Plasma); GNOME and other
    desktops have none (:class:`WatcherUnavailable` with the reason)."""
    from app.desktop.backends import read_session

    session = read_session(env, "linux")
    if env.get("SWAYSOCK"):
        from app.desktop.focus.wlroots import SwaySource

        try:
            return SwaySource(env["SWAYSOCK"])
        except WatcherUnavailable:
            pass  # a stale SWAYSOCK: try the protocol
    if session.desktop not in ("gnome", "kde"):
        from app.desktop.focus.wlroots import ToplevelSource

        try:
            return ToplevelSource(env)
        except WatcherUnavailable as exc:
            if session.desktop in ("sway", "hyprland", "river", "labwc", "wayfire"):
                raise
            reason = str(exc)
        else:  # pragma: no cover - returned above
            reason = ""
        raise WatcherUnavailable(f"{WAYLAND_UNAVAILABLE} ({reason})")
    if session.desktop == "kde":
        try:
            from app.desktop.focus.kwin import KWinSource
        except ImportError as exc:
            raise WatcherUnavailable(f"{WAYLAND_UNAVAILABLE} ({exc})") from None
        return KWinSource(env)
    try:
        from app.desktop.focus.wayland_desktops import GNOME_NO_ACTIVE_WINDOW
    except ImportError:
        raise WatcherUnavailable(WAYLAND_UNAVAILABLE) from None
    raise WatcherUnavailable(GNOME_NO_ACTIVE_WINDOW)
