"""Action types and their string syntax, shared by the config file and the command line.

Syntax (the part before the first ``:`` is the type, case-insensitive)::

    key:NAME                      tap one key: a character (``key:n``) or a name (``key:right``)
    combo:MOD+MOD+KEY             modifiers held while KEY is tapped (``combo:ctrl+shift+t``)
    type:TEXT                     type literal text (``type:hello``; may contain ``:`` and ``+``)
    click:left|right|middle       one mouse click
    dclick:left|right|middle      a double click
    scroll:up|down|left|right[:N] scroll N steps (1 when omitted)
    media:play_pause|next|previous|volume_up|volume_down|mute
    none                          do nothing (keeps a gesture mapped but inert)

Key names given to an :class:`~pipeline.actions.sink.InputSink` are canonical: a single printable
character, or one of :data:`NAMED_KEYS`. Scroll steps follow the usual wheel convention:
positive ``dy`` scrolls up, positive ``dx`` scrolls right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from pipeline.actions.sink import InputSink

MODIFIER_KEYS: frozenset[str] = frozenset(
    {
        "ctrl", "ctrl_l", "ctrl_r", "shift", "shift_l", "shift_r",
        "alt", "alt_l", "alt_r", "alt_gr", "cmd", "cmd_l", "cmd_r",
    }
)  # fmt: skip

MEDIA_KEYS: dict[str, str] = {
    "play_pause": "media_play_pause",
    "next": "media_next",
    "previous": "media_previous",
    "volume_up": "media_volume_up",
    "volume_down": "media_volume_down",
    "mute": "media_volume_mute",
}

NAMED_KEYS: frozenset[str] = frozenset(
    {
        "enter", "esc", "space", "tab", "backspace", "delete", "insert", "home", "end",
        "page_up", "page_down", "up", "down", "left", "right",
        "caps_lock", "num_lock", "scroll_lock", "print_screen", "pause", "menu",
        *(f"f{i}" for i in range(1, 21)),
        *MEDIA_KEYS.values(),
    }
    | MODIFIER_KEYS
)  # fmt: skip

# Friendly spellings -> canonical names (or characters that cannot be written inside a combo).
KEY_ALIASES: dict[str, str] = {
    "return": "enter", "escape": "esc", "del": "delete", "ins": "insert",
    "pgup": "page_up", "pageup": "page_up", "pgdn": "page_down", "pagedown": "page_down",
    "arrow_up": "up", "arrow_down": "down", "arrow_left": "left", "arrow_right": "right",
    "control": "ctrl", "win": "cmd", "super": "cmd", "meta": "cmd", "command": "cmd",
    "option": "alt", "altgr": "alt_gr", "spacebar": "space", "prtsc": "print_screen",
    "plus": "+", "minus": "-", "comma": ",", "period": ".", "dot": ".", "slash": "/",
    "backslash": "\\", "semicolon": ";", "colon": ":", "equal": "=", "equals": "=",
    "quote": "'", "apostrophe": "'", "backquote": "`", "grave": "`",
    "bracketleft": "[", "bracketright": "]", "lbracket": "[", "rbracket": "]",
}  # fmt: skip

MOUSE_BUTTONS: tuple[str, ...] = ("left", "right", "middle")
SCROLL_DIRECTIONS: dict[str, tuple[int, int]] = {
    "up": (0, 1),
    "down": (0, -1),
    "left": (-1, 0),
    "right": (1, 0),
}
MAX_TEXT_LENGTH = 1000
MAX_SCROLL_STEPS = 100

ACTION_SYNTAX_HELP = (
    "key:NAME (e.g. key:right, key:n), combo:MOD+KEY (e.g. combo:ctrl+shift+t), type:TEXT, "
    "click:left|right|middle, dclick:left|right|middle, scroll:up|down|left|right[:N], "
    f"media:{'|'.join(MEDIA_KEYS)}, none"
)


class ActionSyntaxError(HandCueError):
    """An action string that does not follow the syntax above."""

    def __init__(self, text: str, problem: str) -> None:
        super().__init__(f"bad action {text!r}: {problem}. Allowed: {ACTION_SYNTAX_HELP}", code=2)
        self.text = text
        self.problem = problem


@dataclass(frozen=True)
class Action:
    """Base of all actions. ``holdable`` actions can be pressed and released separately
    (trigger ``hold``); all actions can be performed as one complete ``tap``."""

    holdable = False

    @property
    def spec(self) -> str:
        raise NotImplementedError

    def tap(self, sink: InputSink) -> None:
        """Perform the whole action; anything pressed is released before returning, even when
        the sink raises part-way."""
        raise NotImplementedError

    def press(self, sink: InputSink) -> None:
        raise TypeError(f"{self.spec} cannot be held down")

    def release(self, sink: InputSink) -> None:
        raise TypeError(f"{self.spec} cannot be held down")

    def __str__(self) -> str:
        return self.spec


def _press_in_order(sink: InputSink, keys: tuple[str, ...]) -> None:
    """Press ``keys`` in order; if one press fails, release the ones already down."""
    done: list[str] = []
    try:
        for key in keys:
            sink.press_key(key)
            done.append(key)
    except BaseException:
        _release_reversed(sink, tuple(done))
        raise


def _release_reversed(sink: InputSink, keys: tuple[str, ...]) -> None:
    """Release ``keys`` in reverse order; every release is attempted, the first error re-raised."""
    error: BaseException | None = None
    for key in reversed(keys):
        try:
            sink.release_key(key)
        except Exception as exc:  # keep releasing the others
            error = error or exc
    if error is not None:
        raise error


@dataclass(frozen=True)
class KeyAction(Action):
    key: str
    holdable = True

    @property
    def spec(self) -> str:
        return f"key:{_key_spelling(self.key)}"

    def tap(self, sink: InputSink) -> None:
        sink.press_key(self.key)
        sink.release_key(self.key)

    def press(self, sink: InputSink) -> None:
        sink.press_key(self.key)

    def release(self, sink: InputSink) -> None:
        sink.release_key(self.key)


@dataclass(frozen=True)
class ComboAction(Action):
    keys: tuple[str, ...]  # modifiers first, in press order; the last one is the main key
    holdable = True

    @property
    def spec(self) -> str:
        return "combo:" + "+".join(_key_spelling(k) for k in self.keys)

    def tap(self, sink: InputSink) -> None:
        _press_in_order(sink, self.keys)
        _release_reversed(sink, self.keys)

    def press(self, sink: InputSink) -> None:
        _press_in_order(sink, self.keys)

    def release(self, sink: InputSink) -> None:
        _release_reversed(sink, self.keys)


@dataclass(frozen=True)
class TypeAction(Action):
    text: str

    @property
    def spec(self) -> str:
        return f"type:{self.text}"

    def tap(self, sink: InputSink) -> None:
        sink.type_text(self.text)


@dataclass(frozen=True)
class ClickAction(Action):
    button: str
    count: int = 1

    @property
    def holdable(self) -> bool:  # type: ignore[override]
        return self.count == 1

    @property
    def spec(self) -> str:
        return f"{'dclick' if self.count == 2 else 'click'}:{self.button}"

    def tap(self, sink: InputSink) -> None:
        sink.click(self.button, self.count)

    def press(self, sink: InputSink) -> None:
        if self.count != 1:
            super().press(sink)
        sink.press_button(self.button)

    def release(self, sink: InputSink) -> None:
        if self.count != 1:
            super().release(sink)
        sink.release_button(self.button)


@dataclass(frozen=True)
class ScrollAction(Action):
    direction: str
    steps: int = 1

    @property
    def spec(self) -> str:
        return f"scroll:{self.direction}:{self.steps}"

    @property
    def delta(self) -> tuple[int, int]:
        """(dx, dy) in wheel steps; +dy = up, +dx = right."""
        ux, uy = SCROLL_DIRECTIONS[self.direction]
        return ux * self.steps, uy * self.steps

    def tap(self, sink: InputSink) -> None:
        dx, dy = self.delta
        sink.scroll(dx, dy)


@dataclass(frozen=True)
class MediaAction(Action):
    name: str  # a key of MEDIA_KEYS

    @property
    def spec(self) -> str:
        return f"media:{self.name}"

    def tap(self, sink: InputSink) -> None:
        key = MEDIA_KEYS[self.name]
        sink.press_key(key)
        sink.release_key(key)


@dataclass(frozen=True)
class NoAction(Action):
    @property
    def spec(self) -> str:
        return "none"

    def tap(self, sink: InputSink) -> None:
        return None


def _key_spelling(key: str) -> str:
    """How a canonical key is written back in an action string (``+`` cannot appear in combos)."""
    return {"+": "plus", ":": "colon"}.get(key, key)


def parse_key(text: str, *, whole: str | None = None) -> str:
    """Canonical key name for ``text`` (a character, a name or an alias); raises
    :class:`ActionSyntaxError` naming ``whole`` (the full action string) when it is unknown."""
    whole = text if whole is None else whole
    if len(text) == 1:
        if not text.isprintable() or text.isspace():
            raise ActionSyntaxError(whole, "a key must be a visible character or a key name")
        return text
    name = text.strip().lower().replace("-", "_")
    if len(name) == 1:
        return name
    name = KEY_ALIASES.get(name, name)
    if len(name) == 1 or name in NAMED_KEYS:
        return name
    raise ActionSyntaxError(
        whole,
        f"unknown key {text!r} (use one character or a name such as enter, esc, space, tab, "
        "left, right, up, down, page_up, page_down, home, end, delete, backspace, f1-f20, "
        "ctrl, shift, alt, cmd, plus)",
    )


def parse_action(text: str) -> Action:
    """Parse an action string (see the module docstring). Raises :class:`ActionSyntaxError`
    with a message listing what is allowed."""
    if not isinstance(text, str):
        raise ActionSyntaxError(repr(text), "an action must be a string")
    raw = text
    stripped = text.strip()
    if not stripped:
        raise ActionSyntaxError(raw, "empty action")
    kind, sep, arg = stripped.partition(":")
    kind = kind.strip().lower()
    if kind == "none" and not sep:
        return NoAction()
    if not sep:
        raise ActionSyntaxError(raw, "missing ':' after the action type")
    if kind == "key":
        if arg == "":
            raise ActionSyntaxError(raw, "key: needs a key name")
        return KeyAction(parse_key(arg if len(arg) == 1 else arg.strip(), whole=raw))
    if kind == "combo":
        parts = arg.split("+")
        if len(parts) < 2 or any(p.strip() == "" for p in parts):
            raise ActionSyntaxError(
                raw, "a combo is two or more keys joined by '+' (write the + key as 'plus')"
            )
        keys = tuple(parse_key(p.strip(), whole=raw) for p in parts)
        mods, main = keys[:-1], keys[-1]
        bad = [m for m in mods if m not in MODIFIER_KEYS]
        if bad:
            raise ActionSyntaxError(
                raw, f"{bad[0]!r} is not a modifier (only the last key may be an ordinary key)"
            )
        if len(set(keys)) != len(keys):
            raise ActionSyntaxError(raw, "a key appears twice in the combo")
        # Shift is explicit in a combo, so a letter means the key, not the capital.
        main = main.lower() if len(main) == 1 else main
        return ComboAction((*mods, main))
    if kind == "type":
        if arg == "":
            raise ActionSyntaxError(raw, "type: needs some text")
        if len(arg) > MAX_TEXT_LENGTH:
            raise ActionSyntaxError(raw[:40] + "...", f"text longer than {MAX_TEXT_LENGTH}")
        if any(not (ch.isprintable() or ch in "\n\t") for ch in arg):
            raise ActionSyntaxError(raw, "text contains control characters")
        return TypeAction(arg)
    if kind in ("click", "dclick"):
        button = arg.strip().lower()
        if button not in MOUSE_BUTTONS:
            raise ActionSyntaxError(raw, f"unknown mouse button {arg!r}")
        return ClickAction(button, 2 if kind == "dclick" else 1)
    if kind == "scroll":
        direction, _, amount = arg.strip().lower().partition(":")
        if direction not in SCROLL_DIRECTIONS:
            raise ActionSyntaxError(raw, f"unknown scroll direction {direction!r}")
        steps = 1
        if amount:
            if not amount.isdigit():
                raise ActionSyntaxError(raw, f"scroll steps must be a whole number, got {amount!r}")
            steps = int(amount)
            if not 1 <= steps <= MAX_SCROLL_STEPS:
                raise ActionSyntaxError(raw, f"scroll steps must be 1-{MAX_SCROLL_STEPS}")
        return ScrollAction(direction, steps)
    if kind == "media":
        name = arg.strip().lower()
        if name not in MEDIA_KEYS:
            raise ActionSyntaxError(raw, f"unknown media key {arg!r}")
        return MediaAction(name)
    raise ActionSyntaxError(raw, f"unknown action type {kind!r}")
