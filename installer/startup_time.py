"""Start-up time of the HandCue app to its first tracked frame, measured from outside.

Usage (from the checkout, with its .venv)::

    .venv/bin/python installer/startup_time.py [--exe PATH] [--runs N] [--video FILE]

``--exe`` is the ``handcue`` to start: the bundle's ``dist/handcue/handcue`` or the venv's
``.venv/bin/handcue`` (the default). Each run starts ``EXE gui --source VIDEO`` in a clean
environment (``env -i``, a fresh HOME shared by the runs, so run 2 onwards are warm starts)
on a private Xvfb, asks the app's single-instance channel for ``first_frame_at`` until a frame
was tracked, and prints one line per run:

    run 2: 2.41 s wall, 2.03 s CPU (app 1.71 + helpers 0.32); load 3.10

wall: launch -> the first ``TrackedFrame`` reached the window (epoch clocks of this script
and the app); CPU: the app's own process CPU at that frame (all its threads, the app records
it) plus, read from /proc at the moment this script saw the frame, the CPU of the processes it
started (the input guardian); load: the 1-minute load average then. Exit 0 when every run
tracked a frame within ``--timeout`` seconds. Linux only (Xvfb, /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.xserver import stop, xvfb  # noqa: E402

DEFAULT_VIDEO = ROOT.parent / "shared" / "data" / "videos" / "fist_then_thumb_up_720p.mp4"


def _ticks() -> float:
    return float(os.sysconf("SC_CLK_TCK"))


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user+system CPU s) of a live process, from /proc/PID/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _ticks()


def helpers_cpu(pid: int) -> float:
    """CPU seconds of every live descendant of ``pid`` (not ``pid`` itself)."""
    parents: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat is not None:
                parents[int(entry)] = stat
    total, frontier = 0.0, {pid}
    while frontier:
        children = {p for p, (ppid, _) in parents.items() if ppid in frontier}
        total += sum(parents[p][1] for p in children)
        frontier = children
    return total


def ask_status(config_dir: Path) -> dict | None:
    """The running app's status reply (None while it does not answer yet). Asked in this
    process: a client process per poll would take CPU from the app being measured."""
    os.environ["HANDCUE_CONFIG_DIR"] = str(config_dir)  # the instance name derives from it
    from app.desktop.instance_client import ask_running_instance

    return ask_running_instance({"cmd": "status"}, 500)


def measure(exe: Path, video: Path, home: Path, display: str, timeout: float) -> dict:
    """One launch: seconds to the first tracked frame, CPU, load; the app is stopped after."""
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "DISPLAY": display}
    log = home / "gui.log"
    t0 = time.time()
    with log.open("ab") as out:
        proc = subprocess.Popen([str(exe), "gui", "--source", str(video)], env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"the app exited ({proc.returncode}): {log.read_text()[-2000:]}")
            status = ask_status(home / ".config" / "HandCue")
            if status and status.get("first_frame_at") is not None:
                helpers = helpers_cpu(proc.pid)
                load = float(Path("/proc/loadavg").read_text().split()[0])
                cpu = float(status.get("first_frame_cpu_s") or 0.0)
                return {"wall_s": float(status["first_frame_at"]) - t0, "cpu_s": cpu + helpers,
                        "app_cpu_s": cpu, "helpers_cpu_s": helpers, "load": load}  # fmt: skip
            time.sleep(0.02)
        raise SystemExit(f"no tracked frame within {timeout:g} s")
    finally:
        stop(proc, 10.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exe", type=Path, default=ROOT / ".venv" / "bin" / "handcue")
    parser.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=240.0)
    parser.add_argument("--json", action="store_true", help="one JSON object per run")
    args = parser.parse_args(argv)
    for path, what in ((args.exe, "--exe"), (args.video, "--video")):
        if not path.exists():
            print(f"startup_time: {what} {path} does not exist", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp, xvfb() as display:
        home = Path(tmp) / "home"
        home.mkdir()
        for run in range(1, args.runs + 1):
            r = measure(args.exe.resolve(), args.video.resolve(), home, display, args.timeout)
            if args.json:
                print(json.dumps({"run": run, **r}), flush=True)
            else:
                print(f"run {run}: {r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU (app "
                      f"{r['app_cpu_s']:.2f} + helpers {r['helpers_cpu_s']:.2f}); load "
                      f"{r['load']:.2f}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
