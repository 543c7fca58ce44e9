"""Video overlay, 3D plot maths, hands panel, action-record descriptions, engine state."""

from __future__ import annotations

import numpy as np
import pytest

from app.gui.frame_display import describe_record
from app.gui.plot3d import HandPlot3D, world_to_gl
from app.gui.video_view import VideoView, gesture_title, readout_text
from app.gui.worker import TrackedFrame
from pipeline.types import FrameResult
from tests.support.gui_fakes import FakeGesture, hand_from_landmarks, synthetic_landmarks


def _frame(hands, gestures=None, held=None, w=640, h=360):
    image = np.zeros((h, w, 3), np.uint8)
    return TrackedFrame(image=image, result=FrameResult(0, 0.0, w, h, tuple(hands), False),
                        gestures=gestures or {}, held_ms=held or {}, fps=25.0,
                        latency_ms=40.0, provider="CPUExecutionProvider")  # fmt: skip


@pytest.mark.parametrize(
    ("gid", "title"),
    [("thumb_up", "Thumb up"), ("ok", "OK"), ("none", "No gesture"), ("i_love_you", "I love you"),
     ("spock", "Spock")],
)  # fmt: skip
def test_gesture_titles(gid, title):
    assert gesture_title(gid) == title


def _render(view: VideoView) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = QImage(view.size(), QImage.Format.Format_RGB888)
    view.render(img)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, count=img.sizeInBytes()).reshape(
        img.height(), img.bytesPerLine()
    )[:, : img.width() * 3]
    return arr.reshape(img.height(), img.width(), 3).copy()


@pytest.mark.parametrize("mirrored", [False, True])
def test_overlay_draws_skeleton_where_the_hand_is(qtbot, mirrored):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 360)  # same size as the frame: frame pixels = widget pixels
    view.show_readout = False
    view.set_mirrored(mirrored)
    lm = synthetic_landmarks(160, 200, 60)  # a hand in the left half of the frame
    hand = hand_from_landmarks(lm)
    view.set_frame(_frame([hand], {1: FakeGesture("thumb_up")}))
    pixels = _render(view)
    coloured = pixels.max(axis=2) > 60
    left, right = coloured[:, :320].sum(), coloured[:, 320:].sum()
    if mirrored:
        assert right > 5 * max(left, 1)
    else:
        assert left > 5 * max(right, 1)
    tip = lm[8, :2].astype(int)
    x = 639 - tip[0] if mirrored else tip[0]
    patch = pixels[tip[1] - 3 : tip[1] + 4, x - 3 : x + 4]
    assert patch.max() > 200  # a joint is drawn at the index tip


def test_overlay_keeps_the_frame_unchanged(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(320, 180)
    frame = _frame([hand_from_landmarks(synthetic_landmarks(300, 200, 80))])
    before = frame.image.copy()
    view.set_frame(frame)
    _render(view)
    assert np.array_equal(frame.image, before)


def test_hold_progress(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    hand = hand_from_landmarks(synthetic_landmarks())
    view.set_hold_lookup({"thumb_up": 400.0, "fist": -1.0, "swipe_left": 0.0}.get)
    for gesture, held, expected in [("thumb_up", 100.0, 0.25), ("thumb_up", 800.0, 2.0),
                                    ("fist", 500.0, None), ("swipe_left", 0.0, 1.0)]:  # fmt: skip
        view.set_frame(_frame([hand], {1: FakeGesture(gesture)}, {1: held}))
        assert view._hold_progress(hand) == expected


def test_world_to_gl_axes_and_mirroring():
    world = np.zeros((21, 3), np.float32)
    world[8] = (0.05, -0.08, -0.02)  # right, up, towards the camera (metres)
    out = world_to_gl(world, mirrored=False, centre_x_norm=0.5)
    assert out[8] == pytest.approx((5.0, -2.0, 8.0))  # cm; z is up
    mirrored = world_to_gl(world, mirrored=True, centre_x_norm=0.5)
    assert mirrored[8][0] == pytest.approx(-5.0)
    left = world_to_gl(world, mirrored=False, centre_x_norm=0.0)
    assert left[0][0] < 0  # a hand at the left edge is placed left


def test_plot_without_opengl_shows_placeholder(qtbot):
    plot = HandPlot3D(use_gl=False)
    qtbot.addWidget(plot)
    assert plot.view is None
    assert not plot.reset_button.isEnabled()
    plot.set_hands([hand_from_landmarks(synthetic_landmarks())], 1280, mirrored=True)  # no-op


def test_hands_panel_rows(qtbot):
    from app.gui.hands_panel import HandsPanel

    panel = HandsPanel()
    qtbot.addWidget(panel)
    panel.set_hold_lookup(lambda g: 200.0)
    right = hand_from_landmarks(synthetic_landmarks(), "Right", 1)
    left = hand_from_landmarks(synthetic_landmarks(400), "Left", 2)
    panel.set_frame(_frame([right, left], {1: FakeGesture("victory", count=2),
                                           2: FakeGesture("fist")}, {1: 100.0, 2: 500.0}))  # fmt: skip
    assert panel.gesture_ids() == ["victory", "fist"]
    assert panel.rows[0].gesture.text() == "Victory"
    assert panel.counts() == [2, None]
    assert panel.rows[0].count.text() == "2" and panel.rows[1].count.text() == ""
    assert panel.total_shown() is None  # the results carry no total
    assert panel.rows[0].progress.value() == 50
    assert panel.rows[1].progress.value() == 100
    assert panel.empty.isHidden()
    panel.set_frame(_frame([]))
    assert panel.gesture_ids() == []
    assert not panel.empty.isHidden()


def test_hands_panel_two_hand_total(qtbot):
    from app.gui.hands_panel import HandsPanel

    panel = HandsPanel()
    qtbot.addWidget(panel)
    right = hand_from_landmarks(synthetic_landmarks(), "Right", 1)
    left = hand_from_landmarks(synthetic_landmarks(400), "Left", 2)
    gestures = {1: FakeGesture("open_palm", count=5, total=8),
                2: FakeGesture("three", count=3, total=8)}  # fmt: skip
    panel.set_frame(_frame([right, left], gestures))
    assert panel.counts() == [5, 3]
    assert panel.total_shown() == 8 and "8" in panel.total.text()
    # One hand: its count is shown, no separate total.
    panel.set_frame(_frame([right], {1: FakeGesture("open_palm", count=5, total=5)}))
    assert panel.counts() == [5] and panel.total_shown() is None
    panel.set_frame(None)
    assert panel.total_shown() is None and panel.counts() == []


def test_describe_records():
    from pipeline.actions.engine import ActionRecord

    done = ActionRecord("action", "done", 0.0, action="key:right", phase="tap", latency_ms=3.2)
    assert describe_record(done) == "sent key:right, 3 ms"
    blocked = ActionRecord("action", "disarmed", 0.0, action="key:right")
    assert "disarmed" in describe_record(blocked)
    assert describe_record(ActionRecord("state", "profile", 0.0, detail="media")) == (
        "Profile: media"
    )
    assert "armed" in describe_record(ActionRecord("state", "armed", 0.0))


def test_engine_state_as_the_app_reads_it_and_release_on_disarm():
    """The app talks to the engine directly (no second lock or copied state)."""
    from pipeline.actions.engine import ActionEngine
    from pipeline.actions.sink import RecordingSink
    from pipeline.settings import AppConfig

    sink = RecordingSink()
    engine = ActionEngine(AppConfig(), sink)
    assert not engine.armed
    engine.set_armed(True)
    assert engine.armed
    engine.set_armed(False)
    assert not engine.armed
    engine.set_profile("media")
    assert engine.profile == "media"
    with pytest.raises(Exception, match="no profile"):
        engine.set_profile("nope")
    assert engine.profile == "media"


def test_deferred_plot_waits_for_build_view(qtbot):
    """The app builds its 3D view after start-up: until build_view() a note holds its place;
    then the view (or, without OpenGL as here, the "unavailable" note) takes it."""
    plot = HandPlot3D(deferred=True)
    qtbot.addWidget(plot)
    assert not plot.built and plot.view is None
    assert "starting" in plot._placeholder.text()
    assert not plot.reset_button.isEnabled()
    plot.set_hands([hand_from_landmarks(synthetic_landmarks())], 1280, mirrored=True)  # no-op
    plot.build_view()
    assert plot.built and plot.view is None  # offscreen: no OpenGL
    assert "unavailable" in plot._placeholder.text()
    plot.build_view()  # idempotent
    assert plot.built


def test_plot_not_deferred_when_asked_without_opengl(qtbot):
    plot = HandPlot3D(use_gl=False, deferred=True)  # nothing to defer
    qtbot.addWidget(plot)
    assert plot.built and "unavailable" in plot._placeholder.text()


def test_readout_says_no_frame_rate_for_a_photo():
    image = np.zeros((4, 6, 3), np.uint8)
    result = FrameResult(0, 0.0, 6, 4, (), False)
    video = TrackedFrame(
        image=image, result=result, fps=24.96, latency_ms=12.4,
        provider="CPUExecutionProvider", dropped=2,
    )  # fmt: skip
    assert readout_text(video).split() == [
        "25.0", "fps", "12", "ms", "CPU", "2", "skipped", "to", "keep", "up",
    ]  # fmt: skip
    photo = TrackedFrame(image=image, result=result, fps=0.0, latency_ms=498.0)
    assert readout_text(photo).split() == ["498", "ms", "—"]


def test_the_event_log_has_one_line_per_fired_action():
    """A fist that fires its mapping: one line with the gesture, the hand and what was sent;
    not 'fist started', 'count 0 started', 'total 0 started', the action and three 'ended'."""
    import numpy as np

    from app.gui.frame_display import log_lines
    from app.gui.tracked_frames import TrackedFrame
    from pipeline.actions.engine import ActionRecord
    from pipeline.types import FrameResult, GestureEvent

    events = tuple(
        GestureEvent(kind, g, tid, "Right", 100.0, 0.0)
        for kind in ("started", "ended")
        for g, tid in (("fist", 1), ("count_0", 1_000_000_001), ("total_0", 2_000_000_001))
    ) + (GestureEvent("started", "victory", 2, "Left", 100.0, 0.0),)
    sent = ActionRecord(kind="action", status="done", timestamp_ms=100.0, gesture="fist",
                        track_id=1, handedness="Right", action="key:f", phase="tap",
                        latency_ms=3.0)  # fmt: skip
    frame = TrackedFrame(image=np.zeros((4, 4, 3), np.uint8),
                         result=FrameResult(0, 100.0, 4, 4, (), False), events=events,
                         actions=(sent,))  # fmt: skip
    lines = log_lines(frame)
    assert len(lines) == 2, lines
    assert lines[0].endswith("Left   Victory (no action)")
    assert "Right  Fist → sent key:f, 3 ms" in lines[1]


def test_a_text_not_typed_whole_is_said_in_the_event_log(make_window):
    """The app's log says when a type: text was cut (handcue run prints a "cut" line)."""
    from pipeline.actions.engine import ActionRecord
    from pipeline.actions.sink import TypingCut

    window = make_window()
    queued = ActionRecord(kind="action", status="done", timestamp_ms=0.0, gesture="thumb_up",
                          handedness="Right", action="type:x")  # fmt: skip
    cuts = [TypingCut(text="汉" * 244, typed=96, reason="released", tag=queued)]
    window.ctx.sink.take_cuts = lambda: [cuts.pop()] if cuts else []
    window._redraw()
    assert "Right  Thumb up → typed 96 of 244 characters only (released)" in (
        window.event_log.toPlainText()
    )
