"""installer/handcue_entry.py, the bundled build's entry script: the input guardian starts
without loading the command line (start-up CPU), everything else goes to app.cli."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import ROOT
from tests.support.commands import handcue_env

ENTRY = ROOT / "installer" / "handcue_entry.py"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-X", "importtime", str(ENTRY), *args], cwd=ROOT,
        env=handcue_env(**env), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _imported(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if "|" in line}


@pytest.mark.xvfb
def test_input_guardian_starts_without_the_command_line():
    from tests.support.xserver import xvfb

    with xvfb() as display:
        proc = _run(["--input-guardian"], DISPLAY=display)
    assert proc.returncode == 0, proc.stderr[-2000:]  # stdin closed at once: nothing held
    modules = _imported(proc.stderr)
    assert "app.desktop.guardian" in modules
    assert "app.cli" not in modules and "app.version" not in modules


def test_other_arguments_go_to_the_command_line():
    proc = _run(["--version"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("handcue ")
    assert "app.cli" in _imported(proc.stderr)
