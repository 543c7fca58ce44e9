"""The pointing test window (app.gui.pointing_test) driven by a scripted pointer whose Fitts
figures are known: targets shown, selections counted, the result shown and saved; its own
buttons work with the test's pointer; a source that ends early cancels; a mouse click is a
selection (Tools > Pointing test uses the system pointer); the menu item opens it."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from app.gui.pointing_sources import MousePointerSource, ScriptPlayer
from app.gui.pointing_test import ACTIVE, TARGET, PointingTestWindow, open_pointing_test
from pipeline.paths import data_dir
from pipeline.pointer.fitts import DONE, TASK, PointerScript, TappingTask
from pipeline.pointer.fitts_history import read_history
from pipeline.pointer.settings import PointerSettings
from tests.support.pointer_scripts import known_path


def _close(a: QColor, b: QColor, tol: int = 12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


@pytest.fixture
def window(qtbot):
    w = PointingTestWindow((1024, 640), settings=PointerSettings(), source_name="script")
    qtbot.addWidget(w)
    w.resize(1024, 640)
    w.show()
    qtbot.waitExposed(w)
    return w


def _pixel(window: PointingTestWindow, x: float, y: float) -> QColor:
    p = window.task_to_widget(x, y)
    return window.grab().toImage().pixelColor(round(p.x()), round(p.y()))


def test_scripted_pointer_runs_the_task_and_shows_the_result(window, qtbot) -> None:
    known = known_path()
    events = known.script.events
    # up to the first click: the hold-still phase is over, the targets are up
    first_click = next(i for i, e in enumerate(events) if e.click)
    for e in events[:first_click]:
        window.on_pointer(e.t_ms, e.x, e.y)
    assert window.task.phase == TASK
    assert window.task.jitter_px == pytest.approx(1.2, rel=0.02)
    centres = window.task.centres
    active = window.task.target
    assert _close(_pixel(window, *centres[active]), ACTIVE)
    assert _close(_pixel(window, *centres[(active + 3) % 13]), TARGET)
    # the rest, played by the timer (fast; the scores use the script's own times)
    rest = PointerScript(known.script.screen, events[first_click:])
    player = ScriptPlayer(rest, window, speed=400.0, parent=window)
    with qtbot.waitSignal(window.finished, timeout=60_000) as blocker:
        player.start()
    outcome = blocker.args[0]
    assert window.selections_seen == 6 * 14 and window.task.phase == DONE
    result = outcome.result
    assert result.throughput == pytest.approx(known.expected_throughput, rel=0.05)
    assert result.errors == known.expected_errors and result.trials == 78
    assert result.mt_ms == pytest.approx(900.0)
    assert result.source == "script" and result.settings["min_cutoff_hz"] == 1.0
    # the result view: figures drawn, buttons up; the history has the result
    assert window.showing_result
    again = window._buttons()["again"]
    image = window.grab().toImage()
    inside = (round(again.left() + 8), round(again.center().y()))  # beside the white label
    assert _close(image.pixelColor(*inside), ACTIVE, 40)
    saved = read_history(data_dir() / "pointer-tests.jsonl")
    assert len(saved) == 1 and saved[0].throughput == pytest.approx(result.throughput, abs=1e-3)


def _finish_quickly(window: PointingTestWindow) -> None:
    for e in known_path().script.events:
        window.on_pointer(e.t_ms, e.x, e.y)
        if e.click:
            window.on_click(e.t_ms, e.x, e.y)


def test_the_test_pointer_presses_test_again_and_close(window, qtbot) -> None:
    _finish_quickly(window)
    assert window.outcome is not None
    again = window.widget_to_task(window._buttons()["again"].center())
    window.on_click(1e9, *again)
    assert window.outcome is None and window.task.phase != DONE
    _finish_quickly(window)
    assert len(read_history(data_dir() / "pointer-tests.jsonl")) == 2
    close = window.widget_to_task(window._buttons()["close"].center())
    window.on_click(2e9, *close)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_a_source_that_ends_early_cancels_with_the_reason(window, qtbot) -> None:
    short = PointerScript((1024, 640), known_path().script.events[:200])
    player = ScriptPlayer(short, window, speed=200.0, parent=window)
    with qtbot.waitSignal(window.cancelled, timeout=30_000) as blocker:
        player.start()
    assert "ended before the test was done" in blocker.args[0]
    assert window.outcome is None and "ended" in window.message
    assert read_history(data_dir() / "pointer-tests.jsonl") == []


def test_closing_early_cancels_and_saves_nothing(window, qtbot) -> None:
    with qtbot.waitSignal(window.cancelled, timeout=5000) as blocker:
        window.close()
    assert "closed before the end" in blocker.args[0]


def test_a_mouse_click_on_the_target_is_a_selection(window, qtbot) -> None:
    from PySide6.QtCore import Qt

    window.task = TappingTask(1024, 640, hold_ms=0)
    source = MousePointerSource(window)
    source.start()
    target = window.task_to_widget(*window.task.centres[window.task.target]).toPoint()
    qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=target)
    qtbot.waitUntil(lambda: window.selections_seen == 1, timeout=5000)
    (selection,) = window.task.selections[0]
    assert selection.hit and selection.target == 0 and window.task.target == 7
    miss = window.task_to_widget(5, 5).toPoint()
    qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=miss)
    qtbot.waitUntil(lambda: window.selections_seen == 2, timeout=5000)
    assert not window.task.selections[0][1].hit
    source.stop()


def test_tools_menu_opens_the_pointing_test(make_window, qtbot) -> None:
    main = make_window()
    tools = next(a.menu() for a in main.menuBar().actions() if a.text() == "&Tools")
    assert main.pointing_test_action in tools.actions()
    assert "&" in main.pointing_test_action.text()
    main.pointing_test_action.trigger()
    test_window = main.pointing_test_window
    qtbot.addWidget(test_window)
    assert isinstance(test_window, PointingTestWindow) and test_window.isVisible()
    # pointer mode is off here: the system pointer (a mouse) drives it and is not drawn
    assert test_window.source_name == "mouse" and not test_window.draw_pointer
    assert open_pointing_test(main) is test_window  # a second trigger raises the same window
    test_window.close()
    qtbot.waitUntil(lambda: not test_window.isVisible(), timeout=5000)


@pytest.mark.realdata
def test_the_hand_in_a_video_drives_the_test_pointer(qtbot, shared_data) -> None:
    """``handcue pointer-test --source VIDEO``: the hand tracked in a video moves the test's
    pointer through pointer mode (samples reach the window on the GUI thread), and the video
    ending before the test is done cancels it."""
    import threading

    from app.gui.pointing_sources import HandPointerSource
    from pipeline.runtime import make_tracker
    from pipeline.settings import load_config
    from pipeline.sources import open_source

    seen: list[tuple[float, float]] = []
    threads: set[str] = set()

    class Recording(PointingTestWindow):
        def on_pointer(self, t_ms: float, x: float, y: float) -> None:
            seen.append((x, y))
            threads.add(threading.current_thread().name)
            super().on_pointer(t_ms, x, y)

    cfg, _ = load_config()
    window = Recording((1024, 640), settings=cfg.pointer, source_name="hand")
    qtbot.addWidget(window)
    source = HandPointerSource(
        open_source(str(shared_data / "videos" / "open_hand_360p.mp4")), make_tracker(cfg),
        cfg, (1024, 640), window, parent=window,
    )  # fmt: skip
    with qtbot.waitSignal(window.cancelled, timeout=120_000) as blocker:
        source.start()
    source.stop()
    assert "ended before the test was done" in blocker.args[0]
    assert len(seen) > 50  # the hand is in view for most of the 8 s video
    assert threads == {threading.main_thread().name}  # delivered on the GUI thread
    assert all(0 <= x <= 1023 and 0 <= y <= 639 for x, y in seen)
    assert len({(round(x), round(y)) for x, y in seen}) > 10  # it moved the pointer
