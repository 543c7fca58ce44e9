"""The pointer overlay never hides what is under the middle of its ring (the window's shape is
the ring, not a disc: without a compositor a translucent window is opaque), shows the dwell
progress as a thick arc, and says "paused" while HandCue is paused (not "disarmed")."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage

from app.gui.pointer_overlay import DWELL_COLOUR, SIZE, PointerOverlay
from pipeline.pointer import PointerState
from pipeline.pointer.controller import PointerController
from pipeline.pointer.geometry import Desktop
from pipeline.pointer.settings import PointerSettings
from pipeline.types import FrameResult


def _overlay(qtbot, **state) -> PointerOverlay:
    overlay = PointerOverlay()
    qtbot.addWidget(overlay)
    overlay.show_state(PointerState(mode="tracking", x=100.0, y=100.0, **state))
    return overlay


def test_the_middle_of_the_ring_is_not_part_of_the_window(qtbot):
    centre = QPoint(SIZE // 2, SIZE // 2)
    overlay = _overlay(qtbot)
    assert not overlay.mask().contains(centre)  # the click target shows through
    assert overlay.mask().contains(QPoint(SIZE // 2, 9))  # the ring itself is there
    pinching = _overlay(qtbot, pinch="left", drag_progress=0.5)
    assert pinching.mask().contains(centre)  # a pinch in progress is drawn in the middle
    overlay.show_state(PointerState(mode="tracking", x=1.0, y=1.0, pinch="left"))
    assert overlay.mask().contains(centre)  # the shape follows the state
    overlay.show_state(PointerState(mode="tracking", x=1.0, y=1.0))
    assert not overlay.mask().contains(centre)


def test_the_dwell_progress_is_a_thick_arc_on_the_ring(qtbot):
    overlay = _overlay(qtbot, dwell_progress=0.5)
    image = overlay.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    right = QColor(image.pixel(SIZE - 5, SIZE // 2))  # a quarter round, clockwise from the top
    left = QColor(image.pixel(4, SIZE // 2))  # three quarters: not reached at 50%
    assert abs(right.blue() - DWELL_COLOUR.blue()) < 40 or right.lightness() > 200
    assert not (abs(left.blue() - DWELL_COLOUR.blue()) < 40 and left.red() < 100)


def test_paused_is_said_as_paused():
    controller = PointerController(PointerSettings(), Desktop.single(1920, 1080))
    empty = FrameResult(0, 0.0, 640, 480, (), False)
    controller.step(empty, active=False, paused=True)
    assert controller.state.mode == "paused"
    controller.step(empty, active=False)
    assert controller.state.mode == "disarmed"
