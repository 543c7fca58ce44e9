"""A settings path that is a symbolic link loop (``a -> b -> a``, or a link to itself): every
command that reads or writes it says so in one line and exits non-zero, never a traceback;
saving through such a path in the app is refused the same way (issue 38, case 9).

The commands run in a subprocess (so a traceback lands on the stderr that is checked) with
``HANDCUE_CONFIG_DIR`` / ``HANDCUE_DATA_DIR`` in a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.fileio import AtomicWriteError, atomic_write_text
from tests.support.commands import handcue_env, run_handcue

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")

VALID = 'active_profile = "media"\n'


def _loop(folder: Path, name: str) -> Path:
    """``name -> name.other -> name``: a loop of two links in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    link, other = folder / name, folder / f"{name}.other"
    link.symlink_to(other.name)
    other.symlink_to(link.name)
    return link


def _one_clear_line(result, path: Path) -> None:
    """The first line on stderr names ``path`` and says it is a link loop (in HandCue's words
    or the OS's "Too many levels of symbolic links"); the exit code is not 0."""
    err = result.stderr
    assert result.returncode != 0, (result.stdout, err)
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert lines, "no message"
    assert str(path) in lines[0], lines[0]
    words = lines[0].replace(str(path), "PATH")  # the test's folder names say "loop" too
    assert "symbolic link" in words, lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ("config", "import", "{loop}"),
        ("config", "validate", "{loop}"),
        ("config", "export", "{loop}"),
        ("run", "--config", "{loop}", "--source", "{video}", "--dry-run"),
    ],
    ids=["import", "validate", "export", "run --config"],
)
def test_a_looping_file_argument_gets_one_line(tmp_path: Path, argv: tuple[str, ...]) -> None:
    loop = _loop(tmp_path / "work", "settings.toml")
    args = [a.format(loop=loop, video=tmp_path / "none.mp4") for a in argv]
    result = run_handcue(*args, env=handcue_env(tmp_path))
    _one_clear_line(result, loop)
    assert loop.is_symlink() and (tmp_path / "work" / "settings.toml.other").is_symlink()


def test_import_into_a_looping_settings_file_gets_one_line(tmp_path: Path) -> None:
    env = handcue_env(tmp_path)
    source = tmp_path / "mine.toml"
    source.write_text(VALID, encoding="utf-8")
    target = _loop(tmp_path / "config", "config.toml")
    result = run_handcue("config", "import", str(source), env=env)
    _one_clear_line(result, target)
    assert target.is_symlink()


def test_validate_does_not_call_a_looping_settings_file_missing(tmp_path: Path) -> None:
    target = _loop(tmp_path / "config", "config.toml")
    result = run_handcue("config", "validate", env=handcue_env(tmp_path))
    assert "no settings file yet" not in result.stdout
    _one_clear_line(result, target)


def test_export_into_a_looping_folder_gets_one_line(tmp_path: Path) -> None:
    folder = _loop(tmp_path, "out")
    result = run_handcue("config", "export", str(folder / "x.toml"), env=handcue_env(tmp_path))
    _one_clear_line(result, folder)


def test_saving_through_a_looping_link_is_refused(tmp_path: Path) -> None:
    """What the app's Save does (through the one atomic writer): an error the window can show,
    not a RuntimeError from pathlib; the links stay as they were."""
    loop = _loop(tmp_path, "config.toml")
    with pytest.raises(AtomicWriteError, match="symbolic link.*loop") as caught:
        atomic_write_text(loop, VALID, backup=True)
    assert caught.value.path == loop
    assert loop.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == [
        "config.toml",
        "config.toml.other",
    ]


def test_a_looping_config_folder_gets_one_line(tmp_path: Path) -> None:
    folder = _loop(tmp_path, "config")
    env = handcue_env(tmp_path, HANDCUE_CONFIG_DIR=str(folder))
    validate = run_handcue("config", "validate", env=env)
    assert "no settings file yet" not in validate.stdout
    _one_clear_line(validate, folder)
    source = tmp_path / "mine.toml"
    source.write_text(VALID, encoding="utf-8")
    _one_clear_line(run_handcue("config", "import", str(source), env=env), folder)


def test_the_app_names_its_instance_from_a_looping_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``handcue gui`` names its instance channel after the config folder before anything is
    read: a loop there must not stop it with a traceback (reading the settings says why)."""
    from app.desktop.instance_client import instance_name

    monkeypatch.setenv("HANDCUE_CONFIG_DIR", str(_loop(tmp_path, "config")))
    assert instance_name().startswith("handcue-")
