"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import DATA

SHARED_DATA = DATA.resolve()


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
        pytest.skip(
            f"real data not found at {SHARED_DATA} "
            "(the README's Development section says where it goes)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def hagrid_static_results(shared_data: Path) -> dict[str, object]:
    """Our tracker's static-mode result (max 2 hands, as ``track_photos`` and ``handcue detect``
    run it) for every photo of ``reference/hagrid-dev.jsonl``, by its path relative to the
    data folder. Made once per session: the landmark-accuracy and the gesture tests read the
    same 300 photos, and each pass costs about a minute (two worker processes)."""
    import json

    from tests.support.static_photos import track_static

    lines = (shared_data / "reference" / "hagrid-dev.jsonl").read_text().splitlines()
    return dict(track_static(shared_data, [json.loads(line)["image"] for line in lines]))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that read the shared photos and videos are ``realdata`` (slow): the fast inner
    loop is ``pytest -m "not realdata and not xvfb"``; ``./test.sh`` runs everything.

    The offscreen Qt platform's "This plugin does not support ..." messages (a window shown or
    raised) are ignored in every test, not only the GUI ones: one posted at the end of a GUI
    test can be logged during the next test, whatever file that is."""
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)
        item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support"))
