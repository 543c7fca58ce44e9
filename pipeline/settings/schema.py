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
their mappings.

This module holds the whole file (:class:`AppConfig`, its checks across tables and its TOML
text) and re-exports the tables' models, which live in :mod:`.sections` (``[tracker]``,
``[gestures]``, ``[actions]``), :mod:`.mappings` (profiles, bindings, built-in profiles) and
:mod:`.switching` (rules, built-in rules); their shared base is :mod:`.base`. Loading, saving
and error wording live in :mod:`pipeline.settings.store` and :mod:`pipeline.settings.locate`.
"""

from __future__ import annotations

import re

import tomli_w
from pydantic import Field, field_validator, model_validator

from pipeline.errors import HandCueError
from pipeline.pointer.settings import PointerSettings
from pipeline.settings.base import (
    DYNAMIC_GESTURE_PREFIX,
    MOTION_GESTURES,
    ONE_SHOT_GESTURES,
    SettingsModel,
    is_dynamic_gesture,
    is_one_shot,
)
from pipeline.settings.mappings import (
    BUILTIN_PROFILE_NAMES,
    MAX_MAPPINGS,
    Binding,
    HandChoice,
    Profile,
    Trigger,
    builtin_profiles,
)
from pipeline.settings.sections import (
    COUNTING_SCHEMES,
    MAX_COOLDOWN_MS,
    MAX_HANDS,
    MAX_HOLD_MS,
    MAX_REPEAT_MS,
    MAX_THREADS,
    MIN_REPEAT_MS,
    MODEL_SIZES,
    PROVIDERS,
    ActionSettings,
    GestureSettings,
    Provider,
    TrackerSettings,
)
from pipeline.settings.switching import (
    GLOB_CHARS,
    MAX_POLL_MS,
    MAX_RULES,
    MIN_POLL_MS,
    Rule,
    RuleMatch,
    SwitchingSettings,
    builtin_rules,
    glob_problem,
    is_glob,
)

__all__ = [
    "BUILTIN_PROFILE_NAMES",
    "CONFIG_FILE_NAME",
    "COUNTING_SCHEMES",
    "DYNAMIC_GESTURE_PREFIX",
    "GLOB_CHARS",
    "MAX_COOLDOWN_MS",
    "MAX_FILE_BYTES",
    "MAX_HANDS",
    "MAX_HOLD_MS",
    "MAX_MAPPINGS",
    "MAX_POLL_MS",
    "MAX_PROFILES",
    "MAX_REPEAT_MS",
    "MAX_RULES",
    "MAX_THREADS",
    "MIN_POLL_MS",
    "MIN_REPEAT_MS",
    "MODEL_SIZES",
    "PROVIDERS",
    "SCHEMA_VERSION",
    "ActionSettings",
    "AppConfig",
    "Binding",
    "GestureSettings",
    "HandChoice",
    "LocatedValueError",
    "Profile",
    "Provider",
    "Rule",
    "RuleMatch",
    "SwitchingSettings",
    "TrackerSettings",
    "Trigger",
    "builtin_profiles",
    "builtin_rules",
    "glob_problem",
    "MOTION_GESTURES",
    "ONE_SHOT_GESTURES",
    "is_dynamic_gesture",
    "is_one_shot",
    "is_glob",
]

SCHEMA_VERSION = 1
CONFIG_FILE_NAME = "config.toml"
MAX_FILE_BYTES = 1 << 20  # a settings file is a few kB; anything this big is not one
MAX_PROFILES = 50

_PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class LocatedValueError(ValueError):
    """A check across settings that knows which field is wrong (``loc``, as in pydantic's
    errors), so the settings file's message can name that field's line."""

    def __init__(self, loc: tuple, message: str) -> None:
        super().__init__(message)
        self.loc = loc


class AppConfig(SettingsModel):
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
