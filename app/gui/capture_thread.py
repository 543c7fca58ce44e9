"""The capture thread: reads frames from the source (camera, video file or image folder) and
puts each into a one-item ``pipeline.sources.LatestSlot``; when the tracker is slower than the
source, the older frame is replaced and counted as dropped. Files are paced by
``pipeline.sources.FrameClock`` (the clock ``handcue run`` uses too) so they play like a camera.
A camera that fails or stops (unplugged, busy) is reopened automatically.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QThread, Signal

from app.gui.tracked_frames import CapturedFrame
from app.gui.worker_load import IdleSkip, lower_thread_priority
from pipeline.errors import HandCueError
from pipeline.sources import Frame, FrameClock, LatestSlot, is_camera_spec, open_source

log = logging.getLogger(__name__)

SourceOpener = Callable[[str, bool], contextlib.AbstractContextManager[Iterable[Frame]]]


def default_source_opener(spec: str, loop: bool) -> contextlib.AbstractContextManager:
    """``pipeline.sources.open_source``."""
    return open_source(spec, loop=loop)


class CaptureThread(QThread):
    """Reads the source into a ``LatestSlot``; reopens it after failures."""

    source_lost = Signal(str)  # what happened and that we retry
    source_restored = Signal()
    source_ended = Signal()  # a file or folder played to its end (no loop)
    source_failed = Signal(str)  # cannot open at all; not retried

    def __init__(
        self,
        spec: str,
        slot: LatestSlot,
        *,
        loop: bool,
        realtime: bool,
        opener: SourceOpener,
        retry_s: float = 2.0,
        every_frame: bool = False,
        skip: IdleSkip | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CaptureThread")
        self._every_frame = every_frame
        self._skip = skip
        self._spec = spec
        self._slot = slot
        self._loop = loop
        self._realtime = realtime
        self._opener = opener
        self._retry_s = retry_s
        self._stop = threading.Event()
        # One clock across reopenings: timestamps keep increasing after a reconnect or loop.
        self._clock = FrameClock(realtime=realtime, stop=self._stop)

    def stop(self) -> None:
        self._stop.set()
        self.requestInterruption()

    def _wants(self, raw_ms: float) -> bool:
        """The source's frame stamped ``raw_ms`` must be read fully (see IdleSkip)."""
        return self._skip is None or self._skip(self._clock.clock_ms(raw_ms))

    def run(self) -> None:  # capture thread
        lower_thread_priority(5)
        camera = is_camera_spec(self._spec)
        delivered_any = False
        lost = False
        while not self._stop.is_set():
            try:
                with self._opener(self._spec, self._loop) as source:
                    if self._skip is not None and hasattr(source, "wants"):
                        source.wants = self._wants
                    if lost:
                        lost = False
                        self.source_restored.emit()
                    for frame in self._clock.pace(source):
                        if self._stop.is_set():
                            return
                        if self._every_frame:  # files: wait for the tracker, drop nothing
                            while not self._slot.wait_empty(0.1):
                                if self._stop.is_set():
                                    return
                        self._slot.put(
                            CapturedFrame(
                                frame.index, frame.timestamp_ms, frame.image, time.perf_counter()
                            )
                        )
                        delivered_any = True
                if self._stop.is_set():
                    return
                if not camera:
                    self.source_ended.emit()
                    return
                message = f"Camera {self._spec} stopped sending frames (unplugged or in use?)."
            except HandCueError as exc:
                if not camera and not delivered_any:
                    self.source_failed.emit(str(exc))
                    return
                message = str(exc)
            except Exception as exc:  # a bug in a source: report it, do not spin
                log.exception("capture from %s failed", self._spec)
                self.source_failed.emit(f"Reading {self._spec} failed: {exc}")
                return
            lost = True
            self.source_lost.emit(f"{message} Retrying every {self._retry_s:g} s…")
            if self._stop.wait(self._retry_s):
                return


__all__ = ["CaptureThread", "SourceOpener", "default_source_opener"]
