"""The settings schema: typed, validated, immutable models of HandCue's settings file.

File layout (every key optional)::

    schema_version = 1
    active_profile = "slides"

    [tracker]    # model, max_hands, provider, threads, min_presence, smoothing,
                 # far_hands, power_saving
    [gestures]   # counting, hold_ms
    [actions]    # defaults for bindings, arm gesture, pause hotkey, rate limit, start state

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

import re
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.actions.spec import ActionSyntaxError, parse_action
from pipeline.errors import HandCueError

SCHEMA_VERSION = 1
CONFIG_FILE_NAME = "config.toml"
MAX_FILE_BYTES = 1 << 20  # a settings file is a few kB; anything this big is not one

DYNAMIC_GESTURE_PREFIX = "swipe_"
BUILTIN_PROFILE_NAMES: tuple[str, ...] = ("slides", "media", "custom")
COUNTING_SCHEMES: tuple[str, ...] = ("american", "european", "chinese")
PROVIDERS: tuple[str, ...] = ("auto", "cpu", "cuda", "directml", "coreml")

# Tracker limits: the settings file, every command's options and the tracker itself use these.
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
    """The one tracker settings model: the settings file's ``[tracker]`` table, and what every
    command and the app turn into the tracker's run configuration
    (:func:`pipeline.settings.tracker_config`). Measurement commands (detect, bench, accuracy)
    build one from their options with ``smoothing=0`` (raw output, as MediaPipe)."""

    model: Literal["full", "lite"] = "full"
    max_hands: int = Field(2, ge=1, le=MAX_HANDS, strict=True)
    provider: Literal["auto", "cpu", "cuda", "directml", "coreml"] = "auto"
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


class AppConfig(_Model):
    schema_version: int = Field(SCHEMA_VERSION, strict=True)
    active_profile: str = "slides"
    tracker: TrackerSettings = Field(default_factory=TrackerSettings)
    gestures: GestureSettings = Field(default_factory=GestureSettings)
    actions: ActionSettings = Field(default_factory=ActionSettings)
    profiles: dict[str, Profile] = Field(default_factory=builtin_profiles, max_length=MAX_PROFILES)

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
        if self.active_profile not in self.profiles:
            raise ValueError(
                f"active_profile {self.active_profile!r} is not a profile "
                f"(profiles: {', '.join(self.profiles)})"
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
        header = (
            "# HandCue settings. Check edits with:  handcue config validate\n"
            "# Action syntax: key:NAME combo:MOD+KEY type:TEXT click:BUTTON dclick:BUTTON "
            "scroll:DIR[:N] media:NAME none\n\n"
        )
        return header + tomli_w.dumps(data)
