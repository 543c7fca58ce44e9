"""Gestures: finger states, named signs, counting schemes, temporal stabiliser, movements
(swipes, drag, zoom, tap, circles; :mod:`pipeline.gestures.motion`) and user-recorded
templates. Pure numpy; no Qt."""

from pipeline.gestures.counting import COUNTING_SCHEMES
from pipeline.gestures.engine import GestureEngine
from pipeline.gestures.motion import MotionConfig, MotionGestures, SwipeConfig
from pipeline.gestures.recognizer import (
    BUILTIN_GESTURES,
    DYNAMIC_GESTURES,
    GESTURES_IN_ORDER,
    STATIC_GESTURES,
    GestureRecognizer,
    GestureResult,
)
from pipeline.gestures.stabiliser import GestureStabiliser
from pipeline.gestures.templates import TemplateStore, known_gesture_ids

__all__ = [
    "BUILTIN_GESTURES",
    "COUNTING_SCHEMES",
    "DYNAMIC_GESTURES",
    "GESTURES_IN_ORDER",
    "STATIC_GESTURES",
    "GestureEngine",
    "GestureRecognizer",
    "GestureResult",
    "GestureStabiliser",
    "MotionConfig",
    "MotionGestures",
    "SwipeConfig",
    "TemplateStore",
    "known_gesture_ids",
]
