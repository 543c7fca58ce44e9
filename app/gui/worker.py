"""Tracking off the GUI thread.

Two QThreads per running source:

* ``CaptureThread`` (:mod:`app.gui.capture_thread`) reads frames from the source (camera, video
  file or image folder) into a one-item ``pipeline.sources.LatestSlot``; the older frame is
  replaced and counted as dropped when the tracker is slower than the source. A camera that
  fails or stops is reopened automatically.
* ``TrackingThread`` (:mod:`app.gui.tracking_thread`) takes the newest frame, runs
  ``pipeline.runtime.HandCueRuntime.step`` (the loop ``handcue run`` shares) and emits one frozen
  ``TrackedFrame`` (:mod:`app.gui.tracked_frames`) per processed frame.

``TrackingSession`` (here; GUI thread) owns both threads, forwards their signals and stops them
within about a second. The GUI keeps only the latest ``TrackedFrame`` and redraws from its own
timer. ``IdleSkip`` and ``lower_thread_priority`` (:mod:`app.gui.worker_load`) keep the threads'
load off the GUI. The names of those modules are re-exported here, the one place the rest of
the app imports them from.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal

from app.gui.capture_thread import CaptureThread, SourceOpener, default_source_opener
from app.gui.tracked_frames import CapturedFrame, TrackedFrame
from app.gui.tracking_thread import MAX_CARRIED, RuntimeBuilder, TrackingThread
from app.gui.worker_load import IdleSkip, lower_thread_priority
from pipeline.sources import LatestSlot, is_camera_spec

log = logging.getLogger(__name__)

#: How long ``TrackingSession.stop`` waits for each thread (ms).
STOP_TIMEOUT_MS = 1000


class TrackingSession(QObject):
    """Starts and stops the two threads for one source; lives in the GUI thread.

    All signals arrive in the GUI thread. ``failed`` carries a message for the user and means the
    session has stopped; ``source_lost`` / ``source_restored`` mean it keeps retrying.
    """

    frame_ready = Signal(object)  # TrackedFrame
    tracking_started = Signal(str)  # provider
    failed = Signal(str)
    source_lost = Signal(str)
    source_restored = Signal()
    source_ended = Signal()
    running_changed = Signal(bool)

    def __init__(
        self,
        build_runtime: RuntimeBuilder,
        opener: SourceOpener = default_source_opener,
        *,
        retry_s: float = 2.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._build_runtime = build_runtime
        self._opener = opener
        self._retry_s = retry_s
        self._capture: CaptureThread | None = None
        self._tracking: TrackingThread | None = None
        self._skip: IdleSkip | None = None
        self._slot: LatestSlot | None = None
        self._retiring: list[QThread] = []
        self._background = False
        self._precise = False  # pointer mode on: no resting (set_precise)
        self.spec = ""

    @property
    def running(self) -> bool:
        return self._tracking is not None

    def set_background(self, background: bool) -> None:
        """The window was hidden (True) or shown again: while hidden, frames power saving does
        not need are skipped before they are converted (:class:`IdleSkip`)."""
        self._background = background
        if self._skip is not None:
            self._skip.background = background

    def set_precise(self, precise: bool) -> None:
        """Pointer mode on (True) or off: while on, the tracker reads every frame (no resting
        of a still hand)."""
        self._precise = precise
        if self._skip is not None:
            self._skip.precise = precise

    def set_build_runtime(self, build_runtime: RuntimeBuilder) -> None:
        """Used from the next ``start`` on."""
        self._build_runtime = build_runtime

    def start(
        self, spec: str, *, loop: bool = False, realtime: bool = True, every_frame: bool = False
    ) -> None:
        """Start reading ``spec`` (camera index, video file or image folder). Stops a running
        source first. ``every_frame`` (files only) makes the source wait for the tracker
        instead of dropping frames: slower than real time, but every frame is analysed."""
        self.stop()
        self.spec = spec
        self._slot = LatestSlot()
        self._skip = IdleSkip()
        self._skip.background = self._background
        self._skip.precise = self._precise
        self._capture = CaptureThread(
            spec, self._slot, loop=loop, realtime=realtime and not every_frame,
            opener=self._opener, retry_s=self._retry_s,
            every_frame=every_frame and not is_camera_spec(spec), skip=self._skip,
        )  # fmt: skip
        self._tracking = TrackingThread(self._slot, self._build_runtime, spec, skip=self._skip)
        cap, trk = self._capture, self._tracking
        cap.source_lost.connect(self.source_lost)
        cap.source_restored.connect(self.source_restored)
        cap.source_ended.connect(self._on_capture_ended)
        trk.finished.connect(self._on_tracking_finished)
        cap.source_failed.connect(self._on_failed)
        trk.frame_ready.connect(self._on_frame_ready)
        trk.tracking_started.connect(self.tracking_started)
        trk.failed.connect(self._on_failed)
        trk.start()
        cap.start()
        self.running_changed.emit(True)

    def stop(self) -> bool:
        """Stop both threads; True if they ended within ``STOP_TIMEOUT_MS`` each. A thread still
        busy (e.g. loading a model) is kept alive until it ends by itself."""
        if self._tracking is None:
            return True
        cap, trk, slot = self._capture, self._tracking, self._slot
        self._capture = self._tracking = self._slot = None
        assert cap is not None and slot is not None
        for thread in (cap, trk):
            thread.blockSignals(True)  # nothing from a stopping session reaches the GUI
            thread.stop()
        slot.close()
        ok = True
        for thread in (cap, trk):
            if not thread.wait(STOP_TIMEOUT_MS):
                ok = False
                log.warning("%s still busy after stop; it will end on its own", thread.objectName())
                self._retiring.append(thread)
                thread.finished.connect(lambda t=thread: self._retire(t))
        self.running_changed.emit(False)
        return ok

    def wait_retired(self, timeout_ms: int = 10000) -> None:
        """Wait for threads that outlived ``stop`` (used on quit)."""
        for thread in list(self._retiring):
            thread.wait(timeout_ms)
        self._retiring.clear()

    def _retire(self, thread: QThread) -> None:
        if thread in self._retiring:
            self._retiring.remove(thread)

    def _on_frame_ready(self, frame: TrackedFrame) -> None:
        if self._tracking is not None and self.sender() is self._tracking:
            self._tracking.mark_consumed()
            self.frame_ready.emit(frame)

    def _on_failed(self, message: str) -> None:
        self.stop()
        self.failed.emit(message)

    def _on_capture_ended(self) -> None:
        """The file played to its end: let the tracker finish the last frame first."""
        if self._slot is not None and self.sender() is self._capture:
            self._slot.finish()

    def _on_tracking_finished(self) -> None:
        if self._tracking is not None and self.sender() is self._tracking:
            ended = self._slot is not None and self._slot.drained
            self.stop()
            if ended:
                self.source_ended.emit()


__all__ = [
    "MAX_CARRIED",
    "STOP_TIMEOUT_MS",
    "CaptureThread",
    "CapturedFrame",
    "IdleSkip",
    "LatestSlot",
    "RuntimeBuilder",
    "SourceOpener",
    "TrackedFrame",
    "TrackingSession",
    "TrackingThread",
    "default_source_opener",
    "lower_thread_priority",
]
