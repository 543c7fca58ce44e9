"""The action engine's view of the settings and its per-hand state of a mapping.

:class:`ResolvedBinding` and :class:`SafetyLimits` are plain values that
:class:`pipeline.actions.engine.ActionEngine` takes from the settings (hold, cooldown and repeat
times filled in from the ``[actions]`` defaults), so the trigger machinery never reads the
settings model itself. :class:`Activation` is one mapping running for one tracked hand.
Times are frame times in ms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.actions.spec import Action


@dataclass(frozen=True)
class ResolvedBinding:
    """One mapping in effect. ``index``: its position among the profile's mappings plus the
    overrides (it keys cooldowns and activations); ``hand`` is ``"any"``, ``"left"`` or
    ``"right"``; ``trigger`` is ``"on_start"``, ``"while_held"``, ``"on_end"`` or ``"hold"``."""

    index: int
    gesture: str
    hand: str
    trigger: str
    action: Action
    hold_ms: float
    cooldown_ms: float
    repeat_ms: float

    def matches_hand(self, handedness: str) -> bool:
        """Whether a hand reported as ``handedness`` (``"Left"``/``"Right"``) may trigger it."""
        return self.hand == "any" or self.hand == handedness.lower()


@dataclass(frozen=True)
class SafetyLimits:
    """The ``[actions]`` safety settings the engine applies: hands tracked below
    ``min_hand_score`` trigger nothing; holding ``arm_gesture`` (``"none"``: no arm gesture) for
    ``arm_hold_ms`` toggles armed; at most ``max_actions_per_second`` actions are sent."""

    min_hand_score: float
    arm_gesture: str
    arm_hold_ms: float
    max_actions_per_second: float


@dataclass
class Activation:
    """One mapping running for one tracked hand (from its ``started`` event to ``ended``).

    ``fired``: its first action was attempted; ``pressed``: it holds a key or button down
    (trigger ``hold``); ``next_repeat_ms``: when a ``while_held`` repeat is due; ``done``: it
    fires no more.
    """

    binding: ResolvedBinding
    track_id: int
    handedness: str
    started_ms: float
    fired: bool = False
    pressed: bool = False
    next_repeat_ms: float = math.inf
    done: bool = False
