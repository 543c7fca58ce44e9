"""The pointing self-test's history (JSON lines in the data folder), the comparison with the
previous and the best test, and the suggestions drawn from the figures."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.paths import data_dir
from pipeline.pointer.fitts import ConditionScore, FittsResult, play_script
from pipeline.pointer.fitts_history import (
    append_history,
    compare,
    comparison_lines,
    conclude,
    history_path,
    read_history,
    settings_snapshot,
    suggestions,
)
from pipeline.pointer.settings import PointerSettings
from tests.support.pointer_scripts import known_path


def _result(tp: float = 3.0, *, errors: int = 2, mt: float = 900.0, jitter: float = 0.7,
            small_errors: int | None = None, **settings) -> FittsResult:  # fmt: skip
    """A result with 6 sequences of 13 trials; ``small_errors`` of the ``errors`` on the
    smallest targets (default: spread evenly)."""
    widths = (26.0, 45.0, 77.0)
    per = [0] * 6
    if small_errors is None:
        for i in range(errors):
            per[i % 6] += 1
    else:
        per[0], per[3] = (small_errors + 1) // 2, small_errors // 2
        rest = errors - small_errors
        for i in range(rest):
            per[(1, 2, 4, 5)[i % 4]] += 1
    conds = tuple(
        ConditionScore(
            distance=d,
            width=widths[j],
            trials=13,
            errors=per[i * 3 + j],
            mt_ms=mt,
            sd_x=5.0,
            we=20.0,
            de=d,
            ide=3.0,
            throughput=tp,
        )  # fmt: skip
        for i, d in enumerate((224.0, 448.0))
        for j in range(3)
    )
    snap = settings_snapshot(PointerSettings(**settings))
    return FittsResult(throughput=tp, error_rate=errors / 78, mt_ms=mt, jitter_px=jitter,
                       trials=78, errors=errors, conditions=conds, screen=(1024, 640),
                       settings=snap, source="hand", when="2025-01-02T10:00:00")  # fmt: skip


def test_history_lives_in_the_data_folder() -> None:
    assert history_path() == data_dir() / "pointer-tests.jsonl"


def test_history_appends_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "h.jsonl"
    first = play_script(known_path().script).result()
    first = replace(first, settings=settings_snapshot(PointerSettings()), source="script")
    append_history(first, path)
    append_history(replace(first, throughput=1.5), path)
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["settings"]["min_cutoff_hz"] == 1.0
    back = read_history(path)
    assert [round(r.throughput, 3) for r in back] == [round(first.throughput, 3), 1.5]
    assert back[0].conditions[0].width == first.conditions[0].width
    assert back[0].settings["active_area"]["left"] == 0.25


def test_history_skips_lines_that_are_not_results(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    append_history(_result(2.0), path)
    with open(path, "a") as f:
        f.write('garbage\n{"throughput": 1}\n\n')
    append_history(_result(2.5), path)
    assert [r.throughput for r in read_history(path)] == [2.0, 2.5]
    assert read_history(tmp_path / "none.jsonl") == []


def test_history_that_cannot_be_written_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    outcome = conclude(_result(), settings=PointerSettings(), source="hand",
                       path=blocker / "h.jsonl")  # fmt: skip
    assert outcome.saved is None and "cannot add the result" in (outcome.save_error or "")


def test_compare_with_previous_and_best_and_the_settings_that_changed() -> None:
    old_best = _result(3.5, min_cutoff_hz=1.0)
    previous = _result(2.8, min_cutoff_hz=1.0, dwell_click=True, dwell_ms=800)
    now = _result(3.1, min_cutoff_hz=0.7, dwell_click=True, dwell_ms=800)
    c = compare(now, [old_best, previous])
    assert c.previous is previous and c.best is old_best and not c.is_best
    assert c.change == pytest.approx(3.1 / 2.8 - 1)
    assert c.changed == (("min_cutoff_hz", 1.0, 0.7),)
    text = " ".join(comparison_lines(c))
    assert "11% higher than the previous test on 2025-01-02 10:00" in text
    assert "smoothing (min cutoff) 1 Hz -> 0.7 Hz" in text
    assert "Best so far: 3.50 bits/s" in text


def test_first_test_and_best_so_far() -> None:
    assert "first pointing test" in comparison_lines(compare(_result(), []))[0]
    c = compare(_result(4.0), [_result(3.0), _result(3.9)])
    assert c.is_best and "Your best throughput so far." in comparison_lines(c)
    assert "The pointer settings are the same" in " ".join(comparison_lines(c))


def test_conclude_compares_with_the_same_source_only_and_saves(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    append_history(replace(_result(9.0), source="mouse"), path)
    append_history(_result(2.0), path)
    outcome = conclude(_result(2.2), settings=PointerSettings(beta=5.0), source="hand",
                       path=path, now=datetime(2025, 3, 4, 5, 6, 7))  # fmt: skip
    assert outcome.comparison.previous is not None
    assert outcome.comparison.previous.throughput == 2.0
    assert outcome.comparison.best is not None and outcome.comparison.best.throughput == 2.0
    assert outcome.result.when == "2025-03-04T05:06:07"
    assert outcome.result.settings["beta"] == 5.0
    assert outcome.saved == path and len(read_history(path)) == 3
    data = outcome.to_json()
    assert data["comparison"]["previous_throughput"] == 2.0
    assert data["comparison"]["changed_settings"] == [
        {"setting": "beta", "before": 3.0, "now": 5.0}
    ]
    assert data["suggestions"] and data["history"] == str(path)


def test_conclude_without_saving(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    outcome = conclude(_result(), settings={"beta": 1.0}, source="hand", save=False, path=path)
    assert outcome.saved is None and not path.exists()


# ---------------------------------------------------------------------------- suggestions


def test_steady_accurate_brisk_pointing_needs_nothing() -> None:
    advice = suggestions(_result(jitter=0.7, errors=2, mt=900))
    assert advice == [
        "Nothing to change: the pointer is steady, misses are few and movements brisk."
    ]


def test_high_jitter_suggests_a_lower_min_cutoff_or_a_larger_dead_zone() -> None:
    (advice,) = suggestions(_result(jitter=2.4, min_cutoff_hz=1.0, dead_zone_px=2.0))
    assert "trembles 2.4 px" in advice
    assert "min cutoff (1 Hz -> 0.7 Hz)" in advice and "dead zone (2 px -> 4 px)" in advice


def test_misses_on_small_targets_suggest_a_larger_dwell_radius_or_active_area() -> None:
    r = _result(errors=12, small_errors=9, dwell_click=True, dwell_radius_px=20.0)
    advice = " ".join(suggestions(r))
    assert "35% of the clicks on the smallest targets missed" in advice
    assert "larger dwell radius (20 px -> 30 px)" in advice and "larger active area" in advice
    pinch = " ".join(suggestions(_result(errors=12, small_errors=9)))
    assert "dwell radius" not in pinch and "larger active area" in pinch
    relative = " ".join(suggestions(_result(errors=12, small_errors=9, mapping="relative")))
    assert "lower relative speed" in relative


def test_misses_spread_over_all_sizes_do_not_blame_small_targets() -> None:
    advice = " ".join(suggestions(_result(errors=12, small_errors=2)))
    assert "smallest targets" not in advice
    assert "miss at every target size (15%, 19% even on the largest)" in advice
    # as many misses on small as on large targets: the aim, not the size
    even = " ".join(suggestions(_result(errors=24, small_errors=8)))
    assert "smallest targets" not in even and "every target size" in even


def test_slow_accurate_moves_suggest_a_higher_beta() -> None:
    advice = " ".join(suggestions(_result(errors=1, mt=2000.0, beta=3.0)))
    assert "slow (2.0 s)" in advice and "beta 3 -> 4.5" in advice


def test_dwell_time_is_not_counted_as_slowness() -> None:
    # 2.0 s per selection with an 800 ms dwell: 1.2 s of movement, not slow
    r = _result(errors=1, mt=2000.0, dwell_click=True, dwell_ms=800)
    assert not any("slow" in a for a in suggestions(r))
    r = _result(errors=1, mt=2600.0, dwell_click=True, dwell_ms=800)
    assert any("shorten the dwell time (800 ms -> 650 ms)" in a for a in suggestions(r))


def test_quick_moves_with_many_misses_and_dwell_suggest_a_longer_dwell() -> None:
    r = _result(errors=15, mt=1300.0, dwell_click=True, dwell_ms=800)
    assert any("longer dwell time (800 ms -> 1000 ms)" in a for a in suggestions(r))


def test_a_worse_result_after_a_change_suggests_going_back() -> None:
    previous = _result(3.0, beta=3.0)
    now = _result(2.4, beta=8.0)
    advice = suggestions(now, compare(now, [previous]))
    assert any("fell 20%" in a and "speed response (beta) 3" in a for a in advice)
