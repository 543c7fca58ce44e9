"""A global hotkey on X11 that the focused application never sees: a passive key grab.

pynput's ``GlobalHotKeys`` only *listens* (XRecord): the keys still reach the focused window, so
Ctrl+Alt+M in a terminal also typed a character there, and Ctrl+Alt+P could undo or print in an
editor. A passive grab (``XGrabKey`` on the root window) makes the X server deliver the key to
us alone, whatever window has the focus. The modifiers themselves still go to the focused window
(as with every desktop shortcut); only the final key is taken.

The grab is made for the hotkey's modifiers with and without Caps Lock and Num Lock (a grab
matches the exact modifier state). When another client already grabs the same key (the desktop
binds Ctrl+Alt+M itself) the server refuses with BadAccess: :meth:`X11GrabHotkey.start` raises
:class:`HotkeyTaken` and the caller falls back to listening.

One thread sleeps on the connection (no CPU while idle) and calls ``on_pressed`` from there.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from app.desktop.keysyms import char_keysym, key_keysym
from app.desktop.x11_keys import XEventThread
from pipeline.actions.spec import ComboAction, parse_action
from pipeline.errors import HandCueError

log = logging.getLogger(__name__)

_MODIFIER_KEYSYMS = {  # our modifier names -> a keysym that sits on that modifier
    "ctrl": 0xFFE3, "shift": 0xFFE1, "alt": 0xFFE9, "cmd": 0xFFEB,
}  # fmt: skip
_CAPS_LOCK, _NUM_LOCK = 0xFFE5, 0xFF7F
_LOCK_MASK = 1 << 1  # X.h LockMask


class HotkeyTaken(HandCueError):
    """Another program already holds the key combination (the X server said BadAccess)."""


def combo_keys(hotkey: str) -> tuple[list[str], str]:
    """``"ctrl+alt+m"`` -> (["ctrl", "alt"], "m"). Raises HandCueError for a bad combo."""
    action = parse_action(f"combo:{hotkey}")
    assert isinstance(action, ComboAction)  # "combo:" parses to a ComboAction or raises
    *modifiers, key = action.keys
    sides = [m.removesuffix("_l").removesuffix("_r") for m in modifiers]
    if not sides or any(m not in _MODIFIER_KEYSYMS for m in sides):
        raise HandCueError(f"the hotkey {hotkey!r} needs modifiers first, then one key")
    return sides, key


class X11GrabHotkey(XEventThread):
    """Grabs ``hotkey`` (our combo syntax, e.g. ``"ctrl+alt+m"``) on the X display and calls
    ``on_pressed`` on each press (from its own thread: keep it short and thread-safe)."""

    thread_name = "HotkeyGrab"

    def __init__(
        self, hotkey: str, on_pressed: Callable[[], object], display_name: str | None = None
    ) -> None:
        super().__init__(display_name)
        self.hotkey = hotkey
        self._modifiers, self._key = combo_keys(hotkey)
        self._on_pressed = on_pressed
        self._keycode = 0
        self._masks: list[int] = []

    def _mask_of(self, keysym: int) -> int:
        """The modifier bit (1 << index) that ``keysym``'s key sits on now, 0 if none."""
        keycode = self._display.keysym_to_keycode(keysym)
        if not keycode:
            return 0
        for index, codes in enumerate(self._display.get_modifier_mapping()):
            if keycode in codes:
                return 1 << index
        return 0

    def start(self) -> None:
        """Grab the key; raises :class:`HotkeyTaken` when another program holds it and
        :class:`HandCueError` when the display or the key is not there."""
        from Xlib import X, error

        self._connect()
        try:
            self._grab(X, error)
        except BaseException:
            self._close_display()
            raise
        self._start_thread()

    def _grab(self, X: Any, error: Any) -> None:
        display = self._display
        keysym = char_keysym(self._key) if len(self._key) == 1 else key_keysym(self._key)
        self._keycode = display.keysym_to_keycode(keysym)
        if not self._keycode:
            raise HandCueError(f"the hotkey {self.hotkey}: no key on this keyboard gives it")
        base = 0
        for name in self._modifiers:
            bit = self._mask_of(_MODIFIER_KEYSYMS[name])
            if not bit:
                raise HandCueError(f"the hotkey {self.hotkey}: {name} is not a modifier here")
            base |= bit
        num_lock = self._mask_of(_NUM_LOCK)
        locks = {0, _LOCK_MASK, num_lock, _LOCK_MASK | num_lock}
        self._masks = sorted(base | lock for lock in locks)
        refused: list[Any] = []
        root = display.screen().root
        for mask in self._masks:
            root.grab_key(
                self._keycode, mask, False, X.GrabModeAsync, X.GrabModeAsync,
                onerror=lambda err, *_: refused.append(err),
            )  # fmt: skip
        display.sync()  # the server answers a refused grab with BadAccess before this returns
        if refused:
            self._ungrab()
            kind = "BadAccess" if isinstance(refused[0], error.BadAccess) else type(refused[0])
            log.debug("grabbing %s refused: %s", self.hotkey, kind)
            raise HotkeyTaken(f"another program already uses {self.hotkey}")

    def _ungrab(self) -> None:
        root = self._display.screen().root
        for mask in self._masks:
            with contextlib.suppress(Exception):
                root.ungrab_key(self._keycode, mask)
        with contextlib.suppress(Exception):
            self._display.sync()

    def _event(self, event: Any) -> None:
        from Xlib import X

        if event.type == X.KeyPress and event.detail == self._keycode:
            self._fire()

    def _fire(self) -> None:
        try:
            self._on_pressed()
        except Exception:  # keep the thread alive for the next press
            log.exception("hotkey handler failed")

    def _before_close(self) -> None:
        self._ungrab()  # give the key back
