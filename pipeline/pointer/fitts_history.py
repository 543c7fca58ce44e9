"""The pointing self-test's history, its comparison with earlier tests and its suggestions.

The history is a JSON-lines file in the user data folder (:func:`pipeline.paths.data_dir`,
``HANDCUE_DATA_DIR`` overrides): one :meth:`pipeline.pointer.fitts.FittsResult.to_dict` per
finished test, with the pointer settings in use, so a user sees whether a change of smoothing,
dwell or mapping helped. Suggestions are plain sentences drawn from the figures (thresholds
below, each with its reason). Pure Python; any thread.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.errors import HandCueError
from pipeline.paths import data_dir
from pipeline.pointer.fitts import FittsResult

log = logging.getLogger(__name__)

HISTORY_NAME = "pointer-tests.jsonl"
MAX_HISTORY_LINES = 1000  # the newest ones are read; older lines stay in the file

# The pointer settings a result records (those that change how well one points). Fields a
# settings object lacks are left out.
SETTINGS_KEYS = (
    "mapping",
    "anchor",
    "min_cutoff_hz",
    "beta",
    "dead_zone_px",
    "relative_gain",
    "relative_acceleration",
    "pinch_click",
    "dwell_click",
    "dwell_ms",
    "dwell_radius_px",
    "active_area",
)

# Labels of the settings in sentences (as the Pointer page names them).
LABELS = {
    "mapping": "mapping",
    "anchor": "followed point",
    "min_cutoff_hz": "smoothing (min cutoff)",
    "beta": "speed response (beta)",
    "dead_zone_px": "dead zone",
    "relative_gain": "relative speed",
    "relative_acceleration": "relative acceleration",
    "pinch_click": "pinch click",
    "dwell_click": "dwell click",
    "dwell_ms": "dwell time",
    "dwell_radius_px": "dwell radius",
    "active_area": "active area",
}

# Thresholds of the suggestions. Pointer mode's still-hand jitter measured 0.7 px on a hidden
# path video; above 1.5 px a small target is hard to hold. ISO 9241-9 studies aim at about 4%
# errors; above 10% the user is fighting the pointer. Hand pointing at these IDs (1.8-4.2
# bits) takes roughly 0.8-1.5 s a movement; slower with few errors means the pointer lags.
JITTER_HIGH_PX = 1.5
ERROR_HIGH = 0.10
ERROR_LOW = 0.05
SMALL_TARGET_ERROR_HIGH = 0.15
SMALL_OVER_LARGE = 2.0  # small targets "the problem" when they miss twice as often as large ones
MT_SLOW_MS = 1500.0
MT_FAST_MS = 700.0
CHANGE_MATTERS = 0.05  # a throughput change smaller than 5% is within a test's spread


def history_path() -> Path:
    """``pointer-tests.jsonl`` in the user data folder."""
    return data_dir() / HISTORY_NAME


def settings_snapshot(settings: object) -> dict[str, Any]:
    """The :data:`SETTINGS_KEYS` of a :class:`pipeline.pointer.settings.PointerSettings` (or
    any object with those attributes) as plain JSON values."""
    out: dict[str, Any] = {}
    for key in SETTINGS_KEYS:
        if not hasattr(settings, key):
            continue
        value = getattr(settings, key)
        dump = getattr(value, "model_dump", None)
        out[key] = dump() if callable(dump) else value
    return out


def append_history(result: FittsResult, path: Path | None = None) -> Path:
    """Add ``result`` as one line at the end of the history (made with its folder when
    missing); HandCueError saying why when the file cannot be written."""
    path = history_path() if path is None else path
    line = json.dumps(result.to_dict(), sort_keys=True) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise HandCueError(
            f"{path}: cannot add the result to the history ({exc.strerror or exc})", code=1
        ) from None
    return path


def read_history(path: Path | None = None) -> list[FittsResult]:
    """The results in the history, oldest first (at most the newest
    :data:`MAX_HISTORY_LINES`). Lines that are not results are skipped with a log line; a
    missing or unreadable file is an empty history."""
    path = history_path() if path is None else path
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()[-MAX_HISTORY_LINES:]
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("%s: cannot read the pointing test history (%s)", path, exc)
        return []
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(FittsResult.from_dict(json.loads(line)))
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            log.warning("%s: line %d skipped, not a test result (%s)", path, number, exc)
    return out


@dataclass(frozen=True)
class Comparison:
    """``result`` against the earlier tests: the ``previous`` one and the ``best`` one
    (highest throughput) before it, None when there were none; ``changed``: the settings that
    differ from the previous test's, as (key, before, now)."""

    result: FittsResult
    previous: FittsResult | None
    best: FittsResult | None
    changed: tuple[tuple[str, Any, Any], ...]

    @property
    def change(self) -> float | None:
        """Throughput change from the previous test as a fraction (+0.1 = 10% better)."""
        if self.previous is None or self.previous.throughput <= 0:
            return None
        return self.result.throughput / self.previous.throughput - 1.0

    @property
    def is_best(self) -> bool:
        return self.best is None or self.result.throughput > self.best.throughput


def compare(result: FittsResult, earlier: Sequence[FittsResult]) -> Comparison:
    """``result`` against ``earlier`` (oldest first, ``result`` not among them)."""
    previous = earlier[-1] if earlier else None
    best = max(earlier, key=lambda r: r.throughput) if earlier else None
    changed: list[tuple[str, Any, Any]] = []
    if previous is not None:
        for key in SETTINGS_KEYS:
            before, now = previous.settings.get(key), result.settings.get(key)
            if before != now and not (before is None or now is None):
                changed.append((key, before, now))
    return Comparison(result, previous, best, tuple(changed))


def _value(key: str, value: Any) -> str:
    if key == "active_area" and isinstance(value, dict):
        w = float(value.get("right", 0)) - float(value.get("left", 0))
        h = float(value.get("bottom", 0)) - float(value.get("top", 0))
        return f"{w:.0%} x {h:.0%} of the frame"
    if isinstance(value, bool):
        return "on" if value else "off"
    unit = {"min_cutoff_hz": " Hz", "dwell_ms": " ms", "dead_zone_px": " px",
            "dwell_radius_px": " px"}.get(key, "")  # fmt: skip
    if isinstance(value, float):
        return f"{value:g}{unit}"
    return f"{value}{unit}"


def describe_changes(changed: Sequence[tuple[str, Any, Any]]) -> str:
    """``smoothing (min cutoff) 1 Hz -> 0.7 Hz, dwell time 800 ms -> 650 ms``."""
    return ", ".join(f"{LABELS.get(k, k)} {_value(k, a)} -> {_value(k, b)}" for k, a, b in changed)


def comparison_lines(c: Comparison) -> list[str]:
    """The comparison as sentences (none for a first test)."""
    if c.previous is None:
        return ["This is your first pointing test: later tests are compared with it."]
    lines = []
    change = c.change
    prev = c.previous
    when = f" on {prev.when[:16].replace('T', ' ')}" if prev.when else ""
    if change is None:
        lines.append(f"Previous test{when}: {prev.throughput:.2f} bits/s.")
    else:
        if abs(change) < CHANGE_MATTERS:
            trend = "about the same as"
        else:
            trend = f"{abs(change):.0%} " + ("higher than" if change > 0 else "lower than")
        lines.append(
            f"Throughput {c.result.throughput:.2f} bits/s: {trend} the previous test{when} "
            f"({prev.throughput:.2f} bits/s, {prev.error_rate:.0%} errors)."
        )
    if c.changed:
        lines.append(f"Settings changed since then: {describe_changes(c.changed)}.")
    else:
        lines.append("The pointer settings are the same as in the previous test.")
    if c.is_best:
        lines.append("Your best throughput so far.")
    elif c.best is not None:
        best_when = f" ({c.best.when[:10]})" if c.best.when else ""
        lines.append(f"Best so far: {c.best.throughput:.2f} bits/s{best_when}.")
    return lines


def _error_rate_by_size(result: FittsResult) -> tuple[float | None, float | None]:
    """Error rates on the smallest and on the largest targets (None when unknown)."""
    if not result.conditions:
        return None, None

    def rate(width: float) -> float | None:
        same = [c for c in result.conditions if c.width == width]
        trials = sum(c.trials for c in same)
        return sum(c.errors for c in same) / trials if trials else None

    widths = [c.width for c in result.conditions]
    return rate(min(widths)), rate(max(widths))


def suggestions(result: FittsResult, comparison: Comparison | None = None) -> list[str]:
    """What to try next, as sentences, from the figures and the settings in ``result``."""
    s = result.settings
    out: list[str] = []
    dwell = bool(s.get("dwell_click"))
    dwell_ms = float(s.get("dwell_ms", 0) or 0)
    # Dwell clicking puts the dwell time into every movement time: compare the movement alone.
    move_ms = result.mt_ms - (dwell_ms if dwell else 0.0)
    relative = s.get("mapping") == "relative"

    if result.jitter_px > JITTER_HIGH_PX:
        cutoff = s.get("min_cutoff_hz")
        dead = s.get("dead_zone_px")
        parts = []
        if isinstance(cutoff, (int, float)):
            parts.append(f"lower the smoothing min cutoff ({cutoff:g} Hz -> {cutoff * 0.7:.2g} Hz)")
        else:
            parts.append("lower the smoothing min cutoff")
        if isinstance(dead, (int, float)):
            parts.append(f"widen the dead zone ({dead:g} px -> {dead + 2:g} px)")
        else:
            parts.append("widen the dead zone")
        out.append(
            f"The pointer trembles {result.jitter_px:.1f} px while your hand is still: "
            f"{' or '.join(parts)}. Resting your elbow helps too."
        )

    small, large = _error_rate_by_size(result)
    small_worse = small is not None and (large is None or small >= SMALL_OVER_LARGE * large)
    if (
        result.error_rate > ERROR_HIGH
        and small is not None
        and small > SMALL_TARGET_ERROR_HIGH
        and small_worse
    ):
        tips = []
        if dwell:
            radius = s.get("dwell_radius_px")
            if isinstance(radius, (int, float)):
                tips.append(f"a larger dwell radius ({radius:g} px -> {radius * 1.5:g} px)")
            else:
                tips.append("a larger dwell radius")
        if relative:
            tips.append("a lower relative speed (finer aim)")
        else:
            tips.append("a larger active area (the hand travels further per pixel: finer aim)")
        out.append(
            f"{small:.0%} of the clicks on the smallest targets missed: try {' or '.join(tips)}."
        )
    elif result.error_rate > ERROR_HIGH and large is not None and large > ERROR_HIGH:
        out.append(
            f"Clicks miss at every target size ({result.error_rate:.0%}, "
            f"{large:.0%} even on the largest): the aim itself is off. Calibrate the active "
            "area (Settings > Pointer) so the whole screen is within easy reach of the hand, "
            "and let the pointer settle on the target before clicking."
        )
    if result.error_rate > ERROR_HIGH and 0 < move_ms < MT_FAST_MS:
        if dwell:
            out.append(
                f"Misses are frequent and movements quick: a longer dwell time "
                f"({dwell_ms:g} ms -> {dwell_ms + 200:g} ms) clicks only once the pointer "
                "has really stopped."
            )
        else:
            out.append("Misses are frequent and movements quick: slow down near the target.")
    if result.error_rate <= ERROR_LOW and move_ms > MT_SLOW_MS:
        beta = s.get("beta")
        if isinstance(beta, (int, float)):
            tip = f"raise the speed response (beta {beta:g} -> {max(beta * 1.5, 0.5):g})"
        else:
            tip = "raise the speed response (beta)"
        extra = ""
        if dwell and dwell_ms > 500:
            extra = (
                f", or shorten the dwell time ({dwell_ms:g} ms -> {max(dwell_ms - 150, 400):g} ms)"
            )
        out.append(
            f"Movements are slow ({result.mt_ms / 1000:.1f} s) with few misses: {tip} so the "
            f"pointer lags less behind fast moves{extra}."
        )
    if comparison is not None and comparison.changed:
        change = comparison.change
        if change is not None and change < -CHANGE_MATTERS:
            back = ", ".join(
                f"{LABELS.get(k, k)} {_value(k, a)}" for k, a, _b in comparison.changed
            )
            out.append(
                f"Throughput fell {-change:.0%} since the settings changed: consider going "
                f"back ({back})."
            )
    if not out:
        out.append("Nothing to change: the pointer is steady, misses are few and movements brisk.")
    return out


def report_lines(result: FittsResult, comparison: Comparison | None = None) -> list[str]:
    """The result as plain text lines (the CLI prints them; the window shows them)."""
    lines = [
        f"Throughput: {result.throughput:.2f} bits/s",
        f"Error rate: {result.error_rate:.1%} ({result.errors} of {result.trials} clicks "
        "outside the target)",
        f"Movement time: {result.mt_ms:.0f} ms on average",
        f"Still-hand jitter: {result.jitter_px:.2f} px RMS",
    ]
    return lines


def result_json(
    result: FittsResult, comparison: Comparison, advice: Sequence[str]
) -> dict[str, Any]:
    """The result with its comparison and suggestions, for ``--json``."""
    prev = comparison.previous
    return {
        **result.to_dict(),
        "comparison": {
            "previous_throughput": None if prev is None else round(prev.throughput, 4),
            "change": None if comparison.change is None else round(comparison.change, 4),
            "best_throughput": None
            if comparison.best is None
            else round(comparison.best.throughput, 4),
            "is_best": comparison.is_best,
            "changed_settings": [
                {"setting": k, "before": a, "now": b} for k, a, b in comparison.changed
            ],
            "text": comparison_lines(comparison),
        },
        "suggestions": list(advice),
    }


@dataclass(frozen=True)
class Outcome:
    """A finished test as the user sees it: the ``result`` (with settings, source and time),
    its ``comparison`` with earlier tests of the same source, the ``advice`` sentences, where
    it was ``saved`` (None: not saved) and why saving failed (``save_error``)."""

    result: FittsResult
    comparison: Comparison
    advice: tuple[str, ...]
    saved: Path | None = None
    save_error: str | None = None

    def lines(self) -> list[str]:
        """Figures, comparison and suggestions as text lines."""
        out = report_lines(self.result)
        out += comparison_lines(self.comparison)
        out += [f"Suggestion: {a}" for a in self.advice]
        if self.save_error is not None:
            out.append(f"Not saved: {self.save_error}")
        return out

    def to_json(self) -> dict[str, Any]:
        d = result_json(self.result, self.comparison, self.advice)
        d["history"] = None if self.saved is None else str(self.saved)
        if self.save_error is not None:
            d["save_error"] = self.save_error
        return d


def conclude(
    result: FittsResult,
    *,
    settings: object,
    source: str,
    save: bool = True,
    path: Path | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Stamp ``result`` with the pointer ``settings`` (a PointerSettings or a snapshot dict),
    the ``source`` that drove the pointer and the time; compare it with the history's results
    of the same source; add it to the history when ``save``."""
    snapshot = dict(settings) if isinstance(settings, dict) else settings_snapshot(settings)
    when = (now or datetime.now()).isoformat(timespec="seconds")
    result = replace(result, settings=snapshot, source=source, when=when)
    earlier = [r for r in read_history(path) if r.source == source]
    comparison = compare(result, earlier)
    advice = tuple(suggestions(result, comparison))
    saved, error = None, None
    if save:
        try:
            saved = append_history(result, path)
        except HandCueError as exc:
            error = str(exc)
    return Outcome(result, comparison, advice, saved, error)
