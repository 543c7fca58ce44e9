"""A damaged model file is refused when its session is made, with the line ``handcue models
verify`` gives, instead of loading and reading hands wrong (issue 38); the check is cached by
the file's size and modification time so that start-up stays fast.

The real installed models are never touched: each test copies them into a folder of its own
and points ``HANDCUE_MODELS_DIR`` at it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.cli import main
from pipeline.errors import ModelsMissingError
from pipeline.models import manifest as manifest_mod
from pipeline.models.manifest import model_path
from pipeline.models.session import InferenceSession
from pipeline.paths import project_root

REAL_MODELS = project_root() / "models"


@pytest.fixture()
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if not (REAL_MODELS / "hand_landmark_full.onnx.sha256").is_file():
        pytest.skip("run `handcue models install` in the checkout first")
    folder = tmp_path / "models"
    folder.mkdir()
    for f in (*REAL_MODELS.glob("*.onnx"), *REAL_MODELS.glob("*.onnx.sha256")):
        shutil.copy2(f, folder / f.name)
    shutil.copy2(REAL_MODELS / "manifest.toml", folder / "manifest.toml")
    monkeypatch.setenv("HANDCUE_MODELS_DIR", str(folder))
    return folder


def _damage(path: Path, size: int = 4096) -> None:
    """XOR ``size`` bytes in the middle of ``path`` (same size, new modification time)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + size] = bytes(b ^ 0xFF for b in data[middle : middle + size])
    path.write_bytes(bytes(data))


def _lite_over_full(models: Path) -> None:
    shutil.copy(models / "hand_landmark_lite.onnx", models / "hand_landmark_full.onnx")


def _flip_4kb(models: Path) -> None:
    _damage(models / "hand_landmark_full.onnx")


DAMAGES = {"4 KB flipped": _flip_4kb, "lite over full": _lite_over_full}


def _refusal(models: Path) -> str:
    return (
        f"cannot use the hand models in {models}: "
        "hand_landmark_full.onnx does not match its checksum (damaged?)."
    )


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_model_is_refused_when_its_session_is_made(models: Path, damage) -> None:
    damage(models)
    path = model_path("hand_landmark", "full")  # cheap: finds the file, hashes nothing
    with pytest.raises(ModelsMissingError) as info:
        InferenceSession(path)
    assert str(info.value).splitlines()[0] == _refusal(models)
    assert info.value.code == 3
    InferenceSession(model_path("hand_landmark", "lite"))  # the others still load


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_detect_says_what_models_verify_says(
    models: Path, damage, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage(models)
    code = main(["detect", str(shared_data / "photos" / "thumbs_up.jpg")])
    out, detect_err = capsys.readouterr()
    assert code == 3 and out == ""
    assert main(["models", "verify"]) == 3
    verify_err = capsys.readouterr().err
    assert "Traceback" not in detect_err + verify_err
    assert detect_err.splitlines()[0] == f"handcue: {_refusal(models)}"
    assert detect_err == verify_err
    assert detect_err.splitlines()[1:] == ["Install them with:  handcue models install"]


def test_the_check_is_cached_by_size_and_modification_time(
    models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []
    real = manifest_mod.sha256_file

    def counting(path: Path) -> str:
        hashed.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(manifest_mod, "sha256_file", counting)
    path = model_path("palm_detection", "lite")
    InferenceSession(path)
    assert hashed == ["palm_detection_lite.onnx"]  # first use: hashed
    InferenceSession(path)
    assert hashed == ["palm_detection_lite.onnx"]  # then taken from the cache
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    InferenceSession(path)
    assert len(hashed) == 2  # touched: hashed again
    _damage(path)
    with pytest.raises(ModelsMissingError, match="palm_detection_lite.onnx does not match"):
        InferenceSession(path)
    assert len(hashed) == 3


def test_models_list_hashes_again_and_its_finding_holds_for_sessions(
    models: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Damage that keeps size and modification time (a bad disk block, a tool that restores
    the time) gets past the cache; ``handcue models list`` and ``verify`` read every byte, and
    what they find is what the next session goes by."""
    path = model_path("palm_detection", "lite")
    InferenceSession(path)  # cached as good
    st = path.stat()
    _damage(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    InferenceSession(path)  # the cache cannot tell
    assert main(["models", "list"]) == 3
    assert "palm_detection_lite.onnx does not match its checksum" in capsys.readouterr().out
    with pytest.raises(ModelsMissingError, match="palm_detection_lite.onnx does not match"):
        InferenceSession(path)
