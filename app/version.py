"""HandCue's version, from the installed package metadata (a bundled build ships it too)."""

from __future__ import annotations

from importlib import metadata


def handcue_version() -> str:
    """The version string of the installed ``handcue`` distribution, or "unknown" when run from
    a tree that was never installed."""
    try:
        return metadata.version("handcue")
    except metadata.PackageNotFoundError:
        return "unknown"
