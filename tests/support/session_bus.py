"""A private session D-Bus for tests: a real ``dbus-daemon`` in a temporary folder, and the
fake services (:mod:`tests.support.fake_portal`, :mod:`tests.support.fake_kwin`) started on it
as separate processes, the way the real ones run beside HandCue."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.waiting import poll
from tests.support.xserver import stop

REPO = Path(__file__).resolve().parents[2]

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def dbus_daemon_missing() -> str | None:
    """Why a private bus cannot be started here, None when it can."""
    if shutil.which("dbus-daemon") is None:
        return "dbus-daemon is not installed (Debian package dbus-daemon)"
    return None


@contextlib.contextmanager
def private_session_bus(folder: Path) -> Iterator[str]:
    """Run a session bus whose socket lies in ``folder``; yields its address."""
    socket = folder / "bus"
    config = folder / "session.conf"
    config.write_text(_CONFIG.format(socket=socket))
    proc = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()
        if not address:
            raise RuntimeError(
                f"dbus-daemon did not start: {proc.stderr.read() if proc.stderr else ''}"
            )
        yield address
    finally:
        stop(proc, timeout=10)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def name_has_owner(address: str, name: str) -> bool:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(address) as conn:
        reply = conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=10)
        return bool(reply.body[0])


def start_service(
    module: str, address: str, bus_name: str, args: list[str], timeout: float = 30
) -> subprocess.Popen[bytes]:
    """Start ``python -m module --address ADDRESS ARGS...`` and wait until it owns
    ``bus_name`` on the bus."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", module, "--address", address, *args], cwd=REPO, env=env
    )
    if not poll(lambda: proc.poll() is not None or name_has_owner(address, bus_name), timeout):
        proc.kill()
        raise RuntimeError(f"{module} did not take {bus_name} within {timeout} s")
    if proc.poll() is not None:
        raise RuntimeError(f"{module} ended at once (exit {proc.returncode})")
    return proc


def wait_for_exit(proc: subprocess.Popen[bytes], timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return proc.returncode
        time.sleep(0.05)
    return proc.poll()
