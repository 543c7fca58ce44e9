"""Static gestures: one hand, one frame, no temporal state.

The recogniser reads the five finger states of :mod:`pipeline.gestures.features` and matches them
against a small table of named signs. Every rule lists what each finger must be; the score of a
match is the smallest per-finger confidence, so a sign whose fingers all sit well inside their
state scores near 1 and one that only just passes scores near 0.5.

Relaxed hands are rejected on purpose: a finger that is neither clearly straight nor clearly bent
makes every rule that names it fail; a hand pointing sideways or down (hanging at the side,
lying on the lap, see :func:`is_resting`) or mostly outside the frame is ``none``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.gestures.counting import COUNTING_SCHEMES, count_for, curled_into_o, hooked_index
from pipeline.gestures.features import BENT, HALF, STRAIGHT, HandPose, measure
from pipeline.skeleton import FINGER_NAMES
from pipeline.types import Hand

NONE = "none"
STATIC_GESTURES: tuple[str, ...] = (
    "none", "fist", "open_palm", "pointing_up", "victory", "three", "four", "thumb_up",
    "thumb_down", "ok", "rock", "i_love_you", "call",
)  # fmt: skip
# Movements (pipeline.gestures.motion); the settings keep the same list (MOTION_GESTURES).
SWIPE_GESTURES: tuple[str, ...] = ("swipe_left", "swipe_right", "swipe_up", "swipe_down")
HAND_MOVEMENTS: tuple[str, ...] = (
    "drag", "zoom_in", "zoom_out", "tap", "double_tap", "circle_cw", "circle_ccw",
)  # fmt: skip
DYNAMIC_GESTURES: tuple[str, ...] = SWIPE_GESTURES + HAND_MOVEMENTS
# Numbers as gestures (emitted by GestureEngine beside the sign itself, so a mapping on
# ``count_3`` fires whichever hand shape shows 3 in the current scheme): one hand's count, and
# the frame's total over all hands (pipeline.gestures.totals).
MAX_NUMBER = 10
COUNT_GESTURES: tuple[str, ...] = tuple(f"count_{n}" for n in range(MAX_NUMBER + 1))
TOTAL_GESTURES: tuple[str, ...] = tuple(f"total_{n}" for n in range(MAX_NUMBER + 1))
# Ids keep their places: the movements added after the numbers come last.
BUILTIN_GESTURES: tuple[str, ...] = (
    STATIC_GESTURES + SWIPE_GESTURES + COUNT_GESTURES + TOTAL_GESTURES + HAND_MOVEMENTS
)
# The same ids in the order people look for them (lists, the gallery): signs, movements, numbers.
GESTURES_IN_ORDER: tuple[str, ...] = (
    STATIC_GESTURES + DYNAMIC_GESTURES + COUNT_GESTURES + TOTAL_GESTURES
)

# Signs made with the fingers are shown with the hand raised: the wrist -> middle-knuckle
# direction in the image must be within this angle of straight up. A hand pointing sideways or
# down hangs from a lowered arm, lies on the lap or a table, or is doing something else.
# (HaGRID's signing hands point within 46 degrees of up; its resting hands 100-180 degrees from
# up.) Finger states themselves do not depend on the hand's rotation; only the decision that a
# sign is meant does.
MAX_TILT_DEG = 70.0
# The signs made with a sideways hand (thumb_up, thumb_down, call) only need the hand not to
# hang: a wrist -> knuckles direction within this angle of straight down is resting.
RESTING_DOWN_THUMB_DEG = 40.0
SIDEWAYS_SIGNS = frozenset({"thumb_up", "thumb_down", "call"})
# Thumb direction (MCP -> tip in the image) within this angle of up/down for thumb_up/down.
THUMB_VERTICAL_DEG = 70.0
# thumb_up/down need the thumb well clear of the fist (lateral measure, palm sizes): a thumb
# resting along the side of a fist sticks out about 0.2-0.3, a raised thumb 0.6-1.0.
THUMB_SIGN_MIN_OUT = 0.4
# A fist is clenched: its four fingers fold on average at least this much (degrees, MCP + PIP +
# DIP; each finger's own "bent" starts at features.BENT_MIN_DEG). A hand lying loosely curled
# (on a table, on the lap) folds its fingers less. Measured: HaGRID fist-class hands 186-289
# (mean of the four fingers), the fists of the fist-then-thumb-up video 231-265, a resting
# hand curled on a table beside a raised "stop" hand 174 (it read as a fist before this).
# Fingers folded that far can still make an O or a hooked index (Chinese 0 and 9,
# counting.curled_into_o and counting.hooked_index): their tips stay up, and they are no fist
# (on the Chinese number photos, 6 hands read as an O or a hooked index were also called a
# fist, the app showing "Fist" beside the count 0 or 9; the four fingertips of HaGRID's fist
# hands stand at most 0.92 palm sizes high on average, the O needs 0.95).
FIST_MIN_MEAN_CURL_DEG = 180.0
# ok: thumb tip and index tip closer than this many palm sizes (confidence 1 at half of it).
OK_PINCH_MAX = 0.45
# Counting works at any orientation (Chinese numerals are often shown sideways, down or pointing
# at the camera). A resting hand, though, hangs with all four fingers open or all curled, which
# are also the shapes of 0, 4, 5 and Chinese 10: those counts need the hand's wrist -> middle
# knuckle direction within COUNT_REST_MAX_TILT_DEG of up, unless the hand points at or away
# from the camera (HandPose.facing below COUNT_MIN_FACING: its image direction says little).
# Chinese dev photos show 0/4/5/10 within 102 degrees of up; HaGRID's resting hands hang
# 108-180 degrees from up.
COUNT_REST_MAX_TILT_DEG = 105.0
REST_LIKE_COUNTS = frozenset({0, 4, 5, 10})  # four fingers all open or all curled
COUNT_MIN_FACING = 0.5
# More than this fraction of the 21 landmarks outside the frame: too little of the hand is seen.
MAX_OUTSIDE_FRACTION = 0.25

# Finger requirements: S straight, B bent, b bent or half (anything but straight), * anything.
# Order: thumb, index, middle, ring, pinky.
_RULES: tuple[tuple[str, str], ...] = (
    ("open_palm", "SSSSS"),
    ("four", "BSSSS"),
    ("pointing_up", "*SBBB"),
    ("victory", "bSSBB"),
    ("three", "SSSBB"),
    ("three", "bSSSB"),
    ("thumb_up", "SBBBB"),
    ("thumb_down", "SBBBB"),
    ("fist", "*BBBB"),
    ("rock", "bSBBS"),
    ("i_love_you", "SSBBS"),
    ("call", "SBBBS"),
)


@dataclass(frozen=True)
class GestureResult:
    """What one hand shows in one frame.

    ``gesture``: a built-in id (:data:`BUILTIN_GESTURES`) or a recorded gesture's name;
    ``score``: confidence in [0, 1] (0 for ``none``); ``count``: the number shown under the
    recogniser's counting scheme, or ``None`` when the pose is not a number there (a count is
    read at any orientation, so a hand whose ``gesture`` is ``none`` because it is tilted may
    still show one); ``fingers``: the five finger states (thumb first), each ``"straight"``,
    ``"half"`` or ``"bent"``; ``total``: the number all the hands of the frame show together
    (:func:`pipeline.gestures.totals.frame_total`), filled in by
    :class:`~pipeline.gestures.engine.GestureEngine`; ``None`` from
    :meth:`GestureRecognizer.classify`, which sees one hand, and when no hand shows a number.
    """

    gesture: str
    score: float
    count: int | None
    fingers: tuple[str, ...]
    total: int | None = None


def _finger_conf(pose: HandPose, finger: int, need: str) -> float:
    if need == "*":
        return 1.0
    if need == "S":
        return pose.straight_conf[finger]
    if need == "B":
        return pose.bent_conf[finger]
    # "b": anything but straight
    return 1.0 - pose.straight_conf[finger] if pose.states[finger] == STRAIGHT else 1.0


def _state_ok(state: str, need: str) -> bool:
    if need == "*":
        return True
    if need == "S":
        return state == STRAIGHT
    if need == "B":
        return state == BENT
    return state in (BENT, HALF)


def _angle_to(vec: tuple[float, float], target: tuple[float, float]) -> float:
    dot = vec[0] * target[0] + vec[1] * target[1]
    return math.degrees(math.acos(max(-1.0, min(1.0, dot))))


def is_resting(pose: HandPose, gesture: str, max_tilt_deg: float = MAX_TILT_DEG) -> bool:
    """True when the hand's direction in the image rules out ``gesture`` being meant: tilted
    more than ``max_tilt_deg`` from up for signs made with the fingers, hanging nearly straight
    down for the sideways signs."""
    if gesture in SIDEWAYS_SIGNS:
        return _angle_to(pose.direction, (0.0, 1.0)) < RESTING_DOWN_THUMB_DEG
    return _angle_to(pose.direction, (0.0, -1.0)) > max_tilt_deg


def count_is_resting(
    pose: HandPose, count: int | None, max_tilt_deg: float = COUNT_REST_MAX_TILT_DEG
) -> bool:
    """True when ``pose`` showing ``count`` looks like a resting hand rather than a number
    being shown: one of :data:`REST_LIKE_COUNTS` with the hand tilted more than
    ``max_tilt_deg`` (:data:`COUNT_REST_MAX_TILT_DEG`) from up. Relaxed, half-curled fingers are rejected by the
    counting rules themselves; other finger sets are numbers at any orientation."""
    return (
        count in REST_LIKE_COUNTS
        and pose.facing >= COUNT_MIN_FACING
        and _angle_to(pose.direction, (0.0, -1.0)) > max_tilt_deg
    )


def outside_fraction(hand: Hand, frame_size: tuple[int, int]) -> float:
    """Fraction of the 21 image landmarks outside a ``(width, height)`` frame."""
    w, h = frame_size
    xy = hand.landmarks[:, :2]
    out = (xy[:, 0] < 0) | (xy[:, 0] >= w) | (xy[:, 1] < 0) | (xy[:, 1] >= h)
    return float(np.mean(out))


def match_builtin(pose: HandPose) -> tuple[str, float]:
    """Best built-in static gesture for ``pose`` and its score; ``("none", 0.0)`` if none fits."""
    best, best_score = NONE, 0.0
    for name, need in _RULES:
        if not all(_state_ok(s, n) for s, n in zip(pose.states, need, strict=True)):
            continue
        score = min(_finger_conf(pose, i, n) for i, n in enumerate(need))
        if name == "fist":
            # A thumb along the side of the fist is still a fist; one sticking out is not.
            if pose.thumb_out >= THUMB_SIGN_MIN_OUT:
                continue
            if sum(pose.curls[1:]) / 4 < FIST_MIN_MEAN_CURL_DEG:
                continue  # loosely curled: a resting hand, not a clenched fist
            if curled_into_o(pose) or hooked_index(pose):
                continue  # an O or a hooked index (Chinese 0 and 9) is not a fist
            score = min(
                score, 0.5 + 0.5 * (THUMB_SIGN_MIN_OUT - pose.thumb_out) / THUMB_SIGN_MIN_OUT
            )
        if name == "victory" and pose.crossed:
            continue  # crossed fingers are not a V
        if name in ("thumb_up", "thumb_down"):
            target = (0.0, -1.0) if name == "thumb_up" else (0.0, 1.0)
            off = _angle_to(pose.thumb_direction, target)
            if off > THUMB_VERTICAL_DEG or pose.thumb_out < THUMB_SIGN_MIN_OUT:
                continue
            out_conf = 0.5 + 0.5 * (pose.thumb_out - THUMB_SIGN_MIN_OUT) / THUMB_SIGN_MIN_OUT
            score = min(score, 1.0 - 0.5 * off / THUMB_VERTICAL_DEG, out_conf)
        if score > best_score:
            best, best_score = name, score
    # ok: thumb and index tips touch while the other three fingers stand. The index curls to
    # meet the thumb (half or bent, HaGRID's ok signs sum 105-140 degrees); a straight index
    # with the thumb tip near its tip is a thumb hidden behind an open hand, not an ok.
    if (
        pose.pinch < OK_PINCH_MAX
        and pose.states[1] != STRAIGHT
        and all(pose.states[i] == STRAIGHT for i in (2, 3, 4))
    ):
        pinch_conf = min(1.0, 0.5 + 0.5 * (OK_PINCH_MAX - pose.pinch) / (OK_PINCH_MAX / 2))
        score = min([pinch_conf] + [pose.straight_conf[i] for i in (2, 3, 4)])
        best, best_score = "ok", score
    return best, float(best_score)


class GestureRecognizer:
    """Per-frame static gesture of one hand; stateless, so safe on single photos.

    ``counting``: ``"american"``, ``"european"`` or ``"chinese"`` (see
    :mod:`pipeline.gestures.counting`). ``templates``: an optional
    :class:`~pipeline.gestures.templates.TemplateStore` of recorded gestures; a recorded gesture
    that matches wins over the built-in signs and is returned under its own name.
    ``use_world``: measure angles on the world landmarks instead of the image landmarks (see
    :mod:`pipeline.gestures.features` for why image landmarks are the default).
    ``max_tilt_deg``: how far from upright a sign made with the fingers may be shown (180 turns
    the check off; see :data:`MAX_TILT_DEG`). ``count_max_tilt_deg``: the same for the numbers a
    resting hand also makes (0, 4, 5, 10; see :func:`count_is_resting`; 180 turns it off).
    """

    def __init__(
        self,
        counting: str = "american",
        templates: object | None = None,
        use_world: bool = False,
        max_tilt_deg: float = MAX_TILT_DEG,
        count_max_tilt_deg: float = COUNT_REST_MAX_TILT_DEG,
    ) -> None:
        if counting not in COUNTING_SCHEMES:
            raise ValueError(
                f"unknown counting scheme {counting!r}; choose one of {', '.join(COUNTING_SCHEMES)}"
            )
        self.counting = counting
        self.templates = templates
        self.use_world = use_world
        self.max_tilt_deg = float(max_tilt_deg)
        self.count_max_tilt_deg = float(count_max_tilt_deg)

    def classify(self, hand: Hand, frame_size: tuple[int, int] | None = None) -> GestureResult:
        """Gesture, score, count and finger states of ``hand``.

        ``frame_size`` ``(width, height)`` in pixels, when known, lets the recogniser reject a
        hand that is mostly outside the frame (its landmarks there are guesses).
        """
        pose = measure(hand, self.use_world)
        fingers = pose.states
        if frame_size is not None and outside_fraction(hand, frame_size) > MAX_OUTSIDE_FRACTION:
            return GestureResult(NONE, 0.0, None, fingers)
        if self.templates is not None:
            match = self.templates.match(hand)  # type: ignore[attr-defined]
            if match is not None and not is_resting(pose, match[0], self.max_tilt_deg):
                name, score = match
                return GestureResult(name, score, None, fingers)
        gesture, score = match_builtin(pose)
        count = count_for(self.counting, pose, gesture)
        if count_is_resting(pose, count, self.count_max_tilt_deg):
            count = None
        if is_resting(pose, gesture, self.max_tilt_deg):
            return GestureResult(NONE, 0.0, count, fingers)
        return GestureResult(gesture, score if gesture != NONE else 0.0, count, fingers)


__all__ = [
    "BUILTIN_GESTURES",
    "DYNAMIC_GESTURES",
    "GESTURES_IN_ORDER",
    "STATIC_GESTURES",
    "GestureRecognizer",
    "GestureResult",
    "FINGER_NAMES",
    "match_builtin",
]
