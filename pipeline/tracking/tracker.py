"""Hand tracker: palm detection when needed, landmarks per hand region, regions carried over
from frame to frame, stable track ids.

:class:`HandTracker` runs the frame's steps in order; each step lives in its own module:
which detections run (:mod:`.scheduling`), far hands in zoom tiles (:mod:`.far_hands`), the
tracks and their ids (:mod:`.tracks`), second opinions (:mod:`.second_opinion`) and resting
(:mod:`.resting`). Its configuration is :class:`pipeline.tracking.config.TrackerConfig`.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.filters import OneEuroFilter, filter_for_strength
from pipeline.models.manifest import model_path
from pipeline.models.session import InferenceSession
from pipeline.tracking.config import TrackerConfig
from pipeline.tracking.far_hands import FarHands
from pipeline.tracking.landmark import LandmarkModel, LandmarkOutput
from pipeline.tracking.palm import PalmDetector
from pipeline.tracking.resting import hands_steady, may_rest, rested_result
from pipeline.tracking.roi import landmarks_to_roi, palm_to_roi, rect_iou
from pipeline.tracking.scheduling import STEADY_LOOK_MS, DetectionPlan, DetectorSchedule
from pipeline.tracking.second_opinion import SecondOpinion
from pipeline.tracking.tracks import (
    DUPLICATE_IOU,
    Reading,
    Track,
    TrackBook,
    associate,
    prefer_own,
)
from pipeline.types import FrameResult, Hand

# TrackerConfig lived here before pipeline/tracking/config.py; its old path still works.
__all__ = ["HandTracker", "TrackerConfig"]


@dataclass
class HandTracker:
    """Call ``process`` once per frame from one thread.

    Frames are OpenCV BGR uint8 (H, W, 3); grayscale (H, W) and BGRA (H, W, 4) are accepted too.
    """

    config: TrackerConfig = field(default_factory=TrackerConfig)
    palm_session: InferenceSession | None = None
    landmark_session: InferenceSession | None = None
    # The landmark model for second opinions when config.opinion_model is not config.model;
    # made here when not given and the tracker asks for second opinions (video mode), so its
    # loading (~0.2 s) does not stall the first frame with a hand.
    opinion_session: InferenceSession | None = None

    def __post_init__(self) -> None:
        cfg = self.config
        # OpenCV's own calls here are small (224-px crops, the motion gate's 160x90 map): its
        # pool of worker threads (one per core by default) costs more in wake-ups than it
        # saves. One thread for the whole process (OpenCV has no other setting): the fist
        # video at its own rate, 2 cores, `handcue bench --realtime --cpu`, alternating runs:
        # 38.5/38.4/37.7% of a core with one thread, 40.0/38.8/39.6% with two.
        cv2.setNumThreads(1)
        if self.palm_session is None:
            self.palm_session = InferenceSession(
                model_path("palm_detection", cfg.model), cfg.provider, cfg.threads
            )
        if self.landmark_session is None:
            self.landmark_session = InferenceSession(
                model_path("hand_landmark", cfg.model), cfg.provider, cfg.threads
            )
        self.detector = PalmDetector(self.palm_session)
        self.landmarker = LandmarkModel(self.landmark_session)
        # Second opinions come from this one (TrackerConfig.opinion_model).
        self.opinion_landmarker = self.landmarker
        asks = not cfg.static_mode and cfg.recheck_interval_ms >= 0 and cfg.second_opinion_deg > 0
        if cfg.opinion_model != cfg.model and asks:
            if self.opinion_session is None:
                self.opinion_session = InferenceSession(
                    model_path("hand_landmark", cfg.opinion_model), cfg.provider, cfg.threads
                )
            self.opinion_landmarker = LandmarkModel(self.opinion_session)
        self._book = TrackBook(cfg)
        self._frame_index = 0
        self._schedule = DetectorSchedule(
            static_mode=cfg.static_mode,
            power_saving=cfg.power_saving,
            far_hands=cfg.far_hands,
            redetect_interval_ms=cfg.redetect_interval_ms,
            idle_interval_ms=cfg.idle_interval_ms,
        )
        self._far = FarHands(cfg, self.detector, self.landmarker, self._schedule)
        self._opinion = SecondOpinion(cfg, self.landmarker, self.opinion_landmarker, self._book)
        self._filters: dict[int, tuple[OneEuroFilter, OneEuroFilter]] = {}
        self._steady = False  # the tracked hands kept place and pose since the last look
        self._last_result: FrameResult | None = None  # the last frame tracked (not rested)
        self._rest_run = 0  # frames rested in a row (process) since the last one read
        self._skip_run = 0  # frames wants_frame turned down since the last one it promised
        # Frames wants_frame promised and process has not had yet, oldest first (the app's
        # capture thread asks a frame or two ahead of process).
        self._promised: deque[float] = deque(maxlen=8)
        # Resting needs this too; the runtime turns it off in pointer mode (set from the
        # tracker's thread, or before it runs).
        self.allow_rest = True

    @property
    def provider(self) -> str:
        return self.landmark_session.provider  # type: ignore[union-attr]

    def reset(self) -> None:
        """Forget every tracked hand (new source, or a jump in time)."""
        self._book.reset()
        self._filters = {}
        self._steady = False
        self._last_result = None
        self._rest_run = self._skip_run = 0
        self._promised.clear()
        self._schedule.reset()

    def wants_frame(self, timestamp_ms: float) -> bool:
        """False when the frame at ``timestamp_ms`` may be skipped (not passed to ``process``):
        power saving with no hand in view needs only every other frame or so
        (:meth:`pipeline.tracking.scheduling.DetectorSchedule.wants_frame`), and a tracked hand
        that may rest (TrackerConfig.rest_speed) every second frame (two of three when steady).
        Asked by the thread that reads the frames, which may run a frame or two ahead of
        ``process``: the frames it was promised count as read, and ``process`` reads them
        (never rests on one)."""
        if not self._book.tracks:
            wanted = self._schedule.wants_frame(0, timestamp_ms)
        else:
            last = self._last_result
            read_ms = -float("inf") if last is None else last.timestamp_ms
            promised_ms = self._promised[-1] if self._promised else -float("inf")
            wanted = not self._may_rest(
                timestamp_ms, since_ms=max(read_ms, promised_ms), rested=self._skip_run
            )
        if wanted:
            self._promised.append(timestamp_ms)
            self._skip_run = 0
        else:
            self._skip_run += 1
        return wanted

    @staticmethod
    def to_bgr(frame: np.ndarray) -> np.ndarray:
        """The frame as (H, W, 3) uint8 BGR; already-BGR frames pass through uncopied (the
        models' crops convert to RGB on their small outputs instead of on the whole frame)."""
        if frame.dtype != np.uint8:
            raise ValueError(f"frames must be uint8, got {frame.dtype}")
        if frame.ndim == 3 and frame.shape[2] == 3:
            return frame
        if frame.ndim == 2:
            return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        if frame.ndim == 3 and frame.shape[2] == 4:
            return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
        raise ValueError(f"unsupported frame shape {frame.shape}")

    def process(self, frame_bgr: np.ndarray, timestamp_ms: float) -> FrameResult:
        """The hands in ``frame_bgr`` (see the class docstring), a frame at ``timestamp_ms`` of
        the source's clock; landmarks in pixels of the frame."""
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        bgr = self.to_bgr(frame_bgr)
        timings["convert"] = (time.perf_counter() - t_start) * 1e3
        cfg = self.config
        book = self._book
        if cfg.static_mode:
            book.start_image()
        promised = timestamp_ms in self._promised
        while self._promised and self._promised[0] <= timestamp_ms:
            self._promised.popleft()
        if not promised and self._may_rest(timestamp_ms):
            return self._rest(bgr, timestamp_ms, t_start, timings)
        self._rest_run = 0

        # Which detections run (pipeline/tracking/scheduling.py): the whole frame, zoom tiles,
        # both or none; a due re-check (below) always runs the whole frame.
        plan = self._schedule.plan(
            bgr, [t.roi for t in book.tracks], cfg.max_hands, timestamp_ms, self._steady
        )
        recheck = not cfg.static_mode and cfg.recheck_interval_ms >= 0
        # With fewer than max_hands tracked the whole frame already runs on its own schedule.
        # Hands that hold still are re-checked less often (a locked wrong reading starts where
        # the pose changes; scheduling.STEADY_LOOK_MS).
        recheck_every = (
            max(cfg.recheck_interval_ms, STEADY_LOOK_MS)
            if self._steady
            else cfg.recheck_interval_ms
        )
        recheck_due = (
            recheck
            and len(book.tracks) >= cfg.max_hands
            and any(not 0 <= timestamp_ms - t.checked_ms < recheck_every for t in book.tracks)
        )
        full_frame = plan.full_frame or recheck_due
        detector_ran = full_frame or bool(plan.tiles) or plan.all_tiles
        book.agreed.clear()
        candidates, early = self._candidates(bgr, plan, full_frame, recheck, timestamp_ms, timings)

        unread = [t.roi for t in candidates if id(t) not in early]
        read_now = iter(self.landmarker.run(bgr, unread, timings) if unread else [])
        outputs = [early[id(t)] if id(t) in early else next(read_now) for t in candidates]
        self._far.read_twice(bgr, candidates, outputs, timings)
        kept = self._far.keep(bgr, candidates, outputs, timings)
        if any(t.recheck_of is not None for t in candidates):
            kept = book.settle_rechecks(kept, timestamp_ms)
        if cfg.merge_duplicates:
            kept = book.merge(kept, timestamp_ms)
        kept = prefer_own(kept)
        if recheck and not full_frame:
            # A fast hand the landmark step lost this frame: the palm detector looks for it on
            # the same frame, so its track goes on (continue_lost) without a gap.
            found = self._look_for_lost(bgr, kept, timestamp_ms, timings)
            if found:
                detector_ran = True
                kept = kept + found
        if recheck:
            book.continue_lost(kept, timestamp_ms)
            if cfg.second_opinion_deg > 0:
                kept = self._opinion.review(bgr, kept, timestamp_ms, timings)

        hands: list[Hand] = []
        unsure: set[int] = set()
        survivors: list[Track] = []
        # Time since the last reading, for the hands' speed (TrackerConfig.rest_speed).
        last = self._last_result
        gap_s = 0.0 if last is None else (timestamp_ms - last.timestamp_ms) / 1000.0
        for track, out in kept:
            if track.track_id is None:
                track.track_id = book.new_id()
                if recheck:  # one frame's reading is not trusted before a re-check
                    track.doubt(timestamp_ms, cfg.new_unsure_ms)
                    track.checked_ms = timestamp_ms
            if track.unsure_until > timestamp_ms:
                unsure.add(track.track_id)
            hands.append(self._hand(track.track_id, track, out, timestamp_ms))
            survivors.append(
                track.carried(
                    out,
                    full_frame=full_frame,
                    gap_s=gap_s,
                    steady_distance=cfg.steady_distance,
                    t_ms=timestamp_ms,
                )
            )
        book.advance(survivors, timestamp_ms)
        self._steady = hands_steady(cfg, survivors, timestamp_ms)
        for gone in set(self._filters) - {t.track_id for t in survivors}:
            del self._filters[gone]
        timings["total"] = (time.perf_counter() - t_start) * 1e3
        h, w = bgr.shape[:2]
        result = FrameResult(
            frame_index=self._frame_index,
            timestamp_ms=float(timestamp_ms),
            width=w,
            height=h,
            hands=tuple(hands),
            detector_ran=detector_ran,
            timings=timings,
            unsure=frozenset(unsure),
        )
        self._frame_index += 1
        self._last_result = result
        return result

    def _candidates(
        self,
        bgr: np.ndarray,
        plan: DetectionPlan,
        full_frame: bool,
        recheck: bool,
        t_ms: float,
        timings: dict[str, float],
    ) -> tuple[list[Track], dict[int, LandmarkOutput]]:
        """The regions to run the landmark model on this frame, and the readings of those
        already read (by ``id()`` of their track). Merged the way MediaPipe does: fresh palm
        regions first, then last frame's regions; a later region that overlaps an earlier one
        replaces it, so a tracked hand wins over a new detection of itself. The survivor keeps
        the oldest track id of the regions it replaced. Fresh regions that only re-check a
        tracked hand come last (``Track.recheck_of``)."""
        cfg = self.config
        book = self._book
        candidates: list[Track] = []
        rechecks: list[Track] = []
        palms = []
        if full_frame:
            palms = [d for d in self.detector.detect(bgr, timings) if d.score >= cfg.min_detection]
            for det in palms[: cfg.max_hands]:
                fresh = Track(None, palm_to_roi(det.box, det.keypoints))
                checked = book.recheck_target(fresh, t_ms) if recheck else None
                if checked is not None:
                    checked.checked_ms = t_ms
                    fresh.recheck_of = checked
                    rechecks.append(fresh)
                else:
                    associate(candidates, fresh)
        # Zoom tiles look for hands while the whole frame holds fewer than max_hands: its new
        # palms are read first (a face or a blob found as two palms must not use up the hand
        # slots of a far hand beside them); their readings are kept for the caller. Palms on
        # tracked hands (re-checks) count as hands.
        early: dict[int, LandmarkOutput] = {}
        hands_found = min(len(palms), cfg.max_hands)
        if (plan.all_tiles or plan.tiles) and candidates:
            readings = self.landmarker.run(bgr, [t.roi for t in candidates], timings)
            early = {id(t): o for t, o in zip(candidates, readings, strict=True)}
            hands_found -= sum(o.presence < cfg.min_presence for o in readings)
        maybe_hands = [
            t for t in candidates if id(t) not in early or early[id(t)].presence >= cfg.min_presence
        ]
        self._far.add_palms(bgr, plan, hands_found, maybe_hands, candidates, timings)
        for track in book.tracks:
            associate(candidates, track)
        # A fast hand is looked for ahead of itself too (tracks.Track.predicted_region); of
        # its two readings the merge keeps the one that found it (prefer_own).
        for track in book.tracks:
            ahead = track.predicted_region(t_ms)
            if ahead is not None:
                candidates.append(ahead)
        return candidates + rechecks, early

    def _look_for_lost(
        self, bgr: np.ndarray, kept: list[Reading], t_ms: float, timings: dict[str, float]
    ) -> list[Reading]:
        """Readings of fresh palms when a fast-moving tracked hand found no reading this frame
        (it outran both its regions); palms on hands already read are left out."""
        cfg = self.config
        present = {t.track_id for t, _ in kept}
        if not any(t.fast() and t.track_id not in present for t in self._book.tracks):
            return []
        fresh = []
        for det in self.detector.detect(bgr, timings):
            if det.score < cfg.min_detection:
                continue
            track = Track(None, palm_to_roi(det.box, det.keypoints))
            if all(
                rect_iou(track.roi, landmarks_to_roi(o.landmarks)) <= DUPLICATE_IOU for _, o in kept
            ):
                fresh.append(track)
        fresh = fresh[: max(cfg.max_hands - len(kept), 0)]
        if not fresh:
            return []
        outputs = self.landmarker.run(bgr, [t.roi for t in fresh], timings)
        return [
            (t, o) for t, o in zip(fresh, outputs, strict=True) if o.presence >= cfg.min_presence
        ]

    def _hand(self, track_id: int, track: Track, out: LandmarkOutput, t_ms: float) -> Hand:
        """The hand ``track`` (numbered ``track_id``) reports for the reading ``out``, its
        landmarks smoothed."""
        # The model names the hand as seen in a mirror; on an unmirrored frame it is the other.
        real_left = out.right_in_mirror <= 0.5
        landmarks, world = self._smooth(track_id, out.landmarks, out.world_landmarks, t_ms)
        return Hand(
            landmarks=landmarks,
            world_landmarks=world,
            handedness="Left" if real_left else "Right",
            handedness_score=max(out.right_in_mirror, 1.0 - out.right_in_mirror),
            score=out.presence,
            track_id=track_id,
            roi=track.roi,
        )

    def _may_rest(self, t_ms: float, since_ms: float | None = None, rested: int = 0) -> bool:
        """Whether this frame may report the last one's hands again (resting.may_rest), counted
        from the last frame read and the frames rested since; ``since_ms`` and ``rested``
        instead (wants_frame: the last frame promised to the caller and the frames skipped
        since)."""
        last = self._last_result
        if since_ms is None:
            if last is None:
                return False
            since_ms, rested = last.timestamp_ms, self._rest_run
        return may_rest(
            self.config,
            self._book.tracks,
            steady=self._steady,
            allowed=self.allow_rest,
            last_ms=None if last is None else last.timestamp_ms,
            t_ms=t_ms,
            since_ms=since_ms,
            rested=rested,
        )

    def _rest(
        self, bgr: np.ndarray, t_ms: float, t_start: float, timings: dict[str, float]
    ) -> FrameResult:
        """This frame's result without running a model: the last frame's hands."""
        assert self._last_result is not None
        self._rest_run += 1
        h, w = bgr.shape[:2]
        result = rested_result(self._last_result, self._frame_index, t_ms, (h, w), t_start, timings)
        self._frame_index += 1
        return result

    def _smooth(
        self, track_id: int, landmarks: np.ndarray, world: np.ndarray, t_ms: float
    ) -> tuple[np.ndarray, np.ndarray]:
        if self.config.smoothing <= 0.0 or self.config.static_mode:
            return landmarks, world
        if track_id not in self._filters:
            cutoff, beta = filter_for_strength(self.config.smoothing)
            self._filters[track_id] = (OneEuroFilter(cutoff, beta), OneEuroFilter(cutoff, beta))
        image_filter, world_filter = self._filters[track_id]
        palm_px = float(np.linalg.norm(landmarks[9, :2] - landmarks[0, :2]))
        palm_m = float(np.linalg.norm(world[9] - world[0]))
        return image_filter(landmarks, t_ms, palm_px), world_filter(world, t_ms, palm_m)
