"""Running HandCue's command line (``python -m app.cli``) from the checkout in a subprocess, with
config and data folders of the test's own, and reading the JSON lines it prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support import ROOT

#: The command that starts HandCue's command line from the checkout (arguments follow).
HANDCUE = (sys.executable, "-m", "app.cli")


def handcue_env(
    tmp_path: Path | None = None, base: Mapping[str, str] | None = None, **extra: str
) -> dict[str, str]:
    """``base`` (this process's environment by default) for running HandCue's code from the
    checkout: the checkout first on PYTHONPATH and, with ``tmp_path``, the config and data
    folders ``tmp_path/config`` and ``tmp_path/data``; then ``extra``."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    if tmp_path is not None:
        env["HANDCUE_CONFIG_DIR"] = str(tmp_path / "config")
        env["HANDCUE_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def run_handcue(
    *argv: str, env: Mapping[str, str], timeout: float = 120, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """``handcue ARGV`` to its end; its output as text."""
    return subprocess.run(
        [*HANDCUE, *argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def start_handcue(
    *argv: str, env: Mapping[str, str], stderr: Any, cwd: Path = ROOT
) -> subprocess.Popen[str]:
    """``handcue ARGV`` started: its output to read as text from ``stdout``, its errors to
    ``stderr`` (an open file, or ``subprocess.PIPE``)."""
    return subprocess.Popen(
        [*HANDCUE, *argv], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=stderr, text=True
    )


def json_lines(text: str) -> list[dict[str, Any]]:
    """The JSON objects of the lines of ``text`` that start with ``{`` (other lines skipped)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]
