"""Talking to the running HandCue app without Qt: ``handcue run`` asks which camera it tracks,
a second ``handcue gui`` hands its source over. The app's side (the lock and the local server)
is :mod:`app.desktop.single_instance`; this module is what a command can use without loading Qt.

The channel is the app's ``QLocalServer``: on Unix a socket file named :func:`instance_name`
in Qt's temporary folder (``$TMPDIR``, else ``/tmp``), on Windows the named pipe
``\\\\.\\pipe\\NAME``. Messages are one JSON object per line each way (the protocol is described
in :mod:`app.desktop.single_instance`). Each call blocks the calling thread for at most about
``timeout_ms``.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from pipeline import paths
from pipeline.errors import HandCueError

MAX_REPLY_BYTES = 65536


def instance_name() -> str:
    """The local server name of this user's HandCue (short: Unix socket paths are limited)."""
    key = os.path.realpath(paths.config_dir())  # never raises (a link loop is said elsewhere)
    return "handcue-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def lock_path() -> Path:
    return Path(tempfile.gettempdir()) / f"{instance_name()}.lock"


def socket_path() -> Path:
    """Where ``QLocalServer.listen(instance_name())`` puts its socket on Unix (QDir::tempPath)."""
    folder = os.environ.get("TMPDIR", "").rstrip("/") or "/tmp"
    return Path(folder) / instance_name()


def _ask_unix(data: bytes, timeout_s: float) -> bytes | None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect(str(socket_path()))
            sock.sendall(data)
            reply = b""
            deadline = time.monotonic() + timeout_s
            while not reply.endswith(b"\n") and len(reply) < MAX_REPLY_BYTES:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except OSError:  # no app (no socket, or one left by a crash), or it did not answer
            return None
    return reply


def _ask_pipe(data: bytes, timeout_s: float) -> bytes | None:  # pragma: no cover - Windows
    """A named pipe has no time-out of its own: the exchange runs in a helper thread that is
    left behind (a daemon) when the app does not answer in time."""
    box: list[bytes] = []

    def exchange() -> None:
        try:
            with open(rf"\\.\pipe\{instance_name()}", "r+b", buffering=0) as pipe:
                pipe.write(data)
                reply = b""
                while not reply.endswith(b"\n") and len(reply) < MAX_REPLY_BYTES:
                    chunk = pipe.read(4096)
                    if not chunk:
                        break
                    reply += chunk
                box.append(reply)
        except OSError:
            pass

    worker = threading.Thread(target=exchange, name="handcue-instance-client", daemon=True)
    worker.start()
    worker.join(timeout_s)
    return box[0] if box else None


def ask_running_instance(message: dict[str, Any], timeout_ms: int = 1500) -> dict[str, Any] | None:
    """Send ``message`` to the running app and return its reply, or None when no app answers
    (none running, or a socket left by a crash). Blocks the calling thread."""
    data = (json.dumps(message) + "\n").encode("utf-8")
    ask = _ask_pipe if sys.platform == "win32" else _ask_unix
    reply = ask(data, timeout_ms / 1000.0)
    if not reply or not reply.endswith(b"\n"):
        return None
    try:
        answer = json.loads(reply.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return answer if isinstance(answer, dict) else None


def source_for_peer(source: str | None) -> str | None:
    """A source as the running app must see it: paths absolute (its working folder differs)."""
    if source is None or source.strip().isdigit():
        return source
    path = Path(source).expanduser()
    return str(path.resolve()) if path.exists() else source


def hand_over(source: str | None) -> bool:
    """Ask a running HandCue to show its window (and track ``source``). True when one did."""
    reply = ask_running_instance({"cmd": "activate", "source": source_for_peer(source)})
    return bool(reply and reply.get("ok"))


def camera_in_use_message(source: str) -> str | None:
    """Why ``handcue run --source SOURCE`` must not start: the running app tracks the same
    camera. None when no app runs, it is idle, or it tracks something else (files can be read
    twice)."""
    if not source.strip().isdigit():
        return None
    reply = ask_running_instance({"cmd": "status"})
    if not reply or not reply.get("running"):
        return None
    theirs = str(reply.get("source") or "")
    if theirs.strip().isdigit() and int(theirs) == int(source):
        return (
            f"the HandCue app is tracking camera {int(source)} already: stop tracking in its "
            "window (or quit it from the tray) first, or use another camera"
        )
    return None


def refuse_if_camera_in_use(source: str) -> None:
    """Raise a HandCueError (exit 2) when the HandCue app tracks camera ``source``."""
    message = camera_in_use_message(source)
    if message:
        raise HandCueError(message)
