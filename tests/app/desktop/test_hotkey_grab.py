"""HandCue's global hotkeys (Ctrl+Alt+P pause, Ctrl+Alt+M pointer mode) work while another
program has the focus, and that program does not get the key too (issue 39, item 2).

The receiver is an xterm writing the first byte it gets to a file: Ctrl+Alt+M reaching it would
write a carriage return (with Alt: ESC first); with the key grabbed the first byte is the ``q``
typed afterwards."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.desktop.input_sink import PauseHotkey
from app.desktop.x11_hotkey import HotkeyTaken, X11GrabHotkey, combo_keys
from pipeline.errors import HandCueError
from tests.support.waiting import poll
from tests.support.xserver import focus_window, stop, x_env, xvfb

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed"),
    pytest.mark.skipif(shutil.which("xterm") is None, reason="xterm is not installed (apt xterm)"),
]


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    with xvfb() as name:
        yield name


@pytest.fixture
def on_display(display: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    return display


@contextlib.contextmanager
def first_byte_terminal(display: str, out: Path) -> Iterator[subprocess.Popen]:
    """A focused xterm whose shell writes the first byte the terminal makes of the keys."""
    command = f"stty raw -echo; dd bs=1 count=1 of={out} 2>/dev/null"
    proc = subprocess.Popen(
        ["xterm", "-T", "hotkey-receiver", "-geometry", "60x5+0+0", "-e", "sh", "-c", command],
        env=x_env(display), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        focus_window(display, "hotkey-receiver")
        # the shell must reach `stty raw` first: until then a key would be echoed, not read
        assert poll(lambda: _raw_shell_ready(proc.pid), 20), "the terminal's shell did not start"
        yield proc
    finally:
        stop(proc)


def _raw_shell_ready(xterm_pid: int) -> bool:
    """dd (started after stty) runs under the xterm."""
    found = subprocess.run(["pgrep", "-P", str(xterm_pid)], capture_output=True, text=True)
    for shell in found.stdout.split():
        kids = subprocess.run(["pgrep", "-P", shell, "dd"], capture_output=True, text=True)
        if kids.stdout.strip():
            return True
    return False


def xdotool_key(display: str, combo: str) -> None:
    subprocess.run(["xdotool", "key", combo], env=x_env(display), check=True, timeout=30)


def test_combo_keys() -> None:
    assert combo_keys("ctrl+alt+m") == (["ctrl", "alt"], "m")
    assert combo_keys("ctrl+shift+f5") == (["ctrl", "shift"], "f5")
    with pytest.raises(HandCueError, match="modifier"):
        combo_keys("m+ctrl")


@pytest.mark.parametrize(
    "hotkey, keys", [("ctrl+alt+m", "ctrl+alt+m"), ("ctrl+alt+p", "ctrl+alt+p")]
)
def test_hotkey_fires_and_the_focused_app_does_not_get_it(
    on_display: str, tmp_path: Path, hotkey: str, keys: str
) -> None:
    pressed = threading.Event()
    out = tmp_path / "first.bin"
    with first_byte_terminal(on_display, out) as term:
        listener = PauseHotkey(hotkey, pressed.set)
        assert listener.start()
        try:
            xdotool_key(on_display, keys)
            assert pressed.wait(20), f"{hotkey} did not reach HandCue"
            xdotool_key(on_display, "q")
            assert poll(lambda: out.exists() and out.stat().st_size > 0, 20)
            assert out.read_bytes() == b"q", f"the terminal also got {hotkey}"
        finally:
            listener.stop()
        term.wait(10)


def test_caps_lock_on_still_fires(on_display: str) -> None:
    pressed = threading.Event()
    grab = X11GrabHotkey("ctrl+alt+m", pressed.set)
    grab.start()
    try:
        xdotool_key(on_display, "Caps_Lock")
        try:
            xdotool_key(on_display, "ctrl+alt+m")
            assert pressed.wait(20)
        finally:
            xdotool_key(on_display, "Caps_Lock")
    finally:
        grab.stop()


class ListenerStandIn:
    """pynput's GlobalHotKeys, which the fall-back would start (not what is tested here)."""

    started: list[dict] = []

    def __init__(self, hotkeys: dict) -> None:
        self.started.append(hotkeys)

    def start(self) -> None: ...

    def wait(self) -> None: ...

    def stop(self) -> None: ...

    def join(self, timeout: float) -> None: ...


def test_a_key_another_program_holds_is_refused_and_pause_hotkey_listens_instead(
    on_display: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pynput import keyboard

    monkeypatch.setattr(keyboard, "GlobalHotKeys", ListenerStandIn)
    other = X11GrabHotkey("ctrl+alt+p", lambda: None)
    other.start()
    try:
        with pytest.raises(HotkeyTaken, match="already uses ctrl\\+alt\\+p"):
            X11GrabHotkey("ctrl+alt+p", lambda: None).start()
        listener = PauseHotkey("ctrl+alt+p", lambda: None)
        assert listener.start()  # falls back to listening, with a warning
        listener.stop()
        assert list(ListenerStandIn.started[-1]) == ["<ctrl>+<alt>+p"]
        assert "listens for it instead" in caplog.text
    finally:
        other.stop()
    # given back: now it can be grabbed
    again = X11GrabHotkey("ctrl+alt+p", lambda: None)
    again.start()
    again.stop()


def test_stop_gives_the_key_back_and_ends_the_thread(on_display: str) -> None:
    before = threading.active_count()
    grab = X11GrabHotkey("ctrl+alt+m", lambda: None)
    grab.start()
    grab.stop()
    assert poll(lambda: threading.active_count() <= before, 5)
    assert os.environ["DISPLAY"] == on_display
