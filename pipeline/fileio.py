"""Atomic file writes, the one helper for every file HandCue writes: the settings, the recorded
gestures, the app's window preferences, the start-at-login entry and the converted models. A
temp file in the same folder, flushed and fsynced, then ``os.replace``: a crash or a full disk
never leaves a half-written file; the old file stays until the new one is complete."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path

from pipeline.errors import HandCueError


class AtomicWriteError(HandCueError):
    """A write failed; the target file was left as it was. ``reason`` is the OS's words,
    ``errno`` its error number (None when HandCue refused the write itself)."""

    def __init__(self, message: str, path: Path, reason: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason
        self.errno = errno


def os_reason(exc: OSError) -> str:
    """The OS's words for ``exc``, with what to do where the OS's words alone are cryptic."""
    words = str(exc.strerror or exc)
    if exc.errno == errno.ELOOP:
        return (
            f"it is, or goes through, a symbolic link that loops back on itself ({words}); "
            "point the link at a real file or folder, or remove it"
        )
    return words


def nothing_at(path: Path) -> bool:
    """True when there is nothing at all at ``path``: no file, folder or link (a link to nothing
    is something, and so is a path that cannot be looked at, e.g. through a link loop)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def require_file(path: Path) -> None:
    """Raise a :class:`HandCueError` naming ``path`` when it cannot be opened: missing (a link to
    nothing included) or a symbolic link loop. Whether it is a readable file is the reader's
    to say."""
    try:
        os.stat(path)
    except FileNotFoundError:
        raise HandCueError(f"{path}: no such file") from None
    except OSError as exc:
        raise HandCueError(f"{path}: cannot read: {os_reason(exc)}") from None


def atomic_write_bytes(path: Path, data: bytes, *, backup: bool = False) -> Path:
    """Replace ``path`` with ``data`` atomically; returns the path written (a symlink's target).

    With ``backup`` the previous file is first copied (atomically too) to ``<name>.bak``. The
    file mode of an existing file is kept. Raises :class:`AtomicWriteError` with the reason
    when anything fails; the original file is then untouched.
    """
    path = Path(path)
    if path.is_symlink():  # e.g. a dotfiles checkout: update the file, keep the link
        try:
            path = Path(os.path.realpath(path, strict=True))
        except FileNotFoundError:  # a link to a file still to be made: make that file
            path = Path(os.path.realpath(path))
        except OSError as exc:  # a loop (pathlib's resolve says RuntimeError on Python 3.11)
            reason = os_reason(exc)
            raise AtomicWriteError(
                f"cannot save {path}: {reason}", path, reason, exc.errno
            ) from None
    if path.is_dir():
        raise AtomicWriteError(f"cannot save {path}: it is a folder", path, "it is a folder")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        cause = exc
        if isinstance(exc, FileExistsError):  # a file in the way, or a folder that is a loop
            try:
                os.stat(folder)
            except OSError as stat_error:
                cause = stat_error
        reason = os_reason(cause)
        raise AtomicWriteError(
            f"cannot create the folder {folder}: {reason}", path, reason, cause.errno
        ) from None
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp_name, path.stat().st_mode & 0o777)
            if backup:
                copy_atomic(path, path.with_name(path.name + ".bak"))
        os.replace(tmp_name, path)
        tmp_name = None
        fsync_folder(folder)
    except OSError as exc:
        reason = str(exc.strerror or exc)
        raise AtomicWriteError(f"cannot save {path}: {reason}", path, reason, exc.errno) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return path


def atomic_write_text(path: Path, text: str, *, backup: bool = False) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"), backup=backup)


def copy_atomic(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` so that ``target`` is always either old or complete."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.close(fd)
        shutil.copyfile(source, tmp_name)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op elsewhere or when not allowed)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
