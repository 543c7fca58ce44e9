"""Real keyboard and mouse injection through pynput, and the global pause hotkey.

``pipeline`` only knows the :class:`pipeline.actions.InputSink` protocol; this module is the
desktop implementation. On Linux pynput talks to the X server: under a Wayland session it reaches
only X11 (XWayland) windows, and without ``DISPLAY`` it cannot work at all (use ``--dry-run``).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from pipeline.actions.spec import parse_action
from pipeline.errors import HandCueError

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
        atexit.register(self.release_all)
        # The X11 controller reads the keyboard mapping on first use (about 1 ms): do it now,
        # not when the first gesture fires. Other back-ends have no such property.
        try:
            getattr(self._keyboard, "keyboard_mapping", None)
        except Exception:
            log.debug("keyboard mapping warm-up failed", exc_info=True)

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
        code = self._key(key)
        if key not in self._held_keys:
            self._held_keys.append(key)
        self._keyboard.press(code)

    def release_key(self, key: str) -> None:
        self._keyboard.release(self._key(key))
        if key in self._held_keys:
            self._held_keys.remove(key)

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
                self._keyboard.release(self._key(name))
            except Exception:
                log.exception("could not release key %s", name)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.release_all()
        atexit.unregister(self.release_all)


def create_input_sink() -> tuple[PynputSink, list[str]]:
    """The desktop sink and warnings for the user (e.g. Wayland). Raises HandCueError with a
    clear message (suggesting ``--dry-run``) when input cannot be injected here."""
    sink = PynputSink()
    return sink, list(sink.warnings)


def to_pynput_hotkey(hotkey: str) -> str:
    """``"ctrl+alt+p"`` (our combo syntax) -> ``"<ctrl>+<alt>+p"`` (pynput's)."""
    keys = parse_action(f"combo:{hotkey}").keys  # type: ignore[attr-defined]
    return "+".join(k if len(k) == 1 else f"<{k}>" for k in keys)


class PauseHotkey:
    """A global hotkey (pynput ``GlobalHotKeys``) calling ``on_pressed`` from pynput's listener
    thread. Keep the callback short and thread-safe (e.g. set a flag or emit a Qt signal)."""

    def __init__(self, hotkey: str, on_pressed: Callable[[], None]) -> None:
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
