"""Issue 38, case 13 on the command line: ``handcue config validate`` and ``handcue run
--config`` on a 200 kB settings file whose header has 100,000 parts answer in seconds (they
took 51 s and 55 s) with one line naming the file and the limit and a non-zero exit; the file
is left as it was."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from pipeline.settings.bounds import MAX_DEPTH
from tests.support.commands import handcue_env, run_handcue

HEADER_100K = "[" + ".".join(["a"] * 100_000) + "]\n"
# Starting Python and the command line costs about a second here; the parse itself is bounded
# in tests/pipeline/test_settings_bounds_safety.py.
SECONDS = 8.0


def _huge(tmp_path: Path) -> tuple[Path, str]:
    bad = tmp_path / "huge.toml"
    bad.write_text(HEADER_100K, encoding="utf-8")
    return bad, hashlib.sha256(bad.read_bytes()).hexdigest()


def test_validate_refuses_a_header_of_100000_parts_at_once(tmp_path: Path) -> None:
    bad, digest = _huge(tmp_path)
    start = time.perf_counter()
    done = run_handcue("config", "validate", str(bad), env=handcue_env(tmp_path), timeout=60)
    elapsed = time.perf_counter() - start
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    problem, summary = done.stderr.splitlines()
    assert problem.startswith(f"{bad}, line 1: ") and f"more than {MAX_DEPTH} levels" in problem
    assert summary == f"{bad}: 1 problem"
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest


def test_run_refuses_it_before_opening_anything(tmp_path: Path) -> None:
    bad, digest = _huge(tmp_path)
    start = time.perf_counter()
    done = run_handcue(
        "run", "--config", str(bad), "--source", str(tmp_path / "none.mp4"), "--dry-run",
        env=handcue_env(tmp_path), timeout=90,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    assert str(bad) in lines[0] and f"more than {MAX_DEPTH} levels" in lines[0]
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest
