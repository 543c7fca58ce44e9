"""The click palette (offscreen): its window never takes the focus, it shows the chosen click,
sticky, pause and the dwell under the pointer, it hands its buttons to pointer mode in desktop
pixels (empty when hidden), the real mouse can choose and move it, the app remembers where it
was put, it appears with pointer mode on from the settings (no key pressed) and its buttons grow
when the active area is small. Also the ring's badge and PAUSED label."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from app.gui.click_palette import (
    CHOSEN_BG,
    GRIP,
    PAUSED_BG,
    STICKY_EDGE,
    ClickPalette,
    palette_flags,
)
from app.gui.pointer_overlay import PointerOverlay, _badge, _label
from pipeline.pointer import PointerSettings, PointerState
from pipeline.pointer.click_types import PALETTE_BUTTONS, PaletteLayout
from pipeline.settings.window import GuiPrefs


def colour_at(widget, point: QPoint) -> QColor:
    return widget.grab().toImage().pixelColor(point)


def close(a: QColor, b: QColor, tol: int = 12) -> bool:
    return all(
        abs(x - y) <= tol
        for x, y in ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue()))
    )


@pytest.fixture
def palette(qtbot) -> ClickPalette:
    p = ClickPalette(60)
    qtbot.addWidget(p)
    return p


def test_window_flags_never_take_the_focus_and_stay_on_top() -> None:
    flags = palette_flags("xcb")
    for flag in (Qt.WindowType.Tool, Qt.WindowType.WindowStaysOnTopHint,
                 Qt.WindowType.WindowDoesNotAcceptFocus, Qt.WindowType.FramelessWindowHint,
                 Qt.WindowType.X11BypassWindowManagerHint):  # fmt: skip
        assert flags & flag
    assert not palette_flags("windows") & Qt.WindowType.X11BypassWindowManagerHint
    assert not flags & Qt.WindowType.WindowTransparentForInput  # it takes the real mouse


def test_the_chosen_type_sticky_and_pause_are_shown(palette: ClickPalette) -> None:
    rects = palette.button_rects()
    assert list(rects) == list(PALETTE_BUTTONS)
    corner = {n: r.topLeft() + QPoint(6, 6) for n, r in rects.items()}
    edge = {n: r.topLeft() + QPoint(2, r.height() // 2) for n, r in rects.items()}
    palette.show_state(PointerState(mode="tracking", click_type="left"))
    assert close(colour_at(palette, corner["left"]), CHOSEN_BG)
    assert not close(colour_at(palette, corner["right"]), CHOSEN_BG)
    palette.show_state(PointerState(mode="tracking", click_type="right"))
    assert close(colour_at(palette, corner["right"]), CHOSEN_BG)
    assert not close(colour_at(palette, corner["left"]), CHOSEN_BG)
    assert not close(colour_at(palette, edge["right"]), STICKY_EDGE, tol=30)
    palette.show_state(PointerState(mode="tracking", click_type="right", sticky=True))
    assert close(colour_at(palette, edge["right"]), STICKY_EDGE, tol=30)
    palette.show_state(PointerState(mode="tracking", click_type="right", clicks_paused="palette"))
    assert close(colour_at(palette, corner["pause"]), PAUSED_BG)
    assert not close(colour_at(palette, corner["right"]), CHOSEN_BG)  # nothing chosen while paused


def test_the_dwell_on_a_button_fills_its_bar(palette: ClickPalette) -> None:
    r = palette.button_rects()["double"]
    bar = QPoint(r.left() + 8, r.bottom() - 5)
    palette.show_state(PointerState(mode="tracking", palette_button="double", dwell_progress=0.05))
    before = colour_at(palette, bar)
    palette.show_state(PointerState(mode="tracking", palette_button="double", dwell_progress=0.9))
    after = colour_at(palette, bar)
    assert not close(before, after) and after.red() > 200 and after.green() > 150


def test_layout_in_desktop_pixels_only_while_shown(qtbot, palette: ClickPalette) -> None:
    seen: list[PaletteLayout] = []
    palette.layout_changed.connect(seen.append)
    palette.move(100, 50)
    assert not palette.desktop_layout()  # hidden: nothing to hit
    palette.show()
    qtbot.waitUntil(lambda: bool(seen) and bool(seen[-1]))
    layout = seen[-1]
    left = palette.button_rects()["left"]
    gx, gy = palette.geometry().x() + left.x(), palette.geometry().y() + left.y()
    assert layout.hit(gx + 1, gy + 1) == "left"
    assert layout.hit(gx + 30, gy + 30) == "left"
    assert layout.hit(gx + 1, gy - GRIP) is None  # the grip is no button
    palette.hide()
    assert not seen[-1]


def test_the_real_mouse_chooses_and_moves_the_palette(qtbot, palette: ClickPalette) -> None:
    palette.move(200, 200)
    palette.show()
    qtbot.waitExposed(palette)
    chosen: list[str] = []
    moved: list[QPoint] = []
    palette.chosen.connect(chosen.append)
    palette.moved.connect(moved.append)
    qtbot.mouseClick(
        palette, Qt.MouseButton.LeftButton, pos=palette.button_rects()["scroll"].center()
    )
    assert chosen == ["scroll"]
    grip = QPoint(palette.width() // 2, GRIP // 2)
    qtbot.mousePress(palette, Qt.MouseButton.LeftButton, pos=grip)
    qtbot.mouseMove(palette, grip + QPoint(40, 30))
    qtbot.mouseRelease(palette, Qt.MouseButton.LeftButton, pos=grip + QPoint(40, 30))
    assert chosen == ["scroll"] and moved and moved[-1] == palette.pos()


def test_place_keeps_the_palette_on_a_screen(palette: ClickPalette) -> None:
    palette.place(QPoint(300, 120))
    assert palette.pos() == QPoint(300, 120)
    palette.place(QPoint(-5000, 99999))  # that screen is gone: the default place
    assert palette.pos() != QPoint(-5000, 99999) and palette.pos().x() >= 0


def test_ring_badge_and_paused_label() -> None:
    assert _badge(PointerState(mode="tracking")) == ""
    assert _badge(PointerState(mode="tracking", click_type="right")) == "R"
    assert _badge(PointerState(mode="tracking", click_type="double", sticky=True)) == "2"
    assert _badge(PointerState(mode="tracking", click_type="left", click_step="dragging")) == "D"
    assert _badge(PointerState(mode="tracking", click_step="scrolling")) == "S"
    assert _label(PointerState(mode="tracking", clicks_paused="palette")) == "PAUSED"
    assert _label(PointerState(mode="no_hand", clicks_paused="rest")) == "PAUSED"
    assert _label(PointerState(mode="tracking")) == ""


def test_the_ring_draws_the_badge(qtbot) -> None:
    overlay = PointerOverlay()
    qtbot.addWidget(overlay)
    from app.gui.pointer_overlay import BADGE_CENTRE

    spot = QPoint(BADGE_CENTRE[0] + 6, BADGE_CENTRE[1] - 6)  # off the ring band
    overlay.show_state(PointerState(mode="tracking", x=100, y=100))
    assert not overlay.mask().contains(spot)
    overlay.show_state(
        PointerState(mode="tracking", x=100, y=100, click_type="double", sticky=True)
    )
    assert overlay.mask().contains(spot)


# ---------------------------------------------------------------- in the app
def pointer_ctx(make_ctx, **pointer):
    ctx = make_ctx()
    ctx.set_config(
        ctx.config.model_copy(
            update={"pointer": PointerSettings(enabled=True, dwell_click=True, **pointer)}
        )
    )
    return ctx


def test_pointer_mode_on_from_the_settings_shows_the_palette_without_a_key(
    qtbot, make_window, make_ctx
) -> None:
    window = make_window(pointer_ctx(make_ctx))
    mode = window.pointer_mode
    assert mode.enabled and mode.palette is not None
    qtbot.waitUntil(lambda: mode.palette.isVisible())
    # its buttons reached the hook: the tracking thread hit-tests them
    qtbot.waitUntil(lambda: bool(window.ctx.pointer._driver.controller.palette))
    assert window.ctx.pointer._driver.controller.palette == mode.palette.desktop_layout()
    mode.set_enabled(False)
    assert not mode.palette.isVisible()
    assert not window.ctx.pointer._driver.controller.palette


def test_show_palette_off_keeps_it_hidden(qtbot, make_window, make_ctx) -> None:
    window = make_window(pointer_ctx(make_ctx, show_palette=False))
    assert window.pointer_mode.enabled and not window.pointer_mode.palette.isVisible()
    window.pointer_mode.set_settings(
        window.pointer_mode.settings.model_copy(update={"show_palette": True})
    )
    assert window.pointer_mode.palette.isVisible()


def test_the_palette_position_is_remembered(qtbot, make_window, make_ctx, tmp_path) -> None:
    ctx = pointer_ctx(make_ctx)
    ctx.prefs_path = tmp_path / "gui.toml"
    window = make_window(ctx)
    palette = window.pointer_mode.palette
    qtbot.waitUntil(palette.isVisible)
    palette.move(QPoint(333, 77))
    palette.moved.emit(palette.pos())  # as a drag by the grip ends
    assert ctx.prefs.palette_position == (333, 77)
    saved, problems = GuiPrefs.load(tmp_path / "gui.toml")
    assert saved.palette_position == (333, 77) and problems == []
    window.pointer_mode.shutdown()
    again = make_window(ctx)
    qtbot.waitUntil(again.pointer_mode.palette.isVisible)
    assert again.pointer_mode.palette.pos() == QPoint(333, 77)


def test_the_real_mouse_on_the_palette_chooses_in_pointer_mode(
    qtbot, make_window, make_ctx
) -> None:
    window = make_window(pointer_ctx(make_ctx))
    palette = window.pointer_mode.palette
    qtbot.waitUntil(palette.isVisible)
    palette.chosen.emit("double")
    assert window.ctx.pointer.state.click_type == "double"


def test_a_small_active_area_makes_bigger_buttons(qtbot, make_window, make_ctx) -> None:
    window = make_window(pointer_ctx(make_ctx))
    mode = window.pointer_mode
    normal = mode.palette.button_px
    area = {"left": 0.45, "right": 0.55, "top": 0.45, "bottom": 0.55}
    mode.set_settings(
        PointerSettings.model_validate({**mode.settings.model_dump(), "active_area": area})
    )
    assert mode.palette.button_px > normal


def test_the_pointer_page_edits_the_new_dwell_and_palette_settings(qtbot) -> None:
    from app.gui.pointer_page import PointerPage
    from app.gui.schema_fields import field_title

    page = PointerPage(PointerSettings())
    qtbot.addWidget(page)
    assert page.show_palette.isChecked() and not page.rest_pause.isChecked()
    assert page.dwell_refractory.value() == 500 and page.rest_pause_s.value() == 3.0
    assert page.dwell_ms.toolTip() == PointerSettings.model_fields["dwell_ms"].description
    assert page.show_palette.text() == field_title(PointerSettings, "show_palette")
    page.dwell_refractory.setValue(700)
    page.show_palette.setChecked(False)
    page.rest_pause.setChecked(True)
    page.rest_pause_s.setValue(5.5)
    edited = page.settings()
    assert (
        edited.dwell_refractory_ms,
        edited.show_palette,
        edited.rest_pause,
        edited.rest_pause_s,
    ) == (
        700,
        False,
        True,
        5.5,
    )
