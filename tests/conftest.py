"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the user's real config and data folders."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("HANDCUE_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("HANDCUE_DATA_DIR", str(base / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real photos/videos with MediaPipe's reference output; skips when absent."""
    if not (SHARED_DATA / "reference").is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (the README's Development section says where it goes)")
    return SHARED_DATA


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that read the shared photos and videos are ``realdata`` (slow): the fast inner
    loop is ``pytest -m "not realdata and not xvfb"``; ``./test.sh`` runs everything."""
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)
