"""Following the active window: a polling thread and the profile switcher on top of it.

:class:`WindowWatcher` reads a :class:`pipeline.focus.window.WindowSource` every ``poll_ms``
in its own thread and reports changes (another window, or a new title: browser tabs).
:class:`ProfileSwitcher` turns each change into a profile through the rules
(:func:`pipeline.focus.rules.choose_profile`) and switches the action engine, which releases
everything held first and reports a ``profile`` state record with the next frame; while a
HandCue window has the focus it also tells the engine to send nothing but arm/disarm.
``handcue run`` and the desktop app build it the same way (:func:`pipeline.runtime.make_switcher`).

Cost: a poll is one or two X round trips (or two Win32 calls) while the same window stays
active; the watcher measures its own thread's CPU time (:attr:`WindowWatcher.cpu_share`).

Threads: ``start``/``stop``/``set_config``/``add_listener`` from any thread; listeners are
called in the watcher thread (or the caller's, for changes made by ``set_config``/``start``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from pipeline.focus.rules import ProfileChoice, choose_profile
from pipeline.focus.window import WatcherUnavailable, WindowInfo, WindowSource
from pipeline.settings import AppConfig

log = logging.getLogger(__name__)

OWN_WINDOW_REASON = "a HandCue window has the focus"
#: A source that reports changes is polled on each change, and after this many quiet
#: ``poll_ms`` intervals anyway.
LISTEN_POLL_EVERY = 10


class WindowWatcher:
    """Polls ``source`` every ``interval_s`` in a daemon thread and calls ``on_change(info)``
    when the active window or its title changes (``info`` None: no window has the focus). A
    source with ``wait_for_change(timeout_s, wake_fd) -> bool | None`` (X11 with EWMH: it
    sleeps on the X connection until a change) is polled after each change, and after
    ``LISTEN_POLL_EVERY`` quiet intervals.
    ``on_failed(message)`` is called once if the source stops working (e.g. the X server
    went away); the thread then ends."""

    def __init__(
        self,
        source: WindowSource,
        on_change: Callable[[WindowInfo | None], None],
        *,
        interval_s: float = 0.1,
        on_failed: Callable[[str], None] | None = None,
    ) -> None:
        self._source = source
        self._on_change = on_change
        self._on_failed = on_failed
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cpu_s = 0.0
        self._wall_s = 0.0
        self.polls = 0
        self._last: tuple | None = None
        self._wake_r, self._wake_w = os.pipe()  # stop() wakes a listening source at once

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def cpu_seconds(self) -> float:
        """CPU time the watcher thread has used polling (s)."""
        return self._cpu_s

    @property
    def cpu_share(self) -> float:
        """The watcher thread's CPU time / wall time since it started (0.01 = 1% of a core)."""
        return self._cpu_s / self._wall_s if self._wall_s > 0 else 0.0

    def start(self) -> None:
        """Read the active window once in the calling thread (so the first decision is made
        before ``start`` returns; errors propagate), then keep polling in the thread."""
        if self._thread is not None:
            return
        self._last = self._poll(first=True)
        self._thread = threading.Thread(target=self._run, name="WindowWatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)
        if thread is None or not thread.is_alive():
            for fd in (self._wake_r, self._wake_w):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _poll(self, *, first: bool = False) -> tuple | None:
        info = self._source.active_window()
        self.polls += 1
        key = None if info is None else (info.window_id, info.title, info.app_names)
        if first or key != self._last:
            self._last = key
            try:
                self._on_change(info)
            except Exception:  # a listener's bug must not stop the switching
                log.exception("handling the active window change failed")
        return key

    def _run(self) -> None:  # watcher thread
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        listen = getattr(self._source, "wait_for_change", None)
        try:
            while not self._stop.is_set():
                # A listening source sleeps until it sees a change, a quiet while passes
                # (then poll anyway: a change may come from a window not listened to yet) or
                # stop() writes to the wake-up pipe; None: it cannot listen, poll on a timer.
                heard = None
                if listen is not None:
                    heard = listen(self.interval_s * LISTEN_POLL_EVERY, self._wake_r)
                if heard is None and self._stop.wait(self.interval_s):
                    break
                if not self._stop.is_set():
                    self._poll()
                self._cpu_s = time.thread_time() - cpu0
                self._wall_s = time.perf_counter() - wall0
        except Exception as exc:
            log.warning("watching the active window stopped: %s", exc, exc_info=True)
            if self._on_failed is not None:
                self._on_failed(f"automatic profile switching stopped: {exc}")
        finally:
            self._source.close()


class ProfileSwitcher:
    """Keeps the action engine on the profile the active window asks for.

    ``engine``: a :class:`pipeline.actions.ActionEngine` (anything with ``profile``,
    ``set_profile`` and ``set_focus_guard``). ``pinned``: a profile that overrides the rules
    for this switcher's life (``handcue run --profile``); the settings' ``switching.pinned`` is
    the app's. ``own_pids``: processes whose windows are HandCue's (default: this one).
    ``source_factory`` opens the platform's window source
    (:func:`app.desktop.focus.create_window_source`; tests pass fakes).
    """

    def __init__(
        self,
        engine: Any,
        config: AppConfig,
        *,
        pinned: str | None = None,
        own_pids: Iterable[int] | None = None,
        source_factory: Callable[[], WindowSource],
    ) -> None:
        self._engine = engine
        self._config = config
        self._pinned = pinned or None
        self._own_pids = frozenset(own_pids if own_pids is not None else (os.getpid(),))
        self._source_factory = source_factory
        self._lock = threading.RLock()
        self._listeners: list[Callable[[ProfileChoice], None]] = []
        self._window: WindowInfo | None = None
        # The latest active window that is not one of HandCue's own: what "test on the current
        # window" means while the user is looking at HandCue's rules.
        self._other_window: WindowInfo | None = None
        self._watcher: WindowWatcher | None = None
        self._guarded = False
        self.unavailable: str | None = None  # why there is no automatic switching, for the user
        self._choice = ProfileChoice(engine.profile, "manual", "not started")

    # ------------------------------------------------------------------ state
    @property
    def choice(self) -> ProfileChoice:
        """The last decision: the profile, why, and the window it was made for."""
        return self._choice

    @property
    def window(self) -> WindowInfo | None:
        return self._window

    @property
    def other_window(self) -> WindowInfo | None:
        """The latest active window that was not HandCue's own (None before any)."""
        return self._other_window

    @property
    def watcher(self) -> WindowWatcher | None:
        return self._watcher

    def add_listener(self, callback: Callable[[ProfileChoice], None]) -> None:
        """``callback(choice)`` after every decision (watcher thread, or the caller's)."""
        self._listeners.append(callback)

    # ------------------------------------------------------------------ life
    def start(self) -> str | None:
        """Open the window source and start watching. Returns None, or the message saying why
        switching is unavailable (then the profile stays as chosen by hand)."""
        if self._watcher is not None:
            return None
        try:
            source = self._source_factory()
        except WatcherUnavailable as exc:
            self.unavailable = str(exc)
            log.info("%s", exc)
            self._apply()
            return self.unavailable
        watcher = WindowWatcher(
            source, self.on_window, interval_s=self._config.switching.poll_ms / 1000.0,
            on_failed=self._on_failed,
        )  # fmt: skip
        try:
            watcher.start()
        except Exception as exc:  # the first read failed: treat as unavailable
            log.warning("reading the active window failed", exc_info=True)
            source.close()
            self.unavailable = f"cannot read the active window: {exc}"
            self._apply()
            return self.unavailable
        self._watcher = watcher
        return None

    def stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
        with self._lock:
            if self._guarded:
                self._guarded = False
                self._engine.set_focus_guard(None)

    def set_config(self, config: AppConfig) -> None:
        """New settings (rules edited, pinned changed): decide again for the current window."""
        with self._lock:
            self._config = config
            if self._watcher is not None:
                self._watcher.interval_s = config.switching.poll_ms / 1000.0
        self._apply()

    def decide(self, window: WindowInfo | None) -> ProfileChoice:
        """What the rules choose for ``window`` now (no switching: the Rules page's test)."""
        return choose_profile(self._config, window, pinned=self._pinned)

    # ------------------------------------------------------------------ internals
    def _on_failed(self, message: str) -> None:
        self.unavailable = message
        self._apply()

    def on_window(self, window: WindowInfo | None) -> None:
        """The active window changed (watcher thread)."""
        with self._lock:
            self._window = window
            if window is not None and window.pid not in self._own_pids:
                self._other_window = window
        self._apply()

    def _apply(self) -> None:
        with self._lock:
            window = None if self.unavailable else self._window
            choice = choose_profile(self._config, window, pinned=self._pinned)
            if self.unavailable and choice.source in ("no_window", "default"):
                # No watcher: keep what was chosen by hand instead of the "no window" default.
                choice = ProfileChoice(self._engine.profile, "manual", self.unavailable)
            elif choice.source == "no_window" and self._choice.source != "manual":
                # Between two windows (the window manager clears the active window for a
                # moment) or the desktop has the focus: keep the profile rather than flicker.
                choice = ProfileChoice(self._engine.profile, "no_window", choice.reason)
            if choice.profile != self._engine.profile:
                log.info("profile %s: %s", choice.profile, choice.reason)
                self._engine.set_profile(choice.profile)
            guard = (
                self._config.switching.protect_own_windows
                and window is not None
                and window.pid in self._own_pids
            )
            if guard != self._guarded:
                self._guarded = guard
                self._engine.set_focus_guard(OWN_WINDOW_REASON if guard else None)
            self._choice = choice
        for callback in list(self._listeners):
            try:
                callback(choice)
            except Exception:
                log.exception("a profile switch listener failed")
