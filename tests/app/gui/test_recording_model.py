"""The gesture recorder's decisions without Qt: the take in progress (name check, samples,
built-in lookalikes, saving), the sampling run after Record, and the questions and reports
about saved samples (same wording as the dialog)."""

from __future__ import annotations

import dataclasses

import pytest

from app.gui.recording_model import (
    STALE_TICKS,
    SampleRun,
    Take,
    count,
    delete_question,
    deleted_report,
    name_problem,
    read_store,
    remove_question,
)
from pipeline.gestures.templates import TemplateStore
from pipeline.types import FrameResult
from tests.support.blocked_imports import run_without
from tests.support.gui_fakes import hand_from_landmarks, synthetic_landmarks


def test_the_model_loads_without_qt() -> None:
    proc = run_without(("PySide6", "shiboken6", "pyqtgraph"), "import app.gui.recording_model\n")
    assert proc.returncode == 0, proc.stderr


def _result(index: int, *scores: float) -> FrameResult:
    """A frame ``index`` with one synthetic hand per presence score in ``scores``."""
    hands = [
        dataclasses.replace(hand_from_landmarks(synthetic_landmarks(), track_id=i), score=s)
        for i, s in enumerate(scores)
    ]
    return FrameResult(index, index * 33.0, 1280, 720, tuple(hands), False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Give the gesture a name."),
        ("   ", "Give the gesture a name."),
        ("fist", "'fist' is a built-in gesture; choose another name"),
        ("Spock", "invalid gesture name 'Spock'"),
        ("spock", ""),
        ("  spock ", ""),
    ],
)
def test_name_problem(text: str, problem: str) -> None:
    assert name_problem(text).startswith(problem)
    assert bool(name_problem(text)) == bool(problem)


def test_a_take_needs_a_name_and_samples() -> None:
    take = Take()
    assert take.problem("") == "Give the gesture a name."
    assert take.problem("spock") == "Record some samples (press Record with your hand in view)."
    take.add(hand_from_landmarks(synthetic_landmarks()))
    assert take.problem("spock") == ""
    assert take.problem("fist").startswith("'fist' is a built-in gesture")


def test_removing_samples_keeps_the_others_in_order() -> None:
    take = Take()
    hands = [hand_from_landmarks(synthetic_landmarks(cx=600.0 + i)) for i in range(5)]
    for hand in hands:
        take.add(hand)
    take.remove([3, 0])
    assert take.samples == [hands[1], hands[2], hands[4]]
    take.clear()
    assert take.samples == []


def test_an_open_palm_take_warns_it_takes_over_the_builtin() -> None:
    take = Take()
    assert take.lookalike_warning(str.upper) == ""  # no samples, nothing to say
    take.add(hand_from_landmarks(synthetic_landmarks()))
    warning = take.lookalike_warning(lambda gesture: f"<{gesture}>")
    assert warning.startswith("1 of 1 samples look like the built-in gesture <open_palm>")
    assert "mappings on open_palm stop firing" in warning


def test_a_take_is_saved_and_replaces_a_gesture_of_that_name(tmp_path) -> None:
    path = tmp_path / "gestures.json"
    take = Take()
    for i in range(3):
        lm = synthetic_landmarks()
        lm[8, 1] -= 4.0 * i
        take.add(hand_from_landmarks(lm))
    take.save_to(read_store(TemplateStore(path)), "spock")
    assert take.samples, "the take keeps its samples until the caller clears it"
    assert TemplateStore(path).info("spock")["samples"] == 3
    take.remove([0])
    take.save_to(read_store(TemplateStore(path)), "spock")
    assert TemplateStore(path).info("spock")["samples"] == 2


def test_read_store_reads_the_file_again(tmp_path) -> None:
    path = tmp_path / "gestures.json"
    app_store = TemplateStore(path)
    other = TemplateStore(path)
    other.add("wave", [hand_from_landmarks(synthetic_landmarks())])
    other.save()
    assert app_store.names() == []
    assert read_store(app_store).names() == ["wave"]
    assert read_store(None).path == TemplateStore().path  # no store yet: the user's file


def test_a_run_counts_down_then_samples() -> None:
    run = SampleRun()
    assert run.finished
    run.start(2, 3)
    assert not run.finished
    assert [run.count_down(), run.count_down(), run.count_down()] == [2, 1, 0]
    assert run.count_down() is None  # sampling now
    hand, message = run.pick(_result(1, 0.5, 0.9, 0.7))
    assert message is None and hand is not None and hand.score == 0.9
    assert not run.finished
    hand, message = run.pick(_result(2, 0.8))
    assert hand is not None and message is None
    assert run.finished


def test_a_run_without_a_hand_uses_up_the_tick() -> None:
    run = SampleRun()
    run.start(2, 0)
    assert run.pick(None) == (None, "No hand in view: show your hand to the camera.")
    assert run.pick(_result(5)) == (None, "No hand in view: show your hand to the camera.")
    assert run.finished


def test_a_run_waits_for_a_new_frame_but_not_forever() -> None:
    run = SampleRun()
    run.start(3, 0)
    hand, _ = run.pick(_result(7, 0.9))
    assert hand is not None
    for _ in range(STALE_TICKS):
        assert run.pick(_result(7, 0.9)) == (None, None)  # same frame: wait
    assert run.to_take == 2
    assert run.pick(_result(7, 0.9)) == (None, "The video is not moving: start tracking first.")
    assert run.to_take == 1
    hand, message = run.pick(_result(8, 0.9))
    assert hand is not None and message is None and run.finished


def test_a_stopped_run_is_finished_and_remembers_its_last_frame() -> None:
    run = SampleRun()
    run.start(5, 0)
    run.pick(_result(3, 0.9))
    run.stop()
    assert run.finished
    run.start(1, 0)
    assert run.pick(_result(3, 0.9)) == (None, None)  # that frame was sampled already


def test_questions_and_reports_about_saved_samples() -> None:
    assert count(1, "sample") == "1 sample" and count(0, "sample") == "0 samples"
    assert delete_question("spock", [1, 3], 6).startswith(
        "Delete 2 of the 6 saved samples of 'spock' (#2, #4)?\n\n4 samples will be kept."
    )
    assert "(#" not in delete_question("spock", list(range(11)), 12)  # too many to list
    assert delete_question("spock", [0], 1).startswith("Delete the only saved sample of 'spock'")
    assert "itself is removed" in delete_question("spock", list(range(6)), 6)
    assert delete_question("spock", list(range(6)), 6).startswith("Delete all 6 saved samples")
    assert deleted_report("spock", 2, 4) == "Deleted 2 samples of 'spock'; 4 left."
    assert deleted_report("spock", 1, 0) == "Removed 'spock' (no samples left)."
    assert remove_question("spock").startswith("Remove the recorded gesture 'spock' and all")
