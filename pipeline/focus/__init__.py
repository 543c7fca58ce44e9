"""Per-application profiles: read the active window (one small interface; the sources per
platform are in :mod:`app.desktop.focus`) and switch the action engine's profile by the rules in the settings."""

from pipeline.focus.rules import ProfileChoice, choose_profile, first_match, pattern_matches
from pipeline.focus.switcher import OWN_WINDOW_REASON, ProfileSwitcher, WindowWatcher
from pipeline.focus.window import (
    WAYLAND_UNAVAILABLE,
    WatcherUnavailable,
    WindowInfo,
    WindowSource,
)

__all__ = [
    "OWN_WINDOW_REASON",
    "WAYLAND_UNAVAILABLE",
    "ProfileChoice",
    "ProfileSwitcher",
    "WatcherUnavailable",
    "WindowInfo",
    "WindowSource",
    "WindowWatcher",
    "choose_profile",
    "first_match",
    "pattern_matches",
]
