"""ONNX Runtime's telemetry is off: building a session writes nothing outside HandCue's folders
(onnxruntime 1.2x otherwise creates ``~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,
onnxruntime.db}`` on every start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.commands import handcue_env

MODEL = ROOT / "models" / "palm_detection_lite.onnx"


@pytest.mark.skipif(not MODEL.exists(), reason="models not installed (handcue models install)")
def test_a_session_leaves_no_files_in_the_home_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = handcue_env(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    env.pop("ORT_DISABLE_TELEMETRY", None)
    code = f"from pipeline.models.session import InferenceSession; InferenceSession({str(MODEL)!r})"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [str(p.relative_to(home)) for p in home.rglob("*")] == []
