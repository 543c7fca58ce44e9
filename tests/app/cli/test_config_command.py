"""``handcue config path | validate | export | import`` (the app conftest isolates the config
folder for every test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from pipeline.settings import AppConfig, config_path, load_config


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["config", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_path_is_in_the_isolated_folder(capsys, _isolated_user_dirs: Path) -> None:
    code, out, _ = run(capsys, "path")
    assert code == 0
    assert Path(out.strip()) == _isolated_user_dirs / "config" / "config.toml" == config_path()


def test_validate_without_a_file(capsys) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "defaults are in use" in out


def test_export_validate_import_round_trip(tmp_path: Path, capsys) -> None:
    exported = tmp_path / "mine.toml"
    code, out, _ = run(capsys, "export", str(exported))
    assert code == 0 and exported.is_file()
    code, out, _ = run(capsys, "validate", str(exported))
    assert code == 0 and "OK (4 profiles" in out
    text = exported.read_text().replace('active_profile = "slides"', 'active_profile = "media"')
    exported.write_text("# my comment survives\n" + text)
    code, out, _ = run(capsys, "import", str(exported))
    assert code == 0 and "imported" in out and ".bak" not in out  # no previous settings
    assert config_path().read_text().startswith("# my comment survives\n")
    assert load_config()[0].active_profile == "media"
    # a second import keeps the previous file as .bak
    code, out, _ = run(capsys, "import", str(exported))
    assert code == 0 and "config.toml.bak" in out
    assert config_path().with_name("config.toml.bak").is_file()


def test_export_to_stdout(capsys) -> None:
    code, out, _ = run(capsys, "export", "-")
    assert code == 0 and 'active_profile = "slides"' in out and "[profiles.media]" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tracker\n", "not valid TOML"),
        ("[tracker]\nmax_hands = 'two'\n", "line 2: tracker.max_hands"),
        ("colour = 'red'\n", "line 1: colour: unknown setting"),
        ("[[profiles.custom.mappings]]\ngesture = 'fist'\naction = 'kye:n'\n", "line 3"),
        ("[[profiles.custom.mappings]]\ngesture = 'jazz'\naction = 'key:n'\n", "unknown gesture"),
    ],
)
def test_bad_files_are_listed_and_not_imported(tmp_path: Path, capsys, text: str, message: str):
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    code, _, err = run(capsys, "validate", str(bad))
    assert code == 1 and message in err and str(bad) in err
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text('active_profile = "media"\n')
    code, _, err = run(capsys, "import", str(bad))
    assert code == 1 and "not imported" in err
    assert config_path().read_text() == 'active_profile = "media"\n'  # untouched


def test_validate_the_users_broken_file(capsys) -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text("[actions]\nmax_actions_per_second = 1e9\n")
    code, _, err = run(capsys, "validate")
    assert code == 1 and "actions.max_actions_per_second" in err and "1 problem" in err


def test_missing_files_are_errors(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "none.toml"))
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "import", str(tmp_path / "none.toml"))
    assert code == 2 and "no such file" in err


def test_export_into_a_folder_is_an_error(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "export", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_export_of_a_broken_config_exports_defaults_and_warns(tmp_path: Path, capsys) -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text("nonsense = [\n")
    target = tmp_path / "out.toml"
    code, _, err = run(capsys, "export", str(target))
    assert code == 0 and "warning" in err
    assert load_config(target)[0] == AppConfig()
    assert config_path().read_text() == "nonsense = [\n"
