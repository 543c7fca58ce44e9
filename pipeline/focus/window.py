"""The active window, as every platform's watcher reports it, and the one small interface.

A :class:`WindowSource` answers "which window has the focus now?" with a :class:`WindowInfo`.
The platform sources live with the rest of the OS integration, in :mod:`app.desktop.focus`.
On Wayland only some compositors tell other programs which window is active (wlroots ones
such as sway and Hyprland, KDE Plasma through a KWin script; GNOME does not): elsewhere
:func:`create_window_source` says so and the profile stays the one chosen by hand. A Wayland
window's app id is carried in ``wm_class`` (one item), where rules match it like an X11 class.

Threads: a source is created in any thread and then used by one thread at a time (the
watcher's); an X connection must not be shared between threads.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

WAYLAND_UNAVAILABLE = (
    "automatic profile switching is not available on this Wayland desktop: its compositor "
    "does not tell other programs which window is active (sway, Hyprland, river, labwc and "
    "KDE Plasma do). Choose the profile by hand or from the tray icon."
)


@dataclass(frozen=True)
class WindowInfo:
    """The focused top-level window.

    ``window_id``: the platform's handle (X11 window id, Windows HWND, macOS window number; 0
    when unknown). ``process``: the process name without folder (``vlc``, ``POWERPNT.EXE``,
    ``Keynote``), "" when unknown. ``wm_class``: X11 ``WM_CLASS`` (instance, class), empty
    elsewhere. ``window_class``: the Windows window class (``PPTFrameClass``). ``bundle_id``:
    macOS only. ``pid``: owning process, 0 when unknown.
    """

    title: str = ""
    process: str = ""
    wm_class: tuple[str, ...] = ()
    window_class: str = ""
    bundle_id: str = ""
    pid: int = 0
    window_id: int = 0

    @property
    def app_names(self) -> tuple[str, ...]:
        """Everything a rule's ``app`` is compared with (non-empty, in this order)."""
        names = (self.process, *self.wm_class, self.window_class, self.bundle_id)
        return tuple(n for n in names if n)

    @property
    def app(self) -> str:
        """The name shown to the user and suggested for a new rule."""
        if self.wm_class:
            return self.wm_class[-1] or self.wm_class[0]
        return self.process or self.bundle_id

    def describe(self) -> str:
        app = self.app or "unknown app"
        return f"{app}: {self.title!r}" if self.title else app

    def as_dict(self) -> dict[str, object]:
        return {
            "app": self.app,
            "title": self.title,
            "process": self.process,
            "wm_class": list(self.wm_class),
            "window_class": self.window_class,
            "bundle_id": self.bundle_id,
            "pid": self.pid,
            "window_id": self.window_id,
        }


class WindowSource(Protocol):
    """One platform's way to read the active window."""

    name: str

    def active_window(self) -> WindowInfo | None:
        """The focused top-level window, or None when no window has the focus."""
        ...

    def close(self) -> None: ...


class WatcherUnavailable(Exception):
    """There is no way to read the active window here; the message says why, for the user."""


def is_wayland(env: Mapping[str, str]) -> bool:
    return env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
