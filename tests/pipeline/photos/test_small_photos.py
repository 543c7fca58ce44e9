"""Small photos are enlarged before detection and their hands reported in their own pixels
(``handcue detect`` and the counting evaluator)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from pipeline.photos.small import SMALL_SIDE_PX, enlarge, is_small, process_photo
from pipeline.types import FrameResult, Hand, RotatedRect
from tests.support import DATA
from tests.support.static_photos import static_tracker_or_skip


class BrightestSpotTracker:
    """A stand-in tracker: one 'hand' whose 21 landmarks all sit on the brightest pixel of the
    picture it is given (so the test knows where the hand is in the enlarged frame)."""

    # No zoom tiles: process_photo runs it as it is (tiles need a real HandTracker).
    config = SimpleNamespace(far_hands=False, max_hands=2)

    def __init__(self) -> None:
        self.seen: list[tuple[int, ...]] = []

    def process(self, image: np.ndarray, timestamp: float) -> FrameResult:
        self.seen.append(image.shape)
        y, x = np.unravel_index(int(np.argmax(image.sum(axis=2))), image.shape[:2])
        pts = np.tile(np.array([x + 0.5, y + 0.5, 8.0], np.float32), (21, 1))
        hand = Hand(
            landmarks=pts,
            world_landmarks=np.full((21, 3), 0.01, np.float32),
            handedness="Right",
            handedness_score=0.9,
            score=0.9,
            track_id=0,
            roi=RotatedRect(float(x), float(y), 40.0, 40.0, 0.3),
        )
        h, w = image.shape[:2]
        return FrameResult(0, timestamp, w, h, (hand,), True)


def test_enlarge_shapes_and_never_down():
    small = np.zeros((64, 32, 3), np.uint8)
    big, how = enlarge(small, 256, 0.0)
    assert big.shape == (512, 256, 3) and how.scale == 8.0 and (how.pad_x, how.pad_y) == (0, 0)
    big, how = enlarge(small, 256, 0.5)
    assert big.shape == (1024, 512, 3) and (how.pad_x, how.pad_y) == (128, 256)
    large = np.zeros((600, 800, 3), np.uint8)
    assert enlarge(large, 256, 0.0)[0].shape == large.shape
    assert is_small(small) and not is_small(large)


@pytest.mark.parametrize(
    "shape,spot", [((64, 64), (10, 50)), ((48, 80), (70, 5)), ((64, 64), (3, 60))]
)
def test_hands_come_back_in_the_photos_own_pixels(shape, spot):
    photo = np.zeros((*shape, 3), np.uint8)
    photo[spot[1], spot[0]] = 255
    tracker = BrightestSpotTracker()
    result = process_photo(tracker, photo)
    assert min(tracker.seen[0][:2]) >= 3 * SMALL_SIDE_PX  # enlarged and padded on both sides
    assert (result.width, result.height) == (shape[1], shape[0])
    (hand,) = result.hands
    # The bright pixel is a block of about scale x scale pixels in the enlarged picture; the
    # spot found there maps back into the original pixel (centre spot[0] + 0.5).
    assert np.allclose(hand.landmarks[:, 0], spot[0] + 0.5, atol=0.5)
    assert np.allclose(hand.landmarks[:, 1], spot[1] + 0.5, atol=0.5)
    scale = SMALL_SIDE_PX / min(shape)
    assert np.allclose(hand.landmarks[:, 2], 8.0 / scale, rtol=0.02)  # z in x's pixel scale
    assert hand.roi.width == pytest.approx(40.0 / scale, rel=0.02)
    assert hand.roi.rotation == 0.3 and np.all(hand.world_landmarks == np.float32(0.01))


def test_large_photos_pass_through():
    photo = np.zeros((300, 400, 3), np.uint8)
    photo[100, 200] = 255
    tracker = BrightestSpotTracker()
    result = process_photo(tracker, photo)
    assert tracker.seen == [photo.shape] and (result.width, result.height) == (400, 300)
    assert result.hands[0].landmarks[0, 0] == 200.5


def _hand_crop(tracker, name: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The hand of ``DATA/photos/name`` cropped square with some room around it."""
    full = cv2.imread(str(DATA / "photos" / name))
    xy = tracker.process(full, 0.0).hands[0].landmarks[:, :2]
    centre, half = (xy.min(0) + xy.max(0)) / 2, float((xy.max(0) - xy.min(0)).max()) * 0.65
    x0, y0 = (centre - half).astype(int)
    side = int(2 * half)
    return full[max(y0, 0) : y0 + side, max(x0, 0) : x0 + side]


def _palm_runs(tracker, monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """A list that counts the palm detector's model calls of ``tracker`` (and of trackers
    sharing its model session) from now on."""
    from pipeline.models.session import InferenceSession

    calls: list[int] = []
    run = InferenceSession.run

    def counted(self, tensor):  # type: ignore[no-untyped-def]
        if self is tracker.palm_session:
            calls.append(1)
        return run(self, tensor)

    monkeypatch.setattr(InferenceSession, "run", counted)
    return calls


@pytest.mark.realdata
@pytest.mark.skipif(not (DATA / "photos").exists(), reason=f"shared data not found at {DATA}")
def test_a_close_up_small_photo_skips_the_zoom_tiles(monkeypatch):
    """A 64x64 photo that a hand fills: one whole-picture palm detection finds it and the
    far-hand zoom tiles do not run (25 more detections that find nothing more there)."""
    tracker = static_tracker_or_skip(2)
    assert tracker.config.far_hands  # the tiles are on for big photos
    small = cv2.resize(_hand_crop(tracker, "pointing_up.jpg"), (64, 64), cv2.INTER_AREA)
    calls = _palm_runs(tracker, monkeypatch)
    result = process_photo(tracker, small)
    assert len(result.hands) == 1 and len(calls) == 1


def test_a_tiny_photo_without_a_hand_skips_the_zoom_tiles(monkeypatch):
    """A 64x64 photo in which the whole picture shows no hand is not searched tile by tile
    (25 more detections): a hand that only the tiles find would span a few of its pixels. At
    TILES_MIN_SIDE_PX the tiles run."""
    from pipeline.photos.small import TILES_MIN_SIDE_PX

    tracker = static_tracker_or_skip(2)
    assert tracker.config.far_hands
    rng = np.random.default_rng(3)
    calls = _palm_runs(tracker, monkeypatch)
    for side, tiled in ((64, False), (TILES_MIN_SIDE_PX - 1, False), (TILES_MIN_SIDE_PX, True)):
        photo = rng.integers(90, 110, (side, side, 3), dtype=np.uint8)
        calls.clear()
        tracker.reset()
        assert process_photo(tracker, photo).hands == ()
        # The whole picture is one palm detection; the tiles are more.
        assert (len(calls) > 1) == tiled, (side, calls)


@pytest.mark.realdata
@pytest.mark.skipif(not (DATA / "photos").exists(), reason=f"shared data not found at {DATA}")
def test_a_far_hand_in_a_small_photo_is_still_found_by_the_zoom_tiles(monkeypatch):
    """A 50 px hand in a 240x240 photo: the whole-picture pass of the enlarged photo misses
    it, the zoom tiles find it."""
    from pipeline.photos.small import whole_frame_tracker

    tracker = static_tracker_or_skip(2)
    hand = cv2.resize(_hand_crop(tracker, "pointing_up.jpg"), (50, 50), cv2.INTER_AREA)
    photo = np.full((240, 240, 3), 128, np.uint8)
    photo[30:80, 40:90] = hand
    big, _ = enlarge(photo)
    assert whole_frame_tracker(tracker).process(big, 0.0).hands == ()
    calls = _palm_runs(tracker, monkeypatch)
    (found,) = process_photo(tracker, photo).hands
    assert len(calls) > 2  # the whole picture, then the tiled pass
    assert 40 <= found.landmarks[0, 0] <= 90 and 30 <= found.landmarks[0, 1] <= 80


@pytest.mark.realdata
@pytest.mark.skipif(not (DATA / "photos").exists(), reason=f"shared data not found at {DATA}")
def test_detect_finds_a_hand_on_a_small_photo(tmp_path, capsys):
    """A real photo cropped around its hand and shrunk to 64x64: ``handcue detect`` finds the
    hand, reports the photo's own size and landmarks close to those read on the full photo."""
    from app.cli import main
    from pipeline.errors import HandCueError
    from pipeline.tracking.config import measurement_settings, tracker_config
    from pipeline.tracking.tracker import HandTracker

    try:
        tracker = HandTracker(tracker_config(measurement_settings(max_hands=1), static_mode=True))
    except HandCueError as exc:
        pytest.skip(f"tracker models not installed: {exc}")
    full = cv2.imread(str(DATA / "photos" / "pointing_up.jpg"))
    ref = tracker.process(full, 0.0).hands[0]
    xy = ref.landmarks[:, :2]
    centre, half = (xy.min(0) + xy.max(0)) / 2, float((xy.max(0) - xy.min(0)).max()) * 0.65
    x0, y0 = (centre - half).astype(int)
    side = int(2 * half)
    crop = full[max(y0, 0) : y0 + side, max(x0, 0) : x0 + side]
    scale = 64 / crop.shape[0]
    small = cv2.resize(crop, (64, round(crop.shape[1] * scale)), interpolation=cv2.INTER_AREA)
    path = tmp_path / "small.png"
    cv2.imwrite(str(path), small)
    assert main(["detect", "--max-hands", "1", str(path)]) == 0
    rec = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (rec["width"], rec["height"]) == (small.shape[1], small.shape[0])
    assert len(rec["hands"]) == 1
    got = np.asarray(rec["hands"][0]["landmarks"])[:, :2]
    want = (xy - [max(x0, 0), max(y0, 0)]) * scale
    palm = float(np.linalg.norm(want[9] - want[0]))
    assert np.linalg.norm(got - want, axis=1).mean() < 0.3 * palm
