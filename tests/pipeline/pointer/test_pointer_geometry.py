"""Desktop geometry of pointer mode on faked screen lists (this X server cannot present two
monitors): side by side, stacked, a negative origin, mixed scale factors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.pointer import ActiveArea, Desktop, PointerSettings, area_from_corners, map_absolute
from pipeline.pointer.geometry import screens_from_logical

AREA = ActiveArea(left=0.2, top=0.2, right=0.8, bottom=0.8)
CORNERS = [(0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.8, 0.8)]  # frame fractions


def layout(entries, native_origin=True) -> Desktop:
    return Desktop(tuple(screens_from_logical(entries, native_origin=native_origin)))


LAYOUTS = {
    # Qt geometry (x, y, logical w, logical h, device pixel ratio)
    "side by side": [(0, 0, 1920, 1080, 1.0), (1920, 0, 1920, 1080, 1.0)],
    "stacked": [(0, 0, 1920, 1080, 1.0), (0, 1080, 1920, 1080, 1.0)],
    "negative origin": [(0, 0, 1920, 1080, 1.0), (-1280, -200, 1280, 1024, 1.0)],
    # a 4K monitor at 200% right of a 1080p one: Qt says 1920x1080 logical at x=1920
    "mixed scale": [(0, 0, 1920, 1080, 1.0), (1920, 0, 1920, 1080, 2.0)],
    "uneven heights": [(0, 0, 2560, 1440, 1.0), (2560, 360, 1920, 1080, 1.0)],
}


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_point_lands_on_a_monitor_and_the_far_corners_are_reached(name: str) -> None:
    desk = layout(LAYOUTS[name])
    x0, y0, x1, y1 = desk.bounds
    for i in range(21):
        for j in range(21):
            x, y = map_absolute(i / 20, j / 20, AREA, desk, mirror=False)
            assert any(s.contains(x, y) for s in desk.screens), (name, x, y)
    got = {map_absolute(u, v, AREA, desk, mirror=False) for u, v in CORNERS}
    # the leftmost and rightmost columns and top and bottom rows of the desktop are reached
    assert min(p[0] for p in got) == x0 and max(p[0] for p in got) == x1
    assert min(p[1] for p in got) == y0 and max(p[1] for p in got) == y1


def test_layout_sizes_in_desktop_pixels() -> None:
    assert layout(LAYOUTS["side by side"]).bounds == (0, 0, 3839, 1079)
    assert layout(LAYOUTS["stacked"]).bounds == (0, 0, 1919, 2159)
    assert layout(LAYOUTS["negative origin"]).bounds == (-1280, -200, 1919, 1079)
    assert layout(LAYOUTS["mixed scale"]).bounds == (0, 0, 5759, 2159)
    # macOS: the pointer works in points, ratios do not enlarge the screens
    assert layout(LAYOUTS["mixed scale"], native_origin=False).bounds == (0, 0, 3839, 1079)


def test_gaps_of_uneven_layouts_go_to_the_nearest_monitor() -> None:
    desk = layout(LAYOUTS["uneven heights"])
    # bottom-right corner of the bounding box is on the small monitor's bottom edge
    assert map_absolute(0.8, 0.8, AREA, desk, mirror=False) == (4479, 1439)
    # top-right of the box is above the small monitor: its top-right pixel
    assert map_absolute(0.8, 0.2, AREA, desk, mirror=False) == (4479, 360)


def test_mirror_flips_x_only() -> None:
    desk = Desktop.single(1920, 1080)
    assert map_absolute(0.2, 0.2, AREA, desk, mirror=True) == (1919, 0)
    assert map_absolute(0.8, 0.8, AREA, desk, mirror=True) == (0, 1079)
    assert map_absolute(0.5, 0.5, AREA, desk, mirror=True) == pytest.approx((959.5, 539.5))


def test_corner_calibration() -> None:
    area = area_from_corners([(0.3, 0.25), (0.7, 0.2), (0.32, 0.8), (0.68, 0.75)])
    assert (area.left, area.top, area.right, area.bottom) == (0.3, 0.2, 0.7, 0.8)
    with pytest.raises(ValueError):
        area_from_corners([(0.5, 0.5), (0.51, 0.52)])


def test_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="pinch_off"):
        PointerSettings(pinch_on=0.5, pinch_off=0.4)
    with pytest.raises(ValidationError, match="active area"):
        PointerSettings(active_area={"left": 0.5, "right": 0.52})
    with pytest.raises(ValidationError, match="extra"):
        PointerSettings(speed=3)
    with pytest.raises(ValueError):
        Desktop(())


def test_toggle_gesture_fires_once_per_hold() -> None:
    from pipeline.pointer import GestureToggle
    from pipeline.types import GestureEvent

    toggle = GestureToggle("victory", 1000)

    def ev(kind: str, t: float, gesture: str = "victory") -> GestureEvent:
        return GestureEvent(kind, gesture, 1, "Right", t, 0.0)

    assert not toggle.update([ev("started", 0.0), ev("held", 500.0)])
    assert toggle.update([ev("held", 1000.0)])
    assert not toggle.update([ev("held", 2500.0)])  # still the same hold
    assert not toggle.update([ev("ended", 2600.0), ev("held", 5000.0, "fist")])
    assert toggle.update([ev("held", 4000.0)])  # a new hold (started_ms 0 here: long enough)
    assert not GestureToggle("none", 0).update([ev("held", 9000.0)])
