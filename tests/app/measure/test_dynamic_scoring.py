"""Scoring of ``handcue bench --dynamic``: hits within the window plus the tolerance, one
detection per label and one label per detection, misses, false events outside the dontcare
windows, latency, the drag events' names, the tracking figures and the totals."""

from __future__ import annotations

import pytest

from app.measure.dynamic_labels import ClipLabels, LabelledEvent
from app.measure.dynamic_scoring import (
    Detection,
    label_name,
    movement_detections,
    score_clip,
    score_report,
    tolerance_frames,
    totals,
    tracking_figures,
)
from pipeline.types import GestureEvent

FPS = 10.0  # 100 ms a frame: the tolerance is 3 frames


def labels(*events: tuple[str, int, int], dontcare: tuple[tuple[int, int], ...] = ()) -> ClipLabels:
    return ClipLabels("clip.gif", tuple(LabelledEvent(*e) for e in events), dontcare)


def det(name: str, frame: int) -> Detection:
    return Detection(name, frame, frame * 1000.0 / FPS)


def test_tolerance_is_300_ms_in_frames() -> None:
    assert tolerance_frames(FPS) == 3
    assert tolerance_frames(1000.0 / 60.0) == 5  # the dev GIFs: 16.67 fps
    assert tolerance_frames(30.0) == 9
    assert tolerance_frames(12.0) == 4  # 3.6 frames, rounded


@pytest.mark.parametrize(
    "frame,hit",
    [(9, False), (10, True), (15, True), (20, True), (23, True), (24, False)],
)
def test_a_label_is_hit_from_its_first_frame_to_its_last_plus_the_tolerance(
    frame: int, hit: bool
) -> None:
    score = score_clip(labels(("swipe_left", 10, 20)), [det("swipe_left", frame)], FPS)
    assert len(score.hits) == int(hit)
    assert len(score.misses) == int(not hit)
    assert len(score.false) == int(not hit)


def test_latency_is_from_the_labels_last_frame_and_may_be_negative() -> None:
    score = score_clip(
        labels(("tap", 10, 20), ("tap", 30, 32)), [det("tap", 12), det("tap", 34)], FPS
    )
    assert [h.latency_ms for h in score.hits] == [pytest.approx(-800.0), pytest.approx(200.0)]


def test_another_name_in_the_window_is_false_and_the_label_missed() -> None:
    score = score_clip(labels(("swipe_left", 10, 20)), [det("swipe_right", 15)], FPS)
    assert score.hits == [] and score.misses == [LabelledEvent("swipe_left", 10, 20)]
    assert score.false == [det("swipe_right", 15)]


def test_each_label_takes_one_detection() -> None:
    score = score_clip(labels(("tap", 10, 20)), [det("tap", 18), det("tap", 12)], FPS)
    assert [h.detection.frame for h in score.hits] == [12]  # the earlier one
    assert score.false == [det("tap", 18)]


def test_each_detection_hits_one_label_in_time_order() -> None:
    """Overlapping windows of one name: the first detection takes the earlier label, the next
    detection the later one; one detection alone leaves the later label missed."""
    both = labels(("tap", 1, 7), ("tap", 5, 14))
    score = score_clip(both, [det("tap", 6)], FPS)
    assert [h.label.first for h in score.hits] == [1] and [m.first for m in score.misses] == [5]
    score = score_clip(both, [det("tap", 9), det("tap", 6)], FPS)
    assert [(h.label.first, h.detection.frame) for h in score.hits] == [(1, 6), (5, 9)]
    assert score.misses == [] and score.false == []


def test_dontcare_windows_hold_unmatched_events_neither_way() -> None:
    clip = labels(("swipe_up", 20, 29), dontcare=((0, 8),))
    found = [det("swipe_down", 0), det("swipe_down", 8), det("swipe_down", 9), det("swipe_up", 25)]
    score = score_clip(clip, found, FPS)
    assert [d.frame for d in score.dontcare] == [0, 8]  # inclusive
    assert [d.frame for d in score.false] == [9]
    assert len(score.hits) == 1 and score.misses == []


def test_a_hit_in_a_dontcare_window_still_counts() -> None:
    score = score_clip(labels(("tap", 2, 4), dontcare=((0, 8),)), [det("tap", 3)], FPS)
    assert len(score.hits) == 1 and score.dontcare == []


@pytest.mark.parametrize(
    "kind,gesture,name",
    [
        ("started", "drag", "drag_start"),
        ("ended", "drag", "drag_end"),
        ("held", "drag", None),
        ("started", "swipe_left", "swipe_left"),
        ("ended", "swipe_left", None),
        ("held", "circle_cw", None),
    ],
)
def test_label_names_of_events(kind: str, gesture: str, name: str | None) -> None:
    assert label_name(kind, gesture) == name


def _event(kind: str, gesture: str, t_ms: float = 500.0) -> GestureEvent:
    return GestureEvent(kind, gesture, 3, "Right", t_ms, t_ms)


def test_only_movements_are_detections() -> None:
    events = [
        _event("started", "fist"),
        _event("started", "count_2"),
        _event("started", "drag"),
        _event("ended", "drag"),
        _event("started", "swipe_up"),
        _event("ended", "swipe_up"),
    ]
    assert movement_detections(events, 7) == [
        Detection("drag_start", 7, 500.0, 3),
        Detection("drag_end", 7, 500.0, 3),
        Detection("swipe_up", 7, 500.0, 3),
    ]


def test_drag_ends_score_as_their_own_labels() -> None:
    clip = labels(("drag_start", 14, 33), ("drag_end", 50, 60))
    found = movement_detections([_event("ended", "drag", 5500.0)], 55)
    found += movement_detections([_event("started", "drag", 2000.0)], 20)
    score = score_clip(clip, found, FPS)
    assert [h.label.name for h in score.hits] == ["drag_start", "drag_end"]


def test_tracking_figures_count_lost_frames_between_the_first_and_last_hand() -> None:
    counts = [0, 1, 1, 0, 0, 2, 0, 1, 0]
    ids = [(), (4,), (4,), (), (), (4, 9), (), (11,), ()]
    assert tracking_figures(counts, ids) == {
        "frames_processed": 9,
        "frames_with_hand": 4,
        "lost_frames": 3,  # frames 3, 4 and 6
        "track_ids": 3,
    }
    # without ids (MediaPipe): how often a hand appeared, and the most at once
    assert tracking_figures([1, 0, 2, 2, 0, 0, 1]) == {
        "frames_processed": 7,
        "frames_with_hand": 4,
        "lost_frames": 3,
        "tracks": 3,
        "max_hands": 2,
    }
    assert tracking_figures([0, 0]) == {
        "frames_processed": 2,
        "frames_with_hand": 0,
        "lost_frames": 0,
        "tracks": 0,
        "max_hands": 0,
    }


def _clip_row(clip: ClipLabels, found: list[Detection]) -> dict:  # type: ignore[type-arg]
    tracking = {"frames_processed": 10, "frames_with_hand": 8, "lost_frames": 1}
    return {**score_report(score_clip(clip, found, FPS)), "tracking": tracking}


def test_totals_add_up_hits_per_name_false_events_and_the_median_latency() -> None:
    rows = [
        _clip_row(labels(("tap", 1, 3), ("double_tap", 5, 8)), [det("tap", 2), det("tap", 9)]),
        _clip_row(
            labels(("tap", 1, 3), ("swipe_left", 5, 8)), [det("tap", 5), det("swipe_left", 9)]
        ),
    ]
    assert rows[0]["matched"] == [
        {"name": "tap", "first": 1, "last": 3, "frame": 2, "latency_ms": -100.0}
    ]
    total = totals(rows)
    assert total["by_name"] == {
        "double_tap": {"labels": 1, "hits": 0},
        "swipe_left": {"labels": 1, "hits": 1},
        "tap": {"labels": 2, "hits": 2},
    }
    assert (total["labels"], total["hits"], total["false_events"]) == (4, 3, 1)
    assert total["median_latency_ms"] == 100.0  # of -100, 100, 200
    assert total["tracking"] == {"frames_processed": 20, "frames_with_hand": 16, "lost_frames": 2}
    assert totals([_clip_row(labels(("tap", 1, 3)), [])])["median_latency_ms"] is None
