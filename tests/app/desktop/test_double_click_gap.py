"""A double click goes out as two clicks a short gap apart, as a hand makes it: sent back to
back, the second click was now and then lost on a busy machine (the palette's double click by
dwell arrived as a single click under Xvfb)."""

from __future__ import annotations

import time

from app.desktop.input_sink import DOUBLE_CLICK_GAP_S, PynputSink


class Mouse:
    def __init__(self) -> None:
        self.clicks: list[tuple[object, int, float]] = []

    def click(self, button: object, count: int) -> None:
        self.clicks.append((button, count, time.monotonic()))


def sink_with(mouse: Mouse) -> PynputSink:
    sink = PynputSink.__new__(PynputSink)  # no display needed for what is tested here
    sink._mouse = mouse
    sink._buttons = {"left": "L", "right": "R", "middle": "M"}
    sink.display_lost = None
    return sink


def test_a_double_click_is_two_clicks_a_gap_apart() -> None:
    mouse = Mouse()
    sink_with(mouse).click("left", 2)
    assert [(b, n) for b, n, _ in mouse.clicks] == [("L", 1), ("L", 1)]
    assert mouse.clicks[1][2] - mouse.clicks[0][2] >= DOUBLE_CLICK_GAP_S * 0.9
    assert DOUBLE_CLICK_GAP_S < 0.2  # well inside any desktop's double-click time


def test_a_single_click_does_not_wait() -> None:
    mouse = Mouse()
    sink_with(mouse).click("right")
    assert [(b, n) for b, n, _ in mouse.clicks] == [("R", 1)]
