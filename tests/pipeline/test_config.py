"""Settings file: validation messages that name file, line and field; safe loading and saving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import fileio
from pipeline import settings as config_mod
from pipeline.errors import HandCueError
from pipeline.gestures import BUILTIN_GESTURES
from pipeline.settings import (
    AppConfig,
    Binding,
    Profile,
    load_config,
    parse_config_text,
    save_config,
)

KNOWN = set(BUILTIN_GESTURES)


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cfg"
    monkeypatch.setenv("HANDCUE_CONFIG_DIR", str(folder))
    monkeypatch.setenv("HANDCUE_DATA_DIR", str(tmp_path / "data"))
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults_silently(tmp_path: Path) -> None:
    cfg, problems = load_config(tmp_path / "nope.toml", known_gestures=KNOWN)
    assert problems == []
    assert cfg == AppConfig()
    assert set(cfg.profiles) >= {"slides", "media", "custom"}


def test_default_path_is_in_config_dir(_isolated_config: Path) -> None:
    assert config_mod.config_path() == _isolated_config / "config.toml"


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    cfg = AppConfig(
        active_profile="mine",
        profiles={
            "mine": Profile(
                mappings=(
                    Binding(gesture="fist", action="click:left", hold_ms=0),
                    Binding(gesture="victory", action='type:a = b: "c"', trigger="on_end"),
                    Binding(
                        gesture="thumb_up", action="key:up", trigger="while_held", repeat_ms=100
                    ),
                    Binding(gesture="ok", action="combo:ctrl+shift+t", trigger="hold", hand="left"),
                )
            )
        },
    )
    path = save_config(cfg, tmp_path / "c" / "config.toml")
    loaded, problems = load_config(path, known_gestures=KNOWN)
    assert problems == []
    assert loaded == cfg
    assert set(loaded.profiles) == {"slides", "media", "custom", "viewer", "mine"}


def test_default_config_file_validates_cleanly() -> None:
    path = save_config(AppConfig())
    assert path == config_mod.config_path()
    _, problems = load_config(known_gestures=KNOWN)
    assert problems == []


GOOD_PREFIX = 'schema_version = 1\nactive_profile = "custom"\n'

BAD_FILES = [
    # (name, text, substrings expected in the first message, expected line or None)
    (
        "malformed toml",
        GOOD_PREFIX + "[tracker\nmax_hands = 2\n",
        ["not valid TOML", "line 3"],
        None,
    ),
    (
        "wrong type",
        GOOD_PREFIX + '[tracker]\nmodel = "full"\nmax_hands = "two"\n',
        ["tracker.max_hands", "integer", "'two'"],
        5,
    ),
    ("float for int", GOOD_PREFIX + "[tracker]\nmax_hands = 2.5\n", ["tracker.max_hands"], 4),
    ("bool for int", GOOD_PREFIX + "[actions]\narm_hold_ms = true\n", ["actions.arm_hold_ms"], 4),
    (
        "unknown top-level key",
        GOOD_PREFIX + "colour = 'red'\n",
        ["colour", "unknown setting", "allowed here", "tracker"],
        3,
    ),
    (
        "unknown nested key",
        GOOD_PREFIX + "[tracker]\nmodel = 'lite'\nmax_hand = 2\n",
        ["tracker.max_hand", "unknown setting", "max_hands"],
        5,
    ),
    (
        "unknown mapping key (array of tables)",
        GOOD_PREFIX
        + "[[profiles.custom.mappings]]\ngesture = 'fist'\naction = 'key:a'\n\n"
        + "[[profiles.custom.mappings]]\ngesture = 'ok'\naction = 'key:b'\nhodl_ms = 5\n",
        ["profiles.custom.mappings[1].hodl_ms", "unknown setting", "hold_ms"],
        10,
    ),
    (
        "bad action string (inline tables)",
        GOOD_PREFIX
        + "[profiles.custom]\nmappings = [\n  { gesture = 'fist', action = 'key:a' },\n"
        + "  { gesture = 'ok', action = 'kye:n' },\n]\n",
        ["profiles.custom.mappings[1].action", "kye:n", "Allowed: key:NAME"],
        6,
    ),
    (
        "bad trigger",
        GOOD_PREFIX + "[[profiles.custom.mappings]]\ngesture = 'fist'\naction = 'key:a'\n"
        "trigger = 'sometimes'\n",
        ["trigger", "on_start", "while_held"],
        6,
    ),
    (
        "hold needs a key",
        GOOD_PREFIX + "[[profiles.custom.mappings]]\ngesture = 'fist'\naction = 'type:x'\n"
        "trigger = 'hold'\n",
        ["profiles.custom.mappings[0]", "hold"],
        3,
    ),
    (
        "swipe cannot repeat",
        GOOD_PREFIX + "[[profiles.custom.mappings]]\ngesture = 'swipe_up'\naction = 'key:a'\n"
        "trigger = 'while_held'\n",
        ["one-shot"],
        3,
    ),
    (
        "huge int",
        GOOD_PREFIX + "[tracker]\nmax_hands = 99999999999999999999\n",
        ["max_hands", "4"],
        4,
    ),
    (
        "huge hold",
        GOOD_PREFIX + "[actions]\ndefault_hold_ms = 86400000\n",
        ["actions.default_hold_ms", "10000"],
        4,
    ),
    (
        "huge text",
        GOOD_PREFIX
        + f"[[profiles.custom.mappings]]\ngesture = 'fist'\naction = 'type:{'x' * 5000}'\n",
        ["action", "longer than 1000"],
        5,
    ),
    ("negative", GOOD_PREFIX + "[actions]\nmin_hand_score = -1.0\n", ["min_hand_score"], 4),
    ("nan", GOOD_PREFIX + "[actions]\nmin_hand_score = nan\n", ["min_hand_score"], 4),
    ("unknown profile", 'active_profile = "nope"\n', ["active_profile", "'nope'", "slides"], None),
    ("newer schema", "schema_version = 7\n", ["schema_version", "newer HandCue"], 1),
    ("bad profile name", "[profiles.'my profile!']\n", ["profile name"], None),
    ("bad hotkey", "[actions]\npause_hotkey = 'p+ctrl'\n", ["pause_hotkey", "not a modifier"], 2),
    ("table for a value", "[tracker]\nmodel = { a = 1 }\n", ["tracker.model"], 2),
]


@pytest.mark.parametrize(
    ("text", "expected", "line"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_bad_files_give_defaults_and_clear_messages(
    tmp_path: Path, text: str, expected: list[str], line: int | None
) -> None:
    path = write(tmp_path / "config.toml", text)
    before = path.read_bytes()
    cfg, problems = load_config(path, known_gestures=KNOWN)
    assert cfg == AppConfig()  # defaults
    assert problems, "a bad file must be reported"
    first = problems[0]
    assert first.startswith(str(path)), first
    for part in expected:
        assert part in first, f"{part!r} not in {first!r}"
    if line is not None:
        assert f", line {line}:" in first, first
    assert "using the default settings" in problems[-1]
    assert path.read_bytes() == before  # the file is never touched by loading


def test_unknown_gesture_is_a_warning_and_the_mapping_is_kept(tmp_path: Path) -> None:
    text = (
        GOOD_PREFIX + "[[profiles.custom.mappings]]\ngesture = 'fist'\naction = 'key:a'\n\n"
        "[[profiles.custom.mappings]]\ngesture = 'jazz_hands'\naction = 'key:b'\n"
    )
    path = write(tmp_path / "config.toml", text)
    cfg, problems = load_config(path, known_gestures=KNOWN)
    assert [m.gesture for m in cfg.profiles["custom"].mappings] == ["fist", "jazz_hands"]
    assert len(problems) == 1
    assert f"{path}, line 8: profiles.custom.mappings[1].gesture" in problems[0]
    assert "'jazz_hands'" in problems[0] and "thumb_up" in problems[0]


def test_recorded_gestures_count_as_known(tmp_path: Path) -> None:
    text = GOOD_PREFIX + "[[profiles.custom.mappings]]\ngesture = 'wave2'\naction = 'key:a'\n"
    path = write(tmp_path / "config.toml", text)
    _, problems = load_config(path, known_gestures=KNOWN | {"wave2"})
    assert problems == []


def test_mapping_on_the_arm_gesture_is_reported(tmp_path: Path) -> None:
    text = GOOD_PREFIX + "[[profiles.custom.mappings]]\ngesture = 'i_love_you'\naction = 'key:a'\n"
    _, problems = load_config(write(tmp_path / "config.toml", text), known_gestures=KNOWN)
    assert len(problems) == 1 and "arm gesture" in problems[0]


def test_unknown_arm_gesture_is_reported(tmp_path: Path) -> None:
    text = "[actions]\narm_gesture = 'salute'\n"
    _, problems = load_config(write(tmp_path / "config.toml", text), known_gestures=KNOWN)
    assert len(problems) == 1 and "line 2: actions.arm_gesture" in problems[0]


def test_builtin_profiles_are_kept_and_can_be_overridden(tmp_path: Path) -> None:
    text = "[profiles.slides]\nmappings = [{ gesture = 'fist', action = 'key:space' }]\n"
    cfg, problems = load_config(write(tmp_path / "config.toml", text), known_gestures=KNOWN)
    assert problems == []
    assert [m.action for m in cfg.profiles["slides"].mappings] == ["key:space"]
    assert cfg.profiles["media"] == config_mod.builtin_profiles()["media"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"active_profile = '\xff\xfe'\n")
    cfg, problems = load_config(path, known_gestures=KNOWN)
    assert cfg == AppConfig() and "not UTF-8" in problems[0]


def test_too_large_file(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "# " + "x" * (config_mod.MAX_FILE_BYTES + 10) + "\n")
    cfg, problems = load_config(path, known_gestures=KNOWN)
    assert cfg == AppConfig() and "too large" in problems[0]


def test_config_path_that_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "config.toml"
    (folder / "inside").mkdir(parents=True)
    cfg, problems = load_config(folder, known_gestures=KNOWN)
    assert cfg == AppConfig()
    assert "is a folder" in problems[0]
    with pytest.raises(HandCueError, match="is a folder"):
        save_config(AppConfig(), folder)
    assert (folder / "inside").is_dir()


def test_save_keeps_previous_version_as_bak(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    first = AppConfig(active_profile="media")
    save_config(first, path)
    first_text = path.read_text()
    save_config(AppConfig(active_profile="custom"), path)
    assert (tmp_path / "config.toml.bak").read_text() == first_text
    assert load_config(path, known_gestures=KNOWN)[0].active_profile == "custom"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_saving_over_an_invalid_file_keeps_it(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "this is [not toml\n")
    original = path.read_bytes()
    save_config(AppConfig(), path)
    save_config(AppConfig(active_profile="media"), path)  # .bak now holds a valid file
    kept = list(tmp_path.glob("config.toml.invalid-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == original


def test_failed_save_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "config.toml"
    save_config(AppConfig(active_profile="media"), path)
    before = path.read_bytes()

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(fileio.os, "replace", refuse)
    with pytest.raises(HandCueError, match="cannot save .*Permission denied"):
        save_config(AppConfig(active_profile="custom"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores modes")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    path = folder / "config.toml"
    save_config(AppConfig(active_profile="media"), path)
    before = path.read_bytes()
    folder.chmod(0o500)
    try:
        with pytest.raises(HandCueError, match="cannot"):
            save_config(AppConfig(active_profile="custom"), path)
        cfg, problems = load_config(path, known_gestures=KNOWN)  # reading still works
        assert problems == [] and cfg.active_profile == "media"
    finally:
        folder.chmod(0o700)
    assert path.read_bytes() == before


def test_read_only_folder_as_root_simulated(tmp_path: Path, monkeypatch) -> None:
    """Root ignores file modes, so simulate the folder refusing new files."""
    path = tmp_path / "config.toml"
    save_config(AppConfig(active_profile="media"), path)
    before = path.read_bytes()

    def no_temp(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(fileio.tempfile, "mkstemp", no_temp)
    with pytest.raises(HandCueError, match="Permission denied"):
        save_config(AppConfig(active_profile="custom"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path / "config.toml", GOOD_PREFIX)

    def deny(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    cfg, problems = load_config(path, known_gestures=KNOWN)
    monkeypatch.undo()
    assert cfg == AppConfig() and "cannot read" in problems[0]


def test_parse_config_text_without_file_names_config() -> None:
    cfg, problems = parse_config_text("[tracker]\nmax_hands = 0\n", known_gestures=KNOWN)
    assert cfg is None and problems[0].startswith("config, line 2: tracker.max_hands")


def test_models_are_frozen_and_strict() -> None:
    cfg = AppConfig()
    with pytest.raises(Exception, match="frozen"):
        cfg.active_profile = "media"  # type: ignore[misc]
    with pytest.raises(Exception, match="valid integer"):
        Binding(gesture="fist", action="key:a", hold_ms="100")  # type: ignore[arg-type]


def test_actions_are_stored_canonical() -> None:
    assert Binding(gesture="fist", action=" COMBO:Control+Shift+T ").action == "combo:ctrl+shift+t"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbfactive_profile = 'media'\n")
    cfg, problems = load_config(path, known_gestures=KNOWN)
    assert problems == [] and cfg.active_profile == "media"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_saving_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "handcue.toml"
    save_config(AppConfig(), real)
    link = tmp_path / "cfg" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(real)
    save_config(AppConfig(active_profile="media"), link)
    assert link.is_symlink()
    assert load_config(real, known_gestures=KNOWN)[0].active_profile == "media"


def test_far_hands_and_power_saving_are_on_by_default_and_can_be_turned_off() -> None:
    from pipeline.tracking.config import tracker_config

    on = tracker_config(AppConfig().tracker)
    assert on.far_hands and on.power_saving
    cfg, problems = parse_config_text(
        "[tracker]\nfar_hands = false\npower_saving = false\n", known_gestures=KNOWN
    )
    assert cfg is not None and not problems
    off = tracker_config(cfg.tracker)
    assert not off.far_hands and not off.power_saving
    bad, problems = parse_config_text("[tracker]\nfar_hands = 1\n", known_gestures=KNOWN)
    assert bad is None and "tracker.far_hands" in problems[0]
