"""Counting schemes: which finger sets mean which number.

- ``american``: index first. 1 index (a loose thumb beside it does not change that), 2 index+middle, 3 index+middle+ring (thumb+index+middle is
  read as 3 too), 4 the four fingers, 5 the open hand, 0 a fist.
- ``european``: thumb first. 1 thumb, 2 thumb+index, 3 thumb+index+middle, 4 thumb plus three
  fingers (the four fingers without the thumb are read as 4 too), 5 the open hand, 0 a fist.
- ``chinese``: one-hand numerals 0-10. 1-5 as American, except that a thumb not clearly out
  beside four straight fingers is 4, not "undecided" (3 may also be
  middle+ring+pinky with the thumb holding the index, i.e. the ``ok`` shape, or with the index
  folded whatever the thumb does); 6 thumb+pinky
  (also a pinky read half or bent whose tip stands well above the three folded fingers);
  7 thumb, index and middle tips pinched together (index and middle straight or half bent,
  ring and pinky folded; seen from the side, the thumb on the index tip with the middle read
  folded); 8 thumb+index in an L (the thumb stands far out; a thumb loosely
  beside a pointing index is still 1; the other fingers may be loosely curled); 9 a hooked
  index (its tip well above the folded fingers, bent at the outer joints); **10 a fist**; 0 the fingers curled into an O with the thumb
  touching the index or middle fingertip and the fingertips gathered (a fist is 10, never 0, in
  this scheme; curled fingers whose tips stand apart are no number). Two crossed
  index fingers with two hands are a two-hand 10 (:mod:`pipeline.gestures.totals`).

Every rule reasons in the hand's own frame (finger angles, heights along the palm's up axis,
distances in palm sizes), so a sign reads the same upright, sideways, upside down or pointing
at the camera. Whether a hand is held up to show a number at all is decided by the recogniser
(:func:`pipeline.gestures.recognizer.count_is_resting`).

A pose that is not a number in the scheme counts as ``None``; so does a pose with a half-bent
finger, except where the scheme uses that (the hooked index of Chinese 9).
"""

from __future__ import annotations

from pipeline.gestures.features import BENT, HALF, STRAIGHT, THUMB_OUT_MIN, HandPose
from pipeline.skeleton import FINGER_NAMES

COUNTING_SCHEMES: tuple[str, ...] = ("american", "european", "chinese")

# Chinese 7: thumb tip within this many palm sizes of both the index and the middle fingertip
# (dev photos: 0.13-0.5 for 7; a V with the thumb folded away, Chinese 2, 0.67 and more).
SEVEN_PINCH_MAX = 0.5
# Chinese 0 (O): the thumb tip touches the index or the middle fingertip (closer than this) and
# the four fingertips stay up at the knuckles on average (tip height, see HandPose.tip_height:
# an O 0.95-1.6, a fist 0.6-0.95).
ZERO_PINCH_MAX = 0.45
ZERO_MIN_TIP_HEIGHT = 0.95
# ... and the middle, ring and little fingertips lie together, within about a finger's width
# of their neighbours (HandPose.tip_gaps, palm sizes). Dev photos, the views read as an O: true
# 0s have the larger of the middle-ring and ring-little gaps at 0.17 (median), 0.23 (95th
# percentile), 0.27 (99th); hooked-index 9s and pinched 7s that the landmark model curls into
# an O at 0.24 (median) and 0.48 (90th percentile). Above 0.25: 2.6% of true 0 views, 47% of
# the others.
ZERO_MAX_TIP_GAP = 0.25
# Chinese 9: the hooked index's tip stands this far above the highest other folded fingertip
# (palm sizes), it is not straight, and it bends mostly at its outer joints (PIP + DIP at least
# HOOK_MIN_DEG, the knuckle at most HOOK_MCP_MAX_DEG).
NINE_TIP_ABOVE = 0.2
HOOK_MIN_DEG = 50.0
HOOK_MCP_MAX_DEG = 50.0
# Chinese 10: a fist; the thumb may rest along its side but not stick out like a thumb-up.
FIST_THUMB_MAX_OUT = 0.4
# Chinese 8: the thumb of the L stands out this far (lateral measure) or reaches this far from
# the pinky knuckle (thumb_span); a pointing index with a loose thumb (1) reaches 0.27-0.42 and
# 0.9-1.2.
EIGHT_THUMB_OUT = 0.45
EIGHT_THUMB_SPAN = 1.2
# Chinese 8 with the other three fingers loosely curled (read half) instead of folded: the thumb
# stands out at least EIGHT_THUMB_OUT (lateral measure) and the straight index reaches this far
# (palm sizes, along the palm's up axis) above the highest other fingertip. Measured on hands
# with a straight index, the thumb that far out and no other finger straight but one half: dev
# 8s 0.37-0.46; every other such hand at most 0.09 (dev: -0.26; HaGRID resting hands, both
# sources: 0.02 and 0.09); the synthetic loose L of the tests 0.28-0.41 over its out-of-plane
# views. A relaxed hand's index does not stand out above its neighbours.
EIGHT_INDEX_ABOVE = 0.25
# Chinese 5 needs the thumb out (the "straight" thumb of features.THUMB_OUT_MIN); a thumb less
# far out beside four straight fingers is 4. On the dev photos a stricter 0.3 reads 86% of the
# 4s right instead of 79% (5s 98% instead of 100%), but then 8 of HaGRID's 20 "stop" hands
# (open hand, fingers together, thumb alongside: 5) read as 4. Most dev 4s read 5 have a
# thumb the landmark model puts out (0.16-0.69) where the photo shows it folded over the palm.
FIVE_THUMB_OUT = THUMB_OUT_MIN
# Chinese 7: the thumb pinching the fingertips lies in front of the fingers, not out beside them.
SEVEN_THUMB_MAX_OUT = 0.3
# Chinese 7 seen from the side: the middle fingertip hides behind the index and the landmark
# model folds the middle finger with ring and pinky. The thumb tip still meets the index tip
# (closer than SEVEN_SIDE_PINCH_MAX palm sizes) and the index stands up (its tip at least
# SEVEN_SIDE_INDEX_ABOVE above the ring and pinky tips). Measured on hands with the index not
# folded, middle, ring and pinky folded and the thumb in front: dev 7s pinch 0.19-0.36, 1s 0.45
# and more, 9s 0.49 and more, HaGRID (both sources) 0.61 and more; the one dev 0 (an O) that
# close, 0.24, has its index tip 0.09 above ring and pinky, the 7s 0.88-1.06. A thumb pinching
# the index tip with the other three folded is no other Chinese number.
SEVEN_SIDE_PINCH_MAX = 0.4
SEVEN_SIDE_INDEX_ABOVE = 0.4
# Chinese 6 with a pinky that is not read straight (on small photos the landmark model often
# bends a pinky that sticks out, or it points partly at the camera): the thumb out, index,
# middle and ring folded, and the pinky tip standing this far (palm sizes, along the palm's up
# axis) above the highest of the three folded fingertips. Only a pinky that is out can do
# that. Measured with index, middle and ring folded (bilinear-enlarged dev photos): dev 6s with
# a bent or half pinky 0.25, 0.33 and 0.52 (five more at -0.16-0.13 are lost: their landmarks
# fold the pinky; 6s with a straight pinky, decided by its state, 0.15-1.35, median 0.8); every
# other hand with a bent pinky at most 0.13 (dev; 0.02 with the thumb out) and 0.07 (HaGRID,
# both sources), the pinky being the shortest finger. The threshold sits in that gap.
SIX_PINKY_ABOVE = 0.2


def curled_into_o(pose: HandPose) -> bool:
    """True when ``pose``'s fingers are curled into an O (Chinese 0): none straight, the thumb
    tip touching the index or the middle fingertip and the four fingertips up at the knuckles
    on average, not folded into the palm as in a fist (see ZERO_PINCH_MAX)."""
    return (
        STRAIGHT not in pose.states[1:]
        and min(pose.pinch, pose.pinch_middle) < ZERO_PINCH_MAX
        and sum(pose.tip_height[1:]) / 4 >= ZERO_MIN_TIP_HEIGHT
    )


def hooked_index(pose: HandPose) -> bool:
    """True when ``pose`` holds the index hooked (Chinese 9): index and middle not straight,
    ring and pinky folded, the index tip standing above the other fingertips (NINE_TIP_ABOVE)
    and the index bent at its outer joints, not at its knuckle."""
    index, middle, ring, pinky = pose.states[1:]
    mcp, pip, dip = pose.joints[1]
    heights = pose.tip_height
    return (
        index != STRAIGHT
        and middle != STRAIGHT
        and ring == BENT
        and pinky == BENT
        and heights[1] - max(heights[2:]) >= NINE_TIP_ABOVE
        and pip + dip >= HOOK_MIN_DEG
        and mcp <= HOOK_MCP_MAX_DEG
    )


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
    # The rest of Chinese is decided by _chinese() before the table is looked at.
    "chinese": {
        _fs("index", "middle"): 2,
        _fs("index", "middle", "ring"): 3,
        _fs("middle", "ring", "pinky"): 3,
    },
}

# Signs that are never numbers, whatever their fingers (thumb_down is not "1 thumb").
_NOT_NUMBERS = frozenset({"thumb_down", "rock", "i_love_you"})


def count_for(scheme: str, pose: HandPose, gesture: str) -> int | None:
    """The number ``pose`` shows under ``scheme``, or ``None``.

    ``gesture`` is the built-in sign already recognised for the pose (it settles cases the
    finger sets alone cannot, such as ``ok`` or ``thumb_down``).
    """
    if scheme not in _TABLES:
        raise ValueError(f"unknown counting scheme {scheme!r}")
    if gesture in _NOT_NUMBERS:
        return None
    states = dict(zip(FINGER_NAMES, pose.states, strict=True))
    if scheme == "chinese":
        return _chinese(pose, states, gesture)
    if gesture == "ok":
        return None
    if any(states[f] == HALF for f in FINGER_NAMES[1:]):
        return None
    return _lookup(_TABLES[scheme], pose, states)


def _lookup(table: dict[frozenset[str], int], pose: HandPose, states: dict[str, str]) -> int | None:
    extended = frozenset(f for f in FINGER_NAMES if states[f] == STRAIGHT)
    if states["thumb"] != HALF:
        return table.get(extended)
    # An undecided thumb: take the number if both readings agree or only one is a number.
    without, with_thumb = table.get(extended), table.get(extended | {"thumb"})
    if without is None or with_thumb is None:
        return without if with_thumb is None else with_thumb
    return without if without == with_thumb else None


def _chinese(pose: HandPose, states: dict[str, str], gesture: str) -> int | None:
    if gesture == "ok":
        return 3
    index, middle, ring, pinky = (states[f] for f in FINGER_NAMES[1:])
    if index != STRAIGHT and (middle, ring, pinky) == (STRAIGHT, STRAIGHT, STRAIGHT):
        # The ok-shaped 3 whose thumb does not quite reach the index (or whose index is folded
        # half): no other hand on the dev photos or HaGRID (both sources) holds only the last
        # three fingers up.
        return 3
    heights = pose.tip_height
    if (
        ring == BENT
        and pinky == BENT
        and index != BENT
        and middle != BENT
        and pose.thumb_out < SEVEN_THUMB_MAX_OUT
        and max(pose.pinch, pose.pinch_middle) < SEVEN_PINCH_MAX
    ):
        return 7
    if (
        ring == BENT
        and pinky == BENT
        and index != BENT
        and middle == BENT
        and pose.thumb_out < SEVEN_THUMB_MAX_OUT
        and pose.pinch < SEVEN_SIDE_PINCH_MAX
        and heights[1] - max(heights[3:]) >= SEVEN_SIDE_INDEX_ABOVE
    ):
        return 7  # seen from the side: the middle fingertip hidden behind the index
    if hooked_index(pose):
        return 9
    fingers = (index, middle, ring, pinky)
    if (
        states["thumb"] == STRAIGHT
        and (index, middle, ring) == (BENT, BENT, BENT)
        and heights[4] - max(heights[1:4]) >= SIX_PINKY_ABOVE
    ):
        return 6  # the call shape, also with a pinky the landmarks bend
    if curled_into_o(pose):
        # An O gathers the fingertips at the thumb; curled fingers whose tips stand apart are a
        # claw or a misread hook, neither 0 nor a fist.
        return 0 if max(pose.tip_gaps[1:]) <= ZERO_MAX_TIP_GAP else None
    if all(f == BENT for f in fingers):
        return 10 if pose.thumb_out < FIST_THUMB_MAX_OUT else None
    if (
        index == STRAIGHT
        and STRAIGHT not in (middle, ring, pinky)
        and pose.thumb_out >= EIGHT_THUMB_OUT
        and heights[1] - max(heights[2:]) >= EIGHT_INDEX_ABOVE
    ):
        return 8  # the L, also with the other fingers loosely curled
    if HALF in fingers:
        return None
    extended = frozenset(f for f, s in zip(FINGER_NAMES[1:], fingers, strict=True) if s == STRAIGHT)
    if extended == {"index", "middle"} and pose.crossed:
        return None  # crossed fingers (good luck), not 2
    if len(extended) == 4:
        return 5 if pose.thumb_out >= FIVE_THUMB_OUT else 4
    if extended == {"index"}:
        return 8 if pose.thumb_out >= EIGHT_THUMB_OUT or pose.thumb_span >= EIGHT_THUMB_SPAN else 1
    if extended == {"pinky"}:
        return 6 if states["thumb"] == STRAIGHT else None
    return _lookup(_TABLES["chinese"], pose, states)
