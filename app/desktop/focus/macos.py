"""The active window on macOS, through pyobjc (``pyobjc-framework-Quartz``, a macOS-only
dependency of HandCue).

The window server's list of on-screen windows (``CGWindowListCopyWindowInfo``) is ordered
front to back; the first normal window (layer 0) belongs to the frontmost application and
carries its title (``kCGWindowName``, present once the user allowed Screen Recording, else "").
That list is read synchronously, so it is right from any thread; ``NSWorkspace``'s
``frontmostApplication`` is only refreshed by notifications on the main thread's run loop, which
``handcue run`` does not run, so it is the fall-back when Quartz is missing. The app's bundle id
comes from ``NSRunningApplication`` when AppKit is there. Tests pass fakes for the three calls,
so this logic runs on any platform.

Threads: one thread at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pipeline.focus.window import WatcherUnavailable, WindowInfo

log = logging.getLogger(__name__)

WindowList = Callable[[], Sequence[Mapping[str, Any]]]
Frontmost = Callable[[], Any]  # -> an NSRunningApplication-like object, or None
AppForPid = Callable[[int], Any]


def _quartz_window_list() -> WindowList:  # pragma: no cover - macOS only
    import Quartz  # type: ignore[import-not-found]

    options = Quartz.kCGWindowListOptionOnScreenOnly | Quartz.kCGWindowListExcludeDesktopElements

    def window_list() -> Sequence[Mapping[str, Any]]:
        return list(Quartz.CGWindowListCopyWindowInfo(options, Quartz.kCGNullWindowID) or [])

    return window_list


def _appkit_calls() -> tuple[Frontmost, AppForPid]:  # pragma: no cover - macOS only
    from AppKit import NSRunningApplication, NSWorkspace  # type: ignore[import-not-found]

    workspace = NSWorkspace.sharedWorkspace()
    return (
        workspace.frontmostApplication,
        NSRunningApplication.runningApplicationWithProcessIdentifier_,
    )


class MacSource:
    """:class:`pipeline.focus.window.WindowSource` for macOS. Any of ``window_list``,
    ``frontmost`` and ``app_for_pid`` may be given (tests); the rest come from pyobjc."""

    name = "macos"

    def __init__(
        self,
        window_list: WindowList | None = None,
        frontmost: Frontmost | None = None,
        app_for_pid: AppForPid | None = None,
    ) -> None:
        if window_list is None:
            try:
                window_list = _quartz_window_list()
            except ImportError:
                log.info("Quartz (pyobjc) not importable: using NSWorkspace only, no titles")
        if frontmost is None or app_for_pid is None:
            try:
                appkit_frontmost, appkit_for_pid = _appkit_calls()
                frontmost = frontmost or appkit_frontmost
                app_for_pid = app_for_pid or appkit_for_pid
            except ImportError:
                pass
        if window_list is None and frontmost is None:
            raise WatcherUnavailable(
                "automatic profile switching on macOS needs pyobjc "
                "(pip install pyobjc-framework-Quartz)"
            )
        self._window_list = window_list
        self._frontmost = frontmost
        self._app_for_pid = app_for_pid

    def close(self) -> None:
        """Nothing to close."""

    def active_window(self) -> WindowInfo | None:
        if self._window_list is not None:
            for entry in self._window_list():
                if int(entry.get("kCGWindowLayer", -1)) != 0:
                    continue  # menu bar, dock, overlays
                pid = int(entry.get("kCGWindowOwnerPID", 0))
                return WindowInfo(
                    title=str(entry.get("kCGWindowName") or ""),
                    process=str(entry.get("kCGWindowOwnerName") or ""),
                    bundle_id=self._bundle_id(pid),
                    pid=pid,
                    window_id=int(entry.get("kCGWindowNumber", 0)),
                )
            return None
        assert self._frontmost is not None
        app = self._frontmost()
        if app is None:
            return None
        return WindowInfo(
            process=str(app.localizedName() or ""),
            bundle_id=str(app.bundleIdentifier() or ""),
            pid=int(app.processIdentifier()),
        )

    def _bundle_id(self, pid: int) -> str:
        if self._app_for_pid is None or pid <= 0:
            return ""
        app = self._app_for_pid(pid)
        return "" if app is None else str(app.bundleIdentifier() or "")
