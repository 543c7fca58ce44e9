"""Gesture -> desktop input: action types and their string syntax, the :class:`InputSink`
protocol (the pynput implementation lives in ``app.desktop.input_sink``), a recording fake, and the
mapping engine with its safety rules."""

from pipeline.actions.engine import ActionEngine
from pipeline.actions.records import ActionRecord
from pipeline.actions.sink import HeldInputGuard, InputSink, RecordingSink
from pipeline.actions.spec import (
    ACTION_SYNTAX_HELP,
    Action,
    ActionSyntaxError,
    ClickAction,
    ComboAction,
    KeyAction,
    MediaAction,
    NoAction,
    ScrollAction,
    TypeAction,
    parse_action,
)

__all__ = [
    "ACTION_SYNTAX_HELP",
    "Action",
    "ActionEngine",
    "ActionRecord",
    "ActionSyntaxError",
    "ClickAction",
    "ComboAction",
    "HeldInputGuard",
    "InputSink",
    "KeyAction",
    "MediaAction",
    "NoAction",
    "RecordingSink",
    "ScrollAction",
    "TypeAction",
    "parse_action",
]
