"""The active window on Windows, through ctypes (no extra dependency).

``GetForegroundWindow`` gives the window, ``GetWindowTextW`` its title, ``GetClassNameW`` its
window class, ``GetWindowThreadProcessId`` its process, and ``QueryFullProcessImageNameW`` (with
``PROCESS_QUERY_LIMITED_INFORMATION``, allowed for other users' and elevated processes) the
process image, of which the file name (``POWERPNT.EXE``) is the app name. The process name is
read once per window. Tests pass fake ``user32`` / ``kernel32`` objects with the same
functions, so this logic runs on any platform.

Threads: one thread at a time.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

from pipeline.focus.window import WatcherUnavailable, WindowInfo

log = logging.getLogger(__name__)

PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
MAX_TITLE = 1024
MAX_PATH = 32768


def _load_dlls() -> tuple[Any, Any]:  # pragma: no cover - Windows only
    from ctypes import wintypes

    try:
        user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    except (AttributeError, OSError) as exc:
        raise WatcherUnavailable(f"cannot read the active window: {exc}") from None
    user32.GetForegroundWindow.restype = wintypes.HWND
    user32.GetForegroundWindow.argtypes = []
    user32.GetWindowTextLengthW.restype = ctypes.c_int
    user32.GetWindowTextLengthW.argtypes = [wintypes.HWND]
    user32.GetWindowTextW.restype = ctypes.c_int
    user32.GetWindowTextW.argtypes = [wintypes.HWND, wintypes.LPWSTR, ctypes.c_int]
    user32.GetClassNameW.restype = ctypes.c_int
    user32.GetClassNameW.argtypes = [wintypes.HWND, wintypes.LPWSTR, ctypes.c_int]
    user32.GetWindowThreadProcessId.restype = wintypes.DWORD
    user32.GetWindowThreadProcessId.argtypes = [wintypes.HWND, ctypes.POINTER(wintypes.DWORD)]
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    kernel32.QueryFullProcessImageNameW.restype = wintypes.BOOL
    kernel32.QueryFullProcessImageNameW.argtypes = [
        wintypes.HANDLE, wintypes.DWORD, wintypes.LPWSTR, ctypes.POINTER(wintypes.DWORD),
    ]  # fmt: skip
    kernel32.CloseHandle.restype = wintypes.BOOL
    kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
    return user32, kernel32


class Win32Source:
    """:class:`pipeline.focus.window.WindowSource` for Windows. ``user32`` / ``kernel32``: the
    DLLs (default) or fakes with the same functions."""

    name = "win32"

    def __init__(self, user32: Any = None, kernel32: Any = None) -> None:
        if user32 is None or kernel32 is None:
            user32, kernel32 = _load_dlls()
        self._user32 = user32
        self._kernel32 = kernel32
        self._cached_hwnd: int | None = None
        self._cached: tuple[int, str, str] = (0, "", "")

    def close(self) -> None:
        """Nothing to close: the DLLs stay loaded for the process."""

    def active_window(self) -> WindowInfo | None:
        hwnd = self._user32.GetForegroundWindow()
        if not hwnd:
            return None
        hwnd = int(hwnd)
        if hwnd != self._cached_hwnd:
            pid = self._pid(hwnd)
            self._cached = (pid, self._process_name(pid), self._class_name(hwnd))
            self._cached_hwnd = hwnd
        pid, process, window_class = self._cached
        return WindowInfo(title=self._title(hwnd), process=process, window_class=window_class,
                          pid=pid, window_id=hwnd)  # fmt: skip

    def _title(self, hwnd: int) -> str:
        length = int(self._user32.GetWindowTextLengthW(hwnd))
        if length <= 0:
            return ""
        buffer = ctypes.create_unicode_buffer(min(length, MAX_TITLE) + 1)
        copied = int(self._user32.GetWindowTextW(hwnd, buffer, len(buffer)))
        return buffer.value[: max(copied, 0)]

    def _class_name(self, hwnd: int) -> str:
        buffer = ctypes.create_unicode_buffer(256)
        copied = int(self._user32.GetClassNameW(hwnd, buffer, len(buffer)))
        return buffer.value[: max(copied, 0)]

    def _pid(self, hwnd: int) -> int:
        pid = ctypes.c_ulong(0)
        self._user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        return int(pid.value)

    def _process_name(self, pid: int) -> str:
        """The image file name of ``pid`` (``vlc.exe``), "" when it cannot be read."""
        if pid <= 0:
            return ""
        handle = self._kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not handle:
            return ""
        try:
            buffer = ctypes.create_unicode_buffer(MAX_PATH)
            size = ctypes.c_ulong(len(buffer))
            if not self._kernel32.QueryFullProcessImageNameW(handle, 0, buffer, ctypes.byref(size)):
                return ""
            path = buffer.value[: size.value]
        finally:
            self._kernel32.CloseHandle(handle)
        return path.replace("/", "\\").rsplit("\\", 1)[-1]
