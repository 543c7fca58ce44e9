"""Keys follow the keyboard layout the X server has *now* (issue 38, cases 4 and 5).

A sink made by :func:`app.desktop.input_sink.create_input_sink` (XTEST keys, the guardian, the
typing thread: what ``handcue run`` uses) runs in a subprocess and taps the actions it reads on
its standard input. The receiver is an xterm (it ignores synthetic input) writing what it gets
to a file; ``setxkbmap`` changes the layout of the test's own Xvfb. After each test the X
server's own key state shows nothing held.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.commands import handcue_env
from tests.support.waiting import poll
from tests.support.xserver import XState, focus_window, stop, x_env, xvfb

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed"),
    pytest.mark.skipif(shutil.which("xterm") is None, reason="xterm is not installed (apt xterm)"),
    pytest.mark.skipif(shutil.which("setxkbmap") is None, reason="setxkbmap is not installed"),
]

# Taps each action spec read from stdin through the desktop sink, answers "ok" when it is out.
TYPIST = """
import sys
from app.desktop.input_sink import create_input_sink
from pipeline.actions import parse_action
sink, warnings = create_input_sink()
try:
    for line in sys.stdin:
        parse_action(line.rstrip("\\n")).tap(sink)
        sink.wait_idle()
        print("ok", flush=True)
finally:
    sink.close()
"""


@pytest.fixture
def display() -> Iterator[str]:
    """A display of this test's own: its layout changes stay here."""
    with xvfb() as name:
        yield name


def setxkbmap(display: str, *args: str) -> None:
    subprocess.run(["setxkbmap", *args], env=x_env(display), check=True, timeout=30)


class Receiver:
    """A focused xterm copying the bytes it makes of the keys to a file."""

    def __init__(self, display: str, out: Path) -> None:
        self.out = out
        title = "handcue-layouts"
        self.proc = subprocess.Popen(
            ["xterm", "-T", title, "-geometry", "80x10+0+0", "-e", "sh", "-c",
             f"stty raw -echo; cat > {out}"],
            env=x_env(display), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            focus_window(display, title)
            assert poll(out.exists, 10), "the xterm's shell did not start"
        except BaseException:
            stop(self.proc)
            raise
        time.sleep(0.5)  # the shell must reach stty raw before keys arrive

    def text(self, length: int, timeout: float = 10.0) -> str:
        """What arrived, once it is ``length`` bytes long (or ``timeout`` passed)."""
        poll(lambda: self.out.stat().st_size >= length, timeout)
        time.sleep(0.2)  # anything more that is on its way
        return self.out.read_text()


class Typist:
    """The subprocess that taps actions through the desktop sink."""

    def __init__(self, display: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", TYPIST], env=handcue_env(base=x_env(display)), cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def tap(self, *specs: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        for spec in specs:
            self.proc.stdin.write(spec + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline()
            assert answer == "ok\n", f"{spec}: {answer!r} {self.proc.stderr}"

    def close(self) -> str:
        """End it (end of its input); its standard error."""
        _, errors = self.proc.communicate(timeout=30)
        return errors

    def stop(self) -> None:
        stop(self.proc)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@contextlib.contextmanager
def typing_into_xterm(display: str, tmp_path: Path) -> Iterator[tuple[Typist, Receiver]]:
    receiver = Receiver(display, tmp_path / "received.txt")
    typist = Typist(display)
    try:
        yield typist, receiver
        assert typist.close() == ""
        state = XState(display)
        try:
            assert state.keys_down() == [], "a key is still held"
        finally:
            state.close()
    finally:
        typist.stop()
        stop(receiver.proc)


@pytest.mark.parametrize(
    ("layout", "specs", "expected"),
    [
        ("de", ["key:z", "key:y", "type:zy"], "zyzy"),  # QWERTZ: z and y swap places
        ("fr", ["key:z", "key:w", "key:a", "key:q", "type:zwaq"], "zwaqzwaq"),  # AZERTY
    ],
)
def test_a_layout_switched_while_running_is_followed_at_once(
    display: str, tmp_path: Path, layout: str, specs: list[str], expected: str
) -> None:
    setxkbmap(display, "us")
    with typing_into_xterm(display, tmp_path) as (typist, receiver):
        typist.tap("key:z")  # the keymap is read: the US one
        # xterm turns a key into a character when it reads the event: wait until it has, or
        # the switch below can overtake it (the z then arrived as the new layout's w).
        assert receiver.text(1) == "z"
        setxkbmap(display, layout)  # the user switches layout while HandCue runs
        typist.tap(*specs)  # at once: well within the 5 s the keymap used to be kept
        assert receiver.text(1 + len(expected)) == "z" + expected


def test_the_active_group_of_a_two_layout_setup_is_used(display: str, tmp_path: Path) -> None:
    setxkbmap(display, "-layout", "us,de", "-option", "grp:caps_toggle")
    state = XState(display)
    try:
        # Caps Lock is ISO_Next_Group now: pressing it (XTEST, like a real key) locks German.
        from Xlib import X
        from Xlib.ext import xtest

        caps = state.display.keysym_to_keycode(0xFE08)  # ISO_Next_Group
        assert caps, "grp:caps_toggle gave no key ISO_Next_Group"
        xtest.fake_input(state.display, X.KeyPress, caps)
        xtest.fake_input(state.display, X.KeyRelease, caps)
        state.display.sync()
        assert poll(lambda: state.display.screen().root.query_pointer().mask & 0x6000, 5)
    finally:
        state.close()
    with typing_into_xterm(display, tmp_path) as (typist, receiver):
        typist.tap("key:z", "key:y", "type:zy", "type:Zürich")
        assert receiver.text(len("zyzyZürich".encode())) == "zyzyZürich"
