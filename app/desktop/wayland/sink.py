"""Input on wlroots compositors (sway, Hyprland, river, labwc, Wayfire...): keys through the
``virtual-keyboard-unstable-v1`` protocol, the pointer, buttons and the wheel through
``wlr-virtual-pointer-unstable-v1``, both over HandCue's own Wayland connection
(:mod:`app.desktop.wayland.wire`).

The virtual keyboard carries its own keymap (:mod:`app.desktop.wayland.keymap`), so keys and
typed text come out right whatever layout the user has. The compositor does not work out the
modifiers from a virtual keyboard's keys: the sink sends them (``modifiers``) after every
modifier key and around capitals, so ``ctrl+z`` arrives as Ctrl+Z.

A key sent right after a keymap could be lost while applications take the new keymap (seen
with ``wtype``): the sink waits for the compositor (a round trip) after every keymap upload.

Pointer positions are desktop pixels in the compositor's layout (the outputs' logical
rectangles, ``xdg-output``); ``motion_absolute`` maps them over the layout's bounding box.
Wayland has no way for a client to read the pointer, so :meth:`WlrootsSink.pointer_position`
is None.

Threads: one lock around every call (typing runs on its own thread, the pointer on another).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.desktop.wayland.keymap import KeymapLayout, KeyStroke
from app.desktop.wayland.wire import Connection, Global, WaylandError
from pipeline.errors import HandCueError

log = logging.getLogger(__name__)

KEYBOARD_MANAGER = "zwp_virtual_keyboard_manager_v1"
POINTER_MANAGER = "zwlr_virtual_pointer_manager_v1"
_KEYMAP_FORMAT_XKB_V1 = 1
_PRESSED, _RELEASED = 1, 0
_BUTTONS = {"left": 0x110, "right": 0x111, "middle": 0x112}  # BTN_LEFT... (linux/input.h)
_AXIS_VERTICAL, _AXIS_HORIZONTAL = 0, 1
_AXIS_SOURCE_WHEEL = 0
_WHEEL_STEP = 15.0  # what one wheel click scrolls in wl_pointer.axis units (libinput's degrees)


def _now_ms() -> int:
    return int(time.monotonic() * 1000) & 0xFFFFFFFF


@dataclass
class _Output:
    """One output's rectangle in the layout (logical pixels)."""

    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0
    mode: tuple[int, int] = (0, 0)
    scale: int = 1
    logical: bool = field(default=False)  # from xdg-output (exact) rather than mode / scale


def layout_box(outputs: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """The bounding box ``(x, y, width, height)`` of output rectangles ``(x, y, w, h)``."""
    if not outputs:
        raise WaylandError("the Wayland compositor reports no output (screen)")
    left = min(x for x, _, _, _ in outputs)
    top = min(y for _, y, _, _ in outputs)
    right = max(x + w for x, _, w, _ in outputs)
    bottom = max(y + h for _, y, _, h in outputs)
    return left, top, right - left, bottom - top


def output_rects(outputs: Mapping[int, _Output]) -> list[tuple[int, int, int, int]]:
    """Each output's rectangle ``(x, y, width, height)`` in the layout (logical pixels)."""
    rects = []
    for out in outputs.values():
        if out.logical and out.width > 0:
            rects.append((out.x, out.y, out.width, out.height))
        elif out.mode[0] > 0:
            rects.append((out.x, out.y, out.mode[0] // out.scale, out.mode[1] // out.scale))
    return rects


def watch_outputs(conn: Connection, outputs: dict[int, _Output]) -> None:
    """Bind every ``wl_output`` (and its ``xdg-output`` when offered) and keep ``outputs``
    (global name -> rectangle) up to date as their events arrive."""
    xdg = conn.find_global("zxdg_output_manager_v1")
    xdg_manager = conn.bind(xdg, 2) if xdg is not None else None
    for item in conn.globals_named("wl_output"):
        _add_output(conn, outputs, item, xdg_manager)


def _add_output(
    conn: Connection, outputs: dict[int, _Output], item: Global, xdg_manager: int | None
) -> None:
    output = _Output()
    outputs[item.name] = output

    def on_output(event: str, args: tuple[Any, ...]) -> None:
        if event == "geometry" and not output.logical:
            output.x, output.y = args[0], args[1]
        elif event == "mode" and args[0] & 1:  # the current mode
            output.mode = (args[1], args[2])
        elif event == "scale":
            output.scale = max(1, args[0])

    def on_xdg(event: str, args: tuple[Any, ...]) -> None:
        if event == "logical_position":
            output.x, output.y = args
            output.logical = True
        elif event == "logical_size":
            output.width, output.height = args
            output.logical = True

    wl_output = conn.bind(item, 2, on_output)
    if xdg_manager is not None:
        xdg_output = conn.new_object("zxdg_output_v1", on_xdg)
        conn.request(xdg_manager, 1, "no", xdg_output, wl_output)


def read_outputs(env: Mapping[str, str] | None = None) -> list[tuple[int, int, int, int]]:
    """The compositor's outputs as rectangles in the layout (for pointer mode's desktop).
    WaylandError when it cannot be reached or reports none."""
    conn = Connection(env)
    try:
        outputs: dict[int, _Output] = {}
        watch_outputs(conn, outputs)
        conn.roundtrip()
        conn.roundtrip()  # the outputs' events follow their binding
        rects = output_rects(outputs)
    finally:
        conn.close()
    if not rects:
        raise WaylandError("the Wayland compositor reports no output (screen)")
    return rects


class WlrootsSink:
    """:class:`pipeline.actions.InputSink` and :class:`pipeline.actions.sink.PointerMotion`
    for a wlroots compositor. Raises :class:`HandCueError` (code 4) when the compositor cannot
    be reached or lacks the virtual keyboard; without the virtual pointer it still sends keys
    (``moves_pointer`` False, clicks raise, a line in ``warnings``).

    Remembers what it holds; :meth:`release_all` (also at interpreter exit until :meth:`close`)
    lifts it. Closing the connection destroys the virtual devices."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.warnings: list[str] = []
        self._lock = threading.RLock()
        self._conn = Connection(env)
        self._closed = False
        try:
            self._setup()
        except BaseException:
            self._conn.close()
            raise
        atexit.register(self.release_all)

    def _setup(self) -> None:
        conn = self._conn
        keyboards = conn.find_global(KEYBOARD_MANAGER)
        seat = conn.find_global("wl_seat")
        if keyboards is None or seat is None:
            raise HandCueError(
                "this Wayland compositor does not offer the virtual keyboard protocol "
                f"({KEYBOARD_MANAGER}) that HandCue needs on wlroots desktops (sway, Hyprland, "
                "river, labwc). On GNOME or KDE the desktop portal is used instead; add "
                "--dry-run to only print the actions.",
                code=4,
            )
        self._seat = conn.bind(seat, 1)
        self._keyboard_manager = conn.bind(keyboards, 1)
        self._keyboard = conn.new_object("zwp_virtual_keyboard_v1")
        conn.request(self._keyboard_manager, 0, "on", self._seat, self._keyboard)
        self._layout = KeymapLayout()
        self._held: dict[str, KeyStroke] = {}  # key name -> its stroke, in press order
        self._mods = -1  # modifier bits last sent; -1: none sent yet
        self._buttons_held: list[str] = []
        self._upload_keymap()
        self._outputs: dict[int, _Output] = {}
        self._pointer: int | None = None
        pointers = conn.find_global(POINTER_MANAGER)
        if pointers is None:
            self.warnings.append(
                "this Wayland compositor has no virtual pointer "
                f"({POINTER_MANAGER}): keys work, clicks, scrolling and pointer mode do not"
            )
        else:
            self._pointer_manager = conn.bind(pointers, 1)
            self._pointer = conn.new_object("zwlr_virtual_pointer_v1")
            conn.request(self._pointer_manager, 0, "on", self._seat, self._pointer)
            self._watch_outputs()
        conn.roundtrip()

    # ----------------------------------------------------------------- keymap

    def _upload_keymap(self) -> None:
        """Send the keymap and wait until the compositor has it (see the module docstring)."""
        data = self._layout.text().encode("utf-8") + b"\0"
        fd = os.memfd_create("handcue-keymap", os.MFD_CLOEXEC)
        try:
            os.write(fd, data)
            self._conn.request(
                self._keyboard, 0, "uhu", _KEYMAP_FORMAT_XKB_V1, fd, len(data), fds=[fd]
            )
        finally:
            os.close(fd)
        self._conn.roundtrip()
        self._mods = -1  # a new keymap resets the compositor's modifier state

    def _make_room(self, chars: str) -> None:
        """Keys for every character of ``chars``; a new keymap when some were missing."""
        busy = [stroke.code for stroke in self._held.values()]
        if self._layout.add(chars, busy):
            self._upload_keymap()

    # ----------------------------------------------------------------- keys

    def _send_mods(self, extra: int = 0) -> None:
        mods = extra
        for stroke in self._held.values():
            mods |= stroke.modifier | stroke.mods
        if mods != self._mods:
            self._conn.request(self._keyboard, 2, "uuuu", mods, 0, 0, 0)
            self._mods = mods

    def _key(self, code: int, state: int) -> None:
        self._conn.request(self._keyboard, 1, "uuu", _now_ms(), code, state)

    def _stroke(self, name: str) -> KeyStroke:
        if len(name) == 1:
            self._make_room(name)
        return self._layout.stroke(name)

    def press_key(self, key: str) -> None:
        with self._lock:
            self._check()
            stroke = self._held.get(key) or self._stroke(key)
            self._held[key] = stroke
            if stroke.mods:  # Shift for a capital: before the key, as a finger would
                self._send_mods()
            self._key(stroke.code, _PRESSED)
            self._send_mods()

    def release_key(self, key: str) -> None:
        with self._lock:
            self._check()
            stroke = self._held.pop(key, None) or self._stroke(key)
            self._key(stroke.code, _RELEASED)
            self._send_mods()

    def type_text(self, text: str) -> None:
        """Tap each character (newline is Return, tab Tab); capitals with Shift, every other
        character on a key of its own. Characters the keymap lacks are added first (one new
        keymap for the whole text, or for each part when it needs more keys than there are)."""
        with self._lock:
            self._check()
            start = 0
            while start < len(text):
                part = self._fitting_part(text[start:])
                self._make_room(part)
                for char in part:
                    stroke = self._layout.stroke(char)
                    self._send_mods(stroke.mods)
                    self._key(stroke.code, _PRESSED)
                    self._key(stroke.code, _RELEASED)
                self._send_mods()
                start += len(part)

    def _fitting_part(self, text: str) -> str:
        """The longest start of ``text`` whose new characters fit in the spare keys."""
        room = 100  # well under the ~140 spare codes, minus held keys
        seen: set[str] = set()
        for i, char in enumerate(text):
            if self._layout.needs(char) and char not in seen:
                seen.add(char)
                if len(seen) > room:
                    return text[:i]
        return text

    # ----------------------------------------------------------------- pointer

    @property
    def moves_pointer(self) -> bool:
        return self._pointer is not None

    def _watch_outputs(self) -> None:
        watch_outputs(self._conn, self._outputs)

    def desktop_box(self) -> tuple[int, int, int, int]:
        """The layout's bounding box ``(x, y, width, height)`` in desktop pixels."""
        with self._lock:
            self._conn.dispatch(0.0)  # outputs added or changed since
            return layout_box(output_rects(self._outputs))

    def move_pointer(self, x: int, y: int) -> None:
        """Put the pointer at desktop pixel ``(x, y)`` (clamped to the layout)."""
        with self._lock:
            pointer = self._need_pointer()
            left, top, width, height = self.desktop_box()
            px = min(max(int(x) - left, 0), width - 1)
            py = min(max(int(y) - top, 0), height - 1)
            self._conn.request(pointer, 1, "uuuuu", _now_ms(), px, py, width, height)
            self._conn.request(pointer, 4, "")  # frame

    def pointer_position(self) -> tuple[int, int] | None:
        """None: a Wayland client cannot read the pointer."""
        return None

    def _need_pointer(self) -> int:
        self._check()
        if self._pointer is None:
            raise HandCueError(
                "this Wayland compositor has no virtual pointer: clicks, scrolling and the "
                "pointer cannot be sent"
            )
        return self._pointer

    def _button(self, button: str, state: int) -> None:
        code = _BUTTONS.get(button)
        if code is None:
            raise HandCueError(f"unknown mouse button {button!r}")
        pointer = self._need_pointer()
        self._conn.request(pointer, 2, "uuu", _now_ms(), code, state)
        self._conn.request(pointer, 4, "")  # frame

    def press_button(self, button: str) -> None:
        with self._lock:
            if button not in self._buttons_held:
                self._buttons_held.append(button)
            self._button(button, _PRESSED)

    def release_button(self, button: str) -> None:
        with self._lock:
            self._button(button, _RELEASED)
            if button in self._buttons_held:
                self._buttons_held.remove(button)

    def click(self, button: str, count: int = 1) -> None:
        with self._lock:
            for _ in range(count):
                self._button(button, _PRESSED)
                self._button(button, _RELEASED)

    def scroll(self, dx: int, dy: int) -> None:
        """Wheel steps: +dy up, +dx right (Wayland's axes grow down and right)."""
        with self._lock:
            pointer = self._need_pointer()
            for axis, steps in ((_AXIS_VERTICAL, -dy), (_AXIS_HORIZONTAL, dx)):
                if steps:
                    self._conn.request(pointer, 5, "u", _AXIS_SOURCE_WHEEL)
                    self._conn.request(
                        pointer, 7, "uufi", _now_ms(), axis, steps * _WHEEL_STEP, steps
                    )
                    self._conn.request(pointer, 4, "")  # frame

    # ----------------------------------------------------------------- life

    def _check(self) -> None:
        if self._closed:
            raise HandCueError("the Wayland input sink is closed")

    def sync(self) -> None:
        """Wait until the compositor has handled everything sent so far."""
        with self._lock:
            self._conn.roundtrip()

    def release_all(self) -> None:
        """Release every key and button this sink holds, newest first; never raises."""
        with self._lock:
            if self._closed:
                return
            while self._buttons_held:
                name = self._buttons_held.pop()
                try:
                    self._button(name, _RELEASED)
                except HandCueError as exc:
                    log.debug("could not release mouse button %s: %s", name, exc)
            while self._held:
                name, stroke = self._held.popitem()
                try:
                    self._key(stroke.code, _RELEASED)
                    self._send_mods()
                except HandCueError as exc:
                    log.debug("could not release key %s: %s", name, exc)
            with contextlib.suppress(HandCueError):
                self._conn.roundtrip()

    def close(self) -> None:
        """Release what is held, destroy the virtual devices and disconnect."""
        with self._lock:
            if self._closed:
                return
            self.release_all()
            atexit.unregister(self.release_all)
            self._closed = True
            try:
                self._conn.destroy(self._keyboard, 3)
                if self._pointer is not None:
                    self._conn.destroy(self._pointer, 8)
                self._conn.roundtrip()
            except HandCueError:
                log.debug("closing the Wayland devices failed", exc_info=True)
            self._conn.close()
