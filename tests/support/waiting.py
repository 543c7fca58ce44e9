"""Waiting for something another process or thread does, and reading the JSON-lines logs that
test windows and programs write (one JSON object a line)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def poll(
    predicate: Callable[[], object],
    timeout: float,
    interval: float = 0.05,
    sleep: Callable[[float], object] = time.sleep,
) -> bool:
    """True as soon as ``predicate()`` holds, False if it still does not after ``timeout``
    seconds (it is asked once more after the last pause). ``sleep`` pauses between the checks:
    a Qt program passes a function that runs its event loop for that long."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        sleep(interval)


def wait_until(
    predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05
) -> None:
    """Wait until ``predicate()`` holds; fail the test, naming ``what`` it waited for, if it
    does not within ``timeout`` seconds."""
    import pytest

    if not poll(predicate, timeout, interval):
        pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """The objects logged to ``path`` so far (blank lines skipped); [] before it exists."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def settled_json_lines(path: Path, quiet: float = 0.5, timeout: float = 10) -> list[dict]:
    """The objects logged to ``path`` once nothing new has arrived for ``quiet`` seconds (or
    ``timeout`` seconds have passed)."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else 0
        if size != last:
            last, since = size, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.05)
    return read_json_lines(path)
