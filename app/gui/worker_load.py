"""How the worker threads leave the CPU to the GUI: a lower priority for the worker thread
that calls ``lower_thread_priority``, and ``IdleSkip``, the frames the capture thread may skip
while the window is hidden.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QThread

log = logging.getLogger(__name__)


def lower_thread_priority(niceness: int = 10) -> None:
    """Make the calling worker thread yield to the GUI thread when the CPU is busy. On Linux
    each thread has its own nice value, and threads it starts later (onnxruntime's pool)
    inherit it; elsewhere Qt's thread priority is used."""
    if hasattr(os, "setpriority") and sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
            return
        except OSError as exc:
            log.debug("cannot lower thread priority: %s", exc)
    thread = QThread.currentThread()
    if thread is not None and thread is not QThread.currentThread().thread():
        thread.setPriority(QThread.Priority.LowPriority)


class IdleSkip:
    """Which frames the capture thread may skip (read, but not converted, queued or tracked):
    those the tracker's power saving does not need (``HandTracker.wants_frame``), and only while
    the window is hidden (tray or minimised): a visible live view shows every frame.

    Threads: ``background`` is written by the GUI thread, ``tracker_wants`` by the tracking
    thread (once its runtime exists; None when it ends), and the object is called by the
    capture thread. Single attribute reads and writes: at worst one frame is skipped or kept
    when it need not be."""

    def __init__(self) -> None:
        self.background = False
        self.tracker_wants: Callable[[float], bool] | None = None
        # Pointer mode is on (GUI thread): the tracker must read every frame, never rest
        # (pipeline.tracking.tracker.TrackerConfig.rest_speed), as with the window shown; the tracking
        # thread passes it on.
        self.precise = False

    def __call__(self, t_ms: float) -> bool:
        """Whether the frame due at ``t_ms`` (the tracker's clock) must be read fully."""
        wants = self.tracker_wants
        return not self.background or wants is None or wants(t_ms)


__all__ = ["IdleSkip", "lower_thread_priority"]
