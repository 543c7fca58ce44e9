"""Run inside Xvfb (+ openbox) by test_click_palette_desktop.py: the click palette and pointer
mode with the real pynput sink, a synthetic hand (tests/support/dwell_sim.py) dwelling first on
a palette button, then on a Tk receiver window (click_receiver.py, another process) that logs
the X button events it gets. No keyboard, no real mouse. The pointer hook runs on a thread of its
own, as on the app's tracking thread; the palette and the ring are drawn on the GUI thread from
its latest state, and the palette hands its buttons to the hook from the GUI thread.

Prints one JSON object: per phase, the receiver's events (press/release/double with X button
numbers and root positions) and what the state said.

Usage: python palette_desktop_checks.py RECEIVER_LOG [SCREENSHOT.png]
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.desktop.input_sink import PynputSink  # noqa: E402
from app.gui.click_palette import ClickPalette  # noqa: E402
from app.gui.pointer_overlay import PointerOverlay  # noqa: E402
from pipeline.pointer import Desktop, PointerHook, PointerSettings  # noqa: E402
from pipeline.pointer.click_types import palette_button_px  # noqa: E402
from tests.support.dwell_sim import FRAME_MS, H, HandPath, W  # noqa: E402

SCREEN = (1920, 1080)
FRAME_SLEEP_S = 0.006  # real time per frame, so the receiver keeps up (timing is the frames')


class Gate:
    """The action engine as pointer mode sees it: armed, not paused."""

    armed = True
    paused = False

    def withhold_gestures(self, gestures) -> None:
        pass


def main() -> int:
    log_path = Path(sys.argv[1])
    shot = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    app = QApplication(sys.argv)
    desktop = Desktop.single(*SCREEN)
    settings = PointerSettings(
        dwell_click=True, dwell_ms=600, dwell_refractory_ms=300, dead_zone_px=0.0,
        min_cutoff_hz=30.0, beta=0.0, takeback_ms=0,
    )  # fmt: skip
    sink = PynputSink()
    hook = PointerHook(sink, Gate(), settings, desktop, enabled=True)
    palette = ClickPalette(palette_button_px(settings, desktop, W, H))
    palette.layout_changed.connect(hook.set_palette)
    palette.place(None)
    palette.show()
    overlay = PointerOverlay()
    palette_presses: list[int] = []  # OS button presses the palette window received

    class PressCounter(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
            if event.type() == QEvent.Type.MouseButtonPress:
                palette_presses.append(int(event.button().value))
            return False

    counter = PressCounter()
    palette.installEventFilter(counter)
    latest: list = [None]
    done = threading.Event()
    out: dict = {"button_px": palette.button_px}
    failure: list[str] = []

    def pump_until(predicate, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            if predicate():
                return True
            time.sleep(0.01)
        return False

    if not pump_until(lambda: bool(hook._driver.controller.palette), 20):
        print(json.dumps({"error": "the palette never reached the hook"}))
        return 1
    rects = {n: r.translated(palette.pos()) for n, r in palette.button_rects().items()}
    out["palette"] = {n: [r.x(), r.y(), r.width(), r.height()] for n, r in rects.items()}

    def centre(name: str) -> tuple[float, float]:
        c = rects[name].center()
        return (float(c.x()), float(c.y()))

    def step(frame):
        result = hook.step(frame)
        latest[0] = result
        time.sleep(FRAME_SLEEP_S)
        return result

    path = HandPath(step, settings, desktop)

    def events() -> list[dict]:
        lines = log_path.read_text(encoding="utf-8").splitlines()
        return [e for e in map(json.loads, lines) if e["kind"] != "ready"]

    def dwell_on(at: tuple[float, float], ms: float = 1000) -> None:
        path.glide((at[0] + 150, at[1]), at, 250)
        path.hold(*at, ms)

    def settle(quiet_s: float = 1.5, timeout: float = 20.0) -> None:
        """Wait until the receiver has written everything it got (its log stops growing)."""
        end = time.monotonic() + timeout
        count, since = len(events()), time.monotonic()
        while time.monotonic() < end and time.monotonic() - since < quiet_s:
            time.sleep(0.05)
            now = len(events())
            if now != count:
                count, since = now, time.monotonic()

    def phase(name: str, actions) -> None:
        """The receiver is quiet when a phase starts: after the first hold, or the previous
        phase's own settle."""
        before = len(events())
        actions()
        x, y = path_last[0]
        path.hold(x, y, 300)
        settle()
        state = hook.state
        out[name] = {
            "events": events()[before:],
            "click_type": state.click_type,
            "clicks_paused": state.clicks_paused,
            "held": list(state.held),
        }

    path_last: list[tuple[float, float]] = [(1000.0, 300.0)]

    def at(x: float, y: float, ms: float = 1000) -> None:
        dwell_on((x, y), ms)
        path_last[0] = (x, y)

    def dwells(*points: tuple[float, float]) -> None:
        for x, y in points:
            at(x, y)

    def run() -> None:
        try:
            path.hold(1000, 300, 300)
            settle()
            phase("right", lambda: dwells(centre("right"), (900, 400)))
            phase("double", lambda: dwells(centre("double"), (1000, 500)))

            def drag() -> None:
                at(*centre("drag"))
                at(800, 600)
                path.glide((800, 600), (1200, 700), 500)
                path.hold(1200, 700, 1000)
                path_last[0] = (1200, 700)

            phase("drag", drag)

            def scroll() -> None:
                at(*centre("scroll"))
                at(1000, 500)
                path.glide((1000, 500), (1000, 380), 300)
                path.hold(1000, 380, 1200)
                path.glide((1000, 380), (1000, 500), 300)
                path.hold(1000, 500, 1000)
                path_last[0] = (1000, 500)

            phase("scroll", scroll)
            phase("pause", lambda: dwells(centre("pause"), (1100, 400), (1300, 450)))
            out["pause"]["state_after"] = hook.state.clicks_paused
            phase("resume", lambda: dwells(centre("pause"), (1100, 400)))
            # for the picture: double chosen to stay (dwelling on it: sticky), and the hand
            # halfway through a dwell on the drag button
            at(*centre("double"), 1500)
            path.glide((centre("drag")[0] + 150, centre("drag")[1]), centre("drag"), 250)
            path.hold(*centre("drag"), 350)
        except Exception as exc:  # reported, not raised: the main thread prints
            failure.append(repr(exc))
        finally:
            done.set()

    worker = threading.Thread(target=run, name="tracking", daemon=True)
    worker.start()
    while not done.is_set():
        app.processEvents()
        frame = latest[0]
        if frame is not None:
            if palette.show_state(frame.state):
                overlay.raise_()  # as app.gui.pointer_mode does
            overlay.show_state(frame.state)
        time.sleep(0.005)
    worker.join(10)
    pump_until(lambda: False, 0.5)
    if latest[0] is not None:
        palette.show_state(latest[0].state)
        overlay.show_state(latest[0].state)
        overlay.raise_()
    pump_until(lambda: False, 0.5)
    if shot is not None:
        subprocess.run(["import", "-window", "root", str(shot)], check=True, timeout=60)
        out["screenshot"] = str(shot)
    out["final_state"] = {
        "click_type": hook.state.click_type,
        "sticky": hook.state.sticky,
        "palette_button": hook.state.palette_button,
        "dwell_progress": round(hook.state.dwell_progress, 2),
    }
    out["frame_ms"] = FRAME_MS
    out["palette_presses"] = list(palette_presses)
    hook.release()
    out["held_after"] = list(sink._held_buttons)
    overlay.close()
    palette.close()
    sink.close()
    if failure:
        out["error"] = failure[0]
    print(json.dumps(out))
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
