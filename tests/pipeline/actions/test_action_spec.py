"""Action string syntax: canonical forms, what each action sends to a sink, clear errors."""

from __future__ import annotations

import pytest

from pipeline.actions import (
    ACTION_SYNTAX_HELP,
    ActionSyntaxError,
    RecordingSink,
    parse_action,
)
from pipeline.errors import HandCueError

CALLS = [
    ("key:right", "key:right", [("press_key", "right"), ("release_key", "right")]),
    ("KEY:Return", "key:enter", [("press_key", "enter"), ("release_key", "enter")]),
    ("key:n", "key:n", [("press_key", "n"), ("release_key", "n")]),
    ("key:N", "key:N", [("press_key", "N"), ("release_key", "N")]),
    ("key:+", "key:plus", [("press_key", "+"), ("release_key", "+")]),
    ("key:page-down", "key:page_down", [("press_key", "page_down"), ("release_key", "page_down")]),
    (
        "combo:ctrl+shift+T",
        "combo:ctrl+shift+t",
        [
            ("press_key", "ctrl"),
            ("press_key", "shift"),
            ("press_key", "t"),
            ("release_key", "t"),
            ("release_key", "shift"),
            ("release_key", "ctrl"),
        ],
    ),
    (
        "combo: control + plus",
        "combo:ctrl+plus",
        [("press_key", "ctrl"), ("press_key", "+"), ("release_key", "+"), ("release_key", "ctrl")],
    ),
    ("type:hello: a+b", "type:hello: a+b", [("type_text", "hello: a+b")]),
    ("click:left", "click:left", [("click", "left", 1)]),
    ("dclick:Middle", "dclick:middle", [("click", "middle", 2)]),
    ("scroll:down:3", "scroll:down:3", [("scroll", 0, -3)]),
    ("scroll:up", "scroll:up:1", [("scroll", 0, 1)]),
    ("scroll:left:2", "scroll:left:2", [("scroll", -2, 0)]),
    ("scroll:right:100", "scroll:right:100", [("scroll", 100, 0)]),
    (
        "media:play_pause",
        "media:play_pause",
        [("press_key", "media_play_pause"), ("release_key", "media_play_pause")],
    ),
    (
        "media:mute",
        "media:mute",
        [("press_key", "media_volume_mute"), ("release_key", "media_volume_mute")],
    ),
    ("none", "none", []),
]


@pytest.mark.parametrize(("text", "canonical", "calls"), CALLS, ids=[c[0] for c in CALLS])
def test_parse_and_tap(text: str, canonical: str, calls: list[tuple]) -> None:
    action = parse_action(text)
    assert action.spec == canonical == str(action)
    assert parse_action(canonical) == action  # canonical strings round-trip
    sink = RecordingSink()
    action.tap(sink)
    assert sink.calls == calls
    assert not sink.anything_held


BAD = [
    ("", "empty action"),
    ("   ", "empty action"),
    ("kye:n", "unknown action type 'kye'"),
    ("key", "missing ':'"),
    ("key:", "needs a key name"),
    ("key:foo", "unknown key 'foo'"),
    ("key: ", "needs a key name"),
    ("key:\x01", "visible character"),
    ("combo:ctrl", "two or more keys"),
    ("combo:ctrl++", "write the + key as 'plus'"),
    ("combo:a+ctrl", "'a' is not a modifier"),
    ("combo:ctrl+ctrl", "appears twice"),
    ("type:", "needs some text"),
    ("type:a\x07b", "control characters"),
    ("type:" + "x" * 1001, "longer than 1000"),
    ("click:back", "unknown mouse button"),
    ("dclick:", "unknown mouse button"),
    ("scroll:sideways", "unknown scroll direction"),
    ("scroll:down:0", "1-100"),
    ("scroll:down:101", "1-100"),
    ("scroll:down:-1", "whole number"),
    ("scroll:down:2.5", "whole number"),
    ("media:louder", "unknown media key"),
    ("none:x", "unknown action type 'none'"),
]


@pytest.mark.parametrize(("text", "problem"), BAD, ids=[b[0][:20] or "empty" for b in BAD])
def test_bad_actions_say_what_is_allowed(text: str, problem: str) -> None:
    with pytest.raises(ActionSyntaxError) as info:
        parse_action(text)
    message = str(info.value)
    assert problem in message
    assert ACTION_SYNTAX_HELP in message
    assert isinstance(info.value, HandCueError) and info.value.code == 2


def test_non_string_is_rejected() -> None:
    with pytest.raises(ActionSyntaxError, match="must be a string"):
        parse_action(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "holdable"),
    [
        ("key:a", True),
        ("combo:alt+tab", True),
        ("click:left", True),
        ("dclick:left", False),
        ("type:x", False),
        ("scroll:up", False),
        ("media:next", False),
        ("none", False),
    ],
)
def test_press_release_only_for_holdable(text: str, holdable: bool) -> None:
    action = parse_action(text)
    assert action.holdable is holdable
    sink = RecordingSink()
    if holdable:
        action.press(sink)
        assert sink.anything_held
        action.release(sink)
        assert not sink.anything_held
    else:
        with pytest.raises(TypeError):
            action.press(sink)
        assert sink.calls == []


class FailingSink(RecordingSink):
    def __init__(self, fail_key: str) -> None:
        super().__init__()
        self.fail_key = fail_key

    def press_key(self, key: str) -> None:
        super().press_key(key)
        if key == self.fail_key:
            raise OSError("display went away")


def test_combo_releases_modifiers_when_a_press_fails() -> None:
    sink = FailingSink("t")
    with pytest.raises(OSError):
        parse_action("combo:ctrl+shift+t").tap(sink)
    # ctrl and shift were pressed and must be up again; "t" itself may be down in the fake
    assert "ctrl" not in sink.held_keys and "shift" not in sink.held_keys
    assert sink.calls[-2:] == [("release_key", "shift"), ("release_key", "ctrl")]
