"""Hand tracker: palm detection when needed, landmarks per hand region, regions carried over
from frame to frame, stable track ids."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from pipeline.filters import OneEuroFilter, filter_for_strength
from pipeline.models.manifest import model_path
from pipeline.models.session import InferenceSession
from pipeline.settings.schema import MAX_HANDS, TrackerSettings
from pipeline.tracking.landmark import LandmarkModel, LandmarkOutput
from pipeline.tracking.palm import PalmDetection, PalmDetector
from pipeline.tracking.roi import PALM_SCALE, landmarks_to_roi, palm_to_roi, rect_iou
from pipeline.tracking.scheduling import (
    SMALL_TRACKED_HAND,
    STEADY_LOOK_MS,
    DetectionPlan,
    DetectorSchedule,
)
from pipeline.tracking.tiles import closer_palm, confirm_far_hand, steadier_reading, tile_palms
from pipeline.tracking.track_guard import (
    MERGE_DISTANCE,
    MERGE_OVERLAP,
    hand_shape,
    is_ghost,
    mean_distance,
    palm_size,
    same_hand,
    shape_distance,
)
from pipeline.types import FrameResult, Hand, RotatedRect

_SETTINGS_DEFAULTS = TrackerSettings().model_dump()

# Whole-frame looks in a row that must find a hand in place and pose before it counts as
# steady (TrackerConfig.steady_distance).
STEADY_LOOKS = 2

# Frames this close (ms) to the frame before them may rest (TrackerConfig.rest_speed): at
# 25-30 fps, not at a slow machine's 15 fps or less.
REST_MAX_GAP_MS = 50.0
# Frames in a row that may rest (TrackerConfig.rest_speed) while every tracked hand is steady
# (sure, in place and pose at the last STEADY_LOOKS whole-frame looks) and moves slower than
# STEADY_REST_SPEED palm sizes a second; 1 otherwise. The fist video's thumb up, held, is then
# read on a third of its frames instead of half: 2-3 points of a core less (36.3/36.4% vs
# 39.8/38.5%, handcue bench --realtime --cpu). The speed bound keeps the resting to the calmer
# half of a held hand's jitter: at 2.5 a hand swaying at the end of that video was read into a
# fist after two rests (its landmark error there 0.02 -> 0.3 palm sizes); at 1.0 the reported
# landmarks (rested frames counted with the last reading, app.measure.trust at K = 1) move 4.75
# -> 5.07% of palm size from MediaPipe's, and no gesture changes.
STEADY_REST_FRAMES = 2
STEADY_REST_SPEED = 1.0

# A new palm whose region overlaps a tracked one this much is the same hand.
DUPLICATE_IOU = 0.5


@dataclass(frozen=True)
class TrackerConfig:
    """The tracker's run configuration. Built from a
    :class:`pipeline.settings.TrackerSettings` by :func:`pipeline.tracking.config.tracker_config`
    (the only place that makes one); its defaults are the settings' defaults."""

    model: str = _SETTINGS_DEFAULTS["model"]  # "full" | "lite"
    max_hands: int = _SETTINGS_DEFAULTS["max_hands"]
    static_mode: bool = False  # photos: detect every image, no tracking
    provider: str = _SETTINGS_DEFAULTS["provider"]
    threads: int = _SETTINGS_DEFAULTS["threads"]  # 0: onnxruntime's default
    min_presence: float = _SETTINGS_DEFAULTS["min_presence"]
    min_detection: float = 0.5
    # While at least one hand is tracked but fewer than max_hands, look for new hands at most
    # this often (ms of frame time). 0 runs the palm detector on every such frame, as MediaPipe
    # does; 100 ms finds a second hand within ~3 frames at 30 fps for a third of the cost.
    redetect_interval_ms: float = 100.0
    # Landmark smoothing 0 (off: raw model output, as MediaPipe) .. 1 (steadiest). Only what is
    # reported is smoothed; the next frame's region always comes from the raw landmarks.
    smoothing: float = _SETTINGS_DEFAULTS["smoothing"]
    # One track per hand: after the landmark step, readings that describe one hand (points
    # within ``merge_distance`` palm sizes on average, or boxes sharing ``merge_overlap`` of the
    # smaller box) are merged, keeping the one the landmark model is surer of.
    merge_duplicates: bool = True
    merge_distance: float = MERGE_DISTANCE
    merge_overlap: float = MERGE_OVERLAP
    # Re-checks (video mode): at most every ``recheck_interval_ms`` per tracked hand the palm
    # detector runs (also when max_hands are tracked) and the landmark model reads the fresh
    # palm region that lands on the hand. Readings of one hand that disagree (points more than
    # ``disagree_distance`` palm sizes apart on average: e.g. the raised thumb read as the index
    # finger in one) mark the hand *unsure* for ``unsure_ms``; a new hand is unsure for its
    # first ``new_unsure_ms``. Gestures do not start on an unsure hand (FrameResult.unsure).
    # A negative interval turns re-checks off.
    recheck_interval_ms: float = 200.0
    disagree_distance: float = 0.3
    # A second opinion whose palm is ``disagree_scale`` times smaller than the hand's own
    # disagrees with it however close the points lie: the lite model reads the fist video's
    # thumb up as an upright fist twice the palm size, and the mean distance (in the larger
    # palm) of the right reading inside it stays under ``disagree_distance``. Only this
    # direction: both directions made the full model switch to worse readings (fist video
    # landmark error 4.2 -> 8.8% of palm size at full rate, one repeated thumb up).
    disagree_scale: float = 1.5
    # A fresh reading that disagrees with the hand's own (a re-check, or one merged beside
    # it) makes the hand unsure only when the landmark model is at least this present in it: a
    # weak reading of a partly covered region (the lite model, 0.52 beside its own 0.99 at 5
    # fps) kept the fist unsure for its whole time on screen.
    doubt_presence: float = 0.8
    unsure_ms: float = 800.0
    new_unsure_ms: float = 800.0
    # Detector scheduling (pipeline/tracking/scheduling.py, pipeline/tracking/tiles.py). far_hands: zoomed tiles
    # while fewer than max hands are tracked; power_saving: the motion gate while none is.
    far_hands: bool = _SETTINGS_DEFAULTS["far_hands"]
    power_saving: bool = _SETTINGS_DEFAULTS["power_saving"]
    # No hand, nothing moving: the detector still runs this often (ms of frame time).
    idle_interval_ms: float = 1000.0
    # A hand first seen in a zoom tile is kept only above this presence score (and after
    # tiles.confirm_far_hand). hagrid-dev's far hands that MediaPipe's reference lacks read
    # 0.825-0.997; a cardboard box behind a person passed every other look at 0.785.
    far_min_presence: float = 0.8
    # A tile's palm is placed again by a closer look (pipeline/tracking/tiles.py closer_palm).
    closer_look: bool = True
    # An unsure hand becomes sure early when, at least ``confirm_ms`` after the last doubt, a
    # re-check agrees with its reading (fresh detection and second opinion alike): at a low
    # frame rate a hand would otherwise stay unsure for most of a short sign.
    confirm_ms: float = 300.0
    # Second opinion (video mode): a hand that is new, found again or re-checked in a frame is
    # also read from its region turned by +-``second_opinion_deg`` (each reading refined once on
    # its own region). The landmark model locks into a reading it started from: a thumb held
    # up towards the camera, read from an upright region, stays "an index finger pointing up"
    # frame after frame; read from a region turned a quarter, it settles on the thumb. The
    # reading the model is most present in wins when it beats the hand's own by
    # ``switch_margin`` (the hand then continues from it, unsure); a reading within
    # ``unsure_margin`` of the hand's own that disagrees with it leaves the hand unsure.
    # Measured on the fist video's thumb (full model): right readings 0.990-0.996, the
    # index-finger reading 0.971-0.989.
    second_opinion_deg: float = 90.0
    # The landmark model second opinions come from ('full' or 'lite'). When it is not the one
    # tracking (the lite model tracks, the full one is asked), it also reads the hand's own
    # region: presences are compared within one model, and where its reading there disagrees
    # with the tracking model's, its own replaces it (the hand becomes unsure). The lite model
    # alone does not recover: on the fist video it locks into an upright-fist reading of the
    # thumb up (region twice the palm size) that its turned readings beat in presence but sit
    # within ``disagree_distance`` of (app.measure.trust, K = 1..5 forwards, mirrored and
    # backwards: 11 wrong gesture events with lite opinions, 3 with full ones, 0 with full
    # ones and ``disagree_scale``, ``doubt_presence`` and the stabiliser's unsure release).
    opinion_model: str = "full"
    switch_margin: float = 0.002
    unsure_margin: float = 0.002
    # A sure hand that keeps its shape is not asked again at every re-check: its second opinion
    # is due when its reading changed by more than ``opinion_change`` palm sizes (mean point
    # distance, wrist on wrist) since its last one, or ``steady_opinion_ms`` after it. A locked
    # wrong reading starts where the pose changes (the fist opening into a thumb up), which a
    # changed shape catches; a hand held still costs one look a second instead of five.
    # ``steady_opinion_ms`` 0: a second opinion at every re-check.
    opinion_change: float = 0.2
    steady_opinion_ms: float = 1000.0
    # A hand lost and a new hand found near where it was (centres within this many region
    # widths, same side) within ``refind_ms`` are one hand: it keeps its track id (its gesture
    # does not start again) and is unsure for ``unsure_ms``.
    refind_distance: float = 0.75
    refind_ms: float = 300.0
    # Hands held still (points within ``steady_distance`` palm sizes of where they were at the
    # last whole-frame look, place and pose alike; every hand sure) are looked at and re-checked
    # every scheduling.STEADY_LOOK_MS instead of every ``redetect_interval_ms`` /
    # ``recheck_interval_ms``, unless something moves around them. Power saving only (the
    # setting); 0 turns this off.
    steady_distance: float = 0.15
    # A lost hand found again in the pose it had (shapes within this many palm sizes) does not
    # become unsure; 0: every hand found again is unsure for ``unsure_ms``.
    refind_same_shape: float = 0.2
    # Resting (power saving on): while every tracked hand moves slower than ``rest_speed``
    # palm sizes a second (mean point distance between its last two
    # readings over their time apart), every second frame reports the last frame's hands again
    # without running a model, and ``HandTracker.wants_frame`` lets the caller skip such a
    # frame altogether (not even decoded in full): a hand held in a sign, or resting in view,
    # is read at half the frame rate. Hands that are also steady (sure, and in place and pose
    # at the last two whole-frame looks: ``steady_distance``) and slower than
    # STEADY_REST_SPEED rest STEADY_REST_FRAMES frames in a row, a third of the frame rate: a
    # hand that starts to move is read within 2 frames (67-80 ms at 25-30 fps). A hand held up
    # in the air jitters at 0.7-2 palm sizes a second (the fist video's thumb up at 25 fps);
    # moving into a sign, turning or swiping it goes 3-30. A frame more than REST_MAX_GAP_MS
    # after the one before it (a slow machine) never rests. 0 turns this off; so does
    # ``HandTracker.allow_rest`` False (pointer mode, where every small move of the hand moves
    # the pointer). Unsure hands rest too: their re-checks and second opinions keep their own
    # times (app.measure.trust: the same gestures at every frame step, forwards, mirrored and
    # backwards; landmark error at full rate 4.2 -> 4.8% of palm size on the fist video, the
    # rested frames counted with the last reading).
    rest_speed: float = 2.5

    def __post_init__(self) -> None:
        for name in ("model", "opinion_model"):
            if getattr(self, name) not in ("full", "lite"):
                raise ValueError(f"{name} must be 'full' or 'lite', got {getattr(self, name)!r}")
        if not 0.0 <= self.smoothing <= 1.0:
            raise ValueError(f"smoothing must be between 0 and 1, got {self.smoothing}")
        if min(self.redetect_interval_ms, self.idle_interval_ms) < 0:
            raise ValueError("detector intervals must be 0 ms or more")
        if not 1 <= self.max_hands <= MAX_HANDS:
            raise ValueError(f"max_hands must be between 1 and {MAX_HANDS}, got {self.max_hands}")


@dataclass
class _Track:
    track_id: int | None  # None until the landmark model confirms a new hand
    roi: RotatedRect
    checked_ms: float = -float("inf")  # when a fresh detection last re-checked this hand
    unsure_until: float = -float("inf")  # gestures wait until then (frame time, ms)
    unsure_since: float = -float("inf")  # when a reading of the hand was last doubted
    right: bool | None = None  # the model's side of the hand (right in a mirror), once read
    opinion_ms: float = -float("inf")  # when the hand last had a second opinion
    opinion_shape: np.ndarray | None = None  # (21, 2) its shape then (see hand_shape)
    look_points: np.ndarray | None = None  # (21, 2) its points at the last whole-frame look
    points: np.ndarray | None = None  # (21, 2) its points in the last frame (raw)
    calm_looks: int = 0  # whole-frame looks in a row that found it where the last one did
    speed: float | None = None  # its last two readings' mean point distance, palm sizes / s

    def doubt(self, t_ms: float, for_ms: float) -> None:
        """Readings of the hand disagree at ``t_ms``: unsure for ``for_ms`` at most."""
        self.unsure_until = max(self.unsure_until, t_ms + for_ms)
        self.unsure_since = t_ms

    recheck_of: _Track | None = None  # set on a fresh region read only to re-check that track
    far: bool = False  # found in a zoom tile: kept only above far_min_presence
    # A far palm the closer look placed anew: its tile's own region, read too (_read_far_twice).
    tile_roi: RotatedRect | None = None


_Reading = tuple[_Track, LandmarkOutput]  # a region and what the landmark model read in it

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


def _cap_far(kept: list[_Reading], max_hands: int) -> list[_Reading]:
    """``kept`` with at most as many far (zoom-tile) readings as hand slots are left beside the
    others, the most present first."""
    far = [r for r in kept if r[0].far]
    free = max(0, max_hands - (len(kept) - len(far)))
    if len(far) <= free:
        return kept
    chosen = {id(r) for r in sorted(far, key=lambda r: -r[1].presence)[:free]}
    return [r for r in kept if not r[0].far or id(r) in chosen]


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
        self._tracks: list[_Track] = []
        self._lost: list[tuple[_Track, float]] = []  # recently lost hands, (track, when lost)
        self._agreed: set[int] = set()  # this frame: ids of tracks a fresh reading agreed with
        self._next_id = 0
        self._frame_index = 0
        self._schedule = DetectorSchedule(
            static_mode=cfg.static_mode,
            power_saving=cfg.power_saving,
            far_hands=cfg.far_hands,
            redetect_interval_ms=cfg.redetect_interval_ms,
            idle_interval_ms=cfg.idle_interval_ms,
        )
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
        self._tracks = []
        self._lost = []
        self._filters = {}
        self._steady = False
        self._last_result = None
        self._rest_run = self._skip_run = 0
        self._promised.clear()
        self._schedule.reset()

    def wants_frame(self, timestamp_ms: float) -> bool:
        """False when the frame at ``timestamp_ms`` may be skipped (not passed to ``process``):
        power saving with no hand in view needs only every other frame or so
        (:meth:`pipeline.tracking.scheduling.DetectorSchedule.wants_frame`), and a tracked hand that
        may rest (TrackerConfig.rest_speed) every second frame (two of three when steady).
        Asked by the thread that reads the frames, which may run a frame or two ahead of
        ``process``: the frames it was promised count as read, and ``process`` reads them
        (never rests on one)."""
        if not self._tracks:
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
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        bgr = self.to_bgr(frame_bgr)
        timings["convert"] = (time.perf_counter() - t_start) * 1e3
        cfg = self.config
        if cfg.static_mode:  # every image stands alone: ids count from 1 in each
            self._tracks = []
            self._next_id = 0
        promised = timestamp_ms in self._promised
        while self._promised and self._promised[0] <= timestamp_ms:
            self._promised.popleft()
        if not promised and self._may_rest(timestamp_ms):
            return self._rest(bgr, timestamp_ms, t_start, timings)
        self._rest_run = 0

        # Regions to run the landmark model on, merged the way MediaPipe does: fresh palm
        # regions first, then last frame's regions; a later region that overlaps an earlier one
        # replaces it, so a tracked hand wins over a new detection of itself. The survivor keeps
        # the oldest track id of the regions it replaced.
        candidates: list[_Track] = []
        # Which detections run (pipeline/tracking/scheduling.py): the whole frame, zoom tiles, both or
        # none; a due re-check (below) always runs the whole frame.
        plan = self._schedule.plan(
            bgr, [t.roi for t in self._tracks], cfg.max_hands, timestamp_ms, self._steady
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
            and len(self._tracks) >= cfg.max_hands
            and any(not 0 <= timestamp_ms - t.checked_ms < recheck_every for t in self._tracks)
        )
        full_frame = plan.full_frame or recheck_due
        detector_ran = full_frame or bool(plan.tiles) or plan.all_tiles
        rechecks: list[_Track] = []
        self._agreed.clear()
        palms = []
        if full_frame:
            palms = [d for d in self.detector.detect(bgr, timings) if d.score >= cfg.min_detection]
            for det in palms[: cfg.max_hands]:
                fresh = _Track(None, palm_to_roi(det.box, det.keypoints))
                checked = self._recheck_target(fresh, timestamp_ms) if recheck else None
                if checked is not None:
                    checked.checked_ms = timestamp_ms
                    fresh.recheck_of = checked
                    rechecks.append(fresh)
                else:
                    self._associate(candidates, fresh)
        # Zoom tiles look for hands while the whole frame holds fewer than max_hands: its new
        # palms are read first (a face or a blob found as two palms must not use up the hand
        # slots of a far hand beside them); their readings are kept for below. Palms on
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
        self._add_far_palms(bgr, plan, hands_found, maybe_hands, candidates, timings)
        for track in self._tracks:
            self._associate(candidates, track)
        candidates += rechecks

        hands: list[Hand] = []
        # Time since the last reading, for the hands' speed (TrackerConfig.rest_speed).
        last = self._last_result
        gap_s = 0.0 if last is None else (timestamp_ms - last.timestamp_ms) / 1000.0
        survivors: list[_Track] = []
        unread = [t.roi for t in candidates if id(t) not in early]
        read_now = iter(self.landmarker.run(bgr, unread, timings) if unread else [])
        outputs = [early[id(t)] if id(t) in early else next(read_now) for t in candidates]
        self._read_far_twice(bgr, candidates, outputs, timings)
        kept = [
            (t, o)
            for t, o in zip(candidates, outputs, strict=True)
            if o.presence >= (cfg.far_min_presence if t.far else cfg.min_presence)
        ]
        # A hand first seen in a zoom tile must pass a second look (pipeline/tracking/tiles.py).
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
        kept = _cap_far(kept, cfg.max_hands)
        if rechecks:
            kept = self._settle_rechecks(kept, timestamp_ms)
        if cfg.merge_duplicates:
            kept = self._merge(kept, timestamp_ms)
        if recheck:
            self._continue_lost(kept, timestamp_ms)
            if cfg.second_opinion_deg > 0:
                kept = self._second_opinion(bgr, kept, timestamp_ms, timings)
        unsure: set[int] = set()
        for track, out in kept:
            if track.track_id is None:
                track.track_id = self._new_id()
                if recheck:  # one frame's reading is not trusted before a re-check
                    track.doubt(timestamp_ms, cfg.new_unsure_ms)
                    track.checked_ms = timestamp_ms
            if track.unsure_until > timestamp_ms:
                unsure.add(track.track_id)
            # The model names the hand as seen in a mirror; on an unmirrored frame it is the other.
            real_left = out.right_in_mirror <= 0.5
            landmarks, world = self._smooth(
                track.track_id, out.landmarks, out.world_landmarks, timestamp_ms
            )
            hands.append(
                Hand(
                    landmarks=landmarks,
                    world_landmarks=world,
                    handedness="Left" if real_left else "Right",
                    handedness_score=max(out.right_in_mirror, 1.0 - out.right_in_mirror),
                    score=out.presence,
                    track_id=track.track_id,
                    roi=track.roi,
                )
            )
            survivors.append(
                _Track(
                    track.track_id,
                    landmarks_to_roi(out.landmarks),
                    checked_ms=track.checked_ms,
                    unsure_until=track.unsure_until,
                    unsure_since=track.unsure_since,
                    right=out.right_in_mirror > 0.5,
                    opinion_ms=track.opinion_ms,
                    opinion_shape=track.opinion_shape,
                    look_points=out.landmarks[:, :2].copy()
                    if full_frame or track.look_points is None
                    else track.look_points,
                    calm_looks=self._calm_looks(track, out.landmarks)
                    if full_frame
                    else track.calm_looks,
                    points=out.landmarks[:, :2].copy(),
                    speed=None
                    if track.points is None or gap_s <= 0
                    else mean_distance(track.points, out.landmarks) / gap_s,
                )
            )
        alive = {t.track_id for t in survivors}
        self._lost = [
            (t, lost_ms)
            for t, lost_ms in self._lost + [(t, timestamp_ms) for t in self._tracks]
            if t.track_id not in alive and 0 <= timestamp_ms - lost_ms <= cfg.refind_ms
        ]
        self._tracks = survivors
        self._steady = self._hands_steady(survivors, timestamp_ms)
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

    def _may_rest(self, t_ms: float, since_ms: float | None = None, rested: int = 0) -> bool:
        """Whether this frame may report the last one's hands again (TrackerConfig.rest_speed):
        no frame rested since the last one read (up to STEADY_REST_FRAMES - 1 while the hands
        are steady and slower than STEADY_REST_SPEED), the frames since it at most
        REST_MAX_GAP_MS apart, every hand slower than ``rest_speed``.
        ``since_ms`` and ``rested``: the last frame read and the frames rested since, instead
        (wants_frame: the last frame promised to the caller and the frames skipped since)."""
        cfg = self.config
        last = self._last_result
        if since_ms is None:
            if last is None:
                return False
            since_ms, rested = last.timestamp_ms, self._rest_run
        still = self._steady and all(
            t.speed is not None and t.speed < STEADY_REST_SPEED for t in self._tracks
        )
        allowed = STEADY_REST_FRAMES if still else 1
        return (
            rested < allowed
            and self.allow_rest
            and cfg.rest_speed > 0
            and cfg.power_saving
            and not cfg.static_mode
            and last is not None
            and 0 < t_ms - since_ms <= REST_MAX_GAP_MS * (rested + 1)
            and bool(self._tracks)
            and all(t.speed is not None and t.speed < cfg.rest_speed for t in self._tracks)
        )

    def _rest(
        self, bgr: np.ndarray, t_ms: float, t_start: float, timings: dict[str, float]
    ) -> FrameResult:
        """This frame's result without running a model: the last frame's hands."""
        assert self._last_result is not None
        self._rest_run += 1
        timings["rested"] = 1.0
        timings["total"] = (time.perf_counter() - t_start) * 1e3
        h, w = bgr.shape[:2]
        result = replace(
            self._last_result,
            frame_index=self._frame_index,
            timestamp_ms=float(t_ms),
            width=w,
            height=h,
            detector_ran=False,
            timings=timings,
        )
        self._frame_index += 1
        return result

    def _calm_looks(self, track: _Track, landmarks: np.ndarray) -> int:
        """``track``'s count of calm looks after a whole-frame look that read ``landmarks``."""
        if track.look_points is None or track.track_id is None:
            return 0
        if mean_distance(track.look_points, landmarks) >= self.config.steady_distance:
            return 0
        return track.calm_looks + 1

    def _hands_steady(self, tracks: list[_Track], t_ms: float) -> bool:
        """Whether the tracked hands held still: every hand sure, found in place and pose by
        the last ``STEADY_LOOKS`` whole-frame looks in a row (a reading just after a change of
        pose is re-checked at the full rate: that is where a wrong reading locks in), and its
        points within ``steady_distance`` palm sizes of where the last look saw them."""
        cfg = self.config
        if cfg.static_mode or not cfg.power_saving or not tracks or cfg.steady_distance <= 0:
            return False
        return all(
            t.unsure_until <= t_ms
            and t.calm_looks >= STEADY_LOOKS
            and t.look_points is not None
            and t.points is not None
            and mean_distance(t.look_points, t.points) < cfg.steady_distance
            for t in tracks
        )

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

    def _merge(self, kept: list[_Reading], t_ms: float) -> list[_Reading]:
        """One reading per hand: of readings that describe one hand keep the most present one,
        under the oldest track id among them; readings that disagree leave the hand unsure.
        Disagree here means apart (``disagree_distance`` palm sizes) both in place and in pose
        (:func:`shape_distance`): two regions often read one fist a little shifted or scaled,
        which at 6 fps kept a fist unsure for its whole half second on screen."""
        cfg = self.config
        out: list[_Reading] = []
        for track, reading in sorted(kept, key=lambda item: -item[1].presence):
            for other, best in out:
                side = (reading.right_in_mirror > 0.5) == (best.right_in_mirror > 0.5)
                if same_hand(
                    reading.landmarks,
                    best.landmarks,
                    cfg.merge_distance,
                    cfg.merge_overlap,
                    same_side=side,
                ) or (
                    side
                    and is_ghost(reading.landmarks, reading.presence, best.landmarks, best.presence)
                ):
                    ids = [x for x in (track.track_id, other.track_id) if x is not None]
                    # A fresh detection's reading beside the hand's own: a re-check.
                    fresh_beside_own = len(ids) == 1
                    other.track_id = min(ids) if ids else None
                    other.checked_ms = max(other.checked_ms, track.checked_ms)
                    other.unsure_until = max(other.unsure_until, track.unsure_until)
                    other.unsure_since = max(other.unsure_since, track.unsure_since)
                    if (
                        mean_distance(reading.landmarks, best.landmarks) <= cfg.disagree_distance
                        or shape_distance(reading.landmarks, best.landmarks)
                        <= cfg.disagree_distance
                    ):
                        if fresh_beside_own:
                            self._agreed.add(id(other))
                    elif reading.presence >= cfg.doubt_presence:
                        other.doubt(t_ms, cfg.unsure_ms)
                    break
            else:
                out.append((track, reading))
        return out

    def _continue_lost(self, kept: list[_Reading], t_ms: float) -> None:
        """A new reading next to a hand lost this frame continues that hand's track (its fast
        move outran the region carried over from the last frame; a fresh detection found it)."""
        cfg = self.config
        present = {t.track_id for t, _ in kept if t.track_id is not None}
        recent = [t for t, lost_ms in self._lost if t_ms - lost_ms <= cfg.refind_ms]
        lost = [t for t in self._tracks + recent if t.track_id not in present]
        for track, reading in kept:
            if track.track_id is not None or not lost:
                continue
            roi = landmarks_to_roi(reading.landmarks)
            right = reading.right_in_mirror > 0.5

            def gap(old: _Track, roi: RotatedRect = roi) -> float:
                return math.hypot(old.roi.cx - roi.cx, old.roi.cy - roi.cy) / max(
                    old.roi.width, roi.width, 1.0
                )

            near = [o for o in lost if o.right in (None, right) and gap(o) < cfg.refind_distance]
            if not near:
                continue
            old = min(near, key=gap)
            lost.remove(old)
            self._found_again(track, old, reading.landmarks, t_ms)

    def _second_opinion(
        self, bgr: np.ndarray, kept: list[_Reading], t_ms: float, timings: dict[str, float]
    ) -> list[_Reading]:
        """Hands new, found again or re-checked this frame read again from their region turned
        both ways (see TrackerConfig.second_opinion_deg); returns ``kept`` with the readings the
        landmark model prefers."""
        cfg = self.config
        due = [i for i, (t, r) in enumerate(kept) if self._opinion_due(t, r, t_ms)]
        if not due:
            return kept
        turn = math.radians(cfg.second_opinion_deg)
        seeds = []
        for i in due:
            own = landmarks_to_roi(kept[i][1].landmarks)
            seeds += [replace(own, rotation=own.rotation + turn * s) for s in (1, -1)]
        model = self.opinion_landmarker
        first = model.run(bgr, seeds, timings)
        refined = model.run(bgr, [landmarks_to_roi(o.landmarks) for o in first], timings)
        out = list(kept)
        # Presence scores compare within one model: the opinion model reads the hand's own
        # region too when it is not the tracking model. Where the two models' readings of that
        # region disagree, the opinion model's stands (the hand becomes unsure); where they
        # agree the tracking model's own is kept (a pointer must not jump between two models).
        mine_of = {i: kept[i][1] for i in due}
        if model is not self.landmarker:
            own_regions = [landmarks_to_roi(kept[i][1].landmarks) for i in due]
            for i, reading in zip(due, model.run(bgr, own_regions, timings), strict=True):
                mine_of[i] = reading
                if mean_distance(reading.landmarks, kept[i][1].landmarks) > cfg.disagree_distance:
                    out[i] = (kept[i][0], reading)
                    kept[i][0].doubt(t_ms, cfg.unsure_ms)
        for n, i in enumerate(due):
            track, mine = out[i][0], mine_of[i]
            others = [o for o in refined[2 * n : 2 * n + 2] if o.presence >= cfg.min_presence]
            if not others:
                self._confirm(track, t_ms)
                continue
            best = max(others, key=lambda o: o.presence)
            disagree = [o for o in others if self._disagree(o.landmarks, mine.landmarks)]
            if (
                any(o is best for o in disagree)
                and best.presence > mine.presence + cfg.switch_margin
            ):
                out[i] = (track, best)
                track.doubt(t_ms, cfg.unsure_ms)
            elif any(o.presence >= mine.presence - cfg.unsure_margin for o in disagree):
                track.doubt(t_ms, cfg.unsure_ms)
            else:
                self._confirm(track, t_ms)
        for i in due:
            track, reading = out[i]
            track.opinion_ms, track.opinion_shape = t_ms, hand_shape(reading.landmarks)
        return out

    def _disagree(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Does the reading ``a`` disagree with the hand's own reading ``b``: points apart by
        more than ``disagree_distance`` palm sizes on average, or ``b``'s palm more than
        ``disagree_scale`` times the size of ``a``'s (see TrackerConfig.disagree_scale)."""
        cfg = self.config
        if mean_distance(a, b) > cfg.disagree_distance:
            return True
        return palm_size(b) > cfg.disagree_scale * max(palm_size(a), 1e-6)

    def _opinion_due(self, track: _Track, reading: LandmarkOutput, t_ms: float) -> bool:
        """Whether a kept reading gets a second opinion this frame: a new hand, and a hand
        re-checked or found again this frame that is unsure, changed shape since its last
        opinion, or had none for ``steady_opinion_ms``."""
        cfg = self.config
        if track.track_id is None:
            return True
        if track.checked_ms != t_ms:
            # An unsure hand due a re-check that no fresh detection landed on (the palm
            # detector often misses a fist): the second opinion alone re-checks it.
            if (
                track.unsure_until > t_ms
                and not 0 <= t_ms - track.checked_ms < cfg.recheck_interval_ms
                and t_ms - track.unsure_since >= cfg.confirm_ms
            ):
                track.checked_ms = t_ms
                self._agreed.add(id(track))
                return True
            return False
        if (
            track.unsure_until > t_ms
            or track.opinion_shape is None
            or not 0 <= t_ms - track.opinion_ms < cfg.steady_opinion_ms
        ):
            return True
        change = np.linalg.norm(hand_shape(reading.landmarks) - track.opinion_shape, axis=1)
        return float(change.mean()) > cfg.opinion_change

    def _found_again(self, track: _Track, old: _Track, landmarks: np.ndarray, t_ms: float) -> None:
        """``track``, a fresh region whose reading ``landmarks`` found the lost hand ``old``
        again, continues it (id, doubts). A reading in the pose the hand had in its last frame
        (shapes within ``refind_same_shape`` palm sizes: a fist that moved out of its region
        between two frames of a slow machine) is a re-check that agrees; any other leaves the
        hand unsure for ``unsure_ms``."""
        cfg = self.config
        track.track_id, track.checked_ms = old.track_id, t_ms
        track.unsure_until, track.unsure_since = old.unsure_until, old.unsure_since
        if (
            old.points is not None
            and cfg.refind_same_shape > 0
            and shape_distance(landmarks, old.points) <= cfg.refind_same_shape
        ):
            self._agreed.add(id(track))
        else:
            track.doubt(t_ms, cfg.unsure_ms)

    def _confirm(self, track: _Track, t_ms: float) -> None:
        """A re-check this frame agreed with the hand's reading: the doubt ends once it is
        ``confirm_ms`` old."""
        if id(track) in self._agreed and t_ms - track.unsure_since >= self.config.confirm_ms:
            track.unsure_until = min(track.unsure_until, t_ms)

    def _recheck_target(self, fresh: _Track, t_ms: float) -> _Track | None:
        """The tracked hand a fresh palm region lands on, when that hand is due a re-check."""
        for track in self._tracks:
            if rect_iou(track.roi, fresh.roi) > DUPLICATE_IOU:
                due = not 0 <= t_ms - track.checked_ms < self.config.recheck_interval_ms
                return track if due else None
        return None

    def _settle_rechecks(self, kept: list[_Reading], t_ms: float) -> list[_Reading]:
        """Compare each re-check reading with its hand's own reading and drop it: a hand whose
        readings disagree becomes unsure; a hand that lost its own reading continues from the
        re-check's (same id)."""
        cfg = self.config
        own = {id(t): r for t, r in kept if t.recheck_of is None}
        out = [(t, r) for t, r in kept if t.recheck_of is None]
        for fresh, reading in kept:
            checked = fresh.recheck_of
            if checked is None:
                continue
            mine = own.get(id(checked))
            if mine is None:
                # The tracked region lost the hand; the fresh region found it again.
                self._found_again(fresh, checked, reading.landmarks, t_ms)
                fresh.recheck_of = None
                out.append((fresh, reading))
                own[id(checked)] = reading
            elif mean_distance(reading.landmarks, mine.landmarks) <= cfg.disagree_distance:
                self._agreed.add(id(checked))
            elif reading.presence >= cfg.doubt_presence:
                checked.doubt(t_ms, cfg.unsure_ms)
        return out

    def _add_far_palms(
        self,
        bgr: np.ndarray,
        plan: DetectionPlan,
        n_hands: int,
        hands: list[_Track],
        candidates: list[_Track],
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
            tiles = self._schedule.all_tiles(bgr.shape[1], height)
        room = cfg.max_hands - min(n_hands, cfg.max_hands)
        if room > 0:
            # A zoomed tile often shows a face or a fist the detector scores above the hand:
            # the landmark model's presence chooses among a few more candidates (the far
            # hands kept are capped in process).
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
                if seen is det or self._beside_candidate(seen, candidates):
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
            self._associate(candidates, _Track(None, roi, far=True, tile_roi=tile_roi))
            room -= 1

    def _read_far_twice(
        self,
        bgr: np.ndarray,
        candidates: list[_Track],
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

    @staticmethod
    def _beside_candidate(palm: PalmDetection, candidates: list[_Track]) -> bool:
        """Whether ``palm`` lies within WEAK_NEAR hand sizes of a candidate's centre (hand size:
        the palm box's side, or a candidate region's width over PALM_SCALE, the palm box it
        was made from)."""
        size = max(float(palm.box[2]), float(palm.box[3]))
        return any(
            math.hypot(c.roi.cx - float(palm.box[0]), c.roi.cy - float(palm.box[1]))
            < WEAK_NEAR * max(size, c.roi.width / PALM_SCALE)
            for c in candidates
        )

    @staticmethod
    def _associate(candidates: list[_Track], track: _Track) -> None:
        ids = [track.track_id] if track.track_id is not None else []
        kept = []
        for other in candidates:
            if rect_iou(track.roi, other.roi) > DUPLICATE_IOU:
                if other.track_id is not None:
                    ids.append(other.track_id)
            else:
                kept.append(other)
        track.track_id = min(ids) if ids else None
        candidates[:] = [*kept, track]

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id
