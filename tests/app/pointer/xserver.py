"""A private Xvfb for the pointer-mode desktop tests (the shared ``tests.app.xserver`` one,
sized by screen only) and the environment for programs on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tests.app.xserver import xvfb as _xvfb


@contextmanager
def xvfb(size: str) -> Iterator[str]:
    """A private Xvfb with one 24-bit screen of ``size`` (e.g. "1920x1080"); yields ':N'."""
    with _xvfb(f"{size}x24") as display:
        yield display


def x_env(display: str) -> dict[str, str]:
    env = dict(os.environ, DISPLAY=display)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("XDG_SESSION_TYPE", None)
    return env
