"""The settings schema: typed, validated, immutable models of HandCue's settings file.

File layout (every key optional)::

    schema_version = 1
    active_profile = "slides"

    [tracker]    # model, max_hands, provider, threads, min_presence, smoothing,
                 # far_hands, power_saving
    [gestures]   # counting, hold_ms
    [actions]    # defaults for bindings, arm gesture, pause hotkey, rate limit, start state

    [pointer]    # pointer mode: active area, smoothing, pinch/dwell clicks, clutch, takeback
    [switching]  # per-application profiles: enabled, builtin_rules, default_profile, pinned,
                 # protect_own_windows, poll_ms
    rules = [    # first match wins; app/title: case-insensitive substring, or a glob (* ? [...])
        { match = { app = "vlc" }, profile = "media" },
        { match = { title = "*Google Slides*" }, profile = "slides" },
    ]

    [profiles.slides]
    description = "..."
    mappings = [
        { gesture = "swipe_left", action = "key:right" },
        { gesture = "thumb_up", action = "key:right", trigger = "on_start", hand = "any",
          hold_ms = 300, cooldown_ms = 800 },
    ]

Each entry of ``mappings`` is a :class:`Binding`; a binding answers its own effective hold,
cooldown and repeat times and whether it conflicts with the arm gesture, so the action engine,
the mapping editor and the command line all ask it instead of working it out themselves.
Built-in profiles (``slides``, ``media``, ``custom``) are always present; the file may override
their mappings. Loading, saving and error wording live in :mod:`pipeline.settings.store` and
:mod:`pipeline.settings.locate`.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Literal, get_args

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.actions.spec import ActionSyntaxError, parse_action
from pipeline.errors import HandCueError
from pipeline.pointer.settings import PointerSettings

SCHEMA_VERSION = 1
CONFIG_FILE_NAME = "config.toml"
MAX_FILE_BYTES = 1 << 20  # a settings file is a few kB; anything this big is not one

DYNAMIC_GESTURE_PREFIX = "swipe_"
BUILTIN_PROFILE_NAMES: tuple[str, ...] = ("slides", "media", "custom")
COUNTING_SCHEMES: tuple[str, ...] = ("american", "european", "chinese")
Provider = Literal["auto", "cpu", "cuda", "directml", "coreml"]
PROVIDERS: tuple[str, ...] = get_args(Provider)

# Tracker limits: TrackerSettings' fields hold them; checks outside the file read them there.
MAX_HANDS = 4
MAX_THREADS = 64

MAX_HOLD_MS = 10_000
MAX_COOLDOWN_MS = 60_000
MIN_REPEAT_MS = 30
MAX_REPEAT_MS = 10_000
MAX_MAPPINGS = 100
MAX_PROFILES = 50

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")

Trigger = Literal["on_start", "while_held", "on_end", "hold"]
HandChoice = Literal["left", "right", "any"]


def is_dynamic_gesture(gesture: str) -> bool:
    """Swipes and other one-shot gestures: they have no duration, so hold time does not apply."""
    return gesture.startswith(DYNAMIC_GESTURE_PREFIX)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class TrackerSettings(_Model):
    """The one tracker settings model: the ``[tracker]`` table, and what every command and the
    app turn into the tracker's run configuration (pipeline.tracking.config.tracker_config,
    which checks with these limits). Measurement commands use ``smoothing=0`` (raw output)."""

    model: Literal["full", "lite"] = "full"
    max_hands: int = Field(2, ge=1, le=MAX_HANDS, strict=True)
    provider: Provider = "auto"
    threads: int = Field(0, ge=0, le=MAX_THREADS, strict=True)  # 0 = onnxruntime's choice
    min_presence: float = Field(0.5, ge=0.05, le=0.99, strict=True)
    smoothing: float = Field(0.5, ge=0.0, le=1.0, strict=True)  # 0 = off, 1 = strongest
    # "Look for far hands": zoomed detector tiles while fewer than max hands are tracked.
    far_hands: bool = Field(True, strict=True)
    # "Power saving when no hand": a motion gate instead of the detector on every idle frame.
    power_saving: bool = Field(True, strict=True)


class GestureSettings(_Model):
    counting: str = "american"
    hold_ms: int = Field(150, ge=0, le=2000, strict=True)  # stabiliser: frames must agree this long

    @field_validator("counting")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value not in COUNTING_SCHEMES:
            raise ValueError(
                f"unknown counting scheme {value!r}; choose one of {', '.join(COUNTING_SCHEMES)}"
            )
        return value


class ActionSettings(_Model):
    """Defaults for mappings and the safety switches.

    Start state: the GUI starts disarmed (a window that opens must not type into other windows
    before the user asks), ``handcue run`` starts armed (the user typed a command to act).
    """

    default_hold_ms: int = Field(300, ge=0, le=MAX_HOLD_MS, strict=True)
    default_cooldown_ms: int = Field(800, ge=0, le=MAX_COOLDOWN_MS, strict=True)
    default_repeat_ms: int = Field(300, ge=MIN_REPEAT_MS, le=MAX_REPEAT_MS, strict=True)
    arm_gesture: str = "i_love_you"  # "none" disables arming by gesture
    arm_hold_ms: int = Field(1000, ge=200, le=MAX_HOLD_MS, strict=True)
    pause_hotkey: str = "ctrl+alt+p"  # "" disables the hotkey
    max_actions_per_second: float = Field(8.0, ge=0.5, le=50.0, strict=True)
    min_hand_score: float = Field(0.6, ge=0.0, le=1.0, strict=True)
    gui_starts_armed: bool = Field(False, strict=True)
    run_starts_armed: bool = Field(True, strict=True)

    @field_validator("arm_gesture")
    @classmethod
    def _gesture_id(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(f"{value!r} is not a gesture id (lower case letters, digits, _)")
        if is_dynamic_gesture(value):
            raise ValueError("the arm gesture must be held, so it cannot be a swipe")
        return value

    @field_validator("pause_hotkey")
    @classmethod
    def _hotkey(cls, value: str) -> str:
        if value == "":
            return value
        try:
            action = parse_action(f"combo:{value}")
        except ActionSyntaxError as exc:
            raise ValueError(
                f'bad hotkey {value!r}: {exc.problem} (write it like ctrl+alt+p, or "" for none)'
            ) from None
        return action.spec.removeprefix("combo:")

    def arm_conflict(self, gesture: str) -> str | None:
        """Why ``gesture`` cannot be bound to an action (it is the arm gesture), or None."""
        if gesture == self.arm_gesture and gesture != "none":
            return (
                f"{gesture!r} is the arm gesture (it switches actions on and off); "
                "map another gesture or change actions.arm_gesture"
            )
        return None


class Binding(_Model):
    """One binding (a ``mappings`` entry of a profile): when ``gesture`` (on ``hand``) does ``trigger``, perform ``action``.

    ``hold_ms``: the gesture must have lasted this long before the action fires (counted from
    when it was first seen). ``cooldown_ms``: after the mapping fired, new activations are ignored
    this long. ``repeat_ms``: interval of ``while_held`` repeats. ``None`` = the ``[actions]``
    default. Trigger ``hold`` presses the key or button when the hold time is reached and
    releases it when the gesture ends.
    """

    gesture: str
    action: str
    trigger: Trigger = "on_start"
    hand: HandChoice = "any"
    hold_ms: int | None = Field(None, ge=0, le=MAX_HOLD_MS, strict=True)
    cooldown_ms: int | None = Field(None, ge=0, le=MAX_COOLDOWN_MS, strict=True)
    repeat_ms: int | None = Field(None, ge=MIN_REPEAT_MS, le=MAX_REPEAT_MS, strict=True)

    @field_validator("gesture")
    @classmethod
    def _gesture_id(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(f"{value!r} is not a gesture id (lower case letters, digits, _)")
        if value == "none":
            raise ValueError("'none' means no gesture and cannot trigger an action")
        return value

    @field_validator("action", mode="before")
    @classmethod
    def _action(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError('an action must be a string such as "key:right"')
        try:
            return parse_action(value).spec
        except ActionSyntaxError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _consistent(self) -> Binding:
        action = parse_action(self.action)
        if self.trigger == "hold" and not action.holdable:
            raise ValueError(
                f"trigger 'hold' needs a key, combo or click action, not {self.action!r}"
            )
        if is_dynamic_gesture(self.gesture) and self.trigger in ("hold", "while_held"):
            raise ValueError(f"{self.gesture} is a one-shot gesture: use on_start or on_end")
        if self.repeat_ms is not None and self.trigger != "while_held":
            raise ValueError('repeat_ms is only used with trigger = "while_held"')
        return self

    @property
    def one_shot(self) -> bool:
        """A swipe: it has no duration, so hold time does not apply."""
        return is_dynamic_gesture(self.gesture)

    def effective_hold_ms(self, defaults: ActionSettings) -> int:
        """How long the gesture must last before the action fires (0 for one-shot gestures)."""
        if self.one_shot:
            return 0
        return defaults.default_hold_ms if self.hold_ms is None else self.hold_ms

    def effective_cooldown_ms(self, defaults: ActionSettings) -> int:
        return defaults.default_cooldown_ms if self.cooldown_ms is None else self.cooldown_ms

    def effective_repeat_ms(self, defaults: ActionSettings) -> int:
        return defaults.default_repeat_ms if self.repeat_ms is None else self.repeat_ms

    def conflict(self, defaults: ActionSettings) -> str | None:
        """Why this binding can never fire with these action settings, or None."""
        return defaults.arm_conflict(self.gesture)


class Profile(_Model):
    description: str = Field("", max_length=200)
    mappings: tuple[Binding, ...] = Field((), max_length=MAX_MAPPINGS)


def builtin_profiles() -> dict[str, Profile]:
    """The profiles every config has. ``swipe_left`` is a movement to the user's own left (see
    ``pipeline.gestures.swipes``); like flicking a page on a touch screen it goes forward."""
    return {
        "slides": Profile(
            description="Presentations: swipe or thumb up for the next slide, back for previous",
            mappings=(
                Binding(gesture="swipe_left", action="key:right"),
                Binding(gesture="swipe_right", action="key:left"),
                Binding(gesture="thumb_up", action="key:right"),
                Binding(gesture="thumb_down", action="key:left"),
            ),
        ),
        "media": Profile(
            description="Media players: open palm plays/pauses, thumbs change volume, swipes skip",
            mappings=(
                Binding(gesture="open_palm", action="media:play_pause", hold_ms=500),
                Binding(gesture="thumb_up", action="media:volume_up", trigger="while_held"),
                Binding(gesture="thumb_down", action="media:volume_down", trigger="while_held"),
                Binding(gesture="swipe_left", action="media:next"),
                Binding(gesture="swipe_right", action="media:previous"),
            ),
        ),
        "custom": Profile(description="Your own mappings"),
    }


GLOB_CHARS = "*?["
MAX_RULES = 200
MIN_POLL_MS = 20
MAX_POLL_MS = 2000


def is_glob(pattern: str) -> bool:
    """A window pattern with ``*``, ``?`` or ``[`` is a glob over the whole text; any other
    pattern matches as a substring. Both ignore case."""
    return any(c in pattern for c in GLOB_CHARS)


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable glob, or None. fnmatch takes anything (an unclosed
    ``[`` silently becomes a literal), so the mistakes a user makes are caught here."""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "[":
            start = i
            j = i + 1
            if j < len(pattern) and pattern[j] in "!^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":  # "[]...]": a literal ] comes first
                j += 1
            close = pattern.find("]", j)
            if close == -1:
                return f"unclosed '[' at position {start + 1} (write [[] for a literal [)"
            body = pattern[j:close]
            for k in range(1, len(body) - 1):
                if body[k] == "-" and body[k - 1] > body[k + 1]:
                    return (
                        f"reversed range '{body[k - 1]}-{body[k + 1]}' in '[...]' (matches nothing)"
                    )
            i = close + 1
            continue
        i += 1
    try:
        re.compile(fnmatch.translate(pattern))
    except re.error as exc:
        return f"bad glob: {exc}"
    return None


class RuleMatch(_Model):
    """What a rule looks for in the active window. ``app`` is compared with the process name
    (``vlc``, ``POWERPNT.EXE``), the X11 ``WM_CLASS`` parts and the macOS bundle id; ``title``
    with the window title. Each is a case-insensitive substring, or a glob when it holds
    ``* ? [``; both given: both must match."""

    app: str = Field("", max_length=200)
    title: str = Field("", max_length=200)

    @field_validator("app", "title")
    @classmethod
    def _pattern(cls, value: str) -> str:
        value = value.strip()
        if is_glob(value) and (why := glob_problem(value)) is not None:
            raise ValueError(why)
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> RuleMatch:
        if not self.app and not self.title:
            raise ValueError(
                "empty match: give app or title (a rule that matches every window would "
                "hide the rules after it; use switching.default_profile for that)"
            )
        return self

    def describe(self) -> str:
        parts = [f"{k} {v!r}" for k, v in (("app", self.app), ("title", self.title)) if v]
        return " and ".join(parts)


class Rule(_Model):
    """One entry of ``[switching] rules``: when the active window matches, use ``profile``."""

    match: RuleMatch
    profile: str


def builtin_rules() -> tuple[Rule, ...]:
    """Rules for common apps, tried after the user's own (``switching.builtin_rules``)."""

    def rule(profile: str, *, app: str = "", title: str = "") -> Rule:
        return Rule(match=RuleMatch(app=app, title=title), profile=profile)

    return (
        rule("slides", app="libreoffice-impress"),  # X11 WM_CLASS of Impress and its show
        rule("slides", title="LibreOffice Impress"),  # the process is soffice everywhere
        rule("slides", app="powerpnt"),  # POWERPNT.EXE
        rule("slides", app="keynote"),  # macOS Keynote, com.apple.iWork.Keynote
        rule("slides", title="Google Slides"),  # a browser tab
        rule("media", app="vlc"),
        rule("media", app="mpv"),
        rule("media", app="spotify"),
        rule("media", title="YouTube"),  # a browser tab
    )


class SwitchingSettings(_Model):
    """Per-application profiles: which profile the action engine uses follows the active
    window. ``default_profile`` is used when no rule matches ("" = ``active_profile``, the
    profile last chosen by hand). ``pinned`` (a profile name, "" = none) overrides the rules
    until it is cleared. ``protect_own_windows``: while a HandCue window has focus only the
    arm gesture acts. ``poll_ms``: how often the active window is read."""

    enabled: bool = Field(True, strict=True)
    builtin_rules: bool = Field(True, strict=True)
    default_profile: str = ""
    pinned: str = ""
    protect_own_windows: bool = Field(True, strict=True)
    poll_ms: int = Field(100, ge=MIN_POLL_MS, le=MAX_POLL_MS, strict=True)
    rules: tuple[Rule, ...] = Field((), max_length=MAX_RULES)

    def all_rules(self) -> tuple[Rule, ...]:
        """The user's rules, then the built-in ones when enabled (first match wins)."""
        return self.rules + (builtin_rules() if self.builtin_rules else ())


class LocatedValueError(ValueError):
    """A check across settings that knows which field is wrong (``loc``, as in pydantic's
    errors), so the settings file's message can name that field's line."""

    def __init__(self, loc: tuple, message: str) -> None:
        super().__init__(message)
        self.loc = loc


class AppConfig(_Model):
    schema_version: int = Field(SCHEMA_VERSION, strict=True)
    active_profile: str = "slides"
    tracker: TrackerSettings = Field(default_factory=TrackerSettings)
    gestures: GestureSettings = Field(default_factory=GestureSettings)
    actions: ActionSettings = Field(default_factory=ActionSettings)
    profiles: dict[str, Profile] = Field(default_factory=builtin_profiles, max_length=MAX_PROFILES)
    switching: SwitchingSettings = Field(default_factory=SwitchingSettings)
    pointer: PointerSettings = Field(default_factory=PointerSettings)

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {value} is not supported (this HandCue writes {SCHEMA_VERSION})"
            )
        return value

    @field_validator("profiles")
    @classmethod
    def _profiles(cls, value: dict[str, Profile]) -> dict[str, Profile]:
        for name in value:
            if not _PROFILE_RE.match(name):
                raise ValueError(
                    f"profile name {name!r}: use 1-40 letters, digits, '_' or '-' "
                    "(starting with a letter or digit)"
                )
        merged = builtin_profiles()
        merged.update(value)
        return merged

    @model_validator(mode="after")
    def _active_exists(self) -> AppConfig:
        names = ", ".join(self.profiles)
        if self.active_profile not in self.profiles:
            raise LocatedValueError(
                ("active_profile",),
                f"active_profile {self.active_profile!r} is not a profile (profiles: {names})",
            )
        switching = self.switching
        for key in ("default_profile", "pinned"):
            value = getattr(switching, key)
            if value and value not in self.profiles:
                raise LocatedValueError(
                    ("switching", key), f"unknown profile {value!r} (profiles: {names})"
                )
        for index, rule in enumerate(switching.rules):
            if rule.profile not in self.profiles:
                raise LocatedValueError(
                    ("switching", "rules", index, "profile"),
                    f"unknown profile {rule.profile!r} (profiles: {names})",
                )
        return self

    def profile(self, name: str | None = None) -> Profile:
        """The named profile (the active one by default); raises HandCueError listing the names."""
        name = self.active_profile if name is None else name
        try:
            return self.profiles[name]
        except KeyError:
            raise HandCueError(
                f"no profile named {name!r}; profiles: {', '.join(self.profiles)}"
            ) from None

    def to_toml(self) -> str:
        """The config as TOML text (None values are left out: they mean "the default")."""
        data = self.model_dump(mode="json", exclude_none=True)
        for profile in data["profiles"].values():
            for mapping in profile["mappings"]:  # keep lines short: leave out the defaults
                if mapping.get("trigger") == "on_start":
                    del mapping["trigger"]
                if mapping.get("hand") == "any":
                    del mapping["hand"]
        for rule in data["switching"]["rules"]:
            rule["match"] = {k: v for k, v in rule["match"].items() if v}
        header = (
            "# HandCue settings. Check edits with:  handcue config validate\n"
            "# Action syntax: key:NAME combo:MOD+KEY type:TEXT click:BUTTON dclick:BUTTON "
            "scroll:DIR[:N] media:NAME none\n\n"
        )
        return header + tomli_w.dumps(data)
