"""The pointing self-test window: ``handcue pointer-test`` and Tools > Pointing test.

:class:`PointingTestWindow` runs a :class:`pipeline.pointer.fitts.TappingTask` (hold still, then
6 sequences of 13 targets on a circle) from whatever pointer source drives it
(:mod:`app.gui.pointing_sources`), then shows the figures, the comparison with earlier tests
and the suggestions (:mod:`pipeline.pointer.fitts_history`) and adds the result to the
history. Everything is drawn by the window itself (targets, pointer, result, buttons), so it
scales to any screen and a pointer that only exists in the test (the hand through a recorded
pointer mode) can press its buttons. Positions: *task pixels* (the task area, e.g. the screen
the test fills) are mapped onto the widget with one uniform scale and offset. GUI thread only.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QApplication, QWidget

from pipeline.pointer.fitts import DONE, HOLD, TappingTask
from pipeline.pointer.fitts_history import Outcome, conclude

if TYPE_CHECKING:
    from pathlib import Path

    from pipeline.pointer.fitts import PointerScript
    from pipeline.runtime import Tracker
    from pipeline.settings import AppConfig
    from pipeline.sources import FrameSource

log = logging.getLogger(__name__)

BACKGROUND = QColor("#f4f5f7")
TEXT = QColor("#1d2330")
MUTED = QColor("#5b6475")
TARGET = QColor("#c9ced8")
TARGET_EDGE = QColor("#9aa3b2")
ACTIVE = QColor("#1f6feb")
HIT = QColor("#2da44e")
MISS = QColor("#cf222e")
POINTER = QColor("#111111")


class PointingTestWindow(QWidget):
    """The task, then its result. ``task_size``: the task area in task pixels (the pointer
    source's coordinates). ``settings``: the pointer settings in use (recorded with the
    result); ``source_name``: what drives the pointer (``hand``, ``mouse``, ``script``: the
    history compares results of the same source). ``draw_pointer``: draw the pointer (the
    system cursor is not the pointer). ``click_hint``: how to click, shown during the task.
    ``save``: add the result to the history (``history``: its file, default the data folder's).

    Signals: ``finished(Outcome)`` once the result is shown; ``cancelled(str)`` when it closes
    or its source ends or fails before the end (the reason)."""

    finished = Signal(object)
    cancelled = Signal(str)

    def __init__(
        self,
        task_size: tuple[int, int],
        *,
        settings: object,
        source_name: str,
        draw_pointer: bool = True,
        click_hint: str = "",
        save: bool = True,
        history: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("HandCue pointing test")
        self.setAccessibleName("Pointing test")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.task_size = task_size
        self.settings = settings
        self.source_name = source_name
        self.draw_pointer = draw_pointer
        self.click_hint = click_hint
        self.save = save
        self.history = history
        self.task = TappingTask(*task_size)
        self.outcome: Outcome | None = None
        self.message = ""  # a note over the task (source ended, failed, no hand)
        self.selections_seen = 0
        self.on_close: Callable[[], None] | None = None
        self._pointer: tuple[float, float] | None = None
        self._ended = False
        self.setMinimumSize(480, 320)

    # ------------------------------------------------------------------ geometry
    def _transform(self) -> tuple[float, float, float]:
        """(scale, x offset, y offset): task pixels -> widget pixels, uniform, centred."""
        tw, th = self.task_size
        scale = min(self.width() / tw, self.height() / th)
        return scale, (self.width() - tw * scale) / 2.0, (self.height() - th * scale) / 2.0

    def task_to_widget(self, x: float, y: float) -> QPointF:
        s, ox, oy = self._transform()
        return QPointF(ox + x * s, oy + y * s)

    def widget_to_task(self, p: QPointF) -> tuple[float, float]:
        s, ox, oy = self._transform()
        return (p.x() - ox) / s, (p.y() - oy) / s

    @property
    def showing_result(self) -> bool:
        return self.outcome is not None or self.task.phase == DONE

    # ------------------------------------------------------------------ pointer input
    def on_pointer(self, t_ms: float, x: float, y: float) -> None:
        self._pointer = (x, y)
        if not self.showing_result:
            self.task.pointer(t_ms, x, y)
        self.update()

    def on_lost(self) -> None:
        self._pointer = None
        self.task.lost()
        self.update()

    def on_click(self, t_ms: float, x: float | None = None, y: float | None = None) -> None:
        if self.outcome is not None:
            if x is not None and y is not None:
                self._press_button(self.task_to_widget(x, y))
            return
        if self.task.click(t_ms, x, y) is not None:
            self.selections_seen += 1
        if self.task.phase == DONE:
            self._finish()
        self.update()

    def on_source_ended(self) -> None:
        if self.outcome is None and not self._ended:
            self._ended = True
            self.message = "The pointer source ended before the test was done."
            self.update()
            self.cancelled.emit("the pointer source ended before the test was done")

    def on_failed(self, message: str) -> None:
        if self.outcome is None and not self._ended:
            self._ended = True
            self.message = f"The test stopped: {message}"
            self.update()
            self.cancelled.emit(message)

    # ------------------------------------------------------------------ result
    def _finish(self) -> None:
        try:
            result = self.task.result()
        except ValueError as exc:  # pragma: no cover - DONE means every sequence is complete
            self.on_failed(str(exc))
            return
        self.outcome = conclude(
            result, settings=self.settings, source=self.source_name, save=self.save,
            path=self.history,
        )  # fmt: skip
        if self.outcome.save_error is not None:
            log.warning("%s", self.outcome.save_error)
        self.update()
        self.finished.emit(self.outcome)

    def restart(self) -> None:
        """Run the test again (the 'Test again' button)."""
        self.task = TappingTask(*self.task_size)
        self.outcome = None
        self.message = ""
        self.selections_seen = 0
        self._ended = False
        self.update()

    def _buttons(self) -> dict[str, QRectF]:
        """The result view's buttons in widget pixels."""
        unit = self._unit()
        w, h = 9 * unit, 2.6 * unit
        y = self.height() - h - 1.5 * unit
        cx = self.width() / 2.0
        return {
            "again": QRectF(cx - w - unit, y, w, h),
            "close": QRectF(cx + unit, y, w, h),
        }

    def _press_button(self, p: QPointF) -> None:
        for name, rect in self._buttons().items():
            if rect.contains(p):
                if name == "again":
                    self.restart()
                else:
                    self.close()
                return

    # ------------------------------------------------------------------ Qt events
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        if self.outcome is not None:
            self._press_button(event.position())
            event.accept()
            return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if self.outcome is None and not self._ended:
            self._ended = True
            self.cancelled.emit("the test window was closed before the end")
        if self.on_close is not None:
            self.on_close()
        super().closeEvent(event)

    # ------------------------------------------------------------------ drawing
    def _unit(self) -> float:
        """The text size (px) for this window."""
        return max(12.0, min(self.width(), self.height()) / 36.0)

    def _font(self, painter: QPainter, factor: float = 1.0, bold: bool = False) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(10, round(self._unit() * factor)))
        font.setBold(bold)
        painter.setFont(font)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), BACKGROUND)
        if self.outcome is not None:
            self._paint_result(painter)
        elif self.task.phase == HOLD:
            self._paint_hold(painter)
        else:
            self._paint_task(painter)
        if self.message:
            self._paint_message(painter)
        if self.draw_pointer and self._pointer is not None:
            self._paint_pointer(painter)
        painter.end()

    def _text(self, painter: QPainter, rect: QRectF, text: str, flags: Qt.AlignmentFlag) -> None:
        painter.drawText(rect, int(flags | Qt.TextFlag.TextWordWrap), text)

    def _paint_hold(self, painter: QPainter) -> None:
        unit = self._unit()
        centre = self.task_to_widget(*self.task.centre)
        s = self._transform()[0]
        radius = 60.0 * s
        painter.setPen(QPen(TARGET_EDGE, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, radius, radius)
        progress = self.task.hold_progress
        if progress > 0:
            painter.setPen(QPen(ACTIVE, max(4.0, unit / 3)))
            box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
            painter.drawArc(box, 90 * 16, -round(progress * 360 * 16))
        painter.setPen(TEXT)
        self._font(painter, 1.4, bold=True)
        top = QRectF(0, centre.y() - radius - 5 * unit, self.width(), 2 * unit)
        self._text(painter, top, "Hold your hand still", Qt.AlignmentFlag.AlignCenter)
        self._font(painter, 0.9)
        painter.setPen(MUTED)
        below = QRectF(unit, centre.y() + radius + unit, self.width() - 2 * unit, 4 * unit)
        note = (
            "Point at the circle and keep still until the ring is full: this measures how "
            "much the pointer trembles. Then click the blue target each time it moves."
        )
        if self._pointer is None:
            note = "Show your hand to the camera (or move the pointer here). " + note
        self._text(painter, below, note, Qt.AlignmentFlag.AlignHCenter)

    def _paint_task(self, painter: QPainter) -> None:
        task = self.task
        s = self._transform()[0]
        cond = task.condition
        r = cond.width / 2.0 * s
        active = task.target
        for i, (x, y) in enumerate(task.centres):
            c = self.task_to_widget(x, y)
            if i == active:
                painter.setPen(QPen(ACTIVE.darker(130), 2))
                painter.setBrush(ACTIVE)
            else:
                painter.setPen(QPen(TARGET_EDGE, 1))
                painter.setBrush(TARGET)
            painter.drawEllipse(c, r, r)
        # this sequence's selections so far: green inside, red outside
        sels = task.selections[min(task.condition_index, len(task.selections) - 1)]
        painter.setPen(Qt.PenStyle.NoPen)
        for sel in sels[-14:]:
            painter.setBrush(HIT if sel.hit else MISS)
            painter.drawEllipse(self.task_to_widget(sel.x, sel.y), 3.0, 3.0)
        unit = self._unit()
        painter.setPen(TEXT)
        self._font(painter, 0.8, bold=True)
        head = (
            f"Sequence {task.condition_index + 1} of {len(task.conditions)}  ·  "
            f"target {task.step + 1} of {len(task.order)}"
        )
        self._text(painter, QRectF(unit, unit * 0.6, self.width() - 2 * unit, 1.5 * unit), head,
                   Qt.AlignmentFlag.AlignLeft)  # fmt: skip
        painter.setPen(MUTED)
        self._font(painter, 0.7)
        hint = "Click the blue target" + (f" ({self.click_hint})" if self.click_hint else "")
        hint += "  ·  Esc stops"
        self._text(painter, QRectF(unit, self.height() - 2 * unit, self.width() - 2 * unit,
                                   1.5 * unit), hint, Qt.AlignmentFlag.AlignLeft)  # fmt: skip

    def _paint_pointer(self, painter: QPainter) -> None:
        assert self._pointer is not None
        p = self.task_to_widget(*self._pointer)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(255, 255, 255), 4))
        painter.drawEllipse(p, 8.0, 8.0)
        painter.setPen(QPen(POINTER, 2))
        painter.drawEllipse(p, 8.0, 8.0)
        painter.drawLine(QPointF(p.x() - 13, p.y()), QPointF(p.x() - 4, p.y()))
        painter.drawLine(QPointF(p.x() + 4, p.y()), QPointF(p.x() + 13, p.y()))
        painter.drawLine(QPointF(p.x(), p.y() - 13), QPointF(p.x(), p.y() - 4))
        painter.drawLine(QPointF(p.x(), p.y() + 4), QPointF(p.x(), p.y() + 13))

    def _paint_message(self, painter: QPainter) -> None:
        unit = self._unit()
        box = QRectF(2 * unit, self.height() / 2 - 2 * unit, self.width() - 4 * unit, 4 * unit)
        painter.setPen(QPen(MISS, 2))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(TEXT)
        self._font(painter, 0.9, bold=True)
        self._text(painter, box.adjusted(unit, 0, -unit, 0), self.message + "  (Esc closes)",
                   Qt.AlignmentFlag.AlignCenter)  # fmt: skip

    def _paint_result(self, painter: QPainter) -> None:
        assert self.outcome is not None
        out = self.outcome
        r = out.result
        unit = self._unit()
        margin = 2 * unit
        width = self.width() - 2 * margin
        y = 1.2 * unit
        painter.setPen(TEXT)
        self._font(painter, 1.3, bold=True)
        self._text(painter, QRectF(margin, y, width, 2 * unit), "Pointing test result",
                   Qt.AlignmentFlag.AlignLeft)  # fmt: skip
        y += 2.6 * unit
        figures = (
            (
                f"{r.throughput:.2f} bits/s",
                "throughput: bits of pointing per second (higher is better)",
            ),
            (
                f"{r.error_rate:.1%}",
                f"error rate: {r.errors} of {r.trials} clicks missed the target",
            ),
            (f"{r.mt_ms / 1000:.2f} s", "movement time: from one click to the next"),
            (
                f"{r.jitter_px:.1f} px",
                "still-hand jitter: pointer tremble while the hand rests",
            ),
        )
        col = width / 4.0
        for i, (value, label) in enumerate(figures):
            x = margin + i * col
            painter.setPen(ACTIVE if i == 0 else TEXT)
            self._font(painter, 1.5, bold=True)
            self._text(painter, QRectF(x, y, col - unit, 2 * unit), value,
                       Qt.AlignmentFlag.AlignLeft)  # fmt: skip
            painter.setPen(MUTED)
            self._font(painter, 0.65)
            self._text(painter, QRectF(x, y + 2.1 * unit, col - unit, 2.2 * unit), label,
                       Qt.AlignmentFlag.AlignLeft)  # fmt: skip
        y += 5.0 * unit
        from pipeline.pointer.fitts_history import comparison_lines

        sections = (
            ("Compared with earlier tests", comparison_lines(out.comparison)),
            ("Suggestions", [f"• {a}" for a in out.advice]),
        )
        bottom = self._buttons()["again"].top() - unit
        for title, lines in sections:
            painter.setPen(TEXT)
            self._font(painter, 0.85, bold=True)
            self._text(painter, QRectF(margin, y, width, 1.5 * unit), title,
                       Qt.AlignmentFlag.AlignLeft)  # fmt: skip
            y += 1.5 * unit
            self._font(painter, 0.75)
            painter.setPen(TEXT)
            for line in lines:
                rect = painter.boundingRect(
                    QRectF(margin, y, width, bottom - y), int(Qt.TextFlag.TextWordWrap), line
                )
                if rect.bottom() > bottom:
                    break
                self._text(painter, QRectF(margin, y, width, rect.height()), line,
                           Qt.AlignmentFlag.AlignLeft)  # fmt: skip
                y += rect.height() + 0.3 * unit
            y += 0.8 * unit
        if out.saved is not None or out.save_error is not None:
            painter.setPen(MUTED)
            self._font(painter, 0.6)
            note = f"Saved in {out.saved}" if out.saved is not None else f"{out.save_error}"
            self._text(painter, QRectF(margin, bottom - 0.6 * unit, width, 1.2 * unit), note,
                       Qt.AlignmentFlag.AlignLeft)  # fmt: skip
        for name, rect in self._buttons().items():
            hovered = self._pointer is not None and rect.contains(
                self.task_to_widget(*self._pointer)
            )
            painter.setPen(QPen(ACTIVE.darker(130), 2))
            painter.setBrush(ACTIVE.lighter(115) if hovered else ACTIVE)
            painter.drawRoundedRect(rect, 10, 10)
            painter.setPen(QColor("white"))
            self._font(painter, 0.9, bold=True)
            self._text(painter, rect, "Test again" if name == "again" else "Close",
                       Qt.AlignmentFlag.AlignCenter)  # fmt: skip


# ------------------------------------------------------------------------------ app menu


def click_hint(settings: object) -> str:
    """How clicks are made with these pointer settings, for the task's hint line."""
    ways = []
    if getattr(settings, "pinch_click", False):
        ways.append("pinch")
    if getattr(settings, "dwell_click", False):
        ways.append("keep still to dwell")
    return " or ".join(ways)


def open_pointing_test(main_window: Any) -> PointingTestWindow:
    """Tools > Pointing test: the test over the running session's pointer (the system pointer,
    which the app's pointer mode moves and clicks with; a mouse works too) on the main
    window's screen, full screen. Returns the window (kept on ``main_window``)."""
    from app.gui.pointing_sources import MousePointerSource

    old = getattr(main_window, "pointing_test_window", None)
    if isinstance(old, PointingTestWindow) and old.isVisible():
        old.raise_()
        old.activateWindow()
        return old
    pointer_mode = getattr(main_window, "pointer_mode", None)
    settings = pointer_mode.settings if pointer_mode is not None else None
    on = bool(pointer_mode is not None and pointer_mode.enabled)
    screen = main_window.screen() or QGuiApplication.primaryScreen()
    geo = screen.geometry()
    window = PointingTestWindow(
        (geo.width(), geo.height()), settings=settings or {}, source_name="hand" if on else "mouse",
        draw_pointer=False, click_hint=click_hint(settings) if on else "mouse click",
    )  # fmt: skip
    source = MousePointerSource(window)
    window.on_close = source.stop
    source.start()
    window.setGeometry(geo)
    window.showFullScreen()
    window.raise_()
    window.activateWindow()
    main_window.pointing_test_window = window
    return window


def add_pointing_test_action(window: Any) -> QAction:
    """The main window's Tools > Pointing test action (``window.pointing_test_action``)."""
    action = getattr(window, "pointing_test_action", None)
    if isinstance(action, QAction):
        return action
    action = QAction("Pointing &test…", window)
    action.setToolTip(
        "Measure how well you point: click targets with pointer mode (or the mouse); shows "
        "throughput, errors, movement time, jitter and what to change"
    )
    action.triggered.connect(lambda: open_pointing_test(window))
    window.addAction(action)
    window.pointing_test_action = action
    return action


# ------------------------------------------------------------------------------ the command


def make_app() -> QApplication:
    """The QApplication for ``handcue pointer-test`` (the one that exists, else a new one)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        from app.gui.qt_compat import protect_none_refcount

        app = QApplication(sys.argv[:1])
        protect_none_refcount()
        app.setApplicationName("HandCue")
        app.setDesktopFileName("handcue")
    return app


def run_task_window(
    *,
    settings: object,
    script: PointerScript | None = None,
    speed: float = 1.0,
    source: FrameSource | None = None,
    tracker: Tracker | None = None,
    config: AppConfig | None = None,
    window_size: tuple[int, int] | None = None,
    linger_s: float = 3.0,
    save: bool = True,
    timeout_s: float | None = None,
) -> tuple[Outcome | None, str | None]:
    """``handcue pointer-test``: run the test in a window until its result has been shown
    ``linger_s`` seconds (scripts; the hand closes it with its Close button, or Esc) or it is
    cancelled. Driven by ``script`` (played at ``speed``) or by the hand in ``source``
    (tracked with ``tracker``, pointer mode with ``config.pointer``). ``window_size``: a
    window of that size instead of full screen (the task area is the window then). Returns
    (outcome, None) or (None, why it did not finish)."""
    from app.gui.pointing_sources import HandPointerSource, ScriptPlayer

    app = make_app()
    if script is not None:
        task_size = script.screen
        name = "script"
    else:
        if window_size is not None:
            task_size = window_size
        else:
            geo = QGuiApplication.primaryScreen().geometry()
            task_size = (geo.width(), geo.height())
        name = "hand"
    window = PointingTestWindow(
        task_size, settings=settings, source_name=name, draw_pointer=True,
        click_hint=click_hint(settings), save=save,
    )  # fmt: skip
    state: dict[str, Any] = {"outcome": None, "reason": None, "done": False}

    def done() -> None:
        if state["done"]:
            return
        state["done"] = True
        stop_source()
        window.close()
        app.quit()

    def on_finished(outcome: Outcome) -> None:
        state["outcome"] = outcome
        if script is not None:
            QTimer.singleShot(round(linger_s * 1000), done)

    def on_cancelled(reason: str) -> None:
        state["reason"] = reason
        QTimer.singleShot(round(min(linger_s, 2.0) * 1000) if window.isVisible() else 0, done)

    window.finished.connect(on_finished)
    window.cancelled.connect(on_cancelled)
    window.on_close = lambda: QTimer.singleShot(0, done)
    start_source: Callable[[], None]
    stop_source: Callable[[], None]
    if script is not None:
        player = ScriptPlayer(script, window, speed=speed, parent=window)
        start_source, stop_source = player.start, player.stop
    else:
        assert source is not None and tracker is not None and config is not None
        hand = HandPointerSource(source, tracker, config, task_size, window, parent=window)
        start_source, stop_source = hand.start, hand.stop
    if window_size is not None or script is not None:
        window.resize(*(window_size or task_size))
        window.show()
    else:
        window.showFullScreen()
    window.raise_()
    window.activateWindow()
    if timeout_s is not None:

        def give_up() -> None:
            state["reason"] = state["reason"] or f"no result after {timeout_s:g} s"
            done()

        QTimer.singleShot(round(timeout_s * 1000), give_up)
    QTimer.singleShot(0, start_source)
    app.exec()
    stop_source()
    outcome = state["outcome"]
    if outcome is not None:
        return outcome, None
    return None, state["reason"] or "the test window was closed before the end"
