"""Each platform's active-window source, with the platform calls faked: the X11 protocol
requests (python-xlib's objects), the Win32 functions (ctypes buffers filled like the DLLs do)
and the macOS window list / NSWorkspace. All of them run on Linux."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.desktop.focus import create_window_source
from app.desktop.focus.macos import MacSource
from app.desktop.focus.win32 import PROCESS_QUERY_LIMITED_INFORMATION, Win32Source
from app.desktop.focus.x11 import X11Source
from pipeline.focus import WAYLAND_UNAVAILABLE, WatcherUnavailable, WindowInfo

# ------------------------------------------------------------------------------------ X11


class BadWindow(Exception):
    """Named like python-xlib's error for a window that no longer exists."""


@dataclass
class Prop:
    value: Any


@dataclass
class FakeXWindow:
    id: int
    display: FakeDisplay
    props: dict[str, Any] = field(default_factory=dict)
    wm_class: tuple[str, str] | None = None
    wm_name: Any = None
    parent: FakeXWindow | None = None

    def _check(self) -> None:
        self.display.requests += 1
        if self.id in self.display.destroyed:
            raise BadWindow(f"window {self.id:#x}")

    def get_full_property(self, atom: int, kind: int) -> Prop | None:
        self._check()
        name = self.display.atom_names[atom]
        if name == "_NET_WM_NAME" and kind != self.display.atoms["UTF8_STRING"]:
            raise AssertionError("_NET_WM_NAME must be asked for as UTF8_STRING")
        value = self.props.get(name)
        return None if value is None else Prop(value)

    def get_wm_class(self) -> tuple[str, str] | None:
        self._check()
        return self.wm_class

    def get_wm_name(self) -> Any:
        self._check()
        return self.wm_name

    def change_attributes(self, event_mask: int) -> None:
        self._check()
        self.display.listening[self.id] = event_mask

    def query_tree(self) -> Any:
        self._check()
        return Prop(None) if self.parent is None else type("Tree", (), {"parent": self.parent})


class FakeDisplay:
    """The python-xlib Display calls X11Source makes, counting round trips."""

    def __init__(self) -> None:
        self.atoms: dict[str, int] = {}
        self.atom_names: dict[int, str] = {}
        self.windows: dict[int, FakeXWindow] = {}
        self.destroyed: set[int] = set()
        self.requests = 0
        self.focus: Any = 0
        self.root = FakeXWindow(0x100, self)
        self.closed = False
        self.listening: dict[int, int] = {}  # window id -> event mask we selected
        self.events: list[Any] = []  # queued events, as read from the connection

    def fileno(self) -> int:
        return 99

    def pending_events(self) -> int:
        return len(self.events)

    def next_event(self) -> Any:
        return self.events.pop(0)

    def property_notify(self, window: int, name: str) -> None:
        atom = self.intern_atom(name)
        self.events.append(type("PropertyNotify", (), {"type": 28, "window": window,
                                                       "atom": atom}))  # fmt: skip

    def intern_atom(self, name: str) -> int:
        atom = self.atoms.setdefault(name, len(self.atoms) + 1)
        self.atom_names[atom] = name
        return atom

    def screen(self) -> Any:
        return type("Screen", (), {"root": self.root})

    def create_resource_object(self, kind: str, wid: int) -> FakeXWindow:
        assert kind == "window"
        return self.windows.get(wid) or FakeXWindow(wid, self)

    def get_input_focus(self) -> Any:
        self.requests += 1
        return type("Focus", (), {"focus": self.focus})

    def add(self, wid: int, **kw: Any) -> FakeXWindow:
        window = FakeXWindow(wid, self, **kw)
        self.windows[wid] = window
        return window

    def close(self) -> None:
        self.closed = True


def test_x11_reads_the_ewmh_active_window() -> None:
    d = FakeDisplay()
    d.add(0x400001, wm_class=("vlc", "vlc"), props={"_NET_WM_PID": [4242],
          "_NET_WM_NAME": "Film — VLC".encode()})  # fmt: skip
    d.root.props["_NET_ACTIVE_WINDOW"] = [0x400001]
    names = {4242: "vlc"}
    source = X11Source(display=d, process_name=lambda pid: names.get(pid, ""))
    info = source.active_window()
    assert info == WindowInfo(title="Film — VLC", process="vlc", wm_class=("vlc", "vlc"),
                              pid=4242, window_id=0x400001)  # fmt: skip
    assert source.ewmh is True
    # the same window again: only its id and title are read (class and pid are cached)
    before = d.requests
    d.windows[0x400001].props["_NET_WM_NAME"] = b"Other film - VLC"
    assert source.active_window().title == "Other film - VLC"
    assert d.requests - before == 2
    source.close()
    assert d.closed


def test_x11_title_falls_back_to_wm_name_and_no_active_window_is_none() -> None:
    d = FakeDisplay()
    d.add(0x500001, wm_class=("xterm", "XTerm"), wm_name="bash")
    d.root.props["_NET_ACTIVE_WINDOW"] = [0x500001]
    source = X11Source(display=d, process_name=lambda pid: "")
    info = source.active_window()
    assert (info.title, info.pid, info.process, info.app) == ("bash", 0, "", "XTerm")
    d.root.props["_NET_ACTIVE_WINDOW"] = [0]  # e.g. the desktop has the focus
    assert source.active_window() is None


def test_x11_without_ewmh_uses_the_input_focus_walked_up_to_the_client_window() -> None:
    d = FakeDisplay()
    top = d.add(0x600001, wm_class=("presenter", "Presenter"), wm_name="Slides",
                props={"_NET_WM_PID": [77]})  # fmt: skip
    child = d.add(0x600002, parent=top)  # a child widget holds the focus, without WM_CLASS
    d.focus = child
    source = X11Source(display=d, process_name=lambda pid: "python3")
    info = source.active_window()
    assert source.ewmh is False
    assert (info.window_id, info.wm_class, info.title, info.process) == (
        0x600001, ("presenter", "Presenter"), "Slides", "python3",
    )  # fmt: skip
    before = d.requests
    assert source.active_window().window_id == 0x600001
    assert d.requests - before == 3  # focus, _NET_WM_NAME, WM_NAME: the walk is remembered
    d.focus = 1  # PointerRoot: no window
    assert source.active_window() is None


def test_x11_a_window_that_closes_mid_read_is_skipped() -> None:
    d = FakeDisplay()
    d.add(0x700001, wm_class=("a", "A"))
    d.root.props["_NET_ACTIVE_WINDOW"] = [0x700001]
    d.destroyed.add(0x700001)
    source = X11Source(display=d, process_name=lambda pid: "")
    assert source.active_window() is None


def test_x11_process_name_comes_from_proc() -> None:
    import os

    from app.desktop.focus.x11 import proc_process_name

    assert proc_process_name(os.getpid()) in ("python", "python3", "pytest", "python3.11")
    assert proc_process_name(0) == ""


# ------------------------------------------------------------------------------------ Windows


class FakeUser32:
    """user32 functions as ctypes calls them: buffers filled in place, pid through a pointer."""

    def __init__(self) -> None:
        self.foreground = 0
        self.titles: dict[int, str] = {}
        self.classes: dict[int, str] = {}
        self.pids: dict[int, int] = {}
        self.calls: list[str] = []

    def GetForegroundWindow(self) -> int:  # noqa: N802 (Win32 name)
        self.calls.append("GetForegroundWindow")
        return self.foreground

    def GetWindowTextLengthW(self, hwnd: int) -> int:  # noqa: N802
        self.calls.append("GetWindowTextLengthW")
        return len(self.titles.get(hwnd, ""))

    def GetWindowTextW(self, hwnd: int, buffer: Any, size: int) -> int:  # noqa: N802
        self.calls.append("GetWindowTextW")
        text = self.titles.get(hwnd, "")[: size - 1]
        buffer.value = text
        return len(text)

    def GetClassNameW(self, hwnd: int, buffer: Any, size: int) -> int:  # noqa: N802
        self.calls.append("GetClassNameW")
        buffer.value = self.classes.get(hwnd, "")[: size - 1]
        return len(buffer.value)

    def GetWindowThreadProcessId(self, hwnd: int, pid_ref: Any) -> int:  # noqa: N802
        self.calls.append("GetWindowThreadProcessId")
        pid_ref._obj.value = self.pids.get(hwnd, 0)
        return 1


class FakeKernel32:
    def __init__(self, images: dict[int, str]) -> None:
        self.images = images
        self.open_handles: set[int] = set()

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int:  # noqa: N802
        assert access == PROCESS_QUERY_LIMITED_INFORMATION and inherit is False
        if pid not in self.images:
            return 0  # e.g. access denied
        self.open_handles.add(1000 + pid)
        return 1000 + pid

    def QueryFullProcessImageNameW(self, handle: int, flags: int, buffer: Any, size_ref: Any):  # noqa: N802
        path = self.images[handle - 1000]
        assert size_ref._obj.value >= len(path) + 1
        buffer.value = path
        size_ref._obj.value = len(path)
        return 1

    def CloseHandle(self, handle: int) -> int:  # noqa: N802
        self.open_handles.remove(handle)
        return 1


def test_win32_reads_the_foreground_window() -> None:
    user32 = FakeUser32()
    kernel32 = FakeKernel32({4321: r"C:\Program Files\Microsoft Office\root\Office16\POWERPNT.EXE"})
    user32.foreground = 0x10A2
    user32.titles[0x10A2] = "Deck.pptx - PowerPoint"
    user32.classes[0x10A2] = "PPTFrameClass"
    user32.pids[0x10A2] = 4321
    source = Win32Source(user32, kernel32)
    info = source.active_window()
    assert info == WindowInfo(title="Deck.pptx - PowerPoint", process="POWERPNT.EXE",
                              window_class="PPTFrameClass", pid=4321, window_id=0x10A2)  # fmt: skip
    assert kernel32.open_handles == set()  # the process handle was closed
    # same window: only the title is read again
    user32.calls.clear()
    user32.titles[0x10A2] = "Other.pptx - PowerPoint"
    assert source.active_window().title == "Other.pptx - PowerPoint"
    assert user32.calls == ["GetForegroundWindow", "GetWindowTextLengthW", "GetWindowTextW"]


def test_win32_no_foreground_window_and_unreadable_process() -> None:
    user32, kernel32 = FakeUser32(), FakeKernel32({})
    source = Win32Source(user32, kernel32)
    assert source.active_window() is None  # e.g. while the desktop switches
    user32.foreground = 0x20
    user32.pids[0x20] = 4  # a protected process: OpenProcess fails
    info = source.active_window()
    assert (info.process, info.pid, info.title) == ("", 4, "")


def test_win32_long_titles_are_cut() -> None:
    user32 = FakeUser32()
    user32.foreground = 1
    user32.titles[1] = "x" * 5000
    info = Win32Source(user32, FakeKernel32({})).active_window()
    assert info.title == "x" * 1024


def test_win32_needs_the_dlls() -> None:
    if hasattr(ctypes, "WinDLL"):
        pytest.skip("this is Windows: the real DLLs load")
    with pytest.raises(WatcherUnavailable):
        Win32Source()


# ------------------------------------------------------------------------------------ macOS


class FakeRunningApp:
    def __init__(self, name: str, bundle: str, pid: int) -> None:
        self._name, self._bundle, self._pid = name, bundle, pid

    def localizedName(self) -> str:  # noqa: N802 (Cocoa name)
        return self._name

    def bundleIdentifier(self) -> str:  # noqa: N802
        return self._bundle

    def processIdentifier(self) -> int:  # noqa: N802
        return self._pid


MAC_WINDOWS = [
    {"kCGWindowLayer": 25, "kCGWindowOwnerName": "Dock", "kCGWindowOwnerPID": 90},
    {"kCGWindowLayer": 0, "kCGWindowOwnerName": "Keynote", "kCGWindowOwnerPID": 501,
     "kCGWindowName": "Talk.key", "kCGWindowNumber": 812},
    {"kCGWindowLayer": 0, "kCGWindowOwnerName": "Finder", "kCGWindowOwnerPID": 300},
]  # fmt: skip


def test_macos_front_window_from_the_window_list() -> None:
    apps = {501: FakeRunningApp("Keynote", "com.apple.iWork.Keynote", 501)}
    source = MacSource(window_list=lambda: MAC_WINDOWS, frontmost=lambda: None,
                       app_for_pid=apps.get)  # fmt: skip
    assert source.active_window() == WindowInfo(
        title="Talk.key", process="Keynote", bundle_id="com.apple.iWork.Keynote", pid=501,
        window_id=812,
    )  # fmt: skip
    # no Screen Recording permission: no titles, still the app
    untitled = [{k: v for k, v in w.items() if k != "kCGWindowName"} for w in MAC_WINDOWS]
    source = MacSource(window_list=lambda: untitled, frontmost=lambda: None,
                       app_for_pid=apps.get)  # fmt: skip
    assert source.active_window().title == ""
    assert MacSource(window_list=lambda: [], frontmost=lambda: None,
                     app_for_pid=apps.get).active_window() is None  # fmt: skip


def test_macos_without_quartz_uses_nsworkspace() -> None:
    source = MacSource(frontmost=lambda: FakeRunningApp("VLC", "org.videolan.vlc", 77),
                       app_for_pid=lambda pid: None)  # fmt: skip
    info = source.active_window()
    assert (info.process, info.bundle_id, info.pid, info.title) == (
        "VLC", "org.videolan.vlc", 77, "",
    )  # fmt: skip


def test_macos_without_pyobjc_is_unavailable() -> None:
    try:
        import AppKit  # noqa: F401
    except ImportError:
        with pytest.raises(WatcherUnavailable, match="pyobjc"):
            MacSource()
    else:  # pragma: no cover - macOS
        pytest.skip("pyobjc is installed")


# ------------------------------------------------------------------------------------ choosing


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, WAYLAND_UNAVAILABLE),
        ({"XDG_SESSION_TYPE": "wayland"}, WAYLAND_UNAVAILABLE),
        ({}, "no X display"),
    ],
)
def test_linux_without_a_usable_x_display_is_unavailable(env: dict, message: str) -> None:
    with pytest.raises(WatcherUnavailable, match=message.split(":")[0]):
        create_window_source("linux", env)


def test_platform_choice() -> None:
    with pytest.raises(WatcherUnavailable, match="pyobjc"):
        create_window_source("darwin", {})
    if not hasattr(ctypes, "WinDLL"):
        with pytest.raises(WatcherUnavailable):
            create_window_source("win32", {})


class FakeSelect:
    """``select.select`` on the fake connection: readable when events are queued."""

    def __init__(self, display: FakeDisplay) -> None:
        self.display = display
        self.calls: list[tuple[list, float]] = []

    def __call__(self, rlist: list, wlist: list, xlist: list, timeout: float):
        self.calls.append((list(rlist), timeout))
        return ([99] if rlist and self.display.events else []), [], []


def test_x11_listens_for_changes_of_the_active_window_and_its_title() -> None:
    d = FakeDisplay()
    d.add(0x800001, wm_class=("vlc", "Vlc"), wm_name="Film")
    d.root.props["_NET_ACTIVE_WINDOW"] = [0x800001]
    wait = FakeSelect(d)
    source = X11Source(display=d, process_name=lambda pid: "", wait=wait)
    assert source.wait_for_change(0.1) is None  # nothing learnt yet: poll on a timer
    assert wait.calls == []
    source.active_window()
    mask = 1 << 22  # PropertyChangeMask
    assert d.listening == {0x100: mask, 0x800001: mask}  # root and the active window
    assert source.wait_for_change(0.1, wake_fd=5) is False  # quiet
    assert wait.calls[-1] == ([99, 5], 0.1)  # slept on the X connection and the wake-up pipe
    d.property_notify(0x800001, "WM_NAME")  # the title changed
    assert source.wait_for_change(0.1) is True
    d.property_notify(0x100, "_NET_ACTIVE_WINDOW")
    d.property_notify(0x100, "_NET_CLIENT_LIST")  # other properties do not count on their own
    assert source.wait_for_change(0.1) is True and d.events == []
    d.property_notify(0x100, "_NET_CLIENT_LIST")
    assert source.wait_for_change(0.1) is False


def test_x11_without_ewmh_never_listens() -> None:
    d = FakeDisplay()
    d.focus = d.add(0x900001, wm_class=("a", "A"))
    wait = FakeSelect(d)
    source = X11Source(display=d, process_name=lambda pid: "", wait=wait)
    assert source.active_window().window_id == 0x900001
    assert source.wait_for_change(0.05) is None and d.listening == {} and wait.calls == []
