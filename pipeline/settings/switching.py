"""Per-application profiles: the ``[switching]`` table and its window-matching rules, the
built-in rules for common apps, and the glob checks shared with :mod:`pipeline.focus.rules`.

The models are immutable, so any thread may read them.
"""

from __future__ import annotations

import fnmatch
import re

from pydantic import Field, field_validator, model_validator

from pipeline.settings.base import SettingsModel

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


class RuleMatch(SettingsModel):
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


class Rule(SettingsModel):
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


class SwitchingSettings(SettingsModel):
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
