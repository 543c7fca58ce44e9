"""Run inside Xvfb by test_pointer_desktop.py: pointer mode with the real pynput sink against a
real PySide6 window (a slider and a click pad), driven by landmark sequences built from real
HaGRID hands (tests/support/pointer_sequences.py). Prints one JSON object with what happened.

Usage: python pointer_desktop_checks.py DATA_DIR
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QSlider, QWidget  # noqa: E402

from app.desktop.input_sink import PynputSink  # noqa: E402
from pipeline.pointer import Desktop, PointerDriver, PointerSettings  # noqa: E402
from tests.support.pointer_sequences import PALM, H, Poses, W, frames  # noqa: E402

SCREEN = (1920, 1080)
TAKEBACK_MS = 800


class Pad(QWidget):
    """A window covering the screen: a slider at the top, the rest logs mouse presses."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("HandCuePointerTarget")
        self.setGeometry(0, 0, *SCREEN)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setGeometry(200, 100, 1500, 40)
        self.slider.setRange(0, 1000)
        self.slider.setValue(100)
        self.presses: list[tuple[str, int, int]] = []
        self.releases = 0

    def mousePressEvent(self, e) -> None:  # noqa: N802 (Qt name)
        pos = e.globalPosition().toPoint()
        button = "left" if e.button() == Qt.MouseButton.LeftButton else "right"
        self.presses.append((button, pos.x(), pos.y()))

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802
        self.releases += 1


def pump(app: QApplication, seconds: float = 0.0) -> None:
    end = time.monotonic() + seconds
    while True:
        app.processEvents()
        if time.monotonic() >= end:
            break
        time.sleep(0.005)


def shift_for(poses: Poses, settings: PointerSettings, x: float, y: float) -> tuple[float, float]:
    """Hand shift (frame pixels) that puts the pointer at desktop (x, y) (inverse mapping)."""
    area = settings.active_area
    fu = x / (SCREEN[0] - 1)
    if settings.mirror:
        fu = 1.0 - fu
    u = area.left + fu * (area.right - area.left)
    v = area.top + y / (SCREEN[1] - 1) * (area.bottom - area.top)
    centre = poses.open[PALM, :2].mean(axis=0)
    return (u * W - centre[0], v * H - centre[1])


def main() -> int:
    data = Path(sys.argv[1])
    app = QApplication(sys.argv)
    pad = Pad()
    pad.show()
    pad.activateWindow()
    pad.raise_()
    pump(app, 0.5)
    poses = Poses(data)
    settings = PointerSettings(takeback_ms=TAKEBACK_MS)
    sink = PynputSink()
    driver = PointerDriver(sink, settings, Desktop.single(*SCREEN))
    out: dict = {}
    t0 = [0]

    def feed(seq, shifts) -> None:
        for r in frames(seq, shifts, start=t0[0]):
            driver.step(r)
            pump(app)
            time.sleep(0.002)
        t0[0] += len(seq)

    # --- drag: grab the slider's handle, move right 600 px, let go
    handle_x = 200 + 12 + (1500 - 24) * 100 / 1000  # roughly where a 0-1000 slider draws 100
    start = shift_for(poses, settings, handle_x, 120)
    feed([poses.open] * 30, [start] * 30)
    out["pointer_at_handle"] = sink.pointer_position()
    value_before = pad.slider.value()
    closing = [poses.blend(poses.open, poses.ok, k) for k in np.linspace(0.2, 1.0, 5)]
    end = shift_for(poses, settings, handle_x + 600, 120)
    moving = [(start[0] + (end[0] - start[0]) * k, start[1]) for k in np.linspace(0, 1, 30)]
    feed(closing + [poses.ok] * 12, [start] * 17)  # pinch held 0.4 s: a drag starts
    feed([poses.ok] * 30 + [poses.ok] * 10, moving + [end] * 10)
    feed([poses.blend(poses.ok, poses.open, k) for k in (0.4, 0.8, 1.0)] * 1 + [poses.open] * 5,
         [end] * 8)  # fmt: skip
    pump(app, 0.2)
    out["slider"] = [value_before, pad.slider.value()]
    out["drag_presses"] = list(pad.presses)
    out["releases_after_drag"] = pad.releases
    pad.presses.clear()

    # --- click: aim at (960, 700), the hand drifts while pinching; the click must land there
    aim = shift_for(poses, settings, 960, 700)
    feed([poses.open] * 30, [aim] * 30)
    out["aim"] = sink.pointer_position()
    seq = closing + [poses.ok] * 2 + [poses.blend(poses.ok, poses.open, k) for k in (0.4, 1.0)]
    drift = [(aim[0] + 2.0 * i, aim[1] + 1.0 * i) for i in range(1, len(seq) + 1)]
    feed(seq + [poses.open] * 5, drift + [drift[-1]] * 5)
    pump(app, 0.3)
    out["click_presses"] = list(pad.presses)
    out["held_after"] = list(sink._held_buttons)

    # --- manual takeback: another X client moves the pointer; the hand must leave it alone
    feed([poses.open] * 10, [aim] * 10)
    subprocess.run(
        [sys.executable, "-c",
         "from pynput.mouse import Controller; Controller().position = (300, 900)"],
        check=True, timeout=30,
    )  # fmt: skip
    moved_to = sink.pointer_position()
    hand_moves = [(aim[0] - 3.0 * i, aim[1]) for i in range(1, 16)]  # 0.5 s of hand motion
    feed([poses.open] * 15, hand_moves)
    out["takeback"] = {
        "moved_to": moved_to,
        "after_hand_moved": sink.pointer_position(),
        "mode": driver.state.mode,
    }
    # after the pause (frames are 33 ms apart; 800 ms = 24 frames) the hand has it again
    feed([poses.open] * 30, [hand_moves[-1]] * 30)
    out["takeback"]["later"] = sink.pointer_position()
    out["takeback"]["later_mode"] = driver.state.mode
    # --- the feedback overlay is click-through: a click on it reaches the window below
    from app.gui.pointer_overlay import PointerOverlay
    from pipeline.pointer import PointerState

    overlay = PointerOverlay()
    overlay.show_state(PointerState(mode="tracking", x=1000, y=500))
    pump(app, 0.3)
    centre = overlay.geometry().center()
    pad.presses.clear()
    sink.move_pointer(centre.x(), centre.y())
    sink.click("left")
    pump(app, 0.3)
    out["overlay"] = {
        "visible": overlay.isVisible(),
        "centre": [centre.x(), centre.y()],
        "presses": list(pad.presses),
    }
    overlay.close()
    driver.close()
    sink.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
