"""``handcue models install``: idempotence, checksum, network and disk errors."""

from __future__ import annotations

import errno
import shutil
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import HandCueError, ModelsMissingError
from pipeline.fileio import AtomicWriteError
from pipeline.models import install as install_mod
from pipeline.models.manifest import load_manifest, model_path
from pipeline.paths import project_root

REAL_MODELS = project_root() / "models"


@pytest.fixture()
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(REAL_MODELS / "manifest.toml", folder / "manifest.toml")
    monkeypatch.setenv("HANDCUE_MODELS_DIR", str(folder))
    return folder


def _fake_wheel(path: Path, content: bytes | None) -> Path:
    manifest = load_manifest(REAL_MODELS)
    with zipfile.ZipFile(path, "w") as zf:
        for entry in (*manifest.models, *manifest.extras):
            data = content if content is not None else manifest.cache_path(entry).read_bytes()
            zf.writestr(entry.member, data)
    return path


def test_missing_models_name_the_command(models_dir: Path) -> None:
    with pytest.raises(ModelsMissingError, match="handcue models install"):
        model_path("hand_landmark", "full")


def test_install_from_wheel_then_nothing_to_do(models_dir: Path, tmp_path: Path) -> None:
    wheel = _fake_wheel(tmp_path / "mediapipe-0.10.14-py3-none-any.whl", None)
    messages: list[str] = []
    assert install_mod.install(load_manifest(), wheel=wheel, report=messages.append) is True
    assert model_path("hand_landmark", "lite", check_hash=True).is_file()
    assert (models_dir / "palm_detection_full.onnx.sha256").read_text().split()[
        1
    ] == "palm_detection_full.onnx"
    messages.clear()
    assert install_mod.install(load_manifest(), report=messages.append) is False
    assert "nothing to do" in messages[-1]


def test_damaged_onnx_is_rebuilt(models_dir: Path, tmp_path: Path) -> None:
    wheel = _fake_wheel(tmp_path / "w.whl", None)
    install_mod.install(load_manifest(), wheel=wheel, report=lambda m: None)
    target = models_dir / "hand_landmark_lite.onnx"
    target.write_bytes(b"garbage")
    assert install_mod.install(load_manifest(), report=lambda m: None) is True
    assert model_path("hand_landmark", "lite", check_hash=True) == target


def test_checksum_mismatch_writes_nothing(models_dir: Path, tmp_path: Path) -> None:
    wheel = _fake_wheel(tmp_path / "bad.whl", b"tampered")
    with pytest.raises(HandCueError, match="checksum mismatch") as info:
        install_mod.install(load_manifest(), wheel=wheel, report=lambda m: None)
    assert info.value.code == 6
    assert not list(models_dir.glob("*.onnx"))
    assert not list((models_dir / "cache").glob("*.tflite"))


def test_no_network_gives_clear_error(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    with pytest.raises(HandCueError, match="no network") as info:
        install_mod.install(load_manifest(), report=lambda m: None)
    assert info.value.code == 5


@pytest.mark.parametrize(
    "err,expected",
    [
        (errno.ENOSPC, "disk .* is full"),
        (errno.EACCES, "cannot write"),
        (errno.EROFS, "cannot write"),
    ],
)
def test_disk_errors_are_explained(
    models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int, expected: str
) -> None:
    wheel = _fake_wheel(tmp_path / "w.whl", None)

    def failing_write(path: Path, data: bytes) -> None:
        raise AtomicWriteError(f"cannot save {path}: simulated", path, "simulated", err)

    monkeypatch.setattr(install_mod, "atomic_write_bytes", failing_write)
    with pytest.raises(HandCueError, match=expected) as info:
        install_mod.install(load_manifest(), wheel=wheel, report=lambda m: None)
    assert info.value.code == 4
    assert not list(models_dir.glob("*.onnx"))


def test_folder_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(REAL_MODELS / "manifest.toml", folder / "manifest.toml")
    (folder / "cache").write_text("a file where the cache folder should be")
    monkeypatch.setenv("HANDCUE_MODELS_DIR", str(folder))
    with pytest.raises(HandCueError, match="cannot write") as info:
        install_mod.install(load_manifest(), report=lambda m: None)
    assert info.value.code == 4


def test_too_little_free_space_is_reported_before_downloading(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(install_mod.shutil, "disk_usage", lambda p: usage(10**9, 10**9, 5 * 10**6))
    with pytest.raises(HandCueError, match="full") as info:
        install_mod.install(load_manifest(), report=lambda m: None)
    assert info.value.code == 4
