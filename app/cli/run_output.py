"""The JSON lines ``handcue run`` prints (one object per line on standard output): ``gesture``
events, ``counts``, ``action`` and ``state`` records, ``profile`` switches, ``pointer`` frames,
and the figures of the final ``end`` line. The formats are documented in :mod:`app.cli.run`."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # every command module is imported at start-up: keep it light
    from pipeline.actions import ActionRecord
    from pipeline.actions.sink import TypingCut
    from pipeline.focus import ProfileChoice
    from pipeline.pointer.controller import PointerCommand
    from pipeline.pointer.hook import PointerFrame
    from pipeline.runtime import StepResult
    from pipeline.types import GestureEvent


def profile_line(choice: ProfileChoice) -> dict[str, Any]:
    """A ``profile`` line: which profile the active window chose and why."""
    window = choice.window
    return {
        "type": "profile",
        "profile": choice.profile,
        "source": choice.source,
        "reason": choice.reason,
        "window": None if window is None else {"app": window.app, "title": window.title},
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def event_line(event: GestureEvent) -> dict[str, Any]:
    return {
        "type": "gesture",
        "frame": event.frame_index,
        "t_ms": _round(event.timestamp_ms, 1),
        "kind": event.kind,
        "gesture": event.gesture,
        "track_id": event.track_id,
        "hand": event.handedness,
        "started_ms": _round(event.started_ms, 1),
        "score": _round(event.score),
    }


def counts_line(step: StepResult) -> dict[str, Any] | None:
    """The numbers the hands show (each hand's ``count`` and the frame's two-hand ``total``),
    or None when no hand shows one."""
    hands = [
        {"track_id": hand.track_id, "hand": hand.handedness, "count": result.count}
        for hand in step.frame.hands
        if (result := step.gestures.get(hand.track_id)) is not None
    ]
    if all(h["count"] is None for h in hands):
        return None
    total = next(iter(step.gestures.values())).total
    return {
        "type": "counts",
        "frame": step.frame.frame_index,
        "t_ms": _round(step.frame.timestamp_ms, 1),
        "hands": hands,
        "total": total,
    }


def record_line(record: ActionRecord, pipeline_ms: float | None) -> dict[str, Any]:
    if record.kind == "state":
        line = {"type": "state", "status": record.status, "t_ms": _round(record.timestamp_ms, 1)}
        if record.detail:
            line["detail"] = record.detail
        return line
    line = {
        "type": "action",
        "frame": record.frame_index,
        "t_ms": _round(record.timestamp_ms, 1),
        "gesture": record.gesture,
        "track_id": record.track_id,
        "hand": record.handedness,
        "action": record.action,
        "trigger": record.trigger,
        "phase": record.phase,
        "status": record.status,
        "latency_ms": _round(record.latency_ms),
        "inject_ms": _round(record.inject_ms),
        "pipeline_ms": _round(pipeline_ms),
    }
    if record.detail:
        line["detail"] = record.detail
    return line


def cut_line(cut: TypingCut) -> dict[str, Any]:
    """The second ``action`` line of a ``type:`` action whose text was not typed whole:
    ``"status": "cut"``, ``typed`` characters of ``total`` went out, ``detail`` says why. Its
    other fields are those of the action's own line (``cut.tag``, the engine's record)."""
    from pipeline.actions import ActionRecord

    record = cut.tag if isinstance(cut.tag, ActionRecord) else None
    if record is None:  # text typed by something other than the engine
        line: dict[str, Any] = {"type": "action", "action": f"type:{cut.text}"}
    else:
        line = record_line(record, None)
        for figure in ("latency_ms", "inject_ms", "pipeline_ms"):
            line.pop(figure, None)  # those of the action's "done" line
    line.update(status="cut", typed=cut.typed, total=cut.total, detail=cut.reason)
    return line


def stats(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "mean": round(statistics.fmean(ordered), 3),
        "p50": round(ordered[len(ordered) // 2], 3),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "max": round(ordered[-1], 3),
    }


def _command_text(c: PointerCommand) -> str:
    if c.kind == "scroll":
        return f"scroll:{c.dx},{c.dy}"
    if c.kind == "click":
        return f"click:{c.button}" if c.count == 1 else f"click:{c.button}x{c.count}"
    return f"{c.kind}:{c.button}"


def pointer_line(frame: PointerFrame | None) -> dict[str, Any] | None:
    """A ``pointer`` line, while pointer mode is on: ``x, y`` is the OS pointer read back after
    the frame's input (desktop pixels; the controller's own idea of it in a dry run), ``sent``
    the clicks, presses, releases and scrolls of the frame."""
    if frame is None or not frame.enabled:
        return None
    pos = frame.position
    return {
        "type": "pointer",
        "frame": frame.frame_index,
        "t_ms": round(frame.timestamp_ms, 1),
        "mode": frame.state.mode,
        "pinch": frame.state.pinch,
        "x": None if pos is None else pos[0],
        "y": None if pos is None else pos[1],
        "sent": [_command_text(c) for c in frame.sent],
    }


class RunSummary:
    """Counts and latency figures for the ``end`` line."""

    def __init__(self) -> None:
        self.frames = 0
        self.actions_done = 0
        self.latencies: list[float] = []
        self.overheads: list[float] = []  # latency minus the time inside the OS input call
        self.pipeline_times: list[float] = []
        self.cuts = 0  # texts of type: actions not typed whole

    def add_cut(self) -> None:
        self.cuts += 1

    def add_frame(self, step: StepResult) -> None:
        self.frames += 1
        self.pipeline_times.append(step.pipeline_ms)

    def add_record(self, record: ActionRecord) -> None:
        if record.kind != "action" or record.status != "done":
            return
        self.actions_done += 1
        if record.latency_ms is not None and record.phase != "release":
            self.latencies.append(record.latency_ms)
            if record.inject_ms is not None:
                self.overheads.append(record.latency_ms - record.inject_ms)
