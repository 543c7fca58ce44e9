"""Sending one activation's action through the held-input guard, and the record of it.

Functions of explicit inputs; the caller (:class:`pipeline.actions.triggers.TriggerMachine`,
under the engine's lock) decides when to call them and what a failure means. ``start`` is the
``time.perf_counter()`` value that ``latency_ms`` counts from; ``now`` is frame time in ms.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from pipeline.actions.bindings import Activation
from pipeline.actions.records import ActionRecord
from pipeline.actions.sink import HeldInputGuard
from pipeline.errors import HandCueError

log = logging.getLogger(__name__)


def action_record(
    activation: Activation, now: float, frame_index: int, phase: str, status: str
) -> ActionRecord:
    """The record of ``activation`` firing its ``phase`` at ``now``, before anything is sent."""
    binding = activation.binding
    return ActionRecord(
        kind="action",
        status=status,
        timestamp_ms=now,
        frame_index=frame_index,
        gesture=binding.gesture,
        track_id=activation.track_id,
        handedness=activation.handedness,
        action=binding.action.spec,
        trigger=binding.trigger,
        phase=phase,
    )


def inject(
    activation: Activation,
    phase: str,
    guard: HeldInputGuard,
    record: ActionRecord,
    start: float,
) -> tuple[ActionRecord, bool]:
    """Press (phase ``"press"``, marking ``activation`` as pressed) or tap its action.

    Returns ``record`` completed with status ``"done"``, ``latency_ms`` and ``inject_ms``, and
    True; or, if the sink raised, with status ``"failed"`` and the error, and False.
    """
    action = activation.binding.action
    t_inject = time.perf_counter()
    try:
        if phase == "press":
            # Marked first: if the sink raises half-way the key may be down anyway, and the
            # reset that follows a failure then releases it.
            activation.pressed = True
            action.press(guard)
        else:
            with guard.tagged(record):  # typed text that gets cut is reported as this action
                action.tap(guard)
    except Exception as exc:
        if isinstance(exc, HandCueError):  # a known fault (e.g. the display lost): its message
            log.warning("injecting %s failed (%s); releasing everything and disarming", action, exc)
        else:
            log.exception("injecting %s failed; releasing everything and disarming", action)
        latency = (time.perf_counter() - start) * 1000.0
        return replace(record, status="failed", latency_ms=latency, detail=str(exc)), False
    t_done = time.perf_counter()
    done = replace(
        record,
        status="done",
        latency_ms=(t_done - start) * 1000.0,
        inject_ms=(t_done - t_inject) * 1000.0,
    )
    return done, True


def release(
    activation: Activation, guard: HeldInputGuard, now: float, start: float, reason: str
) -> ActionRecord:
    """Release what ``activation`` pressed and end it (``done``); a sink error is logged and
    reported in the record (status ``"failed"``), never raised. ``reason`` goes to ``detail``."""
    binding = activation.binding
    activation.pressed = False
    activation.done = True
    status, detail = "done", reason
    try:
        binding.action.release(guard)
    except Exception as exc:
        if isinstance(exc, HandCueError):
            log.warning("releasing %s failed: %s", binding.action, exc)
        else:
            log.exception("releasing %s failed", binding.action)
        status, detail = "failed", f"{reason}: {exc}"
    return ActionRecord(
        kind="action",
        status=status,
        timestamp_ms=now,
        gesture=binding.gesture,
        track_id=activation.track_id,
        handedness=activation.handedness,
        action=binding.action.spec,
        trigger=binding.trigger,
        phase="release",
        latency_ms=(time.perf_counter() - start) * 1000.0,
        detail=detail,
    )
