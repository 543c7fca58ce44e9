"""The live video with the tracking overlay, drawn with QPainter at the widget's resolution (so
lines and text stay crisp whatever the frame size). The worker's frame is never modified."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.gui.tracked_frames import TrackedFrame
from pipeline.skeleton import BONES, FINGER_COLOURS
from pipeline.types import Hand

#: Colour per person's hand, shared by the overlay, the 3D plot and the hand panel.
HAND_COLOURS: dict[str, tuple[int, int, int]] = {"Right": (42, 190, 214), "Left": (255, 150, 60)}

_SPECIAL_TITLES = {"none": "No gesture", "ok": "OK", "i_love_you": "I love you"}


def gesture_title(gesture_id: str) -> str:
    """Human-readable name of a gesture id (``thumb_up`` -> ``Thumb up``)."""
    if gesture_id in _SPECIAL_TITLES:
        return _SPECIAL_TITLES[gesture_id]
    text = gesture_id.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "?"


def frame_to_qimage(image: np.ndarray) -> QImage:
    """Wrap an (H, W, 3) uint8 BGR array as a QImage without copying; the caller keeps the array
    alive as long as the QImage is used."""
    h, w, _ = image.shape
    if not image.flags.c_contiguous:
        image = np.ascontiguousarray(image)
    return QImage(image.data, w, h, image.strides[0], QImage.Format.Format_BGR888)


class VideoView(QWidget):
    """Shows the latest ``TrackedFrame`` and its overlay. GUI thread only.

    ``hold_ms_for(gesture_id)`` gives the hold time configured for a gesture, so each hand's label
    can show how far the hold has got (0..1).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoView")
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._frame: TrackedFrame | None = None
        self._qimage: QImage | None = None
        self._keep: np.ndarray | None = None
        self._mirrored = True
        self._hold_ms_for: Callable[[str], float] = lambda _g: 0.0
        self._action_for: Callable[[str], str] = lambda _g: ""
        self.show_readout = True
        # Pointer mode's active area (fractions of the unmirrored frame: left, top, right,
        # bottom), drawn while pointer mode is on; None: not drawn.
        self.active_area: tuple[float, float, float, float] | None = None
        self.setAccessibleName("Live video")
        self.setAccessibleDescription("The picture with each hand's skeleton and gesture")
        self.empty_text = "Waiting for the first frame…"

    # -- state ---------------------------------------------------------------------------------
    @property
    def mirrored(self) -> bool:
        return self._mirrored

    def set_mirrored(self, mirrored: bool) -> None:
        self._mirrored = bool(mirrored)
        self.update()

    def set_hold_lookup(self, hold_ms_for: Callable[[str], float]) -> None:
        self._hold_ms_for = hold_ms_for

    def set_action_lookup(self, action_for: Callable[[str], str]) -> None:
        """``action_for(gesture_id)``: what the gesture does in the active profile, in words
        ("" when it does nothing); shown in each hand's label."""
        self._action_for = action_for

    def set_frame(self, frame: TrackedFrame | None) -> None:
        """Show ``frame`` (or nothing) from the next paint."""
        self._frame = frame
        if frame is None:
            self._qimage = self._keep = None
        else:
            self._keep = frame.image
            self._qimage = frame_to_qimage(frame.image)
        self.update()

    def frame_transform(self) -> QTransform | None:
        """Frame pixels (unmirrored) -> widget pixels, or None without a frame."""
        if self._frame is None:
            return None
        h, w = self._frame.image.shape[:2]
        scale = min(self.width() / w, self.height() / h)
        ox = (self.width() - w * scale) / 2.0
        oy = (self.height() - h * scale) / 2.0
        t = QTransform()
        t.translate(ox, oy)
        t.scale(scale, scale)
        if self._mirrored:
            t.translate(w, 0)
            t.scale(-1, 1)
        return t

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(10, 12, 15))
        t = self.frame_transform()
        if t is None or self._qimage is None or self._frame is None:
            if self.empty_text:
                p.setPen(QColor(154, 164, 178))
                p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                           self.empty_text)  # fmt: skip
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        p.setTransform(t)
        p.drawImage(QPointF(0, 0), self._qimage)
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.active_area is not None:
            self._draw_active_area(p, t)
        for hand in self._frame.result.hands:
            self._draw_hand(p, t, hand)
        if self.show_readout:
            self._draw_readout(p)
        p.end()

    def set_active_area(self, area: tuple[float, float, float, float] | None) -> None:
        """Show pointer mode's active area (see ``active_area``), or stop showing it."""
        if area != self.active_area:
            self.active_area = area
            self.update()

    def _draw_active_area(self, p: QPainter, t: QTransform) -> None:
        """The part of the picture the pointer maps onto the screens: a dashed frame, so the
        user sees where their hand must stay."""
        assert self._frame is not None and self.active_area is not None
        h, w = self._frame.image.shape[:2]
        left, top, right, bottom = self.active_area
        rect = t.mapRect(QRectF(left * w, top * h, (right - left) * w, (bottom - top) * h))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor(46, 204, 113), 2, Qt.PenStyle.DashLine))
        p.drawRect(rect)
        p.setPen(QColor(46, 204, 113))
        p.drawText(rect.adjusted(6, 4, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                   "pointer area")  # fmt: skip

    def _map(self, t: QTransform, xy: np.ndarray) -> list[QPointF]:
        return [t.map(QPointF(float(x), float(y))) for x, y in xy]

    def _draw_hand(self, p: QPainter, t: QTransform, hand: Hand) -> None:
        colour = QColor(*HAND_COLOURS.get(hand.handedness, (200, 200, 200)))
        # tracking region
        corners = self._map(t, hand.roi.corners())
        pen = QPen(colour, 1.5, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolygon(QPolygonF(corners))
        # skeleton
        pts = self._map(t, hand.landmarks[:, :2])
        for a, b, finger in BONES:
            p.setPen(QPen(QColor(*FINGER_COLOURS[finger]), 3.0, Qt.PenStyle.SolidLine,
                          Qt.PenCapStyle.RoundCap))  # fmt: skip
            p.drawLine(pts[a], pts[b])
        p.setPen(QPen(QColor(20, 20, 20), 1.0))
        p.setBrush(QBrush(QColor(250, 250, 250)))
        for pt in pts:
            p.drawEllipse(pt, 3.2, 3.2)
        # label above the tracking region
        self._draw_label(p, hand, corners, colour)

    def label_text(self, hand: Hand) -> str:
        """ "Right hand · Thumb up → Right arrow": the hand, its gesture (and count) and the
        action the gesture fires in the active profile."""
        assert self._frame is not None
        gesture = self._frame.gestures.get(hand.track_id)
        side = "Right hand" if hand.handedness == "Right" else "Left hand"
        name = gesture_title(gesture.gesture) if gesture is not None else "…"
        count = getattr(gesture, "count", None)
        text = f"{side} · {name}" + (f" · {count}" if count is not None else "")
        action = self._action_for(gesture.gesture) if gesture is not None else ""
        return text + (f" → {action}" if action else "")

    def _draw_label(self, p: QPainter, hand: Hand, corners: list[QPointF], colour: QColor) -> None:
        assert self._frame is not None
        text = self.label_text(hand)
        font = QFont(self.font())
        font.setPointSizeF(11.0)
        font.setBold(True)
        p.setFont(font)
        metrics = p.fontMetrics()
        tw = metrics.horizontalAdvance(text) + 16
        th = metrics.height() + 14
        xs = [c.x() for c in corners]
        ys = [c.y() for c in corners]
        x = max(4.0, min((min(xs) + max(xs)) / 2 - tw / 2, self.width() - tw - 4))
        y = min(ys) - th - 6
        top = 44.0 if self.show_readout else 4.0  # below the fps readout, never under it
        if y < top:
            y = min(max(ys) + 6, self.height() - th - 4)
        box = QRectF(x, y, tw, th)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(12, 14, 18, 210))
        p.drawRoundedRect(box, 6, 6)
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(x, y, 4, th), 2, 2)
        p.setPen(QColor(240, 242, 245))
        p.drawText(box.adjusted(8, 3, -6, -8), Qt.AlignmentFlag.AlignLeft, text)
        # hold progress
        progress = self._hold_progress(hand)
        if progress is not None:
            bar = QRectF(x + 8, y + th - 7, tw - 16, 3)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(60, 66, 78))
            p.drawRect(bar)
            p.setBrush(QColor(54, 194, 106) if progress >= 1.0 else colour)
            p.drawRect(QRectF(bar.x(), bar.y(), bar.width() * min(progress, 1.0), bar.height()))

    def _hold_progress(self, hand: Hand) -> float | None:
        """0..1 of the configured hold for this hand's gesture; None when there is nothing to
        hold (no gesture, or a gesture that is not mapped: ``hold_ms_for`` < 0)."""
        assert self._frame is not None
        gesture = self._frame.gestures.get(hand.track_id)
        if gesture is None or gesture.gesture == "none":
            return None
        hold = float(self._hold_ms_for(gesture.gesture) or 0.0)
        held = float(self._frame.held_ms.get(hand.track_id, 0.0))
        if hold < 0:  # not mapped: nothing to wait for
            return None
        if hold == 0:
            return 1.0
        return held / hold

    def _draw_readout(self, p: QPainter) -> None:
        assert self._frame is not None
        text = readout_text(self._frame)
        font = QFont(self.font())
        font.setPointSizeF(9.5)
        font.setFamily("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        p.setFont(font)
        metrics = p.fontMetrics()
        box = QRectF(8, 8, metrics.horizontalAdvance(text) + 16, metrics.height() + 8)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(12, 14, 18, 190))
        p.drawRoundedRect(box, 5, 5)
        p.setPen(QColor(210, 215, 222))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def readout_text(f: TrackedFrame) -> str:
    """The readout in the picture's corner: frame rate, time to a result, execution provider
    and dropped frames. A photo (or the first frames of a video) has no rate: no "0.0 fps"."""
    provider = f.provider.replace("ExecutionProvider", "") or "—"
    rate = f"{f.fps:5.1f} fps   " if f.fps > 0 else ""
    text = f"{rate}{f.latency_ms:4.0f} ms   {provider}"
    if f.dropped:
        text += f"   {f.dropped} skipped to keep up"
    return text
