"""Startup wiring: context from the config files, the window + tray, the pause hotkey."""

from __future__ import annotations

import app.gui.app as gui_app


def test_build_context_uses_isolated_config(qtbot):
    from pipeline.actions.sink import RecordingSink
    from pipeline.settings import config_path

    sink = RecordingSink()
    ctx = gui_app.build_context(sink=sink)
    assert ctx.sink is sink
    assert not ctx.engine.armed  # the GUI starts disarmed
    assert "handcue-home" in str(config_path())
    assert ctx.profile_names()[:3] == ["slides", "media", "custom"]


def test_broken_config_file_gives_defaults_and_a_message(qtbot):
    from pipeline.actions.sink import RecordingSink
    from pipeline.settings import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[tracker]\nmax_hands = 9\n")
    ctx = gui_app.build_context(sink=RecordingSink())
    assert ctx.config.tracker.max_hands == 2
    assert any("max_hands" in p for p in ctx.config_problems)


def test_no_display_means_no_input_but_the_app_runs(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    sink, warnings = gui_app.desktop_sink()
    from pipeline.actions.sink import RecordingSink

    assert isinstance(sink, RecordingSink)
    assert warnings and "unavailable" in warnings[0]


def test_window_and_tray_start(qtbot, make_ctx):
    ctx = make_ctx()
    window = gui_app.create_main_window(ctx)
    qtbot.addWidget(window)
    try:
        assert window.tray.menu.actions()
        qtbot.waitUntil(lambda: window._warm_up is None or not window._warm_up.isRunning())
    finally:
        window.shutdown()


def test_pause_hotkey_toggles_pause(qtbot, make_window, monkeypatch):
    import app.input_sink as input_sink

    started = []

    class FakeHotkey:
        def __init__(self, hotkey, on_pressed):
            self.hotkey, self.on_pressed = hotkey, on_pressed

        def start(self):
            started.append(self)
            return True

        def stop(self):
            pass

    monkeypatch.setattr(input_sink, "PauseHotkey", FakeHotkey)
    window = make_window()
    listener = gui_app.start_pause_hotkey(window)
    assert listener is started[0]
    assert listener.hotkey == window.ctx.config.actions.pause_hotkey
    listener.on_pressed()  # from pynput's thread in real life: queued into the GUI thread
    qtbot.waitUntil(lambda: window.ctx.engine.paused)
    assert window.arm_state == "paused"
