"""The input guardian (app/desktop/guardian.py): its own release, checked where nothing else
could do it.

The keys and the button are pressed through XTEST by this test's own X connection, which stays
open: when the process that told the guardian about them is SIGKILLed, only the guardian can
lift them (an X server may drop input of a client that disconnects, but not of one that lives).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.desktop.guardian import GuardedSink
from pipeline.actions import RecordingSink
from tests.support import ROOT
from tests.support.commands import handcue_env
from tests.support.waiting import poll, wait_until
from tests.support.xserver import XState, x_env, xvfb


class _Notes:
    """A stand-in for InputGuardian that records what it is told, in order with sink calls."""

    def __init__(self, log: list) -> None:
        self.log = log

    def note(self, change: str, kind: str, name: str) -> None:
        self.log.append(("note", change, kind, name))

    def close(self) -> None:
        self.log.append(("guardian closed",))


class _LoggingSink(RecordingSink):
    def __init__(self, log: list) -> None:
        super().__init__()
        self.log = log

    def press_key(self, key: str) -> None:
        self.log.append(("sink", "press_key", key))

    def release_key(self, key: str) -> None:
        self.log.append(("sink", "release_key", key))

    def press_button(self, button: str) -> None:
        self.log.append(("sink", "press_button", button))

    def release_button(self, button: str) -> None:
        self.log.append(("sink", "release_button", button))

    def click(self, button: str, count: int = 1) -> None:
        self.log.append(("sink", "click", button))

    def type_text(self, text: str) -> None:
        self.log.append(("sink", "type_text", text))

    def close(self) -> None:
        self.log.append(("sink closed",))


def test_guarded_sink_reports_presses_before_and_releases_after() -> None:
    log: list = []
    sink = GuardedSink(_LoggingSink(log), _Notes(log))  # type: ignore[arg-type]
    sink.press_key("f")
    sink.release_key("f")
    sink.press_button("left")
    sink.release_button("left")
    sink.click("right")
    sink.type_text("Hi")
    sink.close()
    assert log == [
        ("note", "down", "key", "f"), ("sink", "press_key", "f"),
        ("sink", "release_key", "f"), ("note", "up", "key", "f"),
        ("note", "down", "button", "left"), ("sink", "press_button", "left"),
        ("sink", "release_button", "left"), ("note", "up", "button", "left"),
        ("note", "down", "button", "right"), ("sink", "click", "right"),
        ("note", "up", "button", "right"),
        ("note", "down", "text", "Hi"), ("sink", "type_text", "Hi"),
        ("note", "up", "text", "Hi"),
        ("sink closed",), ("guardian closed",),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt xvfb)")
    with xvfb() as name:
        yield name


@pytest.fixture
def pressed(display: str) -> Iterator[tuple[XState, object]]:
    """g, Shift and the left button pressed by this test's own connection (kept open)."""
    from app.desktop.x11_keys import XTestKeyboard

    state = XState(display)
    keys = XTestKeyboard(display)
    keys.press("g")
    keys.press("shift")
    keys.press_button(1)
    assert state.key_down("g") and state.key_down("Shift_L") and state.button_down("left")
    yield state, keys
    keys.release_button(1)
    keys.close()
    state.close()


PARENT = r"""
import json, os, signal, sys
from app.desktop.guardian import InputGuardian
guardian = InputGuardian()
guardian.start()
for change, kind, name in json.loads(sys.argv[1]):
    guardian.note(change, kind, name)
print(guardian.pid, flush=True)
sys.stdin.readline()  # the test says when
os.kill(os.getpid(), getattr(signal, sys.argv[2]))
"""


def _parent(display: str, notes: list, how: str) -> tuple[subprocess.Popen, int]:
    env = handcue_env(base=x_env(display))
    proc = subprocess.Popen(
        [sys.executable, "-c", PARENT, json.dumps(notes), how],
        env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    pid = int(proc.stdout.readline())
    return proc, pid


def _gone(pid: int, timeout: float = 10.0) -> bool:
    def exited() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    return poll(exited, timeout)


def _ignores(pid: int, *signals: int) -> bool:
    """True once the process ignores all ``signals`` (Linux: SigIgn in /proc/PID/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = int(
        next(line.split()[1] for line in status.splitlines() if line.startswith("SigIgn")), 16
    )
    return all(mask & (1 << (sig - 1)) for sig in signals)


@pytest.mark.xvfb
@pytest.mark.parametrize("how", ["SIGKILL", "SIGSEGV", "SIGABRT"])
def test_guardian_releases_what_a_dead_process_held(display, pressed, how) -> None:
    state, _keys = pressed
    notes = [["down", "key", "g"], ["down", "key", "shift"], ["down", "button", "left"],
             ["down", "key", "n"], ["up", "key", "n"]]  # fmt: skip
    proc, pid = _parent(display, notes, how)
    assert proc.stdin is not None
    # the guardian runs in its own session, so HandCue's terminal cannot send it these; it
    # ignores them anyway once it is up
    wait_until(
        lambda: _ignores(pid, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT),
        30,
        "the guardian to start (ignoring SIGHUP, SIGINT and SIGQUIT)",
    )
    assert os.getsid(pid) == pid, "the guardian is not in a session of its own"
    os.kill(pid, signal.SIGHUP)
    os.kill(pid, signal.SIGINT)
    time.sleep(0.3)
    assert not _gone(pid, 0.0), "the guardian died of SIGHUP/SIGINT"
    assert state.key_down("g") and state.button_down("left")
    proc.stdin.write("go\n")
    proc.stdin.flush()
    _, errors = proc.communicate(timeout=30)
    assert proc.returncode == -getattr(signal, how)
    assert state.wait(lambda: not state.button_down("left") and not state.key_down("g"), 10)
    assert not state.key_down("Shift_L")
    assert _gone(pid), "the guardian did not exit after releasing"
    lines = [line for line in errors.splitlines() if "input guardian" in line]
    assert lines == [
        "handcue: input guardian: HandCue ended with button 'left' down; released it",
        "handcue: input guardian: HandCue ended with key 'shift' down; released it",
        "handcue: input guardian: HandCue ended with key 'g' down; released it",
    ]


@pytest.mark.xvfb
def test_guardian_releases_nothing_after_a_clean_close(display, pressed) -> None:
    """HandCue released everything itself (every down has its up): the guardian touches nothing,
    even though the keys are still down (pressed by someone else, as a user's own would be)."""
    state, _keys = pressed
    env = handcue_env(base=x_env(display))
    code = """
from app.desktop.guardian import InputGuardian
g = InputGuardian(); g.start()
g.note("down", "key", "g"); g.note("up", "key", "g")
g.close()
print(g.pid)
"""
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "input guardian" not in done.stderr
    assert state.key_down("g") and state.button_down("left")
