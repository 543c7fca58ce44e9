"""The XKB keymap HandCue's virtual keyboard uploads, and where each key sits in it.

A Wayland virtual keyboard brings its own keymap: the compositor hands it to the application
with the keys, so what HandCue sends comes out the same whatever layout the user types with
(``us``, ``de``...). This keymap holds:

* every named key (:data:`pipeline.actions.spec.NAMED_KEYS`) on its usual Linux (evdev) key
  code, so programs that look at key codes (games, XWayland) see the key they expect;
* the letters ``a``-``z`` on their US positions with two levels (``[a, A]``: Shift gives the
  capital, as on a real keyboard; a capital is typed as Shift + the letter), the digits and
  the US punctuation keys (one level each) on theirs;
* any other character a text needs (``ü``, ``€``, ``!``...) on a key of its own taken from the
  codes left over, one level, so neither Shift nor a layout matters. These are added when a
  text needs them (:meth:`KeymapLayout.add`) and the keymap is uploaded again; when the spare
  codes run out the least recently used ones are given new characters (never one held down).

Key codes here are evdev codes (what ``zwp_virtual_keyboard_v1.key`` takes); the XKB key code
is the evdev code + 8. Modifier bits are XKB's real modifiers, whose order is fixed: Shift 0,
Lock 1, Control 2, Mod1 (Alt) 3, Mod2 (NumLock) 4, Mod3 5, Mod4 (Super) 6, Mod5 (AltGr) 7.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from app.desktop import keysyms
from pipeline.errors import HandCueError

SHIFT, LOCK, CONTROL, MOD1, MOD2, MOD3, MOD4, MOD5 = (1 << bit for bit in range(8))
_MOD_NAMES = {
    SHIFT: "Shift", LOCK: "Lock", CONTROL: "Control", MOD1: "Mod1", MOD2: "Mod2",
    MOD4: "Mod4", MOD5: "Mod5",
}  # fmt: skip

# Named key -> (evdev code, keysym name, modifier bit or 0).
NAMED: dict[str, tuple[int, str, int]] = {
    "esc": (1, "Escape", 0), "backspace": (14, "BackSpace", 0), "tab": (15, "Tab", 0),
    "enter": (28, "Return", 0), "ctrl": (29, "Control_L", CONTROL),
    "ctrl_l": (29, "Control_L", CONTROL), "shift": (42, "Shift_L", SHIFT),
    "shift_l": (42, "Shift_L", SHIFT), "shift_r": (54, "Shift_R", SHIFT),
    "alt": (56, "Alt_L", MOD1), "alt_l": (56, "Alt_L", MOD1), "space": (57, "space", 0),
    "caps_lock": (58, "Caps_Lock", 0), "num_lock": (69, "Num_Lock", 0),
    "scroll_lock": (70, "Scroll_Lock", 0), "ctrl_r": (97, "Control_R", CONTROL),
    "print_screen": (99, "Print", 0), "alt_r": (100, "Alt_R", MOD1), "home": (102, "Home", 0),
    "up": (103, "Up", 0), "page_up": (104, "Prior", 0), "left": (105, "Left", 0),
    "right": (106, "Right", 0), "end": (107, "End", 0), "down": (108, "Down", 0),
    "page_down": (109, "Next", 0), "insert": (110, "Insert", 0), "delete": (111, "Delete", 0),
    "media_volume_mute": (113, "XF86AudioMute", 0),
    "media_volume_down": (114, "XF86AudioLowerVolume", 0),
    "media_volume_up": (115, "XF86AudioRaiseVolume", 0), "pause": (119, "Pause", 0),
    "cmd": (125, "Super_L", MOD4), "cmd_l": (125, "Super_L", MOD4),
    "cmd_r": (126, "Super_R", MOD4), "menu": (127, "Menu", 0),
    "media_next": (163, "XF86AudioNext", 0), "media_play_pause": (164, "XF86AudioPlay", 0),
    "media_previous": (165, "XF86AudioPrev", 0),
    # AltGr gets a code of its own: RIGHTALT (100) is Alt_R above.
    "alt_gr": (92, "ISO_Level3_Shift", MOD5),
    **{f"f{i}": (58 + i, f"F{i}", 0) for i in range(1, 11)},
    "f11": (87, "F11", 0), "f12": (88, "F12", 0),
    **{f"f{i}": (170 + i, f"F{i}", 0) for i in range(13, 21)},  # KEY_F13 = 183
}  # fmt: skip

# Characters on their US key (evdev code); letters have the capital on level 2.
_US_ROWS = (
    (2, "1234567890-="),
    (16, "qwertyuiop[]"),
    (30, "asdfghjkl;'`"),
    (43, "\\zxcvbnm,./"),
)
CHAR_CODES: dict[str, int] = {
    char: start + i for start, row in _US_ROWS for i, char in enumerate(row)
}
CHAR_CODES[" "] = 57

# The codes a keymap may give extra characters: every code up to 247 (XKB code 255, the
# limit X11 clients under XWayland have) that no key above uses, 0 excluded (KEY_RESERVED).
_USED = {code for code, _, _ in NAMED.values()} | set(CHAR_CODES.values())
SPARE_CODES: tuple[int, ...] = tuple(c for c in range(1, 248) if c not in _USED)
_CONTROL_KEYS = {"\n": "enter", "\r": "enter", "\t": "tab", "\b": "backspace"}


def char_keysym(char: str) -> int:
    """The keysym of a printable character: Latin-1 code points are their own keysym, others
    ``0x01000000 + code point`` (as X11 and xkbcommon define)."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code < 0xA0:
        raise HandCueError(f"the control character U+{code:04X} cannot be typed")
    return keysyms.char_keysym(char)


@dataclass(frozen=True)
class KeyStroke:
    """How to press one key name or character: the evdev ``code``, the modifier bits to hold
    around it (``Shift`` for a capital letter) and the modifier bit the key itself sets
    (``modifier``: Control for ``ctrl``...; 0 for other keys)."""

    code: int
    mods: int = 0
    modifier: int = 0


class KeymapLayout:
    """Which key code each key name and character has, and the XKB keymap text for it.

    :meth:`stroke` answers for a key name (:data:`pipeline.actions.spec.NAMED_KEYS`) or one
    character; a character not in the keymap yet needs :meth:`add` first (which says whether
    the keymap changed and must be uploaded again). Not thread-safe: the sink locks."""

    def __init__(self, spare_codes: Iterable[int] = SPARE_CODES) -> None:
        self._spare = list(spare_codes)
        self._extra: OrderedDict[str, int] = OrderedDict()  # character -> code, LRU first

    def extra(self) -> dict[str, int]:
        return dict(self._extra)

    def needs(self, chars: Iterable[str]) -> list[str]:
        """The characters of ``chars`` that have no key yet, in first-seen order."""
        missing: list[str] = []
        for char in chars:
            if char in _CONTROL_KEYS or char in missing:
                continue
            if char in CHAR_CODES or char.lower() in CHAR_CODES and char.isupper():
                continue
            if char not in self._extra:
                missing.append(char)
        return missing

    def add(self, chars: Iterable[str], busy: Iterable[int] = ()) -> bool:
        """Give each character of ``chars`` a key (reusing the least recently used extra keys
        whose code is not in ``busy``). True when the keymap changed. HandCueError when more
        new characters are asked for at once than there are keys to give."""
        wanted = list(chars)
        for char in wanted:
            if char in self._extra:
                self._extra.move_to_end(char)
        missing = self.needs(wanted)
        for char in missing:
            char_keysym(char)  # a control character: a clear error before anything changes
        busy_codes = set(busy)
        for char in missing:
            if self._spare:
                code = self._spare.pop(0)
            else:
                reusable = [
                    c
                    for c, code in self._extra.items()
                    if code not in busy_codes and c not in wanted
                ]
                if not reusable:
                    raise HandCueError(
                        f"too many different characters at once: no key left for {char!r}"
                    )
                code = self._extra.pop(reusable[0])
            self._extra[char] = code
        return bool(missing)

    def stroke(self, name: str) -> KeyStroke:
        """The key for canonical key name or character ``name``; HandCueError when the keymap
        has none (a character not :meth:`add`-ed, an unknown name)."""
        if name in _CONTROL_KEYS:
            name = _CONTROL_KEYS[name]
        named = NAMED.get(name)
        if named is not None:
            return KeyStroke(named[0], 0, named[2])
        if len(name) == 1:
            if name in CHAR_CODES:
                return KeyStroke(CHAR_CODES[name])
            if name in self._extra:
                self._extra.move_to_end(name)
                return KeyStroke(self._extra[name])
            if name.isupper() and name.lower() in CHAR_CODES and name.lower().isalpha():
                return KeyStroke(CHAR_CODES[name.lower()], SHIFT)
            raise HandCueError(f"the character {name!r} has no key in HandCue's keymap yet")
        raise HandCueError(f"the key {name!r} does not exist on this system")

    def text(self) -> str:
        """The keymap in XKB's text format (``xkb_keymap { ... }``), as the compositor and
        every application compile it with xkbcommon. Types and compatibility come from the
        system's XKB data (``complete``), as in every Linux keymap."""
        keys: dict[int, list[str]] = {}
        modmap: dict[int, list[int]] = {}
        for code, sym, modifier in NAMED.values():
            keys[code] = [sym]
            if modifier:
                modmap.setdefault(modifier, [])
                if code not in modmap[modifier]:
                    modmap[modifier].append(code)
        for char, code in CHAR_CODES.items():
            sym = f"0x{char_keysym(char):x}"
            keys[code] = [sym, f"0x{char_keysym(char.upper()):x}"] if char.isalpha() else [sym]
        for char, code in self._extra.items():
            keys[code] = [f"0x{char_keysym(char):x}"]
        lines = ["xkb_keymap {", 'xkb_keycodes "handcue" {', "minimum = 8;", "maximum = 255;"]
        lines += [f"<K{code + 8}> = {code + 8};" for code in sorted(keys)]
        lines += [
            "};",
            'xkb_types "handcue" { include "complete" };',
            'xkb_compatibility "handcue" { include "complete" };',
            'xkb_symbols "handcue" {',
        ]
        lines += [
            f"key <K{code + 8}> {{ [ {', '.join(syms)} ] }};" for code, syms in sorted(keys.items())
        ]
        for bit, codes in sorted(modmap.items()):
            members = ", ".join(f"<K{code + 8}>" for code in codes)
            lines.append(f"modifier_map {_MOD_NAMES[bit]} {{ {members} }};")
        lines += ["};", "};", ""]
        return "\n".join(lines)
