"""Keep gesture tests away from the user's real data folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDCUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HANDCUE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "data"
