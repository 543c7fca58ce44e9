"""Sources that would hang OpenCV are refused before it sees them, and a slow open can always be
interrupted: named pipes, devices that are not cameras, folders named like videos, a camera
index that does not exist (one clear line, no OpenCV log), Ctrl-C during an open that blocks in
native code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.errors import SourceError
from pipeline.sources import open_source
from tests.support import ROOT
from tests.support.commands import handcue_env, run_handcue


def _open_within(spec: str, seconds: float = 1.0) -> BaseException | None:
    """Call open_source on a helper thread; the error it raised (None if it opened). Fails if
    it has not returned within ``seconds`` (a hang must fail the test, not block it)."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            open_source(spec).close()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"open_source({spec!r}) did not return within {seconds} s"
    return outcome[0]


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.mp4"
    os.mkfifo(path)
    return path


def test_a_named_pipe_is_refused(fifo: Path) -> None:
    error = _open_within(str(fifo))
    assert isinstance(error, SourceError)
    assert str(error) == f"{fifo}: is a named pipe (FIFO), not a video file"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_that_is_not_a_camera_is_refused() -> None:
    error = _open_within("/dev/zero")
    assert isinstance(error, SourceError)
    assert "is a device that is not a camera" in str(error)


def test_a_folder_named_like_a_video_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "clip.mp4"
    folder.mkdir()
    error = _open_within(str(folder))
    assert isinstance(error, SourceError)
    assert str(error) == f"{folder}: is a folder (with no images), not a video file"


def _env() -> dict:
    return handcue_env(HANDCUE_CONFIG_DIR="/nonexistent-config")


@pytest.mark.parametrize("kind", ["fifo", "missing camera"])
def test_handcue_run_says_it_in_one_line(kind: str, fifo: Path) -> None:
    spec = str(fifo) if kind == "fifo" else "7"
    if kind == "missing camera" and Path("/dev/video7").exists():
        pytest.skip("this machine has a /dev/video7")
    done = run_handcue("run", "--dry-run", "--source", spec, env=_env())
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, lines
    assert lines[0] in (
        f"handcue: {fifo}: is a named pipe (FIFO), not a video file",
        "handcue: camera 7 not found (there is no /dev/video7)",
    )


# The open blocks inside OpenCV's native code (FFmpeg opening a named pipe nobody writes to),
# where a signal cannot raise: the file given is a regular file, so HandCue's own checks pass.
SLOW_OPEN = r"""
import sys
import cv2
from pipeline.sources import video as sources
real = cv2.VideoCapture
def slow(spec, *args):
    print("opening", file=sys.stderr, flush=True)
    return real(sys.argv[1], *args)
sources.cv2.VideoCapture = slow
from app.cli import main
sys.exit(main(["run", "--dry-run", "--source", sys.argv[2]]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes and SIGINT are POSIX here")
def test_ctrl_c_during_a_slow_open_exits(fifo: Path, tmp_path: Path) -> None:
    video = tmp_path / "slow.mp4"
    video.write_bytes(b"\0" * 1024)
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_OPEN, str(fifo), str(video)],
        env=_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline().strip() == "opening"
        time.sleep(0.5)  # well inside the native open
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = proc.wait(30)  # a hang fails here instead of blocking the suite
        waited = time.monotonic() - started
        rest = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    assert code == 130, rest
    assert "Traceback" not in rest
    assert waited < 5.0, f"exited {waited:.1f} s after Ctrl-C"
