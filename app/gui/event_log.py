"""The events log of the main window: gesture events and the actions they fired, newest last.

It follows new lines while the user is at the bottom and stays put while they scroll back to
read. ``QPlainTextEdit`` scrolls by whole paragraphs; with wrapped lines and old lines being
dropped at the top (``maximumBlockCount``) its own "stay at the bottom" stops working after a
while and leaves the last line cut in half, so this widget decides itself and scrolls to the
real end. GUI thread only."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class EventLog(QPlainTextEdit):
    """Read-only log holding at most ``max_lines`` lines (older ones are dropped)."""

    def __init__(self, max_lines: int = 500, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(max_lines)
        self.setUndoRedoEnabled(False)  # else every appended line stays in memory
        self.setCenterOnScroll(False)
        self.setPlaceholderText("Gestures and the actions they fire appear here.")
        self.setAccessibleName("Events")
        self.setAccessibleDescription("Gestures seen and the actions they sent, newest last")

    def at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 1

    def append_lines(self, lines: list[str]) -> None:
        """Add ``lines``; keep showing the newest one if the user was at the bottom."""
        if not lines:
            return
        follow = self.at_bottom()
        bar = self.verticalScrollBar()
        keep = bar.value()
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        for line in lines:
            if not self.document().isEmpty():
                cursor.insertBlock()
            cursor.insertText(line)
        cursor.endEditBlock()
        if follow:
            self.scroll_to_end()
        else:
            bar.setValue(min(keep, bar.maximum()))

    def scroll_to_end(self) -> None:
        """Show the last line whole, at the bottom of the view."""
        self.moveCursor(QTextCursor.MoveOperation.End)
        self.ensureCursorVisible()
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def last_line_visible(self) -> bool:
        """True when the last line is entirely inside the view (for tests and checks)."""
        block = self.document().lastBlock()
        rect = self.blockBoundingGeometry(block).translated(self.contentOffset())
        return rect.top() >= -0.5 and rect.bottom() <= self.viewport().height() + 0.5
