"""Far hands: palms the zoom tiles find (pipeline/tracking/tiles.py) become candidate regions,
a weak or moved palm gets a closer look, and a hand first seen in a tile is kept only when it
passes a second look, at most as many as hand slots are free.

Called from ``HandTracker.process`` on the tracker's thread. Frames are (H, W, 3) uint8 BGR;
regions and palm boxes are in pixels of the frame.
"""

from __future__ import annotations

import math

import numpy as np

from pipeline.tracking.config import TrackerConfig
from pipeline.tracking.landmark import LandmarkModel, LandmarkOutput
from pipeline.tracking.palm import PalmDetection, PalmDetector
from pipeline.tracking.roi import PALM_SCALE, palm_to_roi, rect_iou
from pipeline.tracking.scheduling import SMALL_TRACKED_HAND, DetectionPlan, DetectorSchedule
from pipeline.tracking.tiles import closer_palm, confirm_far_hand, steadier_reading, tile_palms
from pipeline.tracking.tracks import DUPLICATE_IOU, Reading, Track, associate

# Zoom-tile candidates beyond the free hand slots that the landmark model may choose from.
FAR_SPARE = 2
# Static mode: a tile's palm the detector scores from WEAK_TILE_SCORE up to min_detection gets a
# closer look (tiles.closer_palm), at most WEAK_LOOKS a frame, and is a candidate only when that
# look scores it min_detection. Palms of 6-12 px (hands 10-30 px tall: the far set at 1/3) often
# score 0.15-0.5 in a tile and 0.8-0.95 zoomed twice as much again; a weak sighting nearer than
# WEAK_NEAR hand sizes to another candidate is the face or the arm beside a hand.
WEAK_TILE_SCORE = 0.15
WEAK_LOOKS = 6
WEAK_NEAR = 2.0


def cap_far(kept: list[Reading], max_hands: int) -> list[Reading]:
    """``kept`` with at most as many far (zoom-tile) readings as hand slots are left beside the
    others, the most present first."""
    far = [r for r in kept if r[0].far]
    free = max(0, max_hands - (len(kept) - len(far)))
    if len(far) <= free:
        return kept
    chosen = {id(r) for r in sorted(far, key=lambda r: -r[1].presence)[:free]}
    return [r for r in kept if not r[0].far or id(r) in chosen]


def beside_candidate(palm: PalmDetection, candidates: list[Track]) -> bool:
    """Whether ``palm`` lies within WEAK_NEAR hand sizes of a candidate's centre (hand size:
    the palm box's side, or a candidate region's width over PALM_SCALE, the palm box it
    was made from)."""
    size = max(float(palm.box[2]), float(palm.box[3]))
    return any(
        math.hypot(c.roi.cx - float(palm.box[0]), c.roi.cy - float(palm.box[1]))
        < WEAK_NEAR * max(size, c.roi.width / PALM_SCALE)
        for c in candidates
    )


class FarHands:
    """The tracker's far-hand steps, with the tracker's own models and detector schedule."""

    def __init__(
        self,
        config: TrackerConfig,
        detector: PalmDetector,
        landmarker: LandmarkModel,
        schedule: DetectorSchedule,
    ) -> None:
        self.config = config
        self.detector = detector
        self.landmarker = landmarker
        self.schedule = schedule

    def add_palms(
        self,
        bgr: np.ndarray,
        plan: DetectionPlan,
        n_hands: int,
        hands: list[Track],
        candidates: list[Track],
        timings: dict[str, float],
    ) -> None:
        """Zoom tiles of ``plan`` (static mode: all, when the whole frame holds fewer than
        max_hands hands and none of them is a large hand, see scheduling.SMALL_TRACKED_HAND)
        as far-hand candidates. ``n_hands``: the hands the whole frame's palms hold (at most
        max_hands), ``hands``: the candidates that are (or may be) hands; a tile palm on one of
        them is not added twice, one on any other candidate replaces it."""
        cfg = self.config
        tiles = plan.tiles
        height = bgr.shape[0]
        if (
            plan.all_tiles
            and n_hands < cfg.max_hands
            and all(c.roi.width < SMALL_TRACKED_HAND * height for c in hands)
        ):
            tiles = self.schedule.all_tiles(bgr.shape[1], height)
        room = cfg.max_hands - min(n_hands, cfg.max_hands)
        if room > 0:
            # A zoomed tile often shows a face or a fist the detector scores above the hand:
            # the landmark model's presence chooses among a few more candidates (the far
            # hands kept are capped by keep).
            room += FAR_SPARE
        weak_looks = WEAK_LOOKS if cfg.static_mode and cfg.closer_look else 0
        threshold = WEAK_TILE_SCORE if weak_looks else cfg.min_detection
        for det in tile_palms(self.detector, bgr, tiles, threshold, timings):
            if room <= 0:
                break
            tile_roi = None  # the tile's own region, when the closer look moved the palm
            if det.score < cfg.min_detection:
                if weak_looks <= 0:
                    continue
                weak_looks -= 1
                seen = closer_palm(self.detector, bgr, det, cfg.min_detection, timings)
                if seen is det or beside_candidate(seen, candidates):
                    continue
                det = seen
            elif cfg.closer_look:
                seen = closer_palm(self.detector, bgr, det, cfg.min_detection, timings)
                if seen is not det:
                    tile_roi = palm_to_roi(det.box, det.keypoints)
                det = seen
            roi = palm_to_roi(det.box, det.keypoints)
            if any(rect_iou(roi, c.roi) > DUPLICATE_IOU for c in hands):
                continue
            associate(candidates, Track(None, roi, far=True, tile_roi=tile_roi))
            room -= 1

    def read_twice(
        self,
        bgr: np.ndarray,
        candidates: list[Track],
        outputs: list[LandmarkOutput],
        timings: dict[str, float],
    ) -> None:
        """Far palms the closer look placed anew are read on their tile's own region too; the
        reading tiles.steadier_reading picks replaces ``outputs``' (and its region the
        candidate's). A small hand's palm box moves with the zoom it is seen at, and the
        landmark model reads some hands well from only one of the two regions."""
        twice = [(i, t.tile_roi) for i, t in enumerate(candidates) if t.tile_roi is not None]
        if not twice:
            return
        tile_reads = self.landmarker.run(bgr, [roi for _, roi in twice], timings)
        for (i, roi), other in zip(twice, tile_reads, strict=True):
            pick = steadier_reading(
                self.landmarker, bgr, [outputs[i], other], self.config.far_min_presence, timings
            )
            if pick == 1:
                candidates[i].roi, outputs[i] = roi, other
            candidates[i].tile_roi = None

    def keep(
        self,
        bgr: np.ndarray,
        candidates: list[Track],
        outputs: list[LandmarkOutput],
        timings: dict[str, float],
    ) -> list[Reading]:
        """The candidates' readings (``outputs``, in their order) that are hands: present
        above ``min_presence`` (a far one above ``far_min_presence``), a far one confirmed by
        a second look (tiles.confirm_far_hand) and among the most present as many as hand
        slots are left (:func:`cap_far`)."""
        cfg = self.config
        kept = [
            (t, o)
            for t, o in zip(candidates, outputs, strict=True)
            if o.presence >= (cfg.far_min_presence if t.far else cfg.min_presence)
        ]
        kept = [
            (t, o)
            for t, o in kept
            if not t.far
            or confirm_far_hand(
                self.detector,
                self.landmarker,
                bgr,
                o.landmarks,
                cfg.far_min_presence,
                cfg.min_detection,
                timings,
            )
        ]
        return cap_far(kept, cfg.max_hands)
