"""The X server goes away under ``handcue run`` (issue 38, case 11): the run notices the lost
display, releases what it can, and ends within a few seconds with one clear line on stderr and
a non-zero exit code: no traceback, no pile of warnings from every part that used the display.

A real run (not a dry run: XTEST keys, the guardian, the pause hotkey's listener and the
active-window watcher all hold X connections) on the shared video paced in real time, on an
Xvfb of the test's own that the test kills.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import DATA
from tests.support.commands import handcue_env, start_handcue
from tests.support.xserver import stop, x_env

VIDEO = DATA / "videos" / "fist_then_thumb_up_720p.mp4"

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.realdata,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
    pytest.mark.skipif(not VIDEO.exists(), reason=f"{VIDEO} not found"),
]


@contextmanager
def killable_xvfb() -> Iterator[tuple[str, subprocess.Popen]]:
    """An Xvfb on a free display: ``(":N", its process)``."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_fd,),
    )  # fmt: skip
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            number = pipe.readline().strip()
        assert number.isdigit(), f"Xvfb did not start (exit {proc.poll()})"
        yield f":{number.decode()}", proc
    finally:
        stop(proc)


def wait_for_line(proc: subprocess.Popen, wanted, timeout: float) -> list[dict]:
    """Read ``proc``'s JSON lines until one makes ``wanted(line)`` true; the lines read."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    lines: list[dict] = []
    while time.monotonic() < deadline:
        text = proc.stdout.readline()
        if not text:
            break
        lines.append(json.loads(text))
        if wanted(lines[-1]):
            return lines
    pytest.fail(f"no such line within {timeout} s; got {lines}")


@pytest.mark.parametrize(
    ("mapping", "kill_after"),
    [
        ("thumb_up=key:n", lambda line: line["type"] == "start"),
        # a key is down (XTEST) when the server goes: its release cannot be sent any more
        ("thumb_up[trigger=hold]=key:shift", lambda line: line.get("phase") == "press"),
    ],
    ids=["idle", "key_held"],
)
def test_a_killed_x_server_ends_the_run_with_one_clear_line(
    tmp_path: Path, mapping: str, kill_after
) -> None:
    with killable_xvfb() as (display, xvfb_proc):
        env = handcue_env(tmp_path, base=x_env(display))
        errors = tmp_path / "stderr.txt"
        with errors.open("w") as err:
            argv = ["--source", str(VIDEO), "--realtime", "--map", mapping]
            proc = start_handcue("run", *argv, env=env, stderr=err)
            try:
                before = wait_for_line(proc, kill_after, timeout=120)
                time.sleep(0.3)
                xvfb_proc.send_signal(signal.SIGKILL)
                killed = time.monotonic()
                out, _ = proc.communicate(timeout=30)
                took = time.monotonic() - killed
            finally:
                stop(proc)
    stderr = errors.read_text()
    assert "Traceback" not in stderr, stderr
    assert proc.returncode not in (0, None), stderr
    assert took < 5.0, f"the run went on for {took:.1f} s after the X server died"
    lines = stderr.splitlines()
    hint = [line for line in lines if line.startswith("handcue: armed")]
    assert len(hint) == 1, stderr  # the controls line printed at the start
    backend = [line for line in lines if line.startswith("handcue: input: X11")]
    assert len(backend) == 1, stderr  # the start line naming the input backend
    [message] = [line for line in lines if line not in hint + backend]
    assert message.startswith("handcue: ") and "display" in message, message
    end = [json.loads(line) for line in out.splitlines() if line.startswith("{")][-1]
    assert end["type"] == "end" and end["reason"] == "display lost", end
    assert before, "the run had started"
