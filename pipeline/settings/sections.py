"""The ``[tracker]``, ``[gestures]`` and ``[actions]`` tables of the settings file, with the
limits their fields hold (checks outside the file read them from the fields, see
:mod:`pipeline.settings.limits`).

The models are immutable, so any thread may read them.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, field_validator

from pipeline.actions.spec import ActionSyntaxError, parse_action
from pipeline.settings.base import GESTURE_ID_RE, SettingsModel, is_dynamic_gesture

COUNTING_SCHEMES: tuple[str, ...] = ("american", "european", "chinese")
Provider = Literal["auto", "cpu", "cuda", "directml", "coreml"]
PROVIDERS: tuple[str, ...] = get_args(Provider)
#: The hand models (MediaPipe's full and lite landmark and palm models).
ModelSize = Literal["full", "lite"]
MODEL_SIZES: tuple[str, ...] = get_args(ModelSize)
#: How keys and clicks reach the desktop: "auto" picks from the session (X11: XTEST; Wayland:
#: the compositor's protocol or the portal); "uinput" uses the kernel's virtual input devices
#: on any Linux desktop (app.desktop.uinput; needs write access to /dev/uinput).
InputBackend = Literal["auto", "uinput"]
INPUT_BACKENDS: tuple[str, ...] = get_args(InputBackend)

# Tracker limits: TrackerSettings' fields hold them; checks outside the file read them there.
MAX_HANDS = 4
MAX_THREADS = 64

# Timing limits of the [actions] defaults and of each binding's own values.
MAX_HOLD_MS = 10_000
MAX_COOLDOWN_MS = 60_000
MIN_REPEAT_MS = 30
MAX_REPEAT_MS = 10_000


class TrackerSettings(SettingsModel):
    """The one tracker settings model: the ``[tracker]`` table, and what every command and the
    app turn into the tracker's run configuration (pipeline.tracking.config.tracker_config,
    which checks with these limits). Measurement commands use ``smoothing=0`` (raw output)."""

    model: ModelSize = "full"
    max_hands: int = Field(2, ge=1, le=MAX_HANDS, strict=True)
    provider: Provider = "auto"
    threads: int = Field(0, ge=0, le=MAX_THREADS, strict=True)  # 0 = onnxruntime's choice
    min_presence: float = Field(0.5, ge=0.05, le=0.99, strict=True)
    smoothing: float = Field(0.5, ge=0.0, le=1.0, strict=True)  # 0 = off, 1 = strongest
    # "Look for far hands": zoomed detector tiles while fewer than max hands are tracked.
    far_hands: bool = Field(True, strict=True)
    # "Power saving when no hand": a motion gate instead of the detector on every idle frame.
    power_saving: bool = Field(True, strict=True)


class GestureSettings(SettingsModel):
    counting: str = "american"
    hold_ms: int = Field(150, ge=0, le=2000, strict=True)  # stabiliser: frames must agree this long

    @field_validator("counting")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value not in COUNTING_SCHEMES:
            raise ValueError(
                f"unknown counting scheme {value!r}; choose one of {', '.join(COUNTING_SCHEMES)}"
            )
        return value


class ActionSettings(SettingsModel):
    """Defaults for mappings and the safety switches.

    Start state: the GUI starts disarmed (a window that opens must not type into other windows
    before the user asks), ``handcue run`` starts armed (the user typed a command to act).
    """

    default_hold_ms: int = Field(300, ge=0, le=MAX_HOLD_MS, strict=True)
    default_cooldown_ms: int = Field(800, ge=0, le=MAX_COOLDOWN_MS, strict=True)
    default_repeat_ms: int = Field(300, ge=MIN_REPEAT_MS, le=MAX_REPEAT_MS, strict=True)
    arm_gesture: str = "i_love_you"  # "none" disables arming by gesture
    arm_hold_ms: int = Field(1000, ge=200, le=MAX_HOLD_MS, strict=True)
    pause_hotkey: str = "ctrl+alt+p"  # "" disables the hotkey
    max_actions_per_second: float = Field(8.0, ge=0.5, le=50.0, strict=True)
    min_hand_score: float = Field(0.6, ge=0.0, le=1.0, strict=True)
    gui_starts_armed: bool = Field(False, strict=True)
    run_starts_armed: bool = Field(True, strict=True)
    input_backend: InputBackend = Field(
        "auto",
        title="Send keys and clicks through",
        description=(
            "Automatic: the way this desktop offers (X11, the Wayland compositor or the "
            "remote-desktop portal). uinput: virtual keyboard and mouse devices of the Linux "
            "kernel, which work on any desktop but need write access to /dev/uinput (HandCue's "
            ".deb sets it up; see the README for pip installs). Linux only."
        ),
    )

    @field_validator("arm_gesture")
    @classmethod
    def _gesture_id(cls, value: str) -> str:
        if not GESTURE_ID_RE.match(value):
            raise ValueError(f"{value!r} is not a gesture id (lower case letters, digits, _)")
        if is_dynamic_gesture(value):
            raise ValueError("the arm gesture must be held, so it cannot be a swipe")
        return value

    @field_validator("pause_hotkey")
    @classmethod
    def _hotkey(cls, value: str) -> str:
        if value == "":
            return value
        try:
            action = parse_action(f"combo:{value}")
        except ActionSyntaxError as exc:
            raise ValueError(
                f'bad hotkey {value!r}: {exc.problem} (write it like ctrl+alt+p, or "" for none)'
            ) from None
        return action.spec.removeprefix("combo:")

    def arm_conflict(self, gesture: str) -> str | None:
        """Why ``gesture`` cannot be bound to an action (it is the arm gesture), or None."""
        if gesture == self.arm_gesture and gesture != "none":
            return (
                f"{gesture!r} is the arm gesture (it switches actions on and off); "
                "map another gesture or change actions.arm_gesture"
            )
        return None
