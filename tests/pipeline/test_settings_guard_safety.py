"""Issue 38, cases 1 and 2, without Qt: the settings file as the running app holds it
(:class:`pipeline.settings.guard.SettingsFile`) and the valid part of a file with a typo
(:mod:`pipeline.settings.salvage`).

Case 1: a file changed outside the app (``handcue config import B.toml``) is read again before
every write; the app's own changes are merged into it, and where both changed a setting the
file keeps its value and the app's version goes beside it (``config.toml.conflict-<time>``).
Case 2: a file that does not validate is never written over unasked; its valid part is used,
what was left out is named with its line; the ``.bak`` is never replaced by a broken file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import HandCueError
from pipeline.settings import AppConfig, Binding, Profile, load_config, write_config_text
from pipeline.settings import guard as guard_module
from pipeline.settings.guard import SettingsFile, merge_settings
from pipeline.settings.salvage import salvage_text
from pipeline.settings.store import builtin_gestures

A_TEXT = """\
# A
[profiles.mine]
mappings = [
    { gesture = "thumb_up", action = "key:a" },
]
"""
B_TEXT = """\
# B, imported while the app runs
[tracker]
max_hands = 1

[profiles.mine]
mappings = [
    { gesture = "thumb_up", action = "key:b" },
]
"""
TYPO_TEXT = """\
active_profile = "mine"

[tracker]
max_hands = 1

[pointer]
dead_zone_px = 5.0

[switching]
rules = [
    { match = { app = "evince" }, profile = "mine" },
]

[profiles.mine]
mappings = [
    { gesture = "thumb_up", action = "key:rihgt" },
    { gesture = "thumb_down", action = "key:left" },
]

[profiles.other]
mappings = [
    { gesture = "open_palm", action = "media:play_pause" },
]
"""
TYPO_LINE = 1 + TYPO_TEXT.splitlines().index('    { gesture = "thumb_up", action = "key:rihgt" },')


def _file(tmp_path: Path, text: str | None) -> tuple[Path, SettingsFile]:
    path = tmp_path / "config.toml"
    if text is not None:
        write_config_text(text, path)
    settings = SettingsFile(path, known_gestures=builtin_gestures)
    return path, settings


def _profile(cfg: AppConfig, name: str) -> AppConfig:
    return cfg.model_copy(update={"active_profile": name})


def _saved(path: Path) -> AppConfig:
    cfg, problems = load_config(path, known_gestures=builtin_gestures())
    assert problems == []
    return cfg


# ------------------------------------------------------------------ case 1
def test_an_import_while_the_app_runs_survives_two_app_writes(tmp_path: Path) -> None:
    path, settings = _file(tmp_path, A_TEXT)
    app = settings.load().config
    write_config_text(B_TEXT, path)  # handcue config import B.toml
    first = settings.sync(_profile(app, "media"))  # a profile chosen in the app
    assert first.outside and first.wrote and first.conflicts == ()
    second = settings.sync(_profile(first.config, "slides"))
    assert not second.outside and second.wrote
    saved = _saved(path)
    assert saved.profile("mine").mappings[0].action == "key:b"
    assert saved.tracker.max_hands == 1 and saved.active_profile == "slides"
    assert second.config == saved


def test_an_outside_change_is_read_and_left_as_it_is(tmp_path: Path) -> None:
    path, settings = _file(tmp_path, A_TEXT)
    app = settings.load().config
    write_config_text(B_TEXT, path)
    result = settings.sync(app)  # the app noticed the change: nothing of its own to write
    assert result.outside and not result.wrote
    assert result.config.tracker.max_hands == 1
    assert path.read_text() == B_TEXT  # verbatim, comments and all
    assert not settings.sync(result.config).outside  # and it is known now


def test_when_both_changed_a_setting_the_file_keeps_it_and_the_app_version_goes_beside(
    tmp_path: Path,
) -> None:
    path, settings = _file(tmp_path, A_TEXT)
    app = settings.load().config
    write_config_text('active_profile = "custom"\n' + B_TEXT, path)
    result = settings.sync(_profile(app, "media"))
    assert result.conflicts == (("active_profile",),)
    assert result.conflict_file is not None
    assert result.conflict_file.name.startswith("config.toml.conflict-")
    saved = _saved(path)
    assert saved.active_profile == "custom" and saved.tracker.max_hands == 1
    assert result.config == saved  # the app uses the file's value
    theirs = load_config(result.conflict_file, known_gestures=builtin_gestures())[0]
    assert theirs.active_profile == "media"  # the app's version, kept


def test_a_failed_write_forgets_no_outside_change(tmp_path: Path, monkeypatch) -> None:
    path, settings = _file(tmp_path, A_TEXT)
    app = settings.load().config

    def fail(text, target=None):
        raise HandCueError("disk full")

    write_config_text(B_TEXT, path)
    monkeypatch.setattr(guard_module, "write_settings_text", fail)
    with pytest.raises(HandCueError):
        settings.sync(_profile(app, "media"))
    monkeypatch.undo()
    again = settings.sync(app)  # the old settings: B is still seen as the outside change
    assert again.outside and again.config.tracker.max_hands == 1
    assert path.read_text() == B_TEXT


def test_a_file_deleted_outside_gives_the_defaults_without_writing(tmp_path: Path) -> None:
    path, settings = _file(tmp_path, A_TEXT)
    app = settings.load().config
    path.unlink()
    result = settings.sync(app)
    assert result.outside and not result.wrote and result.config == AppConfig()
    assert not path.exists()


MINE = Profile(mappings=(Binding(gesture="thumb_up", action="key:m"),))


@pytest.mark.parametrize(
    ("mine", "theirs", "merged", "conflicts"),
    [
        ({"active_profile": "media"}, {}, {"active_profile": "media"}, ()),
        ({}, {"active_profile": "media"}, {"active_profile": "media"}, ()),
        ({"active_profile": "media"}, {"active_profile": "media"}, {"active_profile": "media"}, ()),
        ({"active_profile": "media"}, {"active_profile": "custom"}, {"active_profile": "custom"},
         (("active_profile",),)),
        # tables merge key by key; a profile's mappings are one setting
        ({"profiles": {"mine": MINE}}, {"active_profile": "custom"},
         {"profiles": {"mine": MINE}, "active_profile": "custom"}, ()),
        ({"profiles": {"mine": MINE}},
         {"profiles": {"mine": Profile(mappings=(Binding(gesture="fist", action="key:t"),))}},
         None, (("profiles", "mine"),)),  # both made a profile "mine"
    ],
)  # fmt: skip
def test_merge_settings(mine, theirs, merged, conflicts) -> None:
    base = AppConfig()
    result, found = merge_settings(
        base, base.model_copy(update=mine), base.model_copy(update=theirs)
    )
    theirs_cfg = AppConfig.model_validate({**base.model_dump(), **theirs})
    expected = theirs_cfg if merged is None else AppConfig.model_validate(
        {**base.model_dump(), **merged})  # fmt: skip
    assert result == expected and found == conflicts


def test_a_merge_that_does_not_validate_keeps_the_file() -> None:
    base = AppConfig(profiles={"gone": Profile()})
    mine = base.model_copy(update={"active_profile": "gone"})
    theirs = AppConfig()  # "gone" was removed outside
    result, conflicts = merge_settings(base, mine, theirs)
    assert result == theirs and conflicts == (("active_profile",),)


# ------------------------------------------------------------------ case 2
def test_the_valid_part_of_a_file_with_a_typo() -> None:
    salvaged = salvage_text(TYPO_TEXT, file=Path("c.toml"))
    assert salvaged is not None
    cfg = salvaged.config
    assert cfg.tracker.max_hands == 1 and cfg.pointer.dead_zone_px == 5.0
    assert [r.match.app for r in cfg.switching.rules] == ["evince"]
    assert [m.action for m in cfg.profile("mine").mappings] == ["key:left"]
    assert cfg.profile("other").mappings[0].action == "media:play_pause"
    (out,) = salvaged.left_out
    assert out.entry == ("profiles", "mine", "mappings", 0)
    assert out.field == ("profiles", "mine", "mappings", 0, "action")
    assert out.line == TYPO_LINE and out.gesture == "thumb_up" and "rihgt" in out.reason
    assert out.text.startswith(f"c.toml, line {TYPO_LINE}: profiles.mine.mappings[0].action: ")


@pytest.mark.parametrize(
    ("text", "left_out", "check"),
    [
        ('[tracker]\nmax_hands = 9\nmodel = "lite"\n', [("tracker", "max_hands")],
         lambda c: c.tracker.max_hands == 2 and c.tracker.model == "lite"),
        ('[tracker]\nmax_handz = 1\nthreads = 2\n', [("tracker", "max_handz")],
         lambda c: c.tracker.threads == 2),
        ('[profiles.mine]\nmappings = [\n  { gesture = "fist", action = "key:a", trigger = "x" },\n'
         '  { gesture = "thumb_up", action = "key:b" },\n'
         '  { gesture = "open_palm", action = "" },\n'
         '  { gesture = "fist", action = "key:c" },\n]\n',
         [("profiles", "mine", "mappings", 2), ("profiles", "mine", "mappings", 0)],
         lambda c: [m.action for m in c.profile("mine").mappings] == ["key:b", "key:c"]),
        ('active_profile = "gone"\n[profiles.mine]\ndescription = "kept"\n', [("active_profile",)],
         lambda c: c.active_profile == "slides" and c.profile("mine").description == "kept"),
        ('[switching]\nrules = [{ match = { app = "a" }, profile = "gone" },\n'
         '  { match = { app = "b" }, profile = "media" }]\n',
         [("switching", "rules", 0)], lambda c: [r.match.app for r in c.switching.rules] == ["b"]),
        ('[profiles."bad name"]\n[profiles.good]\ndescription = "kept"\n',
         [("profiles", "bad name")], lambda c: c.profile("good").description == "kept"),
        ("[profiles.mine]\nmappings = [\n" + '{ gesture = "fist", action = "key:a" },\n' * 101
         + "]\n", [("profiles", "mine", "mappings")],
         lambda c: len(c.profile("mine").mappings) == 100),
    ],
)  # fmt: skip
def test_what_is_left_out(text, left_out, check) -> None:
    salvaged = salvage_text(text)
    assert salvaged is not None
    assert [o.entry for o in salvaged.left_out] == left_out
    assert check(salvaged.config)


@pytest.mark.parametrize(
    "text",
    ["[tracker\n", "schema_version = 99\n", "[" + ".".join(["a"] * 100) + "]\n", "tracker = 1\n"],
)
def test_text_with_no_valid_part_to_tell_apart(text: str) -> None:
    salvaged = salvage_text(text)
    assert salvaged is None or salvaged.config == AppConfig()


def test_writing_over_a_broken_file_keeps_it_and_leaves_the_backup_alone(tmp_path: Path) -> None:
    """Before: ``.bak`` was overwritten with the broken file, and Restore found nothing."""
    path = tmp_path / "config.toml"
    write_config_text(A_TEXT, path)
    write_config_text(B_TEXT, path)  # .bak = A, a good file
    path.write_text(TYPO_TEXT)  # then a typo
    write_config_text(AppConfig().to_toml(), path)
    assert path.with_name("config.toml.bak").read_text() == A_TEXT
    (kept,) = tmp_path.glob("config.toml.invalid-*")
    assert kept.read_text() == TYPO_TEXT


def test_a_broken_file_is_never_written_over_unasked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(TYPO_TEXT)
    settings = SettingsFile(path, known_gestures=builtin_gestures)
    loaded = settings.load()
    assert loaded.fault is not None and len(loaded.fault.left_out) == 1
    assert loaded.config.profile("other").mappings[0].action == "media:play_pause"
    held = settings.sync(_profile(loaded.config, "other"))  # a profile chosen in the app
    assert held.held_back and not held.wrote and held.config.active_profile == "other"
    assert path.read_text() == TYPO_TEXT
    # the user fixes the file in an editor: the app's change is merged into the fixed file
    path.write_text(TYPO_TEXT.replace("rihgt", "right"))
    fixed = settings.sync(held.config)
    assert fixed.outside and fixed.wrote and fixed.fault is None
    saved = _saved(path)
    assert saved.active_profile == "other"
    assert [m.action for m in saved.profile("mine").mappings] == ["key:right", "key:left"]


def test_fix_for_me_writes_the_valid_part_and_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(TYPO_TEXT)
    path.with_name("config.toml.bak").write_text(A_TEXT)
    settings = SettingsFile(path, known_gestures=builtin_gestures)
    loaded = settings.load()
    result = settings.sync(loaded.config, replace_invalid=True)
    assert result.wrote and result.kept_invalid is not None
    assert result.kept_invalid.read_text() == TYPO_TEXT
    assert path.with_name("config.toml.bak").read_text() == A_TEXT
    assert _saved(path) == loaded.config and settings.fault is None


def test_restore_backup(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(TYPO_TEXT)
    path.with_name("config.toml.bak").write_text(A_TEXT)
    settings = SettingsFile(path, known_gestures=builtin_gestures)
    settings.load()
    result = settings.restore_backup()
    assert (
        path.read_text() == A_TEXT and result.config.profile("mine").mappings[0].action == "key:a"
    )
    assert result.kept_invalid is not None and result.kept_invalid.read_text() == TYPO_TEXT
    assert not settings.sync(result.config).wrote


def test_no_usable_backup_says_so(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(TYPO_TEXT)
    path.with_name("config.toml.bak").write_text(TYPO_TEXT)
    settings = SettingsFile(path, known_gestures=builtin_gestures)
    settings.load()
    with pytest.raises(HandCueError, match="no usable backup"):
        settings.restore_backup()
    assert path.read_text() == TYPO_TEXT
