"""Real keyboard and mouse injection, and the global pause hotkey.

``pipeline`` only knows the :class:`pipeline.actions.InputSink` protocol; this module is the
desktop implementation. On X11 every key goes through XTEST (:mod:`app.desktop.x11_keys`): pynput would
send character keys as synthetic events that xterm and others ignore. Mouse input, and keys on
Windows and macOS, go through pynput (its X11 mouse already uses XTEST). Under a Wayland session
:func:`create_input_sink` uses the backend :mod:`app.desktop.backends` chooses (wlroots virtual
devices, the desktop portal, uinput); this X11 sink there reaches only X11 (XWayland) windows,
and without ``DISPLAY`` it cannot work at all (use ``--dry-run``). :func:`create_input_sink`
also starts the input guardian
(:mod:`app.desktop.guardian`), which releases what is held if this process dies.

When the X server goes away every call raises :class:`app.desktop.x11_keys.DisplayLostError`
(one clear message, no Xlib traceback); the sink remembers it (``display_lost``).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from app.desktop.backends import wayland_session
from app.desktop.x11_keys import DisplayLostError, DisplayWatch, connection_lost, x11_available
from pipeline.actions.spec import ComboAction, parse_action
from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from app.desktop.x11_keys import XTestKeyboard
    from pipeline.actions.sink import BackgroundTyping

log = logging.getLogger(__name__)

# Between the clicks of a double click: well inside every desktop's double-click time (200-500
# ms), long enough for each click to be its own press and release.
DOUBLE_CLICK_GAP_S = 0.04

WAYLAND_WARNING = (
    "this is a Wayland session: HandCue sends input through X11, so only X11/XWayland windows "
    "receive it (native Wayland apps such as many GNOME/KDE apps will not). Log in with an "
    "'on Xorg' session for full control."
)

_ADVISED: list[str] = []


def wayland_hotkey_advice(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """On a Linux Wayland session, how to pause from any application: HandCue's hotkeys are
    X11 grabs, which only see keys while an X11 (XWayland) window has the focus; the desktop's
    own keyboard settings can run ``handcue toggle pause`` instead. None elsewhere."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not (platform.startswith("linux") and wayland_session(env)):
        return None
    return (
        "On Wayland HandCue's hotkeys work only while an X11 window has the focus. To pause "
        "from any application, bind the command “handcue toggle pause” (and “handcue toggle "
        "pointer”) to a key in your desktop's keyboard settings."
    )


def display_problems(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> list[str]:
    """Warnings about where injected input can go (empty when all is well).

    Raises :class:`HandCueError` when input cannot be injected at all (Linux without an X
    display). ``env``/``platform`` default to the real ones (parameters for tests)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return []
    wayland = wayland_session(env)
    if not env.get("DISPLAY"):
        where = "a Wayland session without XWayland" if wayland else "no X display"
        raise HandCueError(
            f"cannot send keys or clicks: {where} (DISPLAY is not set). Run inside a desktop "
            "session, or add --dry-run to only print the actions.",
            code=4,
        )
    return [WAYLAND_WARNING] if wayland else []


class PynputSink:
    """:class:`pipeline.actions.InputSink` on the real desktop.

    Remembers every key and button it pressed; :meth:`release_all` (also run at interpreter
    exit until :meth:`close`) lifts whatever is still down. Call from one thread at a time.
    Raises :class:`HandCueError` when there is no display; ``warnings`` holds messages for the
    user (e.g. the Wayland limitation). Once the X connection is lost (``display_lost``) every
    call raises :class:`DisplayLostError` (a release too: the guardian, on a connection of its
    own, still has it marked down and releases it if that server lives) and :meth:`release_all`
    and :meth:`close` only forget.
    """

    def __init__(self) -> None:
        self.warnings = display_problems()  # raises when there is no display at all
        for message in self.warnings:
            log.warning("%s", message)
        try:
            from pynput import keyboard, mouse
        except Exception as exc:  # Xlib raises its own errors when the display is unusable
            raise HandCueError(
                f"cannot connect to the display for input injection ({exc}). "
                "Add --dry-run to only print the actions.",
                code=4,
            ) from None
        self._keyboard_mod = keyboard
        self._keyboard = keyboard.Controller()
        self._mouse = mouse.Controller()
        self._buttons = {
            "left": mouse.Button.left,
            "right": mouse.Button.right,
            "middle": mouse.Button.middle,
        }
        self._held_keys: list[str] = []
        self._held_buttons: list[str] = []
        self._closed = False
        self.display_lost: DisplayLostError | None = None
        self._xkeys: XTestKeyboard | None = None
        if x11_available(sys.platform, os.environ):
            from app.desktop.x11_keys import XTestKeyboard

            self._xkeys = XTestKeyboard()  # raises HandCueError without XTEST
        atexit.register(self.release_all)

    def _key(self, name: str) -> Any:
        if len(name) == 1:
            return self._keyboard_mod.KeyCode.from_char(name)
        key = getattr(self._keyboard_mod.Key, name, None)
        if key is None:
            raise HandCueError(f"the key {name!r} does not exist on this system")
        return key

    def _button(self, name: str) -> Any:
        try:
            return self._buttons[name]
        except KeyError:
            raise HandCueError(f"unknown mouse button {name!r}") from None

    def _input(self, send: Callable[..., Any], *args: Any) -> Any:
        """``send(*args)``; a lost X connection raises :class:`DisplayLostError` (once lost,
        at once)."""
        if self.display_lost is not None:
            raise DisplayLostError(None, "gone earlier")
        try:
            return send(*args)
        except Exception as exc:
            if not connection_lost(exc):
                raise
            self.display_lost = (
                exc if isinstance(exc, DisplayLostError) else DisplayLostError(None, exc)
            )
            raise DisplayLostError(None, exc) from None

    def press_key(self, key: str) -> None:
        code = None if self._xkeys is not None else self._key(key)
        if key not in self._held_keys:
            self._held_keys.append(key)
        if self._xkeys is not None:
            self._input(self._xkeys.press, key)
        else:
            self._input(self._keyboard.press, code)

    def release_key(self, key: str) -> None:
        self._release_key(key)
        if key in self._held_keys:
            self._held_keys.remove(key)

    def _release_key(self, key: str) -> None:
        if self._xkeys is not None:
            self._input(self._xkeys.release, key)
        else:
            self._input(self._keyboard.release, self._key(key))

    def press_button(self, button: str) -> None:
        code = self._button(button)
        if button not in self._held_buttons:
            self._held_buttons.append(button)
        self._input(self._mouse.press, code)

    def release_button(self, button: str) -> None:
        self._input(self._mouse.release, self._button(button))
        if button in self._held_buttons:
            self._held_buttons.remove(button)

    def click(self, button: str, count: int = 1) -> None:
        # A double click as a hand makes it: clicks DOUBLE_CLICK_GAP_S apart. Sent back to back
        # (pynput's click(button, 2)) the second click was lost now and then on a busy machine
        # (seen under Xvfb: the receiver got one press and release).
        code = self._button(button)
        for i in range(count):
            if i:
                time.sleep(DOUBLE_CLICK_GAP_S)
            self._input(self._mouse.click, code, 1)

    def scroll(self, dx: int, dy: int) -> None:
        self._input(self._mouse.scroll, dx, dy)

    def move_pointer(self, x: int, y: int) -> None:
        """Put the pointer at desktop pixel ``(x, y)`` (X11: XTEST motion, a real move that
        applications and the X server's own pointer state see)."""
        self._input(setattr, self._mouse, "position", (int(x), int(y)))

    def pointer_position(self) -> tuple[int, int] | None:
        """Where the OS pointer is now (desktop pixels), None if it cannot be read."""
        if self.display_lost is not None:
            return None
        try:
            x, y = self._mouse.position
        except Exception:
            log.debug("pointer position unavailable", exc_info=True)
            return None
        return int(x), int(y)

    def type_text(self, text: str) -> None:
        if self._xkeys is not None:
            self._input(self._xkeys.type_text, text)
        else:
            self._input(self._keyboard.type, text)

    def release_all(self) -> None:
        """Release everything this sink pressed, newest first; never raises. With the display
        lost nothing can be sent: what was held is forgotten (see the class docstring)."""
        while self._held_buttons:
            name = self._held_buttons.pop()
            try:
                self._input(self._mouse.release, self._buttons[name])
            except DisplayLostError:
                pass
            except Exception:
                log.exception("could not release mouse button %s", name)
        while self._held_keys:
            name = self._held_keys.pop()
            try:
                self._release_key(name)
            except DisplayLostError:
                pass
            except Exception:
                log.exception("could not release key %s", name)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.release_all()
        atexit.unregister(self.release_all)
        if self._xkeys is not None:
            self._xkeys.close()
        for controller in (self._keyboard, self._mouse):
            # pynput's X11 controllers close their connection when collected, and that raises
            # (printed as "Exception ignored in ... __del__") once the display is gone: close
            # it here, where a failure is expected, and leave them nothing to close.
            display = getattr(controller, "_display", None)
            if display is not None:
                try:
                    display.close()
                except Exception:
                    log.debug("closing pynput's X connection failed", exc_info=True)
                del controller._display


def create_input_sink(
    *, guardian: bool = True, prefer_uinput: bool = False
) -> tuple[BackgroundTyping, list[str]]:
    """The desktop sink and warnings for the user (e.g. Wayland). Raises HandCueError with a
    clear message (suggesting ``--dry-run``) when input cannot be injected here.

    The backend (X11 XTEST, wlroots Wayland, the desktop portal, uinput) is chosen from the
    session by :func:`app.desktop.backends.open_backend`; :func:`open_desktop_input` also says
    which one it is. With ``guardian`` (the default, used by ``handcue run`` and the app) the
    sink is wrapped in :class:`app.desktop.guardian.GuardedSink`: a separate process releases
    whatever is held if this process dies without doing it itself (SIGKILL, a native crash).
    ``type:`` text is typed by :class:`pipeline.actions.sink.BackgroundTyping` on its own
    thread, so tracking never waits for it."""
    opened = open_desktop_input(guardian=guardian, prefer_uinput=prefer_uinput)
    return opened.sink, opened.warnings


class DesktopInput:
    """An opened desktop sink (guarded, typing in the background), the backend's name
    (``x11``, ``wlroots``, ``portal``, ``uinput``, ``native``), the one line that names it and
    says what it can and cannot do, and the warnings for the user."""

    def __init__(
        self, sink: BackgroundTyping, backend: str, description: str, warnings: list[str]
    ) -> None:
        self.sink = sink
        self.backend = backend
        self.description = description
        self.warnings = warnings


def open_desktop_input(*, guardian: bool = True, prefer_uinput: bool = False) -> DesktopInput:
    """:func:`create_input_sink` with the backend named (see :class:`DesktopInput`)."""
    from app.desktop.backends import PORTAL, UINPUT, open_backend
    from pipeline.actions.sink import BackgroundTyping

    opened = open_backend(PynputSink, prefer_uinput=prefer_uinput)
    for message in opened.warnings:
        if message not in getattr(opened.sink, "warnings", ()):  # PynputSink logged its own
            log.warning("%s", message)
    log.info("%s", opened.description)
    sink = opened.sink
    # The portal's session and uinput's devices end with this process, and what they held with
    # them (the portal closes the session when our bus connection drops; the kernel releases
    # a uinput device's keys as it removes it): a guardian would only release through X11,
    # which is not where those keys went.
    if guardian and opened.backend not in (PORTAL, UINPUT):
        from app.desktop.guardian import guard

        sink = guard(sink, backend=opened.backend)
    return DesktopInput(BackgroundTyping(sink), opened.backend, opened.description,
                        list(opened.warnings))  # fmt: skip


class DisplayLossMonitor:
    """Notices, once, that the X display is gone, wherever that shows first: a
    :class:`app.desktop.x11_keys.DisplayWatch` thread on a connection of its own, an exception
    that ends another thread (pynput's hotkey listener), a log record carrying the error (the
    active-window watcher logs it), :meth:`confirm` after a failure. ``error`` is then the
    :class:`DisplayLostError` for the caller to report: one fault, one line.

    While started (``with`` block) it keeps the consequences quiet, on this process's log
    handlers and ``threading.excepthook``: the lost connection's tracebacks from any thread,
    and once the loss is known every warning (each part that used the display complains in its
    own words); errors not about the display still show. With DEBUG logging (``handcue -v``)
    everything is shown. Without an X display (other systems, no ``DISPLAY``) it does nothing.
    """

    def __init__(self, display_name: str | None = None) -> None:
        self._name = display_name
        self._lock = threading.Lock()
        self.error: DisplayLostError | None = None
        self._watch: DisplayWatch | None = None
        self._handlers: list[logging.Handler] = []
        self._previous_hook: Callable[[threading.ExceptHookArgs], Any] | None = None

    @property
    def lost(self) -> bool:
        return self.error is not None

    def notice(self, error: DisplayLostError) -> None:
        """The display is gone (any thread; the first report wins)."""
        with self._lock:
            if self.error is None:
                log.debug("the X display is gone: %s", error.detail)
                self.error = error

    def confirm(self, exc: BaseException | None = None) -> bool:
        """After a failure: whether the display is gone. ``exc`` is the failure if there is
        one; the display is also tried with a new connection (the failure may have come before
        the watch saw the loss)."""
        if exc is not None and connection_lost(exc):
            self.notice(exc if isinstance(exc, DisplayLostError) else DisplayLostError(None, exc))
        if self.error is None and self._watch is not None:
            try:
                from Xlib import display as xdisplay

                xdisplay.Display(self._name).close()
            except Exception as probe:
                self.notice(DisplayLostError(self._name, probe))
        return self.lost

    def start(self) -> None:
        if not x11_available(sys.platform, os.environ):
            return
        watch = DisplayWatch(self.notice, self._name)
        try:
            watch.start()
        except HandCueError:
            log.debug("the X display cannot be watched", exc_info=True)
            return
        self._watch = watch
        self._previous_hook = threading.excepthook
        threading.excepthook = self._thread_ended
        self._handlers = list(logging.getLogger().handlers)
        for handler in self._handlers:
            handler.addFilter(self._keep_record)

    def stop(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.stop()
        if self._previous_hook is not None:
            threading.excepthook = self._previous_hook
            self._previous_hook = None
        for handler in self._handlers:
            handler.removeFilter(self._keep_record)
        self._handlers = []

    def __enter__(self) -> DisplayLossMonitor:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _thread_ended(self, args: threading.ExceptHookArgs) -> None:
        if connection_lost(args.exc_value):
            self.notice(DisplayLostError(self._name, args.exc_value))
            if not logging.getLogger().isEnabledFor(logging.DEBUG):
                return
        if self._previous_hook is not None:
            self._previous_hook(args)

    def _keep_record(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and connection_lost(exc):
            self.notice(DisplayLostError(self._name, exc))
            return False
        return self.error is None or record.levelno >= logging.ERROR


def to_pynput_hotkey(hotkey: str) -> str:
    """``"ctrl+alt+p"`` (our combo syntax) -> ``"<ctrl>+<alt>+p"`` (pynput's)."""
    action = parse_action(f"combo:{hotkey}")
    assert isinstance(action, ComboAction)  # "combo:" parses to a ComboAction or raises
    return "+".join(k if len(k) == 1 else f"<{k}>" for k in action.keys)


class PauseHotkey:
    """A global hotkey calling ``on_pressed`` from a thread of its own. Keep the callback short
    and thread-safe (e.g. set a flag or emit a Qt signal).

    On X11 the key is grabbed (:mod:`app.desktop.x11_hotkey`): the focused application does not
    get it too. Elsewhere, or when another program already grabs that combination, pynput's
    ``GlobalHotKeys`` listens (the key then also reaches the focused application; a warning says
    so)."""

    def __init__(self, hotkey: str, on_pressed: Callable[[], object]) -> None:
        self.hotkey = hotkey
        self._on_pressed = on_pressed
        self._listener: Any = None

    def start(self) -> bool:
        """Start listening; False (with a warning logged) if the system refuses."""
        if not self.hotkey:
            return False
        advice = wayland_hotkey_advice()
        if advice and not _ADVISED:
            _ADVISED.append(advice)  # once per process: the pause and the pointer hotkey
            log.warning("%s", advice)
        on_x11 = x11_available(sys.platform, os.environ)
        if advice and not on_x11:
            return False  # no X server to listen on (pynput would only fail with a traceback)
        if on_x11:
            from app.desktop.x11_hotkey import HotkeyTaken, X11GrabHotkey

            grab = X11GrabHotkey(self.hotkey, self._fire)
            try:
                grab.start()
            except HotkeyTaken as exc:
                log.warning("%s: HandCue listens for it instead (it reaches that program too)", exc)
            except HandCueError as exc:
                log.warning(
                    "the hotkey %s cannot be grabbed (%s); listening instead", self.hotkey, exc
                )
            else:
                self._listener = grab
                return True
        try:
            from pynput import keyboard

            self._listener = keyboard.GlobalHotKeys({to_pynput_hotkey(self.hotkey): self._fire})
            self._listener.start()
            self._listener.wait()  # listening before the caller says it is running
        except Exception:
            log.warning("the pause hotkey %s is not available", self.hotkey, exc_info=True)
            self._listener = None
            return False
        return True

    def _fire(self) -> None:
        try:
            self._on_pressed()
        except Exception:  # an exception here would stop pynput's listener thread
            log.exception("pause hotkey handler failed")

    def stop(self) -> None:
        """Stop listening; never raises (e.g. with the X display gone the listener has already
        stopped, and telling it to stop fails)."""
        listener, self._listener = self._listener, None
        if listener is None:
            return
        try:
            listener.stop()
        except Exception:
            log.debug("stopping the pause hotkey's listener failed", exc_info=True)
        if hasattr(listener, "join"):  # pynput's listener thread (the grab joins its own)
            listener.join(2.0)
