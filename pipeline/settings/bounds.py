"""What a settings file's text may hold before it is given to the TOML parser: its size, how
deeply its keys, arrays and tables nest, and how many of them it has.

``tomllib`` is quadratic in the parts of one dotted key (a header ``[a.a.a....]`` of 100,000
parts took 51 s to read) and recursive in nested arrays and inline tables, so text that no
settings file resembles is refused here, in one linear pass that reads strings and comments
as TOML does (a dot or a bracket inside a string is text). Every front end reads the settings
through :func:`pipeline.settings.store.parse_config_text`, which asks :func:`text_limit_problem`
first.

The limits sit far above anything HandCue writes or accepts: its deepest setting,
``switching.rules[i].match.app``, counts 7 levels here (arrays and inline tables count as
levels), and a file of 50 profiles of 100 mappings does not fit in :data:`MAX_FILE_BYTES`
before it reaches :data:`MAX_KEYS`. Pure functions; any thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.settings.schema import MAX_FILE_BYTES

#: Levels a key may be below the top of the file: the parts of a ``[table]`` header, the parts
#: of a dotted key, and every array or inline table it sits in.
MAX_DEPTH = 32
#: Entries in one file: keys (every part of a dotted key), list items and inline tables.
MAX_KEYS = 50_000

# What the scanner jumps over, by where it is: text that cannot open or close anything there.
_SKIP_KEY = re.compile(r"[^\[\]{}\"'#\n=,]*")  # a key's bare parts, dots and spaces
_SKIP_VALUE = re.compile(r"[^\[\]{}\"'#\n,]*")  # numbers, dates, booleans, spaces
_SKIP_IN_ARRAY = re.compile(r"[^\[\]{}\"'#]*")  # and commas and line breaks inside an array
# Strings as TOML reads them; a multi-line one may end with up to two extra quotes.
_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""""|""""|"""|\Z)'
    r"|'''(?:[^']|'(?!''))*(?:'''''|''''|'''|\Z)"
    r'|"(?:[^"\\\n]|\\.)*"?'
    r"|'[^'\n]*'?",
    re.DOTALL,
)
_KEY_MODES = ("line", "header", "key")


@dataclass(frozen=True)
class TextLimit:
    """Why a text was refused before parsing: ``what`` in words with the limit, and the line
    (1-based) where the limit was passed, when there is one."""

    what: str
    line: int | None = None

    def message(self, where: str) -> str:
        """One line for the user: ``where`` (the file, or ``"config"``), the line, the limit."""
        at = f"{where}, line {self.line}" if self.line is not None else where
        return f"{at}: {self.what}; the file was not read"


def size_limit_problem(size: int, *, at_least: bool = False) -> TextLimit | None:
    """The size limit, for text or a file of ``size`` bytes (``at_least``: the reading stopped
    there, the file may be longer)."""
    if size <= MAX_FILE_BYTES:
        return None
    amount = f"over {MAX_FILE_BYTES:,} bytes" if at_least else f"{size:,} bytes"
    return TextLimit(
        f"{amount} is too large for a settings file (the limit is {MAX_FILE_BYTES:,} bytes)"
    )


def text_limit_problem(text: str) -> TextLimit | None:
    """The first limit ``text`` passes (size, depth, count), or None when the parser may be
    given it. Linear in the length of ``text``: regular expressions jump over what cannot
    nest (numbers, spaces, strings, comments) and a few counters follow the rest."""
    if len(text) > MAX_FILE_BYTES:  # a character is one byte or more
        return size_limit_problem(len(text), at_least=True)
    size = len(text.encode("utf-8", "surrogatepass"))
    return size_limit_problem(size) or _Scanner(text).scan()


class _Scanner:
    """The counters of :func:`text_limit_problem`. Not TOML validation: odd text is counted as
    well as it can be and left to the parser, which reports it.

    Depth: a ``[table]`` header's parts are as deep as their number; a key is as deep as the
    table (or inline table) it is in plus its own parts; an array or inline table is one
    deeper than the key or the array holding it. Entries: every key part, array, inline table
    and list item (counted by its comma) is work for the parser."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.count = 0  # entries so far: keys, list items, arrays and inline tables
        self.table_depth = 0  # parts of the last [table] header
        # One entry per open array ("[") or inline table ("{"): (kind, depth of its contents).
        self.stack: list[tuple[str, int]] = []
        self.mode = "line"  # line | header | key | value | rest (the rest of a header line)
        self.parts = 0  # parts of the key or header being read
        self.value_depth = 0  # depth of the value being read

    def scan(self) -> TextLimit | None:
        text, size = self.text, len(self.text)
        while True:
            skip = self._skipper().match(text, self.pos)
            assert skip is not None  # every pattern matches the empty string
            if skip.end() > self.pos:
                found = self._skipped(skip.group())
                if found is not None:
                    return found
            self.pos = skip.end()
            if self.pos >= size:
                return None
            char = text[self.pos]
            if char == "#":
                end = text.find("\n", self.pos)
                self.pos = size if end == -1 else end
                continue
            if char in "\"'":
                string = _STRING.match(text, self.pos)
                assert string is not None  # an opening quote always starts a match
                found = self._key_text("quoted") if self.mode in _KEY_MODES else None
                self.pos = string.end()
                if found is not None:
                    return found
                continue
            found = self._punct(char)
            if found is not None:
                return found
            self.pos += 1

    def _skipped(self, run: str) -> TextLimit | None:
        if self.mode in _KEY_MODES:
            return self._key_text(run)
        if self.stack and self.stack[-1][0] == "[" and "," in run:  # the items of an array
            self.count += run.count(",")
            return self._counted(0)
        return None

    def _skipper(self) -> re.Pattern[str]:
        if self.mode not in ("value", "rest"):
            return _SKIP_KEY
        return _SKIP_IN_ARRAY if self.stack and self.stack[-1][0] == "[" else _SKIP_VALUE

    def _problem(self, what: str) -> TextLimit:
        return TextLimit(what, self.text.count("\n", 0, self.pos) + 1)

    def _counted(self, depth: int) -> TextLimit | None:
        self.count += 1
        if self.count > MAX_KEYS:
            return self._problem(
                f"more than {MAX_KEYS:,} entries (keys, list items, tables) is too many for a "
                "settings file"
            )
        if depth > MAX_DEPTH:
            return self._problem(
                "keys, arrays or tables nested too deeply to be a settings file "
                f"(more than {MAX_DEPTH} levels)"
            )
        return None

    def _key_text(self, run: str) -> TextLimit | None:
        """Part of a key or a header: bare parts with dots and spaces, or one quoted part."""
        if self.mode == "line":
            self.mode, self.parts = "key", 0
        for part in run.split("."):
            if part.strip():
                self.parts += 1
                base = 0 if self.mode == "header" else self._key_base()
                found = self._counted(base + self.parts)
                if found is not None:
                    return found
        return None

    def _key_base(self) -> int:
        return self.stack[-1][1] if self.stack else self.table_depth

    def _punct(self, char: str) -> TextLimit | None:
        """One of ``[ ] { } = ,`` or a line break, outside strings and comments."""
        if char == "\n":
            if not self.stack:
                self.mode = "line"
            return None
        if self.mode == "line":
            if char == "[":
                self.mode, self.parts = "header", 0
                return None
            self.mode, self.parts = "key", 0
        if self.mode == "header":
            if char == "]":
                self.table_depth = self.parts
                self.mode = "rest"
            return None  # the second "[" of [[array.of.tables]]
        if self.mode == "key":
            if char == "=":
                self.mode = "value"
                self.value_depth = self._key_base() + self.parts
                return None
            if char != "}":  # "}": "{}" or a trailing comma ends the inline table
                return None
        if self.mode == "rest":
            return None
        return self._value(char)

    def _value(self, char: str) -> TextLimit | None:
        if char in "[{":
            depth = self.value_depth + 1
            self.stack.append((char, depth))
            if char == "{":
                self.mode, self.parts = "key", 0
            else:
                self.value_depth = depth
            return self._counted(depth)
        if char in "]}" and self.stack:
            self.stack.pop()
            self.mode = "value"
            if self.stack and self.stack[-1][0] == "[":
                self.value_depth = self.stack[-1][1]
        elif char == "," and self.stack and self.stack[-1][0] == "{":
            self.mode, self.parts = "key", 0
        return None
