"""Commands other than ``handcue gui`` never load Qt, also through imports made at run time:
``handcue run`` (asking the running app about its camera, pointer mode on) and ``handcue
detect`` finish without PySide6 or pyqtgraph in ``sys.modules``. (The import contracts check
the code's imports; this checks what a real run imports.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import DATA, ROOT
from tests.support.commands import handcue_env

VIDEO = DATA / "videos" / "open_hand_360p.mp4"
PHOTO = DATA / "photos"

CHECK = """
import json, sys
from app.cli import main
code = main(sys.argv[1:])
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "OpenGL"))
print(json.dumps({"code": code, "qt": qt}))
"""


def _run(tmp_path: Path, *argv: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, *argv], env=handcue_env(tmp_path), cwd=ROOT,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.realdata
def test_handcue_run_with_pointer_mode_loads_no_qt(tmp_path: Path) -> None:
    argv = ("run", "--source", str(VIDEO), "--dry-run", "--pointer", "--frame-step", "5")
    assert _run(tmp_path, *argv) == {"code": 0, "qt": []}


def test_handcue_run_on_a_camera_asks_the_app_without_qt(tmp_path: Path) -> None:
    result = _run(tmp_path, "run", "--source", "0", "--dry-run")
    assert result["qt"] == [] and result["code"] != 0  # no camera here: a clean refusal


@pytest.mark.realdata
def test_handcue_detect_loads_no_qt(tmp_path: Path) -> None:
    photo = sorted(p for p in PHOTO.rglob("*.jpg"))[0]
    assert _run(tmp_path, "detect", str(photo)) == {"code": 0, "qt": []}
