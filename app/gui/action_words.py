"""Actions in plain words for people: ``key:right`` -> "Right arrow", ``combo:ctrl+shift+t`` ->
"Ctrl+Shift+T", ``media:play_pause`` -> "Play/pause". Used by the video label, the on-screen
display and the first-run guide (the settings file and the command line keep the action syntax).
"""

from __future__ import annotations

_KEYS = {
    "right": "Right arrow", "left": "Left arrow", "up": "Up arrow", "down": "Down arrow",
    "page_up": "Page Up", "page_down": "Page Down", "esc": "Esc", "enter": "Enter",
    "space": "Space", "tab": "Tab", "backspace": "Backspace", "delete": "Delete",
    "home": "Home", "end": "End", "insert": "Insert", "plus": "+", "colon": ":",
    "cmd": "Cmd", "ctrl": "Ctrl", "alt": "Alt", "shift": "Shift",
}  # fmt: skip
_MEDIA = {
    "play_pause": "Play/pause", "next": "Next track", "previous": "Previous track",
    "volume_up": "Volume up", "volume_down": "Volume down", "mute": "Mute",
}  # fmt: skip


def key_words(name: str) -> str:
    """One key: ``right`` -> "Right arrow", ``f5`` -> "F5", ``a`` -> "A"."""
    name = name.strip().lower()
    if name in _KEYS:
        return _KEYS[name]
    if len(name) == 1:
        return name.upper()
    if name[:1] == "f" and name[1:].isdigit():
        return name.upper()
    if name.startswith("media_"):
        return _MEDIA.get(name.removeprefix("media_").replace("volume_mute", "mute"), name)
    return name.replace("_", " ").capitalize()


def action_words(spec: str) -> str:
    """What action ``spec`` does, in a few words ("" for no action)."""
    kind, _, arg = spec.partition(":")
    kind = kind.lower()
    if kind == "key":
        return key_words(arg)
    if kind == "combo":
        return "+".join(key_words(k) for k in arg.split("+"))
    if kind == "type":
        return f"Type “{arg}”"
    if kind in ("click", "dclick"):
        what = "double click" if kind == "dclick" else "click"
        return f"{arg.capitalize()} {what}"
    if kind == "scroll":
        direction, _, steps = arg.partition(":")
        return f"Scroll {direction}" + (f" ×{steps}" if steps and steps != "1" else "")
    if kind == "media":
        return _MEDIA.get(arg, arg.replace("_", " ").capitalize())
    if kind == "none" or not spec:
        return ""
    return spec
