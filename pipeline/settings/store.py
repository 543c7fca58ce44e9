"""Loading and saving the settings file, with the upgrade path from older schema versions.

File: ``pipeline.paths.config_dir() / "config.toml"``. Loading never raises for a bad file:
:func:`load_config` returns the defaults plus messages that name the file, the line and the
field, and leaves the file untouched. Every text is bounded before it is parsed
(:mod:`.bounds`). Saving is atomic (:mod:`pipeline.fileio`) and keeps the previous file as
``config.toml.bak``; a previous file that was not a valid config is kept under a time-stamped
name instead (and ``.bak`` stays the last good file), so saving over a broken file never loses
what the user wrote nor the backup. The running app reads and writes through
:class:`pipeline.settings.guard.SettingsFile`, which also notices changes made outside it.
Gesture ids are checked against the built-in and recorded gestures; a binding with an unknown
id is reported and kept (it simply never fires), so a deleted recording does not erase the
user's bindings.
"""

from __future__ import annotations

import difflib
import logging
import stat
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline import paths
from pipeline.errors import HandCueError
from pipeline.fileio import AtomicWriteError, atomic_write_text, copy_atomic
from pipeline.gestures import BUILTIN_GESTURES, TemplateStore, known_gesture_ids
from pipeline.settings.bounds import size_limit_problem, text_limit_problem
from pipeline.settings.locate import (
    FatalConfigProblem,
    TomlLocator,
    describe_error,
    error_loc,
    problem,
)
from pipeline.settings.schema import (
    CONFIG_FILE_NAME,
    SCHEMA_VERSION,
    AppConfig,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

log = logging.getLogger(__name__)

# schema_version -> function turning a raw dict of that version into the next version.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upgrade_raw(raw: dict[str, Any]) -> dict[str, Any]:
    """The parsed file brought up to this schema version (raises :class:`FatalConfigProblem`
    for a file from a newer HandCue)."""
    version = raw.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        return raw  # the model reports the wrong type
    if version > SCHEMA_VERSION:
        raise FatalConfigProblem(
            ("schema_version",),
            f"written by a newer HandCue (schema {version}; this one reads up to {SCHEMA_VERSION})",
        )
    while version < SCHEMA_VERSION and version in _UPGRADES:
        raw = _UPGRADES[version](dict(raw))
        version += 1
        raw["schema_version"] = version
    return raw


def config_path() -> Path:
    """The user's config file (``HANDCUE_CONFIG_DIR`` overrides the folder)."""
    return paths.config_dir() / CONFIG_FILE_NAME


def builtin_gestures() -> set[str]:
    return set(BUILTIN_GESTURES)


def default_known_gestures() -> set[str]:
    """Built-in plus the user's recorded gesture ids. A recordings file that cannot be read
    gives the built-in ids only (the gesture store reports that file itself)."""
    try:
        store = TemplateStore()
    except HandCueError as exc:
        log.info("checking built-in gesture ids only: %s", exc)
        return builtin_gestures()
    return set(known_gesture_ids(store)) | builtin_gestures()


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
    locator = TomlLocator(text) if text is not None else None
    problems: list[str] = []
    arm = cfg.actions.arm_gesture
    if arm != "none" and arm not in known:
        problems.append(
            problem(
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
                    problem(
                        file,
                        locator,
                        loc,
                        f"unknown gesture {mapping.gesture!r} (this mapping will not fire); "
                        + _known_hint(known, mapping.gesture),
                    )
                )
            elif (conflict := mapping.conflict(cfg.actions)) is not None:
                problems.append(
                    problem(file, locator, loc, conflict + " (this mapping will not fire)")
                )
    return problems


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"did you mean 'thumb_up'? "`` for the choice closest to a mistyped ``word`` (difflib),
    or ``""`` when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def _known_hint(known: set[str], word: str | None = None) -> str:
    ids = sorted(g for g in known if g != "none")
    hint = did_you_mean(word, ids) if word is not None else ""
    return f"{hint}known gestures: {', '.join(ids)}"


def _raw_gesture_problems(
    raw: Any, known: set[str], file: Path | None, locator: TomlLocator, skip: set[tuple]
) -> list[str]:
    """The gesture-id checks of :func:`check_config` on a file that did not validate, so that
    one bad value does not hide the other problems. ``skip``: locations already reported."""
    out: list[str] = []
    if not isinstance(raw, dict):
        return out
    actions = raw.get("actions")
    arm = actions.get("arm_gesture", "i_love_you") if isinstance(actions, dict) else "i_love_you"
    loc: tuple = ("actions", "arm_gesture")
    if isinstance(arm, str) and arm != "none" and arm not in known and loc not in skip:
        out.append(
            problem(file, locator, loc, f"unknown gesture {arm!r}; {_known_hint(known, arm)}")
        )
    profiles = raw.get("profiles")
    if not isinstance(profiles, dict):
        return out
    for name, prof in profiles.items():
        mappings = prof.get("mappings") if isinstance(prof, dict) else None
        if not isinstance(mappings, list):
            continue
        for index, mapping in enumerate(mappings):
            gesture = mapping.get("gesture") if isinstance(mapping, dict) else None
            loc = ("profiles", name, "mappings", index, "gesture")
            if not isinstance(gesture, str) or loc in skip or gesture == "none":
                continue
            if gesture not in known:
                message = (f"unknown gesture {gesture!r} (this mapping will not fire); "
                           + _known_hint(known, gesture))  # fmt: skip
            elif gesture == arm:
                message = (f"{gesture!r} is the arm gesture (it switches actions on and off); "
                           "map another gesture or change actions.arm_gesture (this mapping "
                           "will not fire)")  # fmt: skip
            else:
                continue
            out.append(problem(file, locator, loc, message))
    return out


def parse_config_text(
    text: str, *, file: Path | None = None, known_gestures: Iterable[str] | None = None
) -> tuple[AppConfig | None, list[str]]:
    """Validate TOML text. Returns ``(config, warnings)`` when it is usable, or ``(None,
    errors)`` when it is not. Never raises for bad content."""
    where = str(file) if file is not None else "config"
    # Bounded before parsing: tomllib is quadratic in the parts of one key (51 s for a header
    # of 100,000 parts) and recursive in nesting; no settings file comes near the limits.
    limit = text_limit_problem(text)
    if limit is not None:
        return None, [limit.message(where)]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{where}: not valid TOML: {exc}"]
    except RecursionError:  # pragma: no cover - the depth limit comes first
        return None, [f"{where}: arrays or tables nested too deeply to be a settings file"]
    locator = TomlLocator(text)
    try:
        raw = upgrade_raw(raw)
        cfg = AppConfig.model_validate(raw)
    except FatalConfigProblem as exc:
        return None, [problem(file, locator, exc.loc, exc.message)]
    except ValidationError as exc:
        errors = exc.errors()
        messages = [problem(file, locator, error_loc(e), describe_error(e)) for e in errors[:20]]
        if len(errors) > 20:
            messages.append(f"... and {len(errors) - 20} more problems")
        # The gesture ids are checked too: every problem is listed at once, not one per run.
        known = set(default_known_gestures() if known_gestures is None else known_gestures)
        reported = {tuple(e["loc"]) for e in errors}
        messages += _raw_gesture_problems(raw, known, file, locator, reported)
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
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a device or a pipe may never end
            return None, [f"{path}: not a regular file, so not a settings file"]
        limit = size_limit_problem(info.st_size)
        if limit is not None:
            return None, [limit.message(str(path))]
        data = path.read_bytes()  # one that grew since is stopped by parse_config_text's limit
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
    if cfg is None:  # said on the last problem's line: one bad file, one line
        problems[-1] += (
            "; using the default settings, the file was left unchanged "
            "(fix it, or save settings to replace it: the old file is kept as a backup)"
        )
        for message in problems:  # callers show them to the user (CLI line, GUI banner)
            log.info("%s", message)
        return AppConfig(), problems
    return cfg, problems


def save_config(cfg: AppConfig, path: Path | None = None) -> Path:
    """Save atomically, keeping the previous file as ``config.toml.bak`` when it was a valid
    config. A previous file that was not is kept as ``config.toml.invalid-<time>`` instead
    (never overwritten), and the ``.bak`` stays the last good file, so replacing a broken file
    never loses what the user wrote nor the backup "Restore" needs. Returns the path written;
    raises :class:`HandCueError` if it cannot be written (nothing is lost then either)."""
    return write_config_text(cfg.to_toml(), path)


@dataclass(frozen=True)
class Written:
    """What :func:`write_settings_text` did: the file written, where the file it replaced was
    kept when that was not a valid config (else None), and whether ``.bak`` now holds the
    file it replaced (a valid one)."""

    path: Path
    kept_invalid: Path | None
    backed_up: bool


def kept_beside(path: Path, kind: str) -> Path:
    """A new name beside ``path`` for a copy of kind ``kind`` (``invalid``, ``conflict``):
    ``config.toml.<kind>-<date>-<time>``, with ``~1``, ``~2`` ... when taken, so a kept copy
    is never overwritten."""
    keep = path.with_name(f"{path.name}.{kind}-{time.strftime('%Y%m%d-%H%M%S')}")
    base, n = keep.name, 1
    while keep.exists() or keep.is_symlink():
        keep = keep.with_name(f"{base}~{n}")
        n += 1
    return keep


def write_config_text(text: str, path: Path | None = None) -> Path:
    """Replace the settings file with ``text`` (already validated by the caller, e.g. an
    imported file kept verbatim with its comments), with the same backups as
    :func:`save_config`."""
    return write_settings_text(text, path).path


def write_settings_text(text: str, path: Path | None = None) -> Written:
    """:func:`write_config_text`, saying where the replaced file went."""
    path = config_path() if path is None else Path(path)
    kept: Path | None = None
    backup = path.is_file()
    if backup:
        old, _ = read_config_file(path, known_gestures=builtin_gestures())
        if old is None:
            # The broken file is kept under its own name; .bak stays the last good file.
            backup = False
            kept = kept_beside(path, "invalid")
            try:
                copy_atomic(path, kept)
            except OSError as exc:
                raise HandCueError(
                    f"cannot keep a copy of the invalid {path} before saving: {exc.strerror or exc}"
                ) from None
            log.warning("kept the invalid settings file as %s", kept)
    try:
        atomic_write_text(path, text, backup=backup)
    except AtomicWriteError as exc:
        raise HandCueError(f"cannot save settings to {exc.path}: {exc.reason}") from None
    return Written(path, kept, backup)
