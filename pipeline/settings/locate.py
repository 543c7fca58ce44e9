"""Error wording for the settings file: which file, line and field a problem is at.

tomllib gives no positions, so :class:`TomlLocator` finds the line of a key path by reading the
common TOML layouts. Messages look like ``FILE, line N: profiles.x.mappings[0].action: ...``.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.settings.schema import AppConfig


class FatalConfigProblem(Exception):
    """A problem that makes the whole file unusable (e.g. written by a newer HandCue)."""

    def __init__(self, loc: tuple, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def format_loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class TomlLocator:
    """Finds the line of a key path in TOML text. tomllib gives no positions, so this reads the
    common layouts: ``[table]``, ``[[array.of.tables]]``, ``key = value``, dotted keys, and
    arrays of inline tables with one element per line (what :meth:`AppConfig.to_toml` writes).
    Unusual layouts fall back to the nearest enclosing key that was found.

    Nothing is read until the first :meth:`line_of` (a valid file never needs positions), and
    reading is linear in the length of the text: every character is looked at a bounded number
    of times, however long a line or a string in it is (a 200,000-character ``type:`` text must
    not take minutes)."""

    _KEY = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
    _KEY_RE = re.compile(rf"\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[tuple, int] | None = None

    @property
    def lines(self) -> dict[tuple, int]:
        """Key path -> 1-based line number (computed on first use)."""
        if self._lines is None:
            self._lines = {}
            self._parse(self._text)
        return self._lines

    @staticmethod
    def _split_key(key: str) -> tuple[str, ...]:
        """``a."b.c".d`` -> ``("a", "b.c", "d")``, in one pass."""
        parts: list[str] = []
        current: list[str] = []
        quote = ""
        for char in key:
            if quote:
                if char == quote:
                    quote = ""
                else:
                    current.append(char)
            elif char in "\"'":
                quote = char
            elif char == ".":
                parts.append("".join(current).strip())
                current = []
            else:
                current.append(char)
        parts.append("".join(current).strip())
        return tuple(parts)

    def _note(self, path: tuple, line: int) -> None:
        assert self._lines is not None
        self._lines.setdefault(path, line)

    def _inline_keys(self, line: str) -> Iterator[str]:
        """Keys of the inline tables on ``line`` (after each ``{`` or ``,`` outside strings)."""
        pos, size = 0, len(line)
        expect_key = False
        while pos < size:
            char = line[pos]
            if char in "\"'":
                pos = _string_end(line, pos)
                expect_key = False
                continue
            if char in "{,":
                expect_key = True
                pos += 1
                continue
            if char == "#":
                return
            if expect_key and not char.isspace():
                expect_key = False
                match = self._KEY_RE.match(line, pos)
                if match:
                    yield match.group(1)
                    pos = match.end()
                    continue
            pos += 1

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
                    for key in self._inline_keys(line):
                        self._note((*path, *self._split_key(key)), number)
                continue
            header = _header(line)
            if header is not None:
                keys = self._split_key(header)
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
            assignment = self._KEY_RE.match(raw_line)
            if assignment:
                path = (*table, *self._split_key(assignment.group(1)))
                self._note(path, number)
                rest = raw_line[assignment.end() :].strip()
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
        lines = self.lines
        for end in range(len(loc), 0, -1):
            if tuple(loc[:end]) in lines:
                return lines[tuple(loc[:end])]
        return None


def _string_end(line: str, start: int) -> int:
    """Index just past the TOML string starting at ``line[start]`` (a quote); basic strings
    honour backslash escapes. An unclosed string runs to the end of the line."""
    quote = line[start]
    pos = start + 1
    while True:
        end = line.find(quote, pos)
        if end == -1:
            return len(line)
        if quote == "'":
            return end + 1
        backslashes = 0
        while line[end - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return end + 1
        pos = end + 1


def _header(line: str) -> str | None:
    """The key of a ``[table]`` or ``[[array]]`` header line, else None."""
    if not line.startswith("["):
        return None
    double = line.startswith("[[")
    close = line.find("]]" if double else "]")
    if close == -1:
        return None
    inner = line[2 if double else 1 : close].strip()
    return inner or None


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


def describe_error(error: MappingABC[str, Any]) -> str:
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


def problem(file: Path | None, locator: TomlLocator | None, loc: tuple, message: str) -> str:
    where = str(file) if file is not None else "config"
    line = locator.line_of(loc) if locator is not None and loc else None
    if line is not None:
        where += f", line {line}"
    field = format_loc(loc)
    return f"{where}: {field + ': ' if field else ''}{message}"
