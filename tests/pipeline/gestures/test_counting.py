"""Counting at any orientation (synthetic hands), two-hand totals and count gestures as events.

Every Chinese numeral 0-10 (and the American and European numbers) is shown by the parametric
hand of :mod:`handmodel` turned 0, 90, 180 and 270 degrees in the image plane, and seen from
several out-of-plane views: palm to the camera, turned sideways, fingers pointing at the camera,
pointing away, and the back of the hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.actions import ActionEngine, RecordingSink
from pipeline.gestures import GestureEngine, GestureRecognizer, GestureResult
from pipeline.gestures.totals import frame_total
from pipeline.settings import AppConfig, Binding, Profile, default_known_gestures
from pipeline.types import COUNT_TRACK_OFFSET, TOTAL_TRACK_OFFSET, FrameResult, hand_track_id
from tests.support.handmodel import (
    BENT,
    HALF,
    HOOK,
    SIGNS,
    STRAIGHT,
    THUMB_IN,
    THUMB_OUT,
    Pose,
    fingers,
    local_points,
    make_hand,
    rotation,
)

FRAME_MS = 40.0

ROLLS = (0.0, 90.0, 180.0, 270.0)
# (yaw, pitch): palm to the camera, turned sideways both ways, fingers towards / away from the
# camera, back of the hand to the camera.
VIEWS = ((0.0, 0.0), (55.0, 0.0), (-55.0, 0.0), (0.0, -50.0), (0.0, 45.0), (180.0, 0.0))


def _pinched(flex: tuple[float, float, float], touch: tuple[str, ...]) -> Pose:
    """Fingers in ``touch`` flexed by ``flex``, the others folded; the thumb tip on the mean
    of the touching fingertips."""
    tips = {"index": 8, "middle": 12, "ring": 16, "pinky": 20}
    shape = {f: (flex if f in touch else BENT) for f in tips}
    base = Pose(fingers(**shape))
    pts = local_points(base)
    target = np.mean([pts[tips[f]] for f in touch], axis=0) + np.array([0.004, 0.0, 0.006])
    return Pose(base.fingers, None, thumb_tip=target)


def _o_shape(splay: float = -28.0) -> Pose:
    """Chinese 0: all four fingers curled into an O, the thumb touching the index tip. The
    fingers lean together (``splay``; the shorter little finger curls less) so that the middle,
    ring and little fingertips gather as in a real O, the larger gap 0.20-0.23 palm sizes over
    the tests' orientations; with a splay of 6 degrees it is 0.33-0.39, a claw."""
    curl = (40.0, 55.0, 30.0)
    base = Pose(fingers(curl, curl, (35.0, 55.0, 30.0), (30.0, 45.0, 25.0)), splay=splay)
    pts = local_points(base)
    return Pose(base.fingers, None, thumb_tip=pts[8] + np.array([0.004, 0.0, 0.008]), splay=splay)


CHINESE = {
    0: _o_shape(),
    1: SIGNS["pointing_up"],
    2: SIGNS["victory"],
    3: SIGNS["three"],
    4: SIGNS["four"],
    5: SIGNS["open_palm"],
    6: SIGNS["call"],
    7: _pinched((20.0, 35.0, 15.0), ("index", "middle")),
    8: SIGNS["l_shape"],
    9: Pose(fingers(HOOK, BENT, BENT, BENT), THUMB_IN),
    10: SIGNS["fist"],
}


def _count(rec: GestureRecognizer, pose: Pose, handedness: str, roll: float, view) -> GestureResult:
    rot = rotation(yaw=view[0], pitch=view[1], roll=roll)
    return rec.classify(make_hand(pose, handedness, rot=rot))


@pytest.mark.parametrize("number", sorted(CHINESE))
def test_chinese_numbers_at_every_orientation(number):
    rec = GestureRecognizer(counting="chinese", count_max_tilt_deg=180.0)
    wrong = []
    for handedness in ("Right", "Left"):
        for roll in ROLLS:
            for view in VIEWS:
                got = _count(rec, CHINESE[number], handedness, roll, view).count
                if got != number:
                    wrong.append((handedness, roll, view, got))
    assert not wrong, wrong


def test_chinese_curled_fingers_with_their_tips_apart_are_no_number():
    """The O's curl with the fingers fanned out (splay 6 degrees: tips 0.33-0.39 palm sizes
    apart, a claw) is no Chinese number, neither 0 nor 10, and no fist gesture, at every
    orientation, either hand: an O gathers its fingertips at the thumb. The landmark model
    reads some side views of a hooked 9 or a pinched 7 this way."""
    rec = GestureRecognizer(counting="chinese", count_max_tilt_deg=180.0)
    got = set()
    for handedness in ("Right", "Left"):
        for roll in ROLLS:
            for view in VIEWS:
                result = _count(rec, _o_shape(6.0), handedness, roll, view)
                got.add((result.gesture, result.count))
    assert got == {("none", None)}


# Number -> pose, American and European (their own rules, unchanged by the Chinese work).
AMERICAN = {
    0: SIGNS["fist"],
    1: SIGNS["pointing_up"],
    2: SIGNS["victory"],
    3: SIGNS["three"],
    4: SIGNS["four"],
    5: SIGNS["open_palm"],
}
EUROPEAN = {
    0: SIGNS["fist"],
    1: SIGNS["thumb_up"],
    2: SIGNS["l_shape"],
    3: SIGNS["three_thumb"],
    4: SIGNS["thumb_index_middle_ring"],
    5: SIGNS["open_palm"],
}


def _thumb_down(handedness: str, roll: float, view) -> bool:
    rot = rotation(yaw=view[0], pitch=view[1], roll=roll)
    hand = make_hand(SIGNS["thumb_up"], handedness, rot=rot)
    return bool(hand.landmarks[4, 1] > hand.landmarks[2, 1])


def test_european_lone_thumb_down_is_not_one():
    rec = GestureRecognizer(counting="european")
    hand = make_hand(SIGNS["thumb_up"], rot=rotation(roll=180.0))
    assert rec.classify(hand).count is None


@pytest.mark.parametrize("scheme,table", [("american", AMERICAN), ("european", EUROPEAN)])
def test_american_and_european_numbers_at_every_orientation(scheme, table):
    rec = GestureRecognizer(counting=scheme, count_max_tilt_deg=180.0)
    wrong = []
    for number, pose in table.items():
        for handedness in ("Right", "Left"):
            for roll in ROLLS:
                for view in VIEWS:
                    if (scheme, number) == ("european", 1) and _thumb_down(handedness, roll, view):
                        continue  # a lone thumb pointing down is thumb_down, never a number
                    got = _count(rec, pose, handedness, roll, view).count
                    if got != number:
                        wrong.append((number, handedness, roll, view, got))
    assert not wrong, wrong


def test_fist_is_ten_in_chinese_and_zero_elsewhere():
    hand = make_hand(SIGNS["fist"])
    assert GestureRecognizer(counting="chinese").classify(hand).count == 10
    assert GestureRecognizer(counting="american").classify(hand).count == 0
    assert GestureRecognizer(counting="european").classify(hand).count == 0
    # The O is 0 only in Chinese; American and European do not read it as a number.
    o_hand = make_hand(CHINESE[0])
    assert GestureRecognizer(counting="chinese").classify(o_hand).count == 0
    assert GestureRecognizer(counting="american").classify(o_hand).count is None


def test_near_misses_are_not_chinese_numbers():
    rec = GestureRecognizer(counting="chinese")
    relaxed = Pose(fingers(HALF, HALF, HALF, HALF), THUMB_OUT)  # thumb away from the fingertips
    assert rec.classify(make_hand(relaxed)).count is None
    # A V with the thumb folded away is 2, not a pinched 7.
    assert rec.classify(make_hand(SIGNS["victory"])).count == 2
    # Thumb folded over the palm beside a pointing index: 1, not the L of 8.
    assert rec.classify(make_hand(SIGNS["pointing_up"])).count == 1
    # An index bent at the knuckle but straight at its outer joints is no hooked 9.
    loose = Pose(fingers((60.0, 12.0, 5.0), BENT, BENT, BENT), THUMB_IN)
    assert rec.classify(make_hand(loose)).count is None
    for sign in ("rock", "i_love_you"):
        assert rec.classify(make_hand(SIGNS[sign])).count is None


def test_chinese_six_with_a_pinky_not_read_straight():
    """The call shape whose pinky the landmarks show half bent (small photos) is still 6 at
    every orientation: its tip stands well above the folded fingers. A thumb-up fist, whose
    pinky is folded with the others, is no number."""
    six = Pose(fingers(BENT, BENT, BENT, (10.0, 45.0, 30.0)), THUMB_OUT)
    rec = GestureRecognizer(counting="chinese", count_max_tilt_deg=180.0)
    wrong = []
    for handedness in ("Right", "Left"):
        for roll in ROLLS:
            for view in VIEWS:
                result = _count(rec, six, handedness, roll, view)
                if result.count != 6 or result.fingers[4] != "half":
                    wrong.append((handedness, roll, view, result.count, result.fingers[4]))
                if _count(rec, SIGNS["thumb_up"], handedness, roll, view).count is not None:
                    wrong.append((handedness, roll, view, "thumb_up counted"))
    assert not wrong, wrong


def test_chinese_eight_with_loosely_curled_fingers():
    """The L with middle, ring and pinky half curled (not folded) is 8 at every orientation;
    the same hand with the thumb folded in is no number (a half-relaxed pointing hand)."""
    loose_l = Pose(fingers(STRAIGHT, HALF, HALF, HALF), THUMB_OUT)
    loose_point = Pose(fingers(STRAIGHT, HALF, HALF, HALF), THUMB_IN)
    rec = GestureRecognizer(counting="chinese", count_max_tilt_deg=180.0)
    wrong = []
    for handedness in ("Right", "Left"):
        for roll in ROLLS:
            for view in VIEWS:
                result = _count(rec, loose_l, handedness, roll, view)
                if result.count != 8 or result.fingers[2:] != ("half",) * 3:
                    wrong.append((handedness, roll, view, result.count, result.fingers))
                if _count(rec, loose_point, handedness, roll, view).count is not None:
                    wrong.append((handedness, roll, view, "thumb in counted"))
    assert not wrong, wrong


def test_chinese_three_with_the_last_three_fingers():
    """Middle, ring and pinky up with the index half folded is 3 whether or not the thumb
    reaches the index tip (the ok-shaped 3), at every orientation."""
    rec = GestureRecognizer(counting="chinese", count_max_tilt_deg=180.0)
    shapes = {
        "thumb in": Pose(fingers(HALF, STRAIGHT, STRAIGHT, STRAIGHT), THUMB_IN),
        "thumb out": Pose(fingers(HALF, STRAIGHT, STRAIGHT, STRAIGHT), THUMB_OUT),
    }
    wrong = []
    for name, pose in shapes.items():
        for handedness in ("Right", "Left"):
            for roll in ROLLS:
                for view in VIEWS:
                    result = _count(rec, pose, handedness, roll, view)
                    if result.count != 3 or result.fingers[1:] != ("half",) + ("straight",) * 3:
                        wrong.append((name, handedness, roll, view, result.count, result.fingers))
    assert not wrong, wrong


def test_chinese_seven_with_the_middle_read_folded():
    """The pinch of 7 seen from the side, where the landmarks fold the middle finger: the thumb
    on the index tip, the others folded, is 7 at every orientation; the same hand with the thumb
    folded away from the index tip is 1 (pointing) or nothing, never 7."""
    side_seven = _pinched((30.0, 45.0, 25.0), ("index",))
    rec = GestureRecognizer(counting="chinese", count_max_tilt_deg=180.0)
    wrong = []
    for handedness in ("Right", "Left"):
        for roll in ROLLS:
            for view in VIEWS:
                result = _count(rec, side_seven, handedness, roll, view)
                if result.count != 7 or result.fingers[2] != "bent":
                    wrong.append((handedness, roll, view, result.count, result.fingers))
                pointing = _count(rec, SIGNS["pointing_up"], handedness, roll, view).count
                if pointing != 1:
                    wrong.append((handedness, roll, view, "pointing", pointing))
    assert not wrong, wrong


def test_resting_shapes_hanging_down_are_no_count():
    """0, 4, 5 and 10 are also how a resting hand hangs: upside down they count only when the
    check is turned off; other numbers count at any orientation."""
    down = rotation(roll=180.0)
    rec = GestureRecognizer(counting="chinese")
    for number in (0, 4, 5, 10):
        assert rec.classify(make_hand(CHINESE[number], rot=down)).count is None, number
        sideways = rotation(roll=90.0)
        assert rec.classify(make_hand(CHINESE[number], rot=sideways)).count == number
    for number in (1, 2, 3, 6, 7, 8, 9):
        assert rec.classify(make_hand(CHINESE[number], rot=down)).count == number, number


# ----------------------------------------------------------------- totals


def _frame(i: int, hands, unsure: frozenset[int] = frozenset()) -> FrameResult:
    return FrameResult(i, i * FRAME_MS, 1280, 720, tuple(hands), False, unsure=unsure)


def _pair(right: Pose, left: Pose):
    return [
        make_hand(right, "Right", centre=(400.0, 360.0), track_id=1),
        make_hand(left, "Left", centre=(880.0, 360.0), track_id=2),
    ]


@pytest.mark.parametrize("scheme", ["american", "european"])
def test_two_hand_totals_six_to_ten(scheme):
    table = AMERICAN if scheme == "american" else EUROPEAN
    rec = GestureRecognizer(counting=scheme)
    for rest in range(1, 6):
        hands = _pair(table[5], table[rest])
        results = [rec.classify(h) for h in hands]
        assert [r.count for r in results] == [5, rest]
        assert frame_total(scheme, hands, results) == 5 + rest


def test_total_of_one_hand_and_of_no_number():
    rec = GestureRecognizer(counting="american")
    one = [make_hand(SIGNS["three"], track_id=1)]
    assert frame_total("american", one, [rec.classify(h) for h in one]) == 3
    none = [make_hand(SIGNS["rock"], track_id=1)]
    assert frame_total("american", none, [rec.classify(h) for h in none]) is None
    assert frame_total("american", [], []) is None


def _crossed_index_hands(angle: float = 45.0):
    """Two pointing hands, index fingers crossing in an X (each tilted ``angle`` inwards)."""
    pose = SIGNS["pointing_up"]
    right = make_hand(pose, "Right", rot=rotation(roll=angle), centre=(600.0, 380.0), track_id=1)
    left = make_hand(pose, "Left", rot=rotation(roll=-angle), centre=(680.0, 380.0), track_id=2)
    return [right, left]


def test_crossed_index_fingers_are_chinese_ten():
    rec = GestureRecognizer(counting="chinese")
    hands = _crossed_index_hands()
    # sanity: the two index segments really cross in the image
    (a0, a1), (b0, b1) = ((h.landmarks[5, 0], h.landmarks[8, 0]) for h in hands)
    assert (a0 - b0) * (a1 - b1) < 0
    results = [rec.classify(h) for h in hands]
    assert [r.count for r in results] == [1, 1]
    assert frame_total("chinese", hands, results) == 10
    # Side by side (not crossing) they are 1 + 1.
    apart = _pair(SIGNS["pointing_up"], SIGNS["pointing_up"])
    assert frame_total("chinese", apart, [rec.classify(h) for h in apart]) == 2
    # American has no crossed-fingers 10.
    am = GestureRecognizer(counting="american")
    assert frame_total("american", hands, [am.classify(h) for h in hands]) == 2


# ----------------------------------------------------------------- numbers as gestures


def _run(engine: GestureEngine, frames: list[list]) -> list:
    events = []
    for i, hands in enumerate(frames):
        per_hand, ev = engine.process(_frame(i, hands))
        events += ev
    return events


def test_engine_fills_total_and_emits_count_and_total_events():
    engine = GestureEngine(counting="american", hold_ms=100, swipes=None)
    frames = [_pair(SIGNS["open_palm"], SIGNS["victory"]) for _ in range(10)]
    per_hand, _ = engine.process(_frame(0, frames[0]))
    assert (per_hand[1].count, per_hand[2].count) == (5, 2)
    assert per_hand[1].total == per_hand[2].total == 7
    events = _run(GestureEngine(counting="american", hold_ms=100, swipes=None), frames)
    started = {(e.gesture, e.track_id, e.handedness) for e in events if e.kind == "started"}
    assert ("open_palm", 1, "Right") in started and ("victory", 2, "Left") in started
    assert ("count_5", COUNT_TRACK_OFFSET + 1, "Right") in started
    assert ("count_2", COUNT_TRACK_OFFSET + 2, "Left") in started
    assert ("total_7", TOTAL_TRACK_OFFSET + 1, "Both") in started
    assert {hand_track_id(e.track_id) for e in events} == {1, 2}


def test_count_events_follow_the_number_and_end():
    engine = GestureEngine(counting="chinese", hold_ms=100, release_ms=120, swipes=None)
    hand = lambda sign: [make_hand(CHINESE[sign], track_id=4)]  # noqa: E731
    events = _run(engine, [hand(8)] * 8 + [hand(6)] * 8 + [[]] * 8)
    counts = [(e.kind, e.gesture) for e in events if e.gesture.startswith("count_")]
    assert [c for c in counts if c[0] != "held"] == [
        ("started", "count_8"), ("ended", "count_8"), ("started", "count_6"), ("ended", "count_6"),
    ]  # fmt: skip


def test_a_doubted_number_lasts_like_a_doubted_sign():
    """Three frames of 6 that the tracker doubts inside a shown 8 do not end count_8; read
    surely, they end it and the 8 starts again (the stabiliser's UNSURE_RELEASE_MS)."""

    def counts(doubted: bool) -> list:
        engine = GestureEngine(counting="chinese", hold_ms=100, release_ms=60, swipes=None)
        script = [8] * 10 + [6] * 3 + [8] * 10
        events = []
        for i, sign in enumerate(script):
            unsure = frozenset({4}) if doubted and 10 <= i < 13 else frozenset()
            _, ev = engine.process(_frame(i, [make_hand(CHINESE[sign], track_id=4)], unsure))
            events += ev
        return [
            (e.kind, e.gesture)
            for e in events
            if e.gesture.startswith("count_") and e.kind != "held"
        ]

    assert counts(doubted=True) == [("started", "count_8")]
    assert counts(doubted=False) == [
        ("started", "count_8"), ("ended", "count_8"), ("started", "count_8"),
    ]  # fmt: skip


def test_count_gestures_are_known_ids():
    known = default_known_gestures()
    assert {"count_0", "count_3", "count_10", "total_6", "total_10"} <= known
    # Settings accept a mapping on them without a warning.
    from pipeline.settings import check_config

    mapping = Binding(gesture="count_3", action="key:3")
    cfg = AppConfig(active_profile="p", profiles={"p": Profile(mappings=(mapping,))})
    assert check_config(cfg, known) == []


def test_mapping_on_count_3_fires_and_lets_go_with_the_hand():
    """A mapping on count_3 fires for American 3 shown by a hand, beside the hand's own sign;
    a held key is released when the hand leaves."""
    mappings = (
        Binding(gesture="count_3", action="key:3"),
        Binding(gesture="three", action="key:t"),
        Binding(gesture="total_7", action="key:7", hand="any"),
        Binding(gesture="count_2", action="key:shift", trigger="hold"),
    )
    cfg = AppConfig(active_profile="p", profiles={"p": Profile(mappings=mappings)})
    sink = RecordingSink()
    actions = ActionEngine(cfg, sink, armed=True)
    engine = GestureEngine(counting="american", hold_ms=100, swipes=None)
    script = (
        [[make_hand(SIGNS["three"], track_id=1)]] * 10
        + [_pair(SIGNS["open_palm"], SIGNS["victory"])] * 20
        + [[]] * 40
    )
    for i, hands in enumerate(script):
        frame = _frame(i, hands)
        _, events = engine.process(frame)
        actions.handle(events, frame)
    pressed = [c[1] for c in sink.calls if c[0] == "press_key"]
    assert {"3", "t", "7", "shift"} <= set(pressed), sink.calls
    assert pressed.count("3") == 1  # once per showing, not every frame
    assert ("release_key", "shift") in sink.calls
    assert actions.held == () and sink.held_keys == []  # the hands left: shift is up again
