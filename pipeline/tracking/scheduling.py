"""When the palm detector runs, and where: the idle gate, the detector rate and the zoom tiles.

The detector costs ~10 ms a call; run on every frame it is most of an idle app's CPU. So:

* **No hand tracked, power saving on:** a motion gate compares a small grey copy of each frame
  (the frame's mean over cells of ~16x16 px, ~0.3 ms for 720p) with the previous frame's. The
  detector runs at once on a frame where enough cells changed (a hand coming into view moves),
  otherwise only every ``idle_interval_ms`` as a safety net for a hand that appeared slowly.
  Frame to frame, not against an older frame: a person sitting still drifts by more than a
  cell's threshold over a second (the fist video's first 19 frames do), but not between frames. A still room therefore costs decoding plus ~2 detector calls a
  second; a moving one costs what it cost before.
* **No hand tracked, power saving off:** the detector on every frame (MediaPipe's schedule).
* **Some hands tracked, fewer than max:** the whole frame every ``redetect_interval_ms`` while
  something changes: a tracked hand moved or changed its pose since the last look (the
  tracker says so: ``steady`` False), or the gate saw motion outside the tracked hands (a
  second hand coming in). While the hands hold still and nothing else moves, every
  ``STEADY_LOOK_MS``: a hand held in one sign is most of a tracked minute, and each look costs
  a detector call and a landmark reading of the fresh region. Far hands on: a zoom tile too
  with such a look every ``TRACKED_TILE_MS``.
* **Far hands on:** a zoomed tile (:mod:`pipeline.tracking.tiles`) is a detector look too. A motion wake
  with no hand tracked looks at the whole frame and the tile with the most motion; looks on the
  idle timer alternate between the whole frame and the next tile.
  Without power saving and no hand tracked: the whole frame and one tile on every frame. Video
  cycles through the tiles; static mode (photos) looks at every tile of a photo where the
  whole-frame pass found fewer than max hands. Video also looks at every tile once over a
  clip's first frames (4 a frame) (a far hand that is already there barely moves, so no gate would wake for it;
  with no hand tracked and power saving on, the whole frame joins only the first of them and
  those where the gate sees motion),
  and, when a tracked hand is lost, next at the tile where it was.
* **All max hands tracked:** no detection at all.

Thread: the tracker's. Frames: (H, W, 3) uint8 BGR; timestamps in ms, increasing within a clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.tracking.tiles import Tile, TileCycle
from pipeline.types import RotatedRect

# Grey frame of the gate: the frame averaged down to about this many cells across.
GATE_CELLS_ACROSS = 80
# A cell changed when its mean grey level moved more than this (0..255); camera noise averaged
# over a cell of ~256 pixels stays well under 2 levels.
CELL_CHANGE = 12.0
# The same over a gap of GATE_EVERY_MS (frames skipped in between): a person sitting still
# drifts by up to ~28 levels in a cell over 66 ms of the fist video's first frames, a hand
# coming in by 140+.
CELL_CHANGE_SKIPPED = 25.0
# Changed cells needed to wake the detector: a hand 3 m away covers a handful at 720p; a person
# sitting still (hair, breathing) changes 0-2 between frames of the fist video's first second.
MIN_CHANGED_CELLS = 3
# While things keep moving without a hand found, the detector runs at most this often (ms):
# every 2nd frame at 25-30 fps, every frame at 15 fps (a dim webcam's rate, the dev clips'),
# where every 2nd frame missed the two frames on which the zoom clip's hand could be found.
MIN_WAKE_GAP_MS = 60.0
# After a tracked hand is lost the detector looks at every frame this long (ms) before the gate
# takes over: a hand held still (a thumb up) that the tracker dropped for a frame moves too
# little to wake the gate.
LOST_GRACE_MS = 1000.0
# Tiles looked at per frame while a clip's first scan over all tiles lasts.
SCAN_TILES = 4
# With some (fewer than max) hands tracked: one zoom tile at most this often (ms).
TRACKED_TILE_MS = 300.0
# With hands tracked, zoom tiles only while a tracked hand is small: its region narrower than
# this fraction of the frame's height. A person's two hands are about the same size, and one
# whose region covers 30% of the frame (a hand at arm's length from a laptop covers 50-70%)
# has a second hand the whole-frame detector finds (the far-video hands measure 11-22%).
SMALL_TRACKED_HAND = 0.3
# Hands tracked and steady, nothing moving around them: the whole frame this often (ms).
STEADY_LOOK_MS = 500.0
# Power saving, no hand tracked: the gate needs a frame at most this often (ms); frames in
# between may be skipped before their conversion to BGR (:meth:`DetectorSchedule.wants_frame`).
# At 25-30 fps every second frame: a hand coming into view is still seen within ~70 ms and
# the detector runs on it after MIN_WAKE_GAP_MS, well within 150 ms.
GATE_EVERY_MS = 60.0


class MotionGate:
    """Changed cells between the current frame and a reference frame (the previous one), on
    (h, w) float32 grey maps of ~80 cells across."""

    def __init__(self) -> None:
        self.reference: np.ndarray | None = None

    @staticmethod
    def small(frame_bgr: np.ndarray) -> np.ndarray:
        """(h, w) float32 grey cell means of a (H, W, 3) BGR frame, w ~ GATE_CELLS_ACROSS."""
        h, w = frame_bgr.shape[:2]
        cell = max(1, round(w / GATE_CELLS_ACROSS))
        size = (max(1, w // cell), max(1, h // cell))
        # A bilinear resize to twice the size, then 2x2 means: ~16 samples per cell at a tenth
        # of the cost of a full area average over the frame (0.1 ms vs 1.8 ms for 720p).
        double = cv2.resize(frame_bgr, (2 * size[0], 2 * size[1]), interpolation=cv2.INTER_LINEAR)
        small = cv2.resize(double, size, interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)

    def changes(self, small: np.ndarray, threshold: float = CELL_CHANGE) -> np.ndarray | None:
        """(h, w) bool map of cells that changed by more than ``threshold`` grey levels
        against the reference; None without a usable reference (none yet, another size)."""
        if self.reference is None or self.reference.shape != small.shape:
            return None
        return np.abs(small - self.reference) > threshold


@dataclass(frozen=True)
class DetectionPlan:
    """What to run on one frame: the whole-frame detector, and zoom tiles (all of them only in
    static mode, after a whole-frame pass whose palms held too few hands)."""

    full_frame: bool
    tiles: tuple[Tile, ...] = ()
    all_tiles: bool = False
    woke: bool = False  # the motion gate asked for this detection


class DetectorSchedule:
    """Decides, frame by frame, what the palm detector runs on (see the module docstring).

    ``power_saving`` and ``far_hands`` come from the settings; the intervals from
    :class:`pipeline.tracking.tracker.TrackerConfig`."""

    def __init__(
        self,
        *,
        static_mode: bool,
        power_saving: bool,
        far_hands: bool,
        redetect_interval_ms: float,
        idle_interval_ms: float,
    ) -> None:
        self.static_mode = static_mode
        self.power_saving = power_saving
        self.far_hands = far_hands
        self.redetect_interval_ms = redetect_interval_ms
        self.idle_interval_ms = idle_interval_ms
        self.gate = MotionGate()
        self.cycle = TileCycle()
        self.reset()

    def reset(self) -> None:
        """A new clip: the next frame is looked at fully."""
        self.gate.reference = None
        self.cycle.reset()
        self._last_full_ms = -float("inf")
        self._last_tile_ms = -float("inf")
        self._last_whole_ms = -float("inf")
        self._turn = 0
        self._scanned = False
        self._scan: list[Tile] = []
        self._previous: list[RotatedRect] = []
        self._lost: list[tuple[float, float]] = []
        self._grace_until_ms = -float("inf")
        self._last_gate_ms = -float("inf")
        # The last frame wants_frame asked for: in the app the capture thread asks one or two
        # frames ahead of the tracking thread (a frame waits in the hand-over slot), so the
        # gate's own time would always look old enough and no frame would be skipped.
        self._last_wanted_ms = -float("inf")
        self._moved_outside = False  # the gate saw motion outside tracked hands since a look

    def plan(
        self,
        frame_bgr: np.ndarray,
        tracked: list[RotatedRect],
        max_hands: int,
        t_ms: float,
        steady: bool = False,
    ) -> DetectionPlan:
        """What to run on this frame, given the regions (frame pixels) of the hands carried
        from the last one; ``steady``: the tracked hands kept their place and pose since the
        last whole-frame look."""
        h, w = frame_bgr.shape[:2]
        n_tracked = len(tracked)
        if self.static_mode:
            return DetectionPlan(True, all_tiles=self.far_hands)
        # Where a tracked hand was lost: the tile holding that spot is looked at next.
        lost = [
            (r.cx, r.cy)
            for r in self._previous
            if all(abs(r.cx - t.cx) + abs(r.cy - t.cy) > 0.5 * r.width for t in tracked)
        ]
        if lost:
            self._lost.extend(lost)
            self._grace_until_ms = t_ms + LOST_GRACE_MS
        self._previous = list(tracked)
        if self.far_hands and n_tracked < max_hands:
            if not self._scanned:
                self._scanned = True
                self._scan = list(self.cycle.all(w, h))
            if self._scan:
                # A clip's first frames: the whole frame and SCAN_TILES tiles a frame until
                # every tile was looked at once, so a far hand that is already there (and
                # barely moves) is found at the start without one long first frame.
                # With a hand tracked the whole frame keeps its own rate (below).
                # With no hand tracked and power saving, the whole frame only on the first
                # frame and where the gate sees motion (a hand coming in during the scan).
                if n_tracked == 0:
                    whole = not self.power_saving or self._gate(frame_bgr, tracked, t_ms)[1]
                else:
                    whole = (
                        t_ms - self._last_whole_ms >= self.redetect_interval_ms
                        or t_ms < self._last_whole_ms
                    )
                    if self.power_saving:
                        self.gate.reference = MotionGate.small(frame_bgr)
                batch, self._scan = self._scan[:SCAN_TILES], self._scan[SCAN_TILES:]
                self._last_full_ms = self._last_tile_ms = t_ms
                if whole:
                    self._last_whole_ms = t_ms
                return DetectionPlan(whole, tuple(batch))
        if n_tracked >= max_hands:
            self.gate.reference = None  # when a hand is lost, look at once
            return DetectionPlan(False)
        if t_ms < self._last_full_ms or t_ms < self._last_tile_ms:  # time went back: new clip
            self.reset()
        if n_tracked:
            return self._plan_tracking(frame_bgr, t_ms, tracked, steady)
        since = t_ms - self._last_full_ms
        motion = None
        woke = False
        if self.power_saving and t_ms >= self._grace_until_ms:
            motion, moved = self._gate(frame_bgr, tracked, t_ms)
            woke = moved and since >= MIN_WAKE_GAP_MS
            due = woke or since >= self.idle_interval_ms
        else:
            # Power saving off, or just after a hand was lost: every frame (MediaPipe's rule).
            self.gate.reference = None
            due = True
        tiles: tuple[Tile, ...] = ()
        if self.far_hands:
            if due and self.power_saving and not woke and t_ms >= self._grace_until_ms:
                # On the idle timer the whole frame and the next tile take turns. One
                # detector call each time.
                self._turn += 1
                tile_due = self._turn % 2 == 0
                due = not tile_due
            else:
                tile_due = due
            if self._lost:
                tile_due = True
            if tile_due:
                tile = (
                    self.cycle.containing(w, h, *self._lost.pop())
                    if self._lost
                    else self.cycle.next(w, h, motion)
                )
                if tile is not None:
                    tiles = (tile,)
                    self._last_tile_ms = t_ms
                else:  # no tiles for this frame size: look at the whole frame
                    due = True
        if due or tiles:
            self._last_full_ms = t_ms
        if due:
            self._last_whole_ms = t_ms
        return DetectionPlan(due, tiles, woke=woke)

    def _plan_tracking(
        self, frame_bgr: np.ndarray, t_ms: float, tracked: list[RotatedRect], steady: bool
    ) -> DetectionPlan:
        """Some hands tracked, fewer than max: the whole frame every ``redetect_interval_ms``
        while anything changes, every ``STEADY_LOOK_MS`` while the tracked hands are
        ``steady`` and the gate sees nothing move outside them (power saving on; off: every
        ``redetect_interval_ms`` as without scheduling). A look's fresh regions also re-check
        the tracked hands and correct a wrong reading (fewer looks while the pose changes let
        one stand longer: the fist video at frame steps 3 and 4 lost its fist with a look
        every 200 ms). Far hands on: one zoom tile with such a look at most every
        ``TRACKED_TILE_MS`` while a tracked hand is small (``SMALL_TRACKED_HAND``) or was just
        lost, the tile where a hand was lost first."""
        height, width = frame_bgr.shape[:2]
        if self.power_saving:
            self._moved_outside |= self._gate(frame_bgr, tracked, t_ms)[1]
        else:
            self.gate.reference = None
            self._moved_outside = True
        calm = steady and not self._moved_outside
        interval = STEADY_LOOK_MS if calm else self.redetect_interval_ms
        whole = t_ms - self._last_whole_ms >= interval or t_ms < self._last_whole_ms
        small_hand = min(r.width for r in tracked) < SMALL_TRACKED_HAND * height
        tiles: tuple[Tile, ...] = ()
        if (
            self.far_hands
            and whole
            and (self._lost or (small_hand and t_ms - self._last_tile_ms >= TRACKED_TILE_MS))
        ):
            tile = (
                self.cycle.containing(width, height, *self._lost.pop())
                if self._lost
                else self.cycle.next(width, height)
            )
            if tile is not None:
                tiles = (tile,)
                self._last_tile_ms = t_ms
        if whole:
            self._last_whole_ms = self._last_full_ms = t_ms
            self._moved_outside = False
        return DetectionPlan(whole, tiles)

    def _gate(
        self, frame_bgr: np.ndarray, tracked: list[RotatedRect], t_ms: float
    ) -> tuple[np.ndarray | None, bool]:
        """The motion gate on this frame against the last one it saw (which it then replaces):
        the changed cells outside the ``tracked`` regions (a tracked hand moving is no news;
        None without a usable reference) and whether enough changed to count as motion (always
        True without a reference)."""
        small = MotionGate.small(frame_bgr)
        skipped = t_ms - self._last_gate_ms > 0.75 * GATE_EVERY_MS  # frames in between
        self._last_gate_ms = t_ms
        motion = self.gate.changes(small, CELL_CHANGE_SKIPPED if skipped else CELL_CHANGE)
        self.gate.reference = small
        if motion is None:
            return None, True
        _clear_regions(motion, tracked, frame_bgr.shape[1], frame_bgr.shape[0])
        return motion, int(motion.sum()) >= MIN_CHANGED_CELLS

    def wants_frame(self, n_tracked: int, t_ms: float) -> bool:
        """Whether the frame at ``t_ms`` must reach :meth:`plan`. False only while the motion
        gate alone watches (power saving, no hand tracked, nothing left to scan or look at
        again) and it looked, or was promised a frame, less than GATE_EVERY_MS ago: the caller
        may then skip the frame (decode it without converting it, e.g.
        ``cv2.VideoCapture.grab``). The caller may ask ahead of :meth:`plan`, from the thread
        that reads the frames (the app's capture thread runs a frame or two ahead)."""
        if self.static_mode or not self.power_saving or n_tracked:
            return True
        if self.far_hands and (not self._scanned or self._scan):
            return True
        if self._previous or self._lost:  # a hand was just lost: plan looks at once
            return True
        if t_ms < self._grace_until_ms or t_ms < self._last_gate_ms:
            return True
        last = max(self._last_gate_ms, self._last_wanted_ms)
        if t_ms < last or t_ms - last >= GATE_EVERY_MS:
            self._last_wanted_ms = t_ms
            return True
        return False

    def all_tiles(self, width: int, height: int) -> tuple[Tile, ...]:
        """Every tile of a ``width`` x ``height`` frame (static mode)."""
        return self.cycle.all(width, height)


def _clear_regions(motion: np.ndarray, rects: list[RotatedRect], width: int, height: int) -> None:
    """Unset the cells of ``motion`` ((h, w) bool, covering a ``width`` x ``height`` frame)
    under the axis-aligned bounds of ``rects`` (frame pixels), in place."""
    sy, sx = motion.shape[0] / height, motion.shape[1] / width
    for r in rects:
        half = 0.75 * max(r.width, r.height)  # covers any rotation of the square region
        x0, x1 = int((r.cx - half) * sx), int(np.ceil((r.cx + half) * sx))
        y0, y1 = int((r.cy - half) * sy), int(np.ceil((r.cy + half) * sy))
        motion[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = False
