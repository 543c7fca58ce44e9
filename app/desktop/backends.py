"""Which way HandCue's keys and clicks reach applications here, chosen once at start.

* ``x11``: an X11 session (or a Wayland one where only X11 can be used): XTEST, as always
  (:class:`app.desktop.input_sink.PynputSink`). Under Wayland only X11 (XWayland) windows
  receive it, and the description says so.
* ``wlroots``: a Wayland compositor that offers the virtual keyboard protocol (sway,
  Hyprland, river, labwc, Wayfire): :class:`app.desktop.wayland.sink.WlrootsSink`.
* ``portal``: GNOME, KDE Plasma and other Wayland desktops without it: the xdg-desktop-portal
  RemoteDesktop interface (:func:`app.desktop.wayland.portal.open_portal_sink`; the desktop
  asks the user once).
* ``uinput``: opt-in (the ``input_backend`` setting): a kernel virtual keyboard and mouse
  (:func:`app.desktop.uinput.open_uinput_sink`), on any desktop, where ``/dev/uinput`` may be
  written.
* ``native``: Windows and macOS (pynput).

The choice looks at the session (``XDG_SESSION_TYPE``, ``WAYLAND_DISPLAY``, ``DISPLAY``), the
desktop (``XDG_CURRENT_DESKTOP``, ``SWAYSOCK``, ``HYPRLAND_INSTANCE_SIGNATURE``) and, on
Wayland, the globals the compositor offers. :func:`choose_backend` is the pure decision
(tests); :func:`open_backend` opens the sink. Each backend comes with one line for the user
saying what it can and cannot do (``handcue run``'s start line, the app's status).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import HandCueError

log = logging.getLogger(__name__)

X11, WLROOTS, PORTAL, UINPUT, NATIVE = "x11", "wlroots", "portal", "uinput", "native"
VIRTUAL_KEYBOARD = "zwp_virtual_keyboard_manager_v1"
VIRTUAL_POINTER = "zwlr_virtual_pointer_manager_v1"
FOREIGN_TOPLEVEL = "zwlr_foreign_toplevel_manager_v1"


@dataclass(frozen=True)
class Session:
    """What the environment says about the desktop session."""

    platform: str
    wayland: bool
    x_display: bool
    desktop: str  # "sway", "hyprland", "gnome", "kde", "river", "labwc", "wayfire", ... or ""

    @property
    def desktop_name(self) -> str:
        names = {"sway": "sway", "hyprland": "Hyprland", "gnome": "GNOME", "kde": "KDE Plasma",
                 "river": "river", "labwc": "labwc", "wayfire": "Wayfire"}  # fmt: skip
        return names.get(self.desktop, self.desktop or "this desktop")


def wayland_session(env: Mapping[str, str]) -> bool:
    """A Wayland session: ``XDG_SESSION_TYPE=wayland``, or a ``WAYLAND_DISPLAY`` to reach."""
    return env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or bool(env.get("WAYLAND_DISPLAY"))


def read_session(env: Mapping[str, str], platform: str) -> Session:
    wayland = wayland_session(env)
    desktops = [d.strip().lower() for d in env.get("XDG_CURRENT_DESKTOP", "").split(":")]
    if env.get("SWAYSOCK"):
        desktop = "sway"
    elif env.get("HYPRLAND_INSTANCE_SIGNATURE"):
        desktop = "hyprland"
    elif "gnome" in desktops or any(d.endswith("gnome") for d in desktops):
        desktop = "gnome"
    elif "kde" in desktops or env.get("KDE_FULL_SESSION", "").lower() == "true":
        desktop = "kde"
    else:
        desktop = next((d for d in desktops if d), "")
    return Session(platform, wayland, bool(env.get("DISPLAY")), desktop)


@dataclass(frozen=True)
class Choice:
    """The backend to open and, for the user, why and what comes with it."""

    backend: str
    notes: tuple[str, ...] = field(default=())  # warnings to show (e.g. only X11 windows)


def choose_backend(
    session: Session, offered: Callable[[], set[str] | None], *, prefer_uinput: bool = False
) -> Choice:
    """The backend for ``session``. ``offered()`` lists the Wayland compositor's globals (None
    when it cannot be reached; only asked on Wayland). Raises HandCueError when there is no way
    at all (no X display and no Wayland compositor)."""
    if not session.platform.startswith("linux"):
        return Choice(NATIVE)
    if prefer_uinput:
        return Choice(UINPUT)
    if not session.wayland:
        if not session.x_display:
            raise HandCueError(
                "cannot send keys or clicks: no X display (DISPLAY is not set) and no Wayland "
                "compositor. Run inside a desktop session, or add --dry-run to only print the "
                "actions.",
                code=4,
            )
        return Choice(X11)
    globals_ = offered()
    if globals_ is not None and VIRTUAL_KEYBOARD in globals_:
        return Choice(WLROOTS)
    return Choice(PORTAL)


# --------------------------------------------------------------------------- descriptions


def window_note(session: Session, globals_: set[str] | None) -> str:
    """How the active window is read on this session (for the description line)."""
    if not session.platform.startswith("linux"):
        return "active window: " + ("Windows" if session.platform == "win32" else "macOS")
    if not session.wayland:
        return "active window: X11 (EWMH)"
    if session.desktop == "sway":
        return "active window: sway IPC"
    if globals_ and FOREIGN_TOPLEVEL in globals_:
        return "active window: wlr foreign-toplevel"
    if session.desktop == "kde":
        return "active window: KWin script"
    return f"active window: not available on {session.desktop_name} (choose profiles by hand)"


def describe(backend: str, session: Session, globals_: set[str] | None, sink: Any) -> str:
    """The one line naming the backend and what it can and cannot do."""
    if backend == WLROOTS:
        pointer = getattr(sink, "moves_pointer", False)
        what = "virtual keyboard and pointer" if pointer else "virtual keyboard; no pointer"
        input_part = f"input: Wayland ({session.desktop_name}, wlroots {what})"
    elif backend == PORTAL:
        input_part = f"input: Wayland ({session.desktop_name}, desktop portal RemoteDesktop)"
    elif backend == UINPUT:
        input_part = "input: uinput (kernel virtual keyboard and mouse)"
    elif backend == X11:
        input_part = (
            "input: X11 XTEST (only X11/XWayland windows receive it)"
            if session.wayland
            else "input: X11 XTEST"
        )
    else:
        input_part = f"input: {sys.platform} (pynput)"
    return f"{input_part}; {window_note(session, globals_)}"


# --------------------------------------------------------------------------- opening


@dataclass
class OpenedBackend:
    """An opened sink (not yet guarded or wrapped), its backend name, the one-line
    description and warnings for the user."""

    sink: Any
    backend: str
    description: str
    warnings: list[str]


def _compositor_globals(env: Mapping[str, str]) -> set[str] | None:
    from app.desktop.wayland.wire import Connection, WaylandError

    try:
        conn = Connection(env, timeout=3.0)
    except WaylandError as exc:
        log.info("Wayland compositor not reachable: %s", exc)
        return None
    try:
        return {g.interface for g in conn.globals.values()}
    finally:
        conn.close()


def open_backend(
    x11_sink: Callable[[], Any],
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    *,
    prefer_uinput: bool = False,
) -> OpenedBackend:
    """Choose and open the input backend for this session. ``x11_sink()`` opens the X11 (and
    Windows / macOS) sink, :class:`app.desktop.input_sink.PynputSink` (raising HandCueError
    without a display; passed in, as that module calls this one). Raises HandCueError (code 4)
    with what to do when input cannot be sent at all."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    session = read_session(env, platform)
    cache: list[set[str] | None] = []

    def offered() -> set[str] | None:
        if not cache:
            cache.append(_compositor_globals(env))
        return cache[0]

    choice = choose_backend(session, offered, prefer_uinput=prefer_uinput)
    globals_ = cache[0] if cache else None
    warnings = list(choice.notes)
    if choice.backend == WLROOTS:
        from app.desktop.wayland.sink import WlrootsSink

        sink: Any = WlrootsSink(env)
        warnings += sink.warnings
    elif choice.backend == PORTAL:
        sink = _open_portal(session, env, warnings)
        if sink is None:
            return _x11_fallback(session, globals_, warnings, x11_sink, platform)
    elif choice.backend == UINPUT:
        from app.desktop.uinput import open_uinput_sink

        sink = open_uinput_sink(env=env)
        warnings += sink.warnings
    else:
        return _x11_fallback(session, globals_, warnings, x11_sink, platform)
    return OpenedBackend(sink, choice.backend, describe(choice.backend, session, globals_, sink),
                         warnings)  # fmt: skip


def _open_portal(session: Session, env: Mapping[str, str], warnings: list[str]) -> Any:
    """The portal sink; None (with a warning saying why) when it cannot be used and an X
    display is there to fall back to; HandCueError when there is none."""
    from app.desktop.wayland.portal import ConsentRefusedError

    try:
        from app.desktop.wayland.portal import open_portal_sink

        return open_portal_sink(env)
    except ConsentRefusedError:
        raise  # the user said no: no other way of sending input behind their back
    except (HandCueError, ImportError) as exc:
        reason = str(exc)
    if not session.x_display:
        raise HandCueError(
            f"cannot send keys or clicks on {session.desktop_name} (Wayland): {reason}. "
            "Turn on the uinput input option in Settings (it needs write access to "
            "/dev/uinput), or add --dry-run to only print the actions.",
            code=4,
        )
    warnings.append(f"the desktop portal cannot be used ({reason})")
    return None


def _x11_fallback(
    session: Session,
    globals_: set[str] | None,
    warnings: list[str],
    x11_sink: Callable[[], Any],
    platform: str,
) -> OpenedBackend:
    sink = x11_sink()  # raises without an X display
    backend = X11 if platform.startswith("linux") else NATIVE
    return OpenedBackend(sink, backend, describe(backend, session, globals_, sink),
                         warnings + list(sink.warnings))  # fmt: skip
