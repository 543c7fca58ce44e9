"""Gallery pictures read at a glance: the palm is filled, each fingertip is a dot in its
finger's colour, bones are thick enough to see at the gallery's size (issue 39, cosmetics)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from app.gui.guide import PICTURE, load_poses
from app.gui.skeleton_icons import BACKGROUND, PALM_OUTLINE, TIPS, fit_points, skeleton_drawing
from pipeline.skeleton import BONES, FINGER_COLOURS


def _picture(points: np.ndarray, size: int):
    image = skeleton_drawing(points, size).pixmap(size, size).toImage()
    return image, fit_points(points, size)


def test_palm_filled_and_tips_in_their_colours(qtbot) -> None:
    points = load_poses()["open_palm"]
    image, placed = _picture(points, PICTURE)
    centre = placed[list(PALM_OUTLINE)].mean(axis=0)
    assert image.pixelColor(*np.round(centre).astype(int)) != BACKGROUND
    finger_of = {b: finger for _, b, finger in BONES}
    for tip in TIPS:
        x, y = np.round(placed[tip]).astype(int)
        want = QColor(*FINGER_COLOURS[finger_of[tip]])
        got = image.pixelColor(x, y)
        assert abs(got.red() - want.red()) + abs(got.green() - want.green()) < 60, (tip, got.name())


def test_bones_are_thick_enough_to_see(qtbot) -> None:
    points = load_poses()["open_palm"]
    image, _ = _picture(points, PICTURE)
    drawn = sum(
        image.pixelColor(x, y) != BACKGROUND for x in range(PICTURE) for y in range(PICTURE)
    )
    assert drawn > 0.16 * PICTURE * PICTURE  # thin 2 px lines and no palm: 11%; now 21%
