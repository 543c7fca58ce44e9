"""ProfileSwitcher and WindowWatcher with a scripted window source and the real action engine:
switching follows the window, releases held input, holds actions back in HandCue's windows,
respects pinning, and falls back to the manual profile when no source exists."""

from __future__ import annotations

import os
import select
import threading
import time

import numpy as np
import pytest

from pipeline.actions import ActionEngine, RecordingSink
from pipeline.focus import (
    OWN_WINDOW_REASON,
    ProfileSwitcher,
    WatcherUnavailable,
    WindowInfo,
    WindowWatcher,
)
from pipeline.runtime import make_switcher
from pipeline.settings import (
    ActionSettings,
    AppConfig,
    Binding,
    Profile,
    Rule,
    RuleMatch,
    SwitchingSettings,
)
from pipeline.types import FrameResult, GestureEvent, Hand, RotatedRect
from tests.support.waiting import wait_until

PRESENTER = WindowInfo(title="Talk", process="impress", wm_class=("presenter", "Presenter"),
                       pid=1001, window_id=1)  # fmt: skip
PLAYER = WindowInfo(title="Film", process="vlc", wm_class=("vlc", "Vlc"), pid=1002, window_id=2)
OURS = WindowInfo(title="HandCue — armed", process="handcue", pid=os.getpid(), window_id=3)
OTHER = WindowInfo(title="notes", process="gedit", pid=1003, window_id=4)


class ScriptedSource:
    """A window source whose active window the test sets; counts polls; thread-safe."""

    name = "scripted"

    def __init__(self, window: WindowInfo | None = None) -> None:
        self.window = window
        self.polls = 0
        self.closed = False
        self.fail: Exception | None = None
        self.polled = threading.Event()

    def active_window(self) -> WindowInfo | None:
        self.polls += 1
        self.polled.set()
        if self.fail is not None:
            raise self.fail
        return self.window

    def close(self) -> None:
        self.closed = True


def config(**switching) -> AppConfig:
    switching.setdefault("poll_ms", 20)
    return AppConfig(
        active_profile="present",
        actions=ActionSettings(default_hold_ms=0, default_cooldown_ms=0),
        profiles={
            "present": Profile(
                mappings=(
                    Binding(gesture="thumb_up", action="key:n"),
                    Binding(gesture="fist", action="key:shift", trigger="hold"),
                )
            ),
            "media": Profile(mappings=(Binding(gesture="thumb_up", action="media:volume_up"),)),
        },
        switching=SwitchingSettings(
            rules=(Rule(match=RuleMatch(app="presenter"), profile="present"),), **switching
        ),
    )


def frame(t: float) -> FrameResult:
    pts = np.zeros((21, 3), dtype=np.float32)
    hand = Hand(pts, pts, "Right", 0.9, 0.95, 1, RotatedRect(100, 100, 50, 50, 0.0))
    return FrameResult(int(t // 40), t, 640, 480, (hand,), False)


def gesture(engine: ActionEngine, name: str, t: float) -> list:
    return engine.handle([GestureEvent("started", name, 1, "Right", t, t)], frame(t))


def make(cfg: AppConfig, source: ScriptedSource, **kw) -> tuple[ProfileSwitcher, ActionEngine,
                                                                 RecordingSink]:  # fmt: skip
    sink = RecordingSink()
    engine = ActionEngine(cfg, sink, armed=True)
    return ProfileSwitcher(engine, cfg, source_factory=lambda: source, **kw), engine, sink


def watcher_reacts(predicate) -> None:
    """The watcher's thread must make ``predicate`` hold within 5 s (it polls every 20 ms)."""
    wait_until(predicate, 5.0, "the watcher to react", interval=0.005)


def test_switches_with_the_window_and_releases_what_is_held() -> None:
    source = ScriptedSource(PRESENTER)
    switcher, engine, sink = make(config(), source)
    seen: list = []
    switcher.add_listener(seen.append)
    assert switcher.start() is None
    try:
        assert engine.profile == "present"  # decided before start returned
        assert switcher.choice.source == "rule" and switcher.choice.rule_index == 0
        gesture(engine, "thumb_up", 0.0)
        engine.handle([], frame(40.0))
        gesture(engine, "fist", 80.0)  # replaces thumb_up on this hand: shift goes down
        engine.handle([], frame(120.0))
        assert sink.held_keys == ["shift"]
        source.window = PLAYER  # the user focuses the media player
        watcher_reacts(lambda: engine.profile == "media")
        assert sink.held_keys == []  # released by the switch itself, before any new frame
        records = engine.handle([], frame(160.0))
        assert [(r.kind, r.status, r.detail) for r in records if r.kind == "state"] == [
            ("state", "profile", "media")
        ]
        assert any(r.phase == "release" and r.detail == "profile change" for r in records)
        gesture(engine, "thumb_up", 200.0)
        assert ("press_key", "media_volume_up") in sink.calls
        assert seen[-1].profile == "media" and seen[-1].builtin  # the built-in VLC rule
    finally:
        switcher.stop()
    assert source.closed
    assert ("press_key", "n") in sink.calls


def test_a_title_change_in_the_same_window_is_followed() -> None:
    browser = WindowInfo(title="Docs - Firefox", process="firefox", pid=5, window_id=9)
    source = ScriptedSource(browser)
    switcher, engine, _ = make(config(), source)
    switcher.start()
    try:
        assert engine.profile == "present"  # no rule: the active profile
        source.window = WindowInfo(title="Music - YouTube - Firefox", process="firefox", pid=5,
                                   window_id=9)  # fmt: skip
        watcher_reacts(lambda: engine.profile == "media")
    finally:
        switcher.stop()


def test_own_windows_hold_actions_back_but_not_the_arm_gesture() -> None:
    source = ScriptedSource(OURS)
    cfg = config()
    switcher, engine, sink = make(cfg, source)
    switcher.start()
    try:
        records = gesture(engine, "thumb_up", 0.0)
        assert [r.status for r in records if r.kind == "action"] == ["own_window"]
        assert switcher.choice.window == OURS and "HandCue" in OWN_WINDOW_REASON
        assert sink.calls == []
        # the arm gesture still works in HandCue's own window
        engine.handle([GestureEvent("started", "i_love_you", 1, "Right", 100.0, 100.0)],
                      frame(100.0))  # fmt: skip
        engine.handle([], frame(100.0 + cfg.actions.arm_hold_ms))
        assert engine.armed is False
        engine.set_armed(True)
        source.window = PRESENTER
        watcher_reacts(lambda: switcher.window == PRESENTER)
        gesture(engine, "thumb_up", 3000.0)
        assert ("press_key", "n") in sink.calls
    finally:
        switcher.stop()


def test_own_window_guard_can_be_switched_off_and_releases_held_keys() -> None:
    source = ScriptedSource(PRESENTER)
    switcher, engine, sink = make(config(protect_own_windows=False), source)
    switcher.start()
    switcher.on_window(OURS)
    gesture(engine, "thumb_up", 0.0)
    assert ("press_key", "n") in sink.calls  # not protected
    switcher.set_config(config())  # protection on again, while HandCue has the focus
    gesture(engine, "fist", 100.0)
    assert sink.held_keys == []
    assert engine.handle([], frame(140.0)) == []  # nothing more fires
    switcher.stop()


def test_guard_release_of_held_keys() -> None:
    source = ScriptedSource(PRESENTER)
    switcher, engine, sink = make(config(), source)
    switcher.start()
    gesture(engine, "fist", 0.0)
    assert sink.held_keys == ["shift"]
    switcher.on_window(OURS)  # the user clicks into HandCue's window
    assert sink.held_keys == []
    switcher.stop()


@pytest.mark.parametrize("how", ["settings", "run option"])
def test_pinned_profile_ignores_the_window(how: str) -> None:
    source = ScriptedSource(PLAYER)
    if how == "settings":
        switcher, engine, _ = make(config(pinned="present"), source)
    else:
        switcher, engine, _ = make(config(), source, pinned="present")
    switcher.start()
    try:
        assert engine.profile == "present"
        assert switcher.choice.source == "pinned"
    finally:
        switcher.stop()
    if how == "settings":  # unpinning: the window decides again
        switcher.set_config(config())
        assert engine.profile == "media"


def test_unavailable_keeps_the_profile_chosen_by_hand() -> None:
    cfg = config()
    engine = ActionEngine(cfg, RecordingSink(), profile="media", armed=True)

    def no_source() -> ScriptedSource:
        raise WatcherUnavailable("automatic profile switching is not available on Wayland")

    switcher = ProfileSwitcher(engine, cfg, source_factory=no_source)
    assert switcher.start() == "automatic profile switching is not available on Wayland"
    assert engine.profile == "media"
    assert switcher.choice.source == "manual" and "Wayland" in switcher.choice.reason
    switcher.stop()


def test_a_source_that_breaks_later_is_reported_once_and_the_profile_stays() -> None:
    source = ScriptedSource(PLAYER)
    switcher, engine, _ = make(config(), source)
    switcher.start()
    assert engine.profile == "media"
    source.fail = ConnectionError("X server went away")
    watcher_reacts(lambda: switcher.unavailable is not None)
    assert "X server went away" in switcher.unavailable
    watcher_reacts(lambda: source.closed)
    assert engine.profile == "media"
    switcher.stop()


def test_a_first_read_that_fails_is_unavailable_not_a_crash() -> None:
    source = ScriptedSource()
    source.fail = OSError("broken pipe")
    switcher, engine, _ = make(config(), source)
    assert "broken pipe" in (switcher.start() or "")
    assert engine.profile == "present" and source.closed


def test_watcher_polls_in_its_thread_and_measures_itself() -> None:
    source = ScriptedSource(OTHER)
    changes: list = []
    watcher = WindowWatcher(source, changes.append, interval_s=0.01)
    watcher.start()
    assert changes == [OTHER]  # the first read happens in start()
    watcher_reacts(lambda: source.polls >= 5)
    source.window = None
    watcher_reacts(lambda: changes[-1] is None)
    watcher.stop()
    assert not watcher.running
    assert changes == [OTHER, None]  # unchanged polls report nothing
    assert 0.0 <= watcher.cpu_share < 1.0


def test_make_switcher_builds_from_the_settings() -> None:
    cfg = config()
    engine = ActionEngine(cfg, RecordingSink())
    source = ScriptedSource(PLAYER)
    switcher = make_switcher(cfg, engine, source_factory=lambda: source)
    switcher.start()
    try:
        assert engine.profile == "media"
        assert switcher.watcher is not None and switcher.watcher.interval_s == 0.02
    finally:
        switcher.stop()


def test_no_window_for_a_moment_keeps_the_profile() -> None:
    """Window managers clear the active window while focus moves: no flicker to the default."""
    source = ScriptedSource(PLAYER)
    switcher, engine, _ = make(config(), source)
    switcher.on_window(PLAYER)
    assert engine.profile == "media"
    switcher.on_window(None)
    assert engine.profile == "media" and switcher.choice.source == "no_window"
    switcher.on_window(PRESENTER)
    assert engine.profile == "present"


class ListeningSource(ScriptedSource):
    """A source that reports changes (like X11 with EWMH): polled only when told, or every
    LISTEN_POLL_EVERY quiet intervals."""

    def __init__(self, window: WindowInfo | None = None) -> None:
        super().__init__(window)
        self.changed = threading.Event()
        self.waits = 0
        self.timeouts: list[float] = []

    def wait_for_change(self, timeout_s: float, wake_fd: int) -> bool:
        self.waits += 1
        self.timeouts.append(timeout_s)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:  # the wake-up pipe, as select() would watch it
            if self.changed.wait(0.005):
                self.changed.clear()
                return True
            if select.select([wake_fd], [], [], 0)[0]:
                return False
        return False


def test_watcher_polls_a_listening_source_when_it_reports_a_change() -> None:
    from pipeline.focus.switcher import LISTEN_POLL_EVERY

    source = ListeningSource(OTHER)
    changes: list = []
    watcher = WindowWatcher(source, changes.append, interval_s=0.01)
    watcher.start()
    try:
        watcher_reacts(lambda: source.waits >= 3)
        # one poll per quiet while (LISTEN_POLL_EVERY intervals), not one per interval
        assert source.timeouts[0] == pytest.approx(0.01 * LISTEN_POLL_EVERY)
        assert source.polls <= source.waits + 1
        source.window = PLAYER
        source.changed.set()
        watcher_reacts(lambda: changes[-1] == PLAYER)
    finally:
        watcher.stop()
    assert changes == [OTHER, PLAYER]


def test_stop_wakes_a_listening_source() -> None:
    source = ListeningSource(OTHER)
    watcher = WindowWatcher(source, lambda info: None, interval_s=1.0)  # waits of 10 s
    watcher.start()
    watcher_reacts(lambda: source.waits >= 1)
    started = time.monotonic()
    watcher.stop(timeout_s=20.0)
    assert time.monotonic() - started < 5.0  # not the 10 s the wait would last
    assert not watcher.running and source.closed
