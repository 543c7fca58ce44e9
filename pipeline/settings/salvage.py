"""Keeping what is valid in a settings file that does not validate: one bad mapping must not
throw away the other profiles, rules and pointer settings.

:func:`salvage_text` reads the file as :func:`pipeline.settings.store.parse_config_text` does
and then leaves out the smallest entry around each error: a whole mapping or rule (a binding
without its action means nothing), otherwise the one key (its default is used), or the
entries past a list's limit. What was left out is returned as :class:`LeftOut` entries with
their line, so the app can say which line is wrong in its own words and offer to write the
rest ("Fix for me"). Text that is not TOML at all, or written by a newer HandCue, cannot be
salvaged (None).

Pure functions; any thread.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.settings.bounds import text_limit_problem
from pipeline.settings.locate import (
    FatalConfigProblem,
    TomlLocator,
    describe_error,
    error_loc,
    problem,
)
from pipeline.settings.schema import AppConfig
from pipeline.settings.store import upgrade_raw

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

#: Passes over the file: each leaves out what the last validation named (an error inside an
#: entry can hide another one that only shows once the first is gone).
MAX_PASSES = 8
# Lists whose items are whole entries: a bad item is left out whole.
_ENTRY_LISTS = ("mappings", "rules")
# The schema's own rule for a profile name (checked on the whole table by AppConfig).
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class LeftOut:
    """One entry left out of a settings file that did not validate.

    ``entry``: where it was (a key path as pydantic writes it: ``("profiles", "mine",
    "mappings", 0)`` is the first mapping of profile ``mine``); ``field``: the setting the
    error is about (``entry`` or below it); ``line``: its 1-based line in the file, when it
    was found; ``reason``: what is wrong, in the schema's words; ``gesture``: the gesture of
    a mapping that was left out (for wording), else None; ``text``: the whole message with
    file, line and field, as ``handcue config validate`` prints it."""

    entry: tuple
    field: tuple
    line: int | None
    reason: str
    gesture: str | None
    text: str


@dataclass(frozen=True)
class Salvaged:
    """A settings file's valid part: ``config`` (validated) and what was ``left_out``."""

    config: AppConfig
    left_out: tuple[LeftOut, ...]


def salvage_text(text: str, *, file: Path | None = None) -> Salvaged | None:
    """The valid part of settings ``text``, or None when none can be told apart (not TOML,
    beyond the limits of :mod:`.bounds`, a newer schema, an error no entry can be left out
    for). A valid text gives its config and nothing left out."""
    if text_limit_problem(text) is not None:
        return None
    try:
        raw: Any = upgrade_raw(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, RecursionError, FatalConfigProblem):
        return None
    locator = TomlLocator(text)
    left_out: list[LeftOut] = []
    for _ in range(MAX_PASSES):
        try:
            return Salvaged(AppConfig.model_validate(raw), tuple(left_out))
        except ValidationError as exc:
            errors = exc.errors()
        cuts = _cuts(raw, errors)
        if cuts is None:
            return None
        for target, (kind, limit, error) in _outermost_last(cuts):
            field = error_loc(error)
            gesture = _gesture(raw, target)
            if not _cut(raw, target, kind, limit):
                return None
            reason = describe_error(error)
            left_out.append(
                LeftOut(
                    entry=target,
                    field=field,
                    line=locator.line_of(field),
                    reason=reason,
                    gesture=gesture,
                    text=problem(file, locator, field, reason),
                )
            )
    return None


def _cuts(raw: Any, errors: Iterable[Any]) -> dict[tuple, tuple[str, int, Any]] | None:
    """What to leave out for each error: target path -> (``"drop"`` or ``"trim"``, the
    length to trim to, the first error there). None when an error has no target."""
    cuts: dict[tuple, tuple[str, int, Any]] = {}
    for error in errors:
        found = _target(raw, error)
        if found is None:
            return None
        target, kind, limit = found
        cuts.setdefault(target, (kind, limit, error))
    return cuts


def _target(raw: Any, error: Any) -> tuple[tuple, str, int] | None:
    loc = error_loc(error)
    if error.get("type") == "too_long":  # more profiles, mappings or rules than allowed
        limit = (error.get("ctx") or {}).get("max_length")
        if isinstance(limit, int) and isinstance(_get(raw, loc), list | dict):
            return loc, "trim", limit
    if loc == ("profiles",) and isinstance(raw.get("profiles"), dict):
        bad = [n for n in raw["profiles"] if not _PROFILE_NAME.match(str(n))]
        return (("profiles", bad[0]), "drop", 0) if bad else None
    # A bad part of a mapping or rule: the whole entry goes (half a binding means nothing).
    for i in range(1, len(loc)):
        if isinstance(loc[i], int) and loc[i - 1] in _ENTRY_LISTS:
            return loc[: i + 1], "drop", 0
    # Otherwise the key itself, or the nearest one that is there (a missing key's table).
    while loc and _get(raw, loc) is _MISSING:
        loc = loc[:-1]
    if not loc or loc in (("profiles",), ("switching",)):
        return None  # never the whole file, nor every profile or every rule at once
    return loc, "drop", 0


_MISSING = object()


def _get(raw: Any, loc: tuple) -> Any:
    current = raw
    for part in loc:
        if not _holds(current, part):
            return _MISSING
        current = current[part]
    return current


def _holds(container: Any, part: Any) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _cut(raw: Any, target: tuple, kind: str, limit: int) -> bool:
    parent = _get(raw, target[:-1])
    key = target[-1]
    if kind == "trim":
        value = _get(raw, target)
        if isinstance(value, list):
            del value[limit:]
        else:
            for name in list(value)[limit:]:
                del value[name]
        return True
    if not _holds(parent, key):
        return False
    del parent[key]
    return True


def _outermost_last(cuts: dict[tuple, Any]) -> list[tuple[tuple, Any]]:
    """The cuts in an order that keeps the later ones' paths valid: a later list item before
    an earlier one, and nothing inside a part that is cut anyway."""
    targets = [t for t in cuts if not any(o != t and t[: len(o)] == o for o in cuts)]

    def key(path: tuple) -> tuple:
        return tuple((1, p) if isinstance(p, int) else (0, 0) for p in path)

    ordered = sorted(targets, key=key, reverse=True)
    return [(t, cuts[t]) for t in ordered]


def _gesture(raw: Any, target: tuple) -> str | None:
    """The gesture of the mapping at ``target`` (for wording), if that is a mapping."""
    if len(target) >= 4 and target[0] == "profiles" and target[2] == "mappings":
        entry = _get(raw, target[:4])
        gesture = entry.get("gesture") if isinstance(entry, dict) else None
        return gesture if isinstance(gesture, str) else None
    return None
