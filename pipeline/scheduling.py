"""When the palm detector runs, and where: the idle gate, the detector rate and the zoom tiles.

The detector costs ~10 ms a call; run on every frame it is most of an idle app's CPU. So:

* **No hand tracked, power saving on:** a motion gate compares a small grey copy of each frame
  (the frame's mean over cells of ~16x16 px, ~0.3 ms for 720p) with the copy taken when the
  detector last ran. The detector runs at once on a frame where enough cells changed (a hand
  coming into view moves), otherwise only every ``idle_interval_ms`` as a safety net for a hand
  that appeared without moving. A still room therefore costs decoding plus ~2 detector calls a
  second; a moving one costs what it cost before.
* **No hand tracked, power saving off:** the detector on every frame (MediaPipe's schedule).
* **Some hands tracked, fewer than max:** the detector every ``redetect_interval_ms``.
* **Far hands on:** whenever the whole-frame detector runs with fewer than max hands tracked,
  one zoomed tile (:mod:`pipeline.tiles`) is looked at too while no hand is tracked; while some
  are, one tile every ``far_interval_ms``. Video cycles through the tiles, the one with the most
  motion first; static mode (photos) looks at every tile of a photo where the whole-frame pass
  found fewer than max hands.
* **All max hands tracked:** no detection at all.

Thread: the tracker's. Frames: (H, W, 3) uint8 BGR; timestamps in ms, increasing within a clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.tiles import Tile, TileCycle

# Grey frame of the gate: the frame averaged down to about this many cells across.
GATE_CELLS_ACROSS = 80
# A cell changed when its mean grey level moved more than this (0..255); camera noise averaged
# over a cell of ~256 pixels stays well under 2 levels.
CELL_CHANGE = 10.0
# Changed cells needed to wake the detector: a hand 3 m away covers a handful at 720p.
MIN_CHANGED_CELLS = 2


class MotionGate:
    """Changed cells between the current frame and a reference frame (the one the detector
    last looked at), on (h, w) float32 grey maps of ~80 cells across."""

    def __init__(self) -> None:
        self.reference: np.ndarray | None = None

    @staticmethod
    def small(frame_bgr: np.ndarray) -> np.ndarray:
        """(h, w) float32 grey cell means of a (H, W, 3) BGR frame, w ~ GATE_CELLS_ACROSS."""
        h, w = frame_bgr.shape[:2]
        cell = max(1, round(w / GATE_CELLS_ACROSS))
        small = cv2.resize(
            frame_bgr, (max(1, w // cell), max(1, h // cell)), interpolation=cv2.INTER_AREA
        )
        return cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)

    def changes(self, small: np.ndarray) -> np.ndarray | None:
        """(h, w) bool map of changed cells against the reference; None without a usable
        reference (none yet, or another frame size)."""
        if self.reference is None or self.reference.shape != small.shape:
            return None
        return np.abs(small - self.reference) > CELL_CHANGE


@dataclass(frozen=True)
class DetectionPlan:
    """What to run on one frame: the whole-frame detector, and zoom tiles (all of them only in
    static mode, after a whole-frame pass that found too few palms)."""

    full_frame: bool
    tiles: tuple[Tile, ...] = ()
    all_tiles: bool = False
    woke: bool = False  # the motion gate asked for this detection


class DetectorSchedule:
    """Decides, frame by frame, what the palm detector runs on (see the module docstring).

    ``power_saving`` and ``far_hands`` come from the settings; the intervals from
    :class:`pipeline.tracker.TrackerConfig`."""

    def __init__(
        self,
        *,
        static_mode: bool,
        power_saving: bool,
        far_hands: bool,
        redetect_interval_ms: float,
        idle_interval_ms: float,
        far_interval_ms: float,
    ) -> None:
        self.static_mode = static_mode
        self.power_saving = power_saving
        self.far_hands = far_hands
        self.redetect_interval_ms = redetect_interval_ms
        self.idle_interval_ms = idle_interval_ms
        self.far_interval_ms = far_interval_ms
        self.gate = MotionGate()
        self.cycle = TileCycle()
        self.reset()

    def reset(self) -> None:
        """A new clip: the next frame is looked at fully."""
        self.gate.reference = None
        self.cycle.reset()
        self._last_full_ms = -float("inf")
        self._last_tile_ms = -float("inf")

    def plan(
        self, frame_bgr: np.ndarray, n_tracked: int, max_hands: int, t_ms: float
    ) -> DetectionPlan:
        """What to run on this frame with ``n_tracked`` hands carried from the last one."""
        h, w = frame_bgr.shape[:2]
        if self.static_mode:
            return DetectionPlan(True, all_tiles=self.far_hands)
        if n_tracked >= max_hands:
            self.gate.reference = None  # when hands are lost, look at once
            return DetectionPlan(False)
        if t_ms < self._last_full_ms or t_ms < self._last_tile_ms:  # time went back: new clip
            self.reset()
        motion = None
        woke = False
        if n_tracked == 0 and self.power_saving:
            small = MotionGate.small(frame_bgr)
            motion = self.gate.changes(small)
            woke = motion is None or int(motion.sum()) >= MIN_CHANGED_CELLS
            due = woke or t_ms - self._last_full_ms >= self.idle_interval_ms
            if due:
                self.gate.reference = small
        elif n_tracked == 0:
            due = True
        else:
            self.gate.reference = None
            due = t_ms - self._last_full_ms >= self.redetect_interval_ms
        tiles: tuple[Tile, ...] = ()
        if self.far_hands:
            tile_due = due if n_tracked == 0 else t_ms - self._last_tile_ms >= self.far_interval_ms
            if tile_due:
                tile = self.cycle.next(w, h, motion)
                if tile is not None:
                    tiles = (tile,)
                    self._last_tile_ms = t_ms
        if due:
            self._last_full_ms = t_ms
        return DetectionPlan(due, tiles, woke=woke)

    def all_tiles(self, width: int, height: int) -> tuple[Tile, ...]:
        """Every tile of a ``width`` x ``height`` frame (static mode)."""
        return self.cycle.all(width, height)
