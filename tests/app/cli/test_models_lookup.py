"""Where the models are looked for (HANDCUE_MODELS_DIR, bundled, user data, source tree) and
where ``handcue models install`` writes, including inside a (simulated) frozen bundle."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from app.cli import main
from pipeline import paths
from pipeline.models.manifest import model_path

REAL = paths.project_root() / "models"


def _install_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in REAL.glob("*.onnx*"):
        shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture()
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    if not (REAL / "hand_landmark_full.onnx").is_file():
        pytest.skip("run `handcue models install` in the checkout first")
    monkeypatch.delenv("HANDCUE_MODELS_DIR", raising=False)
    monkeypatch.setenv("HANDCUE_DATA_DIR", str(tmp_path / "data"))
    return {
        "env": tmp_path / "env",
        "bundle": tmp_path / "bundle",
        "user": tmp_path / "data" / "models",
    }


def _freeze(monkeypatch: pytest.MonkeyPatch, bundle: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)


def test_checkout_uses_its_own_models_and_installs_there(places) -> None:
    assert paths.is_checkout()
    assert [w for w, _ in paths.models_search_path()] == ["user", "source"]
    assert paths.models_dir() == REAL
    assert paths.models_install_dir() == REAL
    assert model_path("hand_landmark", "full").parent == REAL


def test_user_data_comes_before_the_source_tree(places) -> None:
    _install_copy(places["user"])
    assert paths.models_dir() == places["user"]
    assert model_path("palm_detection", "lite", check_hash=True).parent == places["user"]


def test_env_comes_first_even_when_empty(places, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_copy(places["user"])
    monkeypatch.setenv("HANDCUE_MODELS_DIR", str(places["env"]))
    assert paths.models_dir() == places["env"] == paths.models_install_dir()


def test_frozen_bundle_order_and_install_target(places, monkeypatch: pytest.MonkeyPatch) -> None:
    _freeze(monkeypatch, places["bundle"])
    assert [w for w, _ in paths.models_search_path()] == ["bundled", "user"]
    assert paths.models_install_dir() == places["user"]  # never into the bundle
    assert paths.models_dir() == places["user"]  # nothing installed yet: where install writes
    _install_copy(places["user"])
    _install_copy(places["bundle"] / "models")
    assert paths.models_dir() == places["bundle"] / "models"


def test_models_install_in_a_bundle_that_ships_them(
    places, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _freeze(monkeypatch, places["bundle"])
    _install_copy(places["bundle"] / "models")
    assert main(["models", "install"]) == 0
    assert "shipped with this build" in capsys.readouterr().out
    assert not places["user"].exists()
    assert main(["models", "list"]) == 0
    assert f"models folder: {places['bundle'] / 'models'}" in capsys.readouterr().out


def test_models_install_in_a_bundle_without_them_says_why(
    places, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _freeze(monkeypatch, places["bundle"])
    assert main(["models", "install"]) == 5
    err = capsys.readouterr().err
    assert "cannot download the models itself" in err and "--wheel" in err
    assert not list(places["user"].glob("*.onnx"))
