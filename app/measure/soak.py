"""Soak test of the desktop app: run the real window on a looping video and measure how
responsive the event loop stays, CPU use and memory over time.

    python -m app.measure.soak --minutes 10 [--source VIDEO] [--json out.json]

Needs a display (use ``xvfb-run -a`` on a headless machine). Measures:

* event-loop lateness: a 10 ms QTimer records how late each tick fires (max, p99, mean);
* CPU: process CPU time / wall time (100 % = one core busy), per interval and overall;
* memory: resident set size sampled every ``--sample-s`` seconds; growth is reported from the
  end of the warm-up (first 20 % of the run) to the end;
* frames processed, tracking fps and dropped frames (from the worker).

Config and data folders point at a temporary folder unless ``--use-my-config`` is given, so a
soak never writes into the user's settings.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.settings import MODEL_SIZES

if TYPE_CHECKING:
    from app.gui.worker import TrackedFrame

log = logging.getLogger(__name__)

DEFAULT_VIDEO = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "videos"
    / "fist_then_thumb_up_720p.mp4"
)  # fmt: skip
PROBE_INTERVAL_MS = 10
WARMUP_S = 10.0  # model loading at start is reported separately


def rss_mb() -> float:
    """Current resident set size in MiB (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1024 if sys.platform != "darwin" else peak / 2**20


class Histogram:
    """Fixed-memory record of millisecond values (0.1 ms bins up to 2 s, then one overflow
    bin), so measuring for hours does not itself grow the process."""

    BIN_MS = 0.1
    BINS = 20_000

    def __init__(self) -> None:
        import numpy as np

        self.counts = np.zeros(self.BINS + 1, dtype=np.int64)
        self.n = 0
        self.total = 0.0
        self.max = 0.0

    def add(self, value_ms: float) -> None:
        self.counts[min(int(value_ms / self.BIN_MS), self.BINS)] += 1
        self.n += 1
        self.total += value_ms
        self.max = max(self.max, value_ms)

    def percentile(self, q: float) -> float:
        import numpy as np

        if self.n == 0:
            return 0.0
        index = int(np.searchsorted(np.cumsum(self.counts), q / 100.0 * self.n))
        return min((index + 1) * self.BIN_MS, self.max)

    def over(self, limit_ms: float) -> int:
        return int(self.counts[int(limit_ms / self.BIN_MS) + 1 :].sum())

    def stats(self) -> dict[str, float]:
        if self.n == 0:
            return {"n": 0}
        return {"n": self.n, "mean_ms": round(self.total / self.n, 2),
                "p99_ms": round(self.percentile(99), 1),
                "p999_ms": round(self.percentile(99.9), 1), "max_ms": round(self.max, 2),
                "over_50ms": self.over(50.0)}  # fmt: skip


class LatenessProbe:
    """A QTimer that measures its own lateness (ms beyond the interval) in the GUI thread."""

    def __init__(self, interval_ms: int = PROBE_INTERVAL_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval_ms = interval_ms
        self.all = Histogram()
        self.after_warmup = Histogram()  # ticks after WARMUP_S
        self.interval_max = 0.0  # since the last take_interval_max()
        self.late_times: list[float] = []  # when a tick was over 50 ms late (first 50)
        self._start = self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._start = self._last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        late = max(0.0, (now - self._last) * 1000.0 - self.interval_ms)
        self.all.add(late)
        since = now - self._start
        if since >= WARMUP_S:
            self.after_warmup.add(late)
        self.interval_max = max(self.interval_max, late)
        if late > 50 and len(self.late_times) < 50:
            self.late_times.append(round(since, 1))
        self._last = now

    def take_interval_max(self) -> float:
        value, self.interval_max = self.interval_max, 0.0
        return value


class WorkTimer:
    """Wall time of the GUI thread's own work, per kind (redraw slot, video paint, 3D paint):
    separates "our code is slow" from "the CPU was busy elsewhere"."""

    def __init__(self) -> None:
        self.durations: dict[str, Histogram] = {}

    def wrap(self, cls: type, name: str, label: str) -> None:
        original = getattr(cls, name)
        store = self.durations.setdefault(label, Histogram())

        def timed(this, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(this, *args, **kwargs)
            finally:
                store.add((time.perf_counter() - t0) * 1000.0)

        setattr(cls, name, timed)

    def stats(self) -> dict[str, dict[str, float]]:
        out = {}
        for label, hist in self.durations.items():
            figures = hist.stats()
            figures.pop("over_50ms", None)
            out[label] = figures
        return out


@dataclass
class _FrameCount:
    """Frames the app's session delivered so far, and the newest (counted in the GUI thread)."""

    n: int = 0
    last: TrackedFrame | None = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--source", default=str(DEFAULT_VIDEO))
    parser.add_argument("--sample-s", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--no-3d", action="store_true", help="hide the 3D view")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--use-my-config", action="store_true")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="tracker threads to write into the (temporary) config; 0 = auto",
    )
    parser.add_argument("--model", choices=MODEL_SIZES, default=None)
    parser.add_argument(
        "--hidden",
        action="store_true",
        help="hide the window once tracking starts, as when the app sits in the tray",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from pipeline.sources import is_camera_spec

    if not Path(args.source).exists() and not is_camera_spec(args.source):
        print(f"soak: source {args.source} not found", file=sys.stderr)
        return 2
    if not args.use_my_config:
        tmp = tempfile.mkdtemp(prefix="handcue-soak-")
        os.environ["HANDCUE_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["HANDCUE_DATA_DIR"] = str(Path(tmp) / "data")

    if args.threads is not None or args.model is not None:
        from pipeline.settings import load_config, save_config

        cfg, _ = load_config()
        update = {}
        if args.threads is not None:
            update["threads"] = args.threads
        if args.model is not None:
            update["model"] = args.model
        save_config(cfg.model_copy(update={"tracker": cfg.tracker.model_copy(update=update)}))

    from PySide6.QtCore import QTimer

    from app.gui.app import build_context, make_application
    from app.gui.main_window import MainWindow
    from app.gui.main_window import MainWindow as _MW
    from app.gui.video_view import VideoView
    from pipeline.actions.sink import RecordingSink

    work = WorkTimer()
    work.wrap(_MW, "_redraw", "redraw_slot")
    work.wrap(_MW, "_on_frame_ready", "frame_ready_slot")
    work.wrap(VideoView, "paintEvent", "video_paint")
    try:
        import pyqtgraph.opengl as gl

        work.wrap(gl.GLViewWidget, "paintGL", "gl_paint")
    except ImportError:
        pass

    app = make_application()
    ctx = build_context(sink=RecordingSink())  # measure the app, never type into the desktop
    window = MainWindow(ctx, enable_3d=False if args.no_3d else None)
    window.resize(1280, 780)
    window.show()
    window.loop_box.setChecked(True)

    frames = _FrameCount()

    def count(frame: TrackedFrame) -> None:
        frames.n += 1
        frames.last = frame

    window.session.frame_ready.connect(count)
    probe = LatenessProbe()
    duration_s = args.minutes * 60.0
    rows: list[dict] = []
    state = {"t0": 0.0, "cpu0": 0.0, "t_prev": 0.0, "cpu_prev": 0.0, "n_prev": 0,
             "gui0": 0.0}  # fmt: skip

    def sample() -> None:
        now, cpu = time.perf_counter(), time.process_time()
        dt = now - state["t_prev"]
        last = frames.last
        row = {
            "t_s": round(now - state["t0"], 1),
            "rss_mb": round(rss_mb(), 1),
            "cpu_pct": round(100.0 * (cpu - state["cpu_prev"]) / dt, 1) if dt > 0 else 0.0,
            "fps": round((frames.n - state["n_prev"]) / dt, 1) if dt > 0 else 0.0,
            "dropped": last.dropped if last is not None else 0,
            "late_max_ms": round(probe.take_interval_max(), 1),
            "loadavg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
        state.update(t_prev=now, cpu_prev=cpu, n_prev=frames.n)
        if now - state["t0"] >= duration_s:
            app.quit()

    def begin() -> None:
        window.set_source(args.source)
        if args.hidden:
            window.hide()
        state["t0"] = state["t_prev"] = time.perf_counter()
        state["cpu0"] = state["cpu_prev"] = time.process_time()
        state["gui0"] = time.thread_time()  # the GUI thread's own CPU time
        probe.start()

    sampler = QTimer()
    sampler.setInterval(int(args.sample_s * 1000))
    sampler.timeout.connect(sample)
    sampler.start()
    QTimer.singleShot(0, begin)
    app.exec()
    probe.timer.stop()
    sampler.stop()
    wall = time.perf_counter() - state["t0"]
    cpu = time.process_time() - state["cpu0"]
    gui_cpu = time.thread_time() - state["gui0"]
    banner = window.banner.label.text() if not window.banner.isHidden() else ""
    window.shutdown()

    warm = max(1, len(rows) // 5)
    rss_warm = rows[warm - 1]["rss_mb"] if rows else 0.0
    rss_end = rows[-1]["rss_mb"] if rows else 0.0
    summary = {
        "minutes": round(wall / 60.0, 2),
        "source": args.source,
        "frames": frames.n,
        "tracking_fps": round(frames.n / wall, 1) if wall > 0 else 0.0,
        "dropped": frames.last.dropped if frames.last is not None else 0,
        "provider": frames.last.provider if frames.last is not None else "",
        "event_loop_lateness": probe.all.stats(),
        f"event_loop_lateness_after_{WARMUP_S:g}s": probe.after_warmup.stats(),
        "late_over_50ms_at_s": probe.late_times,
        "hidden": args.hidden,
        "cpu_pct_of_one_core": round(100.0 * cpu / wall, 1) if wall > 0 else 0.0,
        "gui_thread_cpu_pct": round(100.0 * gui_cpu / wall, 1) if wall > 0 else 0.0,
        "gui_work": work.stats(),
        "cores": os.cpu_count(),
        "machine_loadavg_1m_mean": round(
            sum(r["loadavg_1m"] or 0 for r in rows) / max(len(rows), 1), 2
        ),
        "rss_mb_start": rows[0]["rss_mb"] if rows else 0.0,
        "rss_mb_after_warmup": rss_warm,
        "rss_mb_end": rss_end,
        "rss_mb_max": max((r["rss_mb"] for r in rows), default=0.0),
        "rss_growth_after_warmup_mb": round(rss_end - rss_warm, 1),
        "banner": banner,
    }
    print("SUMMARY " + json.dumps(summary, indent=1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "samples": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
