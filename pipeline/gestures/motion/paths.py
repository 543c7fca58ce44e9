"""What the movement detectors read: one :class:`Sample` per hand per frame, kept per track.

Units: positions in pixels of the frame (x right, y down), distances in **palm sizes** (wrist to
middle knuckle in the image, so thresholds hold near and far), speeds in palm sizes per second,
times in ms of the source's clock. Shapes come from the static recogniser's finger states and
from the world landmarks (metres, so a hand tilted towards the camera keeps its proportions).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.types import Hand

PALM_POINTS = (0, 5, 9, 13, 17)
# How much of a track's past is kept (ms): the longest movement (a circle) fits in it.
KEEP_MS = 2500.0
# A track that left the frame's hands is kept this long (ms): a swipe may end with the hand
# lost (motion blur), and the tracker may give it back under its id within its refind time.
LINGER_MS = 400.0
# A hand whose palm size changes more than this factor from one reading to the next is not the
# hand the path followed (the picture cut to another photo, or a misread): its path starts anew.
# A swiped hand turning changes by up to 2.1x between frames of the dev clips (a palm swung
# down turns edge-on); cuts between HaGRID photos jump 2.9-4x.
MAX_SIZE_JUMP = 2.5
# A new hand may continue the path of one lost at most LINK_MS ago that it could have reached
# moving at MAX_LINK_SPEED palm sizes a second (a swipe peaks at 15-25).
LINK_MS = 300.0
MAX_LINK_SPEED = 30.0
# A hand points up (a raised hand) when its wrist -> middle-knuckle direction is within this
# angle of straight up in the image.
RAISED_DEG = 60.0


@dataclass(frozen=True)
class Sample:
    """One hand in one frame.

    ``centre``: mean of the wrist and the four knuckles; ``palm``: palm size (px, at least 1);
    ``tip``: the index fingertip; ``fingers``: the recogniser's five states (thumb first);
    ``gesture``: its static sign; ``pinch``: thumb tip to index tip, world palm sizes;
    ``reach``: how far the index finger reaches out along the palm and towards the camera
    (world palm sizes: about -0.2 curled, 0.3-0.6 flicked out, 1 straight); ``edge``: the
    centre's distance to the nearest frame border, palm sizes; ``raised``: the hand points up.
    """

    t: float
    centre: np.ndarray
    palm: float
    tip: np.ndarray
    raised: bool
    fingers: tuple[str, ...]
    gesture: str
    pinch: float
    reach: float
    edge: float

    @property
    def closed(self) -> bool:
        """The four fingers are curled in (a fist or a grip)."""
        return self.gesture == "fist" or all(f == "bent" for f in self.fingers[1:])

    @property
    def open(self) -> bool:
        """At least three of the four fingers are straight (an open or flat hand)."""
        return sum(f == "straight" for f in self.fingers[1:]) >= 3

    @property
    def others_curled(self) -> bool:
        """Middle, ring and little finger are not straight (thumb and index do the work)."""
        return all(f != "straight" for f in self.fingers[2:])


def make_sample(
    hand: Hand, gesture: str, fingers: tuple[str, ...], t_ms: float, size: tuple[int, int]
) -> Sample:
    """The :class:`Sample` of ``hand`` (its static ``gesture`` and ``fingers``) in a frame of
    ``size`` (width, height) at ``t_ms``."""
    pts = np.asarray(hand.landmarks, dtype=np.float64)
    xy = pts[:, :2]
    centre = xy[list(PALM_POINTS)].mean(axis=0)
    up = xy[9] - xy[0]
    palm = max(float(np.linalg.norm(up)), 1.0)
    raised = math.degrees(math.atan2(abs(up[0]), -up[1])) <= RAISED_DEG
    world = np.asarray(hand.world_landmarks, dtype=np.float64)
    world_palm = float(np.linalg.norm(world[9] - world[0]))
    if world_palm > 1e-6:
        axis = (world[9] - world[0]) / world_palm
        pinch = float(np.linalg.norm(world[4] - world[8])) / world_palm
        # Along the palm, plus the palm tipping towards the camera (image z of the middle
        # knuckle against the wrist, in palm sizes; negative is nearer): a flick does both.
        reach = float((world[8] - world[5]) @ axis) / world_palm
        reach -= float(pts[9, 2] - pts[0, 2]) / palm if pts.shape[1] > 2 else 0.0
    else:
        pinch = float(np.linalg.norm(xy[4] - xy[8])) / palm
        reach = float(np.linalg.norm(xy[8] - xy[5])) / palm
    w, h = size
    edge = min(centre[0], centre[1], w - centre[0], h - centre[1]) / palm
    return Sample(
        t=float(t_ms),
        centre=centre,
        palm=palm,
        tip=xy[8].copy(),
        raised=raised,
        fingers=tuple(fingers),
        gesture=gesture,
        pinch=pinch,
        reach=reach,
        edge=float(edge),
    )


def spans_to_end(
    path: Sequence[Sample], max_ms: float
) -> Iterator[tuple[Sample, Sequence[Sample]]]:
    """Each (start sample, the samples from it to the last) of ``path`` (oldest first) whose
    start lies under ``max_ms`` before the last sample, longest first: the movements a path
    may end with."""
    end = path[-1]
    for i, start in enumerate(path[:-1]):
        if 0 < end.t - start.t <= max_ms:
            yield start, path[i:]


class HandPaths:
    """The recent samples of every track, and when each was last seen. One per engine, used
    from the tracking thread."""

    def __init__(self) -> None:
        self.paths: dict[int, deque[Sample]] = {}
        self.last_seen: dict[int, float] = {}
        # When each track's own readings began (a linked path holds older ones of another id).
        self.born: dict[int, float] = {}

    def add(self, track_id: int, sample: Sample) -> deque[Sample]:
        """Append ``sample`` to its track's path (a new path when its size jumped: see
        MAX_SIZE_JUMP)."""
        path = self.paths.setdefault(track_id, deque())
        self.born.setdefault(track_id, sample.t)
        if path and max(path[-1].palm, sample.palm) > MAX_SIZE_JUMP * min(
            path[-1].palm, sample.palm
        ):
            path.clear()
        path.append(sample)
        while path and sample.t - path[0].t > KEEP_MS:
            path.popleft()
        self.last_seen[track_id] = sample.t
        return path

    def lost(self, present: set[int], t_ms: float) -> list[int]:
        """Tracks not in ``present`` at ``t_ms`` and still remembered (gone under LINGER_MS);
        older ones are forgotten."""
        gone = []
        for track_id, seen in list(self.last_seen.items()):
            if track_id in present:
                continue
            if t_ms - seen > LINGER_MS or t_ms < seen:
                self.forget(track_id)
            else:
                gone.append(track_id)
        return gone

    def link(self, new_id: int, sample: Sample, present: set[int]) -> int | None:
        """A hand first seen (``new_id``, its first ``sample``) where a remembered hand lost
        under LINK_MS ago could have got to (at most MAX_LINK_SPEED palm sizes a second, a
        size within MAX_SIZE_JUMP) continues that hand's path: a swipe's hand that the tracker
        lost for a few frames and found again as a new hand. Returns the old id (its path is
        now ``new_id``'s), or None."""
        best, best_gap = None, math.inf
        for old_id, path in self.paths.items():
            if old_id in present or not path or old_id == new_id:
                continue
            last = path[-1]
            dt = (sample.t - last.t) / 1000.0
            if not 0 < dt <= LINK_MS / 1000.0:
                continue
            if max(last.palm, sample.palm) > MAX_SIZE_JUMP * min(last.palm, sample.palm):
                continue
            gap = float(np.linalg.norm(sample.centre - last.centre)) / last.palm
            if gap <= MAX_LINK_SPEED * dt and gap < best_gap:
                best, best_gap = old_id, gap
        if best is not None:
            self.paths[new_id] = self.paths.pop(best)
            self.last_seen.pop(best, None)
            self.born.pop(best, None)
        return best

    def own(self, track_id: int) -> list[Sample]:
        """The samples of ``track_id``'s path read under its own id (the fingers' movements
        are read from these only: a hand the tracker keeps finding anew under new ids, each
        read a little differently, is no flicking finger)."""
        born = self.born.get(track_id, -math.inf)
        return [s for s in self.paths.get(track_id, ()) if s.t >= born]

    def forget(self, track_id: int) -> None:
        self.paths.pop(track_id, None)
        self.last_seen.pop(track_id, None)
        self.born.pop(track_id, None)

    def clear_before(self, track_id: int, t_ms: float) -> None:
        """Drop the samples of ``track_id`` older than ``t_ms`` (a movement was used up)."""
        path = self.paths.get(track_id)
        while path and path[0].t < t_ms:
            path.popleft()

    def reset(self) -> None:
        self.paths.clear()
        self.last_seen.clear()
        self.born.clear()
