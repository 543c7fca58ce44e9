"""Per-application profiles: read the active window (one small interface, a source per
platform) and switch the action engine's profile by the rules in the settings."""

from pipeline.focus.rules import ProfileChoice, choose_profile, first_match, pattern_matches
from pipeline.focus.switcher import OWN_WINDOW_REASON, ProfileSwitcher, WindowWatcher
from pipeline.focus.window import (
    WAYLAND_UNAVAILABLE,
    WatcherUnavailable,
    WindowInfo,
    WindowSource,
    create_window_source,
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
    "create_window_source",
    "first_match",
    "pattern_matches",
]
