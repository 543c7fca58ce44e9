"""installer/startup_time.py: the start-up measurement (launch -> first tracked frame) that
installer/test_bundle.sh runs on the bundle, here on the venv's ``handcue``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support import ROOT

sys.path.insert(0, str(ROOT / "installer"))

import startup_time  # noqa: E402


def test_helpers_cpu_counts_the_children_and_grandchildren():
    """A child that starts a busy grandchild: the grandchild's CPU counts for both."""
    busy = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    grandchild = busy + "time.sleep(30)\n"
    code = (f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
            f"{grandchild!r}]); time.sleep(30)")  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        seen = 0.0
        while time.monotonic() < deadline and seen < 0.3:
            seen = startup_time.helpers_cpu(child.pid)  # the grandchild only
            time.sleep(0.1)
        assert seen >= 0.3, seen
        assert startup_time.helpers_cpu(os.getpid()) >= 0.3  # child + grandchild
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


@pytest.mark.realdata
@pytest.mark.xvfb
def test_measures_the_venv_app(shared_data):
    exe = ROOT / ".venv" / "bin" / "handcue"
    if not exe.exists():
        pytest.skip("no .venv/bin/handcue")
    video = shared_data / "videos" / "open_hand_360p.mp4"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "startup_time.py"), "--exe", str(exe),
         "--video", str(video), "--runs", "1", "--json", "--timeout", "120"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    assert run["run"] == 1
    assert run["wall_s"] > 0 and run["app_cpu_s"] > 0  # the app recorded its first frame
    assert run["helpers_cpu_s"] > 0  # the input guardian, a process of its own
    assert run["cpu_s"] == pytest.approx(run["app_cpu_s"] + run["helpers_cpu_s"])


def test_missing_exe_is_a_clear_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "startup_time.py"), "--exe",
         str(tmp_path / "nope")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr
