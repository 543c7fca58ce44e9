"""The tracking worker: latest-frame slot, immutable results, stop, retry after failures."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.gui.worker import TrackedFrame, TrackingSession
from pipeline.runtime import HandCueRuntime
from pipeline.sources import LatestSlot
from tests.support.gui_fakes import FakeGestures, FakeSourceFactory, FakeTracker


def test_latest_slot_keeps_newest_and_counts_dropped():
    slot = LatestSlot()
    for i in range(5):
        slot.put(i)
    assert slot.take(timeout=0.01) == 4
    assert slot.dropped == 4
    assert slot.take(timeout=0.01) is None
    slot.close()
    assert slot.take(timeout=5.0) is None  # returns at once when closed


def test_tracked_frame_is_immutable():
    image = np.zeros((4, 6, 3), np.uint8)
    from pipeline.types import FrameResult

    frame = TrackedFrame(image=image, result=FrameResult(0, 0.0, 6, 4, (), False))
    image[0, 0, 0] = 9  # the caller's array is copied
    assert frame.image[0, 0, 0] == 0
    with pytest.raises(ValueError):
        frame.image[0, 0, 0] = 1
    with pytest.raises(TypeError):
        frame.gestures[1] = "x"  # type: ignore[index]


def _session(opener, gestures=True, retry_s=0.05):
    tracker = FakeTracker(frames=[])
    parts = lambda spec: HandCueRuntime(tracker, FakeGestures() if gestures else None)  # noqa: E731
    return TrackingSession(parts, opener, retry_s=retry_s), tracker


def test_session_emits_frames_and_stops_quickly(qtbot):
    opener = FakeSourceFactory(frames=1000, fps=200)
    session, tracker = _session(opener)
    frames: list[TrackedFrame] = []
    session.frame_ready.connect(frames.append)
    session.start("clip.mp4")
    qtbot.waitUntil(lambda: len(frames) >= 5, timeout=5000)
    assert session.stop()
    assert not session.running
    assert frames[-1].gestures[1].gesture == "thumb_up"
    assert frames[-1].provider == "FakeExecutionProvider"
    assert frames[-1].result.hands
    stamps = [f.result.timestamp_ms for f in frames]
    assert stamps == sorted(stamps)


def test_slow_tracker_drops_frames_instead_of_queueing(qtbot):
    import time

    class SlowTracker(FakeTracker):
        def process(self, frame_bgr, timestamp_ms):
            time.sleep(0.03)
            return super().process(frame_bgr, timestamp_ms)

    tracker = SlowTracker()
    opener = FakeSourceFactory(frames=100000, fps=1000)
    session = TrackingSession(lambda spec: HandCueRuntime(tracker), opener)
    frames: list[TrackedFrame] = []
    session.frame_ready.connect(frames.append)
    session.start("clip.mp4", realtime=False)
    qtbot.waitUntil(lambda: len(frames) >= 5, timeout=5000)
    session.stop()
    assert frames[-1].dropped > len(frames)


def test_video_end_is_reported(qtbot):
    session, _ = _session(FakeSourceFactory(frames=5))
    with qtbot.waitSignal(session.source_ended, timeout=5000):
        session.start("clip.mp4")
    assert not session.running


def test_camera_unplugged_mid_stream_is_retried(qtbot):
    opener = FakeSourceFactory(frames=1000, fail_after=10, fail_opens=0)
    session, _ = _session(opener)
    lost: list[str] = []
    session.source_lost.connect(lost.append)
    session.start("0")
    qtbot.waitUntil(lambda: opener.opens >= 3, timeout=5000)
    assert session.running
    assert "unplugged" in lost[0] and "Retrying" in lost[0]
    assert session.stop()


def test_camera_busy_at_start_recovers(qtbot):
    opener = FakeSourceFactory(frames=1000, fail_opens=2)
    session, _ = _session(opener)
    frames: list = []
    session.frame_ready.connect(frames.append)
    with qtbot.waitSignal(session.source_restored, timeout=5000):
        session.start("0")
    qtbot.waitUntil(lambda: len(frames) > 0, timeout=5000)
    session.stop()
    assert opener.opens == 3


def test_missing_file_fails_once_without_retry(qtbot):
    opener = FakeSourceFactory(fail_opens=5)
    session, _ = _session(opener)
    with qtbot.waitSignal(session.failed, timeout=5000) as blocker:
        session.start("missing.mp4")
    assert "busy or missing" in blocker.args[0]
    assert opener.opens == 1
    assert not session.running


def test_tracker_build_error_reaches_failed_signal(qtbot):
    from pipeline.errors import ModelsMissingError

    def build(spec):
        raise ModelsMissingError("hand_landmark_full.onnx not found")

    session = TrackingSession(build, FakeSourceFactory())
    with qtbot.waitSignal(session.failed, timeout=5000) as blocker:
        session.start("clip.mp4")
    assert "handcue models install" in blocker.args[0]
    assert not session.running


def test_every_frame_mode_drops_nothing(qtbot):
    import time

    class SlowTracker(FakeTracker):
        def process(self, frame_bgr, timestamp_ms):
            time.sleep(0.005)
            return super().process(frame_bgr, timestamp_ms)

    tracker = SlowTracker(frames=[])
    opener = FakeSourceFactory(frames=40, fps=1000)
    session = TrackingSession(lambda spec: HandCueRuntime(tracker), opener)
    frames: list[TrackedFrame] = []
    session.frame_ready.connect(frames.append)
    with qtbot.waitSignal(session.source_ended, timeout=10000):
        session.start("clip.mp4", every_frame=True)
    assert tracker.calls == 40  # every frame analysed
    assert frames[-1].result.frame_index == 39
    assert frames[-1].dropped == 0


def test_busy_gui_gets_one_frame_at_a_time_and_all_events(qtbot):
    """Frames are not queued up for a GUI that does not take them; events are not lost."""
    import time

    opener = FakeSourceFactory(frames=100000, fps=300)  # paced: ~90 frames while busy
    tracker = FakeTracker(frames=[])

    class EveryFrameEvent(FakeGestures):
        def process(self, result):
            per_hand, _ = super().process(result)
            from pipeline.types import GestureEvent

            return per_hand, [GestureEvent("held", "thumb_up", 1, "Right", result.timestamp_ms,
                                           0.0, frame_index=result.frame_index)]  # fmt: skip

    session = TrackingSession(lambda spec: HandCueRuntime(tracker, EveryFrameEvent()), opener)
    frames: list[TrackedFrame] = []
    session.frame_ready.connect(frames.append)
    session.start("clip.mp4")
    qtbot.waitUntil(lambda: len(frames) >= 1, timeout=5000)
    time.sleep(0.3)  # the GUI thread is busy: nothing is delivered meanwhile
    processed_while_busy = tracker.calls
    # the first frame delivered after the busy spell carries the events of the frames skipped
    qtbot.waitUntil(lambda: any(len(f.events) > 1 for f in frames), timeout=5000)
    session.stop()
    assert processed_while_busy > 3
    assert len(frames) < tracker.calls
    seen = [e.frame_index for f in frames for e in f.events]
    assert seen == list(range(len(seen)))  # every event, in order, none twice


class _SkippingSource:
    """A file-like source that asks ``wants(t_ms)`` before each frame, as VideoSource does:
    False skips the frame (counted, not yielded)."""

    def __init__(self, frames: int, fps: float) -> None:
        self.frames, self.fps = frames, fps
        self.wants = None
        self.skipped = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def __iter__(self):
        from tests.support.gui_fakes import FakeFrame

        for i in range(self.frames):
            t = i * 1000.0 / self.fps
            if self.wants is not None and not self.wants(t):
                self.skipped += 1
                continue
            yield FakeFrame(i, t, np.full((90, 160, 3), i % 255, np.uint8))


def test_hidden_window_skips_the_frames_the_tracker_does_not_need(qtbot):
    """Window hidden (tray): the capture thread skips the frames the tracker's power saving
    does not need (HandTracker.wants_frame; here every other one) before they are queued; a
    visible window gets every frame."""

    class GateTracker(FakeTracker):
        def wants_frame(self, t_ms: float) -> bool:
            return round(t_ms / 10.0) % 2 == 0

    for background in (False, True):
        sources: list[_SkippingSource] = []

        def opener(spec, loop, sources=sources):
            sources.append(_SkippingSource(60, 100.0))
            return sources[-1]

        tracker = GateTracker(frames=[])
        session = TrackingSession(lambda spec, t=tracker: HandCueRuntime(t), opener)
        session.set_background(background)
        with qtbot.waitSignal(session.source_ended, timeout=10000):
            session.start("clip.mp4", every_frame=True)
        session.stop()
        source = sources[0]
        if background:
            # Until the tracker is built nothing is skipped; then every other frame.
            assert 20 <= source.skipped <= 30, source.skipped
            assert tracker.calls == 60 - source.skipped
        else:
            assert source.skipped == 0 and tracker.calls == 60


def test_pointer_mode_keeps_the_tracker_reading_every_frame(qtbot):
    """Resting (a held hand's frame repeats the last reading) is off while pointer mode is on:
    in ``handcue run --pointer`` (a runtime with a pointer hook) and in the app, where the GUI
    thread's ``set_precise`` reaches the tracker on the tracking thread; in the app also while
    the window is shown (its drawn skeleton would move in steps), on only in the tray."""

    class RestingTracker(FakeTracker):
        def __init__(self) -> None:
            super().__init__(frames=[])
            self.allow_rest = True
            self.seen: list[bool] = []

        def process(self, frame_bgr, timestamp_ms):  # type: ignore[no-untyped-def]
            self.seen.append(self.allow_rest)
            return super().process(frame_bgr, timestamp_ms)

    assert not HandCueRuntime(RestingTracker(), pointer=object()).tracker.allow_rest  # type: ignore[arg-type]
    assert HandCueRuntime(RestingTracker()).tracker.allow_rest
    for precise, background in itertools.product((False, True), (False, True)):
        tracker = RestingTracker()
        session = TrackingSession(
            lambda spec, t=tracker: HandCueRuntime(t), FakeSourceFactory(frames=10)
        )
        session.set_precise(precise)
        session.set_background(background)
        with qtbot.waitSignal(session.source_ended, timeout=10000):
            session.start("clip.mp4", every_frame=True)
        session.stop()
        rests = background and not precise
        assert tracker.seen and set(tracker.seen) == {rests}, (precise, background, tracker.seen)
