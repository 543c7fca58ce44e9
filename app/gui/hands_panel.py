"""Side panel rows: each visible hand's gesture in large type with its hold progress."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from app.gui.video_view import HAND_COLOURS, gesture_title
from app.gui.worker import TrackedFrame

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
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.gesture, 1, 0)
        grid.addWidget(self.progress, 2, 0)


class HandsPanel(QWidget):
    """Shows up to ``MAX_ROWS`` hands. Each gesture label carries the gesture id in its
    ``gesture`` property (the text is the human name)."""

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
        self._hold_ms_for: Callable[[str], float] = lambda _g: 0.0

    def set_hold_lookup(self, hold_ms_for: Callable[[str], float]) -> None:
        self._hold_ms_for = hold_ms_for

    def gesture_ids(self) -> list[str]:
        """Gesture ids currently shown, one per visible hand (for tests and the recorder)."""
        return [str(r.gesture.property("gesture")) for r in self.rows if not r.isHidden()]

    def set_frame(self, frame: TrackedFrame | None) -> None:
        hands = frame.result.hands if frame is not None else ()
        self.empty.setVisible(not hands)
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
            if count is not None:
                text += f"  ({count})"
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
