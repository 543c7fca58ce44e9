"""The uinput sink (issue 37, part 3): HandCue's key names, characters, clicks, the wheel and
absolute moves become the right evdev events, written to fake devices that record every
``write``/``syn`` (these machines have no ``/dev/uinput``); the layout comes from
libxkbcommon (``us`` and ``de`` compiled from the XKB data here, or the X server's live keymap);
the missing device gives a message that says how to enable it. The device test at the end
creates the real devices and reads their events back where ``/dev/uinput`` exists.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

evdev = pytest.importorskip("evdev", reason="python-evdev is not installed (pip install evdev)")
from evdev import InputDevice  # noqa: E402
from evdev import ecodes as e  # noqa: E402

from app.desktop import uinput  # noqa: E402
from app.desktop.uinput import (  # noqa: E402
    CharLayout,
    LayoutNames,
    UInputSink,
    find_layout,
    layout_from_names,
    names_from_default_keyboard,
    names_from_localectl,
    us_layout,
)
from pipeline.actions import parse_action  # noqa: E402
from pipeline.actions.sink import BackgroundTyping  # noqa: E402
from pipeline.actions.spec import MEDIA_KEYS, NAMED_KEYS  # noqa: E402
from pipeline.errors import HandCueError  # noqa: E402
from pipeline.pointer.geometry import Desktop, ScreenRect  # noqa: E402

SYN = ("syn",)


class FakeDevice:
    """Records what the sink writes: ``(type, code, value)`` tuples and ``("syn",)``."""

    def __init__(self, fail: bool = False) -> None:
        self.events: list[tuple] = []
        self.closed = False
        self.fail = fail

    def write(self, etype: int, code: int, value: int) -> None:
        if self.fail:
            raise OSError(19, "No such device")
        self.events.append((etype, code, value))

    def syn(self) -> None:
        self.events.append(SYN)

    def close(self) -> None:
        self.closed = True

    def take(self) -> list[tuple]:
        out, self.events = self.events, []
        return out


def keys(*steps: tuple[int, int]) -> list[tuple]:
    """Key events as the sink writes them: each one followed by a SYN_REPORT."""
    out: list[tuple] = []
    for code, value in steps:
        out += [(e.EV_KEY, code, value), SYN]
    return out


def tap(*codes: int) -> list[tuple[int, int]]:
    """Press ``codes`` in order, release them in reverse."""
    return [(c, 1) for c in codes] + [(c, 0) for c in reversed(codes)]


@pytest.fixture(scope="module")
def us() -> CharLayout:
    return layout_from_names(LayoutNames("us"), "test")


@pytest.fixture(scope="module")
def de() -> CharLayout:
    return layout_from_names(LayoutNames("de"), "test")


class Rig:
    def __init__(self, layout: CharLayout, desktop: Desktop | None = None) -> None:
        self.layout = layout
        self.keyboard, self.pointer, self.absolute = FakeDevice(), FakeDevice(), FakeDevice()
        self.sink = UInputSink(
            self.keyboard, self.pointer, self.absolute, lambda: self.layout, desktop=desktop
        )


@pytest.fixture
def rig(us: CharLayout) -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(layout: CharLayout | None = None, desktop: Desktop | None = None) -> Rig:
        r = Rig(layout or us, desktop)
        made.append(r)
        return r

    yield make
    for r in made:
        r.sink.close()


# ----------------------------------------------------------------------------- keys


def test_key_n_is_one_tap_of_key_n(rig) -> None:
    r = rig()
    parse_action("key:n").tap(r.sink)
    assert r.keyboard.take() == keys((e.KEY_N, 1), (e.KEY_N, 0))
    assert r.pointer.events == [] and r.absolute.events == []


@pytest.mark.parametrize(("layout", "z_key"), [("us", e.KEY_Z), ("de", e.KEY_Y)])
def test_combo_ctrl_z_presses_ctrl_then_z_and_releases_z_then_ctrl(
    rig, request, layout, z_key
) -> None:
    """On a German keyboard z is where the US one has y: the layout's z key is sent."""
    r = rig(request.getfixturevalue(layout))
    parse_action("combo:ctrl+z").tap(r.sink)
    assert r.keyboard.take() == keys(
        (e.KEY_LEFTCTRL, 1), (z_key, 1), (z_key, 0), (e.KEY_LEFTCTRL, 0)
    )


def test_combo_held_then_released(rig) -> None:
    r = rig()
    action = parse_action("combo:ctrl+shift+t")
    action.press(r.sink)
    assert r.keyboard.take() == keys((e.KEY_LEFTCTRL, 1), (e.KEY_LEFTSHIFT, 1), (e.KEY_T, 1))
    action.release(r.sink)
    assert r.keyboard.take() == keys((e.KEY_T, 0), (e.KEY_LEFTSHIFT, 0), (e.KEY_LEFTCTRL, 0))


def test_type_gruesse_on_a_german_layout(rig, de) -> None:
    """ü and ß have keys of their own, € is AltGr+E, capitals take Shift."""
    r = rig(de)
    assert de.altgr == e.KEY_RIGHTALT
    parse_action("type:Grüße €").tap(r.sink)
    expected = (
        tap(e.KEY_LEFTSHIFT, e.KEY_G) + tap(e.KEY_R) + tap(e.KEY_LEFTBRACE) + tap(e.KEY_MINUS)
        + tap(e.KEY_E) + tap(e.KEY_SPACE) + tap(e.KEY_RIGHTALT, e.KEY_E)
    )  # fmt: skip
    assert r.keyboard.take() == keys(*expected)


def test_type_on_a_us_layout_refuses_characters_it_has_no_key_for(rig, us) -> None:
    """ü, ß and € have no key on a US layout: nothing is typed (no wrong characters), and the
    message names them."""
    r = rig(us)
    with pytest.raises(HandCueError) as info:
        parse_action("type:Grüße €").tap(r.sink)
    message = str(info.value)
    assert "'ü', 'ß', '€'" in message and "English (US)" in message
    assert r.keyboard.events == []
    parse_action("type:Hi there!").tap(r.sink)  # what the layout has is typed
    expected = (
        tap(e.KEY_LEFTSHIFT, e.KEY_H) + tap(e.KEY_I) + tap(e.KEY_SPACE) + tap(e.KEY_T)
        + tap(e.KEY_H) + tap(e.KEY_E) + tap(e.KEY_R) + tap(e.KEY_E)
        + tap(e.KEY_LEFTSHIFT, e.KEY_1)
    )  # fmt: skip
    assert r.keyboard.take() == keys(*expected)


def test_a_cut_text_is_reported_by_the_typing_thread(rig, us) -> None:
    """Through BackgroundTyping (what handcue run uses) the refusal becomes a cut with the
    message, which handcue run prints."""
    r = rig(us)
    typing = BackgroundTyping(r.sink)
    try:
        typing.type_text("Grüße €")
        assert typing.wait_idle(30)
        (cut,) = typing.take_cuts()
        assert cut.typed == 0 and "'ü', 'ß', '€'" in cut.reason
    finally:
        typing.close()


def test_newline_and_tab_are_enter_and_tab(rig) -> None:
    r = rig()
    r.sink.type_text("a\tb\n")
    expected = tap(e.KEY_A) + tap(e.KEY_TAB) + tap(e.KEY_B) + tap(e.KEY_ENTER)
    assert r.keyboard.take() == keys(*expected)


def test_shift_already_held_is_not_pressed_again(rig) -> None:
    r = rig()
    r.sink.press_key("shift")
    r.sink.type_text("A")
    r.sink.release_key("shift")
    assert r.keyboard.take() == keys(
        (e.KEY_LEFTSHIFT, 1), (e.KEY_A, 1), (e.KEY_A, 0), (e.KEY_LEFTSHIFT, 0)
    )


def test_a_held_character_is_released_with_the_keys_it_was_pressed_with(rig, us, de) -> None:
    """A layout switch while ``z`` is held: the release lifts the key that went down."""
    r = rig(us)
    r.sink.press_key("z")
    r.layout = de
    r.sink.release_key("z")
    assert r.keyboard.take() == keys((e.KEY_Z, 1), (e.KEY_Z, 0))


@pytest.mark.parametrize("name", sorted(MEDIA_KEYS))
def test_media_keys(rig, name) -> None:
    expected = {
        "play_pause": e.KEY_PLAYPAUSE, "next": e.KEY_NEXTSONG, "previous": e.KEY_PREVIOUSSONG,
        "volume_up": e.KEY_VOLUMEUP, "volume_down": e.KEY_VOLUMEDOWN, "mute": e.KEY_MUTE,
    }[name]  # fmt: skip
    r = rig()
    parse_action(f"media:{name}").tap(r.sink)
    assert r.keyboard.take() == keys((expected, 1), (expected, 0))


@pytest.mark.parametrize("name", sorted(NAMED_KEYS))
def test_every_named_key_has_a_code_the_keyboard_device_offers(rig, name) -> None:
    keyboard_caps = uinput.device_capabilities()[0][e.EV_KEY]
    r = rig()
    r.sink.press_key(name)
    r.sink.release_key(name)
    ((_, code, _), _, _, _) = r.keyboard.take()
    assert code in keyboard_caps
    assert code != e.KEY_RESERVED


@pytest.mark.parametrize(
    ("name", "code"),
    [("f13", e.KEY_F13), ("f20", e.KEY_F20), ("print_screen", e.KEY_SYSRQ),
     ("menu", e.KEY_COMPOSE), ("cmd", e.KEY_LEFTMETA), ("page_down", e.KEY_PAGEDOWN),
     ("alt_r", e.KEY_RIGHTALT), ("esc", e.KEY_ESC)],
)  # fmt: skip
def test_named_keys_map_to_the_pc_keyboard_codes(rig, name, code) -> None:
    r = rig()
    parse_action(f"key:{name}").tap(r.sink)
    assert r.keyboard.take() == keys((code, 1), (code, 0))


def test_unknown_character_key_says_which_layout(rig, us) -> None:
    r = rig(us)
    with pytest.raises(HandCueError, match="no key types 'ß' in the keyboard layout English"):
        r.sink.press_key("ß")
    assert r.keyboard.events == []


# ----------------------------------------------------------------------------- pointer


def test_clicks_go_to_the_pointer_device(rig) -> None:
    r = rig()
    parse_action("click:left").tap(r.sink)
    parse_action("dclick:right").tap(r.sink)
    parse_action("click:middle").tap(r.sink)
    assert r.pointer.take() == keys(
        (e.BTN_LEFT, 1), (e.BTN_LEFT, 0),
        (e.BTN_RIGHT, 1), (e.BTN_RIGHT, 0), (e.BTN_RIGHT, 1), (e.BTN_RIGHT, 0),
        (e.BTN_MIDDLE, 1), (e.BTN_MIDDLE, 0),
    )  # fmt: skip
    assert r.keyboard.events == []


def test_held_button(rig) -> None:
    r = rig()
    action = parse_action("click:left")
    action.press(r.sink)
    assert r.pointer.take() == keys((e.BTN_LEFT, 1))
    action.release(r.sink)
    assert r.pointer.take() == keys((e.BTN_LEFT, 0))


@pytest.mark.parametrize(
    ("spec", "axis", "value", "count"),
    [("scroll:up:3", e.REL_WHEEL, 1, 3), ("scroll:down", e.REL_WHEEL, -1, 1),
     ("scroll:right:2", e.REL_HWHEEL, 1, 2), ("scroll:left:4", e.REL_HWHEEL, -1, 4)],
)  # fmt: skip
def test_scroll_is_one_wheel_event_per_step(rig, spec, axis, value, count) -> None:
    r = rig()
    parse_action(spec).tap(r.sink)
    assert r.pointer.take() == [(e.EV_REL, axis, value), SYN] * count


def _libinput_pixel(value: int, size: int) -> int:
    """Where a compositor puts the pointer for a device value: libinput's
    ``absolute_x_transformed`` is ``(value - min) * size / (max - min + 1)``."""
    return int(value * size / (uinput.ABS_MAX + 1))


def test_absolute_moves_are_scaled_to_the_desktop(rig) -> None:
    desktop = Desktop.single(1920, 1080)
    r = rig(desktop=desktop)
    r.sink.move_pointer(960, 540)
    ax, ay = (32785, 32798)
    assert r.absolute.take() == [(e.EV_ABS, e.ABS_X, ax), (e.EV_ABS, e.ABS_Y, ay), SYN]
    for x in range(0, 1920, 7):
        assert _libinput_pixel(r.sink.absolute_value(x, 0)[0], 1920) == x
    for y in (0, 1, 539, 1078, 1079):
        assert _libinput_pixel(r.sink.absolute_value(0, y)[1], 1080) == y
    assert r.sink.absolute_value(5000, -20) == (r.sink.absolute_value(1919, 0))  # clamped
    assert r.sink.pointer_position() is None


def test_absolute_moves_on_a_desktop_that_starts_left_of_zero(rig) -> None:
    """Two monitors, the left one at x = -1280: the device range spans both."""
    desktop = Desktop((ScreenRect(-1280, 0, 1280, 1024), ScreenRect(0, 0, 1920, 1080)))
    r = rig(desktop=desktop)
    for x in (-1280, -1, 0, 1919):
        value = r.sink.absolute_value(x, 0)[0]
        assert _libinput_pixel(value, 3200) - 1280 == x


def test_move_without_a_desktop_says_so(rig) -> None:
    r = rig()
    with pytest.raises(HandCueError, match="need the desktop size"):
        r.sink.move_pointer(1, 1)
    r.sink.set_desktop(Desktop.single(100, 100))
    r.sink.move_pointer(1, 1)
    assert len(r.absolute.take()) == 3


def test_the_desktop_can_be_read_at_the_first_move(us) -> None:
    """Without a desktop given, open_uinput_sink reads it from the X display at the first
    move; here a function stands in for that: read once, kept; a failure is the error."""
    reads: list[int] = []

    def read() -> Desktop:
        reads.append(1)
        return Desktop.single(1920, 1080)

    absolute = FakeDevice()
    sink = UInputSink(FakeDevice(), FakeDevice(), absolute, lambda: us, desktop=read)
    try:
        assert reads == []
        sink.move_pointer(960, 540)
        sink.move_pointer(0, 0)
        assert reads == [1] and absolute.events[0] == (e.EV_ABS, e.ABS_X, 32785)
    finally:
        sink.close()

    def no_display() -> Desktop:
        raise HandCueError("pointer mode needs a desktop: no X display", code=4)

    sink = UInputSink(FakeDevice(), FakeDevice(), FakeDevice(), lambda: us, desktop=no_display)
    try:
        with pytest.raises(HandCueError, match="no X display"):
            sink.move_pointer(1, 1)
    finally:
        sink.close()


# ----------------------------------------------------------------------------- ending


def test_release_all_lifts_keys_and_buttons_newest_first(rig) -> None:
    r = rig()
    r.sink.press_key("ctrl")
    r.sink.press_key("A")
    r.sink.press_button("left")
    r.sink.release_all()
    assert r.pointer.take() == keys((e.BTN_LEFT, 1), (e.BTN_LEFT, 0))
    assert r.keyboard.take() == keys(
        (e.KEY_LEFTCTRL, 1), (e.KEY_LEFTSHIFT, 1), (e.KEY_A, 1),
        (e.KEY_A, 0), (e.KEY_LEFTSHIFT, 0), (e.KEY_LEFTCTRL, 0),
    )  # fmt: skip
    r.sink.release_all()  # nothing left
    assert r.keyboard.events == [] and r.pointer.events == []


def test_close_releases_then_destroys_the_devices(rig) -> None:
    r = rig()
    closed: list[bool] = []
    r.sink._on_close = lambda: closed.append(True)
    r.sink.press_key("n")
    r.sink.close()
    assert r.keyboard.take() == keys((e.KEY_N, 1), (e.KEY_N, 0))
    assert r.keyboard.closed and r.pointer.closed and r.absolute.closed and closed
    with pytest.raises(HandCueError, match="closed"):
        r.sink.press_key("n")
    r.sink.close()  # twice is fine


def test_a_device_that_went_away_is_a_handcue_error(us) -> None:
    broken = FakeDevice(fail=True)
    sink = UInputSink(broken, FakeDevice(), FakeDevice(), lambda: us)
    try:
        with pytest.raises(HandCueError, match="sending input through uinput failed"):
            sink.press_key("n")
        sink.release_all()  # never raises: it logs
    finally:
        sink.close()


def test_first_event_waits_until_the_compositor_can_have_opened_the_devices(us) -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    keyboard = FakeDevice()
    sink = UInputSink(keyboard, FakeDevice(), FakeDevice(), lambda: us, settle_s=1.0,
                      clock=lambda: now[0], sleep=sleep)  # fmt: skip
    try:
        now[0] += 0.25
        sink.press_key("n")
        sink.release_key("n")
        assert slept == [pytest.approx(0.75)]  # once, the rest of the second
        assert len(keyboard.events) == 4
    finally:
        sink.close()


# ----------------------------------------------------------------------------- the device node


def test_missing_device_says_how_to_enable_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "uinput")
    with pytest.raises(HandCueError) as info:
        uinput.open_uinput_sink(devnode=missing)
    message = str(info.value)
    assert info.value.code == 4
    assert f"{missing} does not exist" in message and "modprobe uinput" in message
    assert uinput.UDEV_RULE in message and "log out and in again" in message
    assert "Automatic" in message  # the way back


def test_device_the_user_may_not_write_says_how_to_enable_it(tmp_path: Path, monkeypatch) -> None:
    node = tmp_path / "uinput"
    node.write_text("")
    real_access = os.access
    monkeypatch.setattr(
        uinput.os, "access", lambda p, m: False if str(p) == str(node) else real_access(p, m)
    )  # root may write anything: the check is simulated
    with pytest.raises(HandCueError) as info:
        uinput.open_uinput_sink(devnode=str(node))
    assert info.value.code == 4
    assert "may not write" in str(info.value) and 'TAG+="uaccess"' in str(info.value)


def test_a_node_that_is_not_uinput_gives_a_clear_error(tmp_path: Path) -> None:
    """The kernel (here python-evdev's check) refusing to make the devices is a HandCueError
    with the same help, not a traceback."""
    node = tmp_path / "uinput"
    node.write_text("")
    with pytest.raises(HandCueError) as info:
        uinput.open_uinput_sink(devnode=str(node), env={"XKB_DEFAULT_LAYOUT": "us"})
    assert info.value.code == 4
    assert "cannot create the uinput devices" in str(info.value)
    assert "modprobe uinput" in str(info.value)


# ----------------------------------------------------------------------------- the layout


def test_layout_sources_are_parsed() -> None:
    status = (
        "   System Locale: LANG=de_DE.UTF-8\n       VC Keymap: de-latin1-nodeadkeys\n"
        "      X11 Layout: de\n       X11 Model: pc105\n     X11 Variant: nodeadkeys\n"
    )
    assert names_from_localectl(status) == LayoutNames("de", "nodeadkeys", "pc105")
    assert names_from_localectl("      X11 Layout: n/a\n") is None
    default_keyboard = (
        '# KEYBOARD CONFIGURATION FILE\nXKBMODEL="pc105"\nXKBLAYOUT="fr"\nXKBVARIANT=""\n'
        'XKBOPTIONS="lv3:ralt_switch"\n\nBACKSPACE="guess"\n'
    )
    assert names_from_default_keyboard(default_keyboard) == LayoutNames(
        "fr", "", "pc105", "lv3:ralt_switch"
    )


def test_find_layout_order() -> None:
    """XKB_DEFAULT_LAYOUT first, then (no X display) localectl, then /etc/default/keyboard,
    then US with a warning."""
    german = "X11 Layout: de\n"
    french = 'XKBLAYOUT="fr"\n'
    choice = find_layout({"XKB_DEFAULT_LAYOUT": "de"}, localectl=lambda: "X11 Layout: fr\n")
    assert choice.layout().name == "German" and not choice.warnings
    choice = find_layout({}, localectl=lambda: german, read_text=lambda _p: french)
    assert choice.layout().name == "German" and "localectl" in choice.layout().source
    choice = find_layout({}, localectl=lambda: "", read_text=lambda _p: french)
    assert choice.layout().name == "French"
    choice = find_layout({}, localectl=lambda: "", read_text=lambda _p: "")
    assert choice.layout().name == "English (US)"
    assert "XKB_DEFAULT_LAYOUT" in choice.warnings[0]


def test_unknown_layout_is_a_clear_error() -> None:
    with pytest.raises(HandCueError, match="unknown keyboard layout 'xx'"):
        find_layout({"XKB_DEFAULT_LAYOUT": "xx"})


def test_variant_and_options_change_the_keys() -> None:
    """de(nodeadkeys) types ^ with one key (plain de has it as a dead key: no single key)."""
    plain = layout_from_names(LayoutNames("de"))
    nodead = layout_from_names(LayoutNames("de", "nodeadkeys"))
    assert plain.codes("^") is None and nodead.codes("^") == (e.KEY_GRAVE,)
    ralt = layout_from_names(LayoutNames("us", options="lv3:ralt_switch,eurosign:e"))
    assert ralt.codes("€") == (e.KEY_RIGHTALT, e.KEY_E)


def test_builtin_us_table_agrees_with_xkb_on_the_main_keys(us) -> None:
    """The table used without libxkbcommon types what XKB's us layout types (the only
    difference: XKB also has < and > on the ISO key next to left Shift)."""
    table = us_layout()
    for char, codes in table.chars.items():
        if char in "<>":
            assert us.codes(char) in (codes, (e.KEY_102ND,), (e.KEY_LEFTSHIFT, e.KEY_102ND))
        else:
            assert us.codes(char) == codes, char


def test_keypad_keys_are_not_used_for_characters_the_main_block_has(us) -> None:
    assert us.codes("*") == (e.KEY_LEFTSHIFT, e.KEY_8)
    assert us.codes("-") == (e.KEY_MINUS,) and us.codes("+") == (e.KEY_LEFTSHIFT, e.KEY_EQUAL)


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)")
@pytest.mark.skipif(shutil.which("setxkbmap") is None, reason="setxkbmap is not installed")
def test_x_display_layout_is_read_live() -> None:
    """With DISPLAY set the X server's keymap and active group are used, read again each
    time: a layout switch (setxkbmap) is followed."""
    from tests.support.xserver import x_env, xvfb

    with xvfb() as display:

        def setxkbmap(*args: str) -> None:
            subprocess.run(["setxkbmap", *args], env=x_env(display), check=True, timeout=30)

        setxkbmap("de")
        choice = find_layout({"DISPLAY": display}, localectl=lambda: "X11 Layout: fr\n")
        try:
            layout = choice.layout()
            assert layout.name == "German" and display in layout.source
            assert layout.codes("z") == (e.KEY_Y,)
            assert layout.codes("€") == (e.KEY_RIGHTALT, e.KEY_E)
            setxkbmap("us")
            assert choice.layout().codes("z") == (e.KEY_Z,)
            assert choice.layout().codes("€") is None
        finally:
            choice.close()


# ----------------------------------------------------------------------------- the real device


needs_uinput = pytest.mark.skipif(
    not os.path.exists(uinput.DEVNODE), reason="no /dev/uinput on this machine"
)


def _node_of(name: str, timeout: float = 10.0) -> InputDevice:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in evdev.list_devices():
            device = InputDevice(path)
            if device.name == name:
                return device
            device.close()
        time.sleep(0.05)
    raise AssertionError(f"no input device named {name!r} appeared")


def _read(device: InputDevice, count: int, timeout: float = 10.0) -> list[tuple]:
    """The next ``count`` key/rel/abs events (SYN left out) as (type, code, value)."""
    out: list[tuple] = []
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        ready, _, _ = select.select([device.fd], [], [], 0.2)
        if not ready:
            continue
        try:
            for event in device.read():
                if event.type != e.EV_SYN:
                    out.append((event.type, event.code, event.value))
        except OSError:  # the device went away
            break
    return out


@needs_uinput
def test_real_devices_send_what_the_fakes_record() -> None:
    sink = uinput.open_uinput_sink(
        desktop=Desktop.single(1920, 1080), env={"XKB_DEFAULT_LAYOUT": "us"}, settle_s=0.0
    )
    try:
        keyboard = _node_of("HandCue keyboard")
        pointer = _node_of("HandCue pointer")
        absolute = _node_of("HandCue absolute pointer")
        assert e.INPUT_PROP_DIRECT not in absolute.input_props()
        parse_action("combo:ctrl+z").tap(sink)
        assert _read(keyboard, 4) == [
            (e.EV_KEY, e.KEY_LEFTCTRL, 1), (e.EV_KEY, e.KEY_Z, 1),
            (e.EV_KEY, e.KEY_Z, 0), (e.EV_KEY, e.KEY_LEFTCTRL, 0),
        ]  # fmt: skip
        parse_action("scroll:up:2").tap(sink)
        parse_action("click:left").tap(sink)
        assert _read(pointer, 4) == [
            (e.EV_REL, e.REL_WHEEL, 1), (e.EV_REL, e.REL_WHEEL, 1),
            (e.EV_KEY, e.BTN_LEFT, 1), (e.EV_KEY, e.BTN_LEFT, 0),
        ]  # fmt: skip
        sink.move_pointer(960, 540)
        assert _read(absolute, 2) == [(e.EV_ABS, e.ABS_X, 32785), (e.EV_ABS, e.ABS_Y, 32798)]
        for device in (keyboard, pointer, absolute):
            device.close()
    finally:
        sink.close()


HOLDER = """
import sys, time
from app.desktop.uinput import open_uinput_sink
sink = open_uinput_sink(env={"XKB_DEFAULT_LAYOUT": "us"}, settle_s=0.0)
sink.press_key("shift")
sink.press_button("left")
print("held", flush=True)
time.sleep(600)
"""


@needs_uinput
def test_sigkill_while_held_releases_in_the_kernel() -> None:
    """The kernel sends key-ups for what a destroyed uinput device held."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True,
                            cwd=str(Path(__file__).resolve().parents[3]))  # fmt: skip
    try:
        keyboard = _node_of("HandCue keyboard")
        pointer = _node_of("HandCue pointer")
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        assert e.KEY_LEFTSHIFT in keyboard.active_keys() and e.BTN_LEFT in pointer.active_keys()
        proc.kill()
        proc.wait(30)
        # everything up to the device's end: the presses, then the kernel's releases
        assert _read(keyboard, 100)[-1] == (e.EV_KEY, e.KEY_LEFTSHIFT, 0)
        assert _read(pointer, 100)[-1] == (e.EV_KEY, e.BTN_LEFT, 0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
