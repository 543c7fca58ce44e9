"""Thread-safe front of the action engine: the tracking thread calls ``handle``; the GUI thread
arms, pauses and switches profiles. One lock serialises them so a key is never pressed while the
engine is being disarmed."""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)


class ActionGate:
    """Wraps ``pipeline.actions.ActionEngine`` (or nothing, when actions are unavailable: then it
    only keeps the armed / paused / profile state for the GUI).

    Safe to call from any thread. ``handle`` is called by the tracking thread.
    """

    def __init__(self, engine: Any = None, *, profile: str = "") -> None:
        self._lock = threading.RLock()
        self._engine = engine
        self._armed = bool(getattr(engine, "armed", False))
        self._paused = bool(getattr(engine, "paused", False))
        self._profile = str(getattr(engine, "profile", "") or profile)
        self._withheld: frozenset[str] = frozenset()  # gestures pointer mode owns right now

    def withhold_gestures(self, gestures: frozenset[str]) -> None:
        """Any thread: events of these gestures no longer reach the engine (pointer mode uses
        the fist and the pinch itself; empty to stop withholding)."""
        with self._lock:
            self._withheld = frozenset(gestures)

    @property
    def engine(self) -> Any:
        return self._engine

    # The engine can change its own state (the arm gesture toggles armed), so ask it.
    @property
    def armed(self) -> bool:
        return bool(getattr(self._engine, "armed", self._armed))

    @property
    def paused(self) -> bool:
        return bool(getattr(self._engine, "paused", self._paused))

    @property
    def profile(self) -> str:
        return str(getattr(self._engine, "profile", "") or self._profile)

    def replace_engine(self, engine: Any) -> None:
        """Swap in a new engine (after the config changed), keeping armed / paused / profile."""
        with self._lock:
            if self._engine is not None:
                self._engine.release_all()
            self._engine = engine
            if engine is not None:
                engine.set_armed(self._armed)
                if hasattr(engine, "set_paused"):
                    engine.set_paused(self._paused)
                if self._profile:
                    try:
                        engine.set_profile(self._profile)
                    except Exception as exc:  # profile removed meanwhile: keep the engine's own
                        log.info("profile %r not applied: %s", self._profile, exc)
                        self._profile = str(getattr(engine, "profile", "") or "")

    def apply_config(self, config: Any) -> None:
        """Hand new settings (mappings, defaults) to the engine between two frames."""
        with self._lock:
            if self._engine is not None and hasattr(self._engine, "set_config"):
                self._engine.set_config(config)

    def set_armed(self, armed: bool) -> None:
        with self._lock:
            self._armed = bool(armed)
            if self._engine is not None:
                self._engine.set_armed(self._armed)
                if not self._armed:
                    self._engine.release_all()

    def set_paused(self, paused: bool) -> None:
        with self._lock:
            self._paused = bool(paused)
            if self._engine is not None:
                if hasattr(self._engine, "set_paused"):
                    self._engine.set_paused(self._paused)
                if self._paused:
                    self._engine.release_all()

    def set_profile(self, name: str) -> None:
        """Raises whatever the engine raises for an unknown profile (state unchanged)."""
        with self._lock:
            if self._engine is not None:
                self._engine.set_profile(name)
            self._profile = name

    def handle(self, events: Any, frame_result: Any) -> list:
        """Tracking thread: pass events to the engine; nothing fires unless armed and not
        paused."""
        with self._lock:
            if self._engine is None:
                return []
            if self._withheld:
                events = [e for e in events if getattr(e, "gesture", None) not in self._withheld]
            return list(self._engine.handle(events, frame_result) or [])

    def release_all(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.release_all()
