"""The active window on wlroots compositors.

* :class:`SwaySource`: sway's IPC (the i3 IPC protocol over the Unix socket ``$SWAYSOCK``).
  ``GET_TREE`` gives the focused window: its ``app_id`` (native Wayland) or X11 class
  (XWayland), title (``name``) and ``pid``; a second connection subscribes to ``window`` events
  so :meth:`SwaySource.wait_for_change` sleeps until the focus or a title changes.
* :class:`ToplevelSource`: the ``wlr-foreign-toplevel-management-unstable-v1`` protocol that
  Hyprland, river, labwc, Wayfire (and sway) offer: every window's app id and title, and which
  one is ``activated``. No pid: the process name stays empty, rules match the app id.

On Wayland the app id takes the place of X11's ``WM_CLASS``: :class:`WindowInfo` carries it in
``wm_class`` (one item), so a rule's ``app`` matches it as it matches a class on X11.

i3 IPC message (https://i3wm.org/docs/ipc.html, sway-ipc(7)): ``"i3-ipc"``, payload length and
type as 32-bit words in the host's byte order, then JSON. Event types have the high bit set
(window = 0x80000003).

Threads: create anywhere, then use from one thread at a time (the watcher's).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import select
import socket
import struct
from collections.abc import Mapping
from typing import Any

from app.desktop.focus.x11 import proc_process_name
from pipeline.focus.window import WatcherUnavailable, WindowInfo

log = logging.getLogger(__name__)

_MAGIC = b"i3-ipc"
_HEADER = struct.Struct("=6sII")
GET_TREE, SUBSCRIBE = 4, 2
WINDOW_EVENT = 0x80000003
_CHANGES = {"focus", "title", "close", "new", "urgent", "move", "floating", "fullscreen_mode"}


def ipc_message(kind: int, payload: bytes = b"") -> bytes:
    return _HEADER.pack(_MAGIC, len(payload), kind) + payload


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("sway closed the IPC connection")
        data += chunk
    return data


def read_ipc(sock: socket.socket) -> tuple[int, Any]:
    """One message: (type, decoded JSON)."""
    magic, length, kind = _HEADER.unpack(_read_exact(sock, _HEADER.size))
    if magic != _MAGIC:
        raise ConnectionError("not an i3 IPC message")
    return kind, json.loads(_read_exact(sock, length) or b"null")


def focused_node(tree: dict[str, Any]) -> dict[str, Any] | None:
    """The focused node of a ``GET_TREE`` answer (depth first), None when there is none."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.get("focused"):
            return node
        stack.extend(node.get("nodes", []) + node.get("floating_nodes", []))
    return None


def window_of_node(
    node: dict[str, Any] | None, process_name: Any = proc_process_name
) -> WindowInfo | None:
    """The :class:`WindowInfo` of a sway tree node; None for a workspace or an output (no
    window has the focus)."""
    if node is None or node.get("type") not in ("con", "floating_con"):
        return None
    app_id = node.get("app_id") or ""
    props = node.get("window_properties") or {}
    if app_id:
        wm_class: tuple[str, ...] = (app_id,)
    else:  # an XWayland window: its X11 class, as on X11
        wm_class = tuple(str(props[k]) for k in ("instance", "class") if props.get(k))
    pid = int(node.get("pid") or 0)
    return WindowInfo(title=node.get("name") or "", process=process_name(pid), wm_class=wm_class,
                      pid=pid, window_id=int(node.get("id") or 0))  # fmt: skip


class SwaySource:
    """:class:`pipeline.focus.window.WindowSource` through sway's IPC at ``socket_path``
    (default ``$SWAYSOCK``). Raises :class:`WatcherUnavailable` when sway cannot be reached."""

    name = "sway"

    def __init__(
        self, socket_path: str | None = None, *, process_name: Any = proc_process_name
    ) -> None:
        path = socket_path or os.environ.get("SWAYSOCK", "")
        if not path:
            raise WatcherUnavailable("cannot read the active window: SWAYSOCK is not set")
        self._path = path
        self._process_name = process_name
        self._sock = self._connect()
        self._events: socket.socket | None = None

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.settimeout(5.0)
        try:
            sock.connect(self._path)
        except OSError as exc:
            sock.close()
            raise WatcherUnavailable(
                f"cannot read the active window: no connection to sway's IPC at {self._path} "
                f"({exc.strerror or exc})"
            ) from None
        return sock

    def active_window(self) -> WindowInfo | None:
        self._sock.sendall(ipc_message(GET_TREE))
        _, tree = read_ipc(self._sock)
        return window_of_node(focused_node(tree), self._process_name)

    def wait_for_change(self, timeout_s: float, wake_fd: int | None = None) -> bool | None:
        """Block until sway reports a window event (True: focus, title, a window closed...),
        ``timeout_s`` passes or ``wake_fd`` becomes readable (False)."""
        if self._events is None:
            events = self._connect()
            events.sendall(ipc_message(SUBSCRIBE, b'["window"]'))
            _, answer = read_ipc(events)
            if not (isinstance(answer, dict) and answer.get("success")):
                events.close()
                return None  # poll on a timer instead
            self._events = events
        events_fd = self._events.fileno()
        wake = [] if wake_fd is None else [wake_fd]
        readable, _, _ = select.select([events_fd, *wake], [], [], timeout_s)
        if events_fd not in readable:
            return False
        changed = False
        while True:
            kind, event = read_ipc(self._events)
            if kind == WINDOW_EVENT and isinstance(event, dict) and event.get("change") in _CHANGES:
                changed = True
            more, _, _ = select.select([events_fd], [], [], 0)
            if not more:
                return changed

    def close(self) -> None:
        for sock in (self._sock, self._events):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        self._events = None


class ToplevelSource:
    """:class:`pipeline.focus.window.WindowSource` through wlr foreign-toplevel management.
    Raises :class:`WatcherUnavailable` when the compositor cannot be reached or lacks it."""

    name = "wlr-foreign-toplevel"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        from app.desktop.wayland.wire import Connection, WaylandError

        try:
            self._conn = Connection(env)
        except WaylandError as exc:
            raise WatcherUnavailable(f"cannot read the active window: {exc}") from None
        manager = self._conn.find_global("zwlr_foreign_toplevel_manager_v1")
        if manager is None:
            self._conn.close()
            raise WatcherUnavailable(
                "cannot read the active window: this Wayland compositor does not offer the "
                "foreign-toplevel list (zwlr_foreign_toplevel_manager_v1). Choose the profile "
                "by hand."
            )
        self._pending: dict[int, dict[str, Any]] = {}  # handle -> fields since its last done
        self._windows: dict[int, dict[str, Any]] = {}  # handle -> title, app_id, active
        self._changed = False
        self._conn.bind(manager, 3, self._on_manager)
        self._conn.roundtrip()
        self._conn.roundtrip()  # the handles' first events follow their creation

    def _on_manager(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "toplevel":
            (handle,) = args
            self._windows[handle] = {"title": "", "app_id": "", "active": False}
            self._conn.set_handler(handle, functools.partial(self._on_handle, handle))

    def _on_handle(self, handle: int, event: str, args: tuple[Any, ...]) -> None:
        pending = self._pending.setdefault(handle, {})
        if event in ("title", "app_id"):
            pending[event] = args[0] or ""
        elif event == "state":
            states = struct.unpack(f"={len(args[0]) // 4}I", args[0]) if args[0] else ()
            pending["active"] = 2 in states  # zwlr_foreign_toplevel_handle_v1.state.activated
        elif event == "done":
            window = self._windows.setdefault(handle, {"title": "", "app_id": "", "active": False})
            before = dict(window)
            window.update(self._pending.pop(handle, {}))
            if window != before and (window["active"] or before["active"]):
                self._changed = True
        elif event == "closed":
            gone = self._windows.pop(handle, None)
            self._pending.pop(handle, None)
            if gone and gone["active"]:
                self._changed = True
            self._conn.destroy(handle, 4)  # zwlr_foreign_toplevel_handle_v1.destroy

    def active_window(self) -> WindowInfo | None:
        self._conn.dispatch(0.0)
        for handle, window in self._windows.items():
            if window["active"]:
                app_id = window["app_id"]
                return WindowInfo(title=window["title"], wm_class=(app_id,) if app_id else (),
                                  window_id=handle)  # fmt: skip
        return None

    def wait_for_change(self, timeout_s: float, wake_fd: int | None = None) -> bool | None:
        wake = [] if wake_fd is None else [wake_fd]
        if not self._changed:
            readable, _, _ = select.select([self._conn.fileno(), *wake], [], [], timeout_s)
            if self._conn.fileno() in readable:
                self._conn.dispatch(0.0)
        changed, self._changed = self._changed, False
        return changed

    def close(self) -> None:
        self._conn.close()
