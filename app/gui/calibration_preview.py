"""The camera's picture during pointer calibration, shown in the Settings dialog itself.

Calibration asks the user to move the hand to each corner they can reach; the Settings dialog
covers the main window's live view, so without this they reached blind. The preview shows the
picture as the live view does (mirrored or not), a dot on the hand's anchor, and the area its
path spans so far: the active area calibration will set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from app.gui.video_view import frame_to_qimage
from pipeline.pointer.motion import anchor_point

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from app.gui.tracked_frames import TrackedFrame

WIDTH = 320  # pixels of the preview; the height follows the camera's aspect ratio
_REACHED = QColor(80, 200, 120)


class CalibrationPreview(QLabel):
    """Hidden until :meth:`start`; fed by a ``frame_ready(TrackedFrame)`` signal until
    :meth:`stop`. ``anchor``: which point of the hand pointer mode follows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName("Camera picture during calibration")
        self.setMinimumHeight(120)
        self.hide()
        self._frames: SignalInstance | None = None
        self._mirrored = True
        self._anchor = "palm_centre"
        self.reached: list[tuple[float, float]] = []  # anchors seen, frame fractions
        self.frames_shown = 0

    def start(self, frames: SignalInstance | None, *, mirrored: bool, anchor: str) -> None:
        self.stop()
        self.reached = []
        self.frames_shown = 0
        self._mirrored, self._anchor = mirrored, anchor
        if frames is None:
            return  # no live source (e.g. the dialog opened on its own): nothing to show
        self._frames = frames
        frames.connect(self.show_frame)
        self.setText("Waiting for the camera…")
        self.show()

    def stop(self) -> None:
        frames, self._frames = self._frames, None
        if frames is not None:
            frames.disconnect(self.show_frame)
        self.hide()

    def show_frame(self, frame: TrackedFrame) -> None:
        image = frame.image
        h, w = image.shape[:2]
        for hand in frame.result.hands:
            x, y = anchor_point(hand, self._anchor)
            self.reached.append((float(x) / w, float(y) / h))
        shown = np.ascontiguousarray(image[:, ::-1] if self._mirrored else image)
        pixmap = QPixmap.fromImage(frame_to_qimage(shown).copy())
        pixmap = pixmap.scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation)
        self._draw_reach(pixmap, bool(frame.result.hands))
        self.setPixmap(pixmap)
        self.frames_shown += 1

    def _draw_reach(self, pixmap: QPixmap, hand_now: bool) -> None:
        if not self.reached:
            return
        pw, ph = pixmap.width(), pixmap.height()

        def place(fx: float, fy: float) -> QPointF:
            return QPointF((1.0 - fx if self._mirrored else fx) * pw, fy * ph)

        points = np.asarray(self.reached)
        corner_a = place(points[:, 0].min(), points[:, 1].min())
        corner_b = place(points[:, 0].max(), points[:, 1].max())
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(_REACHED, 2, Qt.PenStyle.DashLine))
        painter.drawRect(QRectF(corner_a, corner_b).normalized())
        if hand_now:
            painter.setPen(QPen(QColor("white"), 2))
            painter.setBrush(_REACHED)
            painter.drawEllipse(place(*self.reached[-1]), 6.0, 6.0)
        painter.end()
