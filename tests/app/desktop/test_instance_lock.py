"""The single-instance lock decides by who holds it, not by what its file says (issue 38, case 12).

A lock file left by a HandCue that crashed can name a PID the system has since given to an
unrelated live process (of the same program name: another Python), or be empty or garbage after
a crash mid-write or a full disk. None of these is a HandCue running: the app must start, not
say "another HandCue is starting ... try again" for ever. A HandCue that really runs still keeps
the second launch out (the second one is handed over: see test_single_instance.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.desktop.instance_client import ask_running_instance, lock_path
from app.desktop.single_instance import InstanceServer
from tests.support import ROOT
from tests.support.commands import handcue_env, start_handcue
from tests.support.waiting import wait_until

GARBAGE = {
    "empty": b"",
    "binary garbage": bytes(range(256)),
    "half a line": b"12",
    "not a number": b"handcue\nhandcue\nhandcue\n",
}


@pytest.fixture()
def unrelated_python() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is not HandCue but runs the same program (Python) as HandCue does
    from a checkout: what a PID reused after a crash is likely to belong to."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait(30)


def _lock_naming(pid: int) -> bytes:
    """The lock file a HandCue writes while it runs, as if written by process ``pid`` (what is
    left when that HandCue is killed and ``pid`` is then given to another process)."""
    srv = InstanceServer(lambda: {})
    assert srv.claim()
    held = lock_path().read_bytes()
    srv.close()
    first, newline, rest = held.partition(b"\n")
    assert first.strip().isdigit() or not held, held  # its first line is the holder's PID
    return str(pid).encode() + newline + rest


def _claims_with(content: bytes) -> bool:
    lock_path().write_bytes(content)
    srv = InstanceServer(lambda: {})
    try:
        return srv.claim(300)
    finally:
        srv.close()


def test_a_lock_naming_a_live_unrelated_process_is_stale(qapp, unrelated_python) -> None:
    assert _claims_with(_lock_naming(unrelated_python.pid))
    assert unrelated_python.poll() is None  # left alone


@pytest.mark.parametrize("content", list(GARBAGE.values()), ids=list(GARBAGE))
def test_an_empty_or_garbage_lock_file_is_stale(qapp, content: bytes) -> None:
    assert _claims_with(content)


def _hold_lock_in_another_process() -> subprocess.Popen[str]:
    """A second process (no Qt) holding the instance lock until killed."""
    code = (
        "import sys, time; from app.desktop.instance_client import InstanceLock, lock_path;"
        "lock = InstanceLock(lock_path()); assert lock.acquire();"
        "assert 'PySide6' not in sys.modules, 'Qt loaded'; print('held', flush=True);"
        "time.sleep(120)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, env=handcue_env())  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_the_lock_is_held_by_the_running_process_only(qapp) -> None:
    """Qt-free: held in one process, refused in another whatever the file says; free again
    the moment the holder dies, even by SIGKILL (the OS drops the lock)."""
    from app.desktop.instance_client import InstanceLock

    holder = _hold_lock_in_another_process()
    try:
        lock_path().write_bytes(b"garbage")  # what the file says does not matter
        assert not InstanceLock(lock_path()).acquire(200)
        srv = InstanceServer(lambda: {})
        assert not srv.claim(200)
        srv.close()
    finally:
        holder.kill()  # SIGKILL on Unix: no clean-up of its own
        holder.communicate(timeout=30)
    lock = InstanceLock(lock_path())
    try:
        assert lock.acquire(2000)
        assert not InstanceLock(lock_path()).acquire()  # one holder in this process too
    finally:
        lock.release()
    again = InstanceLock(lock_path())
    assert again.acquire()  # released: free again
    again.release()


def test_app_starts_over_a_lock_left_naming_a_live_unrelated_process(
    qapp, unrelated_python, tmp_path: Path
) -> None:
    """The whole app, as a user starts it: before, ``handcue gui`` waited and then said
    "another HandCue is starting but does not answer; try again" (and again, for ever)."""
    lock_path().write_bytes(_lock_naming(unrelated_python.pid))
    log = (tmp_path / "stderr.txt").open("w+", encoding="utf-8")
    app = start_handcue("gui", env=handcue_env(QT_QPA_PLATFORM="offscreen"), stderr=log)
    try:

        def answers() -> bool:
            if app.poll() is not None:
                log.seek(0)
                pytest.fail(f"handcue gui ended ({app.returncode}): {log.read()}")
            return ask_running_instance({"cmd": "status"}, timeout_ms=300) is not None

        wait_until(answers, 60, "handcue gui to start and answer", interval=0.2)
    finally:
        app.terminate()
        app.communicate(timeout=30)
        log.close()
    assert unrelated_python.poll() is None


def test_the_lock_file_is_not_left_behind_after_a_clean_exit(qapp) -> None:
    srv = InstanceServer(lambda: {})
    assert srv.claim()
    srv.close()
    assert not lock_path().exists() or os.name == "nt"
