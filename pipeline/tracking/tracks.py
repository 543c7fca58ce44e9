"""Track bookkeeping: the hands carried from frame to frame (:class:`Track`), their ids, and the
rules that match a frame's readings to them (re-checks, merged duplicates, lost hands found
again).

Everything here runs on the tracker's thread, called from ``HandTracker.process``. Regions are
:class:`pipeline.types.RotatedRect` in pixels of the frame; points are ``(21, >=2)`` arrays in
pixels of the frame (x right, y down). Times are frame times in ms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from pipeline.tracking.config import TrackerConfig
from pipeline.tracking.landmark import LandmarkOutput
from pipeline.tracking.roi import landmarks_to_roi, rect_iou
from pipeline.tracking.track_guard import is_ghost, mean_distance, same_hand, shape_distance
from pipeline.types import RotatedRect

# A new palm whose region overlaps a tracked one this much is the same hand.
DUPLICATE_IOU = 0.5
# Fast hands (Track.fast): region widths per second between two readings. A hand swiped across
# the dev clips at 15 fps moves 5-15 widths a second (1/3 to 1 width a frame); signing hands and
# a pointer hand move under 2.
FAST_WIDTHS_PER_S = 1.5
# A lost hand that was moving at least this fast (widths a second) is looked for along its
# path (path_gap), and may come back read as the other side; a swing is at most
# MAX_SWING_WIDTHS_PER_S (the dev clips' swipes peak at 6-10).
MOVING_WIDTHS_PER_S = 0.75
MAX_SWING_WIDTHS_PER_S = 15.0
# The region placed ahead of a fast hand moves this fraction of its velocity times the time
# since its last reading (a swing slows down at its end), and at most MAX_LEAD region widths.
LEAD_DAMPING = 0.8
MAX_LEAD = 2.0
# A velocity counts only over readings this close in time (ms); older ones predict nothing.
VELOCITY_GAP_MS = 250.0


@dataclass
class Track:
    """One hand's region and what the tracker remembers of it between frames; also a candidate
    region of the current frame (a fresh palm, a zoom tile's palm, last frame's region)."""

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
    recheck_of: Track | None = None  # set on a fresh region read only to re-check that track
    far: bool = False  # found in a zoom tile: kept only above far_min_presence
    # A far palm the closer look placed anew: its tile's own region, read too
    # (far_hands.FarHands.read_twice).
    tile_roi: RotatedRect | None = None
    # Its region's centre velocity over its readings of the last VELOCITY_GAP_MS (px per ms),
    # None before two such readings.
    velocity: tuple[float, float] | None = None
    seen_ms: float = -float("inf")  # when it was last read (frame time)
    trail: tuple[tuple[float, float, float], ...] = ()  # (t_ms, cx, cy) of those readings
    # Set on the region placed ahead of a fast hand (predicted_region) for its own track.
    predicted: bool = False

    def doubt(self, t_ms: float, for_ms: float) -> None:
        """Readings of the hand disagree at ``t_ms``: unsure for ``for_ms`` at most."""
        self.unsure_until = max(self.unsure_until, t_ms + for_ms)
        self.unsure_since = t_ms

    def carried(
        self,
        reading: LandmarkOutput,
        *,
        full_frame: bool,
        gap_s: float,
        steady_distance: float,
        t_ms: float | None = None,
    ) -> Track:
        """The track the next frame starts from, after this frame read ``reading`` in it:
        its region from the raw landmarks, its doubts and opinion kept, its points, calm looks
        (after a whole-frame look, ``full_frame``) and speed over ``gap_s`` seconds since the
        last reading; ``t_ms`` (this frame's time) gives its region's velocity since the
        reading before, when that was at most ``VELOCITY_GAP_MS`` ago."""
        landmarks = reading.landmarks
        roi = landmarks_to_roi(landmarks)
        trail = self.trail
        if t_ms is not None:
            trail = tuple(p for p in trail if 0 < t_ms - p[0] <= VELOCITY_GAP_MS)
            trail = (*trail, (t_ms, roi.cx, roi.cy))
        velocity = None
        if len(trail) >= 2:
            (t0, x0, y0), (t1, x1, y1) = trail[0], trail[-1]
            velocity = ((x1 - x0) / (t1 - t0), (y1 - y0) / (t1 - t0))
        return Track(
            self.track_id,
            roi,
            checked_ms=self.checked_ms,
            unsure_until=self.unsure_until,
            unsure_since=self.unsure_since,
            right=reading.right_in_mirror > 0.5,
            opinion_ms=self.opinion_ms,
            opinion_shape=self.opinion_shape,
            look_points=landmarks[:, :2].copy()
            if full_frame or self.look_points is None
            else self.look_points,
            calm_looks=self._calm_looks(landmarks, steady_distance)
            if full_frame
            else self.calm_looks,
            points=landmarks[:, :2].copy(),
            speed=None
            if self.points is None or gap_s <= 0
            else mean_distance(self.points, landmarks) / gap_s,
            velocity=velocity,
            seen_ms=self.seen_ms if t_ms is None else t_ms,
            trail=trail,
        )

    def inherit_motion(self, old: Track) -> None:
        """This region (a fresh palm) goes on as ``old``'s hand: its last points and their
        time, so the next reading gives the hand's velocity and speed."""
        if self.points is None or old.seen_ms > self.seen_ms:
            self.points, self.seen_ms = old.points, old.seen_ms
            self.velocity, self.trail = old.velocity, old.trail

    def widths_per_s(self) -> float:
        """Its speed over its recent readings (``velocity``), region widths a second; 0 when
        unknown."""
        if self.velocity is None:
            return 0.0
        return math.hypot(*self.velocity) * 1000.0 / max(self.roi.width, 1.0)

    def fast(self) -> bool:
        """Whether the hand moves fast enough to outrun its carried region
        (FAST_WIDTHS_PER_S)."""
        return self.widths_per_s() > FAST_WIDTHS_PER_S

    def moving(self) -> bool:
        """Whether the hand moves along a path worth following when it is lost
        (MOVING_WIDTHS_PER_S)."""
        return self.widths_per_s() > MOVING_WIDTHS_PER_S

    def predicted_region(self, t_ms: float) -> Track | None:
        """A copy of this fast track (:meth:`fast`) with its region moved along its velocity to
        where the hand should be at ``t_ms``, at most MAX_LEAD widths ahead; None when the hand
        is slow or the move is under a quarter of a width (the carried region covers it)."""
        if not self.fast() or self.velocity is None:
            return None
        dt = min(max(t_ms - self.seen_ms, 0.0), VELOCITY_GAP_MS)
        dx, dy = self.velocity[0] * dt * LEAD_DAMPING, self.velocity[1] * dt * LEAD_DAMPING
        width = max(self.roi.width, 1.0)
        lead = math.hypot(dx, dy) / width
        if lead < 0.25:
            return None
        if lead > MAX_LEAD:
            dx, dy = dx * MAX_LEAD / lead, dy * MAX_LEAD / lead
        roi = replace(self.roi, cx=self.roi.cx + dx, cy=self.roi.cy + dy)
        return replace(self, roi=roi, predicted=True, recheck_of=None)

    def _calm_looks(self, landmarks: np.ndarray, steady_distance: float) -> int:
        """The count of calm looks after a whole-frame look that read ``landmarks``."""
        if self.look_points is None or self.track_id is None:
            return 0
        if mean_distance(self.look_points, landmarks) >= steady_distance:
            return 0
        return self.calm_looks + 1


Reading = tuple[Track, LandmarkOutput]  # a region and what the landmark model read in it


def path_gap(old: Track, roi: RotatedRect, t_ms: float) -> float:
    """How far ``roi`` lies from the lost hand ``old``, in region widths: from where it was last
    read, or, when it was moving (:meth:`Track.moving`), from the path ahead of it: the line on
    along its last direction, as far as a swing at MAX_SWING_WIDTHS_PER_S gets in the time
    since its last reading (a swipe speeds up while the hand is lost), whichever is nearer."""
    width = max(old.roi.width, roi.width, 1.0)
    start = np.array([old.roi.cx, old.roi.cy])
    point = np.array([roi.cx, roi.cy])
    if not old.moving() or old.velocity is None:
        return float(np.linalg.norm(point - start)) / width
    dt = max(t_ms - old.seen_ms, 0.0)
    direction = np.asarray(old.velocity) / max(math.hypot(*old.velocity), 1e-9)
    reach = MAX_SWING_WIDTHS_PER_S * old.roi.width * dt / 1000.0
    along = float(np.clip((point - start) @ direction, 0.0, reach))
    return float(np.linalg.norm(point - (start + along * direction))) / width


def associate(candidates: list[Track], track: Track) -> None:
    """Add ``track`` to ``candidates`` in place of those whose region it overlaps by more than
    DUPLICATE_IOU; it keeps the oldest track id among them."""
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


def prefer_own(kept: list[Reading]) -> list[Reading]:
    """One reading per track id: a fast hand's region ahead of it (``Track.predicted``) and its
    own carried region may both read a hand that the merge did not join (the one ahead landed
    on the other hand, or the two readings disagree); the carried region's reading wins."""
    own = {t.track_id for t, _ in kept if t.track_id is not None and not t.predicted}
    return [(t, o) for t, o in kept if not (t.predicted and t.track_id in own)]


class TrackBook:
    """The tracked hands, the hands lost recently and the ids given out; one per tracker, used
    from its thread. ``agreed``: ids (``id()``) of the tracks a fresh reading agreed with in
    the current frame (cleared by the tracker at the start of each frame read)."""

    def __init__(self, config: TrackerConfig) -> None:
        self.config = config
        self.tracks: list[Track] = []
        self.lost: list[tuple[Track, float]] = []  # recently lost hands, (track, when lost)
        self.agreed: set[int] = set()
        self._next_id = 0

    def reset(self) -> None:
        """Forget every tracked and lost hand (the ids go on counting)."""
        self.tracks = []
        self.lost = []

    def start_image(self) -> None:
        """Static mode: every image stands alone, its ids count from 1."""
        self.tracks = []
        self._next_id = 0

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def advance(self, survivors: list[Track], t_ms: float) -> None:
        """``survivors`` are the tracked hands after the frame at ``t_ms``; the hands tracked
        before that are not among them are lost (kept ``refind_ms`` to be found again)."""
        alive = {t.track_id for t in survivors}
        self.lost = [
            (t, lost_ms)
            for t, lost_ms in self.lost + [(t, t_ms) for t in self.tracks]
            if t.track_id not in alive and 0 <= t_ms - lost_ms <= self.config.refind_ms
        ]
        self.tracks = survivors

    def recheck_target(self, fresh: Track, t_ms: float) -> Track | None:
        """The tracked hand a fresh palm region lands on, when that hand is due a re-check."""
        for track in self.tracks:
            if rect_iou(track.roi, fresh.roi) > DUPLICATE_IOU:
                due = not 0 <= t_ms - track.checked_ms < self.config.recheck_interval_ms
                return track if due else None
        return None

    def settle_rechecks(self, kept: list[Reading], t_ms: float) -> list[Reading]:
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
                self.found_again(fresh, checked, reading.landmarks, t_ms)
                fresh.recheck_of = None
                out.append((fresh, reading))
                own[id(checked)] = reading
            elif mean_distance(reading.landmarks, mine.landmarks) <= cfg.disagree_distance:
                self.agreed.add(id(checked))
            elif reading.presence >= cfg.doubt_presence:
                checked.doubt(t_ms, cfg.unsure_ms)
        return out

    def merge(self, kept: list[Reading], t_ms: float) -> list[Reading]:
        """One reading per hand: of readings that describe one hand keep the most present one,
        under the oldest track id among them; readings that disagree leave the hand unsure.
        Disagree here means apart (``disagree_distance`` palm sizes) both in place and in pose
        (:func:`shape_distance`): two regions often read one fist a little shifted or scaled,
        which at 6 fps kept a fist unsure for its whole half second on screen."""
        cfg = self.config
        out: list[Reading] = []
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
                    if track.track_id is not None and track.track_id == other.track_id:
                        other.inherit_motion(track)
                    other.checked_ms = max(other.checked_ms, track.checked_ms)
                    other.unsure_until = max(other.unsure_until, track.unsure_until)
                    other.unsure_since = max(other.unsure_since, track.unsure_since)
                    if (
                        mean_distance(reading.landmarks, best.landmarks) <= cfg.disagree_distance
                        or shape_distance(reading.landmarks, best.landmarks)
                        <= cfg.disagree_distance
                    ):
                        if fresh_beside_own:
                            self.agreed.add(id(other))
                    elif reading.presence >= cfg.doubt_presence:
                        other.doubt(t_ms, cfg.unsure_ms)
                    break
            else:
                out.append((track, reading))
        return out

    def continue_lost(self, kept: list[Reading], t_ms: float) -> None:
        """A new reading next to a hand lost this frame continues that hand's track (its fast
        move outran the region carried over from the last frame; a fresh detection found it).
        Near means within ``refind_distance`` region widths of where the hand was, or of the
        path ahead of it when it was moving (:func:`path_gap`). A hand found again is on the
        same side; a moving one may read as the other side (motion blur flips the model's side
        on 1-2 frames of a swipe) when no hand of its own side is near."""
        cfg = self.config
        present = {t.track_id for t, _ in kept if t.track_id is not None}
        recent = [t for t, lost_ms in self.lost if t_ms - lost_ms <= cfg.refind_ms]
        lost = [t for t in self.tracks + recent if t.track_id not in present]
        for track, reading in kept:
            if track.track_id is not None or not lost:
                continue
            roi = landmarks_to_roi(reading.landmarks)
            right = reading.right_in_mirror > 0.5

            def gap(old: Track, roi: RotatedRect = roi) -> float:
                return path_gap(old, roi, t_ms)

            near = [o for o in lost if gap(o) < cfg.refind_distance]
            same_side = [o for o in near if o.right in (None, right)]
            near = same_side or [o for o in near if o.moving()]
            if not near:
                continue
            old = min(near, key=gap)
            lost.remove(old)
            self.found_again(track, old, reading.landmarks, t_ms)

    def found_again(self, track: Track, old: Track, landmarks: np.ndarray, t_ms: float) -> None:
        """``track``, a fresh region whose reading ``landmarks`` found the lost hand ``old``
        again, continues it (id, doubts). A reading in the pose the hand had in its last frame
        (shapes within ``refind_same_shape`` palm sizes: a fist that moved out of its region
        between two frames of a slow machine) is a re-check that agrees; any other leaves the
        hand unsure for ``unsure_ms``."""
        cfg = self.config
        track.track_id, track.checked_ms = old.track_id, t_ms
        track.unsure_until, track.unsure_since = old.unsure_until, old.unsure_since
        track.inherit_motion(old)
        if (
            old.points is not None
            and cfg.refind_same_shape > 0
            and shape_distance(landmarks, old.points) <= cfg.refind_same_shape
        ):
            self.agreed.add(id(track))
        else:
            track.doubt(t_ms, cfg.unsure_ms)

    def confirm(self, track: Track, t_ms: float) -> None:
        """A re-check this frame agreed with the hand's reading: the doubt ends once it is
        ``confirm_ms`` old."""
        if id(track) in self.agreed and t_ms - track.unsure_since >= self.config.confirm_ms:
            track.unsure_until = min(track.unsure_until, t_ms)
