"""Keyboard input through the X server's XTEST extension (X11 only).

Why: pynput sends character keys through ``XSendEvent``, as *synthetic* events that xterm and
other programs ignore. XTEST events are indistinguishable from a real keyboard's: they change
the server's key state (``query_keymap`` shows them) and every client receives them.

How a key name becomes a key press:

* canonical names (:data:`pipeline.actions.spec.NAMED_KEYS`) map to X keysyms (``enter`` ->
  ``Return``); one character maps to its keysym (Latin-1 code points are their own keysym,
  others ``0x01000000 + code point``);
* the keysym is looked up in the server's core keyboard map, in the columns of the keyboard
  group (layout) in use now: with XKB the core map holds group 1 in columns 0-1 and group 2 in
  columns 2-3 (level 1 typed as is, level 2 with Shift held around it, the shift level a real
  keyboard would use). Groups 3 and 4 have no fixed columns: there only keys that are the same
  in every group are used, other characters get temporary entries;
* a character the layout lacks gets a *temporary keymap entry* on an unused keycode (the same
  keysym in both columns, one group, so neither Shift nor the group matters); entries are reused
  least recently used first, a keycode only ``_REMAP_SETTLE_S`` after its last key (clients must
  have read those with the old meaning), and set back to NoSymbol by :meth:`XTestKeyboard.close`.

The keymap follows the server: before each action one round trip (``QueryPointer``) reads the
active group from the core state (bits 13-14) and brings in the ``MappingNotify`` events the
server sent before it; a change by another client (``setxkbmap``, a layout switch) re-reads the
map, so the next key is already typed with the new layout.

A lost connection (the X server stopped or crashed) raises :class:`DisplayLostError`, a
:class:`HandCueError` with one clear message; :func:`connection_lost` recognises it and
python-xlib's own error, and :class:`DisplayWatch` notices the loss at once from a thread.

Threads: one :class:`XTestKeyboard` owns one X connection and locks around every call, so it
may be called from any thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from app.desktop.keysyms import key_keysym
from pipeline.errors import HandCueError

log = logging.getLogger(__name__)

_SHIFT_L = 0xFFE1
_NO_SYMBOL = 0
# How long clients get to read the keys typed on a temporary keycode before it is given another
# character (only when more distinct missing characters are typed than there are free keycodes).
_REMAP_SETTLE_S = 0.1
# Core protocol (X.h): the request a MappingNotify reports, the group bits of a core state.
_MAPPING_NOTIFY = 34
_MAPPING_KEYBOARD = 1
_GROUP_SHIFT, _GROUP_MASK = 13, 0x3


class DisplayLostError(HandCueError):
    """The connection to the X display is gone: the X server stopped or crashed (or cut this
    client off). Nothing more can be sent to it, and nothing is held on a server that is gone."""

    def __init__(self, display_name: str | None = None, detail: object = "") -> None:
        name = display_name or os.environ.get("DISPLAY") or "(default)"
        super().__init__(
            f"lost the X display {name}: the X server stopped or the connection to it broke; "
            "no key or click can be sent there any more",
            code=4,
        )
        self.detail = str(detail)  # what python-xlib said, for the debug log


def connection_lost(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it was raised from or during) is a lost X connection."""
    try:
        from Xlib.error import ConnectionClosedError
    except ImportError:  # no python-xlib (Windows, macOS): only our own error can say so
        ConnectionClosedError = DisplayLostError  # noqa: N806
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (DisplayLostError, ConnectionClosedError)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def level_keysym(row: Sequence[int], group: int, level: int) -> int:
    """The keysym of a key's core keymap ``row`` at shift ``level`` (0 or 1) in keyboard
    ``group`` (0-3, the active layout), NoSymbol (0) when it cannot be told.

    XKB lays out the core map as group 1 levels 1-2, group 2 levels 1-2, then the rest (the
    other levels, groups 3-4) in places that differ from key to key. A group 2 left empty means
    group 1 (core protocol rule); in groups 3-4 only a key with one group of at most two levels
    (the same in every group, e.g. Return, Shift, a temporary entry) can be read."""
    if group == 1 and any(row[2:4]):
        column = 2 + level
    elif group <= 1 or (tuple(row[:2]) == tuple(row[2:4]) and not any(row[4:])):
        column = level
    else:
        return _NO_SYMBOL
    return int(row[column]) if column < len(row) else _NO_SYMBOL


class XTestKeyboard:
    """Presses and releases keys through XTEST on the display ``display_name`` (default:
    ``$DISPLAY``). Raises :class:`HandCueError` when the display cannot be opened or lacks XTEST,
    and :class:`DisplayLostError` from any call once the connection is gone (``lost`` then holds
    it; :meth:`release_all` and :meth:`close` stay quiet).

    It remembers which keycodes each pressed key name used, so :meth:`release` lifts exactly
    those (e.g. Shift and ``a`` for ``"A"``), whatever the layout is by then; a release of a key
    it did not press lifts what a press would use now (harmless when up)."""

    def __init__(self, display_name: str | None = None) -> None:
        try:
            from Xlib import X
            from Xlib import display as xdisplay
            from Xlib.ext import xtest

            self._display = xdisplay.Display(display_name)
        except Exception as exc:  # Xlib raises its own error types for a bad display
            raise HandCueError(f"cannot connect to the X display ({exc})", code=4) from None
        if not self._display.has_extension("XTEST"):
            self._display.close()
            raise HandCueError("the X server has no XTEST extension: keys cannot be sent", code=4)
        self._name = display_name
        self._X = X
        self._fake = xtest.fake_input
        self._lock = threading.RLock()
        info = self._display.display.info
        self._min_code = int(info.min_keycode)
        self._max_code = int(info.max_keycode)
        self._rows: list[tuple[int, ...]] = []  # the core keymap, from min_code on
        self._group = 0  # the keyboard group (layout) in use, 0-3
        self._codes: dict[int, tuple[int, int]] = {}  # keysym -> (keycode, level 0|1)
        self._spare: list[int] = []  # keycodes without any keysym
        self._temporary: OrderedDict[int, int] = OrderedDict()  # keysym -> keycode, LRU order
        self._last_key: dict[int, float] = {}  # temporary keycode -> when it was last typed
        self._own_changes: Counter[int] = Counter()  # keycode -> our MappingNotify to come
        self._held: dict[str, tuple[int, ...]] = {}  # key name -> keycodes pressed, in order
        self._closed = False
        self.lost: DisplayLostError | None = None
        with self._connection():
            self._group = self._read_group()
            self._read_map()

    # ----------------------------------------------------------------- connection

    @contextlib.contextmanager
    def _connection(self) -> Iterator[None]:
        """Around X requests: a lost connection raises :class:`DisplayLostError` (remembered:
        every later call raises it at once)."""
        if self.lost is not None:
            raise DisplayLostError(self._name, "gone earlier")
        try:
            yield
        except Exception as exc:
            if not connection_lost(exc) or isinstance(exc, DisplayLostError):
                raise
            self.lost = DisplayLostError(self._name, exc)
            raise DisplayLostError(self._name, exc) from None

    # ----------------------------------------------------------------- keymap

    def _read_group(self) -> int:
        """The active keyboard group: bits 13-14 of the core state (one round trip)."""
        mask = int(self._display.screen().root.query_pointer().mask)
        return (mask >> _GROUP_SHIFT) & _GROUP_MASK

    def _follow_server(self) -> None:
        """Before an action: the group in use now, and the keymap again if another client
        changed it. The group's round trip also brings in every ``MappingNotify`` the server
        sent before answering, so a change made before this action is never missed."""
        group = self._read_group()
        changed = False
        while self._display.pending_events():
            event = self._display.next_event()
            if event.type != _MAPPING_NOTIFY:
                continue
            own = (
                event.request == _MAPPING_KEYBOARD
                and event.count == 1
                and self._own_changes[event.first_keycode] > 0
            )
            if own:  # a temporary entry of ours: the map is known
                self._own_changes[event.first_keycode] -= 1
            else:
                changed = True
        if changed:
            log.debug("the keymap changed (layout switch?): reading it again")
            self._group = group
            self._read_map()
        elif group != self._group:
            log.debug("keyboard group %d -> %d", self._group, group)
            self._group = group
            self._index_map()

    def _read_map(self) -> None:
        count = self._max_code - self._min_code + 1
        rows = self._display.get_keyboard_mapping(self._min_code, count)
        self._rows = [tuple(int(sym) for sym in row) for row in rows]
        for keysym, keycode in list(self._temporary.items()):
            row = self._rows[keycode - self._min_code]
            if not row or row[0] != keysym:  # another client's keymap replaced the entry
                del self._temporary[keysym]
        self._index_map()

    def _index_map(self) -> None:
        """``_codes`` and ``_spare`` from the rows, for the active group. Temporary entries
        stay out of ``_codes``: their keycodes get other characters without a new reading."""
        temporary = set(self._temporary.values())
        codes: dict[int, tuple[int, int]] = {}
        for level in (0, 1):  # level 1 everywhere first: no Shift wins over Shift
            for offset, row in enumerate(self._rows):
                sym = level_keysym(row, self._group, level)
                if sym != _NO_SYMBOL and self._min_code + offset not in temporary:
                    codes.setdefault(sym, (self._min_code + offset, level))
        self._codes = codes
        self._spare = [
            self._min_code + offset
            for offset, row in enumerate(self._rows)
            if self._min_code + offset not in temporary and not any(row)
        ]

    def _lookup(self, keysym: int) -> tuple[int, int]:
        """(keycode, level) for ``keysym``, making a temporary entry when the layout lacks it."""
        if keysym in self._temporary:
            self._temporary.move_to_end(keysym)
            keycode = self._temporary[keysym]
        else:
            found = self._codes.get(keysym)
            if found is not None:
                return found
            keycode = self._temporary_entry(keysym)
        self._last_key[keycode] = time.monotonic()
        return keycode, 0

    def _temporary_entry(self, keysym: int) -> int:
        busy = {code for codes in self._held.values() for code in codes}
        if self._spare:
            keycode = self._spare.pop()
        else:
            reusable = [s for s, c in self._temporary.items() if c not in busy]
            if not reusable:
                raise HandCueError(
                    f"no free keycode to type the character U+{keysym & 0xFFFFFF:04X}"
                )
            keycode = self._temporary.pop(reusable[0])  # least recently used
            # clients must have read the keys typed on it with its old meaning
            self._display.sync()
            wait = self._last_key.get(keycode, 0.0) + _REMAP_SETTLE_S - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._own_changes[keycode] += 1
        self._display.change_keyboard_mapping(keycode, [(keysym, keysym)])
        self._display.sync()
        self._temporary[keysym] = keycode
        return keycode

    # ----------------------------------------------------------------- keys

    def _codes_for(self, name: str) -> tuple[int, ...]:
        keycode, level = self._lookup(key_keysym(name))
        if level == 1:
            shift = self._codes.get(_SHIFT_L)
            shift_held = shift is not None and any(
                shift[0] in codes for codes in self._held.values()
            )
            if shift is not None and not shift_held:
                return (shift[0], keycode)
        return (keycode,)

    def _send(self, pressed: bool, keycode: int) -> None:
        self._fake(self._display, self._X.KeyPress if pressed else self._X.KeyRelease, keycode)

    def press(self, name: str) -> None:
        """Press key ``name`` (canonical name or one character) and keep it down."""
        with self._lock, self._connection():
            codes = self._held.get(name)
            if codes is None:
                self._follow_server()
                codes = self._codes_for(name)
            self._held[name] = codes
            for keycode in codes:
                self._send(True, keycode)
            self._display.sync()

    def release(self, name: str) -> None:
        with self._lock, self._connection():
            codes = self._held.pop(name, None)
            if codes is None:
                self._follow_server()
                codes = self._codes_for(name)
            for keycode in reversed(codes):
                self._send(False, keycode)
            self._display.sync()

    def release_keycode(self, keycode: int) -> None:
        with self._lock, self._connection():
            self._send(False, keycode)
            self._display.sync()

    def type_text(self, text: str) -> None:
        """Type ``text`` (tap each character, Shift where its layout needs it); newline is
        Return, tab Tab. Requests are sent in one batch and flushed once."""
        with self._lock, self._connection():
            self._follow_server()
            for char in text:
                codes = self._codes_for(char)
                for keycode in codes:
                    self._send(True, keycode)
                for keycode in reversed(codes):
                    self._send(False, keycode)
            self._display.sync()

    def keycodes_of_text(self, text: str) -> set[int]:
        """Every keycode typing ``text`` would use (for releasing after an interrupted type)."""
        with self._lock, self._connection():
            self._follow_server()
            return {code for char in set(text) for code in self._codes_for(char)}

    def press_button(self, button: int) -> None:
        with self._lock, self._connection():
            self._fake(self._display, self._X.ButtonPress, button)
            self._display.sync()

    def release_button(self, button: int) -> None:
        with self._lock, self._connection():
            self._fake(self._display, self._X.ButtonRelease, button)
            self._display.sync()

    def release_all(self) -> None:
        """Release every key this object pressed, newest first; never raises (with the
        display lost there is nothing left to release: they are forgotten)."""
        with self._lock:
            while self._held:
                name, codes = self._held.popitem()
                if self.lost is not None:
                    continue
                try:
                    with self._connection():
                        for keycode in reversed(codes):
                            self._send(False, keycode)
                        self._display.sync()
                except DisplayLostError:
                    continue
                except Exception:
                    log.exception("could not release key %s", name)

    def close(self) -> None:
        """Release held keys, remove temporary keymap entries and close the connection."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.release_all()
            if self.lost is not None:
                return
            try:
                with self._connection():
                    self._follow_server()  # entries another client's keymap replaced are not ours
                    if self._temporary:  # let clients read the last keys with their meaning
                        self._display.sync()
                        time.sleep(_REMAP_SETTLE_S)
                    for keycode in self._temporary.values():
                        empty = [(_NO_SYMBOL, _NO_SYMBOL)]
                        self._display.change_keyboard_mapping(keycode, empty)
                    self._display.sync()
                    self._display.close()
            except Exception:
                log.debug("closing the X connection failed", exc_info=True)


class XEventThread:
    """A thread that sleeps on an X connection of its own and hands each event that arrives to
    :meth:`_event` (no CPU while nothing comes); :meth:`_ended` hears why the connection ended
    when it was not :meth:`stop`. Subclasses open the connection with :meth:`_connect`, set up
    what they need on it, then :meth:`_start_thread`; :meth:`stop` ends the thread from any
    thread (:meth:`_before_close` runs on the connection first) and never raises."""

    thread_name = "XEvents"

    def __init__(self, display_name: str | None = None) -> None:
        self._name = display_name
        self._display: Any = None  # python-xlib's Display (untyped)
        self._wake_r = self._wake_w = -1
        self._thread: threading.Thread | None = None

    def _connect(self) -> None:
        try:
            from Xlib import display as xdisplay

            self._display = xdisplay.Display(self._name)
        except Exception as exc:
            raise HandCueError(f"cannot connect to the X display ({exc})", code=4) from None

    def _start_thread(self) -> None:
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        display = self._display
        try:
            fd = display.fileno()
            while True:
                readable, _, _ = select.select([fd, self._wake_r], [], [])
                if self._wake_r in readable:
                    return
                for _ in range(display.pending_events()):
                    self._event(display.next_event())
        except Exception as exc:
            self._ended(exc)

    def _event(self, event: Any) -> None:
        """One event of the connection (on the thread)."""

    def _ended(self, exc: Exception) -> None:
        log.debug("%s: the X connection ended", self.thread_name, exc_info=exc)

    def _before_close(self) -> None:
        """Last use of the connection before :meth:`stop` closes it."""

    def stop(self) -> None:
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._wake_r = self._wake_w = -1
        self._close_display()

    def _close_display(self) -> None:
        if self._display is not None:
            self._before_close()
        display, self._display = self._display, None
        if display is not None:
            with contextlib.suppress(Exception):
                display.close()


class DisplayWatch(XEventThread):
    """Notices at once that the X display is gone: a thread sleeps on a connection of its own
    (no events selected but the ``MappingNotify`` every client gets) and calls ``on_lost`` with
    a :class:`DisplayLostError` when the server closes it. No CPU while the display lives.

    :meth:`start` raises :class:`HandCueError` when the display cannot be opened; :meth:`stop`
    ends the thread (any thread)."""

    thread_name = "DisplayWatch"

    def __init__(
        self, on_lost: Callable[[DisplayLostError], object], display_name: str | None = None
    ) -> None:
        super().__init__(display_name)
        self._on_lost = on_lost

    def start(self) -> None:
        self._connect()
        self._start_thread()

    def _ended(self, exc: Exception) -> None:
        if connection_lost(exc):
            self._on_lost(DisplayLostError(self._name, exc))
        else:
            log.debug("watching the X display stopped", exc_info=True)


def x11_available(platform: str, env: Mapping[str, str]) -> bool:
    """True where keys should go through XTEST: Linux with an X display."""
    return platform.startswith("linux") and bool(env.get("DISPLAY"))
