"""While calibrating the pointer's active area the Settings dialog shows the camera's picture,
with the hand's point and the area reached so far (the dialog covers the live view; issue 39,
item 9)."""

from __future__ import annotations

import numpy as np

from app.gui.settings_dialog import SettingsDialog
from app.gui.worker import TrackedFrame
from pipeline.types import FrameResult
from tests.support.gui_fakes import hand_from_landmarks, synthetic_landmarks


def frame_with_hand(index: int, cx: float, cy: float) -> TrackedFrame:
    hand = hand_from_landmarks(synthetic_landmarks(cx=cx, cy=cy))
    image = np.full((720, 1280, 3), 40, np.uint8)
    return TrackedFrame(
        image=image, result=FrameResult(index, index * 33.0, 1280, 720, (hand,), False)
    )


def test_the_picture_shows_while_calibrating_and_goes_after(qtbot, make_window) -> None:
    window = make_window()
    dialog = SettingsDialog(window.ctx, window, pointer=window.pointer_mode,
                            frames=window.session.frame_ready, mirrored=True)  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.show()
    page = dialog.pointer_page
    preview = page.calibration_preview
    assert preview.isHidden()
    page.calibrate.click()
    assert not preview.isHidden()
    for i, (cx, cy) in enumerate([(440, 300), (840, 300), (840, 520)]):
        window.session.frame_ready.emit(frame_with_hand(i, cx, cy))
    assert preview.frames_shown == 3
    picture = preview.pixmap()
    assert not picture.isNull() and picture.width() == 320 and picture.height() == 180
    # the area reached so far is drawn: its outline is green where the picture is grey
    image = picture.toImage()
    xs, ys = [p[0] for p in preview.reached], [p[1] for p in preview.reached]
    assert max(xs) - min(xs) > 0.25 and max(ys) - min(ys) > 0.25
    left = round((1.0 - max(xs)) * 320)  # mirrored: the largest x is drawn on the left
    top = round(min(ys) * 180)
    middle = round((min(ys) + max(ys)) / 2 * 180)
    colour = image.pixelColor(left, middle)
    assert colour.green() - colour.red() > 50, (left, top, colour.name())  # grey is 40,40,40
    window.pointer_mode._finish_calibration()
    assert preview.isHidden()
    # no longer fed: a later frame changes nothing
    window.session.frame_ready.emit(frame_with_hand(9, 640, 400))
    assert preview.frames_shown == 3


def test_without_a_live_source_nothing_shows(qtbot, make_window) -> None:
    window = make_window()
    dialog = SettingsDialog(window.ctx, window, pointer=window.pointer_mode)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.pointer_page.calibrate.click()
    assert dialog.pointer_page.calibration_preview.isHidden()
    window.pointer_mode._finish_calibration()
