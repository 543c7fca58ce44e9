"""Trigger state machine and safety rules of ActionEngine, driven frame by frame with a fake
sink. Time is frame time: frames every 40 ms (25 fps) unless a test says otherwise."""

from __future__ import annotations

import random
from collections.abc import Iterable

import numpy as np
import pytest

from pipeline.actions import ActionEngine, ActionRecord, RecordingSink
from pipeline.errors import HandCueError
from pipeline.settings import ActionSettings, AppConfig, Binding, Profile
from pipeline.types import FrameResult, GestureEvent, Hand, RotatedRect

STEP = 40.0


def make_hand(track: int = 1, handedness: str = "Right", score: float = 0.95) -> Hand:
    pts = np.zeros((21, 3), dtype=np.float32)
    return Hand(pts, pts, handedness, 0.9, score, track, RotatedRect(100, 100, 50, 50, 0.0))


def make_frame(t: float, hands: Iterable[Hand] = ()) -> FrameResult:
    return FrameResult(int(t // STEP), t, 640, 480, tuple(hands), False)


def ev(kind: str, gesture: str, t: float, started: float | None = None, track: int = 1,
       hand: str = "Right") -> GestureEvent:  # fmt: skip
    return GestureEvent(kind, gesture, track, hand, t, t if started is None else started)


def config(*mappings: Binding, **actions) -> AppConfig:
    settings = dict(default_hold_ms=0, default_cooldown_ms=0, max_actions_per_second=50.0)
    settings.update(actions)
    return AppConfig(
        active_profile="test",
        profiles={"test": Profile(mappings=mappings), "other": Profile()},
        actions=ActionSettings(**settings),
    )


class Sim:
    """Feeds an engine one frame every STEP ms; ``hands`` says which hands are visible."""

    def __init__(self, engine: ActionEngine, sink: RecordingSink) -> None:
        self.engine = engine
        self.sink = sink
        self.t = 0.0
        self.records: list[ActionRecord] = []
        self.hands: list[Hand] = [make_hand()]

    def step(self, *events: GestureEvent) -> list[ActionRecord]:
        out = self.engine.handle(list(events), make_frame(self.t, self.hands))
        self.records += out
        self.t += STEP
        return out

    def until(self, t_end: float) -> None:
        while self.t < t_end:
            self.step()

    def done(self, phase: str | None = None) -> list[ActionRecord]:
        return [
            r for r in self.records
            if r.kind == "action" and r.status == "done" and (phase is None or r.phase == phase)
        ]  # fmt: skip

    def taps(self) -> list[tuple]:
        return [c for c in self.sink.calls if c[0] in ("press_key", "click", "type_text")]


def sim_for(*mappings: Binding, armed: bool = True, **actions) -> Sim:
    sink = RecordingSink()
    return Sim(ActionEngine(config(*mappings, **actions), sink, armed=armed), sink)


def hold_gesture(sim: Sim, gesture: str, start: float, end: float | None, track: int = 1) -> None:
    """The gesture is seen from ``start``; the stabiliser reports it 120 ms later, ends it at
    ``end`` (None: keeps it going to the end of the simulation)."""
    sim.until(start + 120)
    sim.step(ev("started", gesture, sim.t, started=start, track=track))
    if end is not None:
        sim.until(end)
        sim.step(ev("ended", gesture, sim.t, started=start, track=track))


# ------------------------------------------------------------------------- triggers


@pytest.mark.parametrize("hold_ms", [0, 200, 400, 1000])
def test_on_start_fires_once_when_hold_time_is_reached(hold_ms: int) -> None:
    sim = sim_for(Binding(gesture="fist", action="key:n", hold_ms=hold_ms))
    hold_gesture(sim, "fist", start=0, end=2000)
    sim.until(3000)
    assert sim.sink.calls == [("press_key", "n"), ("release_key", "n")]
    (fired,) = sim.done()
    # first frame at which the gesture had lasted hold_ms (and the stabiliser had reported it)
    expected = max(120.0, np.ceil(hold_ms / STEP) * STEP)
    assert fired.timestamp_ms == expected
    assert fired.latency_ms is not None and fired.inject_ms is not None
    assert 0 <= fired.inject_ms <= fired.latency_ms


def test_on_start_does_not_fire_when_released_before_hold_time() -> None:
    sim = sim_for(Binding(gesture="fist", action="key:n", hold_ms=600))
    hold_gesture(sim, "fist", start=0, end=400)
    sim.until(2000)
    assert sim.sink.calls == []


@pytest.mark.parametrize(("lasted", "fires"), [(200, False), (600, True)])
def test_on_end_fires_at_the_end_if_held_long_enough(lasted: int, fires: bool) -> None:
    sim = sim_for(Binding(gesture="ok", action="type:bye", trigger="on_end", hold_ms=500))
    hold_gesture(sim, "ok", start=0, end=lasted)
    end_time = sim.t - STEP
    sim.until(2000)
    assert sim.sink.calls == ([("type_text", "bye")] if fires else [])
    if fires:
        assert sim.done()[0].timestamp_ms == end_time


@pytest.mark.parametrize(("repeat_ms", "end"), [(200, 1000), (120, 1000), (400, 2000)])
def test_while_held_repeats_until_the_end(repeat_ms: int, end: int) -> None:
    sim = sim_for(Binding(gesture="thumb_up", action="scroll:down:2", trigger="while_held",
                          hold_ms=200, repeat_ms=repeat_ms))  # fmt: skip
    hold_gesture(sim, "thumb_up", start=0, end=end)
    sim.until(end + 2000)
    times = [r.timestamp_ms for r in sim.done()]
    assert times[0] == 200  # hold time
    assert np.all(np.diff(times) >= repeat_ms)
    assert np.all(np.diff(times) < repeat_ms + STEP)
    assert times[-1] < end + STEP  # nothing after the end
    assert len(times) == len([c for c in sim.sink.calls if c == ("scroll", 0, -2)])
    assert [r.phase for r in sim.done()] == ["tap"] + ["repeat"] * (len(times) - 1)
    assert len(times) >= (end - 200) // (repeat_ms + STEP)


def test_hold_presses_and_releases_at_the_end() -> None:
    sim = sim_for(Binding(gesture="fist", action="combo:shift+a", trigger="hold", hold_ms=200))
    hold_gesture(sim, "fist", start=0, end=1000)
    assert sim.sink.calls == [
        ("press_key", "shift"),
        ("press_key", "a"),
        ("release_key", "a"),
        ("release_key", "shift"),
    ]
    press, release = sim.done()
    assert (press.phase, press.timestamp_ms) == ("press", 200)
    assert release.phase == "release"
    assert not sim.sink.anything_held and sim.engine.held == ()


def test_mouse_button_hold() -> None:
    sim = sim_for(Binding(gesture="fist", action="click:left", trigger="hold"))
    hold_gesture(sim, "fist", start=0, end=None)
    sim.until(500)
    assert sim.sink.held_buttons == ["left"]
    assert sim.engine.held == (("button", "left"),)
    sim.engine.release_all()
    assert sim.sink.calls == [("press_button", "left"), ("release_button", "left")]


def test_swipes_ignore_hold_time_and_fire_within_the_frame() -> None:
    sim = sim_for(Binding(gesture="swipe_left", action="key:right"), default_hold_ms=500)
    sim.until(200)
    t = sim.t
    sim.step(ev("started", "swipe_left", t), ev("ended", "swipe_left", t))
    assert sim.sink.calls == [("press_key", "right"), ("release_key", "right")]


def test_held_events_do_not_start_anything() -> None:
    """A gesture that was under way before the engine saw it start never fires."""
    sim = sim_for(Binding(gesture="fist", action="key:n"))
    for _ in range(10):
        sim.step(ev("held", "fist", sim.t, started=0))
    assert sim.sink.calls == []


def test_hand_filter() -> None:
    sim = sim_for(
        Binding(gesture="fist", action="key:l", hand="left"),
        Binding(gesture="fist", action="key:r", hand="right"),
        Binding(gesture="fist", action="key:a"),
    )
    sim.hands = [make_hand(1, "Left"), make_hand(2, "Right")]
    sim.step(ev("started", "fist", sim.t, track=1, hand="Left"))
    assert [c[1] for c in sim.taps()] == ["l", "a"]
    sim.step(ev("started", "fist", sim.t, track=2, hand="Right"))
    assert [c[1] for c in sim.taps()] == ["l", "a", "r", "a"]


# ------------------------------------------------------------------------- cooldown, rate


def test_cooldown_blocks_new_activations() -> None:
    sim = sim_for(Binding(gesture="fist", action="key:n", cooldown_ms=1000))
    hold_gesture(sim, "fist", start=0, end=200)  # fires at 120
    hold_gesture(sim, "fist", start=400, end=700)  # within the cooldown: blocked
    hold_gesture(sim, "fist", start=1200, end=1500)  # after it: fires
    statuses = [(r.status, r.timestamp_ms) for r in sim.records if r.kind == "action"]
    assert statuses == [("done", 120), ("cooldown", 520), ("done", 1320)]
    assert len(sim.taps()) == 2


def test_cooldown_is_per_mapping() -> None:
    sim = sim_for(
        Binding(gesture="fist", action="key:a", cooldown_ms=5000),
        Binding(gesture="ok", action="key:b", cooldown_ms=5000),
    )
    hold_gesture(sim, "fist", start=0, end=200)
    hold_gesture(sim, "ok", start=300, end=500)
    assert [c[1] for c in sim.taps()] == ["a", "b"]


def test_rate_limit() -> None:
    mappings = [Binding(gesture="fist", action="key:n")]
    sim = sim_for(*mappings, max_actions_per_second=3.0)
    sim.hands = [make_hand(i) for i in range(1, 7)]
    sim.step(*[ev("started", "fist", sim.t, track=i) for i in range(1, 7)])
    statuses = [r.status for r in sim.records if r.kind == "action"]
    assert statuses == ["done"] * 3 + ["rate_limited"] * 3
    assert len(sim.taps()) == 3
    # one second later the budget is back
    sim.until(1100)
    sim.step(ev("ended", "fist", sim.t, track=6), ev("started", "fist", sim.t, track=6))
    assert len(sim.taps()) == 4


def test_rate_limit_below_one_per_second() -> None:
    sim = sim_for(Binding(gesture="swipe_up", action="key:u"), max_actions_per_second=0.5)
    for t in (0, 1000, 2200):
        sim.until(t)
        sim.step(ev("started", "swipe_up", sim.t), ev("ended", "swipe_up", sim.t))
    assert [r.status for r in sim.records] == ["done", "rate_limited", "done"]


# ------------------------------------------------------------------------- arming, pause


def test_starts_disarmed_by_default_and_fires_nothing() -> None:
    sink = RecordingSink()
    engine = ActionEngine(config(Binding(gesture="fist", action="key:n")), sink)
    assert engine.armed is False
    sim = Sim(engine, sink)
    hold_gesture(sim, "fist", start=0, end=1000)
    assert sink.calls == []
    assert [r.status for r in sim.records] == ["disarmed"]


def test_arm_gesture_toggles_once_per_hold() -> None:
    sim = sim_for(Binding(gesture="fist", action="key:n"), armed=False, arm_hold_ms=1000)
    hold_gesture(sim, "i_love_you", start=0, end=None)
    sim.until(3000)  # held for three seconds: still one toggle
    assert sim.engine.armed is True
    assert [(r.status, r.timestamp_ms) for r in sim.records] == [("armed", 1000)]
    sim.step(ev("ended", "i_love_you", sim.t, started=0))
    hold_gesture(sim, "fist", start=3200, end=3600)
    assert [c[1] for c in sim.taps()] == ["n"]
    hold_gesture(sim, "i_love_you", start=4000, end=5200)
    assert sim.engine.armed is False
    hold_gesture(sim, "fist", start=5400, end=5800)
    assert [c[1] for c in sim.taps()] == ["n"]


def test_arm_gesture_none_disables_arming_by_gesture() -> None:
    sim = sim_for(Binding(gesture="i_love_you", action="key:x"), arm_gesture="none", armed=False)
    sim.hands = [make_hand(1), make_hand(2)]
    hold_gesture(sim, "none", start=0, end=None, track=1)
    hold_gesture(sim, "i_love_you", start=0, end=3000, track=2)
    sim.until(5000)
    assert sim.engine.armed is False
    assert [r.status for r in sim.records] == ["disarmed"]  # an ordinary, blocked mapping
    sim.engine.set_armed(True)
    hold_gesture(sim, "i_love_you", start=sim.t, end=sim.t + 400, track=2)
    assert sim.taps() == [("press_key", "x")]


def test_arm_gesture_held_too_briefly_does_nothing() -> None:
    sim = sim_for(armed=False, arm_hold_ms=1000)
    hold_gesture(sim, "i_love_you", start=0, end=800)
    sim.until(2000)
    assert sim.engine.armed is False and sim.records == []


def test_disarm_releases_held_keys() -> None:
    sim = sim_for(Binding(gesture="fist", action="key:shift", trigger="hold"), arm_hold_ms=500)
    sim.hands = [make_hand(1), make_hand(2, "Left")]
    hold_gesture(sim, "fist", start=0, end=None, track=1)
    assert sim.sink.held_keys == ["shift"]
    hold_gesture(sim, "i_love_you", start=200, end=None, track=2)
    sim.until(1000)
    assert sim.engine.armed is False
    assert sim.sink.held_keys == []
    assert any(r.kind == "state" and r.status == "disarmed" for r in sim.records)


def test_arming_while_a_gesture_is_held_does_not_fire_it() -> None:
    sim = sim_for(Binding(gesture="fist", action="key:n"), armed=False)
    hold_gesture(sim, "fist", start=0, end=None)
    sim.engine.set_armed(True)
    sim.until(2000)
    assert sim.sink.calls == []
    assert [r.status for r in sim.records] == ["disarmed", "armed"]


def test_pause_releases_and_blocks_everything_including_arming() -> None:
    sim = sim_for(Binding(gesture="fist", action="click:right", trigger="hold"), arm_hold_ms=300)
    hold_gesture(sim, "fist", start=0, end=None)
    assert sim.sink.held_buttons == ["right"]
    assert sim.engine.toggle_paused() is True
    assert sim.sink.held_buttons == []  # released at once, not at the next frame
    sim.step(ev("ended", "fist", sim.t, started=0))
    hold_gesture(sim, "i_love_you", start=sim.t, end=sim.t + 1000)
    hold_gesture(sim, "fist", start=sim.t, end=sim.t + 500)
    assert sim.engine.armed is True and sim.engine.paused is True
    assert sim.sink.calls == [("press_button", "right"), ("release_button", "right")]
    sim.engine.set_paused(False)
    hold_gesture(sim, "fist", start=sim.t, end=None)
    assert sim.sink.held_buttons == ["right"]
    states = [r.status for r in sim.records if r.kind == "state"]
    assert states == ["paused", "resumed"]


# ------------------------------------------------------------------------- tracking quality


def test_low_score_waits_and_releases() -> None:
    sim = sim_for(
        Binding(gesture="fist", action="key:n"),
        Binding(gesture="fist", action="key:shift", trigger="hold", hold_ms=400),
        min_hand_score=0.6,
    )
    sim.hands = [make_hand(score=0.3)]
    hold_gesture(sim, "fist", start=0, end=None)
    sim.until(600)
    assert sim.sink.calls == []  # not confident: nothing yet
    sim.hands = [make_hand(score=0.9)]
    sim.step()
    assert sim.sink.calls == [("press_key", "n"), ("release_key", "n"), ("press_key", "shift")]
    sim.hands = [make_hand(score=0.2)]
    sim.step()
    assert sim.sink.held_keys == []
    sim.hands = [make_hand(score=0.9)]
    sim.until(1500)  # the released hold does not come back by itself
    assert sim.sink.held_keys == []


def test_losing_the_hand_releases_at_once_and_pending_actions_wait() -> None:
    sim = sim_for(
        Binding(gesture="fist", action="key:shift", trigger="hold"),
        Binding(gesture="ok", action="key:o", hold_ms=600),
    )
    sim.hands = [make_hand(1), make_hand(2)]
    hold_gesture(sim, "fist", start=0, end=None, track=1)
    hold_gesture(sim, "ok", start=sim.t, end=None, track=2)
    assert sim.sink.held_keys == ["shift"]
    sim.hands = []
    sim.step()
    assert sim.sink.held_keys == []
    sim.until(1500)
    assert ("press_key", "o") not in sim.sink.calls
    sim.hands = [make_hand(2)]  # back before it was forgotten: the pending action may fire
    sim.step()
    assert ("press_key", "o") in sim.sink.calls


def test_on_end_does_not_fire_for_a_hand_that_left() -> None:
    sim = sim_for(Binding(gesture="ok", action="key:e", trigger="on_end"))
    hold_gesture(sim, "ok", start=0, end=None)
    sim.hands = []
    sim.until(600)
    sim.step(ev("ended", "ok", sim.t, started=0))
    assert sim.sink.calls == []


# ------------------------------------------------------------------------- profiles, overrides


def test_profile_change_releases_and_switches_mappings() -> None:
    sim = sim_for(Binding(gesture="fist", action="key:shift", trigger="hold"))
    hold_gesture(sim, "fist", start=0, end=None)
    sim.engine.set_profile("other")
    assert sim.sink.held_keys == []
    hold_gesture(sim, "fist", start=sim.t, end=sim.t + 500)
    assert sim.sink.calls == [("press_key", "shift"), ("release_key", "shift")]
    with pytest.raises(HandCueError, match="no profile named 'nope'"):
        sim.engine.set_profile("nope")
    assert sim.engine.profile == "other"


def test_overrides_replace_mappings_of_the_same_gesture() -> None:
    cfg = config(Binding(gesture="fist", action="key:a"), Binding(gesture="ok", action="key:b"))
    sink = RecordingSink()
    engine = ActionEngine(
        cfg, sink, armed=True, overrides=[Binding(gesture="fist", action="click:left")]
    )
    assert [m.action for m in engine.mappings] == ["key:b", "click:left"]
    sim = Sim(engine, sink)
    hold_gesture(sim, "fist", start=0, end=300)
    hold_gesture(sim, "ok", start=400, end=700)
    assert sim.taps() == [("click", "left", 1), ("press_key", "b")]


def test_mappings_on_the_arm_gesture_are_ignored() -> None:
    sim = sim_for(Binding(gesture="i_love_you", action="key:x"), arm_gesture="i_love_you")
    hold_gesture(sim, "i_love_you", start=0, end=300)
    assert sim.sink.calls == []


# ------------------------------------------------------------------------- failures


class BrokenSink(RecordingSink):
    """Fails on the n-th call of ``method``."""

    def __init__(self, method: str, on_call: int = 1) -> None:
        super().__init__()
        self.method, self.left = method, on_call

    def __getattribute__(self, name: str):
        attr = super().__getattribute__(name)
        if name == object.__getattribute__(self, "method"):

            def failing(*args):
                self.left -= 1
                attr(*args)
                if self.left == 0:
                    raise OSError("X server went away")

            return failing
        return attr


def test_injection_failure_releases_everything_and_disarms(caplog) -> None:
    sink = BrokenSink("press_key", on_call=3)  # fails while pressing "t"
    engine = ActionEngine(
        config(
            Binding(gesture="fist", action="key:alt", trigger="hold"),
            Binding(gesture="ok", action="combo:ctrl+shift+t"),
        ),
        sink,
        armed=True,
    )
    sim = Sim(engine, sink)
    sim.hands = [make_hand(1), make_hand(2)]
    hold_gesture(sim, "fist", start=0, end=None, track=1)
    assert sink.held_keys == ["alt"]
    hold_gesture(sim, "ok", start=sim.t, end=None, track=2)
    assert not sink.anything_held
    assert engine.armed is False
    failed = [r for r in sim.records if r.status == "failed"]
    assert len(failed) == 1 and "X server went away" in failed[0].detail
    assert "injecting combo:ctrl+shift+t failed" in caplog.text


def test_exception_inside_handle_releases_and_propagates() -> None:
    sim = sim_for(Binding(gesture="fist", action="key:shift", trigger="hold"))
    hold_gesture(sim, "fist", start=0, end=None)
    assert sim.sink.held_keys == ["shift"]
    with pytest.raises(AttributeError):
        sim.engine.handle([object()], make_frame(sim.t, sim.hands))  # type: ignore[list-item]
    assert sim.sink.held_keys == []


def test_release_all_is_idempotent_and_reports() -> None:
    sim = sim_for(Binding(gesture="fist", action="combo:ctrl+alt+del", trigger="hold"))
    hold_gesture(sim, "fist", start=0, end=None)
    assert sim.sink.held_keys == ["ctrl", "alt", "delete"]
    records = sim.engine.release_all()
    assert sim.sink.held_keys == []
    assert sim.sink.calls[-3:] == [("release_key", k) for k in ("delete", "alt", "ctrl")]
    assert [r.phase for r in records] == ["release"]
    assert sim.engine.release_all() == []
    n = len(sim.sink.calls)
    sim.until(sim.t + 1000)  # the gesture is still held but must not press again
    assert len(sim.sink.calls) == n


def test_time_going_back_starts_afresh() -> None:
    """A looping video restarts its timestamps: old gestures, cooldowns and held keys go."""
    sim = sim_for(
        Binding(gesture="fist", action="key:shift", trigger="hold"),
        Binding(gesture="ok", action="key:o", hold_ms=300, cooldown_ms=60_000),
    )
    sim.hands = [make_hand(1), make_hand(2)]
    hold_gesture(sim, "fist", start=0, end=None, track=1)
    hold_gesture(sim, "ok", start=sim.t, end=sim.t + 600, track=2)
    assert sim.sink.held_keys == ["shift"] and ("press_key", "o") in sim.sink.calls
    sim.t = 0.0  # the video starts again
    sim.step()
    assert sim.sink.held_keys == []
    sim.until(2000)  # the old fist (started before the jump) must not press again
    assert sim.sink.held_keys == []
    hold_gesture(sim, "ok", start=sim.t, end=sim.t + 600, track=2)  # no stale cooldown
    assert sim.sink.calls.count(("press_key", "o")) == 2


def test_state_changes_between_frames_are_reported_with_the_next_frame() -> None:
    sim = sim_for(armed=False)
    sim.engine.set_armed(True)
    sim.engine.set_paused(True)
    assert [r.status for r in sim.step()] == ["armed", "paused"]
    assert sim.step() == []


# ------------------------------------------------------------------------- random sequences

GESTURES = ("fist", "ok", "victory", "thumb_up")


@pytest.mark.parametrize("seed", range(30))
def test_random_sequences_never_leave_anything_held(seed: int) -> None:
    rng = random.Random(seed)
    sink = BrokenSink("press_key", on_call=rng.randint(1, 60))
    engine = ActionEngine(
        config(
            Binding(gesture="fist", action="combo:ctrl+shift+a", trigger="hold"),
            Binding(gesture="ok", action="click:left", trigger="hold", hold_ms=100),
            Binding(gesture="victory", action="key:v", trigger="while_held", repeat_ms=80),
            Binding(gesture="thumb_up", action="key:space", trigger="hold", hand="left"),
            arm_gesture="none",
            min_hand_score=0.5,
        ),
        sink,
        armed=True,
    )
    sim = Sim(engine, sink)
    current: dict[int, tuple[str, float]] = {}
    for _ in range(300):
        events = []
        for track, handedness in ((1, "Right"), (2, "Left")):
            r = rng.random()
            if track in current and r < 0.1:
                gesture, started = current.pop(track)
                events.append(ev("ended", gesture, sim.t, started, track, handedness))
            elif track not in current and r < 0.2:
                gesture = rng.choice(GESTURES)
                current[track] = (gesture, sim.t)
                events.append(ev("started", gesture, sim.t, None, track, handedness))
        sim.hands = [
            make_hand(t, h, score=rng.choice([0.2, 0.9, 0.9, 0.9]))
            for t, h in ((1, "Right"), (2, "Left"))
            if rng.random() > 0.1
        ]
        if rng.random() < 0.02:
            engine.set_armed(not engine.armed)
        if rng.random() < 0.02:
            engine.set_paused(not engine.paused)
        sim.step(*events)
        if engine.paused or not engine.armed:
            assert not sink.anything_held
    engine.release_all()
    assert not sink.anything_held
    assert engine.held == ()


def test_withheld_gestures_do_not_fire_and_withholding_releases() -> None:
    """Pointer mode owns the fist: its events are ignored, and a key a fist was holding when
    pointer mode took over is released at once."""
    sim = sim_for(
        Binding(gesture="fist", action="key:f", trigger="hold", hold_ms=0),
        Binding(gesture="victory", action="key:v", hold_ms=0),
    )
    hold_gesture(sim, "fist", start=0, end=None)
    sim.until(300)
    assert sim.sink.held_keys == ["f"]
    sim.engine.withhold_gestures({"fist", "ok"})
    sim.until(400)
    assert not sim.sink.anything_held
    assert sim.engine.withheld == frozenset({"fist", "ok"})
    sim.step(ev("ended", "fist", sim.t, started=0))
    hold_gesture(sim, "fist", start=500, end=900)
    hold_gesture(sim, "victory", start=1000, end=1400)
    sim.until(1500)
    assert sim.sink.calls == [
        ("press_key", "f"),
        ("release_key", "f"),
        ("press_key", "v"),
        ("release_key", "v"),
    ]
