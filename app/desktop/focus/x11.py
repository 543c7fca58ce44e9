"""The active window on X11, through python-xlib (it comes with pynput; no xdotool).

With a window manager that speaks EWMH the root window's ``_NET_ACTIVE_WINDOW`` names the
active top-level window; its ``WM_CLASS``, title (``_NET_WM_NAME``, else ``WM_NAME``) and
``_NET_WM_PID`` (-> the process name from ``/proc``) describe it. Without EWMH (bare X servers,
some minimal window managers) the input focus is used, walked up to the window that carries a
``WM_CLASS``. One poll costs one or two round trips to the X server while the same window stays
active (its id, and its title since browser tabs change it); class and process are read once
per window. With EWMH the source also listens: :meth:`X11Source.wait_for_change` sleeps on
the connection until the root's ``_NET_ACTIVE_WINDOW`` or the active window's title changes
(``PropertyNotify``), so an idle desktop costs almost nothing between the watcher's slow polls.

Threads: create anywhere, then use from one thread at a time (python-xlib connections are not
shared between threads).
"""

from __future__ import annotations

import logging
import select
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.focus.window import WatcherUnavailable, WindowInfo

log = logging.getLogger(__name__)

# X protocol constants (X.h): the input focus may be "none" or "pointer root" instead of a window.
_X_NONE = 0
_POINTER_ROOT = 1
_ANY_PROPERTY_TYPE = 0
_PROPERTY_CHANGE_MASK = 1 << 22
_PROPERTY_NOTIFY = 28
_MAX_TREE_DEPTH = 8


def proc_process_name(pid: int) -> str:
    """The process name of a local ``pid`` (Linux ``/proc/PID/comm``), "" when unknown."""
    if pid <= 0:
        return ""
    try:
        return Path(f"/proc/{pid}/comm").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


class X11Source:
    """:class:`pipeline.focus.window.WindowSource` for X11. ``display``: an open
    python-xlib ``Display`` (tests pass a fake with the same calls); by default one is opened
    on ``display_name`` (``None`` = ``$DISPLAY``)."""

    name = "x11"

    def __init__(
        self,
        display_name: str | None = None,
        *,
        display: Any = None,
        process_name: Callable[[int], str] = proc_process_name,
        wait: Callable[[list, list, list, float], tuple[list, list, list]] = select.select,
    ) -> None:
        if display is None:
            try:
                from Xlib import display as xdisplay
                from Xlib import error as xerror
            except ImportError as exc:  # pragma: no cover - python-xlib comes with pynput
                raise WatcherUnavailable(
                    f"automatic profile switching needs python-xlib ({exc})"
                ) from None
            try:
                display = xdisplay.Display(display_name)
            except (xerror.DisplayError, OSError) as exc:
                raise WatcherUnavailable(
                    f"cannot read the active window: no connection to the X display ({exc})"
                ) from None
        self._display = display
        self._root = display.screen().root
        self._process_name = process_name
        atom = display.intern_atom
        self._net_active = atom("_NET_ACTIVE_WINDOW")
        self._net_wm_name = atom("_NET_WM_NAME")
        self._net_wm_pid = atom("_NET_WM_PID")
        self._utf8 = atom("UTF8_STRING")
        self._wm_name = atom("WM_NAME")
        self._wait = wait
        self._listening_root = False
        self._listening_id = -1  # the window whose title changes we are told about
        self._cached_id = -1
        self._cached: tuple[tuple[str, ...], int, str] = ((), 0, "")
        self._focus_id = -1  # input-focus fall-back: the focused window and its top level
        self._focus_top: Any = None
        self.ewmh: bool | None = None  # learnt on the first poll: False = input-focus fallback

    def close(self) -> None:
        try:
            self._display.close()
        except Exception:  # closing a dead connection must not raise in a finally block
            log.debug("closing the X connection failed", exc_info=True)

    def wait_for_change(self, timeout_s: float, wake_fd: int | None = None) -> bool | None:
        """Block until the active window or its title changes (True), ``timeout_s`` passes or
        ``wake_fd`` becomes readable (False). None at once when there is nothing to listen to
        (no EWMH, or before the first :meth:`active_window`): then poll on a timer."""
        if not self.ewmh or not self._listening_root:
            return None
        if self._drain():
            return True
        wake = [] if wake_fd is None else [wake_fd]
        readable, _, _ = self._wait([self._display.fileno(), *wake], [], [], timeout_s)
        if self._display.fileno() in readable:
            return self._drain()
        return False

    def _drain(self) -> bool:
        changed = False
        watched = (self._net_active, self._net_wm_name, self._wm_name)
        while self._display.pending_events():
            event = self._display.next_event()
            if getattr(event, "type", None) == _PROPERTY_NOTIFY and event.atom in watched:
                changed = True
        return changed

    def _listen(self, window: Any) -> None:
        """Be told about ``_NET_ACTIVE_WINDOW`` (root) and the title of ``window``."""
        if not self._listening_root:
            self._root.change_attributes(event_mask=_PROPERTY_CHANGE_MASK)
            self._listening_root = True
        wid = int(window.id)
        if wid != self._listening_id:
            window.change_attributes(event_mask=_PROPERTY_CHANGE_MASK)
            self._listening_id = wid

    def active_window(self) -> WindowInfo | None:
        window = self._active_toplevel()
        if window is None:
            return None
        wid = int(window.id)
        try:
            if wid != self._cached_id:
                wm_class = tuple(_as_text(p) for p in (window.get_wm_class() or ()))
                pid = self._pid(window)
                self._cached = (wm_class, pid, self._process_name(pid))
                self._cached_id = wid
            wm_class, pid, process = self._cached
            if self.ewmh:
                self._listen(window)
            title = self._title(window)
        except Exception as exc:
            if _is_bad_window(exc):  # it closed between the two requests
                self._cached_id = self._focus_id = -1
                return None
            raise
        return WindowInfo(title=title, process=process, wm_class=wm_class, pid=pid,
                          window_id=wid)  # fmt: skip

    # ------------------------------------------------------------------ internals

    def _active_toplevel(self) -> Any:
        if self.ewmh is not False:
            prop = self._root.get_full_property(self._net_active, _ANY_PROPERTY_TYPE)
            if prop is not None and len(prop.value) > 0:
                if self.ewmh is None:
                    log.info("active window: from the window manager (_NET_ACTIVE_WINDOW)")
                self.ewmh = True
                wid = int(prop.value[0])
                if wid == _X_NONE:
                    return None
                return self._display.create_resource_object("window", wid)
            if self.ewmh is None:
                log.info("active window: no EWMH window manager, using the input focus")
            self.ewmh = False
        return self._focus_toplevel()

    def _focus_toplevel(self) -> Any:
        focus = self._display.get_input_focus().focus
        if isinstance(focus, int) or focus is None:  # None / PointerRoot
            return None
        if int(focus.id) == self._focus_id:  # same focus: the same top-level window
            return self._focus_top
        self._focus_id, self._focus_top = int(focus.id), self._walk_up(focus)
        return self._focus_top

    def _walk_up(self, focus: Any) -> Any:
        window = focus
        try:
            for _ in range(_MAX_TREE_DEPTH):
                if window.get_wm_class():
                    return window
                parent = window.query_tree().parent
                if parent is None or isinstance(parent, int):
                    break
                if int(parent.id) in (_X_NONE, int(self._root.id)):
                    break
                window = parent
        except Exception as exc:
            if _is_bad_window(exc):
                return None
            raise
        return focus

    def _title(self, window: Any) -> str:
        prop = window.get_full_property(self._net_wm_name, self._utf8)
        if prop is not None and prop.value:
            return _as_text(prop.value)
        return _as_text(window.get_wm_name())

    def _pid(self, window: Any) -> int:
        prop = window.get_full_property(self._net_wm_pid, _ANY_PROPERTY_TYPE)
        if prop is None or len(prop.value) == 0:
            return 0
        return int(prop.value[0])


def _is_bad_window(exc: Exception) -> bool:
    return type(exc).__name__ in ("BadWindow", "BadDrawable", "BadMatch")
