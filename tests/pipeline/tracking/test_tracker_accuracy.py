"""Our tracker against MediaPipe 0.10.14's reference output on real photos and videos.

Tolerances (stated here, measured in the closing notes): on photos a hand is found for >= 99% of
MediaPipe's hands and the mean landmark error is <= 1% of palm size (the issue allows 2%).

Videos: one tracking step (MediaPipe's landmarks of frame i-1 -> region -> our landmarks of frame
i) matches MediaPipe to <= 0.3% of palm size on average, <= 1.5% on the worst frame. Over a whole
video each tracker feeds its own output back, and on the fist video (a fist, then a thumb held
towards the camera with the wrist hidden) differences of 1e-4 px in a region grow within a few
frames to several percent. MediaPipe itself does no better: on the same frames with invisible
-1/0/+1 grey-level noise it lands 3.9-4.6% from its own reference (5 seeds; ours 3.5-4.5%, 3.6%
on the clean frames); reproduce with ``handcue accuracy REF --noise 5 --with-mediapipe``. The test
holds the open hand to the issue's 3% and the fist video to 4.5%, so a regression still fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.measure.evaluation import distinct_hands, palm_error
from pipeline.settings import TrackerSettings
from pipeline.sources import open_source, read_image
from pipeline.tracking.config import measurement_settings, tracker_config
from pipeline.tracking.tracker import HandTracker


def best_errors(ref_hands: list[dict], hands) -> list[float | None]:  # type: ignore[no-untyped-def]
    """Closest hand's error for each reference hand (None when we report no hand at all)."""
    out: list[float | None] = []
    for rh in ref_hands:
        ref = np.asarray(rh["landmarks"])
        errs = [palm_error(h.landmarks, ref) for h in hands]
        out.append(min(errs) if errs else None)
    return out


def ref_points(rec: dict) -> list[np.ndarray]:
    return [np.asarray(h["landmarks"])[:, :2] for h in rec["hands"]]


@pytest.fixture(scope="module")
def static_tracker() -> HandTracker:
    return HandTracker(tracker_config(measurement_settings(max_hands=2), static_mode=True))


def _check_photos(records: list[dict], results: list) -> None:  # type: ignore[type-arg]
    """Hands found, landmark error and handedness of ``results`` (FrameResult per record)
    against MediaPipe's reference ``records``."""
    found = total = 0
    errors: list[float] = []
    handedness_agree = []
    for rec, result in zip(records, results, strict=True):
        assert (result.width, result.height) == (rec["width"], rec["height"])
        for rh, err in zip(rec["hands"], best_errors(rec["hands"], result.hands), strict=True):
            total += 1
            # A match further than half a palm away is another hand, not this one.
            if err is not None and err < 0.5:
                found += 1
                errors.append(err)
                hand = min(
                    result.hands, key=lambda h: palm_error(h.landmarks, np.asarray(rh["landmarks"]))
                )
                # MediaPipe labels a mirrored image; ours is the person's real hand.
                handedness_agree.append(hand.handedness != rh["mediapipe_label"])
    assert total > 0
    assert found / total >= 0.99, f"found {found}/{total}"
    assert float(np.mean(errors)) <= 0.01, f"mean error {np.mean(errors):.4f} of palm size"
    assert float(np.mean(handedness_agree)) >= 0.95


def _records(shared_data: Path, reference: str) -> list[dict]:
    lines = (shared_data / "reference" / reference).read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_photos_match_mediapipe(shared_data: Path, static_tracker: HandTracker) -> None:
    records = _records(shared_data, "photos.jsonl")
    results = [static_tracker.process(read_image(shared_data / r["image"]), 0.0) for r in records]
    _check_photos(records, results)


def test_hagrid_photos_match_mediapipe(
    shared_data: Path, hagrid_static_results: dict[str, object]
) -> None:
    records = _records(shared_data, "hagrid-dev.jsonl")
    _check_photos(records, [hagrid_static_results[r["image"]] for r in records])


@pytest.mark.parametrize(
    "video,limit", [("open_hand_360p", 0.03), ("fist_then_thumb_up_720p", 0.045)]
)
def test_videos_match_mediapipe_tracking(shared_data: Path, video: str, limit: float) -> None:
    # MediaPipe's schedule: the palm detector on every frame with fewer hands than max_hands
    # (no motion gate, no zoom tiles). The loop is chaotic (a different first detection frame
    # moves this video's error by half a percent of palm size), so like is compared with like.
    settings = measurement_settings(max_hands=2).model_copy(
        update={"power_saving": False, "far_hands": False}
    )
    tracker = HandTracker(tracker_config(settings, redetect_interval_ms=0))
    refs = [
        json.loads(x)
        for x in (shared_data / "reference" / f"{video}.jsonl").read_text().splitlines()
    ]
    errors: list[float] = []
    count_mismatch = 0
    track_ids: set[int] = set()
    with open_source(str(shared_data / "videos" / f"{video}.mp4")) as src:
        for frame, rec in zip(src, refs, strict=True):
            result = tracker.process(frame.image, frame.timestamp_ms)
            # MediaPipe reports the fist twice in frames 25, 27 and 55-59; one hand is right.
            count_mismatch += len(result.hands) != len(distinct_hands(ref_points(rec)))
            track_ids.update(h.track_id for h in result.hands)
            frame_errors = [e for e in best_errors(rec["hands"], result.hands) if e is not None]
            if frame_errors:
                errors.append(float(np.mean(frame_errors)))
    assert len(errors) >= 0.95 * sum(bool(r["hands"]) for r in refs)
    assert count_mismatch <= 0.03 * len(refs), f"{count_mismatch} frames with another hand count"
    assert float(np.mean(errors)) <= limit, (
        f"mean per-frame error {np.mean(errors):.4f} of palm size"
    )


@pytest.mark.parametrize("video", ["open_hand_360p", "fist_then_thumb_up_720p"])
def test_one_tracking_step_matches_mediapipe(shared_data: Path, video: str) -> None:
    from pipeline.tracking.roi import landmarks_to_roi

    tracker = HandTracker(tracker_config(measurement_settings(max_hands=2)))
    refs = [
        json.loads(x)
        for x in (shared_data / "reference" / f"{video}.jsonl").read_text().splitlines()
    ]
    errors = []
    with open_source(str(shared_data / "videos" / f"{video}.mp4")) as src:
        frames = [f.image for f in src]
    for i in range(1, len(frames)):
        prev, cur = refs[i - 1]["hands"], refs[i]["hands"]
        if len(prev) != 1 or len(cur) != 1:
            continue
        roi = landmarks_to_roi(np.asarray(prev[0]["landmarks"]))
        (out,) = tracker.landmarker.run(frames[i], [roi])
        errors.append(palm_error(out.landmarks, np.asarray(cur[0]["landmarks"])))
    assert len(errors) > 100
    assert float(np.mean(errors)) <= 0.003, f"mean single step {np.mean(errors):.4f} of palm size"
    assert max(errors) <= 0.015, f"worst single step {max(errors):.4f} of palm size"


@pytest.mark.parametrize("recheck_ms,expected_runs", [(-1.0, (1, 3)), (200.0, (36, 45))])
def test_tracking_skips_detector_and_keeps_ids(
    shared_data: Path, recheck_ms: float, expected_runs: tuple[int, int]
) -> None:
    # max_hands tracked: the detector runs only to re-check the hand (every 200 ms of the 25 fps
    # video: every 5th frame), or, with re-checks off, only until the hand is found. (A hand
    # held still is re-checked less often: test_tracking_trust, steady_distance.)
    tracker = HandTracker(
        tracker_config(
            measurement_settings(max_hands=1),
            recheck_interval_ms=recheck_ms,
            steady_distance=0.0,
            rest_speed=0.0,  # every frame read
        )
    )
    ids = set()
    detector_runs = frames = 0
    with open_source(str(shared_data / "videos" / "open_hand_360p.mp4")) as src:
        for frame in src:
            result = tracker.process(frame.image, frame.timestamp_ms)
            frames += 1
            detector_runs += result.detector_ran
            ids.update(h.track_id for h in result.hands)
            assert set(result.timings) >= {"total", "landmark_infer"}
    assert expected_runs[0] <= detector_runs <= expected_runs[1]
    assert len(ids) == 1, f"one hand should keep one track id, got {ids}"
    assert frames == 202


@pytest.mark.parametrize("interval_ms,expected_runs", [(0.0, (200, 202)), (100.0, (60, 75))])
def test_redetect_interval_schedules_palm_detector(
    shared_data: Path, interval_ms: float, expected_runs: tuple[int, int]
) -> None:
    # One hand visible, max 2: the detector looks for the second hand on a schedule.
    tracker = HandTracker(
        tracker_config(
            measurement_settings(max_hands=2),
            redetect_interval_ms=interval_ms,
            steady_distance=0.0,
            rest_speed=0.0,  # every frame read
        )
    )
    runs = 0
    ids: set[int] = set()
    with open_source(str(shared_data / "videos" / "open_hand_360p.mp4")) as src:  # 25 fps
        for frame in src:
            result = tracker.process(frame.image, frame.timestamp_ms)
            runs += result.detector_ran
            ids.update(h.track_id for h in result.hands)
    assert expected_runs[0] <= runs <= expected_runs[1]
    assert len(ids) == 1


def test_smoothing_steadies_landmarks_and_stays_close(shared_data: Path) -> None:
    def run(smoothing: float) -> tuple[np.ndarray, list[float]]:
        # Every frame read, as for the app's visible live view (no resting frames).
        tracker = HandTracker(
            tracker_config(TrackerSettings(max_hands=1, smoothing=smoothing), rest_speed=0.0)
        )
        refs = [
            json.loads(x)
            for x in (shared_data / "reference" / "open_hand_360p.jsonl").read_text().splitlines()
        ]
        points, errors = [], []
        with open_source(str(shared_data / "videos" / "open_hand_360p.mp4")) as src:
            for frame, rec in zip(src, refs, strict=True):
                hands = tracker.process(frame.image, frame.timestamp_ms).hands
                assert len(hands) == 1
                points.append(hands[0].landmarks[:, :2])
                errors.append(
                    palm_error(hands[0].landmarks, np.asarray(rec["hands"][0]["landmarks"]))
                )
        return np.asarray(points), errors

    raw, raw_err = run(0.0)
    smooth, smooth_err = run(0.7)

    # Jitter: frame-to-frame acceleration of every point.
    def jitter(p: np.ndarray) -> float:
        return float(np.abs(np.diff(p, n=2, axis=0)).mean())

    assert jitter(smooth) < 0.8 * jitter(raw)
    assert float(np.mean(smooth_err)) <= 0.03  # still within the video accuracy limit
    assert float(np.mean(raw_err)) < float(np.mean(smooth_err))
