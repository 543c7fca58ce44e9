"""One HandCue window per user: a second ``handcue gui`` hands its ``--source`` to the running
app and brings its window to the front; ``handcue run`` asks the app which camera it tracks.

The running app holds an :class:`~app.desktop.instance_client.InstanceLock` (election: an OS lock
on a file that only one process can hold, let go by the OS when that process ends, so a file
left by a crash, whatever it says, is taken over) and listens on a ``QLocalServer`` (a Unix
socket or Windows named pipe). A socket file left by a crash is removed before listening.
Messages are one JSON object per line each way:

    {"cmd": "activate", "source": "0" | "/abs/video.mp4" | null}  -> {"ok": true}
    {"cmd": "status"}  -> {"ok": true, "source": "0" | null, "running": true | false,
                           "visible": bool, "frames": int, "first_frame_at": epoch s | null,
                           "first_frame_cpu_s": process CPU s at the first frame | null,
                           "paused": bool, "pointer": bool}
    {"cmd": "toggle", "what": "pause" | "pointer"}
        -> {"ok": true, "paused": bool, "pointer": bool}  (the state after the change)
        |  {"ok": false, "error": "why it could not change"}

``toggle`` is what the global hotkeys do, for desktops where HandCue cannot grab a key (a
Wayland session): ``handcue toggle pause`` bound to a key in the desktop's own settings.

Names derive from the config folder, so each user (and each test with its own
``HANDCUE_CONFIG_DIR``) has its own instance. The server lives in the GUI thread. The client
side (asking, handing over, the camera check) is Qt-free, in :mod:`app.desktop.instance_client`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.desktop.instance_client import InstanceLock, channel_problem, instance_name, lock_path
from pipeline.errors import HandCueError

log = logging.getLogger(__name__)


class InstanceServer(QObject):
    """Owns the lock and the local server of the primary instance (GUI thread).

    ``activate_requested(source)`` is emitted when another launch asks to be shown (source is
    None or a source spec); ``status()`` answers ``handcue run``'s question."""

    activate_requested = Signal(object)

    def __init__(self, status: Callable[[], dict[str, Any]], parent: QObject | None = None):
        super().__init__(parent)
        self._status = status
        # what -> a function that flips it and returns the new state (an error message as
        # HandCueError); set by serve_window once the window exists
        self._toggles: dict[str, Callable[[], dict[str, Any]]] = {}
        self._buffers: dict[QLocalSocket, bytearray] = {}
        self._lock = InstanceLock(lock_path())
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)

    def claim(self, wait_ms: int = 0) -> bool:
        """Become the primary instance: True when the lock is ours and the server listens.
        False when another live HandCue holds the lock. Raises :class:`HandCueError` when
        the temporary folder cannot hold the lock or the channel."""
        if not self._lock.acquire(wait_ms):
            return False
        QLocalServer.removeServer(instance_name())  # a socket file left by a crash
        if not self._server.listen(instance_name()):
            self._lock.release()
            raise HandCueError(channel_problem(self._server.errorString()))
        return True

    def close(self) -> None:
        self._server.close()
        self._lock.release()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = bytearray()
            sock.readyRead.connect(self._on_ready_read)
            sock.disconnected.connect(self._on_disconnected)
            if sock.bytesAvailable():  # arrived before readyRead was connected
                self._read(sock)

    def _on_ready_read(self) -> None:
        sock = self.sender()
        if isinstance(sock, QLocalSocket):
            self._read(sock)

    def _on_disconnected(self) -> None:
        sock = self.sender()
        if isinstance(sock, QLocalSocket):
            self._buffers.pop(sock, None)
            sock.deleteLater()

    def _read(self, sock: QLocalSocket) -> None:
        buffer = self._buffers.setdefault(sock, bytearray())
        buffer.extend(bytes(sock.readAll().data()))
        if len(buffer) > 65536:  # nobody sends that much: drop the connection
            sock.abort()
        elif b"\n" in buffer:
            line = bytes(buffer).split(b"\n", 1)[0]
            buffer.clear()
            sock.write((json.dumps(self._handle(line)) + "\n").encode("utf-8"))
            sock.flush()
            sock.disconnectFromServer()

    def _handle(self, line: bytes) -> dict[str, Any]:
        try:
            message = json.loads(line.decode("utf-8"))
            cmd = message.get("cmd")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return {"ok": False, "error": "bad message"}
        if cmd == "activate":
            source = message.get("source")
            self.activate_requested.emit(source if isinstance(source, str) else None)
            return {"ok": True}
        if cmd == "status":
            return {"ok": True, **self._status()}
        if cmd == "toggle":
            what = message.get("what")
            toggle = self._toggles.get(what) if isinstance(what, str) else None
            if toggle is None:
                known = ", ".join(sorted(self._toggles)) or "nothing yet (the app is starting)"
                return {"ok": False, "error": f"cannot toggle {what!r}: it toggles {known}"}
            try:
                return {"ok": True, **toggle()}
            except HandCueError as exc:
                return {"ok": False, "error": str(exc)}
        return {"ok": False, "error": f"unknown command {cmd!r}"}


def claim_instance(wait_ms: int = 3000) -> InstanceServer | None:
    """Become the primary instance (call after the QApplication exists, before opening a
    camera). None when another live HandCue holds the lock and took over the request."""
    server = InstanceServer(lambda: {"source": None, "running": False})
    if server.claim(wait_ms):
        return server
    server.close()
    return None


def serve_window(server: InstanceServer, window: Any) -> None:
    """Route other launches to ``window`` (a MainWindow): they raise it and hand it their
    source; ``handcue run`` learns what it tracks."""
    server.setParent(window)
    seen: dict[str, Any] = {"frames": 0, "first_frame_at": None, "first_frame_cpu_s": None}

    def count(_frame: object) -> None:
        if seen["first_frame_at"] is None:
            seen["first_frame_at"] = time.time()  # epoch s: start-up time from outside
            seen["first_frame_cpu_s"] = time.process_time()  # CPU s of all threads so far
        seen["frames"] += 1

    window.session.frame_ready.connect(count)

    def switches() -> dict[str, bool]:
        return {
            "paused": bool(window.ctx.engine.paused),
            "pointer": bool(window.pointer_mode.enabled),
        }

    server._status = lambda: {
        "source": window.current_source(),
        "running": bool(window.session.running),
        "visible": bool(window.isVisible()),
        **seen,
        **switches(),
    }

    def toggle_pause() -> dict[str, bool]:
        window.toggle_paused()  # as the menu and the hotkey do
        return switches()

    def toggle_pointer() -> dict[str, bool]:
        if not window.pointer_mode.set_enabled(not window.pointer_mode.enabled):
            raise HandCueError("pointer mode needs mouse control, which is not available here")
        return switches()

    server._toggles = {"pause": toggle_pause, "pointer": toggle_pointer}

    def activate(source: str | None) -> None:
        if source:
            window.set_source(source, start=True)
        window.show_and_raise()

    server.activate_requested.connect(activate)
