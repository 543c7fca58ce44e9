"""The tracking thread: takes the newest captured frame, runs
``pipeline.runtime.HandCueRuntime.step`` (the loop ``handcue run`` shares) and emits one frozen
``TrackedFrame`` per processed frame, with at most one frame in flight to the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal

from app.gui.tracked_frames import CapturedFrame, TrackedFrame
from app.gui.worker_load import IdleSkip, lower_thread_priority
from pipeline.errors import HandCueError
from pipeline.runtime import HandCueRuntime
from pipeline.sources import LatestSlot

log = logging.getLogger(__name__)

#: Events / action records kept for the GUI while it is busy (older ones are dropped).
MAX_CARRIED = 500

RuntimeBuilder = Callable[[str], HandCueRuntime]


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


__all__ = ["MAX_CARRIED", "RuntimeBuilder", "TrackingThread"]
