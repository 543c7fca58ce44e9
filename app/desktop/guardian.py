"""The input guardian: a tiny watchdog process that lifts keys and mouse buttons HandCue left
held down when HandCue dies, whatever killed it (SIGKILL, a segfault in a native library, abort).

HandCue releases everything itself on every orderly path (end, Ctrl-C, SIGTERM/SIGHUP/SIGQUIT,
errors, atexit). A process that is killed or crashes runs none of that, and input sent with
SendInput (Windows) or XTEST (X11) may stay down after the sender is gone. So HandCue starts this
separate process (no models, no Qt: Python, and Xlib on X11) and tells it over a pipe what is
down; when the pipe reaches end-of-file, HandCue is gone (the kernel closes the pipe however the
process ended) and the guardian releases whatever is still marked down, then exits.

Protocol (HandCue -> guardian, its standard input): one JSON array per line,
``["down", "key", NAME]``, ``["up", "key", NAME]``, ``["down", "button", "left"]``, ...,
``["down", "text", TEXT]`` / ``["up", "text", TEXT]`` around typing (a death mid-type releases
the keys that text uses). Names are canonical (:mod:`pipeline.actions.spec`). The guardian writes
one line on standard error for each thing it had to release; nothing when the X display is gone
(nothing is held on a server that stopped, and HandCue says itself that the display was lost).

:class:`GuardedSink` wraps the real sink: every press is reported *before* it is sent and every
release *after* it was sent, so the guardian's picture is never smaller than what is down.
The guardian runs in its own session (terminal hang-up and Ctrl-C do not reach it) and waits in a
blocking read: no CPU while idle (``python -m app.desktop.guardian --measure`` prints its costs).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from app.desktop.x11_keys import XTestKeyboard
    from pipeline.actions.sink import InputSink, PointerMotion

log = logging.getLogger(__name__)

_BUTTON_NUMBERS = {"left": 1, "middle": 2, "right": 3}
# The guardian's environment names HandCue's input backend (app.desktop.backends).
BACKEND_ENV = "HANDCUE_GUARDIAN_BACKEND"
# On wlroots, between the guardian's virtual pointer appearing and its release: when HandCue's
# pointer was the seat's only one, applications drop their pointer object as it goes and make
# a new one when the guardian's appears; a release sent before that reaches nobody (seen under
# headless sway). With a real mouse on the seat this wait changes nothing.
_WLROOTS_SETTLE_S = 0.5


# --------------------------------------------------------------------------- HandCue's side


class InputGuardian:
    """HandCue's handle on the guardian process. :meth:`note` is thread-safe and never raises:
    if the guardian is gone, a warning is logged once and HandCue carries on without it."""

    def __init__(self, command: list[str] | None = None, *, backend: str | None = None) -> None:
        self._command = command or guardian_command()
        self._backend = backend  # the input backend HandCue uses (app.desktop.backends)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._broken = False

    def start(self) -> bool:
        """Start the process (does not wait for it to be ready: notes queue in the pipe)."""
        options: dict[str, Any] = {}
        if sys.platform == "win32":
            options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:
            options["start_new_session"] = True  # no SIGHUP / SIGINT from HandCue's terminal
        if self._backend:
            options["env"] = {**os.environ, BACKEND_ENV: self._backend}
        try:
            self._proc = subprocess.Popen(
                self._command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                close_fds=True,
                **options,
            )
        except OSError as exc:
            log.warning("input guardian not started (%s): a crash could leave a key held", exc)
            self._broken = True
            return False
        return True

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def note(self, change: str, kind: str, name: str) -> None:
        """Tell the guardian that ``kind`` (key, button, text) ``name`` went ``change``."""
        if self._proc is None or self._proc.stdin is None or self._broken:
            return
        line = (json.dumps([change, kind, name]) + "\n").encode("utf-8")
        with self._lock:
            try:
                fd = self._proc.stdin.fileno()
                while line:  # one unbuffered write: the line is in the pipe when this returns
                    line = line[os.write(fd, line) :]
            except (OSError, ValueError) as exc:
                self._broken = True
                log.warning(
                    "the input guardian has stopped (%s): a crash could leave a key held", exc
                )

    def close(self, timeout: float = 2.0) -> None:
        """End the guardian: HandCue has released everything itself."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with self._lock, contextlib.suppress(OSError, ValueError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def guardian_command() -> list[str]:
    """How to start the guardian with this interpreter (or this frozen build)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--input-guardian"]
    return [sys.executable, "-m", "app.desktop.guardian"]


class GuardedSink:
    """An :class:`pipeline.actions.InputSink` that mirrors every press and release of ``sink``
    to an :class:`InputGuardian`. ``release_all``, ``close`` and the pointer methods
    (:class:`pipeline.actions.sink.PointerMotion`: moves hold nothing) go to the wrapped sink;
    :meth:`close` also ends the guardian. The pointer methods are those of
    :class:`pipeline.actions.sink.PointerPassThrough`, which this cannot subclass: the guardian
    process imports this module and must stay small (``pipeline.actions`` loads numpy)."""

    def __init__(self, sink: InputSink, guardian: InputGuardian) -> None:
        from pipeline.actions.sink import pointer_of

        self.sink = sink
        self.guardian = guardian
        self._pointer: PointerMotion | None = pointer_of(sink)

    @property
    def moves_pointer(self) -> bool:
        return self._pointer is not None

    def move_pointer(self, x: int, y: int) -> None:
        if self._pointer is None:
            raise AttributeError("GuardedSink wraps a sink without move_pointer")
        self._pointer.move_pointer(x, y)

    def pointer_position(self) -> tuple[int, int] | None:
        return None if self._pointer is None else self._pointer.pointer_position()

    def press_key(self, key: str) -> None:
        self.guardian.note("down", "key", key)
        self.sink.press_key(key)

    def release_key(self, key: str) -> None:
        self.sink.release_key(key)
        self.guardian.note("up", "key", key)

    def press_button(self, button: str) -> None:
        self.guardian.note("down", "button", button)
        self.sink.press_button(button)

    def release_button(self, button: str) -> None:
        self.sink.release_button(button)
        self.guardian.note("up", "button", button)

    def click(self, button: str, count: int = 1) -> None:
        self.guardian.note("down", "button", button)
        try:
            self.sink.click(button, count)
        finally:
            self.guardian.note("up", "button", button)

    def scroll(self, dx: int, dy: int) -> None:
        self.sink.scroll(dx, dy)

    def type_text(self, text: str) -> None:
        self.guardian.note("down", "text", text)
        try:
            self.sink.type_text(text)
        finally:
            self.guardian.note("up", "text", text)

    def release_all(self) -> None:
        release = getattr(self.sink, "release_all", None)
        if callable(release):
            release()

    def close(self) -> None:
        try:
            close = getattr(self.sink, "close", None)
            if callable(close):
                close()
        finally:
            self.guardian.close()


def guard(sink: InputSink, *, backend: str | None = None) -> InputSink:
    """``sink`` wrapped with a started guardian (``sink`` itself if none could start).
    ``backend`` (:mod:`app.desktop.backends`) tells the guardian how to release."""
    guardian = InputGuardian(backend=backend)
    return GuardedSink(sink, guardian) if guardian.start() else sink


# --------------------------------------------------------------------------- guardian's side


class _WlrootsReleaser:
    """Releases on a wlroots compositor (sway, Hyprland...), HandCue's Wayland backend.

    Keys: the compositor lifts them itself. HandCue's virtual keyboard belongs to HandCue's
    Wayland connection, which the kernel closes when HandCue dies; wlroots then destroys the
    keyboard and sends the focused application a release of every key it held (seen under
    sway 1.7 / wlroots 0.15: the held key stops repeating and a release arrives). Buttons: a
    destroyed virtual pointer leaves the seat's button down (the window keeps its implicit
    grab), so the guardian sends the release from a virtual pointer of its own (the seat's
    buttons are shared by every pointer; seen to end the grab under sway)."""

    display_lost = False

    def __init__(self) -> None:
        self._sink: Any = None

    def key(self, name: str) -> str:
        return "the compositor released it when HandCue's connection closed"

    def text(self, text: str) -> str:
        return self.key(text)

    def button(self, name: str) -> str:
        if self._sink is None:
            from app.desktop.wayland.sink import WlrootsSink

            self._sink = WlrootsSink()
            time.sleep(_WLROOTS_SETTLE_S)
        self._sink.release_button(name)
        self._sink.sync()
        return "released it"


class _Releaser:
    """Releases keys and buttons in the guardian process: XTEST on X11, pynput elsewhere."""

    def __init__(self) -> None:
        from app.desktop.x11_keys import x11_available

        self._x: XTestKeyboard | None = None
        self._keyboard: Any = None  # pynput's modules (untyped)
        self._mouse: Any = None
        if x11_available(sys.platform, os.environ):
            from app.desktop.x11_keys import XTestKeyboard

            self._x = XTestKeyboard()  # connect now: the display is there while HandCue runs
        else:  # pragma: no cover - Windows / macOS
            from pynput import keyboard, mouse

            self._keyboard, self._mouse = keyboard, mouse

    @property
    def display_lost(self) -> bool:
        """Whether the X connection is gone (found out by a release that failed)."""
        return self._x is not None and self._x.lost is not None

    def key(self, name: str) -> None:
        if self._x is not None:
            self._x.release(name)
            return
        key_mod = self._keyboard  # pragma: no cover - Windows / macOS
        key = key_mod.KeyCode.from_char(name) if len(name) == 1 else getattr(key_mod.Key, name)
        key_mod.Controller().release(key)

    def button(self, name: str) -> None:
        if self._x is not None:
            self._x.release_button(_BUTTON_NUMBERS[name])
            return
        mouse = self._mouse  # pragma: no cover - Windows / macOS
        mouse.Controller().release(getattr(mouse.Button, name))

    def text(self, text: str) -> None:
        if self._x is not None:
            for keycode in sorted(self._x.keycodes_of_text(text)):
                self._x.release_keycode(keycode)
            return
        for char in set(text):  # pragma: no cover - Windows / macOS
            self.key(char)


def serve(stream: Iterable[bytes], errors: TextIO) -> int:
    """The guardian's loop: read notes from ``stream`` (binary) until end-of-file, then
    release what is still down. Returns the exit code."""
    held: dict[tuple[str, str], None] = {}  # insertion order = press order
    releaser: Any = _WlrootsReleaser() if os.environ.get(BACKEND_ENV) == "wlroots" else _Releaser()
    stopping = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        raise SystemExit(0)

    for name in ("SIGINT", "SIGHUP", "SIGQUIT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_term)
    try:
        for raw in stream:
            try:
                change, kind, name = json.loads(raw)
            except ValueError:
                continue  # a line cut by HandCue's death: what it said is unknown anyway
            if change == "down":
                held[(kind, name)] = None
            else:
                held.pop((kind, name), None)
    except SystemExit:
        pass
    finally:
        for kind, name in reversed(list(held)):
            try:
                if releaser.display_lost:
                    continue  # the server is gone, and what it held with it
                how = getattr(releaser, kind)(name)
                shown = f"{len(name)} characters of text" if kind == "text" else repr(name)
                print(
                    f"handcue: input guardian: HandCue ended with {kind} {shown} down; "
                    f"{how if isinstance(how, str) else 'released it'}",
                    file=errors,
                    flush=True,
                )
            except Exception as exc:
                if releaser.display_lost:
                    continue
                print(f"handcue: input guardian: could not release {kind} {name!r}: {exc}",
                      file=errors, flush=True)  # fmt: skip
    return 0


def _measure() -> int:  # pragma: no cover - a measurement, run by hand
    """Print the guardian's costs: per mirrored event and idle CPU / memory."""
    guardian = InputGuardian()
    guardian.start()
    n = 20000
    t0 = time.perf_counter()
    for i in range(n):
        guardian.note("down" if i % 2 == 0 else "up", "key", "f")
    per_event_us = (time.perf_counter() - t0) / n * 1e6
    time.sleep(1.0)  # let it read them all
    pid = guardian.pid
    assert pid is not None

    def cpu_s() -> float:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before, t1 = cpu_s(), time.perf_counter()
    time.sleep(10.0)
    idle = (cpu_s() - before) / (time.perf_counter() - t1)
    with open(f"/proc/{pid}/status") as fh:
        rss = next(line.split()[1] for line in fh if line.startswith("VmRSS"))
    guardian.close()
    print(json.dumps({"per_event_us": round(per_event_us, 2), "idle_cpu_fraction": idle,
                      "rss_kb": int(rss)}))  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--measure"]:
        return _measure()
    try:
        return serve(sys.stdin.buffer, sys.stderr)
    except Exception as exc:  # e.g. no display: HandCue sees the pipe break and warns
        print(f"handcue: input guardian could not run: {exc}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
