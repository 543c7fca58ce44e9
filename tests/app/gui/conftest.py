"""Fixtures for the GUI tests: an AppContext wired to fakes, and a main window that is shut
down (threads stopped) at the end of each test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.gui.context import AppContext
from tests.support.gui_fakes import FakeGestures, FakeSourceFactory, FakeTracker


@pytest.fixture
def make_ctx(tmp_path) -> Callable[..., AppContext]:
    """Build an AppContext on fakes; keyword arguments override the defaults."""

    def make(**kwargs) -> AppContext:
        from pipeline.actions import sink as sink_module
        from pipeline.actions.engine import ActionEngine
        from pipeline.gestures.templates import TemplateStore
        from pipeline.settings import load_config, save_config

        cfg, problems = load_config()
        sink = kwargs.pop("sink", None) or sink_module.RecordingSink()
        engine = ActionEngine(cfg, sink)
        tracker = kwargs.pop("tracker", None) or FakeTracker(frames=[])
        gesture = kwargs.pop("gesture", "thumb_up")
        defaults = dict(
            engine=engine,
            sink=sink,
            config_problems=problems,
            save_config=save_config,
            tracker_factory=lambda _cfg, **_kw: tracker,
            gesture_factory=lambda _cfg, _t: FakeGestures(gesture),
            templates=TemplateStore(),
            templates_loader=TemplateStore,
            opener=FakeSourceFactory(frames=100000, fps=60),
            list_cameras=lambda: [],
            retry_s=0.05,
        )
        defaults.update(kwargs)
        ctx = AppContext(cfg, **defaults)
        ctx.fake_tracker = tracker  # type: ignore[attr-defined]
        return ctx

    return make


@pytest.fixture
def make_window(qtbot, make_ctx):
    """Build a MainWindow (3D view off: offscreen has no OpenGL); shut down after the test."""
    from app.gui.main_window import MainWindow

    windows = []

    def make(ctx: AppContext | None = None, **ctx_kwargs) -> MainWindow:
        window = MainWindow(ctx or make_ctx(**ctx_kwargs), enable_3d=False)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
