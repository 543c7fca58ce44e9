"""Drawing the tracked frames in the main window: the video, the hands panel, the 3D view, the
event log and the frame rate in the status bar.

The tracking threads deliver ``TrackedFrame`` objects by signal; ``_on_frame_ready`` only stores
the newest one (and queues its log lines), and one ~30 Hz timer (``_redraw``) draws it. GUI
thread only."""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QMainWindow

from app.gui.video_view import gesture_title
from pipeline.actions.records import ActionRecord

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.event_log import EventLog
    from app.gui.hands_panel import HandsPanel
    from app.gui.plot3d import HandPlot3D
    from app.gui.pointer_mode import PointerMode
    from app.gui.source_picker import SourcePicker
    from app.gui.toast import Osd
    from app.gui.tracked_frames import TrackedFrame
    from app.gui.video_view import VideoView
    from pipeline.actions.sink import TypingCut

    _WindowBase = QMainWindow  # the mixin is only ever a base of MainWindow
else:
    _WindowBase = object

REDRAW_INTERVAL_MS = 33
# The 3D view (pyqtgraph + OpenGL, about a second of CPU) is built after the start-up: this long
# after the first tracked frame was drawn, or after the window was first shown when nothing
# plays, whichever comes first. The live video and tracking do not wait for it.
BUILD_3D_AFTER_FRAME_MS = 100
BUILD_3D_AFTER_SHOW_MS = 3000
MAX_LOG_LINES = 500
# Below this tracking rate the status bar says so: with most camera frames skipped, fast moves
# lose the hand and gestures are found later (measured with --frame-step on the shared videos).
SLOW_FPS = 15.0


def slow_tracking_note(fps: float, model: str) -> str:
    """Plain words for the status bar when tracking runs below SLOW_FPS ("" otherwise, and
    while the rate is still unknown: ``fps`` 0)."""
    if not 0.0 < fps < SLOW_FPS:
        return ""
    advice = (
        "choose the lite model in Settings, or close other busy programs"
        if model == "full"
        else "close other busy programs"
    )
    rate = f"{fps:.0f} frame{'' if round(fps) == 1 else 's'} a second"
    return (
        f"Tracking is slow ({rate}, under {SLOW_FPS:.0f}): gestures may be "
        f"recognised late. To speed it up, {advice}."
    )


def slow_tracking_short(fps: float) -> str:
    """The status bar's short form of :func:`slow_tracking_note` (the whole note is its
    tooltip): it fits beside the other labels at any window width."""
    return f"Slow: {fps:.0f} fps (hover for why)" if 0.0 < fps < SLOW_FPS else ""


class FrameDisplay(_WindowBase):
    """Mixin of ``MainWindow``: its frame slot, the redraw timer's slot and the 3D view's
    deferred build. The attributes below are the window's parts it uses."""

    ctx: AppContext
    sources: SourcePicker
    pointer_mode: PointerMode
    osd: Osd
    video: VideoView
    hands: HandsPanel
    plot: HandPlot3D
    event_log: EventLog
    perf_label: QLabel
    slow_label: QLabel
    _3d_timer: QTimer
    _latest: TrackedFrame | None  # the newest frame tracked
    _drawn: TrackedFrame | None  # the frame drawn last
    _pending_log: deque[str]  # log lines not yet shown
    _state_dirty: bool  # the engine changed armed / paused / profile by itself
    _last_frame_s: float

    if TYPE_CHECKING:

        def _update_arm_button(self) -> None: ...

        def refresh_profiles(self) -> None: ...

    def _on_frame_ready(self, frame: TrackedFrame) -> None:
        """Worker -> GUI thread, once per processed frame: keep it, queue its log lines."""
        self._latest = frame
        self.pointer_mode.on_frame(frame)
        self._pending_log.extend(pointer_log_lines(frame))
        self._last_frame_s = time.monotonic()
        for line in log_lines(frame):
            self._pending_log.append(line)
        self.osd.on_records(frame.actions)
        if any(r.kind == "state" for r in frame.actions):
            self._state_dirty = True

    def _redraw(self) -> None:
        """Timer, ~30 Hz: draw the newest frame if it is new; flush queued log lines."""
        take_cuts = getattr(self.ctx.sink, "take_cuts", None)  # texts not typed whole
        if callable(take_cuts):
            self._pending_log.extend(cut_log_line(cut) for cut in take_cuts())
        if self._pending_log:
            self.event_log.append_lines(list(self._pending_log))
            self._pending_log.clear()
        if self._state_dirty:
            self._state_dirty = False
            self._update_arm_button()
            self.refresh_profiles()
            self.ctx.state_changed.emit()
        frame = self._latest
        if frame is None or frame is self._drawn:
            return
        self._drawn = frame
        self.video.set_active_area(self.pointer_mode.shown_area())
        self.video.set_frame(frame)
        self._schedule_3d(BUILD_3D_AFTER_FRAME_MS)
        self.hands.set_frame(frame)
        self._plot_drawn()
        folder = self.sources.folder
        if folder is not None:
            self.perf_label.setText(folder.describe())
        else:
            self.perf_label.setText(
                f"tracking {frame.fps:.1f} fps · {frame.latency_ms:.0f} ms · "
                f"{frame.dropped} skipped"
            )
            self.perf_label.setToolTip(
                f"{frame.dropped} camera frames were skipped because tracking runs slower than "
                "the camera delivers them (HandCue always tracks the newest frame)"
            )
            note = slow_tracking_note(frame.fps, self.ctx.config.tracker.model)
            self.slow_label.setText(slow_tracking_short(frame.fps))
            self.slow_label.setToolTip(note)
            self.slow_label.setAccessibleDescription(note)
            self.slow_label.setVisible(bool(note))

    def _on_shown(self) -> None:
        """The window was shown: build the 3D view soon, or bring it up to date."""
        self._schedule_3d(BUILD_3D_AFTER_SHOW_MS)
        if self.plot.built:
            # Hidden, the 3D view was not kept up to date: a video that ended or was paused
            # meanwhile draws no further frame to refresh it.
            self._plot_drawn()

    def _schedule_3d(self, delay_ms: int) -> None:
        """Build the 3D view in ``delay_ms`` at the latest (once; see BUILD_3D_AFTER_*)."""
        timer = self._3d_timer
        if not self.plot.built and (not timer.isActive() or timer.remainingTime() > delay_ms):
            timer.start(delay_ms)

    def _build_3d(self) -> None:
        """Build the 3D view (see BUILD_3D_AFTER_*) and plot the hands of the frame already
        drawn: a photo, an image folder or a paused video draws no further frame to fill it."""
        self.plot.build_view()
        self._plot_drawn()

    def _plot_drawn(self) -> None:
        """Plot the hands of the frame drawn last in the 3D view, when it is visible."""
        frame = self._drawn
        if frame is not None and self.plot.isVisible():
            self.plot.set_hands(
                frame.result.hands, frame.result.width, mirrored=self.video.mirrored
            )


def log_lines(frame: TrackedFrame) -> list[str]:
    """The event log's lines for ``frame``: one line per action sent or held back, with the
    gesture and hand that fired it ("12:00:01  Right  Thumb up → pressed key:right, 3 ms"); a
    line for a sign or movement that started without firing anything; state changes. Not: the
    numbers a sign also shows (count_N, total_N) unless they fired something, repeats, and
    gestures ending (a fist used to make five lines)."""
    lines = []
    stamp = time.strftime("%H:%M:%S")
    fired = {(r.gesture, r.handedness) for r in frame.actions if r.kind == "action"}
    for event in frame.events:
        if event.kind != "started" or event.gesture.startswith(("count_", "total_")):
            continue
        if (event.gesture, event.handedness) in fired:
            continue  # its action line says it
        lines.append(f"{stamp}  {event.handedness:<5}  {gesture_title(event.gesture)} (no action)")
    for record in frame.actions:
        if record.kind == "action" and record.gesture:
            who = f"{record.handedness or '':<5}  {gesture_title(record.gesture)} → "
        else:
            who = "       → "
        lines.append(f"{stamp}  {who}{describe_record(record)}")
    return lines


_POINTER_WORDS = {
    "click": "clicked",
    "press": "pressed",
    "release": "released",
    "scroll": "scrolled",
}


def pointer_log_lines(frame: TrackedFrame) -> list[str]:
    """Event-log lines for the clicks, presses, releases and scrolls pointer mode sent on
    ``frame`` (moves are left out: there is one a frame). Pointer mode going on and off is
    logged from PointerMode.enabled_changed (:func:`pointer_switch_line`)."""
    pointer = getattr(frame, "pointer", None)
    if pointer is None:
        return []
    stamp = time.strftime("%H:%M:%S")
    lines = []
    for command in pointer.sent:
        what = _POINTER_WORDS.get(command.kind, command.kind)
        if command.kind == "scroll":
            detail = f"{command.dy:+d} up" if command.dy else f"{command.dx:+d} right"
        else:
            count = " twice" if command.count == 2 else ""
            detail = f"{command.button}{count} at {command.x},{command.y}"
        lines.append(f"{stamp}         → Pointer {what} {detail}")
    return lines


def pointer_switch_line(on: bool) -> str:
    """The event log's line for pointer mode switching on or off (any way: the button, the
    toggle gesture, the hotkey, an error)."""
    return f"{time.strftime('%H:%M:%S')}         → Pointer mode {'on' if on else 'off'}"


def cut_log_line(cut: TypingCut) -> str:
    """The event log's line for a ``type:`` text not typed whole (the action's own line said
    "sent" when the text was queued): how much of it went out and why the rest did not."""
    stamp = time.strftime("%H:%M:%S")
    record = cut.tag if isinstance(cut.tag, ActionRecord) else None
    who = "       → "
    if record is not None and record.gesture:
        who = f"{record.handedness or '':<5}  {gesture_title(record.gesture)} → "
    return f"{stamp}  {who}typed {cut.typed} of {cut.total} characters only ({cut.reason})"


def describe_record(record: ActionRecord) -> str:
    """One line for an ``ActionRecord`` from the action engine."""
    kind, status, detail = record.kind, record.status, record.detail
    if kind == "state":
        text = {
            "armed": "HandCue armed: gestures act now",
            "disarmed": "HandCue disarmed",
            "paused": "Paused",
            "resumed": "Resumed",
            "released": "Released held keys",
        }.get(status, status)
        if status == "profile":
            text = f"Profile: {detail}"
        elif detail and status != "profile":
            text += f" ({detail})"
        return text
    if kind == "action":
        action, phase, latency = record.action, record.phase, record.latency_ms
        if status == "done":
            extra = f", {latency:.0f} ms" if isinstance(latency, (int, float)) else ""
            what = {"press": "pressed", "release": "released", "repeat": "repeated"}.get(
                phase, "sent"
            )
            return f"{what} {action}{extra}"
        reason = {"disarmed": "not sent: disarmed (click ARM to let gestures act)",
                  "own_window": "not sent: a HandCue window has the focus",
                  "paused": "not sent: paused", "cooldown": "skipped: cooling down",
                  "rate_limited": "skipped: too many actions per second",
                  "failed": "FAILED"}.get(status, status)  # fmt: skip
        return f"{action} {reason}" + (f" ({detail})" if detail and status == "failed" else "")
    return str(record)
