"""Command-line mistakes get clear errors: one --max-hands limit everywhere, "did you mean" for
gesture ids, ``config validate`` listing every problem, and a missing camera reported without
OpenCV's own warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from pipeline.errors import SourceError
from pipeline.settings import MAX_HANDS, config_path, parse_config_text


def test_max_hands_is_one_limit_everywhere(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["detect", "--help"])
    detect_help = capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    run_help = capsys.readouterr().out
    assert f"1-{MAX_HANDS}" in " ".join(detect_help.split())
    assert f"1-{MAX_HANDS}" in " ".join(run_help.split())
    assert "1-8" not in detect_help
    code = main(["detect", "--max-hands", str(MAX_HANDS + 1), "x.jpg"])
    err = capsys.readouterr().err
    assert code != 0 and f"between 1 and {MAX_HANDS}" in err and "Traceback" not in err


def test_map_suggests_the_gesture_meant(capsys) -> None:
    code = main(["run", "--source", "v.mp4", "--dry-run", "--map", "thumbs_up=key:n"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown gesture 'thumbs_up'; did you mean 'thumb_up'?" in err


def test_settings_check_suggests_the_gesture_meant() -> None:
    from pipeline.gestures import BUILTIN_GESTURES
    from pipeline.settings.store import did_you_mean

    cfg, problems = parse_config_text(
        '[profiles.mine]\nmappings = [\n  { gesture = "thumbs_up", action = "key:n" },\n]\n',
        known_gestures=set(BUILTIN_GESTURES),
    )
    assert cfg is not None
    assert len(problems) == 1 and "did you mean 'thumb_up'?" in problems[0]
    assert "line 3" in problems[0]
    assert did_you_mean("zzzz", BUILTIN_GESTURES) == ""  # nothing close: no guess


BAD = """\
[actions]
arm_gesture = "i_love_you"

[profiles.mine]
mappings = [
  { gesture = "thumbs_up", action = "key:n" },
  { gesture = "fist", action = "kye:space" },
  { gesture = "i_love_you", action = "key:x" },
]
"""


def test_config_validate_lists_every_problem(tmp_path: Path, capsys) -> None:
    path = tmp_path / "c.toml"
    path.write_text(BAD)
    code = main(["config", "validate", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    lines = [ln for ln in err.splitlines() if ln.startswith(str(path) + ",")]
    # the bad action (line 7) no longer hides the unknown gesture (line 6) and the mapping on
    # the arm gesture (line 8)
    assert any("line 7" in ln and "action" in ln for ln in lines), err
    assert any("line 6" in ln and "did you mean 'thumb_up'" in ln for ln in lines), err
    assert any("line 8" in ln and "arm gesture" in ln for ln in lines), err
    assert "3 problems" in err


def test_missing_camera_is_one_clean_error(capfd) -> None:
    from pipeline.sources import camera_node_exists, open_source

    if camera_node_exists(5):
        pytest.skip("this machine has a camera 5")
    with pytest.raises(SourceError, match="camera 5 not found"):
        open_source("5")
    captured = capfd.readouterr()
    assert "WARN" not in captured.err and "WARN" not in captured.out


def test_missing_camera_in_run_has_no_opencv_noise(capfd) -> None:
    from pipeline.sources import camera_node_exists

    if camera_node_exists(5):
        pytest.skip("this machine has a camera 5")
    code = main(["run", "--source", "5", "--dry-run"])
    err = capfd.readouterr().err
    assert code != 0
    assert "camera 5" in err and "WARN" not in err and "Traceback" not in err
    assert not config_path().exists()
