"""Hands that make no movement must make no movement event: a resting hand (relaxed, hanging
or lying, with the tracker's jitter and a slow drift), signs held still with noisy readings,
and a hand that shows one sign after another in place."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.gestures import DYNAMIC_GESTURES, GestureEngine
from pipeline.types import FrameResult
from tests.support.handmodel import HALF, SIGNS, THUMB_IN, Pose, fingers, make_hand, rotation

FRAME_MS = 33.3
RELAXED = Pose(fingers(HALF, HALF, HALF, HALF), THUMB_IN)


def _movements(hands) -> list[str]:
    engine = GestureEngine()
    found = []
    for i, hand in enumerate(hands):
        frame = FrameResult(i, i * FRAME_MS, 640, 480, (hand,), False)
        found += [e.gesture for e in engine.process(frame)[1]
                  if e.kind == "started" and e.gesture in DYNAMIC_GESTURES]  # fmt: skip
    return found


@pytest.mark.parametrize(
    "rot",
    [rotation(roll=180.0), rotation(roll=100.0), rotation(pitch=70.0), None],
    ids=["hanging", "sideways", "lying", "raised"],
)
def test_a_resting_hand_makes_no_movement(rot):
    rng = np.random.default_rng(7)
    hands = []
    for i in range(300):  # 10 s at 30 fps
        drift = (40.0 * np.sin(i / 90.0), 25.0 * np.sin(i / 70.0))  # slow sway, ~1 palm/s
        centre = (320.0 + drift[0], 300.0 + drift[1])
        hands.append(make_hand(RELAXED, rot=rot, centre=centre, distance=0.8, track_id=1,
                               noise_px=1.5, rng=rng))  # fmt: skip
    assert _movements(hands) == []


@pytest.mark.parametrize("sign", ["open_palm", "fist", "pointing_up", "victory", "l_shape", "ok"])
def test_a_sign_held_with_noisy_readings_makes_no_movement(sign):
    rng = np.random.default_rng(11)
    pose = SIGNS[sign] if sign in SIGNS else SIGNS["open_palm"]
    hands = [make_hand(pose, centre=(320.0, 240.0), distance=0.6, track_id=1, noise_px=2.0,
                       rng=rng) for _ in range(150)]  # fmt: skip
    assert _movements(hands) == []


def test_signs_shown_one_after_another_in_place_make_no_movement():
    signs = ["open_palm", "fist", "thumb_up", "victory", "pointing_up", "l_shape", "fist"]
    hands = [
        make_hand(SIGNS[s], centre=(320.0, 240.0), track_id=1) for s in signs for _ in range(20)
    ]
    # Each change of sign happens between two frames: too quick to be a grab (a drag needs
    # 80 ms from open to closed), a pinch (two frames of change) or a flick.
    assert _movements(hands) == []
