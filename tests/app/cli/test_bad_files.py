"""Every bad settings file and gesture store: one clear line on stderr naming the file and the
problem, no traceback, the documented exit code, and the file left exactly as it was.

Each case runs the real command line in a subprocess (so logging and tracebacks land on the
stderr that is checked) with ``HANDCUE_CONFIG_DIR`` / ``HANDCUE_DATA_DIR`` in a temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.commands import handcue_env, run_handcue

DEPTH = 100_000
LONG_TYPE = (
    'active_profile = "mine"\n'
    "[profiles.mine]\n"
    "mappings = [\n"
    f'  {{ gesture = "thumb_up", action = "type:{"A" * 200_000}" }},\n'
    "]\n"
)

# name -> (file text, words the one line must contain)
BAD_SETTINGS = {
    "nested arrays": ("x = " + "[" * DEPTH + "]" * DEPTH + "\n", "nested too deeply"),
    "nested inline tables": (
        "x = " + "{a = " * DEPTH + "1" + "}" * DEPTH + "\n",
        "nested too deeply",
    ),
    "200,000-character type: text": (LONG_TYPE, "line 4: profiles.mine.mappings[0].action"),
}

POINT = [[0.1, 0.2, 0.3]] * 21


def _store(gestures: object, version: object = 1) -> str:
    return json.dumps({"schema_version": version, "gestures": gestures})


# name -> (bytes of the store, or None for a folder; words the one line must contain)
BAD_STORES: dict[str, tuple[bytes | None, str]] = {
    "truncated": (_store({"wave": {"samples": [POINT]}}).encode()[:40], "not valid JSON"),
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
    "schema 99": (_store({}, version=99).encode(), "schema_version 99"),
    "NaN": (_store({"wave": {"samples": [[[float("nan")] * 3] * 21]}}).encode(), "NaN"),
    "not an object": (b"[1, 2, 3]", "must hold a JSON object"),
    "a folder": (None, "is a folder"),
    "deeply nested": (b"[" * DEPTH + b"]" * DEPTH, "nested too deeply"),
    "path in a name": (_store({"../../evil": {"samples": [POINT]}}).encode(), "../../evil"),
}


def _handcue(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess:
    """``handcue ARGV`` with its config and data folders in ``tmp_path``."""
    return run_handcue(*argv, env=handcue_env(tmp_path))


def _digest(path: Path) -> str | None:
    if path.is_dir():
        return "folder:" + ",".join(sorted(p.name for p in path.iterdir()))
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _one_line(stderr: str, path: Path, words: str) -> str:
    lines = stderr.splitlines()
    assert "Traceback" not in stderr, stderr[-3000:]
    assert len(lines) == 1, lines
    assert str(path) in lines[0] and words in lines[0], lines[0][:500]
    assert len(lines[0]) < 1000, "the line repeats the file's contents"
    return lines[0]


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_bad_settings_file_on_validate_import_and_load(case: str, tmp_path: Path) -> None:
    text, words = BAD_SETTINGS[case]
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    before = _digest(bad)

    validate = _handcue(tmp_path, "config", "validate", str(bad))
    assert validate.returncode == 1
    problem, summary = validate.stderr.splitlines()  # the problem, then the count validate adds
    _one_line(problem, bad, words)
    assert summary == f"{bad}: 1 problem"

    imported = _handcue(tmp_path, "config", "import", str(bad))
    assert imported.returncode == 1
    assert "Traceback" not in imported.stderr
    assert not (tmp_path / "config" / "config.toml").exists()  # nothing was imported

    # the same file as the live settings: any command that loads them says it once and goes on
    live = tmp_path / "config" / "config.toml"
    live.parent.mkdir(exist_ok=True)
    live.write_text(text, encoding="utf-8")
    export = _handcue(tmp_path, "config", "export", "-")
    assert export.returncode == 0
    line = _one_line(export.stderr, live, words)
    assert "using the default settings, the file was left unchanged" in line
    assert _digest(bad) == before and _digest(live) == before


def test_a_long_type_text_is_located_in_well_under_a_second() -> None:
    """The position finder is linear: the 201 KB file (one 200,000-character inline value) is
    parsed, validated and its error located in under 1 s (it took over 120 s when quadratic)."""
    from pipeline.settings import parse_config_text

    start = time.perf_counter()
    cfg, problems = parse_config_text(
        LONG_TYPE, file=Path("long.toml"), known_gestures={"thumb_up", "i_love_you"}
    )
    elapsed = time.perf_counter() - start
    assert cfg is None and len(problems) == 1
    assert problems[0].startswith("long.toml, line 4: profiles.mine.mappings[0].action: ")
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_a_valid_file_is_never_scanned_for_positions(monkeypatch) -> None:
    """Positions are only worked out for an error: a valid file never runs the finder."""
    from pipeline.settings import AppConfig, locate, parse_config_text
    from pipeline.settings.store import builtin_gestures

    calls = []
    monkeypatch.setattr(locate.TomlLocator, "_parse", lambda self, text: calls.append(text))
    cfg, problems = parse_config_text(AppConfig().to_toml(), known_gestures=builtin_gestures())
    assert cfg is not None and problems == [] and calls == []


@pytest.mark.parametrize("case", list(BAD_STORES))
def test_bad_gesture_store(case: str, tmp_path: Path) -> None:
    content, words = BAD_STORES[case]
    store = tmp_path / "data" / "gestures.json"
    store.parent.mkdir(parents=True)
    if content is None:
        store.mkdir()
        (store / "inside.txt").write_text("kept")
    else:
        store.write_bytes(content)
    before = _digest(store)

    listed = _handcue(tmp_path, "gestures", "list")
    assert listed.returncode == 2
    _one_line(listed.stderr, store, words)

    removed = _handcue(tmp_path, "gestures", "remove", "wave")
    assert removed.returncode == 2
    _one_line(removed.stderr, store, words)
    assert _digest(store) == before


def test_a_bad_store_does_not_stop_a_run(tmp_path: Path) -> None:
    """``handcue run`` warns once (no traceback) and carries on with the built-in gestures."""
    store = tmp_path / "data" / "gestures.json"
    store.parent.mkdir(parents=True)
    store.write_bytes(BAD_STORES["truncated"][0] or b"")
    before = _digest(store)
    empty = tmp_path / "frames"
    empty.mkdir()
    import cv2
    import numpy as np

    cv2.imwrite(str(empty / "blank.png"), np.zeros((64, 64, 3), np.uint8))
    run = _handcue(tmp_path, "run", "--dry-run", "--model", "lite", "--source", str(empty))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    about_store = [line for line in run.stderr.splitlines() if str(store) in line]
    assert len(about_store) == 1 and "not valid JSON" in about_store[0]
    assert json.loads(run.stdout.splitlines()[-1])["type"] == "end"
    assert _digest(store) == before
