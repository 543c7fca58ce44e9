"""``[actions] input_backend`` (issue 37, part 3): "auto" or "uinput", checked, kept through
the settings file, and a wrong value is reported with the field's name and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.gestures import BUILTIN_GESTURES
from pipeline.settings import ActionSettings, AppConfig, load_config, save_config
from pipeline.settings.sections import INPUT_BACKENDS

KNOWN = set(BUILTIN_GESTURES)


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDCUE_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("HANDCUE_DATA_DIR", str(tmp_path / "data"))


def test_default_is_auto_and_the_choices_are_auto_and_uinput() -> None:
    assert ActionSettings().input_backend == "auto"
    assert INPUT_BACKENDS == ("auto", "uinput")
    field = ActionSettings.model_fields["input_backend"]
    assert field.title and "uinput" in (field.description or "")


@pytest.mark.parametrize("value", ["xtest", "UINPUT", "", 1])
def test_other_values_are_refused(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        ActionSettings(input_backend=value)  # type: ignore[arg-type]
    assert info.value.errors()[0]["loc"] == ("input_backend",)


def test_uinput_round_trips_through_the_settings_file(tmp_path: Path) -> None:
    cfg = AppConfig(actions=ActionSettings(input_backend="uinput"))
    path = save_config(cfg, tmp_path / "config.toml")
    text = path.read_text(encoding="utf-8")
    actions = text[text.index("[actions]") :]
    assert 'input_backend = "uinput"' in actions.split("\n[", 1)[0]
    loaded, problems = load_config(path, known_gestures=KNOWN)
    assert problems == [] and loaded.actions.input_backend == "uinput"
    assert loaded == cfg


def test_a_wrong_value_in_the_file_names_the_field_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('schema_version = 1\n\n[actions]\ninput_backend = "xtest"\n', "utf-8")
    cfg, problems = load_config(path, known_gestures=KNOWN)
    assert cfg.actions.input_backend == "auto"  # the defaults
    assert "input_backend" in problems[0] and ", line 4:" in problems[0], problems[0]
