"""Issue 38, case 2 on the command line: ``handcue config import`` over a settings file with a
mistake keeps that file under its own name and leaves ``config.toml.bak`` the last good file
(before, the broken file replaced the backup and the command said the old settings were in
``.bak``); over a good file the old one goes to ``.bak`` as before."""

from __future__ import annotations

from pathlib import Path

from tests.support.commands import handcue_env, run_handcue

GOOD = '[profiles.mine]\nmappings = [{ gesture = "thumb_up", action = "key:a" }]\n'
TYPO = '[profiles.mine]\nmappings = [{ gesture = "thumb_up", action = "key:rihgt" }]\n'
NEW = "[tracker]\nmax_hands = 1\n"


def _import(tmp_path: Path, current: str | None, backup: str | None):
    folder = tmp_path / "config"
    folder.mkdir()
    if current is not None:
        (folder / "config.toml").write_text(current)
    if backup is not None:
        (folder / "config.toml.bak").write_text(backup)
    new = tmp_path / "new.toml"
    new.write_text(NEW)
    done = run_handcue("config", "import", str(new), env=handcue_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (folder / "config.toml").read_text() == NEW
    return folder, done.stdout


def test_import_over_a_file_with_a_mistake_keeps_it_and_the_good_backup(tmp_path: Path) -> None:
    folder, out = _import(tmp_path, TYPO, GOOD)
    (kept,) = folder.glob("config.toml.invalid-*")
    assert kept.read_text() == TYPO
    assert (folder / "config.toml.bak").read_text() == GOOD
    assert f"kept as {kept.name}" in out and ".bak" not in out


def test_import_over_a_good_file_backs_it_up(tmp_path: Path) -> None:
    folder, out = _import(tmp_path, GOOD, None)
    assert (folder / "config.toml.bak").read_text() == GOOD
    assert "previous settings kept as config.toml.bak" in out


def test_a_first_import_mentions_no_backup(tmp_path: Path) -> None:
    folder, out = _import(tmp_path, None, None)
    assert not (folder / "config.toml.bak").exists() and "kept" not in out
