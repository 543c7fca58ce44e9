"""Counting schemes: which finger sets mean which number.

- ``american``: index first. 1 index (a loose thumb beside it does not change that), 2 index+middle, 3 index+middle+ring (thumb+index+middle is
  read as 3 too), 4 the four fingers, 5 the open hand, 0 a fist.
- ``european``: thumb first. 1 thumb, 2 thumb+index, 3 thumb+index+middle, 4 thumb plus three
  fingers (the four fingers without the thumb are read as 4 too), 5 the open hand, 0 a fist.
- ``chinese``: one-hand numerals. 1-5 as American (3 may also be middle+ring+pinky with the thumb
  holding the index, i.e. the ``ok`` shape), 6 thumb+pinky, 7 thumb, index and middle tips pinched
  together (index and middle half bent), 8 thumb+index, 9 a hooked index (straight at the knuckle,
  bent at the two outer joints), 10 crossed index and middle fingers, 0 a fist.

A pose that is not a number in the scheme counts as ``None``; so does a pose with a half-bent
finger, except where the scheme uses that (the hooked index of Chinese 9).
"""

from __future__ import annotations

from pipeline.gestures.features import BENT, HALF, STRAIGHT, HandPose
from pipeline.skeleton import FINGER_NAMES

COUNTING_SCHEMES: tuple[str, ...] = ("american", "european", "chinese")

# Chinese 7: the three tips meet within this many palm sizes.
PINCH_TOGETHER_MAX = 0.45
# Chinese 9: the index stays nearly straight at its knuckle (MCP below this, degrees) while its
# two outer joints hook (PIP + DIP above HOOK_MIN_DEG); a fist bends the knuckle too.
HOOK_MCP_MAX_DEG = 25.0
HOOK_MIN_DEG = 70.0


def _fs(*names: str) -> frozenset[str]:
    return frozenset(names)


_TABLES: dict[str, dict[frozenset[str], int]] = {
    "american": {
        _fs(): 0,
        _fs("index"): 1,
        _fs("thumb", "index"): 1,
        _fs("index", "middle"): 2,
        _fs("index", "middle", "ring"): 3,
        _fs("thumb", "index", "middle"): 3,
        _fs("index", "middle", "ring", "pinky"): 4,
        _fs(*FINGER_NAMES): 5,
    },
    "european": {
        _fs(): 0,
        _fs("thumb"): 1,
        _fs("thumb", "index"): 2,
        _fs("thumb", "index", "middle"): 3,
        _fs("thumb", "index", "middle", "ring"): 4,
        _fs("index", "middle", "ring", "pinky"): 4,
        _fs(*FINGER_NAMES): 5,
    },
    "chinese": {
        _fs(): 0,
        _fs("index"): 1,
        _fs("index", "middle"): 2,
        _fs("index", "middle", "ring"): 3,
        _fs("middle", "ring", "pinky"): 3,
        _fs("index", "middle", "ring", "pinky"): 4,
        _fs(*FINGER_NAMES): 5,
        _fs("thumb", "pinky"): 6,
        _fs("thumb", "index"): 8,
    },
}

# Signs that are never numbers, whatever their fingers (thumb_down is not "1 thumb").
_NOT_NUMBERS = frozenset({"thumb_down", "rock", "i_love_you"})


def count_for(scheme: str, pose: HandPose, gesture: str) -> int | None:
    """The number ``pose`` shows under ``scheme``, or ``None``.

    ``gesture`` is the built-in sign already recognised for the pose (it settles cases the
    finger sets alone cannot, such as ``ok`` or ``thumb_down``).
    """
    table = _TABLES[scheme]
    states = dict(zip(FINGER_NAMES, pose.states, strict=True))
    if gesture in _NOT_NUMBERS:
        return None
    if scheme == "chinese":
        special = _chinese_special(pose, states, gesture)
        if special is not None:
            return special
    if gesture == "ok":
        return None
    if any(states[f] == HALF for f in FINGER_NAMES[1:]):
        return None
    extended = frozenset(f for f in FINGER_NAMES if states[f] == STRAIGHT)
    if states["thumb"] != HALF:
        return table.get(extended)
    # An undecided thumb: take the number if both readings agree or only one is a number.
    without, with_thumb = table.get(extended), table.get(extended | {"thumb"})
    if without is None or with_thumb is None:
        return without if with_thumb is None else with_thumb
    return without if without == with_thumb else None


def _chinese_special(pose: HandPose, states: dict[str, str], gesture: str) -> int | None:
    if gesture == "ok":
        return 3
    others_bent = states["ring"] == BENT and states["pinky"] == BENT
    if (
        others_bent
        and pose.pinch < PINCH_TOGETHER_MAX
        and pose.pinch_middle < PINCH_TOGETHER_MAX
        and states["index"] == HALF
        and states["middle"] == HALF
    ):
        return 7
    mcp, pip, dip = pose.joints[1]
    if (
        states["index"] != STRAIGHT
        and mcp < HOOK_MCP_MAX_DEG
        and pip + dip > HOOK_MIN_DEG
        and states["thumb"] != STRAIGHT
        and all(states[f] == BENT for f in ("middle", "ring", "pinky"))
    ):
        return 9
    if (
        states["index"] == STRAIGHT
        and states["middle"] == STRAIGHT
        and others_bent
        and pose.crossed
    ):
        return 10
    return None
