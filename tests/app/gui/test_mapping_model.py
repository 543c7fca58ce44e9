"""The mapping editor's edit model, without Qt: profile and mapping operations, the problems
the dialog shows (same wording), and the settings a save writes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.gui.mapping_model import EditRefused, MappingDraft, MappingModel, profile_name_ok
from pipeline.settings import AppConfig, Binding, Profile, save_config
from pipeline.settings.store import load_config
from tests.support.blocked_imports import run_without


@pytest.fixture
def config() -> AppConfig:
    return AppConfig()


@pytest.fixture
def model(config: AppConfig) -> MappingModel:
    return MappingModel(config, "slides")


def test_the_model_loads_without_qt() -> None:
    proc = run_without(("PySide6", "shiboken6", "pyqtgraph"), "import app.gui.mapping_model\n")
    assert proc.returncode == 0, proc.stderr


def test_model_holds_the_config_profiles_in_order(model: MappingModel, config: AppConfig) -> None:
    assert model.names() == list(config.profiles)
    slides = model.mappings("slides")
    assert [m.gesture for m in slides] == [b.gesture for b in config.profiles["slides"].mappings]
    assert slides[0] == MappingDraft("swipe_left", "key:right")
    assert model.profiles["media"].mappings[0].hold_ms == 500


def test_an_untouched_model_is_not_dirty(model: MappingModel) -> None:
    assert not model.is_dirty()
    model.problems()
    model.build_config(AppConfig())
    assert not model.is_dirty()


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m.add_profile("gaming"),
        lambda m: m.set_description("custom", "mine"),
        lambda m: m.make_active("media"),
        lambda m: m.add_mapping("custom", "fist"),
        lambda m: m.move_mapping("slides", 0, 2),
        lambda m: m.set_mapping("slides", 0, MappingDraft("swipe_left", "key:left")),
    ],
)
def test_every_edit_makes_the_model_dirty(model: MappingModel, edit) -> None:
    edit(model)
    assert model.is_dirty()


def test_edits_do_not_reach_the_config_the_model_was_built_from(config: AppConfig) -> None:
    model = MappingModel(config, "slides")
    model.duplicate_profile("slides", "slides-2")
    model.mappings("slides-2")[0].action = "key:f5"
    assert model.mappings("slides")[0].action == "key:right"  # a copy, not the same drafts
    assert config.profiles["slides"].mappings[0].action == "key:right"


@pytest.mark.parametrize(
    ("draft", "error"),
    [
        (MappingDraft("fist", "key:right"), ""),
        (MappingDraft("fist"), "choose the action"),
        (MappingDraft("fist", "jump:high"), "action: "),
        (MappingDraft("fist", "type:hi", trigger="hold"), "trigger 'hold' needs a key"),
        (MappingDraft("swipe_left", "key:a", trigger="while_held"), "swipe_left is a one-shot"),
        (MappingDraft("fist", "key:a", hold_ms=10_001), "hold_ms: "),
        (MappingDraft("fist", "key:a", repeat_ms=100), "repeat_ms is only used"),
    ],
)
def test_draft_errors_in_the_schema_words(draft: MappingDraft, error: str) -> None:
    if error:
        assert draft.error().startswith(error), draft.error()
    else:
        assert draft.error() == ""


def test_a_bad_action_string_gives_the_schema_message(model: MappingModel) -> None:
    row = model.add_mapping("custom", "fist")
    model.set_mapping("custom", row, MappingDraft("fist", "key:nosuchkey"))
    with pytest.raises(ValidationError) as info:
        Binding(gesture="fist", action="key:nosuchkey")
    schema_msg = str(info.value.errors()[0]["msg"]).removeprefix("Value error, ")
    assert model.problems() == [f"custom / fist: action: {schema_msg}"]
    assert "nosuchkey" in schema_msg


def test_missing_action_hint_follows_the_selected_rows_action_type(model: MappingModel) -> None:
    model.add_mapping("custom", "fist")
    model.add_mapping("custom", "victory")
    assert model.problems() == ["custom / fist: choose the action",
                                "custom / victory: choose the action"]  # fmt: skip
    keys = model.problems(selected=("custom", 1), selected_kind="keys")
    assert keys == ["custom / fist: choose the action",
                    "custom / victory: press the key or combination to send"]  # fmt: skip
    typed = model.problems(selected=("custom", 0), selected_kind="type")
    assert typed[0] == "custom / fist: type the text to send"


def test_same_gesture_twice_with_the_same_trigger_is_a_problem(model: MappingModel) -> None:
    for _ in range(2):
        row = model.add_mapping("custom", "fist")
        model.set_mapping("custom", row, MappingDraft("fist", "key:a"))
    assert model.problems() == ["custom: fist is mapped 2 times with the same trigger"]
    model.set_mapping("custom", 1, MappingDraft("fist", "key:a", trigger="on_end"))
    assert model.problems() == []


def test_mapping_the_arm_gesture_is_a_problem(model: MappingModel) -> None:
    row = model.add_mapping("custom", "i_love_you")
    model.set_mapping("custom", row, MappingDraft("i_love_you", "key:a"))
    assert model.problems() == [
        "custom: 'i_love_you' is the arm gesture (it switches actions on and off); "
        "map another gesture or change actions.arm_gesture"
    ]


def test_moving_a_mapping_reorders_the_profile(model: MappingModel) -> None:
    before = [m.gesture for m in model.mappings("slides")]
    assert model.move_mapping("slides", 0, 2) == 2
    assert [m.gesture for m in model.mappings("slides")] == [before[1], before[2], before[0],
                                                             before[3]]  # fmt: skip
    assert model.move_mapping("slides", 3, -5) == 0  # clamped to the list
    assert model.mappings("slides")[0].gesture == before[3]
    saved = model.build_config(AppConfig()).profiles["slides"].mappings
    assert [m.gesture for m in saved] == [m.gesture for m in model.mappings("slides")]


def test_add_and_remove_mappings(model: MappingModel) -> None:
    assert model.first_unmapped("slides", ["thumb_up", "fist"]) == "fist"
    assert model.first_unmapped("slides", ["thumb_up"]) == "thumb_up"  # all mapped: fallback
    row = model.add_mapping("slides", "fist")
    assert row == 4 and model.mappings("slides")[row] == MappingDraft("fist")
    model.remove_mapping("slides", 0)
    assert [m.gesture for m in model.mappings("slides")][0] == "swipe_right"


def test_a_repeat_interval_is_kept_only_while_held(model: MappingModel) -> None:
    kept = model.set_mapping("media", 1, MappingDraft("thumb_up", "media:volume_up",
                                                      trigger="while_held", repeat_ms=100))  # fmt: skip
    assert kept.repeat_ms == 100
    dropped = model.set_mapping("media", 1, MappingDraft("thumb_up", "media:volume_up",
                                                         repeat_ms=100))  # fmt: skip
    assert dropped.repeat_ms is None and model.mappings("media")[1].repeat_ms is None


@pytest.mark.parametrize(
    ("name", "ok"),
    [("gaming", True), ("A-1_b", True), ("x" * 40, True), ("x" * 41, False), ("bad name!", False),
     ("-lead", False), ("", False)],
)  # fmt: skip
def test_profile_names_follow_the_schema(name: str, ok: bool) -> None:
    assert profile_name_ok(name) is ok


def test_profile_operations_and_their_refusals(model: MappingModel) -> None:
    model.add_profile("gaming")
    with pytest.raises(EditRefused, match="There is already a profile named 'gaming'."):
        model.add_profile("gaming")
    with pytest.raises(EditRefused, match=r"Profile name 'bad name!': use up to 40 letters"):
        model.add_profile("bad name!")
    model.duplicate_profile("slides", "slides-2")
    assert model.mappings("slides-2") == model.mappings("slides")
    with pytest.raises(EditRefused, match="built-in"):
        model.rename_profile("slides", "x")
    with pytest.raises(EditRefused, match="built-in"):
        model.remove_profile("media")
    model.make_active("gaming")
    model.rename_profile("gaming", "games")
    assert model.names()[-2:] == ["games", "slides-2"]  # renamed in place
    assert model.active == "games"  # the active profile follows its new name
    model.remove_profile("games")
    assert "games" not in model.profiles and model.active == "slides"


def test_saving_writes_what_the_user_edited(model: MappingModel, config: AppConfig) -> None:
    model.add_profile("gaming")
    model.set_description("gaming", "Shooters")
    row = model.add_mapping("gaming", "fist")
    model.set_mapping("gaming", row, MappingDraft("fist", "combo:ctrl+c", trigger="on_end",
                                                  hand="left", hold_ms=450, cooldown_ms=1200))  # fmt: skip
    model.remove_mapping("slides", 0)
    model.make_active("gaming")
    assert model.problems() == []
    new = model.build_config(config)
    save_config(new)
    saved = load_config()[0]
    assert saved.active_profile == "gaming"
    assert saved.profiles["gaming"] == Profile(
        description="Shooters",
        mappings=(Binding(gesture="fist", action="combo:ctrl+c", trigger="on_end", hand="left",
                          hold_ms=450, cooldown_ms=1200),),
    )  # fmt: skip
    assert len(saved.profiles["slides"].mappings) == len(config.profiles["slides"].mappings) - 1
    assert saved.tracker == config.tracker  # the rest of the settings is left as it was


def test_an_invalid_mapping_cannot_be_saved(model: MappingModel) -> None:
    row = model.add_mapping("custom", "fist")
    model.set_mapping("custom", row, MappingDraft("fist", "type:hi", trigger="hold"))
    assert model.problems()[0].startswith("custom / fist: trigger 'hold' needs a key")
    with pytest.raises(ValidationError, match="trigger 'hold' needs a key"):
        model.build_config(AppConfig())


def test_the_active_profile_falls_back_when_it_is_gone(config: AppConfig) -> None:
    model = MappingModel(config, "nonesuch")
    assert model.build_config(config, "media").active_profile == "media"
    assert model.build_config(config, "also-gone").active_profile == "slides"
