"""Side panel rows: each visible hand's gesture in large type with its hold progress, the
number it shows (if any) larger still, and the two-hand total of the frame."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from app.gui.tracked_frames import TrackedFrame
from app.gui.video_view import HAND_COLOURS, gesture_title

MAX_ROWS = 4


class _HandRow(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self.title = QLabel()
        self.title.setObjectName("handTitle")
        self.gesture = QLabel()
        self.gesture.setObjectName("gestureLabel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.count = QLabel()  # the number this hand shows, empty when none
        self.count.setObjectName("countLabel")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count.setMinimumWidth(56)
        self.count.setToolTip("The number this hand shows (Settings > counting scheme)")
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.gesture, 1, 0)
        grid.addWidget(self.progress, 2, 0)
        grid.addWidget(self.count, 0, 1, 3, 1)
        grid.setColumnStretch(0, 1)


class HandsPanel(QWidget):
    """Shows up to ``MAX_ROWS`` hands. Each gesture label carries the gesture id in its
    ``gesture`` property (the text is the human name); each row's ``count`` label the number
    the hand shows. ``total`` shows the number all the hands show together when more than one
    hand is in view and their results carry a ``total`` (GestureEngine fills it in)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        title = QLabel("HANDS")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        self.empty = QLabel("No hand in view. Hold a hand up to the camera.")
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        self.rows = [_HandRow(self) for _ in range(MAX_ROWS)]
        for row in self.rows:
            row.hide()
            layout.addWidget(row)
        self.total = QLabel()
        self.total.setObjectName("totalLabel")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total.setToolTip("The number both hands show together")
        self.total.hide()
        layout.addWidget(self.total)
        self._hold_ms_for: Callable[[str], float] = lambda _g: 0.0

    def set_hold_lookup(self, hold_ms_for: Callable[[str], float]) -> None:
        self._hold_ms_for = hold_ms_for

    def gesture_ids(self) -> list[str]:
        """Gesture ids currently shown, one per visible hand (for tests and the recorder)."""
        return [str(r.gesture.property("gesture")) for r in self.rows if not r.isHidden()]

    def counts(self) -> list[int | None]:
        """Numbers shown, one per visible hand (``None``: no number); for tests."""
        return [r.count.property("count") for r in self.rows if not r.isHidden()]

    def total_shown(self) -> int | None:
        """The two-hand total on display, ``None`` when hidden; for tests."""
        return None if self.total.isHidden() else self.total.property("total")

    def set_frame(self, frame: TrackedFrame | None) -> None:
        hands = frame.result.hands if frame is not None else ()
        self.empty.setVisible(not hands)
        self._set_total(frame, hands)
        for i, row in enumerate(self.rows):
            if frame is None or i >= len(hands):
                row.hide()
                continue
            hand = hands[i]
            if row.property("side") != hand.handedness:  # restyling is slow: only on change
                r, g, b = HAND_COLOURS.get(hand.handedness, (200, 200, 200))
                row.setStyleSheet(f"QFrame {{ border-left: 4px solid rgb({r},{g},{b}); }}"
                                  " QLabel { border: none; }")  # fmt: skip
                row.setProperty("side", hand.handedness)
            row.title.setText(f"{hand.handedness} hand · track {hand.track_id}")
            result = frame.gestures.get(hand.track_id)
            gid = result.gesture if result is not None else "none"
            text = gesture_title(gid) if result is not None else "…"
            count = getattr(result, "count", None)
            row.count.setText("" if count is None else str(count))
            row.count.setProperty("count", count)
            row.gesture.setText(text)
            row.gesture.setProperty("gesture", gid)
            hold = float(self._hold_ms_for(gid) or 0.0)
            held = float(frame.held_ms.get(hand.track_id, 0.0))
            if gid == "none" or hold < 0:  # nothing mapped: nothing to wait for
                value = 0
            else:
                value = 100 if hold == 0 else int(min(held / hold, 1.0) * 100)
            row.progress.setValue(value)
            row.show()

    def _set_total(self, frame: TrackedFrame | None, hands: tuple) -> None:
        total = None
        if frame is not None and len(hands) > 1:
            totals = {getattr(frame.gestures.get(h.track_id), "total", None) for h in hands}
            totals.discard(None)
            total = totals.pop() if len(totals) == 1 else None
        self.total.setVisible(total is not None)
        self.total.setProperty("total", total)
        self.total.setText("" if total is None else f"Together  {total}")
