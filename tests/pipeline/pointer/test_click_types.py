"""The click palette's logic without Qt: the click-type state machine (each type, one-shot and
sticky, drag press/release, scroll mode, pause), the palette hit test (a dwell there chooses,
never clicks), the refractory pause, the resting-hand pause, and the button size rule; driven
through the real controller by a synthetic hand (tests/support/dwell_sim.py)."""

from __future__ import annotations

import pytest

from pipeline.pointer import Desktop, PointerController, PointerSettings
from pipeline.pointer.click_types import (
    BUTTON_MAX_PX,
    BUTTON_MIN_PX,
    ClickTypes,
    PaletteLayout,
    palette_button_px,
    scroll_band_px,
)
from pipeline.pointer.commands import PointerCommand
from tests.support.dwell_sim import HandPath

DESK = Desktop.single(1920, 1080)
# A palette column at the left edge: 80 px buttons from y = 100.
NAMES = ("left", "right", "double", "drag", "scroll", "pause")
LAYOUT = PaletteLayout.from_rects({n: (10, 100 + 90 * i, 80, 80) for i, n in enumerate(NAMES)})


def centre(name: str) -> tuple[float, float]:
    for n, (x, y, w, h) in LAYOUT.buttons:
        if n == name:
            return (x + w / 2, y + h / 2)
    raise KeyError(name)


def click(button: str = "left", count: int = 1) -> PointerCommand:
    return PointerCommand("click", button=button, count=count)


# ---------------------------------------------------------------- the state machine alone
@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("left", [click("left")]),
        ("right", [click("right")]),
        ("double", [click("left", 2)]),
    ],
)
def test_each_one_click_type_then_back_to_left(kind, first) -> None:
    c = ClickTypes()
    assert c.choose(kind) == []
    assert c.click((5, 5)) == first
    assert c.selected == "left" and c.click((5, 5)) == [click("left")]


def test_choosing_twice_makes_a_type_sticky_until_another_is_chosen() -> None:
    c = ClickTypes()
    c.choose("right")
    assert not c.sticky and c.repeats("right")
    c.choose("right")
    assert c.sticky and not c.repeats("right")
    assert [c.click((1, 1)) for _ in range(3)] == [[click("right")]] * 3
    c.choose("double")  # another button: one-shot again
    assert (c.selected, c.sticky) == ("double", False)
    c.click((1, 1))
    assert c.selected == "left"
    c.choose("left")
    c.choose("left")
    assert not c.sticky  # left is what one-shot types return to: never "sticky"


def test_drag_presses_at_one_click_and_releases_at_the_next() -> None:
    c = ClickTypes()
    c.choose("drag")
    assert c.click((10, 10)) == [PointerCommand("press", button="left")]
    assert c.held == ("left",) and c.step == "dragging"
    assert c.click((300, 10)) == [PointerCommand("release", button="left")]
    assert c.held == () and c.selected == "left"


def test_pause_releases_a_drag_and_the_same_button_resumes() -> None:
    c = ClickTypes()
    c.choose("drag")
    c.click((0, 0))
    assert c.choose("pause") == [PointerCommand("release", button="left")]
    assert c.paused == "palette" and c.held == ()
    assert c.choose("pause") == [] and c.paused == ""
    assert not c.repeats("pause")


def test_scroll_mode_rate_control_with_a_neutral_band() -> None:
    s = PointerSettings()
    c = ClickTypes()
    c.choose("scroll")
    assert c.click((500, 500)) == [] and c.step == "scrolling"
    band = scroll_band_px(s)
    # in the band: nothing, ever
    assert sum((c.scroll_update((500, 500 - band + 1), t, s) for t in range(0, 3000, 33)), []) == []
    # 60 px above the band: 4 steps a second -> about 8 in 2 s, all up (+dy)
    steps = sum((c.scroll_update((500, 500 - band - 60), t, s) for t in range(3000, 5000, 33)), [])
    total = sum(x.dy for x in steps)
    assert 6 <= total <= 9 and all(x.dy > 0 and x.dx == 0 for x in steps)
    # below: down; inverted scrolling flips it
    down = sum((c.scroll_update((500, 500 + band + 60), t, s) for t in range(5000, 6000, 33)), [])
    assert down and all(x.dy < 0 for x in down)
    inv = PointerSettings(scroll_invert=True)
    flipped = sum(
        (c.scroll_update((500, 500 + band + 60), t, inv) for t in range(6000, 7000, 33)), []
    )
    assert flipped and all(x.dy > 0 for x in flipped)
    # far away: capped
    fast = sum((c.scroll_update((500, -5000), t, s) for t in range(7000, 8000, 33)), [])
    assert sum(x.dy for x in fast) <= 21
    assert c.click((500, 500)) == [] and c.step == "" and c.selected == "left"


def test_palette_layout_hit_test_and_validation() -> None:
    assert LAYOUT.hit(*centre("double")) == "double"
    assert LAYOUT.hit(9, 140) is None and LAYOUT.hit(50, 99) is None and LAYOUT.hit(50, 185) is None
    assert not PaletteLayout() and LAYOUT
    with pytest.raises(ValueError, match="unknown palette button"):
        PaletteLayout.from_rects({"middle": (0, 0, 10, 10)})
    with pytest.raises(ValueError, match="w, h > 0"):
        PaletteLayout.from_rects({"left": (0, 0, 0, 10)})


def test_buttons_grow_when_the_active_area_is_small() -> None:
    wide = palette_button_px(PointerSettings(), DESK, 640, 480)
    small_area = PointerSettings(active_area={"left": 0.4, "right": 0.6, "top": 0.4, "bottom": 0.6})
    small = palette_button_px(small_area, DESK, 640, 480)
    hd_camera = palette_button_px(PointerSettings(), DESK, 1920, 1080)
    assert BUTTON_MIN_PX <= hd_camera < wide < small <= BUTTON_MAX_PX
    # 1920 px over 0.5 * 640 camera px = 6 desktop px per camera px -> 60 px
    assert wide == 60
    assert palette_button_px(PointerSettings(dwell_radius_px=40), DESK, 1920, 1080) == 100


# ---------------------------------------------------------------- through the controller
def controller(**kw) -> tuple[PointerController, HandPath]:
    settings = PointerSettings(
        dwell_click=True, dead_zone_px=0.0, min_cutoff_hz=30.0, beta=0.0, **kw
    )
    ctl = PointerController(settings, DESK)
    ctl.set_palette(LAYOUT)
    return ctl, HandPath(ctl.step, settings, DESK)


def sent(batches) -> list[PointerCommand]:
    return [c for batch in batches for c in batch if c.kind != "move"]


def moves(batches) -> list[tuple[int, int]]:
    return [(c.x, c.y) for batch in batches for c in batch if c.kind == "move"]


def dwell_on(path: HandPath, at: tuple[float, float], ms: float = 1300) -> list:
    """Come from 150 px to the right (the dwell needs a move first), then rest at ``at``."""
    return path.glide((at[0] + 150, at[1]), at, 200) + path.hold(*at, ms)


def test_a_dwell_on_a_palette_button_chooses_and_never_clicks() -> None:
    ctl, path = controller()
    out = dwell_on(path, centre("right"))
    assert sent(out) == []  # no OS click on the palette
    assert ctl.state.click_type == "right" and not ctl.state.sticky
    assert ctl.state.palette_button == "right"
    out = dwell_on(path, (900, 500))
    assert sent(out) == [click("right")]
    assert ctl.state.click_type == "left" and ctl.state.palette_button is None
    out = dwell_on(path, (1200, 500))
    assert sent(out) == [click("left")]


def test_dwelling_on_a_button_makes_it_sticky() -> None:
    ctl, path = controller()
    out = dwell_on(path, centre("double"), ms=800 * 2 + 400)  # two dwell times, one rest
    assert sent(out) == [] and ctl.state.sticky and ctl.state.click_type == "double"
    for x in (700, 1000, 1300):
        assert sent(dwell_on(path, (x, 600))) == [click("left", 2)]
    dwell_on(path, centre("left"))
    assert sent(dwell_on(path, (700, 600))) == [click("left")]


def test_drag_by_dwell_presses_moves_and_releases() -> None:
    ctl, path = controller()
    dwell_on(path, centre("drag"))
    start = dwell_on(path, (800, 400))
    assert sent(start) == [PointerCommand("press", button="left")]
    assert ctl.state.held == ("left",) and ctl.state.click_step == "dragging"
    carry = path.glide((800, 400), (1300, 700), 600)
    assert sent(carry) == [] and moves(carry)[-1] == pytest.approx((1300, 700), abs=10)
    end = path.hold(1300, 700, 1300)
    assert sent(end) == [PointerCommand("release", button="left")]
    assert moves(end)[-1] == pytest.approx((1300, 700), abs=2)  # released at the rest
    assert ctl.state.held == () and ctl.state.click_type == "left"


def test_scroll_by_dwell_keeps_the_pointer_and_scrolls_with_the_hand() -> None:
    ctl, path = controller()
    dwell_on(path, centre("scroll"))
    start = dwell_on(path, (1000, 500))
    assert sent(start) == [] and ctl.state.click_step == "scrolling"
    up = path.glide((1000, 500), (1000, 380), 300) + path.hold(1000, 380, 1500)
    assert moves(up) == []  # the OS pointer stays where scrolling started
    wheel = sent(up)
    assert wheel and all(c.kind == "scroll" and c.dy > 0 for c in wheel)
    assert ctl.state.y == pytest.approx(380, abs=3)  # the ring follows the hand
    # holding the hand off to scroll never ends it; a rest back in the band does
    assert ctl.state.click_step == "scrolling"
    back = path.glide((1000, 380), (1000, 505), 300) + path.hold(1000, 505, 1300)
    assert ctl.state.click_step == "" and ctl.state.click_type == "left"
    assert moves(back) and moves(back)[-1] == pytest.approx((1000, 505), abs=3)
    # on the way back only the last of the upward scrolling, nothing else
    assert all(c.kind == "scroll" and c.dy > 0 for c in sent(back))


def test_pause_by_dwell_stops_clicks_and_resume_restarts_them() -> None:
    ctl, path = controller()
    dwell_on(path, centre("pause"))
    assert ctl.state.clicks_paused == "palette"
    paused = dwell_on(path, (900, 300)) + dwell_on(path, (500, 800))
    assert sent(paused) == []
    assert moves(paused)[-1] == pytest.approx((500, 800), abs=3)  # the pointer still moves
    assert ctl.state.dwell_progress == 0.0  # off the palette nothing counts
    still = path.hold(*centre("pause"), 2500)  # a long rest on resume toggles once
    assert ctl.state.clicks_paused == "" and sent(still) == []
    assert sent(dwell_on(path, (900, 300))) == [click("left")]


def test_refractory_pause_after_a_click() -> None:
    ctl, path = controller(dwell_refractory_ms=1500)
    assert sent(dwell_on(path, (900, 500), ms=900)) == [click("left")]
    # moved away at once and rested again: nothing counts until 1.5 s after the click
    quick = path.glide((900, 500), (1100, 500), 100) + path.hold(1100, 500, 1200)
    assert sent(quick) == []
    later = path.hold(1100, 500, 1000)
    assert sent(later) == [click("left")]


def test_no_refractory_means_the_next_rest_counts_at_once() -> None:
    ctl, path = controller(dwell_refractory_ms=0)
    assert sent(dwell_on(path, (900, 500), ms=900)) == [click("left")]
    quick = path.glide((900, 500), (1100, 500), 100) + path.hold(1100, 500, 1200)
    assert sent(quick) == [click("left")]


def test_a_resting_hand_pauses_clicks_until_resume_is_dwelled_on() -> None:
    ctl, path = controller(rest_pause=True, rest_pause_s=2.0)
    path.rest_below(1500)
    assert ctl.state.clicks_paused == ""  # not long enough
    path.hold(900, 500, 300)
    path.rest_below(2300)
    assert ctl.state.clicks_paused == "rest"
    assert sent(dwell_on(path, (900, 500))) == []  # back, but still paused
    path.no_hand(500)
    assert ctl.state.mode == "no_hand" and ctl.state.clicks_paused == "rest"
    dwell_on(path, centre("pause"))
    assert ctl.state.clicks_paused == ""
    assert sent(dwell_on(path, (900, 500))) == [click("left")]


def test_out_of_sight_also_counts_as_resting_and_it_is_off_by_default() -> None:
    ctl, path = controller()
    path.hold(900, 500, 300)
    path.no_hand(5000)
    assert ctl.state.clicks_paused == ""
    ctl, path = controller(rest_pause=True, rest_pause_s=1.0)
    path.hold(900, 500, 300)
    path.no_hand(1200)
    assert ctl.state.clicks_paused == "rest"


def test_without_a_palette_on_screen_any_dwell_resumes() -> None:
    ctl, path = controller(rest_pause=True, rest_pause_s=1.0)
    ctl.set_palette(PaletteLayout())  # handcue run: no palette window
    path.hold(900, 500, 300)
    path.no_hand(1200)
    assert ctl.state.clicks_paused == "rest"
    assert sent(dwell_on(path, (900, 500))) == []  # this dwell resumes, it does not click
    assert ctl.state.clicks_paused == ""
    assert sent(dwell_on(path, (1200, 500))) == [click("left")]


def test_losing_the_hand_releases_a_dwell_drag() -> None:
    ctl, path = controller()
    dwell_on(path, centre("drag"))
    assert sent(dwell_on(path, (800, 400))) == [PointerCommand("press", button="left")]
    assert sent(path.no_hand(100)) == [PointerCommand("release", button="left")]
    assert ctl.state.held == () and ctl.state.click_type == "left"


def test_release_all_and_inactive_frames_release_the_palette_drag() -> None:
    ctl, path = controller()
    dwell_on(path, centre("drag"))
    dwell_on(path, (800, 400))
    assert ctl.release_all() == [PointerCommand("release", button="left")]
    assert ctl.release_all() == []


def test_the_real_mouse_choosing_on_the_palette() -> None:
    ctl, path = controller()
    assert ctl.choose("right") == [] and ctl.state.click_type == "right"
    dwell_on(path, centre("drag"))
    ctl.choose("drag")
    dwell_on(path, (800, 400))
    assert ctl.choose("pause") == [PointerCommand("release", button="left")]
    assert ctl.state.clicks_paused == "palette"


# ---------------------------------------------------------------- pinch users (real hands)
@pytest.mark.realdata
def test_pinch_clicks_use_the_chosen_type_and_choose_on_the_palette(shared_data) -> None:
    import numpy as np

    from tests.support.dwell_sim import anchor_for
    from tests.support.pointer_sequences import PALM, H, Poses, W, frames

    poses = Poses(shared_data)
    settings = PointerSettings(dead_zone_px=0.0, min_cutoff_hz=30.0, beta=0.0)  # no dwell
    ctl = PointerController(settings, DESK)
    ctl.set_palette(LAYOUT)
    centre_px = poses.open[PALM, :2].mean(axis=0)
    t0 = [0]

    def shift(x: float, y: float) -> tuple[float, float]:
        u, v = anchor_for(x, y, settings, DESK)
        return (u * W - centre_px[0], v * H - centre_px[1])

    def pinch_at(x: float, y: float, hold: int = 2) -> list[PointerCommand]:
        closing = [poses.blend(poses.open, poses.ok, k) for k in np.linspace(0.2, 1.0, 5)]
        opening = [poses.blend(poses.ok, poses.open, k) for k in (0.4, 0.8, 1.0)]
        seq = [poses.open] * 20 + closing + [poses.ok] * hold + opening + [poses.open] * 20
        out: list[PointerCommand] = []
        for r in frames(seq, [shift(x, y)] * len(seq), start=t0[0]):
            out += [c for c in ctl.step(r) if c.kind != "move"]
        t0[0] += len(seq)
        return out

    assert pinch_at(*centre("right")) == []  # a pinch on the palette chooses
    assert ctl.state.click_type == "right"
    assert pinch_at(900, 500) == [click("right")]
    assert pinch_at(1000, 500) == [click("left")]
    pinch_at(*centre("double"))
    assert pinch_at(900, 500) == [click("left", 2)]
    pinch_at(*centre("pause"))
    assert ctl.state.clicks_paused == "palette"
    assert pinch_at(900, 500) == [] and pinch_at(900, 500, hold=20) == []  # no click, no drag
    assert ctl.state.held == ()
    pinch_at(*centre("pause"))
    assert ctl.state.clicks_paused == ""
    assert pinch_at(900, 500, hold=20) == [
        PointerCommand("press", button="left"),
        PointerCommand("release", button="left"),
    ]  # the pinch's own hold-to-drag is back
