"""Keys reach an application that ignores synthetic input: xterm (default settings ignore
XSendEvent events; only XTEST input, as from a real keyboard, gets through).

The xterm runs ``stty raw -echo; dd`` so every byte the terminal makes of the keys lands in a
file: ``n`` is ``n``, ctrl+shift+t is Ctrl-T (0x14), the right arrow ``ESC [ C``.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import DATA, ROOT
from tests.support.commands import handcue_env, run_handcue
from tests.support.xserver import stop, x_env, xvfb

VIDEO = DATA / "videos" / "fist_then_thumb_up_720p.mp4"
TEXT = "Hello, World! 42 #$%&*()_+-=[]{};:'\"<>?/|\\~`"

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
def terminal(display: str, tmp_path: Path):
    """Start a focused xterm that writes the first ``count`` bytes it gets to a file; yields a
    function returning those bytes (waiting for them)."""
    procs: list[subprocess.Popen] = []

    def start(count: int):
        out = tmp_path / "received.bin"
        title = f"handcue-xterm-{len(procs)}"
        command = f"stty raw -echo; dd bs=1 count={count} of={out} 2>/dev/null"
        proc = subprocess.Popen(
            ["xterm", "-T", title, "-geometry", "80x10+0+0", "-e", "sh", "-c", command],
            env=x_env(display), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        procs.append(proc)
        xdo = {"env": x_env(display), "capture_output": True, "text": True, "timeout": 30}
        found = subprocess.run(["xdotool", "search", "--sync", "--name", title], **xdo)
        wid = found.stdout.split()[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", wid], check=True, **xdo)
        time.sleep(0.5)  # the shell must reach stty raw before keys arrive

        def received(timeout: float = 30) -> bytes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout)  # dd exits after `count` bytes, and xterm with it
            return out.read_bytes() if out.exists() else b""

        return received

    yield start
    for proc in procs:
        stop(proc)


def test_keys_combos_and_text_reach_xterm(display, terminal) -> None:
    expected = b"n\x14" + TEXT.encode()
    received = terminal(len(expected))
    code = f"""
from app.desktop.input_sink import create_input_sink
from pipeline.actions import parse_action
sink, warnings = create_input_sink()
try:
    for spec in ["key:n", "combo:ctrl+shift+t", {("type:" + TEXT)!r}]:
        parse_action(spec).tap(sink)
finally:
    sink.close()
"""
    done = subprocess.run([sys.executable, "-c", code], env=handcue_env(base=x_env(display)),
                          cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert received() == expected


@pytest.mark.realdata
@pytest.mark.skipif(not VIDEO.exists(), reason=f"{VIDEO} not found")
def test_handcue_run_reaches_xterm(display, terminal, tmp_path) -> None:
    """A real run on the shared video: the fist sends the right arrow, the thumb up ``n``, and
    xterm gets both."""
    expected = b"\x1b[Cn"
    received = terminal(len(expected))
    env = handcue_env(tmp_path, base=x_env(display))
    argv = ["--source", str(VIDEO), "--map", "fist=key:right", "--map", "thumb_up=key:n"]
    done = run_handcue("run", *argv, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    actions = [json.loads(line) for line in done.stdout.splitlines()]
    actions = [a for a in actions if a["type"] == "action"]
    assert [a["action"] for a in actions if a["status"] == "done"] == ["key:right", "key:n"]
    assert received() == expected
