"""A main window sized by ``fit_to_screen`` (as HandCue's is) on ``$DISPLAY``; prints its frame
and the screen's available area as a JSON line once the window manager has framed it. Run by
test_frame_fits_screen.py in its own process (the Qt platform must be xcb)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout
os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow  # noqa: E402

from app.gui.screen_fit import available_geometry, fit_to_screen  # noqa: E402


def main() -> int:
    app = QApplication([])
    window = QMainWindow()
    window.setCentralWidget(QLabel("HandCue"))
    window.statusBar().showMessage("Tracking")
    fit_to_screen(window, 1280, 780)
    window.show()

    def report() -> None:
        f, a = window.frameGeometry(), available_geometry(window)
        print(json.dumps({"frame": [f.x(), f.y(), f.width(), f.height()],
                          "area": [a.x(), a.y(), a.width(), a.height()]}), flush=True)  # fmt: skip
        app.quit()

    QTimer.singleShot(3000, report)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
