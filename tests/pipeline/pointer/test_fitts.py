"""The pointing self-test's task and scores (pipeline.pointer.fitts): the ISO target order, the
layout on small and large screens, and the scores of scripted paths whose Fitts figures are
known analytically (tests.support.pointer_scripts): throughput within 5% of the known value,
error count exact, movement time and still-hand jitter as scripted."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pipeline.errors import HandCueError
from pipeline.pointer.fitts import (
    DONE,
    HOLD,
    HOLD_MS,
    TASK,
    Condition,
    Selection,
    TappingTask,
    conditions_for,
    iso_order,
    load_script,
    play_script,
    score_sequence,
    target_centres,
)
from tests.support.pointer_scripts import known_path


def test_iso_order_jumps_across_the_circle_and_visits_every_target_once() -> None:
    order = iso_order(13)
    assert order[:5] == (0, 7, 1, 8, 2)
    assert len(order) == 14 and order[-1] == order[0] == 0
    assert sorted(order[:-1]) == list(range(13))
    assert all((b - a) % 13 == 7 for a, b in zip(order, order[1:], strict=False))


@pytest.mark.parametrize("n", [2, 4, 1, 0])
def test_iso_order_needs_an_odd_number_of_targets(n: int) -> None:
    with pytest.raises(ValueError, match="odd"):
        iso_order(n)


def test_targets_lie_on_the_circle_first_at_the_top_then_clockwise() -> None:
    centres = target_centres((500, 300), 400, 13)
    for x, y in centres:
        assert math.hypot(x - 500, y - 300) == pytest.approx(200)
    assert centres[0] == pytest.approx((500, 100))
    assert centres[1][0] > 500  # clockwise on screen: the next one is to the right


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080), (3840, 2160), (800, 1280)])
def test_conditions_fit_the_screen_and_scale_with_it(size: tuple[int, int]) -> None:
    w, h = size
    conds = conditions_for(w, h)
    assert len(conds) == 6
    assert len({c.width for c in conds}) == 3 and len({c.distance for c in conds}) == 2
    biggest = max(c.distance + c.width for c in conds)
    assert biggest <= 0.85 * min(w, h)  # room for the text above and below the circle
    ids = sorted(c.nominal_id for c in conds)
    assert ids[0] > 1.5 and ids[-1] < 5.0
    side = min(w, h)
    assert min(c.width for c in conds) == pytest.approx(0.04 * side, abs=0.1)


def test_conditions_on_a_1024x640_screen() -> None:
    conds = conditions_for(1024, 640)
    assert [c.width for c in conds[:3]] == [25.6, 44.8, 76.8]
    assert {c.distance for c in conds} == {224.0, 448.0}


@pytest.mark.parametrize(
    ("mt_ms", "sd_frac", "seed"),
    [(900.0, 0.25, 7), (600.0, 0.15, 1), (1400.0, 0.35, 3), (1000.0, 0.5, 11)],
)
def test_scripted_path_gives_the_known_throughput_errors_and_times(
    mt_ms: float, sd_frac: float, seed: int
) -> None:
    known = known_path(mt_ms=mt_ms, sd_frac=sd_frac, seed=seed)
    task = play_script(known.script)
    assert task.phase == DONE
    result = task.result()
    assert result.throughput == pytest.approx(known.expected_throughput, rel=0.05)
    for score, expected in zip(result.conditions, known.per_condition_tp, strict=True):
        assert score.throughput == pytest.approx(expected, rel=0.05)
        assert score.we == pytest.approx(4.133 * sd_frac * score.width, rel=1e-9)
    assert result.trials == known.expected_trials == 78
    assert result.errors == known.expected_errors
    assert result.error_rate == known.expected_errors / 78
    assert result.mt_ms == pytest.approx(mt_ms, abs=1e-6)
    assert result.jitter_px == pytest.approx(known.jitter_px, rel=0.02)


def test_a_wider_spread_and_slower_moves_lower_the_throughput() -> None:
    tight = play_script(known_path(sd_frac=0.15).script).result()
    loose = play_script(known_path(sd_frac=0.45).script).result()
    slow = play_script(known_path(sd_frac=0.15, mt_ms=1800).script).result()
    assert tight.throughput > loose.throughput
    assert slow.throughput == pytest.approx(tight.throughput / 2, rel=0.01)
    assert loose.errors > tight.errors


def test_known_path_figures_on_a_large_screen() -> None:
    known = known_path(1920, 1080, mt_ms=800, sd_frac=0.2)
    result = play_script(known.script).result()
    assert result.screen == (1920, 1080)
    assert result.throughput == pytest.approx(known.expected_throughput, rel=0.05)
    assert result.errors == known.expected_errors


def test_score_of_one_sequence_by_hand() -> None:
    """Three targets, D = 200: end-points 10 px past, on and 10 px short of each target along
    the axis; 500 ms each. SD(dx) = 10 -> We = 41.33; De = mean movement on the axis."""
    cond = Condition(distance=200.0, width=40.0)
    centres = target_centres((300, 300), 200, 3)
    order = iso_order(3)  # 0, 2, 1, 0
    sels = [Selection(0.0, *centres[0], 0, True)]
    for k, dx in zip(range(1, 4), (10.0, 0.0, -10.0), strict=True):
        ax, ay = centres[order[k - 1]]
        bx, by = centres[order[k]]
        a = math.hypot(bx - ax, by - ay)
        ux, uy = (bx - ax) / a, (by - ay) / a
        sels.append(Selection(500.0 * k, bx + dx * ux, by + dx * uy, order[k], abs(dx) <= 20))
    score = score_sequence(cond, centres, order, sels)
    chord = 200 * math.sin(math.pi / 3)
    assert score.sd_x == pytest.approx(10.0)
    assert score.we == pytest.approx(41.33)
    assert score.trials == 3 and score.errors == 0 and score.mt_ms == 500.0
    # each start is the previous end-point: its projection on the new axis shifts the move
    assert score.de == pytest.approx(chord, rel=0.05)
    assert score.throughput == pytest.approx(math.log2(score.de / 41.33 + 1) / 0.5)


def test_clicks_before_the_task_are_ignored_and_a_move_restarts_holding_still() -> None:
    task = TappingTask(1024, 640)
    assert task.phase == HOLD
    task.pointer(0, 500, 300)
    assert task.click(10) is None
    task.pointer(2000, 501, 300)
    task.pointer(2100, 600, 300)  # moved 100 px: the hold starts again here
    task.pointer(2200 + HOLD_MS - 200, 600, 300)
    assert task.phase == HOLD and 0.9 < task.hold_progress < 1.0
    task.pointer(2100 + HOLD_MS, 600, 300)
    assert task.phase == TASK and task.jitter_px == 0.0


def test_losing_the_pointer_restarts_holding_still() -> None:
    task = TappingTask(1024, 640)
    task.pointer(0, 500, 300)
    task.pointer(2000, 500, 300)
    task.lost()
    task.pointer(2400, 500, 300)
    assert task.phase == HOLD and task.hold_progress == 0.0


def test_a_click_without_position_uses_the_pointer_and_misses_count() -> None:
    task = TappingTask(1024, 640, hold_ms=0)
    assert task.phase == TASK
    assert task.click(0) is None  # no pointer seen yet
    cx, cy = task.centres[task.target]
    task.pointer(5, cx, cy)
    first = task.click(10)
    assert first is not None and first.hit and first.target == 0
    assert task.target == 7
    miss = task.click(700, 0, 0)
    assert miss is not None and not miss.hit and miss.target == 7
    assert task.selections_made == 2 and task.target == 1


def test_result_needs_a_finished_sequence() -> None:
    task = TappingTask(1024, 640, hold_ms=0)
    with pytest.raises(ValueError, match="no sequence"):
        task.result()


def test_task_area_must_be_sane() -> None:
    with pytest.raises(ValueError, match="task area"):
        TappingTask(0, 640)


# ---------------------------------------------------------------------------- script files


def test_script_round_trips_through_a_file(tmp_path: Path) -> None:
    known = known_path()
    path = tmp_path / "path.json"
    path.write_text(known.script.to_json())
    loaded = load_script(path)
    assert loaded.screen == (1024, 640)
    assert len(loaded.events) == len(known.script.events)
    assert play_script(loaded).result().errors == known.expected_errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"screen": [10, 640], "events": [[0, 1, 1]]}', "100-20000 px"),
        ('{"screen": [1024, 640], "events": []}', "non-empty list"),
        ('{"screen": [1024, 640], "events": [[0, 1]]}', r"events\[0\] must be"),
        ('{"screen": [1024, 640], "events": [[0, 1, "a"]]}', r"events\[0\] y must be a finite"),
        ('{"screen": [1024, 640], "events": [[5, 1, 1], [4, 1, 1]]}', "before the previous"),
        ('{"screen": [1024, 640], "events": [[0, 1, 1, "tap"]]}', 'may only be "click"'),
        ('{"format": "other", "screen": [1024, 640], "events": [[0, 1, 1]]}', "'format'"),
    ],
)
def test_bad_scripts_are_refused_with_the_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(HandCueError, match=message) as info:
        load_script(path)
    assert str(path) in str(info.value)


def test_missing_script_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(HandCueError, match="no such file"):
        load_script(tmp_path / "nope.json")
    with pytest.raises(HandCueError, match="not a file"):
        load_script(tmp_path)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(HandCueError, match="not"):
        load_script(binary)


def test_script_json_is_what_the_docs_say() -> None:
    text = known_path().script.to_json()
    data = json.loads(text)
    assert data["format"] == "handcue-pointer-script" and data["screen"] == [1024, 640]
    assert any(len(e) == 4 and e[3] == "click" for e in data["events"])
