"""HandCue settings: one TOML file in the user config folder, validated by typed models.

File: ``pipeline.paths.config_dir() / "config.toml"``. Layout (every key optional)::

    schema_version = 1
    active_profile = "slides"

    [tracker]    # model, max_hands, provider, threads, min_presence, smoothing
    [gestures]   # counting, hold_ms
    [actions]    # defaults for mappings, arm gesture, pause hotkey, rate limit, start state

    [profiles.slides]
    description = "..."
    mappings = [
        { gesture = "swipe_left", action = "key:right" },
        { gesture = "thumb_up", action = "key:right", trigger = "on_start", hand = "any",
          hold_ms = 300, cooldown_ms = 800 },
    ]

Loading never raises for a bad file: :func:`load_config` returns the defaults plus messages that
name the file, the line and the field, and leaves the file untouched. Saving is atomic (temp file
in the same folder, fsync, ``os.replace``) and keeps the previous file as ``config.toml.bak``; a
previous file that was not a valid config is also kept under a time-stamped name so that saving
defaults over a broken file never loses what the user wrote.

Built-in profiles (``slides``, ``media``, ``custom``) are always present; the file may override
their mappings. Gesture ids are checked against the built-in and recorded gestures; a mapping
with an unknown id is reported and kept (it simply never fires), so a deleted recording does not
erase the user's mappings.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import types
import typing
from collections.abc import Callable, Iterable
from collections.abc import Mapping as _MappingABC
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline import paths
from pipeline.actions.spec import ActionSyntaxError, parse_action
from pipeline.errors import HandCueError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

import tomli_w

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
CONFIG_FILE_NAME = "config.toml"
MAX_FILE_BYTES = 1 << 20  # a settings file is a few kB; anything this big is not one

# Used until pipeline.gestures provides known_gesture_ids (and as its fallback).
BUILTIN_GESTURE_IDS: tuple[str, ...] = (
    "none", "fist", "open_palm", "pointing_up", "victory", "three", "four", "thumb_up",
    "thumb_down", "ok", "rock", "i_love_you", "call",
    "swipe_left", "swipe_right", "swipe_up", "swipe_down",
)  # fmt: skip
DYNAMIC_GESTURE_PREFIX = "swipe_"
BUILTIN_PROFILE_NAMES: tuple[str, ...] = ("slides", "media", "custom")
COUNTING_SCHEMES_FALLBACK: tuple[str, ...] = ("american", "european", "chinese")
PROVIDERS: tuple[str, ...] = ("auto", "cpu", "cuda", "directml", "coreml")

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


def _counting_schemes() -> tuple[str, ...]:
    try:
        from pipeline import gestures
    except ImportError:
        return COUNTING_SCHEMES_FALLBACK
    schemes = getattr(gestures, "COUNTING_SCHEMES", None)
    return tuple(schemes) if schemes else COUNTING_SCHEMES_FALLBACK


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class TrackerSettings(_Model):
    model: Literal["full", "lite"] = "full"
    max_hands: int = Field(2, ge=1, le=4, strict=True)
    provider: Literal["auto", "cpu", "cuda", "directml", "coreml"] = "auto"
    threads: int = Field(0, ge=0, le=64, strict=True)  # 0 = onnxruntime's choice
    min_presence: float = Field(0.5, ge=0.05, le=0.99, strict=True)
    smoothing: float = Field(0.5, ge=0.0, le=1.0, strict=True)  # 0 = off, 1 = strongest


class GestureSettings(_Model):
    counting: str = "american"
    hold_ms: int = Field(150, ge=0, le=2000, strict=True)  # stabiliser: frames must agree this long

    @field_validator("counting")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        schemes = _counting_schemes()
        if value not in schemes:
            raise ValueError(
                f"unknown counting scheme {value!r}; choose one of {', '.join(schemes)}"
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


class Mapping(_Model):
    """One binding: when ``gesture`` (on ``hand``) does ``trigger``, perform ``action``.

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
    def _consistent(self) -> Mapping:
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


class Profile(_Model):
    description: str = Field("", max_length=200)
    mappings: tuple[Mapping, ...] = Field((), max_length=MAX_MAPPINGS)


def builtin_profiles() -> dict[str, Profile]:
    """The profiles every config has. ``swipe_left`` is a movement to the user's own left (see
    ``pipeline.gestures.swipes``); like flicking a page on a touch screen it goes forward."""
    return {
        "slides": Profile(
            description="Presentations: swipe or thumb up for the next slide, back for previous",
            mappings=(
                Mapping(gesture="swipe_left", action="key:right"),
                Mapping(gesture="swipe_right", action="key:left"),
                Mapping(gesture="thumb_up", action="key:right"),
                Mapping(gesture="thumb_down", action="key:left"),
            ),
        ),
        "media": Profile(
            description="Media players: open palm plays/pauses, thumbs change volume, swipes skip",
            mappings=(
                Mapping(gesture="open_palm", action="media:play_pause", hold_ms=500),
                Mapping(gesture="thumb_up", action="media:volume_up", trigger="while_held"),
                Mapping(gesture="thumb_down", action="media:volume_down", trigger="while_held"),
                Mapping(gesture="swipe_left", action="media:next"),
                Mapping(gesture="swipe_right", action="media:previous"),
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


# --------------------------------------------------------------------------- upgrades

# schema_version -> function turning a raw dict of that version into the next version.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    version = raw.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        return raw  # the model reports the wrong type
    if version > SCHEMA_VERSION:
        raise _FatalConfigProblem(
            ("schema_version",),
            f"written by a newer HandCue (schema {version}; this one reads up to {SCHEMA_VERSION})",
        )
    while version < SCHEMA_VERSION and version in _UPGRADES:
        raw = _UPGRADES[version](dict(raw))
        version += 1
        raw["schema_version"] = version
    return raw


# --------------------------------------------------------------------------- problems


class _FatalConfigProblem(Exception):
    def __init__(self, loc: tuple, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _format_loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _TomlLocator:
    """Finds the line of a key path in TOML text. tomllib gives no positions, so this reads the
    common layouts: ``[table]``, ``[[array.of.tables]]``, ``key = value``, dotted keys, and
    arrays of inline tables with one element per line (what :meth:`AppConfig.to_toml` writes).
    Unusual layouts fall back to the nearest enclosing key that was found."""

    _KEY = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
    _KEY_RE = re.compile(rf"\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple, int] = {}
        self._parse(text)

    @staticmethod
    def _split_key(key: str) -> tuple[str, ...]:
        return tuple(
            p.strip().strip("\"'") for p in re.split(r"\.(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", key)
        )

    def _note(self, path: tuple, line: int) -> None:
        self.lines.setdefault(path, line)

    def _parse(self, text: str) -> None:
        table: tuple = ()
        array_counts: dict[tuple, int] = {}
        open_array: tuple | None = None  # path of a multi-line array of inline tables
        element = -1
        for number, raw_line in enumerate(text.splitlines(), start=1):
            line = raw_line.strip()
            if not line or line.startswith("#"):
                continue
            if open_array is not None:
                if line.startswith("]"):
                    open_array = None
                    continue
                if line.startswith("{"):
                    element += 1
                    path = (*open_array, element)
                    self._note(path, number)
                    for match in re.finditer(rf"({self._KEY})\s*=", line):
                        self._note((*path, *self._split_key(match.group(1))), number)
                continue
            header = re.match(r"^\[\[\s*([^\]]+?)\s*\]\]", line) or re.match(
                r"^\[\s*([^\]]+?)\s*\]", line
            )
            if header:
                keys = self._split_key(header.group(1))
                parts = (*self._resolve(keys[:-1], array_counts), keys[-1])
                if line.startswith("[["):
                    index = array_counts.get(parts, -1) + 1
                    array_counts[parts] = index
                    self._note(parts, number)
                    table = (*parts, index)
                else:
                    table = parts
                self._note(table, number)
                continue
            key = self._KEY_RE.match(raw_line)
            if key:
                path = (*table, *self._split_key(key.group(1)))
                self._note(path, number)
                rest = raw_line[key.end() :].strip()
                if rest.startswith("[") and "]" not in rest.split("#")[0]:
                    open_array, element = path, -1

    @staticmethod
    def _resolve(parts: tuple, array_counts: dict[tuple, int]) -> tuple:
        """Insert the current index after each prefix that is an array of tables."""
        out: tuple = ()
        for part in parts:
            out = (*out, part)
            if out in array_counts:
                out = (*out, array_counts[out])
        return tuple(out)

    def line_of(self, loc: tuple) -> int | None:
        for end in range(len(loc), 0, -1):
            if tuple(loc[:end]) in self.lines:
                return self.lines[tuple(loc[:end])]
        return None


def _allowed_keys(loc: tuple) -> list[str] | None:
    """Field names allowed at the parent of ``loc`` (for "unknown key" messages)."""
    current: Any = AppConfig
    for part in loc[:-1]:
        current = _step_type(current, part)
        if current is None:
            return None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return None


def _step_type(current: Any, part: Any) -> Any:
    if isinstance(current, type) and issubclass(current, BaseModel):
        field = current.model_fields.get(part) if isinstance(part, str) else None
        return None if field is None else _unwrap(field.annotation)
    origin = typing.get_origin(current)
    args = typing.get_args(current)
    if origin is dict and len(args) == 2:
        return _unwrap(args[1])
    if origin in (tuple, list) and args:
        return _unwrap(args[0])
    return None


def _unwrap(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _describe_error(error: _MappingABC[str, Any]) -> str:
    kind = error.get("type", "")
    loc = tuple(error.get("loc", ()))
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc)
        hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return f"unknown setting{hint}"
    if kind == "missing":
        return "required setting is missing"
    message = str(error.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if (
        kind not in ("value_error",)
        and "input" in error
        and not isinstance(error["input"], dict | list)
    ):
        message += f" (got {error['input']!r})"
    return message


def _problem(file: Path | None, locator: _TomlLocator | None, loc: tuple, message: str) -> str:
    where = str(file) if file is not None else "config"
    line = locator.line_of(loc) if locator is not None and loc else None
    if line is not None:
        where += f", line {line}"
    field = _format_loc(loc)
    return f"{where}: {field + ': ' if field else ''}{message}"


# --------------------------------------------------------------------------- load / check


def config_path() -> Path:
    """The user's config file (``HANDCUE_CONFIG_DIR`` overrides the folder)."""
    return paths.config_dir() / CONFIG_FILE_NAME


def default_known_gestures() -> set[str]:
    """Built-in plus recorded gesture ids, from pipeline.gestures when it is available."""
    try:
        from pipeline import gestures
    except ImportError:
        return set(BUILTIN_GESTURE_IDS)
    known = getattr(gestures, "known_gesture_ids", None)
    if known is None:
        return set(BUILTIN_GESTURE_IDS)
    template_store = getattr(gestures, "TemplateStore", None)
    try:
        store = template_store() if template_store is not None else None  # the user's recordings
        return set(known(store)) | set(BUILTIN_GESTURE_IDS)
    except Exception:  # a broken recordings file must not stop the settings from loading
        log.warning("could not read recorded gestures; checking built-in ids only", exc_info=True)
        return set(BUILTIN_GESTURE_IDS)


def check_config(
    cfg: AppConfig,
    known_gestures: Iterable[str] | None = None,
    *,
    file: Path | None = None,
    text: str | None = None,
) -> list[str]:
    """Problems that do not make the config unusable: gesture ids that are not known (the
    mapping is kept and never fires) and mappings on the arm gesture (the arm gesture is
    reserved). Each message names the file, line and field."""
    known = set(default_known_gestures() if known_gestures is None else known_gestures)
    locator = _TomlLocator(text) if text is not None else None
    problems: list[str] = []
    arm = cfg.actions.arm_gesture
    if arm != "none" and arm not in known:
        problems.append(
            _problem(
                file,
                locator,
                ("actions", "arm_gesture"),
                f"unknown gesture {arm!r}; {_known_hint(known)}",
            )
        )
    for name, profile in cfg.profiles.items():
        for index, mapping in enumerate(profile.mappings):
            loc = ("profiles", name, "mappings", index, "gesture")
            if mapping.gesture not in known:
                problems.append(
                    _problem(
                        file,
                        locator,
                        loc,
                        f"unknown gesture {mapping.gesture!r} (this mapping will not fire); "
                        + _known_hint(known),
                    )
                )
            elif mapping.gesture == arm:
                problems.append(
                    _problem(
                        file,
                        locator,
                        loc,
                        f"{arm!r} is the arm gesture (it switches actions on and off), so this "
                        "mapping will not fire; map another gesture or change actions.arm_gesture",
                    )
                )
    return problems


def _known_hint(known: set[str]) -> str:
    ids = sorted(g for g in known if g != "none")
    return f"known gestures: {', '.join(ids)}"


def parse_config_text(
    text: str, *, file: Path | None = None, known_gestures: Iterable[str] | None = None
) -> tuple[AppConfig | None, list[str]]:
    """Validate TOML text. Returns ``(config, warnings)`` when it is usable, or ``(None,
    errors)`` when it is not. Never raises for bad content."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = str(file) if file is not None else "config"
        return None, [f"{where}: not valid TOML: {exc}"]
    locator = _TomlLocator(text)
    try:
        raw = _upgrade(raw)
        cfg = AppConfig.model_validate(raw)
    except _FatalConfigProblem as exc:
        return None, [_problem(file, locator, exc.loc, exc.message)]
    except ValidationError as exc:
        errors = exc.errors()
        messages = [
            _problem(file, locator, tuple(e["loc"]), _describe_error(e)) for e in errors[:20]
        ]
        if len(errors) > 20:
            messages.append(f"... and {len(errors) - 20} more problems")
        return None, messages
    return cfg, check_config(cfg, known_gestures, file=file, text=text)


def read_config_file(
    path: Path, *, known_gestures: Iterable[str] | None = None
) -> tuple[AppConfig | None, list[str]]:
    """Read and validate one file: ``(config, warnings)`` or ``(None, errors)``; never raises
    for a bad or unreadable file."""
    try:
        if path.is_dir():
            return None, [f"{path}: is a folder, not a settings file"]
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [f"{path}: {size} bytes is too large for a settings file"]
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [f"{path}: no such file"]
    except OSError as exc:
        return None, [f"{path}: cannot read: {exc.strerror or exc}"]
    try:
        text = data.decode("utf-8-sig")  # Windows editors may add a byte-order mark
    except UnicodeDecodeError as exc:
        return None, [f"{path}: not UTF-8 text (byte {exc.start})"]
    return parse_config_text(text, file=path, known_gestures=known_gestures)


def load_config(
    path: Path | None = None, *, known_gestures: Iterable[str] | None = None
) -> tuple[AppConfig, list[str]]:
    """The user's settings and a list of messages for the user (empty when all is well).

    A missing file gives the defaults silently. An unreadable or invalid file gives the defaults
    and messages naming the file, line and field; the file is not touched. Warnings (e.g. a
    mapping on an unknown gesture) come with the loaded config."""
    path = config_path() if path is None else Path(path)
    if not path.exists() and not path.is_symlink():
        return AppConfig(), []
    cfg, problems = read_config_file(path, known_gestures=known_gestures)
    if cfg is None:
        problems.append(
            f"{path}: using the default settings; the file was left unchanged "
            "(fix it, or save settings to replace it: the old file is kept as a backup)"
        )
        for message in problems:
            log.warning("%s", message)
        return AppConfig(), problems
    return cfg, problems


# --------------------------------------------------------------------------- save


def atomic_write_text(path: Path, text: str, *, backup: bool = True) -> None:
    """Write ``text`` to ``path`` atomically: a temp file in the same folder, flushed and
    fsynced, then ``os.replace``. With ``backup`` the previous file is kept as ``<name>.bak``.
    Raises :class:`HandCueError` (the original file untouched) when anything fails."""
    path = Path(path)
    if path.is_symlink():  # e.g. a dotfiles checkout: update the file, keep the link
        path = path.resolve()
    folder = path.parent
    if path.is_dir():
        raise HandCueError(f"cannot save settings: {path} is a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HandCueError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    tmp_name: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp_name, path.stat().st_mode & 0o777)
            if backup:
                _copy_atomic(path, path.with_name(path.name + ".bak"))
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_folder(folder)
    except OSError as exc:
        raise HandCueError(f"cannot save {path}: {exc.strerror or exc}") from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _copy_atomic(source: Path, target: Path) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.close(fd)
        shutil.copyfile(source, tmp_name)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_config(cfg: AppConfig, path: Path | None = None) -> Path:
    """Save atomically, keeping the previous file as ``config.toml.bak``. If the previous file
    was not a valid config it is also kept as ``config.toml.invalid-<time>`` (never overwritten),
    so replacing a broken file never loses what the user wrote. Returns the path written;
    raises :class:`HandCueError` if it cannot be written (nothing is lost then either)."""
    return write_config_text(cfg.to_toml(), path)


def write_config_text(text: str, path: Path | None = None) -> Path:
    """Replace the settings file with ``text`` (already validated by the caller, e.g. an
    imported file kept verbatim with its comments), with the same backups as
    :func:`save_config`."""
    path = config_path() if path is None else Path(path)
    if path.is_file():
        old, _ = read_config_file(path, known_gestures=BUILTIN_GESTURE_IDS)
        if old is None:
            keep = path.with_name(f"{path.name}.invalid-{time.strftime('%Y%m%d-%H%M%S')}")
            n = 1
            while keep.exists():
                keep = keep.with_name(f"{keep.name.split('~')[0]}~{n}")
                n += 1
            try:
                _copy_atomic(path, keep)
            except OSError as exc:
                raise HandCueError(
                    f"cannot keep a copy of the invalid {path} before saving: {exc.strerror or exc}"
                ) from None
            log.warning("kept the invalid settings file as %s", keep)
    atomic_write_text(path, text, backup=True)
    return path
