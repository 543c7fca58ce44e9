"""Keyboard and mouse input through the kernel's uinput device (Linux, any compositor).

Opt-in fallback (Settings > General > "Send keys and clicks through", ``[actions]
input_backend = "uinput"``) for Wayland desktops that HandCue cannot reach otherwise. HandCue
creates virtual input devices with python-evdev's ``UInput``; the compositor (or Xorg) reads them
through libinput like real hardware, so input reaches every window, native Wayland or X11.

Devices (created by :func:`open_uinput_sink`):

* a keyboard with every key code up to ``KEY_MICMUTE`` (letters, F1-F20, media keys...);
* a relative pointer: ``REL_X``/``REL_Y``/``REL_WHEEL``/``REL_HWHEEL`` and the three buttons
  (clicks, held buttons and the wheel go here; +1 on ``REL_WHEEL`` scrolls up, on
  ``REL_HWHEEL`` right, as in :mod:`pipeline.actions.spec`);
* an absolute pointer for :meth:`UInputSink.move_pointer`: ``ABS_X``/``ABS_Y`` (0-65535) with
  ``BTN_LEFT``/``RIGHT``/``MIDDLE`` and no ``INPUT_PROP_DIRECT``: the shape of the absolute USB
  "tablet" mice of VMware and QEMU, which udev's input_id classifies as a *mouse* (not a
  touchscreen or tablet, which compositors would map to one output or treat as touch). libinput
  reports it as absolute pointer motion; wlroots compositors (sway, Hyprland, river, labwc) map
  the device's range onto the whole output layout and KDE's KWin onto the workspace geometry (the
  whole desktop), Weston onto one output; GNOME's mutter handles absolute pointer motion too, but
  its mapping was not checked (all from their sources; nothing tried here: these machines have
  no ``/dev/uinput``). The desktop
  rectangle to scale to is given by the caller (``desktop=``, :meth:`UInputSink.set_desktop`),
  or else read at the first move from the X display (:func:`app.desktop.geometry.virtual_desktop`;
  under Wayland, Xwayland's root window spans the compositor's layout). Desktop pixel ``x`` is
  sent as ``(x - left + 0.5) * 65536 / width``, the centre of that pixel. The position cannot
  be read back (:meth:`UInputSink.pointer_position` is None).

Keys are scancodes, not characters: the compositor turns them into characters with *its* keymap.
So a character (``key:n``, the letter of ``combo:ctrl+z``, ``type:`` text) is sent as the key and
modifiers (Shift, AltGr) that produce it in the desktop's keyboard layout, worked out with
libxkbcommon (ctypes, the library every Wayland compositor uses for the same job) from, in order:

1. ``XKB_DEFAULT_LAYOUT`` (with ``_VARIANT``, ``_MODEL``, ``_OPTIONS``, ``_RULES``) when set:
   the user said so, and wlroots compositors read the same variables;
2. the X server's live keymap and active layout group when ``DISPLAY`` is set
   (libxkbcommon-x11): on X11 that is the layout itself, and Xwayland applies the compositor's
   keymap to its own, so on Wayland it is the compositor's layout; read again before each
   character action, so a layout switch is followed;
3. the system layout: ``localectl status`` (``X11 Layout``...), then ``/etc/default/keyboard``;
4. otherwise US (with a warning naming ``XKB_DEFAULT_LAYOUT``).

(python-xlib cannot be used as :mod:`app.desktop.x11_keys` does: the core keymap has no reliable
AltGr levels, and uinput cannot add temporary keymap entries as XTEST can.) A character no key
produces in that layout (``€`` on ``us``; a dead-key-only character) is not typed at all: the
text action fails with a message naming the characters (``handcue run`` prints it as a cut), never
a wrong character. Caps Lock on the user's keyboard is not compensated.

No stuck input: the kernel releases what a uinput device holds when the device goes away.
``uinput_destroy_device`` (run when its file is closed, which the kernel does for a process that
dies in any way, SIGKILL included) calls ``input_unregister_device``, whose
``input_disconnect_device`` sends a key-up for every key and button still down
(``input_dev_release_keys``) before the device disappears. So no guardian process is needed for
this sink; on an orderly exit :meth:`UInputSink.release_all` (also run at interpreter exit until
:meth:`UInputSink.close`) lifts everything first.

Threads: calls are serialised by a lock (typed text runs on a thread of its own,
pointer moves come from the tracking thread).
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import re
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from pipeline.pointer.geometry import Desktop

log = logging.getLogger(__name__)

DEVNODE = "/dev/uinput"
UDEV_RULE = 'KERNEL=="uinput", SUBSYSTEM=="misc", TAG+="uaccess", OPTIONS+="static_node=uinput"'
UDEV_RULE_FILE = "70-handcue-uinput.rules"
ABS_MAX = 65535  # the absolute pointer's range is 0..ABS_MAX on both axes
# Events written before the compositor has opened a new device are lost: the first event waits
# until the devices are this old (HandCue's start takes longer, so normally nothing waits).
SETTLE_S = 1.0
_DEVICE_NAMES = ("HandCue keyboard", "HandCue pointer", "HandCue absolute pointer")

# Canonical key names (pipeline.actions.spec.NAMED_KEYS) -> evdev KEY_* names. AltGr is the
# layout's ISO_Level3_Shift key when it has one (see CharLayout.altgr).
NAMED_KEY_CODES: dict[str, str] = {
    "enter": "KEY_ENTER", "esc": "KEY_ESC", "space": "KEY_SPACE", "tab": "KEY_TAB",
    "backspace": "KEY_BACKSPACE", "delete": "KEY_DELETE", "insert": "KEY_INSERT",
    "home": "KEY_HOME", "end": "KEY_END", "page_up": "KEY_PAGEUP", "page_down": "KEY_PAGEDOWN",
    "up": "KEY_UP", "down": "KEY_DOWN", "left": "KEY_LEFT", "right": "KEY_RIGHT",
    "caps_lock": "KEY_CAPSLOCK", "num_lock": "KEY_NUMLOCK", "scroll_lock": "KEY_SCROLLLOCK",
    # The PC keyboard's Print Screen key is KEY_SYSRQ (XKB <PRSC>); its Menu key KEY_COMPOSE.
    "print_screen": "KEY_SYSRQ", "pause": "KEY_PAUSE", "menu": "KEY_COMPOSE",
    "ctrl": "KEY_LEFTCTRL", "ctrl_l": "KEY_LEFTCTRL", "ctrl_r": "KEY_RIGHTCTRL",
    "shift": "KEY_LEFTSHIFT", "shift_l": "KEY_LEFTSHIFT", "shift_r": "KEY_RIGHTSHIFT",
    "alt": "KEY_LEFTALT", "alt_l": "KEY_LEFTALT", "alt_r": "KEY_RIGHTALT",
    "alt_gr": "KEY_RIGHTALT",
    "cmd": "KEY_LEFTMETA", "cmd_l": "KEY_LEFTMETA", "cmd_r": "KEY_RIGHTMETA",
    "media_play_pause": "KEY_PLAYPAUSE", "media_next": "KEY_NEXTSONG",
    "media_previous": "KEY_PREVIOUSSONG", "media_volume_up": "KEY_VOLUMEUP",
    "media_volume_down": "KEY_VOLUMEDOWN", "media_volume_mute": "KEY_MUTE",
    **{f"f{i}": f"KEY_F{i}" for i in range(1, 21)},
}  # fmt: skip
# Characters typed by a fixed key whatever the layout.
_CONTROL_KEYS = {"\n": "KEY_ENTER", "\r": "KEY_ENTER", "\t": "KEY_TAB"}
BUTTON_CODES = {"left": "BTN_LEFT", "right": "BTN_RIGHT", "middle": "BTN_MIDDLE"}
_KEY_LAST = 248  # KEY_MICMUTE: the keyboard device has every code from KEY_ESC (1) to this
# Keypad keys (evdev codes) type characters too, but applications treat them as keypad keys
# (terminals in keypad mode send escape sequences): used only when no other key has the character.
_KEYPAD = frozenset({55, *range(71, 84), 96, 98, 117, 118, 121, 179, 180})

# --------------------------------------------------------------------------- the layout


@dataclass(frozen=True)
class CharLayout:
    """Which keys type each character in a keyboard layout. ``chars`` maps a character to evdev
    key codes: the modifiers to hold (Shift ``KEY_LEFTSHIFT``, AltGr = ``altgr``) in press order,
    then the key. ``name`` is the layout's name (``"German"``), ``source`` where it was found."""

    name: str
    source: str
    chars: Mapping[str, tuple[int, ...]]
    altgr: int | None = None  # the evdev code of this layout's AltGr key, None if it has none

    def codes(self, char: str) -> tuple[int, ...] | None:
        return self.chars.get(char)

    def missing(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that no key types, in order of appearance."""
        seen: dict[str, None] = {}
        for char in text:
            if char not in _CONTROL_KEYS and char not in self.chars:
                seen.setdefault(char, None)
        return list(seen)


# The US layout without libxkbcommon (keys of the main block, by evdev code; shifted second).
_US_ROWS = (
    (2, "1!2@3#4$5%6^7&8*9(0)-_=+"),
    (16, "qQwWeErRtTyYuUiIoOpP[{]}"),
    (30, "aAsSdDfFgGhHjJkKlL;:'\"`~"),
    (43, "\\|zZxXcCvVbBnNmM,<.>/?"),
)


def us_layout(source: str = "built-in US table (libxkbcommon not found)") -> CharLayout:
    """The US layout, without libxkbcommon."""
    shift = 42  # KEY_LEFTSHIFT
    chars: dict[str, tuple[int, ...]] = {" ": (57,)}
    for first, pairs in _US_ROWS:
        for i in range(0, len(pairs), 2):
            code = first + i // 2
            chars[pairs[i]] = (code,)
            chars[pairs[i + 1]] = (shift, code)
    return CharLayout("English (US)", source, chars)


class _RuleNames(ctypes.Structure):
    _fields_ = [(n, ctypes.c_char_p) for n in ("rules", "model", "layout", "variant", "options")]


_XKB_CONTEXT_NO_ENVIRONMENT_NAMES = 1 << 1
_XKB_LOG_LEVEL_CRITICAL = 10
_XKB_KEY_DOWN = 1
_XKB_STATE_LAYOUT_EFFECTIVE = 1 << 7
_SHIFT_L, _SHIFT_R, _ISO_LEVEL3_SHIFT = 0xFFE1, 0xFFE2, 0xFE03


class _Xkb:
    """libxkbcommon (and, when asked, libxkbcommon-x11 and libxcb) through ctypes: the few
    functions HandCue needs. Raises OSError when a library is missing."""

    def __init__(self, x11: bool = False) -> None:
        p, u32, i32, cint = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int32, ctypes.c_int
        lib = ctypes.CDLL("libxkbcommon.so.0")
        self._sig(lib, "xkb_context_new", p, cint)
        self._sig(lib, "xkb_context_unref", None, p)
        self._sig(lib, "xkb_context_set_log_level", None, p, cint)
        self._sig(lib, "xkb_keymap_new_from_names", p, p, ctypes.POINTER(_RuleNames), cint)
        self._sig(lib, "xkb_keymap_unref", None, p)
        self._sig(lib, "xkb_keymap_min_keycode", u32, p)
        self._sig(lib, "xkb_keymap_max_keycode", u32, p)
        self._sig(lib, "xkb_keymap_num_layouts", u32, p)
        self._sig(lib, "xkb_keymap_layout_get_name", ctypes.c_char_p, p, u32)
        self._sig(lib, "xkb_state_new", p, p)
        self._sig(lib, "xkb_state_unref", None, p)
        self._sig(lib, "xkb_state_update_key", cint, p, u32, cint)
        self._sig(lib, "xkb_state_update_mask", cint, p, u32, u32, u32, u32, u32, u32)
        self._sig(lib, "xkb_state_key_get_utf32", u32, p, u32)
        self._sig(lib, "xkb_state_key_get_one_sym", u32, p, u32)
        self._sig(lib, "xkb_state_serialize_layout", u32, p, cint)
        self.lib = lib
        self.x11: Any = None
        self.xcb: Any = None
        if x11:
            x = ctypes.CDLL("libxkbcommon-x11.so.0")
            self._sig(x, "xkb_x11_setup_xkb_extension", cint, p, ctypes.c_uint16,
                      ctypes.c_uint16, cint, p, p, p, p)  # fmt: skip
            self._sig(x, "xkb_x11_get_core_keyboard_device_id", i32, p)
            self._sig(x, "xkb_x11_keymap_new_from_device", p, p, p, i32, cint)
            self._sig(x, "xkb_x11_state_new_from_device", p, p, p, i32)
            xcb = ctypes.CDLL("libxcb.so.1")
            self._sig(xcb, "xcb_connect", p, ctypes.c_char_p, p)
            self._sig(xcb, "xcb_connection_has_error", cint, p)
            self._sig(xcb, "xcb_disconnect", None, p)
            self.x11, self.xcb = x, xcb

    @staticmethod
    def _sig(lib: Any, name: str, restype: Any, *argtypes: Any) -> None:
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = list(argtypes)

    def context(self) -> int:
        ctx = self.lib.xkb_context_new(_XKB_CONTEXT_NO_ENVIRONMENT_NAMES)
        if not ctx:
            raise OSError("xkb_context_new failed")
        # Our messages say what failed; libxkbcommon's own lines on stderr would only confuse.
        self.lib.xkb_context_set_log_level(ctx, _XKB_LOG_LEVEL_CRITICAL)
        return int(ctx)

    def layout_of(self, keymap: int, group: int, source: str) -> CharLayout:
        """Every character ``keymap`` types in layout ``group``, with the fewest modifiers."""
        lib = self.lib
        low, high = lib.xkb_keymap_min_keycode(keymap), lib.xkb_keymap_max_keycode(keymap)
        high = min(high, _KEY_LAST + 8)  # XKB keycode = evdev code + 8
        name = lib.xkb_keymap_layout_get_name(keymap, group)
        name = name.decode("utf-8", "replace") if name else f"layout {group + 1}"

        def state(pressed: Iterable[int]) -> int:
            st = lib.xkb_state_new(keymap)
            if not st:
                raise OSError("xkb_state_new failed")
            lib.xkb_state_update_mask(st, 0, 0, 0, 0, 0, group)
            for code in pressed:
                lib.xkb_state_update_key(st, code, _XKB_KEY_DOWN)
            return int(st)

        plain = state(())
        try:
            syms = {kc: lib.xkb_state_key_get_one_sym(plain, kc) for kc in range(low, high + 1)}
        finally:
            lib.xkb_state_unref(plain)
        shift = next((kc for kc, s in syms.items() if s == _SHIFT_L), None) or next(
            (kc for kc, s in syms.items() if s == _SHIFT_R), None
        )
        level3 = [kc for kc, s in syms.items() if s == _ISO_LEVEL3_SHIFT]
        altgr = 100 + 8 if 100 + 8 in level3 else (level3[0] if level3 else None)  # KEY_RIGHTALT
        combos: list[tuple[int, ...]] = [()]
        if shift is not None:
            combos.append((shift,))
        if altgr is not None:
            combos.append((altgr,))
            if shift is not None:
                combos.append((shift, altgr))
        best: dict[str, tuple[tuple[int, int, int], tuple[int, ...]]] = {}
        for rank, combo in enumerate(combos):
            st = state(combo)
            try:
                for kc in range(low, high + 1):
                    if kc in combo or kc == shift or kc in level3:
                        continue
                    point = lib.xkb_state_key_get_utf32(st, kc)
                    if not point:
                        continue
                    char = chr(point)
                    if not (char.isprintable() or char == " "):
                        continue
                    order = (int(kc - 8 in _KEYPAD), rank, kc)
                    if char not in best or order < best[char][0]:
                        codes = tuple(m - 8 for m in combo) + (kc - 8,)
                        best[char] = (order, codes)
            finally:
                lib.xkb_state_unref(st)
        chars = {char: codes for char, (_, codes) in best.items()}
        return CharLayout(name, source, chars, None if altgr is None else altgr - 8)


@dataclass(frozen=True)
class LayoutNames:
    """An XKB layout by its rules, model, layout, variant and options (RMLVO), e.g.
    ``LayoutNames("de")``. Empty parts take libxkbcommon's defaults (``evdev``, ``pc105``)."""

    layout: str
    variant: str = ""
    model: str = ""
    options: str = ""
    rules: str = ""

    def describe(self) -> str:
        return self.layout + (f"({self.variant})" if self.variant else "")


def layout_from_names(names: LayoutNames, source: str = "") -> CharLayout:
    """The :class:`CharLayout` of the first layout of ``names`` (libxkbcommon compiles it from the
    XKB data in ``/usr/share/X11/xkb``). HandCueError when the layout is unknown; OSError when
    libxkbcommon is missing."""
    xkb = _Xkb()
    ctx = xkb.context()
    try:
        raw = _RuleNames(
            *(
                (getattr(names, part) or "").encode() or None
                for part in ("rules", "model", "layout", "variant", "options")
            )
        )
        keymap = xkb.lib.xkb_keymap_new_from_names(ctx, ctypes.byref(raw), 0)
        if not keymap:
            raise HandCueError(
                f"unknown keyboard layout {names.describe()!r}"
                + (f" (options {names.options!r})" if names.options else "")
                + f" from {source or 'the settings'}: XKB has no such layout",
                code=2,
            )
        try:
            return xkb.layout_of(int(keymap), 0, source or names.describe())
        finally:
            xkb.lib.xkb_keymap_unref(keymap)
    finally:
        xkb.lib.xkb_context_unref(ctx)


class X11Layout:
    """The X server's live keymap and layout group (libxkbcommon-x11 on one XCB connection).
    Calling it reads both again (a few ms) and returns the :class:`CharLayout`. Raises OSError
    when the libraries are missing and HandCueError when the display cannot be used."""

    def __init__(self, display: str) -> None:
        self.display = display
        self._xkb = _Xkb(x11=True)
        self._lock = threading.Lock()
        self._conn = int(self._xkb.xcb.xcb_connect(display.encode(), None) or 0)
        if not self._conn or self._xkb.xcb.xcb_connection_has_error(self._conn):
            self.close()
            raise HandCueError(f"cannot connect to the X display {display}", code=4)
        x11 = self._xkb.x11
        if not x11.xkb_x11_setup_xkb_extension(self._conn, 1, 0, 0, None, None, None, None):
            self.close()
            raise HandCueError(f"the X display {display} has no XKB extension", code=4)
        self._device = int(x11.xkb_x11_get_core_keyboard_device_id(self._conn))
        self._ctx: int | None = self._xkb.context()

    def __call__(self) -> CharLayout:
        with self._lock:
            if not self._conn:
                raise HandCueError(f"the X display {self.display} was closed", code=4)
            x11, lib = self._xkb.x11, self._xkb.lib
            if self._xkb.xcb.xcb_connection_has_error(self._conn):
                raise HandCueError(f"lost the X display {self.display}", code=4)
            keymap = x11.xkb_x11_keymap_new_from_device(self._ctx, self._conn, self._device, 0)
            if not keymap:
                raise HandCueError(f"cannot read the keymap of the X display {self.display}")
            try:
                state = x11.xkb_x11_state_new_from_device(keymap, self._conn, self._device)
                group = 0
                if state:
                    group = int(lib.xkb_state_serialize_layout(state, _XKB_STATE_LAYOUT_EFFECTIVE))
                    lib.xkb_state_unref(state)
                source = f"the keymap of the X display {self.display}"
                return self._xkb.layout_of(int(keymap), group, source)
            finally:
                lib.xkb_keymap_unref(keymap)

    def close(self) -> None:
        with self._lock:
            conn, self._conn = getattr(self, "_conn", 0), 0
            if conn:
                self._xkb.xcb.xcb_disconnect(conn)
            ctx = getattr(self, "_ctx", None)
            if ctx:
                self._xkb.lib.xkb_context_unref(ctx)
                self._ctx = None


def names_from_env(env: Mapping[str, str]) -> LayoutNames | None:
    """``XKB_DEFAULT_LAYOUT`` and its companions, None when the layout is not set."""
    layout = env.get("XKB_DEFAULT_LAYOUT", "").strip()
    if not layout:
        return None
    return LayoutNames(
        layout,
        env.get("XKB_DEFAULT_VARIANT", "").strip(),
        env.get("XKB_DEFAULT_MODEL", "").strip(),
        env.get("XKB_DEFAULT_OPTIONS", "").strip(),
        env.get("XKB_DEFAULT_RULES", "").strip(),
    )


def names_from_localectl(text: str) -> LayoutNames | None:
    """The layout in ``localectl status`` output (``X11 Layout: de``...), None without one."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().startswith("X11 "):
            found[key.strip()[4:].lower()] = value.strip()
    layout = found.get("layout", "")
    if not layout or layout == "n/a":
        return None
    return LayoutNames(layout, found.get("variant", ""), found.get("model", ""),
                       found.get("options", ""))  # fmt: skip


def names_from_default_keyboard(text: str) -> LayoutNames | None:
    """The layout in Debian's ``/etc/default/keyboard`` (``XKBLAYOUT="de"``...)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = re.match(r"\s*(XKB[A-Z]+)\s*=\s*(.*)", line)
        if match:
            try:
                words = shlex.split(match.group(2), comments=True)
            except ValueError:
                continue
            found[match.group(1)] = words[0] if words else ""
    layout = found.get("XKBLAYOUT", "")
    if not layout:
        return None
    return LayoutNames(layout, found.get("XKBVARIANT", ""), found.get("XKBMODEL", ""),
                       found.get("XKBOPTIONS", ""))  # fmt: skip


def _localectl() -> str:
    try:
        done = subprocess.run(["localectl", "status"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


@dataclass
class LayoutChoice:
    """What :func:`find_layout` found: ``layout()`` gives the layout to use now (the X source
    reads the server each time); ``warnings`` are for the user; ``close`` ends a connection."""

    layout: Callable[[], CharLayout]
    warnings: list[str] = field(default_factory=list)
    close: Callable[[], None] = lambda: None


def _fixed(layout: CharLayout) -> Callable[[], CharLayout]:
    return lambda: layout


def find_layout(
    env: Mapping[str, str] | None = None,
    *,
    localectl: Callable[[], str] = _localectl,
    read_text: Callable[[str], str] = _read_text,
) -> LayoutChoice:
    """The desktop's keyboard layout, from the sources in the module docstring, in that order."""
    env = os.environ if env is None else env
    try:
        _Xkb()
    except OSError:
        message = (
            "libxkbcommon is not installed: characters are typed as on a US keyboard "
            "(install libxkbcommon0 to follow your layout)"
        )
        return LayoutChoice(_fixed(us_layout()), [message])
    names = names_from_env(env)
    if names is not None:
        fixed = layout_from_names(names, f"XKB_DEFAULT_LAYOUT={names.layout}")
        return LayoutChoice(_fixed(fixed))
    display = env.get("DISPLAY", "")
    if display:
        try:
            live = X11Layout(display)
            live()  # fails now rather than at the first key
            return LayoutChoice(live, close=live.close)
        except (OSError, HandCueError) as exc:
            log.debug("no keyboard layout from the X display %s: %s", display, exc)
    for source, found in (
        ("localectl", lambda: names_from_localectl(localectl())),
        ("/etc/default/keyboard", lambda: names_from_default_keyboard(
            read_text("/etc/default/keyboard"))),
    ):  # fmt: skip
        names = found()
        if names is not None:
            try:
                fixed = layout_from_names(names, f"{source} ({names.describe()})")
            except HandCueError as exc:
                log.debug("%s", exc)
                continue
            return LayoutChoice(_fixed(fixed))
    fixed = layout_from_names(LayoutNames("us"), "no layout found: US")
    message = (
        "could not tell your keyboard layout: characters are typed as on a US keyboard "
        "(set XKB_DEFAULT_LAYOUT, e.g. XKB_DEFAULT_LAYOUT=de, to name yours)"
    )
    return LayoutChoice(_fixed(fixed), [message])


# --------------------------------------------------------------------------- the sink


class EventDevice(Protocol):
    """What the sink needs of a uinput device (python-evdev's ``UInput`` has these)."""

    def write(self, etype: int, code: int, value: int) -> None: ...

    def syn(self) -> None: ...

    def close(self) -> None: ...


def _ecodes() -> Any:
    try:
        from evdev import ecodes
    except ImportError:
        raise HandCueError(
            "the uinput input needs python-evdev: install it with 'pip install evdev' "
            "(or choose Settings > General > Send keys and clicks through: Automatic)",
            code=4,
        ) from None
    return ecodes


class UInputSink:
    """:class:`pipeline.actions.InputSink` and :class:`pipeline.actions.sink.PointerMotion` on
    uinput devices (see the module docstring). ``keyboard``, ``pointer``, ``absolute``: the
    devices (python-evdev ``UInput`` objects, or fakes in tests); ``layout``: gives the keyboard
    layout for characters (called for each character action); ``desktop``: the rectangle
    absolute moves are scaled to, or a function that reads it (called at the first move, its
    answer kept; :meth:`set_desktop` replaces it). ``warnings`` holds messages for the user.

    Remembers which key codes each pressed key name used, so a release lifts exactly those
    (e.g. Shift and the key for ``"A"``) whatever the layout is by then."""

    def __init__(
        self,
        keyboard: EventDevice,
        pointer: EventDevice,
        absolute: EventDevice | None,
        layout: Callable[[], CharLayout],
        *,
        desktop: Desktop | Callable[[], Desktop] | None = None,
        warnings: Iterable[str] = (),
        on_close: Callable[[], None] = lambda: None,
        settle_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._e = _ecodes()
        self._keyboard = keyboard
        self._pointer = pointer
        self._absolute = absolute
        self._layout = layout
        self._desktop: Desktop | None = None
        self._read_desktop: Callable[[], Desktop] | None = None
        if callable(desktop):
            self._read_desktop = desktop
        else:
            self._desktop = desktop
        self.warnings = list(warnings)
        self._on_close = on_close
        self._ready_at = clock() + settle_s
        self._clock, self._sleep = clock, sleep
        self._lock = threading.RLock()
        self._held_keys: dict[str, tuple[int, ...]] = {}  # key name -> codes, in press order
        self._held_buttons: list[str] = []
        self._closed = False
        atexit.register(self.release_all)

    # ----------------------------------------------------------------- devices

    def _settle(self) -> None:
        wait = self._ready_at - self._clock()
        if wait > 0:
            self._sleep(wait)
            self._ready_at = 0.0

    def _emit(self, device: EventDevice, events: Iterable[tuple[int, int, int]]) -> None:
        """Write ``events`` (type, code, value) with a SYN_REPORT after each, as a real device
        reports one change at a time. An OS error (the device went away) is a HandCueError."""
        if self._closed:
            raise HandCueError("the uinput input is closed", code=4)
        self._settle()
        try:
            for etype, code, value in events:
                device.write(etype, code, value)
                device.syn()
        except OSError as exc:
            raise HandCueError(f"sending input through uinput failed: {exc}", code=4) from None

    def _keys(self, codes: Iterable[int], value: int) -> None:
        self._emit(self._keyboard, ((self._e.EV_KEY, code, value) for code in codes))

    # ----------------------------------------------------------------- keys

    def _current_layout(self) -> CharLayout:
        return self._layout()

    def _codes_for(self, name: str) -> tuple[int, ...]:
        """Key codes to press for a canonical key name or one character, modifiers first."""
        e = self._e
        if name in _CONTROL_KEYS:
            return (int(getattr(e, _CONTROL_KEYS[name])),)
        if len(name) != 1:
            if name == "alt_gr":
                altgr = self._current_layout().altgr
                return (altgr if altgr is not None else int(e.KEY_RIGHTALT),)
            code_name = NAMED_KEY_CODES.get(name)
            if code_name is None:
                raise HandCueError(f"the key {name!r} cannot be sent through uinput")
            return (int(getattr(e, code_name)),)
        layout = self._current_layout()
        codes = layout.codes(name)
        if codes is None:
            raise HandCueError(
                f"no key types {name!r} in the keyboard layout {layout.name} "
                f"({layout.source}); uinput sends keys, not characters"
            )
        held = {code for codes in self._held_keys.values() for code in codes}
        # A modifier this sink already holds (Shift of a combo) is not pressed again.
        return tuple(c for c in codes[:-1] if c not in held) + codes[-1:]

    def press_key(self, key: str) -> None:
        with self._lock:
            codes = self._held_keys.get(key) or self._codes_for(key)
            self._held_keys[key] = codes  # remembered before sending: a failure still releases
            self._keys(codes, 1)

    def release_key(self, key: str) -> None:
        with self._lock:
            codes = self._held_keys.get(key)
            if codes is None:
                codes = self._codes_for(key)
            self._keys(reversed(codes), 0)
            self._held_keys.pop(key, None)

    def type_text(self, text: str) -> None:
        """Tap each character with the modifiers its layout needs; newline is Enter, tab Tab.
        A text with characters that no key of the layout types is not typed at all (the
        HandCueError names them), so nothing wrong reaches the application."""
        with self._lock:
            layout = self._current_layout()
            missing = layout.missing(text)
            if missing:
                listed = ", ".join(repr(c) for c in missing)
                raise HandCueError(
                    f"no key types {listed} in the keyboard layout {layout.name} "
                    f"({layout.source}); uinput sends keys, not characters, so the text is not "
                    "typed"
                )
            e = self._e
            held = {code for codes in self._held_keys.values() for code in codes}
            events: list[tuple[int, int, int]] = []
            for char in text:
                if char in _CONTROL_KEYS:
                    codes: tuple[int, ...] = (int(getattr(e, _CONTROL_KEYS[char])),)
                else:
                    found = layout.codes(char)
                    assert found is not None  # missing() said every character has a key
                    codes = tuple(c for c in found[:-1] if c not in held) + found[-1:]
                events += [(e.EV_KEY, code, 1) for code in codes]
                events += [(e.EV_KEY, code, 0) for code in reversed(codes)]
            self._emit(self._keyboard, events)

    # ----------------------------------------------------------------- buttons and wheel

    def _button(self, name: str) -> int:
        code_name = BUTTON_CODES.get(name)
        if code_name is None:
            raise HandCueError(f"unknown mouse button {name!r}")
        return int(getattr(self._e, code_name))

    def press_button(self, button: str) -> None:
        with self._lock:
            code = self._button(button)
            if button not in self._held_buttons:
                self._held_buttons.append(button)
            self._emit(self._pointer, [(self._e.EV_KEY, code, 1)])

    def release_button(self, button: str) -> None:
        with self._lock:
            self._emit(self._pointer, [(self._e.EV_KEY, self._button(button), 0)])
            if button in self._held_buttons:
                self._held_buttons.remove(button)

    def click(self, button: str, count: int = 1) -> None:
        with self._lock:
            code = self._button(button)
            events = [(self._e.EV_KEY, code, value) for _ in range(count) for value in (1, 0)]
            self._emit(self._pointer, events)

    def scroll(self, dx: int, dy: int) -> None:
        """``dy`` wheel steps (+ up), ``dx`` horizontal steps (+ right), one event per step."""
        e = self._e
        events = [(e.EV_REL, e.REL_WHEEL, 1 if dy > 0 else -1)] * abs(int(dy))
        events += [(e.EV_REL, e.REL_HWHEEL, 1 if dx > 0 else -1)] * abs(int(dx))
        with self._lock:
            self._emit(self._pointer, events)

    # ----------------------------------------------------------------- pointer

    def set_desktop(self, desktop: Desktop | None) -> None:
        """The desktop absolute moves are scaled to (all monitors' bounding box, in the
        compositor's logical pixels, as Qt's screens give them)."""
        with self._lock:
            self._desktop = desktop
            self._read_desktop = None

    def absolute_value(self, x: int, y: int) -> tuple[int, int]:
        """The device values for desktop pixel ``(x, y)`` (clamped to the desktop)."""
        if self._desktop is None and self._read_desktop is not None:
            self._desktop = self._read_desktop()  # HandCueError when it cannot be read
        if self._desktop is None:
            raise HandCueError(
                "pointer moves through uinput need the desktop size (none was given)", code=4
            )
        left, top, right, bottom = self._desktop.bounds
        values = []
        for v, low, high in ((x, left, right), (y, top, bottom)):
            v = min(max(int(v), low), high)
            values.append(min(ABS_MAX, int((v - low + 0.5) * (ABS_MAX + 1) / (high - low + 1))))
        return values[0], values[1]

    def move_pointer(self, x: int, y: int) -> None:
        """Put the pointer at desktop pixel ``(x, y)`` through the absolute device."""
        if self._absolute is None:
            raise HandCueError("this uinput input has no absolute pointer", code=4)
        with self._lock:
            ax, ay = self.absolute_value(x, y)
            e = self._e
            if self._closed:
                raise HandCueError("the uinput input is closed", code=4)
            self._settle()
            try:  # one report for both axes: a diagonal move, not two steps
                self._absolute.write(e.EV_ABS, e.ABS_X, ax)
                self._absolute.write(e.EV_ABS, e.ABS_Y, ay)
                self._absolute.syn()
            except OSError as exc:
                raise HandCueError(f"moving the pointer through uinput failed: {exc}") from None

    def pointer_position(self) -> tuple[int, int] | None:
        """Always None: uinput devices only send, the compositor's pointer cannot be read."""
        return None

    # ----------------------------------------------------------------- ending

    def release_all(self) -> None:
        """Release every button and key this sink holds, newest first; never raises."""
        with self._lock:
            while self._held_buttons:
                name = self._held_buttons.pop()
                try:
                    self._emit(self._pointer, [(self._e.EV_KEY, self._button(name), 0)])
                except Exception as exc:
                    log.warning("could not release mouse button %s: %s", name, exc)
            while self._held_keys:
                name, codes = self._held_keys.popitem()
                try:
                    self._keys(reversed(codes), 0)
                except Exception as exc:
                    log.warning("could not release key %s: %s", name, exc)

    def close(self) -> None:
        """Release what is held and destroy the devices (the kernel would release anything
        left; see the module docstring)."""
        with self._lock:
            if self._closed:
                return
            self.release_all()
            self._closed = True
            atexit.unregister(self.release_all)
            for device in (self._keyboard, self._pointer, self._absolute):
                if device is None:
                    continue
                try:
                    device.close()
                except Exception:
                    log.debug("closing a uinput device failed", exc_info=True)
            try:
                self._on_close()
            except Exception:
                log.debug("closing the keyboard layout source failed", exc_info=True)


# --------------------------------------------------------------------------- opening


def enable_help(devnode: str = DEVNODE) -> str:
    """How to make ``devnode`` usable (for messages)."""
    return (
        f"To enable it: load the module ('sudo modprobe uinput'; at every boot: "
        f"'echo uinput | sudo tee /etc/modules-load.d/uinput.conf'), let the logged-in user "
        f"write it with a udev rule ('echo '{UDEV_RULE}' | sudo tee "
        f"/etc/udev/rules.d/{UDEV_RULE_FILE}', then 'sudo udevadm control --reload-rules && "
        f"sudo udevadm trigger --subsystem-match=misc --sysname-match=uinput'; HandCue's .deb "
        f"installs this rule), then log out and in again. Or choose Settings > General > "
        f"Send keys and clicks through: Automatic."
    )


def check_devnode(devnode: str = DEVNODE) -> None:
    """HandCueError (code 4) saying what to do when ``devnode`` is missing or not writable."""
    if not os.path.exists(devnode):
        raise HandCueError(
            f"cannot send input through uinput: {devnode} does not exist (the uinput kernel "
            f"module is not loaded). {enable_help(devnode)}",
            code=4,
        )
    if not os.access(devnode, os.W_OK):
        raise HandCueError(
            f"cannot send input through uinput: this user may not write {devnode}. "
            f"{enable_help(devnode)}",
            code=4,
        )


def _create(
    events: Mapping[int, Any], name: str, devnode: str, input_props: Iterable[int] = ()
) -> EventDevice:
    """A python-evdev ``UInput`` device that is not opened again for reading: UInput would
    wait up to 2 s for read access to the new /dev/input/event node, which the logged-in user
    normally lacks, then fail with the device already made."""
    from evdev import UInput

    class _WriteOnly(UInput):  # type: ignore[misc]
        def _find_device(self, *args: Any) -> None:  # type: ignore[override]
            return None

    device: EventDevice = _WriteOnly(
        dict(events), name=name, vendor=0, product=0, version=1, bustype=0x06,  # BUS_VIRTUAL
        devnode=devnode, phys="handcue", input_props=list(input_props),
    )  # fmt: skip
    return device


def device_capabilities() -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    """The capabilities of the keyboard, relative and absolute pointer devices."""
    from evdev import AbsInfo

    e = _ecodes()
    buttons = [e.BTN_LEFT, e.BTN_RIGHT, e.BTN_MIDDLE]
    keyboard = {e.EV_KEY: list(range(e.KEY_ESC, _KEY_LAST + 1))}
    pointer = {
        e.EV_KEY: buttons,
        e.EV_REL: [e.REL_X, e.REL_Y, e.REL_WHEEL, e.REL_HWHEEL],
    }
    axis = AbsInfo(value=0, min=0, max=ABS_MAX, fuzz=0, flat=0, resolution=0)
    absolute = {e.EV_KEY: buttons, e.EV_ABS: [(e.ABS_X, axis), (e.ABS_Y, axis)]}
    return keyboard, pointer, absolute


def open_uinput_sink(
    *,
    desktop: Desktop | Callable[[], Desktop] | None = None,
    devnode: str = DEVNODE,
    env: Mapping[str, str] | None = None,
    settle_s: float = SETTLE_S,
) -> UInputSink:
    """Create HandCue's uinput devices and the sink on them. ``desktop``: what absolute moves
    are scaled to (default: read from the X display at the first move). Raises HandCueError
    (code 4) with what to do when ``devnode`` is missing or not writable, or python-evdev is
    missing."""
    if desktop is None:
        from app.desktop.geometry import virtual_desktop

        desktop = virtual_desktop
    check_devnode(devnode)
    _ecodes()
    choice = find_layout(env)
    made: list[EventDevice] = []
    try:
        for caps, name in zip(device_capabilities(), _DEVICE_NAMES, strict=True):
            made.append(_create(caps, name, devnode))
    except Exception as exc:  # OSError, evdev's UInputError: the kernel refused
        for device in made:
            try:
                device.close()
            except Exception:
                log.debug("closing a uinput device failed", exc_info=True)
        choice.close()
        raise HandCueError(
            f"cannot create the uinput devices on {devnode}: {exc}. {enable_help(devnode)}",
            code=4,
        ) from None
    for message in choice.warnings:
        log.warning("%s", message)
    keyboard, pointer, absolute = made
    return UInputSink(
        keyboard, pointer, absolute, choice.layout, desktop=desktop, warnings=choice.warnings,
        on_close=choice.close, settle_s=settle_s,
    )  # fmt: skip
