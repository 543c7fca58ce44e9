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
    import app.desktop.input_sink as input_sink

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


def test_models_load_while_the_window_is_built(qtbot, make_ctx, tmp_path):
    """Start-up: start_warm_up loads the tracker (for the source's mode) before the window
    exists; the window adopts the thread and the source's session reuses that tracker."""
    from tests.support.gui_fakes import FakeTracker

    loads: list[bool] = []
    tracker = FakeTracker(frames=[])

    def factory(_cfg, *, mode, threads):
        loads.append(mode.static)
        return tracker

    ctx = make_ctx(tracker_factory=factory)
    thread = gui_app.start_warm_up(ctx, str(tmp_path))  # an image folder: static mode
    assert thread.wait(5000)
    assert loads == [True]
    window = gui_app.create_main_window(ctx, warm_up=thread)
    qtbot.addWidget(window)
    try:
        assert window._warm_up is thread and thread.parent() is window
        ctx.build_runtime(str(tmp_path))  # what the tracking thread does for the folder
        assert loads == [True]  # not loaded again
    finally:
        window.shutdown()


def test_an_image_or_a_folder_is_analysed_as_photos(make_ctx, tmp_path, monkeypatch):
    """The image view's source (one image file) and a folder get a static-mode tracker and a
    runtime in photo mode (as ``handcue detect``), on every core (the user waits for each
    photo); a video gets neither and leaves a core free."""
    import cv2
    import numpy as np

    from pipeline.sources import RunningMode
    from tests.support.gui_fakes import FakeTracker

    monkeypatch.setattr("os.cpu_count", lambda: 4)
    modes: list[bool] = []
    threads_used: list[int] = []

    def factory(_cfg, *, mode, threads):
        modes.append(mode.static)
        threads_used.append(threads)
        return FakeTracker(frames=[])

    image = tmp_path / "photos" / "a.png"
    image.parent.mkdir()
    cv2.imwrite(str(image), np.zeros((8, 8, 3), np.uint8))
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not read here")
    for spec, photos in ((image, True), (image.parent, True), (video, False)):
        ctx = make_ctx(tracker_factory=factory)
        assert (ctx.build_runtime(str(spec)).mode is RunningMode.PHOTOS) is photos
        assert modes[-1] is photos
        assert threads_used[-1] == (4 if photos else 3)
        assert ctx.tracker_config(str(spec)).threads == threads_used[-1]
    # A number the user chose is kept for both.
    ctx = make_ctx(tracker_factory=factory)
    cfg = ctx.config
    ctx._config = cfg.model_copy(update={"tracker": cfg.tracker.model_copy(update={"threads": 2})})
    assert ctx.inference_threads(str(image)) == ctx.inference_threads(str(video)) == 2


def test_a_failed_warm_up_is_reported_when_no_source_starts(qtbot, make_ctx):
    from pipeline.errors import ModelsMissingError

    def factory(_cfg, **_kw):
        raise ModelsMissingError("models are missing: run handcue models install")

    ctx = make_ctx(tracker_factory=factory)
    thread = gui_app.start_warm_up(ctx)
    window = gui_app.create_main_window(ctx, warm_up=thread)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: "handcue models install" in window.banner.label.text())
    finally:
        window.shutdown()


def test_warm_up_priority_only_lowered_when_inference_has_threads(qtbot, make_ctx, monkeypatch):
    """onnxruntime's pool threads inherit the loading thread's priority, so it is lowered
    first when there is a pool (threads > 1); with one thread the models load at normal
    priority (start-up the user waits for)."""
    import app.gui.session_control as sc

    lowered: list[int] = []
    monkeypatch.setattr(sc, "lower_thread_priority", lambda niceness=10: lowered.append(niceness))
    for threads, expected in ((1, []), (3, [10])):
        ctx = make_ctx()
        cfg = ctx.config
        ctx._config = cfg.model_copy(update={"tracker": cfg.tracker.model_copy(
            update={"threads": threads})})  # fmt: skip
        lowered.clear()
        thread = sc.WarmUpThread(ctx)
        thread.start()
        assert thread.wait(5000)
        assert lowered == expected, threads


def test_every_stop_signal_releases_and_quits_the_same_way(qtbot):
    """SIGINT, SIGTERM, SIGHUP and SIGQUIT get one handler: it releases held input and quits,
    once. (The fault-injection matrix sends SIGINT and SIGTERM to the real app; SIGHUP and
    SIGQUIT, which take this same handler, only to ``handcue run``.)"""
    import os
    import signal

    from PySide6.QtCore import QObject

    released: list[int] = []
    quits: list[int] = []

    class App(QObject):  # the signal ticker's parent; exit() is what the handler calls
        def exit(self, code: int) -> None:
            quits.append(1)

    app = App()
    previous = gui_app.install_stop_signals(app, lambda: released.append(1))
    try:
        handlers = {getattr(signal, name): signal.getsignal(getattr(signal, name))
                    for name in gui_app.STOP_SIGNALS}  # fmt: skip
        assert set(handlers) == {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT}
        assert len(set(handlers.values())) == 1 and callable(handlers[signal.SIGHUP])
        os.kill(os.getpid(), signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGQUIT)  # a second signal must not act again
        assert released == [1] and quits == [1]
    finally:
        gui_app.restore_signals(previous)


def test_a_stop_signal_ends_the_loop_without_closing_windows_in_it(qtbot):
    """The stop signal ends the event loop with the windows still open; the app shuts them
    down after the loop. QApplication.quit() would close every window inside the loop while
    frames still arrive: an update to a closed window then crashed Qt (segfault on SIGTERM in
    about 1 run in 6 of the real app under Xvfb)."""
    import os
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance()
    window = QLabel("tracking")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    closed: list[bool] = []
    window.closeEvent = lambda event: (closed.append(True), event.accept())  # type: ignore
    previous = gui_app.install_stop_signals(app, lambda: None)
    way_out = QTimer()  # the test's own, stopped after: it must not end a later test's loop
    way_out.setSingleShot(True)
    way_out.timeout.connect(lambda: app.exit(3))
    try:
        QTimer.singleShot(50, lambda: os.kill(os.getpid(), signal.SIGTERM))
        way_out.start(5000)
        assert app.exec() == 0
    finally:
        way_out.stop()
        gui_app.restore_signals(previous)
        for ticker in app.findChildren(QTimer, "signal_ticker"):
            ticker.stop()
            ticker.deleteLater()
    assert closed == [] and window.isVisible()
