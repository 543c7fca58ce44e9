"""What the Wayland desktops tell HandCue about the active window, in words for the user.

KDE Plasma tells it through a KWin script (:mod:`app.desktop.focus.kwin`); wlroots compositors
through their own protocols or IPC. GNOME Shell has no public way: its ``Eval`` D-Bus method is
closed to other programs since GNOME 41, and reading windows needs a Shell extension.
"""

from __future__ import annotations

from collections.abc import Mapping

GNOME_NO_ACTIVE_WINDOW = (
    "On GNOME (Wayland) HandCue cannot tell which window is active: GNOME offers no public way "
    "for other programs to read it. Rules that switch the profile by application do not work "
    "here; choose the profile by hand on this page or from the tray icon, which still works."
)


def is_gnome(env: Mapping[str, str]) -> bool:
    """Whether ``env`` is a GNOME session (``XDG_CURRENT_DESKTOP`` lists GNOME)."""
    desktops = env.get("XDG_CURRENT_DESKTOP", "").upper().split(":")
    return "GNOME" in desktops


def is_kde(env: Mapping[str, str]) -> bool:
    """Whether ``env`` is a KDE Plasma session (``XDG_CURRENT_DESKTOP`` lists KDE)."""
    desktops = env.get("XDG_CURRENT_DESKTOP", "").upper().split(":")
    return "KDE" in desktops or env.get("KDE_FULL_SESSION", "").lower() == "true"
