"""A native Wayland window for the tests: run with ``QT_QPA_PLATFORM=wayland`` inside a
compositor, it logs every key and pointer event it receives as JSON lines.

``python -m tests.support.wayland_receiver LOG [APP_ID]``: the window fills its space (sway
tiles it over the whole output when it is alone: surface pixels are then desktop pixels) and
writes ``{"type": "ready"}`` once shown, then ``key_press`` / ``key_release`` (Qt key, text,
auto-repeat), ``move`` (x, y in the window), ``press`` / ``release`` (button), ``wheel``
(angle delta) lines.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

BUTTONS = {
    Qt.MouseButton.LeftButton: "left",
    Qt.MouseButton.RightButton: "right",
    Qt.MouseButton.MiddleButton: "middle",
}


class Receiver(QWidget):
    def __init__(self, out) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self._out = out
        self.setWindowTitle("HandCueWaylandReceiver")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)

    def write(self, **fields: object) -> None:
        self._out.write(json.dumps(fields) + "\n")

    def keyPressEvent(self, e) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.write(type="key_press", key=int(e.key()), text=e.text(), auto=e.isAutoRepeat(),
                   code=int(e.nativeScanCode()))  # fmt: skip

    def keyReleaseEvent(self, e) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.write(type="key_release", key=int(e.key()), text=e.text(), auto=e.isAutoRepeat(),
                   code=int(e.nativeScanCode()))  # fmt: skip

    def mouseMoveEvent(self, e) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        p = e.position()
        self.write(type="move", x=round(p.x()), y=round(p.y()), buttons=int(e.buttons().value))

    def mousePressEvent(self, e) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.write(type="press", button=BUTTONS.get(e.button(), str(e.button())))

    def mouseReleaseEvent(self, e) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.write(type="release", button=BUTTONS.get(e.button(), str(e.button())))

    def wheelEvent(self, e) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        d = e.angleDelta()
        self.write(type="wheel", dx=d.x(), dy=d.y())


def main() -> None:
    log_path = sys.argv[1]
    app = QApplication(sys.argv[:1])
    if len(sys.argv) > 2:
        QGuiApplication.setDesktopFileName(sys.argv[2])  # the Wayland app id
    out = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the process
    window = Receiver(out)
    window.show()
    QTimer.singleShot(300, lambda: window.write(type="ready", w=window.width(), h=window.height()))
    app.exec()


if __name__ == "__main__":
    main()
