"""Swipes from scripted hand trajectories (parametric hand moved across the image)."""

from __future__ import annotations

import pytest

from pipeline.gestures import GestureEngine, SwipeConfig, SwipeDetector
from pipeline.types import FrameResult
from tests.support.handmodel import SIGNS, make_hand

FRAME_MS = 40.0


def _move(start, step, frames, sign="open_palm", distance=0.6, still=5):
    """Hands held still for ``still`` frames, then moving by ``step`` pixels per frame."""
    x, y = start
    out = []
    for i in range(still + frames):
        if i >= still:
            x, y = x + step[0], y + step[1]
        out.append(make_hand(SIGNS[sign], centre=(x, y), distance=distance, track_id=3))
    return out


def _swipes(hands, config=None):
    det = SwipeDetector(config)
    found = []
    for i, hand in enumerate(hands):
        sign = "open_palm" if hand is not None else "none"
        got = det.update(hand, sign, i * FRAME_MS)
        if got:
            found.append(got)
    return found


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ((30.0, 0.0), "swipe_left"),  # image +x is the user's left (mirrored preview)
        ((-30.0, 0.0), "swipe_right"),
        ((0.0, -30.0), "swipe_up"),
        ((0.0, 30.0), "swipe_down"),
    ],
)
def test_swipe_directions(step, expected):
    hands = _move((320.0 - 5 * step[0], 240.0 - 5 * step[1]), step, 10)
    assert _swipes(hands) == [expected]


def test_swipe_thresholds_scale_with_hand_size():
    # The same movement in palm sizes, with the hand twice as far (half as big in pixels).
    near = _move((150.0, 240.0), (30.0, 0.0), 10, distance=0.6)
    far = _move((230.0, 240.0), (15.0, 0.0), 10, distance=1.2)
    assert _swipes(near) == _swipes(far) == ["swipe_left"]
    # A quarter of that speed (about 1 palm size per second) is no swipe.
    slow_near = _move((250.0, 240.0), (15.0 / 4, 0.0), 12, distance=0.6)
    assert _swipes(slow_near) == []


def test_slow_drift_is_not_a_swipe():
    hands = _move((100.0, 240.0), (6.0, 0.0), 60)
    assert _swipes(hands) == []


def test_diagonal_is_not_a_swipe():
    hands = _move((200.0, 150.0), (25.0, 25.0), 10)
    assert _swipes(hands) == []


def test_one_swipe_per_movement():
    hands = _move((100.0, 240.0), (35.0, 0.0), 14)
    assert _swipes(hands) == ["swipe_left"]


def test_resting_hand_moving_down_is_not_a_swipe():
    det = SwipeDetector()
    found = []
    for i, hand in enumerate(_move((320.0, 100.0), (0.0, 30.0), 10, sign="fist")):
        found.append(det.update(hand, "none", i * FRAME_MS))
    assert [f for f in found if f] == []
    # ... unless any hand shape is allowed
    det = SwipeDetector(SwipeConfig(gestures=None))
    found = [
        det.update(h, "none", i * FRAME_MS)
        for i, h in enumerate(_move((320.0, 100.0), (0.0, 30.0), 10))
    ]
    assert [f for f in found if f] == ["swipe_down"]


def test_engine_emits_swipe_as_started_and_ended():
    engine = GestureEngine(hold_ms=150)
    events = []
    for i, hand in enumerate(_move((150.0, 240.0), (30.0, 0.0), 10)):
        events += engine.process(FrameResult(i, i * FRAME_MS, 640, 480, (hand,), False))[1]
    swipe = [(e.kind, e.gesture) for e in events if e.gesture.startswith("swipe")]
    assert swipe == [("started", "swipe_left"), ("ended", "swipe_left")]
