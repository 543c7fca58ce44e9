"""Profiles and their bindings (the ``[profiles.NAME]`` tables of the settings file), and the
built-in profiles every config has.

The models are immutable, so any thread may read them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from pipeline.actions.spec import ActionSyntaxError, parse_action
from pipeline.settings.base import GESTURE_ID_RE, SettingsModel, is_dynamic_gesture, is_one_shot
from pipeline.settings.sections import (
    MAX_COOLDOWN_MS,
    MAX_HOLD_MS,
    MAX_REPEAT_MS,
    MIN_REPEAT_MS,
    ActionSettings,
)

BUILTIN_PROFILE_NAMES: tuple[str, ...] = ("slides", "media", "custom", "viewer")
MAX_MAPPINGS = 100

Trigger = Literal["on_start", "while_held", "on_end", "hold"]
HandChoice = Literal["left", "right", "any"]


class Binding(SettingsModel):
    """One binding (a ``mappings`` entry of a profile): when ``gesture`` (on ``hand``) does ``trigger``, perform ``action``.

    ``hold_ms``: the gesture must have lasted this long before the action fires (counted from
    when it was first seen). ``cooldown_ms``: after the mapping fired, new activations are ignored
    this long. ``repeat_ms``: interval of ``while_held`` repeats. ``None`` = the ``[actions]``
    default. Trigger ``hold`` presses the key or button when the hold time is reached and
    releases it when the gesture ends.
    """

    gesture: str
    action: str
    trigger: Trigger = "on_start"
    hand: HandChoice = "any"
    hold_ms: int | None = Field(None, ge=0, le=MAX_HOLD_MS, strict=True)
    cooldown_ms: int | None = Field(None, ge=0, le=MAX_COOLDOWN_MS, strict=True)
    repeat_ms: int | None = Field(None, ge=MIN_REPEAT_MS, le=MAX_REPEAT_MS, strict=True)

    @field_validator("gesture")
    @classmethod
    def _gesture_id(cls, value: str) -> str:
        if not GESTURE_ID_RE.match(value):
            raise ValueError(f"{value!r} is not a gesture id (lower case letters, digits, _)")
        if value == "none":
            raise ValueError("'none' means no gesture and cannot trigger an action")
        return value

    @field_validator("action", mode="before")
    @classmethod
    def _action(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError('an action must be a string such as "key:right"')
        try:
            return parse_action(value).spec
        except ActionSyntaxError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _consistent(self) -> Binding:
        action = parse_action(self.action)
        if self.trigger == "hold" and not action.holdable:
            raise ValueError(
                f"trigger 'hold' needs a key, combo or click action, not {self.action!r}"
            )
        if is_one_shot(self.gesture) and self.trigger in ("hold", "while_held"):
            raise ValueError(f"{self.gesture} is a one-shot gesture: use on_start or on_end")
        if self.repeat_ms is not None and self.trigger != "while_held":
            raise ValueError('repeat_ms is only used with trigger = "while_held"')
        return self

    @property
    def one_shot(self) -> bool:
        """A movement (swipe, drag, ...): it fires when recognised, so hold time does not
        apply."""
        return is_dynamic_gesture(self.gesture)

    def effective_hold_ms(self, defaults: ActionSettings) -> int:
        """How long the gesture must last before the action fires (0 for one-shot gestures)."""
        if self.one_shot:
            return 0
        return defaults.default_hold_ms if self.hold_ms is None else self.hold_ms

    def effective_cooldown_ms(self, defaults: ActionSettings) -> int:
        return defaults.default_cooldown_ms if self.cooldown_ms is None else self.cooldown_ms

    def effective_repeat_ms(self, defaults: ActionSettings) -> int:
        return defaults.default_repeat_ms if self.repeat_ms is None else self.repeat_ms

    def conflict(self, defaults: ActionSettings) -> str | None:
        """Why this binding can never fire with these action settings, or None."""
        return defaults.arm_conflict(self.gesture)


class Profile(SettingsModel):
    description: str = Field("", max_length=200)
    mappings: tuple[Binding, ...] = Field((), max_length=MAX_MAPPINGS)


def builtin_profiles() -> dict[str, Profile]:
    """The profiles every config has. ``swipe_left`` is a movement to the user's own left (see
    ``pipeline.gestures.swipes``); like flicking a page on a touch screen it goes forward."""
    return {
        "slides": Profile(
            description="Presentations: swipe or thumb up for the next slide, back for previous",
            mappings=(
                Binding(gesture="swipe_left", action="key:right"),
                Binding(gesture="swipe_right", action="key:left"),
                Binding(gesture="thumb_up", action="key:right"),
                Binding(gesture="thumb_down", action="key:left"),
            ),
        ),
        "media": Profile(
            description="Media players: open palm plays/pauses, thumbs or circles change volume, "
            "swipes skip",
            mappings=(
                Binding(gesture="open_palm", action="media:play_pause", hold_ms=500),
                Binding(gesture="thumb_up", action="media:volume_up", trigger="while_held"),
                Binding(gesture="thumb_down", action="media:volume_down", trigger="while_held"),
                Binding(gesture="swipe_left", action="media:next"),
                Binding(gesture="swipe_right", action="media:previous"),
                # A volume knob: the index fingertip going round, clockwise as you see it.
                Binding(gesture="circle_cw", action="media:volume_up"),
                Binding(gesture="circle_ccw", action="media:volume_down"),
            ),
        ),
        "custom": Profile(description="Your own mappings"),
        "viewer": Profile(
            description="Photo and document viewers, maps, browsers: zoom with thumb and index "
            "(or two hands), swipe for the next or previous picture",
            mappings=(
                Binding(gesture="zoom_in", action="combo:ctrl+plus"),
                Binding(gesture="zoom_out", action="combo:ctrl+minus"),
                Binding(gesture="swipe_left", action="key:right"),
                Binding(gesture="swipe_right", action="key:left"),
            ),
        ),
    }
