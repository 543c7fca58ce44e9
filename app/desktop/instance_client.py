"""Talking to the running HandCue app without Qt: ``handcue run`` asks which camera it tracks,
a second ``handcue gui`` hands its source over. The app's side (the local server) is
:mod:`app.desktop.single_instance`; this module is what a command can use without loading Qt,
and the app's :class:`InstanceLock` (Qt-free too, so that it can be tested without Qt).

The channel is the app's ``QLocalServer``: on Unix a socket file named :func:`instance_name`
in Qt's temporary folder (``$TMPDIR``, else ``/tmp``), on Windows the named pipe
``\\\\.\\pipe\\NAME``. The lock file is in the same folder. Messages are one JSON object per line
each way (the protocol is described in :mod:`app.desktop.single_instance`). Each call blocks the
calling thread for at most about ``timeout_ms``.
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
from typing import IO, Any

from pipeline import paths
from pipeline.errors import HandCueError

MAX_REPLY_BYTES = 65536


def instance_name() -> str:
    """The local server name of this user's HandCue (short: Unix socket paths are limited)."""
    key = os.path.realpath(paths.config_dir())  # never raises (a link loop is said elsewhere)
    return "handcue-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def temp_folder() -> Path:
    """The folder of the app's socket and lock: Qt's temporary folder (``QDir::tempPath``), on
    Unix ``$TMPDIR``, else ``/tmp``; on Windows the user's temporary folder (the channel is a
    named pipe there, only the lock file is in the folder)."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        return Path(tempfile.gettempdir())
    return Path(os.environ.get("TMPDIR", "").rstrip("/") or "/tmp")


def lock_path() -> Path:
    return temp_folder() / f"{instance_name()}.lock"


def socket_path() -> Path:
    """Where ``QLocalServer.listen(instance_name())`` puts its socket on Unix (QDir::tempPath)."""
    return temp_folder() / instance_name()


#: The longest Unix socket path: ``sun_path`` holds 108 bytes on Linux, 104 on macOS and BSD,
#: one of them the closing NUL.
MAX_SOCKET_PATH_BYTES = 107 if sys.platform.startswith("linux") else 103


def _temp_variable() -> str:
    return "TEMP" if sys.platform == "win32" else "TMPDIR"


def temp_folder_problem(reason: str, *, shorter: bool = False) -> str:
    """The one line that says the temporary folder cannot hold the app's lock and socket, and
    what to do (``shorter``: the folder's path is too long, not unwritable)."""
    variable = _temp_variable()
    wanted = "a folder with a shorter path" if shorter else "a folder you can write to"
    unset = " (or unset it)" if os.environ.get(variable) and sys.platform != "win32" else ""
    return (
        f"cannot start HandCue: the temporary folder {temp_folder()} cannot be used ({reason}); "
        "HandCue keeps its single-instance lock and socket there. "
        f"Point {variable} at {wanted}{unset} and start HandCue again"
    )


def channel_problem(qt_reason: str) -> str:
    """Why ``QLocalServer.listen`` failed (Qt says only "Name error"), in words that say what
    to do."""
    folder = temp_folder()
    if sys.platform != "win32":
        if not os.access(folder, os.W_OK | os.X_OK):
            return temp_folder_problem("it cannot be written to")
        if len(os.fsencode(socket_path())) > MAX_SOCKET_PATH_BYTES:
            longest = MAX_SOCKET_PATH_BYTES - len(instance_name()) - 1
            return temp_folder_problem(
                f"its path is too long for a socket, at most {longest} bytes", shorter=True
            )
    return f"could not open HandCue's instance channel in {folder}: {qt_reason}"


class InstanceLock:
    """The running app's claim to be this user's HandCue: an OS lock on ``path`` (``flock`` on
    Unix, ``msvcrt.locking`` on Windows), held while the file stays open. The OS lets go when
    the holder ends, however it ends, so no file left behind keeps a HandCue from starting,
    whatever it says: a PID the system has since given to another process, nothing, garbage.
    The file holds the holder's PID for people to read; nothing reads it back.

    GUI thread of the app (or any one thread); ``acquire`` blocks it up to ``wait_ms``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] | None = None

    def acquire(self, wait_ms: int = 0) -> bool:
        """Take the lock, waiting up to ``wait_ms`` for its holder to let go: True when it is
        ours. Raises :class:`HandCueError` when the lock file cannot be opened at all (its
        folder is read-only or missing, or another user's file is in the way)."""
        if self._file is not None:
            return True
        deadline = time.monotonic() + wait_ms / 1000.0
        while True:
            file = self._open()
            if _try_lock(file):
                if _is_at(file, self.path):
                    self._file = file
                    _note_holder(file)
                    return True
                file.close()  # the holder removed it as it let go: lock the new file
                continue
            file.close()
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def release(self) -> None:
        """Let go (and remove the file on Unix: removed while still locked, so that a process
        waiting on the old file sees it gone and locks a new one)."""
        file, self._file = self._file, None
        if file is None:
            return
        try:
            if sys.platform == "win32":  # pragma: no cover - Windows: unlock before closing
                import msvcrt

                file.seek(0)
                msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)
            elif _is_at(file, self.path):
                self.path.unlink()
        except OSError:
            pass  # left behind: harmless, the next holder locks it
        finally:
            file.close()

    def _open(self) -> IO[bytes]:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            raise HandCueError(self._open_problem(exc)) from None
        return os.fdopen(fd, "r+b", buffering=0)

    def _open_problem(self, exc: OSError) -> str:
        reason = str(exc.strerror or exc)
        folder = self.path.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            return temp_folder_problem(reason)
        if self.path.is_symlink():
            return f"cannot start HandCue: its lock file {self.path} is a symbolic link; remove it"
        return (
            f"cannot start HandCue: its lock file {self.path} cannot be opened ({reason}); "
            "another user's HandCue may have made it: remove it, or point "
            f"{_temp_variable()} at a folder of your own"
        )


def _try_lock(file: IO[bytes]) -> bool:
    """Lock ``file`` without waiting: False when another open file holds it."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            file.seek(0)
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # e.g. a network folder without locks
        raise HandCueError(
            temp_folder_problem(f"cannot lock a file there: {exc.strerror or exc}")
        ) from None
    return True


def _is_at(file: IO[bytes], path: Path) -> bool:
    """True when ``file`` is still the file at ``path`` (not removed or replaced)."""
    if sys.platform == "win32":  # pragma: no cover - Windows: an open file is not removed
        return True
    try:
        there = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    mine = os.fstat(file.fileno())
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _note_holder(file: IO[bytes]) -> None:
    """Write the holder's PID into the lock file, for people to read."""
    try:
        file.seek(0)
        file.truncate()
        file.write(f"{os.getpid()}\n".encode("ascii"))
    except OSError:
        pass  # a full disk: the lock holds all the same


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


def toggle_running(what: str) -> dict[str, Any]:
    """Flip ``what`` ("pause" or "pointer") in the running app as its hotkey would; its state
    afterwards (``paused``, ``pointer``). Raises :class:`HandCueError` (exit 1) when no app
    answers or it cannot make the change."""
    reply = ask_running_instance({"cmd": "toggle", "what": what})
    if reply is None:
        raise HandCueError(
            "HandCue is not running: start it (handcue) first; this command switches the "
            "running app",
            code=1,
        )
    if not reply.get("ok"):
        raise HandCueError(f"HandCue did not switch: {reply.get('error', 'no reason given')}", 1)
    return reply


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
