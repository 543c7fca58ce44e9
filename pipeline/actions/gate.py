"""Whether the action engine may send an action now: the armed, paused and focus-guard
switches, each mapping's cooldown and the rate limit.

Not thread-safe: :class:`pipeline.actions.engine.ActionEngine` uses it under its lock.
"""

from __future__ import annotations

from collections import deque

from pipeline.actions.bindings import ResolvedBinding


class FireGate:
    """The switches and send times that decide an action's status before it is sent.

    ``armed`` (set through :meth:`pipeline.actions.triggers.TriggerMachine.set_armed`),
    ``paused`` and ``held_back`` (why actions are held back, e.g. a HandCue window has the
    focus; ``None`` when they are not) are switched by the engine, which also releases what is
    held when they change. Times are frame times in ms.
    """

    def __init__(self, *, armed: bool) -> None:
        self.armed = armed
        self.paused = False
        self.held_back: str | None = None
        self._last_sent_ms: dict[int, float] = {}  # binding index -> time it last fired
        self._sent_times: deque[float] = deque()  # times of the actions in the rate window

    def status(
        self, binding: ResolvedBinding, now: float, phase: str, max_per_second: float
    ) -> str:
        """``"ok"``, or why ``binding`` may not fire its ``phase`` at ``now``: ``"paused"``,
        ``"disarmed"``, ``"own_window"``, ``"cooldown"`` or ``"rate_limited"``. Repeats of a
        running ``while_held`` are not subject to the cooldown."""
        if self.paused:
            return "paused"
        if not self.armed:
            return "disarmed"
        if self.held_back:
            return "own_window"
        if phase != "repeat":
            last = self._last_sent_ms.get(binding.index)
            if last is not None and now - last < binding.cooldown_ms:
                return "cooldown"
        # `capacity` actions per window of capacity / rate seconds averages the rate and
        # still allows whole actions when the rate is below one per second.
        capacity = max(1, int(round(max_per_second)))
        window_ms = 1000.0 * capacity / max_per_second
        while self._sent_times and now - self._sent_times[0] >= window_ms:
            self._sent_times.popleft()
        if len(self._sent_times) >= capacity:
            return "rate_limited"
        return "ok"

    def note_sent(self, binding: ResolvedBinding, now: float, phase: str) -> None:
        """``binding`` sent its ``phase`` at ``now``: count it for the rate limit and, unless a
        repeat, start its cooldown."""
        self._sent_times.append(now)
        if phase != "repeat":
            self._last_sent_ms[binding.index] = now

    def forget_cooldowns(self) -> None:
        """The mappings changed: binding indices mean other mappings now."""
        self._last_sent_ms.clear()

    def forget_times(self) -> None:
        """Frame time restarted: the send times belong to the old time line."""
        self._last_sent_ms.clear()
        self._sent_times.clear()
