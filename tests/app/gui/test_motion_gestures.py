"""The movement gestures (swipes, drag, zoom, tap, double tap, circles) in the GUI: a picture
and a sentence each in the gallery, pictures that tell paired movements apart, circles that
turn the way their name says, and a mapping form that explains movements and offers only the
triggers each one allows."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage, QPainter

from app.gui import motion_pictures
from app.gui.guide import DESCRIPTIONS, GalleryDialog, gesture_picture, load_poses
from app.gui.mapping_editor import MappingEditor
from app.gui.mapping_form import HELD_TRIGGERS, motion_hint
from pipeline.gestures import DYNAMIC_GESTURES
from pipeline.settings import MOTION_GESTURES, is_one_shot, load_config


def _image(gesture: str, size: int = 112) -> QImage:
    icon = gesture_picture(gesture, load_poses(), size=size)
    assert icon is not None, gesture
    return icon.pixmap(size, size).toImage()


# ----------------------------------------------------------------------------- pictures


def test_the_gui_knows_the_same_movements_as_the_settings():
    assert set(DYNAMIC_GESTURES) == set(MOTION_GESTURES)


@pytest.mark.parametrize("gesture", DYNAMIC_GESTURES)
@pytest.mark.parametrize("size", [112, 64])  # the gallery's cards and the guide's rows
def test_every_movement_has_a_picture_and_a_sentence(qapp, gesture, size):
    image = _image(gesture, size)
    assert not image.isNull() and image.size().width() == size
    background = image.pixelColor(0, 0)
    marked = sum(image.pixelColor(x, y) != background
                 for x in range(0, size, 2) for y in range(0, size, 2))  # fmt: skip
    assert marked > (size // 2) ** 2 * 0.04, f"{gesture}: the picture is almost empty"
    assert DESCRIPTIONS.get(gesture, "").strip(), f"{gesture} has no description"


def test_every_movement_picture_is_its_own(qapp):
    images = {g: _image(g) for g in DYNAMIC_GESTURES}
    same = [(a, b) for a, b in itertools.combinations(DYNAMIC_GESTURES, 2)
            if images[a] == images[b]]  # fmt: skip
    assert same == []


@pytest.mark.parametrize(
    ("a", "b"),
    [("zoom_in", "zoom_out"), ("circle_cw", "circle_ccw"), ("tap", "double_tap"),
     ("swipe_left", "swipe_right"), ("swipe_up", "swipe_down")],
)  # fmt: skip
def test_paired_movements_are_told_apart(qapp, a, b):
    first, second = _image(a), _image(b)
    differ = sum(first.pixel(x, y) != second.pixel(x, y)
                 for x in range(first.width()) for y in range(first.height()))  # fmt: skip
    assert differ > 150, f"{a} and {b} differ in only {differ} pixels"


def test_swipes_no_longer_ask_for_an_open_palm():
    for gesture in ("swipe_left", "swipe_right", "swipe_up", "swipe_down"):
        assert "open hand" not in DESCRIPTIONS[gesture]
        assert "flat, open, or pointing" in DESCRIPTIONS[gesture]
    assert "your left" in DESCRIPTIONS["swipe_left"]  # the user's own left
    assert "your right" in DESCRIPTIONS["swipe_right"]


@pytest.mark.parametrize(("gesture", "clockwise"), [("circle_cw", True), ("circle_ccw", False)])
def test_circle_arrows_turn_the_way_the_user_sees_them(gesture, clockwise):
    """On screen (y down) a clockwise turn has a positive cross product of successive radii;
    the arrow head points on along the arc."""
    centre = QPointF(50, 50)
    path, head, heading = motion_pictures.circle_arrow(
        centre, 20.0, clockwise=motion_pictures.CIRCLES[gesture]
    )
    turns = []
    for t in np.linspace(0.0, 0.95, 20):
        a, b = path.pointAtPercent(t) - centre, path.pointAtPercent(t + 0.05) - centre
        turns.append(a.x() * b.y() - a.y() * b.x())
    assert all((turn > 0) == clockwise for turn in turns), turns
    end = path.pointAtPercent(1.0)
    tangent = end - path.pointAtPercent(0.98)
    assert tangent.x() * heading.x() + tangent.y() * heading.y() > 0
    assert math.hypot(head.x() - end.x(), head.y() - end.y()) < 5.0


def test_marks_sit_on_the_drawn_fingertips(qapp):
    """Marks are placed on the points the skeleton renderer fitted: a joint is drawn where
    the picture module thinks each fingertip is."""
    image = QImage(112, 112, QImage.Format.Format_ARGB32)
    image.fill(0)
    p = QPainter(image)
    pts = motion_pictures._pose(p, load_poses()["pointing_up"], 10.0, 20.0, 80.0)
    p.end()
    for tip in (4, 8, 12, 16, 20):  # each tip is a dot (folded tips may overlap)
        colour = image.pixelColor(round(pts[tip][0]), round(pts[tip][1]))
        assert colour.alpha() == 255 and colour.lightness() > 100, (tip, pts[tip], colour.name())


def test_gallery_shows_every_movement_with_its_sentence(make_ctx, qtbot):
    dialog = GalleryDialog(make_ctx())
    qtbot.addWidget(dialog)
    cards = {card.gesture: card for card in dialog.cards}
    for gesture in DYNAMIC_GESTURES:
        card = cards[gesture]
        assert card.accessibleDescription().startswith(DESCRIPTIONS[gesture])
        picture = card.layout().itemAt(0).widget().pixmap()
        assert picture is not None and not picture.isNull(), gesture


# ----------------------------------------------------------------------------- mapping form


@pytest.fixture
def editor(qtbot, make_ctx):
    dialog = MappingEditor(make_ctx())
    qtbot.addWidget(dialog)
    names = [dialog.profile_list.item(i).text() for i in range(dialog.profile_list.count())]
    dialog.profile_list.setCurrentRow(names.index("custom"))
    return dialog


def _trigger_enabled(editor: MappingEditor, key: str) -> bool:
    combo = editor.form.trigger
    return combo.model().item(combo.findData(key)).isEnabled()


@pytest.mark.parametrize("gesture", DYNAMIC_GESTURES)
def test_form_explains_each_movement_and_offers_only_its_triggers(editor, gesture):
    editor.add_mapping(gesture)
    form = editor.form
    assert not form.hold.isEnabled()
    assert form.motion_hint.isVisibleTo(editor)
    assert form.motion_hint.text() == motion_hint(gesture) != ""
    assert "hold time does not apply" in form.motion_hint.text()
    for key in HELD_TRIGGERS:
        assert _trigger_enabled(editor, key) == (not is_one_shot(gesture)), key
    assert _trigger_enabled(editor, "on_start") and _trigger_enabled(editor, "on_end")


def test_form_tells_how_to_drag_with_a_click(editor):
    editor.add_mapping("drag")
    hint = editor.form.motion_hint.text()
    assert "Hold the key down while held" in hint and "click" in hint
    assert not editor.form.hold.isEnabled()


def test_form_is_plain_again_for_a_hand_sign(editor):
    editor.add_mapping("circle_cw")
    editor.add_mapping("fist")
    form = editor.form
    assert form.hold.isEnabled()
    assert not form.motion_hint.isVisibleTo(editor)
    assert all(_trigger_enabled(editor, key) for key in HELD_TRIGGERS)


def _choose(editor: MappingEditor, trigger: str) -> None:
    form = editor.form
    form.action_type.setCurrentIndex(form.action_type.findData("click"))
    form._on_action_type_changed(0)
    form.button_combo.setCurrentIndex(form.button_combo.findData("left"))
    form.trigger.setCurrentIndex(form.trigger.findData(trigger))
    editor._on_form_changed()


def test_a_held_one_shot_movement_is_refused_with_the_reason(editor):
    """A one-shot movement given "hold" (say, the gesture was changed after the trigger)
    stays in the form and the editor says why it cannot be saved."""
    editor.add_mapping("tap")
    _choose(editor, "hold")
    assert not editor.save_button.isEnabled()
    assert "tap is a one-shot gesture: use on_start or on_end" in editor.validation.text()
    assert not editor.save()


def test_drag_with_hold_and_a_click_is_saved(editor):
    editor.add_mapping("drag")
    _choose(editor, "hold")
    assert editor.save_button.isEnabled(), editor.validation.text()
    assert editor.save()
    (saved,) = load_config()[0].profile("custom").mappings
    assert (saved.gesture, saved.action, saved.trigger) == ("drag", "click:left", "hold")


def test_number_cards_say_what_they_are() -> None:
    """The count and total cards of the gallery had a number and no sentence."""
    from app.gui.guide import describe
    from pipeline.gestures import GESTURES_IN_ORDER

    for gesture in GESTURES_IN_ORDER:
        if gesture != "none":
            assert describe(gesture), gesture
    assert "One hand shows 3" in describe("count_3")
    assert "Both hands together show 7" in describe("total_7")
