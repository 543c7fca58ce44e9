"""Finger states and canonical poses are invariant to rotation, hand side, scale and the point
set (world vs image landmarks)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from pipeline.gestures.features import (
    angle_points,
    canonical_points,
    finger_curls,
    has_world,
    measure,
)
from tests.support.handmodel import (
    BENT,
    HALF,
    SIGNS,
    STRAIGHT,
    Pose,
    fingers,
    make_hand,
    random_rotation,
)

EXPECTED_STATES = {
    "fist": ("bent", "bent", "bent", "bent", "bent"),
    "open_palm": ("straight",) * 5,
    "victory": ("bent", "straight", "straight", "bent", "bent"),
    "three_thumb": ("straight", "straight", "straight", "bent", "bent"),
    "call": ("straight", "bent", "bent", "bent", "straight"),
    "rock": ("bent", "straight", "bent", "bent", "straight"),
}


@pytest.mark.parametrize("sign", sorted(EXPECTED_STATES))
@pytest.mark.parametrize("handedness", ["Right", "Left"])
@pytest.mark.parametrize("world", [True, False])
def test_finger_states_survive_any_rotation(sign, handedness, world):
    rng = np.random.default_rng(zlib.crc32(f"{sign}{handedness}{world}".encode()))
    for _ in range(25):
        rot = random_rotation(rng)
        hand = make_hand(
            SIGNS[sign], handedness, rot=rot, world=world, distance=rng.uniform(0.4, 2)
        )
        assert measure(hand, use_world=world).states == EXPECTED_STATES[sign], rot


def test_half_bent_fingers_are_half():
    hand = make_hand(Pose(fingers(HALF, HALF, HALF, HALF)))
    assert measure(hand).states[1:] == ("half",) * 4


def test_curl_sums_the_joint_angles():
    flex = (20.0, 30.0, 10.0)
    hand = make_hand(Pose(fingers(flex, STRAIGHT, STRAIGHT, BENT), splay=0.0))
    curls = finger_curls(angle_points(hand, use_world=True))
    assert sum(curls["index"]) == pytest.approx(sum(flex), abs=0.5)
    assert sum(curls["pinky"]) == pytest.approx(sum(BENT), abs=0.5)


def test_world_landmarks_used_only_when_asked_and_present():
    with_world = make_hand(SIGNS["fist"], world=True)
    assert has_world(with_world)
    assert np.array_equal(angle_points(with_world), with_world.landmarks.astype(np.float64))
    assert np.array_equal(
        angle_points(with_world, use_world=True), with_world.world_landmarks.astype(np.float64)
    )
    hand = make_hand(SIGNS["fist"], world=False)
    assert not has_world(hand)
    assert np.array_equal(angle_points(hand, use_world=True), hand.landmarks.astype(np.float64))


def test_canonical_points_remove_pose_and_mirror_left_hands():
    rng = np.random.default_rng(3)
    pose = SIGNS["rock"]
    ref = canonical_points(angle_points(make_hand(pose, "Right"), use_world=True), "Right")
    assert np.allclose(ref[0], 0.0)
    assert np.linalg.norm(ref[9]) == pytest.approx(1.0)
    for handedness in ("Right", "Left"):
        for _ in range(10):
            hand = make_hand(pose, handedness, rot=random_rotation(rng))
            got = canonical_points(angle_points(hand, use_world=True), handedness)
            assert np.allclose(got, ref, atol=1e-4)
            # image points carry perspective: close, not exact
            img = canonical_points(angle_points(hand), handedness)
            assert np.abs(img - ref).max() < 0.15
    # Without mirroring a left hand is the mirror image, not the same pose.
    left = canonical_points(angle_points(make_hand(pose, "Left"), use_world=True), "Right")
    assert not np.allclose(left, ref, atol=1e-2)


def test_canonical_points_reject_degenerate_hand():
    with pytest.raises(ValueError, match="degenerate"):
        canonical_points(np.zeros((21, 3)), "Right")
