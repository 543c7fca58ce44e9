"""The import contracts of ``.importlinter`` hold, and the checker would see a breach: a
function-level import of Qt inside ``pipeline`` (a copy of the tree, so the real one stays
untouched) breaks the core's contract."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def _lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache", str(folder / ".importlinter")],
        cwd=folder, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder)},
    )  # fmt: skip


def test_the_contracts_hold() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout


def test_a_function_level_qt_import_in_pipeline_breaks_the_core_contract(tmp_path: Path) -> None:
    for name in ("app", "pipeline"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    with (tmp_path / "pipeline" / "fileio.py").open("a", encoding="utf-8") as f:
        f.write("\n\ndef _late() -> None:\n    from PySide6 import QtCore  # noqa: F401\n")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "pipeline imports no Qt, no pynput and nothing of app BROKEN" in done.stdout
    assert "pipeline.fileio -> PySide6" in done.stdout
