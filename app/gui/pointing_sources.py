"""What drives the pointing test window (:mod:`app.gui.pointing_test`): three pointer sources.

Each one calls the window's ``on_pointer(t_ms, x, y)``, ``on_click(t_ms, x, y)`` and
``on_lost()`` with positions in *task pixels* (the task area's own coordinates) and times in
milliseconds of its own clock, and ``on_source_ended()`` / ``on_failed(message)`` when it can
give no more.

- :class:`ScriptPlayer`: a :class:`pipeline.pointer.fitts.PointerScript` played on a timer
  (tests, ``handcue pointer-test --script``); no camera.
- :class:`HandPointerSource`: ``handcue pointer-test --source``: a camera or a video file
  tracked on a thread of its own, the hand moving a pointer through pointer mode's own code
  (:class:`pipeline.pointer.hook.PointerHook` with the user's ``[pointer]`` settings) onto the
  task area. The pointer and its clicks are recorded, not injected: the test draws the pointer
  and nothing reaches the desktop (no button can be left down).
- :class:`MousePointerSource`: Tools > Pointing test in the app: the system pointer over the
  window, which the app's pointer mode moves and clicks with (or a real mouse).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QPointF, QTimer, Signal
from PySide6.QtGui import QCursor, QMouseEvent

from pipeline.errors import HandCueError
from pipeline.pointer.fitts import PointerScript

if TYPE_CHECKING:
    from pipeline.runtime import Tracker
    from pipeline.settings import AppConfig
    from pipeline.sources import FrameSource

log = logging.getLogger(__name__)


class PointerTarget(Protocol):
    """What a source drives (the test window)."""

    def on_pointer(self, t_ms: float, x: float, y: float) -> None: ...

    def on_click(self, t_ms: float, x: float | None = None, y: float | None = None) -> None: ...

    def on_lost(self) -> None: ...

    def on_source_ended(self) -> None: ...

    def on_failed(self, message: str) -> None: ...


class ScriptPlayer(QObject):
    """Plays ``script`` into ``target`` on a GUI-thread timer. ``speed``: script milliseconds
    per real millisecond (1 = as recorded; 10 = ten times faster). The script's own times are
    passed on, so the scores do not depend on how fast it is played."""

    TICK_MS = 15

    def __init__(
        self, script: PointerScript, target: PointerTarget, *, speed: float = 1.0,
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        if not speed > 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        self.script = script
        self.target = target
        self.speed = speed
        self._next = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._on_tick)

    @property
    def done(self) -> bool:
        return self._next >= len(self.script.events)

    def start(self) -> None:
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_tick(self) -> None:
        events = self.script.events
        now = events[0].t_ms + self._clock.elapsed() * self.speed
        while self._next < len(events) and events[self._next].t_ms <= now:
            e = events[self._next]
            self._next += 1
            self.target.on_pointer(e.t_ms, e.x, e.y)
            if e.click:
                self.target.on_click(e.t_ms, e.x, e.y)
        if self.done:
            self._timer.stop()
            self.target.on_source_ended()


class _HandSignals(QObject):
    """Signals from the tracking thread (queued to the GUI thread)."""

    moved = Signal(float, float, float)
    clicked = Signal(float, float, float)
    lost = Signal()
    ended = Signal()
    failed = Signal(str)


class HandPointerSource(QObject):
    """The hand in ``source`` (opened by the caller, closed here: once, when the frames end
    or at :meth:`stop`) drives a recorded pointer over a task area of ``task_size`` px
    through pointer mode with ``config.pointer``. ``tracker``: a loaded tracker. Video files
    are paced at their frame rate, like a camera. Start with :meth:`start`, end with
    :meth:`stop` (joins the thread)."""

    def __init__(
        self,
        source: FrameSource,
        tracker: Tracker,
        config: AppConfig,
        task_size: tuple[int, int],
        target: PointerTarget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.tracker = tracker
        self.config = config
        self.task_size = task_size
        self.signals = _HandSignals(self)
        self.signals.moved.connect(target.on_pointer)
        self.signals.clicked.connect(target.on_click)
        self.signals.lost.connect(target.on_lost)
        self.signals.ended.connect(target.on_source_ended)
        self.signals.failed.connect(target.on_failed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._close_lock = threading.Lock()
        self._closed = False
        self.hook: Any = None

    def close_source(self) -> None:
        """Close the source once (a second close of a video would wait for ever)."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        try:
            self.source.close()
        except Exception:
            log.debug("closing the source failed", exc_info=True)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pointing-test-hand", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.warning("the pointing test's tracking thread did not stop in %.0f s", timeout_s)
            else:
                self.close_source()
            self._thread = None
        else:
            self.close_source()
        hook = self.hook
        if hook is not None:
            hook.release()

    def _run(self) -> None:
        """Tracking thread: frames -> runtime -> pointer mode -> signals."""
        from pipeline.actions import RecordingSink
        from pipeline.pointer import Desktop, PointerHook, RecordingPointerSink
        from pipeline.pointer.commands import TRACKING
        from pipeline.runtime import build_runtime, make_engine
        from pipeline.sources import FrameClock

        sig = self.signals
        try:
            engine = make_engine(self.config, RecordingSink(), front="run", armed=True)
            w, h = self.task_size
            self.hook = hook = PointerHook(
                RecordingPointerSink(), engine, self.config.pointer, Desktop.single(w, h),
                enabled=True,
            )  # fmt: skip
            runtime = build_runtime(self.config, engine=engine, tracker=self.tracker, pointer=hook)
            was_tracking = False
            for frame in FrameClock(realtime=True).pace(self.source):
                if self._stop.is_set():
                    return
                step = runtime.step(frame.image, frame.timestamp_ms, frame.index)
                pf = step.pointer
                if pf is None:
                    continue
                state = pf.state
                t = float(frame.timestamp_ms)
                tracking = state.mode == TRACKING and state.x is not None and state.y is not None
                if tracking:
                    sig.moved.emit(t, float(state.x), float(state.y))  # type: ignore[arg-type]
                elif was_tracking:
                    sig.lost.emit()
                was_tracking = tracking
                for command in pf.sent:
                    if command.kind in ("click", "press") and state.x is not None:
                        sig.clicked.emit(t, float(state.x), float(state.y))  # type: ignore[arg-type]
            if not self._stop.is_set():
                sig.ended.emit()
        except HandCueError as exc:
            sig.failed.emit(str(exc))
        except Exception as exc:
            log.exception("the pointing test's tracking failed")
            sig.failed.emit(f"tracking stopped after an internal error: {exc}")
        finally:
            if self.hook is not None:
                self.hook.release()
            self.close_source()


class MousePointerSource(QObject):
    """The system pointer over ``window`` (moved by the app's pointer mode, or a mouse):
    sampled at 60 Hz for the pointer (a still pointer sends no move events, and the jitter
    needs samples), its button presses as clicks. ``window`` maps widget pixels to task
    pixels (``widget_to_task``) and handles presses on its result buttons itself."""

    SAMPLE_MS = 16

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self._clock = QElapsedTimer()
        self._clock.start()
        self._timer = QTimer(self)
        self._timer.setInterval(self.SAMPLE_MS)
        self._timer.timeout.connect(self._on_sample)
        self._inside = False
        window.installEventFilter(self)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _now(self) -> float:
        return float(self._clock.elapsed())

    def _on_sample(self) -> None:
        local = self.window.mapFromGlobal(QCursor.pos())
        inside = self.window.rect().contains(local)
        if inside:
            x, y = self.window.widget_to_task(QPointF(local))
            self.window.on_pointer(self._now(), x, y)
        elif self._inside:
            self.window.on_lost()
        self._inside = inside

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        window: Any = self.window
        if (
            event.type() == QEvent.Type.MouseButtonPress
            and isinstance(event, QMouseEvent)
            and id(watched) == id(window)  # (no "is": it would narrow window to QObject)
            and not window.showing_result
        ):
            x, y = window.widget_to_task(event.position())
            t = self._now()
            window.on_pointer(t, x, y)
            window.on_click(t, x, y)
            return True
        return False
