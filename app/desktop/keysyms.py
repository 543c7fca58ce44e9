"""X keysyms of HandCue's keys and characters: what XTEST (:mod:`app.desktop.x11_keys`) looks up
in the server's keymap and what the desktop portal (:mod:`app.desktop.wayland.portal`) sends.

Canonical key names are those of :data:`pipeline.actions.spec.NAMED_KEYSYMS`'s keys; a character
is its own keysym in Latin-1 and ``0x01000000 + code point`` beyond (the X11 rule for Unicode).
"""

from __future__ import annotations

from pipeline.errors import HandCueError

#: Canonical key name -> keysym (keysymdef.h, XF86keysym.h for the media keys).
NAMED_KEYSYMS: dict[str, int] = {
    "enter": 0xFF0D, "esc": 0xFF1B, "space": 0x0020, "tab": 0xFF09, "backspace": 0xFF08,
    "delete": 0xFFFF, "insert": 0xFF63, "home": 0xFF50, "end": 0xFF57,
    "page_up": 0xFF55, "page_down": 0xFF56,
    "left": 0xFF51, "up": 0xFF52, "right": 0xFF53, "down": 0xFF54,
    "caps_lock": 0xFFE5, "num_lock": 0xFF7F, "scroll_lock": 0xFF14, "print_screen": 0xFF61,
    "pause": 0xFF13, "menu": 0xFF67,
    "shift": 0xFFE1, "shift_l": 0xFFE1, "shift_r": 0xFFE2,
    "ctrl": 0xFFE3, "ctrl_l": 0xFFE3, "ctrl_r": 0xFFE4,
    "alt": 0xFFE9, "alt_l": 0xFFE9, "alt_r": 0xFFEA, "alt_gr": 0xFE03,
    "cmd": 0xFFEB, "cmd_l": 0xFFEB, "cmd_r": 0xFFEC,
    "media_play_pause": 0x1008FF14, "media_next": 0x1008FF17, "media_previous": 0x1008FF16,
    "media_volume_up": 0x1008FF13, "media_volume_down": 0x1008FF11,
    "media_volume_mute": 0x1008FF12,
    **{f"f{i}": 0xFFBE + i - 1 for i in range(1, 21)},
}  # fmt: skip
#: Characters that are keys rather than text.
CONTROL_KEYSYMS = {"\n": 0xFF0D, "\r": 0xFF0D, "\t": 0xFF09, "\b": 0xFF08}


def char_keysym(char: str) -> int:
    """The keysym of one character (``"a"`` -> 0x61, ``"€"`` -> 0x10020AC, ``"\\n"`` ->
    Return)."""
    if char in CONTROL_KEYSYMS:
        return CONTROL_KEYSYMS[char]
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x01000000 | code


def key_keysym(name: str) -> int:
    """The keysym of a canonical key name or one character; HandCueError when unknown."""
    if len(name) == 1:
        return char_keysym(name)
    try:
        return NAMED_KEYSYMS[name]
    except KeyError:
        raise HandCueError(f"the key {name!r} has no keysym") from None
