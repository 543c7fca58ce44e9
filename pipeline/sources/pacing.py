"""Pacing and hand-over: :class:`FrameClock` plays files at their own frame rate (as a camera
would deliver them) with timestamps that keep increasing across loops and reconnects;
:class:`LatestSlot` is the one-frame mailbox between a reading thread and the tracking thread
(the newest frame wins, replaced ones are counted)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from pipeline.sources.base import Frame


class FrameClock:
    """Paces frames and keeps their timestamps strictly increasing.

    ``pace(frames)`` yields the frames with ``timestamp_ms`` shifted so that time never runs
    backwards, also across a loop of the file or a reopened camera (pass the same clock to
    each reopening), so the tracker's filters never see time jump back. With ``realtime``,
    files wait for their own timestamps on the wall clock, as a camera delivers frames; the
    wait ends at once when ``stop`` is set (then ``pace`` returns). Yielded images are
    read-only: the array a source yields is frozen in place, not copied, so a source hands
    each frame over and never writes to it again. Used by one thread at a time.
    """

    def __init__(self, *, realtime: bool, stop: threading.Event | None = None) -> None:
        self.realtime = realtime
        self.stop = stop or threading.Event()
        self._last_ts: float | None = None
        self._offset = 0.0
        self._frame_dt = 1000.0 / 30.0

    def clock_ms(self, raw_ms: float) -> float:
        """The timestamp ``pace`` gives a frame stamped ``raw_ms`` by its source (unless the
        frame turns out to start a loop or a reconnect)."""
        return raw_ms + self._offset

    def pace(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        wall_start: float | None = None
        ts_start = 0.0
        for frame in frames:
            raw_ts = float(frame.timestamp_ms)
            ts = raw_ts + self._offset
            if self._last_ts is not None and ts <= self._last_ts:  # loop or reconnect
                self._offset = self._last_ts + self._frame_dt - raw_ts
                ts = raw_ts + self._offset
                wall_start = None
            if self._last_ts is not None:
                self._frame_dt = min(max(ts - self._last_ts, 1.0), 1000.0)
            if self.realtime:
                now = time.perf_counter()
                if wall_start is None:
                    wall_start, ts_start = now, ts
                delay = (ts - ts_start) / 1000.0 - (now - wall_start)
                while delay > 0:
                    if self.stop.wait(min(delay, 0.5)):
                        return
                    delay = (ts - ts_start) / 1000.0 - (time.perf_counter() - wall_start)
            if self.stop.is_set():
                return
            self._last_ts = ts
            image = np.asarray(frame.image)
            # Sources hand each frame's pixels over: frozen where they are, not copied (a copy
            # of a 720p frame is 0.5 ms, 1.3-1.5% of a core at 25-30 fps).
            image.flags.writeable = False
            yield replace(frame, timestamp_ms=ts, image=image)


class LatestSlot:
    """A one-item, thread-safe mailbox between a reading thread and the tracking thread:
    ``put`` replaces whatever is waiting (counting it as dropped: the newest frame wins when
    tracking is slower than the source); ``take`` waits for an item. ``close`` wakes every
    waiter for shutdown; ``finish`` says the producer has ended."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Any = None
        self._closed = False
        self._finished = False
        self.dropped = 0

    def put(self, item: Any) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()

    def take(self, timeout: float) -> Any:
        """The waiting item (removing it), or None after ``timeout`` seconds or when closed."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._item is not None or self._closed or self._finished, timeout
            )
            item, self._item = self._item, None
            self._cond.notify_all()  # wake a producer waiting in wait_empty
            return item

    def wait_empty(self, timeout: float) -> bool:
        """Wait until the waiting item was taken (or the slot closed); True if it was."""
        with self._cond:
            return self._cond.wait_for(lambda: self._item is None or self._closed, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def finish(self) -> None:
        """The producer has ended: the waiting item (if any) is still delivered, then
        ``drained`` becomes True."""
        with self._cond:
            self._finished = True
            self._cond.notify_all()

    @property
    def drained(self) -> bool:
        return self._finished and self._item is None

    @property
    def closed(self) -> bool:
        return self._closed
