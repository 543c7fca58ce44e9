"""Shows HandCue's on-screen note (with the app's style) on ``$DISPLAY`` and prints its screen
rectangle as a JSON line, then keeps it up until killed. Run by test_toast_over_fullscreen.py
in its own process (the Qt platform must be xcb, which the pytest process does not use)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout
os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app import resources  # noqa: E402
from app.gui.toast import Toast  # noqa: E402


def main() -> int:
    app = QApplication([])
    app.setStyleSheet(resources.stylesheet())
    toast = Toast()
    toast.show_text("Thumb up → Right arrow", ms=60_000)

    def report() -> None:
        toast.raise_()
        g = toast.frameGeometry()
        print(json.dumps({"x": g.x(), "y": g.y(), "w": g.width(), "h": g.height()}), flush=True)

    QTimer.singleShot(500, report)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
