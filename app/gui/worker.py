"""Tracking off the GUI thread.

Two QThreads per running source:

* ``CaptureThread`` reads frames from the source (camera, video file or image folder) and puts
  each into a one-item ``pipeline.sources.LatestSlot``; when the tracker is slower than the
  source, the older frame is replaced and counted as dropped. Files are paced by
  ``pipeline.sources.FrameClock`` (the clock ``handcue run`` uses too) so they play like a
  camera. A camera that fails or stops (unplugged, busy) is reopened automatically.
* ``TrackingThread`` takes the newest frame, runs ``pipeline.runtime.HandCueRuntime.step`` (the
  loop ``handcue run`` shares) and emits one frozen ``TrackedFrame`` per processed frame.

``TrackingSession`` (GUI thread) owns both threads, forwards their signals and stops them within
about a second. The GUI keeps only the latest ``TrackedFrame`` and redraws from its own timer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from pipeline.actions.engine import ActionRecord
from pipeline.errors import HandCueError
from pipeline.gestures import GestureResult
from pipeline.pointer import PointerFrame
from pipeline.runtime import HandCueRuntime
from pipeline.sources import Frame, FrameClock, LatestSlot, is_camera_spec, open_source
from pipeline.types import FrameResult, GestureEvent

log = logging.getLogger(__name__)

#: How long ``TrackingSession.stop`` waits for each thread (ms).
STOP_TIMEOUT_MS = 1000
#: Events / action records kept for the GUI while it is busy (older ones are dropped).
MAX_CARRIED = 500


# --------------------------------------------------------------------------------------------
# data handed between threads


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


# --------------------------------------------------------------------------------------------
# what the threads run

SourceOpener = Callable[[str, bool], contextlib.AbstractContextManager[Iterable[Frame]]]
RuntimeBuilder = Callable[[str], HandCueRuntime]


def default_source_opener(spec: str, loop: bool) -> contextlib.AbstractContextManager:
    """``pipeline.sources.open_source``."""
    return open_source(spec, loop=loop)


def lower_thread_priority(niceness: int = 10) -> None:
    """Make the calling worker thread yield to the GUI thread when the CPU is busy. On Linux
    each thread has its own nice value, and threads it starts later (onnxruntime's pool)
    inherit it; elsewhere Qt's thread priority is used."""
    if hasattr(os, "setpriority") and sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
            return
        except OSError as exc:
            log.debug("cannot lower thread priority: %s", exc)
    thread = QThread.currentThread()
    if thread is not None and thread is not QThread.currentThread().thread():
        thread.setPriority(QThread.Priority.LowPriority)


class IdleSkip:
    """Which frames the capture thread may skip (read, but not converted, queued or tracked):
    those the tracker's power saving does not need (``HandTracker.wants_frame``), and only while
    the window is hidden (tray or minimised): a visible live view shows every frame.

    Threads: ``background`` is written by the GUI thread, ``tracker_wants`` by the tracking
    thread (once its runtime exists; None when it ends), and the object is called by the
    capture thread. Single attribute reads and writes: at worst one frame is skipped or kept
    when it need not be."""

    def __init__(self) -> None:
        self.background = False
        self.tracker_wants: Callable[[float], bool] | None = None
        # Pointer mode is on (GUI thread): the tracker must read every frame, never rest
        # (pipeline.tracking.tracker.TrackerConfig.rest_speed), as with the window shown; the tracking
        # thread passes it on.
        self.precise = False

    def __call__(self, t_ms: float) -> bool:
        """Whether the frame due at ``t_ms`` (the tracker's clock) must be read fully."""
        wants = self.tracker_wants
        return not self.background or wants is None or wants(t_ms)


# --------------------------------------------------------------------------------------------
# threads


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


class TrackingThread(QThread):
    """Runs the runtime (tracker -> gestures -> actions) on the newest captured frame."""

    frame_ready = Signal(object)  # TrackedFrame
    tracking_started = Signal(str)  # provider
    failed = Signal(str)

    def __init__(
        self,
        slot: LatestSlot,
        build_runtime: RuntimeBuilder,
        spec: str = "",
        skip: IdleSkip | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TrackingThread")
        self._skip = skip
        self._spec = spec
        self._slot = slot
        self._build_runtime = build_runtime
        self._stop = threading.Event()
        self._consumed = threading.Event()
        self._consumed.set()

    def stop(self) -> None:
        self._stop.set()
        self.requestInterruption()

    def mark_consumed(self) -> None:
        """GUI thread: the last emitted frame arrived; the next one may be sent."""
        self._consumed.set()

    def run(self) -> None:  # tracking thread
        lower_thread_priority()
        try:
            runtime = self._build_runtime(self._spec)
        except HandCueError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:
            log.exception("building the tracker failed")
            self.failed.emit(f"Tracking could not start: {exc}")
            return
        provider = runtime.provider
        if self._skip is not None:
            self._skip.tracker_wants = getattr(runtime.tracker, "wants_frame", None)
        # Pointer mode (the GUI thread's IdleSkip.precise) and a visible live view keep the
        # tracker reading every frame: a held hand resting on every second frame would move
        # its drawn skeleton in steps (pipeline.tracking.tracker.TrackerConfig.rest_speed).
        skip = self._skip
        can_rest = hasattr(runtime.tracker, "allow_rest")
        self.tracking_started.emit(provider)
        out_times: deque[float] = deque()  # output times of the last second, for fps
        carried_events: deque = deque(maxlen=MAX_CARRIED)
        carried_actions: deque = deque(maxlen=MAX_CARRIED)
        last: TrackedFrame | None = None
        try:
            while not self._stop.is_set():
                item: CapturedFrame | None = self._slot.take(timeout=0.1)
                if item is None:
                    if self._slot.drained:  # the file ended and its last frame is done
                        break
                    continue
                if can_rest and skip is not None:
                    runtime.tracker.allow_rest = skip.background and not skip.precise
                step = runtime.step(item.image, item.timestamp_ms)
                now = time.perf_counter()
                out_times.append(now)
                while out_times[0] < now - 1.0:
                    out_times.popleft()
                span = now - out_times[0]
                fps = (len(out_times) - 1) / span if span > 0 else 0.0
                carried_events.extend(step.events)
                carried_actions.extend(step.actions)
                last = TrackedFrame(
                    image=item.image,
                    result=step.frame,
                    gestures=step.gestures,
                    held_ms=step.held_ms,
                    events=tuple(carried_events),
                    actions=tuple(carried_actions),
                    fps=fps,
                    latency_ms=(now - item.captured_s) * 1000.0,
                    dropped=self._slot.dropped,
                    provider=provider,
                    pointer=step.pointer,
                )
                # At most one frame in flight to the GUI thread: Qt's queue of posted signals
                # has no bound, so a busy GUI must not make it grow. Events and action records
                # of frames not shown travel with the next frame that is.
                if self._consumed.is_set():
                    self._consumed.clear()
                    self.frame_ready.emit(last)
                    carried_events.clear()
                    carried_actions.clear()
                    last = None
            if last is not None and (carried_events or carried_actions):
                self.frame_ready.emit(last)  # the end of a file: deliver what is left
        except HandCueError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("tracking failed")
            self.failed.emit(f"Tracking stopped after an internal error: {exc}")
        finally:
            if self._skip is not None:
                self._skip.tracker_wants = None
            try:
                runtime.close()
            except Exception:
                log.exception("releasing held keys failed")


# --------------------------------------------------------------------------------------------
# the GUI-side owner


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
    "CaptureThread",
    "CapturedFrame",
    "IdleSkip",
    "LatestSlot",
    "RuntimeBuilder",
    "TrackedFrame",
    "TrackingSession",
    "TrackingThread",
    "default_source_opener",
]
