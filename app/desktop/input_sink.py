"""Real keyboard and mouse injection, and the global pause hotkey.

``pipeline`` only knows the :class:`pipeline.actions.InputSink` protocol; this module is the
desktop implementation. On X11 every key goes through XTEST (:mod:`app.desktop.x11_keys`): pynput would
send character keys as synthetic events that xterm and others ignore. Mouse input, and keys on
Windows and macOS, go through pynput (its X11 mouse already uses XTEST). Under a Wayland session
only X11 (XWayland) windows receive input, and without ``DISPLAY`` it cannot work at all (use
``--dry-run``). :func:`create_input_sink` also starts the input guardian
(:mod:`app.desktop.guardian`), which releases what is held if this process dies.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from app.desktop.x11_keys import x11_available
from pipeline.actions.spec import ComboAction, parse_action
from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from app.desktop.x11_keys import XTestKeyboard
    from pipeline.actions.sink import BackgroundTyping

log = logging.getLogger(__name__)

WAYLAND_WARNING = (
    "this is a Wayland session: HandCue sends input through X11, so only X11/XWayland windows "
    "receive it (native Wayland apps such as many GNOME/KDE apps will not). Log in with an "
    "'on Xorg' session for full control."
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
    wayland = env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or bool(
        env.get("WAYLAND_DISPLAY")
    )
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
    user (e.g. the Wayland limitation).
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

    def press_key(self, key: str) -> None:
        code = None if self._xkeys is not None else self._key(key)
        if key not in self._held_keys:
            self._held_keys.append(key)
        if self._xkeys is not None:
            self._xkeys.press(key)
        else:
            self._keyboard.press(code)

    def release_key(self, key: str) -> None:
        self._release_key(key)
        if key in self._held_keys:
            self._held_keys.remove(key)

    def _release_key(self, key: str) -> None:
        if self._xkeys is not None:
            self._xkeys.release(key)
        else:
            self._keyboard.release(self._key(key))

    def press_button(self, button: str) -> None:
        code = self._button(button)
        if button not in self._held_buttons:
            self._held_buttons.append(button)
        self._mouse.press(code)

    def release_button(self, button: str) -> None:
        self._mouse.release(self._button(button))
        if button in self._held_buttons:
            self._held_buttons.remove(button)

    def click(self, button: str, count: int = 1) -> None:
        self._mouse.click(self._button(button), count)

    def scroll(self, dx: int, dy: int) -> None:
        self._mouse.scroll(dx, dy)

    def move_pointer(self, x: int, y: int) -> None:
        """Put the pointer at desktop pixel ``(x, y)`` (X11: XTEST motion, a real move that
        applications and the X server's own pointer state see)."""
        self._mouse.position = (int(x), int(y))

    def pointer_position(self) -> tuple[int, int] | None:
        """Where the OS pointer is now (desktop pixels), None if it cannot be read."""
        try:
            x, y = self._mouse.position
        except Exception:
            log.debug("pointer position unavailable", exc_info=True)
            return None
        return int(x), int(y)

    def type_text(self, text: str) -> None:
        if self._xkeys is not None:
            self._xkeys.type_text(text)
        else:
            self._keyboard.type(text)

    def release_all(self) -> None:
        """Release everything this sink pressed, newest first; never raises."""
        while self._held_buttons:
            name = self._held_buttons.pop()
            try:
                self._mouse.release(self._buttons[name])
            except Exception:
                log.exception("could not release mouse button %s", name)
        while self._held_keys:
            name = self._held_keys.pop()
            try:
                self._release_key(name)
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


def create_input_sink(*, guardian: bool = True) -> tuple[BackgroundTyping, list[str]]:
    """The desktop sink and warnings for the user (e.g. Wayland). Raises HandCueError with a
    clear message (suggesting ``--dry-run``) when input cannot be injected here.

    With ``guardian`` (the default, used by ``handcue run`` and the app) the sink is wrapped in
    :class:`app.desktop.guardian.GuardedSink`: a separate process releases whatever is held if this
    process dies without doing it itself (SIGKILL, a native crash). ``type:`` text is typed by
    :class:`pipeline.actions.sink.BackgroundTyping` on its own thread, so tracking never waits
    for it."""
    from pipeline.actions.sink import BackgroundTyping

    sink = PynputSink()
    warnings = list(sink.warnings)
    if guardian:
        from app.desktop.guardian import guard

        return BackgroundTyping(guard(sink)), warnings
    return BackgroundTyping(sink), warnings


def to_pynput_hotkey(hotkey: str) -> str:
    """``"ctrl+alt+p"`` (our combo syntax) -> ``"<ctrl>+<alt>+p"`` (pynput's)."""
    action = parse_action(f"combo:{hotkey}")
    assert isinstance(action, ComboAction)  # "combo:" parses to a ComboAction or raises
    return "+".join(k if len(k) == 1 else f"<{k}>" for k in action.keys)


class PauseHotkey:
    """A global hotkey (pynput ``GlobalHotKeys``) calling ``on_pressed`` from pynput's listener
    thread. Keep the callback short and thread-safe (e.g. set a flag or emit a Qt signal)."""

    def __init__(self, hotkey: str, on_pressed: Callable[[], object]) -> None:
        self.hotkey = hotkey
        self._on_pressed = on_pressed
        self._listener: Any = None

    def start(self) -> bool:
        """Start listening; False (with a warning logged) if the system refuses."""
        if not self.hotkey:
            return False
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
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
            listener.join(2.0)
