"""Which profile the active window asks for: the rule matcher.

Order of precedence (first that applies wins):

1. a pinned profile (chosen by hand in the app, or ``handcue run --profile``);
2. automatic switching off (``[switching] enabled = false``): ``active_profile``;
3. the first rule whose ``app`` and ``title`` patterns both match the window (the user's rules
   in file order, then the built-in ones);
4. ``[switching] default_profile``, or ``active_profile`` when that is empty.

Patterns ignore case; without ``* ? [`` they match as substrings, with them as a glob over the
whole text (``vlc`` and ``*vlc*`` both match ``org.videolan.VLC``). Pure functions, any thread.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.focus.window import WindowInfo
from pipeline.settings import AppConfig, Rule
from pipeline.settings.schema import is_glob


def pattern_matches(pattern: str, text: str) -> bool:
    """``pattern`` (a rule's app or title) against one text; "" matches anything."""
    if not pattern:
        return True
    pattern, text = pattern.casefold(), text.casefold()
    if is_glob(pattern):
        return fnmatch.fnmatchcase(text, pattern)
    return pattern in text


def rule_matches(rule: Rule, window: WindowInfo) -> bool:
    match = rule.match
    if match.app and not any(pattern_matches(match.app, n) for n in window.app_names):
        return False
    return pattern_matches(match.title, window.title)


def first_match(rules: Sequence[Rule], window: WindowInfo) -> int | None:
    """Index of the first rule that matches ``window``, or None."""
    for index, rule in enumerate(rules):
        if rule_matches(rule, window):
            return index
    return None


@dataclass(frozen=True)
class ProfileChoice:
    """The profile for a window and why. ``source``: ``"pinned"``, ``"manual"`` (switching
    off), ``"rule"``, ``"default"`` or ``"no_window"``. ``rule_index``: index into
    ``SwitchingSettings.all_rules()`` for ``"rule"``, else -1; ``builtin``: that rule is one of
    the built-in ones. ``reason``: one line for the user."""

    profile: str
    source: str
    reason: str
    rule_index: int = -1
    builtin: bool = False
    window: WindowInfo | None = None


def choose_profile(
    config: AppConfig, window: WindowInfo | None, *, pinned: str | None = None
) -> ProfileChoice:
    """The profile ``window`` asks for under ``config``. ``pinned`` overrides the settings'
    ``switching.pinned`` (``handcue run --profile``); "" or None = not pinned."""
    switching = config.switching
    pin = pinned or switching.pinned
    if pin:
        return ProfileChoice(pin, "pinned", f"pinned to {pin} by hand", window=window)
    if not switching.enabled:
        return ProfileChoice(
            config.active_profile, "manual", "automatic switching is off", window=window
        )
    default = switching.default_profile or config.active_profile
    if window is None:
        return ProfileChoice(default, "no_window", "no window has the focus", window=None)
    rules = switching.all_rules()
    index = first_match(rules, window)
    if index is None:
        return ProfileChoice(
            default, "default", f"no rule matches {window.describe()}", window=window
        )
    rule = rules[index]
    builtin = index >= len(switching.rules)
    which = "built-in rule" if builtin else f"rule {index + 1}"
    return ProfileChoice(
        rule.profile,
        "rule",
        f"{which} ({rule.match.describe()}) matches {window.describe()}",
        rule_index=index,
        builtin=builtin,
        window=window,
    )
