"""The one tracker -> gestures -> actions loop, shared by ``handcue run`` and the desktop app.

Data flow (one frame)::

    source (camera / video / folder, paced by pipeline.sources.FrameClock)
      -> HandCueRuntime.step(image, timestamp_ms)
           tracker.process -> gestures.process -> engine.handle
      -> StepResult (hands, per-hand gestures, events, action records, timings)
      -> JSON-lines printer (app/cli/run_output.py) | QThread -> GUI (app/gui/tracking_thread.py)

:func:`build_runtime` makes the parts from the settings (:class:`pipeline.settings.AppConfig`),
an input sink and the recorded gestures; front ends only choose the sink, the source and what
to do with each :class:`StepResult`. Qt-free: the GUI wraps the same object in a QThread.

Threads: :meth:`HandCueRuntime.step` is called from one thread (the tracking thread). The
action engine is safe to call from any thread (arm, pause, profile: a state change is reported
with the next frame's records), and so is :meth:`HandCueRuntime.release_all`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from pipeline.actions.engine import ActionEngine, ActionRecord
from pipeline.actions.sink import InputSink
from pipeline.photos.small import process_photo
from pipeline.settings import AppConfig, Binding
from pipeline.sources.base import RunningMode
from pipeline.tracking.config import live_threads, photo_threads, tracker_config
from pipeline.types import FrameResult, GestureEvent

if TYPE_CHECKING:
    from pipeline.focus import ProfileSwitcher, WindowSource
    from pipeline.gestures import GestureEngine, GestureResult, TemplateStore
    from pipeline.pointer.hook import PointerFrame

log = logging.getLogger(__name__)

Front = Literal["run", "gui"]


class PointerHook(Protocol):
    """Pointer mode inside the loop (:class:`pipeline.pointer.hook.PointerHook`, the one both
    front ends pass): ``filter_events`` sees the events before the action engine (the toggle
    gesture; the gestures pointer mode owns are withheld by the engine itself) and ``step``
    moves the pointer after the engine ran, returning what it did this frame."""

    def filter_events(self, events: Sequence[GestureEvent]) -> list[GestureEvent]: ...

    def step(self, result: FrameResult) -> PointerFrame: ...


class Tracker(Protocol):
    """What the runtime needs of a hand tracker (:class:`pipeline.tracking.tracker.HandTracker`)."""

    #: May a hand held still be read on fewer frames (power saving)? Pointer mode and a visible
    #: live view say no. Stand-in trackers may lack it.
    allow_rest: bool

    @property
    def provider(self) -> str: ...

    def process(self, frame_bgr: np.ndarray, timestamp_ms: float) -> FrameResult: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class StepResult:
    """Everything one processed frame produced. Immutable.

    ``frame``: the tracker's result (hands with landmarks in pixels of the frame, track ids,
    the tracker's stage timings). ``gestures``: track_id -> the hand's gesture this frame
    (:class:`pipeline.gestures.GestureResult`). ``held_ms``: track_id -> how long the hand's
    current gesture has been showing (ms of frame time). ``events``: stabilised gesture events
    of this frame. ``actions``: what the action engine did, state changes included.
    ``timings``: ms per stage: ``track`` (tracker), ``gestures``, ``actions``, ``step`` (all).
    ``events_ready_s``: ``time.perf_counter()`` when the events were ready (latency origin).
    ``pointer``: what pointer mode did this frame (None without pointer mode; see
    :class:`pipeline.pointer.hook.PointerFrame`).
    """

    frame: FrameResult
    gestures: Mapping[int, GestureResult] = field(default_factory=dict)
    held_ms: Mapping[int, float] = field(default_factory=dict)
    events: tuple[GestureEvent, ...] = ()
    actions: tuple[ActionRecord, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    events_ready_s: float = 0.0
    pointer: PointerFrame | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "gestures", MappingProxyType(dict(self.gestures)))
        object.__setattr__(self, "held_ms", MappingProxyType(dict(self.held_ms)))
        object.__setattr__(self, "timings", MappingProxyType(dict(self.timings)))
        object.__setattr__(self, "events", tuple(self.events))
        object.__setattr__(self, "actions", tuple(self.actions))

    @property
    def pipeline_ms(self) -> float:
        """Tracking plus gesture time of this frame (ms)."""
        return self.timings.get("track", 0.0) + self.timings.get("gestures", 0.0)


class HandCueRuntime:
    """Tracker -> gestures -> actions for one source at a time.

    ``gestures`` may be None (tracking only); ``engine`` may be None (no actions). The engine
    outlives sources in the app (armed state and profile persist), so it is passed in.
    """

    def __init__(
        self,
        tracker: Tracker,
        gestures: GestureEngine | None = None,
        engine: ActionEngine | None = None,
        pointer: PointerHook | None = None,
        mode: RunningMode = RunningMode.LIVE,
    ) -> None:
        self.tracker = tracker
        self.gestures = gestures
        self.engine = engine
        self.pointer = pointer
        self.mode = mode
        # How a frame becomes hands, chosen once for the source: tracked from the frames
        # before (live), or, for photos (the app's image view), each frame analysed as
        # ``handcue detect`` does (pipeline.photos.small.process_photo: a small photo enlarged,
        # each of its hands read in many views and reported as one showing the number most
        # views show under the gesture engine's counting scheme; the tracker is a static-mode
        # pipeline.tracking.tracker.HandTracker).
        self._read: Callable[[np.ndarray, float], FrameResult] = tracker.process
        if mode is RunningMode.PHOTOS:
            choose = None
            recognizer = getattr(gestures, "recognizer", None)
            # The views need the tracker's own landmark model (a stand-in tracker reads once).
            if recognizer is not None and hasattr(tracker, "landmarker"):
                from pipeline.photos.views import count_vote

                choose = count_vote(recognizer)
            # photos need the real (static-mode) HandTracker: process_photo asks it for views
            self._read = partial(process_photo, tracker, choose=choose)  # type: ignore[arg-type]
        if hasattr(tracker, "allow_rest"):
            # Pointer mode follows every small move of the hand: no resting frames
            # (pipeline.tracking.tracker.TrackerConfig.rest_speed).
            tracker.allow_rest = pointer is None
        self._since: dict[int, tuple[str, float]] = {}

    @property
    def provider(self) -> str:
        return str(getattr(self.tracker, "provider", "") or "")

    def step(
        self, image: np.ndarray, timestamp_ms: float, frame_index: int | None = None
    ) -> StepResult:
        """Process one frame: ``image`` (H, W, 3) uint8 BGR, unmirrored; ``timestamp_ms``
        strictly increasing within a source (video time for files); ``frame_index``: the
        source's number for the frame, reported in place of the tracker's own count (which
        counts only the frames tracked: frame steps and power saving skip some). The engine is
        ticked on every frame, also without events: hold timers run and keys of hands that
        left are released."""
        t0 = time.perf_counter()
        result = self._read(image, timestamp_ms)
        if frame_index is not None and result.frame_index != frame_index:
            result = replace(result, frame_index=frame_index)
        t1 = time.perf_counter()
        per_hand: dict[int, GestureResult] = {}
        events: list[GestureEvent] = []
        if self.gestures is not None:
            per_hand, events = self.gestures.process(result)
        t2 = time.perf_counter()
        records: list[ActionRecord] = []
        pointer_out = None
        if self.engine is not None:
            to_engine = self.pointer.filter_events(events) if self.pointer is not None else events
            records = self.engine.handle(to_engine, result, event_time=t2)
            if self.pointer is not None:
                pointer_out = self.pointer.step(result)
        t3 = time.perf_counter()
        return StepResult(
            frame=result,
            gestures=per_hand,
            held_ms=self._held_times(per_hand, timestamp_ms),
            events=tuple(events),
            actions=tuple(records),
            timings={
                "track": (t1 - t0) * 1e3,
                "gestures": (t2 - t1) * 1e3,
                "actions": (t3 - t2) * 1e3,
                "step": (t3 - t0) * 1e3,
            },
            events_ready_s=t2,
            pointer=pointer_out,
        )

    def restart(self) -> None:
        """A new source (or a jump in time): forget tracked hands and gesture state."""
        self.tracker.reset()
        self._since.clear()
        if self.gestures is not None:
            self.gestures.reset()

    def release_all(self) -> list[ActionRecord]:
        """Release every held key and button (any thread, any time, repeatedly)."""
        return self.engine.release_all() if self.engine is not None else []

    def close(self) -> list[ActionRecord]:
        """End of the source: release everything held. The tracker stays usable."""
        return self.release_all()

    def _held_times(self, per_hand: Mapping[int, GestureResult], ts: float) -> dict[int, float]:
        held: dict[int, float] = {}
        for track_id, gesture in per_hand.items():
            name = str(getattr(gesture, "gesture", gesture))
            previous = self._since.get(track_id)
            if previous is None or previous[0] != name:
                self._since[track_id] = (name, ts)
            held[track_id] = ts - self._since[track_id][1]
        for track_id in list(self._since):
            if track_id not in per_hand:
                del self._since[track_id]
        return held


# ------------------------------------------------------------------------------------ building


def mode_threads(mode: RunningMode, configured: int) -> int:
    """Inference threads for sources read in ``mode``: :func:`pipeline.tracking.config.photo_threads` for photos,
    :func:`pipeline.tracking.config.live_threads` otherwise."""
    return photo_threads(configured) if mode is RunningMode.PHOTOS else live_threads(configured)


def make_tracker(
    config: AppConfig, *, mode: RunningMode = RunningMode.LIVE, threads: int | None = None
) -> Tracker:
    """The hand tracker the settings describe for sources read in ``mode`` (loads the models:
    slow, raises ``ModelsMissingError`` when they are not installed)."""
    from pipeline.tracking.tracker import HandTracker

    return HandTracker(tracker_config(config.tracker, static_mode=mode.static, threads=threads))


def make_gestures(config: AppConfig, templates: TemplateStore | None) -> GestureEngine:
    from pipeline.gestures import GestureEngine

    return GestureEngine(
        counting=config.gestures.counting, hold_ms=config.gestures.hold_ms, templates=templates
    )


def make_engine(
    config: AppConfig,
    sink: InputSink,
    *,
    front: Front,
    profile: str | None = None,
    overrides: Sequence[Binding] = (),
    armed: bool | None = None,
) -> ActionEngine:
    """The action engine. ``armed`` None: the settings' start state for this front end (the
    app starts disarmed, ``handcue run`` armed, unless the settings say otherwise)."""
    if armed is None:
        actions = config.actions
        armed = actions.gui_starts_armed if front == "gui" else actions.run_starts_armed
    return ActionEngine(config, sink, profile=profile, overrides=overrides, armed=armed)


def make_switcher(
    config: AppConfig,
    engine: ActionEngine,
    *,
    source_factory: Callable[[], WindowSource],
    pinned: str | None = None,
) -> ProfileSwitcher:
    """The per-application profile switcher for ``engine`` (not started): both front ends
    build it here, start it once the engine exists and stop it before releasing everything at
    exit. ``source_factory``: the desktop's window source
    (:func:`app.desktop.focus.create_window_source`). ``pinned``: ``handcue run --profile``. It switches the engine from its own thread, so
    the change (with the release of held input) is reported in the next step's records."""
    from pipeline.focus import ProfileSwitcher

    return ProfileSwitcher(engine, config, pinned=pinned, source_factory=source_factory)


def build_runtime(
    config: AppConfig,
    *,
    engine: ActionEngine | None,
    templates: TemplateStore | None = None,
    mode: RunningMode = RunningMode.LIVE,
    threads: int | None = None,
    tracker: Tracker | None = None,
    tracker_factory: Callable[..., Tracker] = make_tracker,
    gesture_factory: Callable[[AppConfig, Any], Any] | None = make_gestures,
    pointer: PointerHook | None = None,
) -> HandCueRuntime:
    """A runtime for one source. ``tracker`` reuses a loaded tracker, ready for a new source
    (the app keeps one per tracker settings and resets it); otherwise ``tracker_factory`` loads
    one for ``mode``. ``gesture_factory`` None: tracking only. Factories are parameters so
    tests can run the loop on fakes. ``mode``: how the source's frames are read
    (:class:`pipeline.sources.RunningMode`; photos need a tracker made for them)."""
    if tracker is None:
        tracker = tracker_factory(config, mode=mode, threads=threads)
    gestures = gesture_factory(config, templates) if gesture_factory is not None else None
    if gestures is not None and hasattr(gestures, "movements"):
        gestures.movements = not mode.static  # photos: no movements (GestureEngine.movements)
    return HandCueRuntime(tracker, gestures, engine, pointer, mode)


__all__ = [
    "Front",
    "HandCueRuntime",
    "PointerHook",
    "StepResult",
    "Tracker",
    "build_runtime",
    "make_engine",
    "make_gestures",
    "make_switcher",
    "make_tracker",
    "mode_threads",
]
