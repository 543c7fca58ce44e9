"""The app's window preferences (gui.toml) through the schema: defaults when the file is
missing, one line naming file, line and field for a bad value (defaults used), keys of other
versions ignored, the recent list capped, and a round trip through an atomic save."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.errors import HandCueError
from pipeline.settings.window import MAX_RECENT, GuiPrefs


def test_a_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    assert GuiPrefs.load(tmp_path / "gui.toml") == (GuiPrefs(), [])


def test_a_bad_value_names_file_line_and_field_and_keeps_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "gui.toml"
    path.write_text('mirror_files = true\n\nosd_position = "middle"\n', encoding="utf-8")
    prefs, problems = GuiPrefs.load(path)
    assert prefs == GuiPrefs()
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, line 3: osd_position: ")
    assert problems[0].endswith("(window preferences reset to defaults)")


def test_broken_toml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "gui.toml"
    path.write_text("mirror_files = \n", encoding="utf-8")
    prefs, problems = GuiPrefs.load(path)
    assert prefs == GuiPrefs() and len(problems) == 1 and str(path) in problems[0]


def test_unknown_keys_are_ignored_and_the_recent_list_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "gui.toml"
    many = ", ".join(f'"v{i}.mp4"' for i in range(MAX_RECENT + 3))
    path.write_text(f"window_width = 900\nrecent_sources = [{many}]\n", encoding="utf-8")
    prefs, problems = GuiPrefs.load(path)
    assert problems == []
    assert prefs.recent_sources == tuple(f"v{i}.mp4" for i in range(MAX_RECENT))


def test_changes_are_validated_and_saved_whole(tmp_path: Path) -> None:
    path = tmp_path / "gui.toml"
    prefs = GuiPrefs().changed(osd_position="bottom", recent_sources=("0", "/v/a.mp4"))
    prefs.save(path)
    assert GuiPrefs.load(path) == (prefs, [])
    with pytest.raises(ValidationError):
        prefs.changed(osd_position="middle")


def test_a_failed_save_raises_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "gui.toml"
    target.mkdir()  # something in the way that cannot be replaced by a file
    (target / "keep").write_text("x", encoding="utf-8")
    with pytest.raises(HandCueError, match="gui.toml"):
        GuiPrefs().changed(guide_seen=True).save(target)
    assert [p.name for p in tmp_path.iterdir()] == ["gui.toml"]
    assert (target / "keep").read_text(encoding="utf-8") == "x"
