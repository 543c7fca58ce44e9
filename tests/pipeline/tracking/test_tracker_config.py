"""The tracker's run configuration checks its settings fields with the settings schema's own
limits and choices (pipeline.settings.limits), in the words the checks always used."""

from __future__ import annotations

import pytest

from pipeline.errors import HandCueError
from pipeline.settings.limits import field_bounds, field_choices, setting_problem
from pipeline.settings.schema import MAX_HANDS, MAX_THREADS, PROVIDERS, TrackerSettings
from pipeline.tracking.config import TrackerConfig, measurement_settings, tracker_config


def test_limits_are_read_from_the_schema_fields() -> None:
    assert field_bounds(TrackerSettings, "max_hands") == (1, MAX_HANDS)
    assert field_bounds(TrackerSettings, "threads") == (0, MAX_THREADS)
    assert field_bounds(TrackerSettings, "far_hands") is None
    assert field_choices(TrackerSettings, "model") == ("full", "lite")
    assert field_choices(TrackerSettings, "provider") == PROVIDERS
    assert field_choices(TrackerSettings, "smoothing") is None
    assert setting_problem(TrackerSettings, "smoothing", 0.3) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_hands": MAX_HANDS + 1}, f"max_hands must be between 1 and {MAX_HANDS}, got 5"),
        ({"max_hands": 0}, f"max_hands must be between 1 and {MAX_HANDS}, got 0"),
        ({"smoothing": 1.5}, "smoothing must be between 0 and 1, got 1.5"),
        ({"threads": -1}, f"threads must be between 0 and {MAX_THREADS}, got -1"),
        ({"min_presence": 0.01}, "min_presence must be between 0.05 and 0.99, got 0.01"),
        ({"model": "huge"}, "model must be 'full' or 'lite', got 'huge'"),
        ({"opinion_model": "huge"}, "opinion_model must be 'full' or 'lite', got 'huge'"),
        ({"provider": "tpu"}, "provider must be 'auto', 'cpu', 'cuda', 'directml' or 'coreml'"),
        ({"idle_interval_ms": -1.0}, "detector intervals must be 0 ms or more"),
    ],
)
def test_config_rejects_what_the_settings_reject(values: dict, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.")):
        TrackerConfig(**values)


def test_settings_defaults_make_a_valid_config() -> None:
    config = tracker_config(TrackerSettings(), static_mode=True, threads=MAX_THREADS)
    assert (config.max_hands, config.threads, config.static_mode) == (2, MAX_THREADS, True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_hands": 9}, f"--max-hands must be between 1 and {MAX_HANDS}, got 9"),
        ({"threads": 65}, f"--threads must be between 0 and {MAX_THREADS}, got 65"),
        ({"model": "huge"}, "--model: Input should be 'full' or 'lite'"),
    ],
)
def test_measurement_options_are_checked_in_their_own_words(options: dict, message: str) -> None:
    with pytest.raises(HandCueError) as caught:
        measurement_settings(**options)
    assert str(caught.value) == message
