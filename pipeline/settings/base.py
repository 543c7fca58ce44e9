"""What every model of the settings file shares: the frozen base that rejects unknown keys, and
the gesture-id checks used by both the ``[actions]`` table and the profiles' bindings.

The models are immutable, so any thread may read them.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

DYNAMIC_GESTURE_PREFIX = "swipe_"
GESTURE_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Movements that happen at one moment (pipeline.gestures.dynamic): started and ended together.
ONE_SHOT_GESTURES: tuple[str, ...] = (
    "swipe_left", "swipe_right", "swipe_up", "swipe_down", "zoom_in", "zoom_out", "tap",
    "double_tap", "circle_cw", "circle_ccw",
)  # fmt: skip
# All the movements: the one-shot ones and ``drag``, which starts at the grab and ends at the
# release (so trigger "hold" keeps a button down for the whole drag).
MOTION_GESTURES: tuple[str, ...] = (*ONE_SHOT_GESTURES, "drag")


def is_dynamic_gesture(gesture: str) -> bool:
    """A movement (swipe, drag, zoom, tap, circle): it starts the moment it is recognised, so
    hold time does not apply, and it cannot be the arm gesture."""
    return gesture in MOTION_GESTURES


def is_one_shot(gesture: str) -> bool:
    """A movement with no duration (all but ``drag``): only on_start / on_end apply."""
    return gesture in ONE_SHOT_GESTURES


class SettingsModel(BaseModel):
    """Base of every settings model: unknown keys are errors (so a typo is reported, not
    ignored), instances are frozen, and defaults are validated like values from the file."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
