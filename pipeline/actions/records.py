"""What the action engine reports: one :class:`ActionRecord` per action sent, refused or
released and per state change (armed, paused, profile, ...)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ActionRecord:
    """What the engine did (or refused to do), for logs, the GUI and ``handcue run`` output.

    ``kind`` is ``"action"`` or ``"state"``. For actions ``status`` is ``"done"``, ``"disarmed"``,
    ``"paused"``, ``"own_window"`` (a HandCue window has the focus, see
    :meth:`pipeline.actions.engine.ActionEngine.set_focus_guard`), ``"cooldown"``,
    ``"rate_limited"`` or ``"failed"`` and ``phase`` is ``"tap"``, ``"repeat"``, ``"press"`` or
    ``"release"``; for state changes ``status`` is ``"armed"``, ``"disarmed"``, ``"paused"``,
    ``"resumed"``, ``"profile"`` or ``"released"``. ``timestamp_ms`` is frame time.
    A ``type:`` action's text is typed in the background after its ``"done"`` record
    (:class:`pipeline.actions.sink.BackgroundTyping`); a text not typed whole is reported later
    from its :class:`pipeline.actions.sink.TypingCut` (``handcue run``: a second line of the
    action with status ``"cut"``), whose ``tag`` is this record.
    ``latency_ms``: from the moment the frame's events were available (``event_time`` given to
    :meth:`pipeline.actions.engine.ActionEngine.handle`, else its entry) to the sink call
    returning; ``None`` when nothing was injected. ``inject_ms``: the part of it spent inside the
    sink (the OS input call), so ``latency_ms - inject_ms`` is the engine's own overhead.
    """

    kind: str
    status: str
    timestamp_ms: float
    frame_index: int = -1
    gesture: str = ""
    track_id: int = -1
    handedness: str = ""
    action: str = ""
    trigger: str = ""
    phase: str = ""
    latency_ms: float | None = None
    inject_ms: float | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def state_record(status: str, timestamp_ms: float, detail: str = "") -> ActionRecord:
    """A state change (``kind="state"``) at frame time ``timestamp_ms``."""
    return ActionRecord(kind="state", status=status, timestamp_ms=timestamp_ms, detail=detail)
