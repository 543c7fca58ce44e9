"""The data the tracking threads hand on: frozen, so no thread can change what another reads.

``CapturedFrame`` goes from the capture thread to the tracking thread (through a
``pipeline.sources.LatestSlot``); ``TrackedFrame`` from the tracking thread to the GUI thread
(through a queued Qt signal). Both are built in one thread and only read afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from pipeline.actions.engine import ActionRecord
from pipeline.gestures import GestureResult
from pipeline.pointer import PointerFrame
from pipeline.types import FrameResult, GestureEvent


@dataclass(frozen=True)
class CapturedFrame:
    """A frame read from the source.

    ``image`` is (H, W, 3) uint8 BGR in the source's own orientation (never mirrored), read-only.
    ``timestamp_ms`` increases strictly, also across video loops and camera reconnects, so the
    tracker's filters never see time run backwards. ``captured_s`` is ``time.perf_counter()`` at
    read time, for latency figures.
    """

    index: int
    timestamp_ms: float
    image: np.ndarray
    captured_s: float


@dataclass(frozen=True)
class TrackedFrame:
    """Everything the GUI needs to draw one processed frame. Immutable; built in the tracking
    thread, read in the GUI thread.

    ``image``: (H, W, 3) uint8 BGR, read-only, unmirrored (mirroring is a display choice).
    ``gestures``: track_id -> GestureResult (empty when gesture recognition is unavailable).
    ``held_ms``: track_id -> how long the hand's current gesture has been showing (ms).
    ``events``: gesture events since the previous frame delivered to the GUI (frames the GUI
    was too busy to take are not delivered, their events are); ``actions``: likewise, the
    action records.
    ``fps``: frames processed in the last second; ``latency_ms``: capture to result.
    ``dropped``: frames replaced in the slot before the tracker could take them, since start.
    ``pointer``: what pointer mode did on this frame (None without pointer mode).
    """

    image: np.ndarray
    result: FrameResult
    gestures: Mapping[int, GestureResult] = field(default_factory=dict)
    held_ms: Mapping[int, float] = field(default_factory=dict)
    events: tuple[GestureEvent, ...] = ()
    actions: tuple[ActionRecord, ...] = ()
    fps: float = 0.0
    latency_ms: float = 0.0
    dropped: int = 0
    provider: str = ""
    pointer: PointerFrame | None = None

    def __post_init__(self) -> None:
        if self.image.ndim != 3 or self.image.shape[2] != 3 or self.image.dtype != np.uint8:
            raise ValueError(
                f"image must be (H, W, 3) uint8, got {self.image.shape} {self.image.dtype}"
            )
        if self.image.flags.writeable:
            image = self.image.copy()
            image.flags.writeable = False
            object.__setattr__(self, "image", image)
        object.__setattr__(self, "gestures", MappingProxyType(dict(self.gestures)))
        object.__setattr__(self, "held_ms", MappingProxyType(dict(self.held_ms)))
        object.__setattr__(self, "events", tuple(self.events))
        object.__setattr__(self, "actions", tuple(self.actions))


__all__ = ["CapturedFrame", "TrackedFrame"]
