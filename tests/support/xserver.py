"""Helpers for tests that need a real X server: a private Xvfb and the server's own record of
which keys and mouse buttons are down (the honest witness for stuck input: synthetic events never
show there, XTEST ones do, and so does anything a crashed process left pressed)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.waiting import poll

BUTTON_MASKS = {"left": 0x100, "middle": 0x200, "right": 0x400}


@contextmanager
def xvfb(size: str = "1280x800x24") -> Iterator[str]:
    """Start Xvfb on a free display (it picks the number itself: -displayfd); yields ``:N``.
    ``size``: WxHxDEPTH, or WxH for a 24-bit screen."""
    if size.count("x") == 1:
        size += "x24"
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_fd,),
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            number = pipe.readline().strip()
        if not number.isdigit():
            raise RuntimeError(f"Xvfb did not start (exit {proc.poll()})")
        yield f":{number.decode()}"
    finally:
        stop(proc)


def stop(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """Terminate a helper process, killing it if it does not exit in time."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


class XState:
    """The X server's view of the keyboard and pointer, read with python-xlib."""

    def __init__(self, display: str) -> None:
        from Xlib import XK
        from Xlib import display as xdisplay

        self.display = xdisplay.Display(display)
        self._XK = XK

    def keycode(self, key: str) -> int:
        return int(self.display.keysym_to_keycode(self._XK.string_to_keysym(key)))

    def key_down(self, key: str) -> bool:
        code = self.keycode(key)
        keymap = self.display.query_keymap()
        return bool(keymap[code // 8] & (1 << (code % 8)))

    def button_down(self, button: str = "left") -> bool:
        mask = self.display.screen().root.query_pointer().mask
        return bool(mask & BUTTON_MASKS[button])

    def keys_down(self) -> list[int]:
        keymap = self.display.query_keymap()
        return [i * 8 + b for i, byte in enumerate(keymap) for b in range(8) if byte & (1 << b)]

    def wait(self, predicate, timeout: float) -> bool:
        """True once ``predicate()`` holds, False if it does not within ``timeout`` seconds."""
        return poll(predicate, timeout)

    def close(self) -> None:
        self.display.close()


def x_env(display: str, **extra: str) -> dict[str, str]:
    """This process's environment for a program on ``display`` (never on a Wayland session),
    with ``extra`` set (e.g. ``QT_QPA_PLATFORM="xcb"`` for a Qt program: the Qt tests' own
    process draws offscreen)."""
    env = dict(os.environ, DISPLAY=display)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("XDG_SESSION_TYPE", None)
    env.update(extra)
    return env


def pointer_location(display: str) -> tuple[int, int]:
    """Where the X server's pointer is on ``display`` (``xdotool getmouselocation``)."""
    out = subprocess.run(
        ["xdotool", "getmouselocation", "--shell"],
        env=x_env(display), capture_output=True, text=True, timeout=10, check=True,
    ).stdout  # fmt: skip
    values = dict(line.split("=", 1) for line in out.split())
    return int(values["X"]), int(values["Y"])


def focus_window(display: str, title: str) -> None:
    """Give the input focus to the window called ``title`` once it is on screen (there is no
    window manager; focusing a window not mapped yet fails with BadMatch)."""
    xdo = {"env": x_env(display), "capture_output": True, "text": True, "timeout": 30}
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", title], **xdo)
    wid = found.stdout.split()[0]
    focus = ["xdotool", "windowfocus", "--sync", wid]
    assert poll(lambda: subprocess.run(focus, **xdo).returncode == 0, 10), f"cannot focus {title}"
