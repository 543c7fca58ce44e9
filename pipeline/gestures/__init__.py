"""Gestures: finger states, named signs, counting schemes, temporal stabiliser, swipes and
user-recorded templates. Pure numpy; no Qt."""

from pipeline.gestures.recognizer import (
    BUILTIN_GESTURES,
    DYNAMIC_GESTURES,
    STATIC_GESTURES,
    GestureRecognizer,
    GestureResult,
)

__all__ = [
    "BUILTIN_GESTURES",
    "DYNAMIC_GESTURES",
    "STATIC_GESTURES",
    "GestureRecognizer",
    "GestureResult",
]
