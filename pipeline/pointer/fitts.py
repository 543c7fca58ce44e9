"""The pointing self-test: an ISO 9241-9 style multi-directional tapping task and its scores.

The task (:class:`TappingTask`): first a short *hold still* phase (the pointer's tremble while
the hand rests: still-hand jitter), then one sequence per :class:`Condition` (3 target widths x
2 distances, sized from the task area so they fit a 1024x640 screen and grow with larger ones).
A sequence shows ``N_TARGETS`` (13) round targets on a circle whose diameter is the distance;
each selection jumps across the circle (ISO order: target ``i`` is followed by
``i + (n + 1) / 2 mod n``), so every movement is about one diameter long and every direction
is used. The first selection of a sequence only starts it; the next ``n`` are the trials.

A *selection* is a click (pinch, dwell, a script's click) wherever the pointer is; one outside
the highlighted target is an error and the task moves on all the same (as ISO 9241-9 does).

Scores (ISO 9241-9 as in Soukoreff & MacKenzie 2004), per sequence:

- ``dx``: each end-point's deviation from the target centre projected on the task axis (from
  the previous target's centre to this one's); effective width ``We = 4.133 * SD(dx)``;
- effective distance ``De``: the mean movement distance actually made, measured on the task
  axis from the previous selection's end-point to this one;
- ``IDe = log2(De / We + 1)`` bits; ``MT``: mean time between selections (ms);
- throughput ``IDe / MT`` in bits/s. The test's throughput is the mean over its sequences;
  its error rate the share of trials outside the target; its MT the mean over all trials.

Everything here is pure: positions are pixels of the task area (0, 0 = its top-left corner),
times milliseconds on the pointer source's clock. Any pointer source drives the task: a script
(:func:`load_script`, tests and ``handcue pointer-test --script``) or pointer mode's output.
History, comparison and suggestions are in :mod:`pipeline.pointer.fitts_history`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import HandCueError

N_TARGETS = 13
# Target widths and distances (circle diameters) as fractions of the task area's shorter side.
# On a 1024x640 screen: widths 26, 45, 77 px, distances 224, 448 px (IDs 1.8-4.2 bits).
WIDTH_FRACTIONS = (0.04, 0.07, 0.12)
DISTANCE_FRACTIONS = (0.35, 0.70)
# We = sqrt(2 pi e) * SD: the width holding 96% of normally spread end-points.
EFFECTIVE_WIDTH_FACTOR = 4.133
# Smallest effective width used (pixels): a spread below the pointer's 1 px resolution.
MIN_EFFECTIVE_WIDTH_PX = 1.0

# Hold still: the pointer must stay within HOLD_RADIUS_PX of where the phase started for
# HOLD_MS; its first HOLD_SETTLE_MS are not counted (the hand settling). Moving further
# starts the phase again.
HOLD_MS = 2500.0
HOLD_SETTLE_MS = 500.0
HOLD_RADIUS_PX = 40.0

HOLD, TASK, DONE = "hold", "task", "done"

SCRIPT_FORMAT = "handcue-pointer-script"
MAX_SCRIPT_BYTES = 20_000_000
MAX_TASK_SIDE_PX = 20_000


@dataclass(frozen=True)
class Condition:
    """One sequence's target layout: circle ``distance`` (diameter) and target ``width``, px."""

    distance: float
    width: float

    @property
    def nominal_id(self) -> float:
        """The nominal index of difficulty log2(D / W + 1), bits."""
        return math.log2(self.distance / self.width + 1.0)


def conditions_for(width: float, height: float) -> tuple[Condition, ...]:
    """The 6 conditions for a task area of ``width`` x ``height`` px: each distance with each
    width, short distance first, then small to large targets."""
    side = min(width, height)
    return tuple(
        Condition(distance=round(d * side, 1), width=round(w * side, 1))
        for d in DISTANCE_FRACTIONS
        for w in WIDTH_FRACTIONS
    )


def iso_order(n: int = N_TARGETS) -> tuple[int, ...]:
    """The order targets are selected in: ``n + 1`` indices, each across the circle from the
    one before (``+ (n + 1) / 2 mod n``), ending where it began. ``n`` must be odd (>= 3)."""
    if n < 3 or n % 2 == 0:
        raise ValueError(f"the number of targets must be odd and at least 3, got {n}")
    step = (n + 1) // 2
    return tuple((k * step) % n for k in range(n + 1))


def target_centres(
    centre: tuple[float, float], distance: float, n: int = N_TARGETS
) -> tuple[tuple[float, float], ...]:
    """Centres of ``n`` targets evenly on a circle of diameter ``distance`` around ``centre``,
    target 0 at the top, then clockwise (screen y grows downwards)."""
    cx, cy = centre
    r = distance / 2.0
    out = []
    for i in range(n):
        a = 2.0 * math.pi * i / n
        out.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    return tuple(out)


@dataclass(frozen=True)
class Selection:
    """One click of the task: when (``t_ms``), where (task px), which target was highlighted
    (``target``: its index on the circle) and whether the click was inside it."""

    t_ms: float
    x: float
    y: float
    target: int
    hit: bool


@dataclass(frozen=True)
class ConditionScore:
    """The scores of one sequence (see the module docstring). ``trials``: selections scored
    (the start selection is not); ``sd_x``/``we``/``de`` px, ``ide`` bits, ``mt_ms`` ms,
    ``throughput`` bits/s."""

    distance: float
    width: float
    trials: int
    errors: int
    mt_ms: float
    sd_x: float
    we: float
    de: float
    ide: float
    throughput: float


def _sd(values: Sequence[float]) -> float:
    """Sample standard deviation (n - 1)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean = sum(values) / n
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def score_sequence(
    condition: Condition,
    centres: Sequence[tuple[float, float]],
    order: Sequence[int],
    selections: Sequence[Selection],
) -> ConditionScore:
    """Score one sequence: ``selections[k]`` was made while ``centres[order[k]]`` was the
    target; selection 0 starts the sequence, selections 1.. are the trials (at least 2)."""
    if len(selections) < 3:
        raise ValueError(f"a sequence needs at least 3 selections to score, got {len(selections)}")
    dxs, moves, times = [], [], []
    errors = 0
    for k in range(1, len(selections)):
        ax, ay = centres[order[k - 1]]
        bx, by = centres[order[k]]
        a = math.hypot(bx - ax, by - ay)
        ux, uy = (bx - ax) / a, (by - ay) / a
        s, prev = selections[k], selections[k - 1]
        dxs.append((s.x - bx) * ux + (s.y - by) * uy)
        moves.append((s.x - prev.x) * ux + (s.y - prev.y) * uy)
        times.append(s.t_ms - prev.t_ms)
        errors += 0 if s.hit else 1
    sd_x = _sd(dxs)
    we = max(EFFECTIVE_WIDTH_FACTOR * sd_x, MIN_EFFECTIVE_WIDTH_PX)
    de = max(sum(moves) / len(moves), 0.0)
    ide = math.log2(de / we + 1.0)
    mt = sum(times) / len(times)
    return ConditionScore(
        distance=condition.distance,
        width=condition.width,
        trials=len(dxs),
        errors=errors,
        mt_ms=mt,
        sd_x=sd_x,
        we=we,
        de=de,
        ide=ide,
        throughput=ide / (mt / 1000.0) if mt > 0 else 0.0,
    )


def still_jitter(points: Sequence[tuple[float, float]]) -> float:
    """RMS distance (px) of ``points`` from their mean: how much a still pointer trembles."""
    if not points:
        return 0.0
    mx = sum(p[0] for p in points) / len(points)
    my = sum(p[1] for p in points) / len(points)
    return math.sqrt(sum((x - mx) ** 2 + (y - my) ** 2 for x, y in points) / len(points))


@dataclass(frozen=True)
class FittsResult:
    """A finished test. ``throughput`` bits/s (mean over the sequences), ``error_rate`` 0..1,
    ``mt_ms`` mean movement time, ``jitter_px`` still-hand jitter (RMS px). ``screen``: the
    task area (px); ``settings``: the pointer settings in use (see
    :func:`pipeline.pointer.fitts_history.settings_snapshot`); ``source``: what drove the
    pointer (``hand``, ``script``); ``when``: ISO 8601 local time."""

    throughput: float
    error_rate: float
    mt_ms: float
    jitter_px: float
    trials: int
    errors: int
    conditions: tuple[ConditionScore, ...]
    screen: tuple[int, int]
    settings: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    when: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["screen"] = list(self.screen)
        for key in ("throughput", "error_rate", "mt_ms", "jitter_px"):
            d[key] = round(d[key], 4)
        d["conditions"] = [
            {k: (round(v, 3) if isinstance(v, float) else v) for k, v in c.items()}
            for c in d["conditions"]
        ]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FittsResult:
        """The result a :meth:`to_dict` made (raises ValueError/TypeError/KeyError if not)."""
        return cls(
            throughput=float(d["throughput"]),
            error_rate=float(d["error_rate"]),
            mt_ms=float(d["mt_ms"]),
            jitter_px=float(d["jitter_px"]),
            trials=int(d["trials"]),
            errors=int(d["errors"]),
            conditions=tuple(ConditionScore(**c) for c in d.get("conditions", ())),
            screen=(int(d["screen"][0]), int(d["screen"][1])),
            settings=dict(d.get("settings") or {}),
            source=str(d.get("source", "")),
            when=str(d.get("when", "")),
        )


def combine(
    scores: Sequence[ConditionScore], jitter_px: float, screen: tuple[int, int]
) -> FittsResult:
    """The test's figures from its sequences' scores."""
    if not scores:
        raise ValueError("no sequence was scored")
    trials = sum(s.trials for s in scores)
    errors = sum(s.errors for s in scores)
    return FittsResult(
        throughput=sum(s.throughput for s in scores) / len(scores),
        error_rate=errors / trials if trials else 0.0,
        mt_ms=sum(s.mt_ms * s.trials for s in scores) / trials if trials else 0.0,
        jitter_px=jitter_px,
        trials=trials,
        errors=errors,
        conditions=tuple(scores),
        screen=screen,
    )


class TappingTask:
    """The task's state machine. Feed it the pointer (:meth:`pointer`) and clicks
    (:meth:`click`) in time order; it says what to show (:attr:`phase`, :attr:`centres`,
    :attr:`target`, :attr:`condition`) and, once :attr:`phase` is ``done``, :meth:`result`.

    ``width`` x ``height``: the task area (px). Not thread-safe: one caller (the GUI thread).
    """

    def __init__(
        self,
        width: float,
        height: float,
        *,
        conditions: Sequence[Condition] | None = None,
        n_targets: int = N_TARGETS,
        hold_ms: float = HOLD_MS,
        settle_ms: float = HOLD_SETTLE_MS,
    ) -> None:
        if not (0 < width <= MAX_TASK_SIDE_PX and 0 < height <= MAX_TASK_SIDE_PX):
            raise ValueError(
                f"task area must be 1-{MAX_TASK_SIDE_PX} px a side, got {width}x{height}"
            )
        self.width, self.height = width, height
        self.conditions = (
            tuple(conditions) if conditions is not None else conditions_for(width, height)
        )
        self.order = iso_order(n_targets)
        self.n_targets = n_targets
        self.hold_ms, self.settle_ms = hold_ms, settle_ms
        self.phase = HOLD if hold_ms > 0 else TASK
        self.condition_index = 0
        self.step = 0  # selections made in the current sequence
        self.selections: list[list[Selection]] = [[] for _ in self.conditions]
        self.last_pointer: tuple[float, float] | None = None
        self.last_t: float | None = None
        self._hold_start: tuple[float, float, float] | None = None  # t, x, y
        self._hold_points: list[tuple[float, float]] = []
        self.jitter_px = 0.0

    # ------------------------------------------------------------------ what to show
    @property
    def centre(self) -> tuple[float, float]:
        return self.width / 2.0, self.height / 2.0

    @property
    def condition(self) -> Condition:
        return self.conditions[min(self.condition_index, len(self.conditions) - 1)]

    @property
    def centres(self) -> tuple[tuple[float, float], ...]:
        """Target centres of the current sequence (task px)."""
        return target_centres(self.centre, self.condition.distance, self.n_targets)

    @property
    def target(self) -> int:
        """Index (on the circle) of the target to select next."""
        return self.order[min(self.step, len(self.order) - 1)]

    @property
    def hold_progress(self) -> float:
        """0..1 of the hold-still phase done."""
        if self.phase != HOLD:
            return 1.0
        if self._hold_start is None or self.last_t is None:
            return 0.0
        return min(1.0, (self.last_t - self._hold_start[0]) / self.hold_ms)

    @property
    def total_selections(self) -> int:
        return len(self.conditions) * len(self.order)

    @property
    def selections_made(self) -> int:
        return sum(len(s) for s in self.selections)

    # ------------------------------------------------------------------ input
    def pointer(self, t_ms: float, x: float, y: float) -> None:
        """The pointer is at ``(x, y)`` (task px) at ``t_ms``."""
        self.last_pointer = (float(x), float(y))
        self.last_t = float(t_ms)
        if self.phase != HOLD:
            return
        start = self._hold_start
        if start is None or math.hypot(x - start[1], y - start[2]) > HOLD_RADIUS_PX:
            self._hold_start = (float(t_ms), float(x), float(y))  # moved: start again
            self._hold_points = []
            return
        if t_ms - start[0] >= self.settle_ms:
            self._hold_points.append((float(x), float(y)))
        if t_ms - start[0] >= self.hold_ms:
            self.jitter_px = still_jitter(self._hold_points)
            self.phase = TASK

    def lost(self) -> None:
        """The pointer is gone (no hand): the hold-still phase starts again."""
        if self.phase == HOLD:
            self._hold_start = None
            self._hold_points = []

    def click(
        self, t_ms: float, x: float | None = None, y: float | None = None
    ) -> Selection | None:
        """A click at ``(x, y)`` (default: the last pointer position) at ``t_ms``. Returns
        the selection it made, or None (not in the task phase, no position known)."""
        if self.phase != TASK:
            return None
        if x is None or y is None:
            if self.last_pointer is None:
                return None
            x, y = self.last_pointer
        cx, cy = self.centres[self.target]
        hit = math.hypot(x - cx, y - cy) <= self.condition.width / 2.0
        sel = Selection(float(t_ms), float(x), float(y), self.target, hit)
        self.selections[self.condition_index].append(sel)
        self.step += 1
        if self.step >= len(self.order):
            self.step = 0
            self.condition_index += 1
            if self.condition_index >= len(self.conditions):
                self.phase = DONE
        return sel

    # ------------------------------------------------------------------ output
    def scores(self) -> list[ConditionScore]:
        """Scores of the sequences finished so far."""
        out = []
        for i, cond in enumerate(self.conditions):
            sels = self.selections[i]
            if len(sels) == len(self.order):
                centres = target_centres(self.centre, cond.distance, self.n_targets)
                out.append(score_sequence(cond, centres, self.order, sels))
        return out

    def result(self) -> FittsResult:
        """The test's figures (raises ValueError before any sequence is finished)."""
        return combine(self.scores(), self.jitter_px, (round(self.width), round(self.height)))


# ---------------------------------------------------------------------------- scripts


@dataclass(frozen=True)
class ScriptEvent:
    """One step of a scripted pointer: at ``t_ms`` the pointer is at ``(x, y)`` (task px);
    ``click``: a click there."""

    t_ms: float
    x: float
    y: float
    click: bool = False


@dataclass(frozen=True)
class PointerScript:
    """A scripted pointer path for a task area of ``screen`` px."""

    screen: tuple[int, int]
    events: tuple[ScriptEvent, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": SCRIPT_FORMAT,
                "version": 1,
                "screen": list(self.screen),
                "events": [
                    [e.t_ms, e.x, e.y, "click"] if e.click else [e.t_ms, e.x, e.y]
                    for e in self.events
                ],
            }
        )


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def parse_script(data: object) -> PointerScript:
    """A :class:`PointerScript` from parsed JSON; ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the script must be a JSON object with 'screen' and 'events'")
    if data.get("format", SCRIPT_FORMAT) != SCRIPT_FORMAT:
        raise ValueError(f"'format' must be {SCRIPT_FORMAT!r}, got {data.get('format')!r}")
    screen = data.get("screen")
    if not isinstance(screen, list) or len(screen) != 2:
        raise ValueError("'screen' must be [width, height] in pixels")
    w, h = (_number(v, "'screen'") for v in screen)
    if not (100 <= w <= MAX_TASK_SIDE_PX and 100 <= h <= MAX_TASK_SIDE_PX):
        raise ValueError(f"'screen' must be 100-{MAX_TASK_SIDE_PX} px a side, got {screen}")
    raw = data.get("events")
    if not isinstance(raw, list) or not raw:
        raise ValueError(
            "'events' must be a non-empty list of [t_ms, x, y] or [t_ms, x, y, \"click\"]"
        )
    events = []
    last = -math.inf
    for i, item in enumerate(raw):
        where = f"events[{i}]"
        if not isinstance(item, list) or len(item) not in (3, 4):
            raise ValueError(f'{where} must be [t_ms, x, y] or [t_ms, x, y, "click"], got {item!r}')
        t = _number(item[0], f"{where} time")
        x = _number(item[1], f"{where} x")
        y = _number(item[2], f"{where} y")
        if len(item) == 4 and item[3] != "click":
            raise ValueError(f'{where}: the 4th item may only be "click", got {item[3]!r}')
        if t < last:
            raise ValueError(f"{where}: time {t:g} ms is before the previous event's {last:g} ms")
        last = t
        events.append(ScriptEvent(t, x, y, len(item) == 4))
    return PointerScript((round(w), round(h)), tuple(events))


def load_script(path: Path) -> PointerScript:
    """Read a script file (see :meth:`PointerScript.to_json`); HandCueError naming the file."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise HandCueError(f"{path}: not a file (a pointer script is a JSON file)")
        if size > MAX_SCRIPT_BYTES:
            raise HandCueError(f"{path}: too large for a pointer script ({size} bytes)")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HandCueError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise HandCueError(f"{path}: not a text file (a pointer script is JSON)") from None
    except OSError as exc:
        raise HandCueError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HandCueError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
    try:
        return parse_script(data)
    except ValueError as exc:
        raise HandCueError(f"{path}: {exc}") from None


def play_script(script: PointerScript, task: TappingTask | None = None) -> TappingTask:
    """Run ``script`` through ``task`` (default: a new task for the script's screen) without
    waiting: each event moves the pointer, then clicks when it is a click."""
    task = TappingTask(*script.screen) if task is None else task
    for e in script.events:
        task.pointer(e.t_ms, e.x, e.y)
        if e.click:
            task.click(e.t_ms, e.x, e.y)
    return task
