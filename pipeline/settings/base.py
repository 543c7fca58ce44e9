"""What every model of the settings file shares: the frozen base that rejects unknown keys, and
the gesture-id checks used by both the ``[actions]`` table and the profiles' bindings.

The models are immutable, so any thread may read them.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

DYNAMIC_GESTURE_PREFIX = "swipe_"
GESTURE_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def is_dynamic_gesture(gesture: str) -> bool:
    """Swipes and other one-shot gestures: they have no duration, so hold time does not apply."""
    return gesture.startswith(DYNAMIC_GESTURE_PREFIX)


class SettingsModel(BaseModel):
    """Base of every settings model: unknown keys are errors (so a typo is reported, not
    ignored), instances are frozen, and defaults are validated like values from the file."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
