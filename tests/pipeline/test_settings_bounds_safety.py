"""Issue 38, case 13: a settings file no settings file resembles (a header ``[a.a.a....]`` of
100,000 parts, 200 kB) is refused before the TOML parser sees it, in well under a second, with
one line naming the file and the limit; every reader (``parse_config_text``,
``read_config_file``, ``load_config``) goes through the same bound. Before, validating it took
51 s (tomllib is quadratic in the parts of one key).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.settings import AppConfig, load_config, parse_config_text, read_config_file
from pipeline.settings.bounds import MAX_DEPTH, MAX_KEYS, text_limit_problem
from pipeline.settings.schema import MAX_FILE_BYTES, Binding, Profile, RuleMatch
from pipeline.settings.store import builtin_gestures
from pipeline.settings.switching import Rule, SwitchingSettings
from tests.support import ROOT

KNOWN = {"thumb_up", "i_love_you", "open_palm", "swipe_left"}
HEADER_100K = "[" + ".".join(["a"] * 100_000) + "]\n"  # 200 kB

# name -> (text, words the one line must hold)
HUGE = {
    "a header of 100,000 parts": (HEADER_100K, f"more than {MAX_DEPTH} levels"),
    "a dotted key of 100,000 parts": (
        "x = 1\n" + ".".join(["a"] * 100_000) + " = 1\n",
        f"more than {MAX_DEPTH} levels",
    ),
    "headers of 60,000 tables": (
        "".join(f"[t{i}]\n" for i in range(60_000)),
        f"more than {MAX_KEYS:,} entries",
    ),
    "60,000 keys": (
        "".join(f"k{i} = 1\n" for i in range(60_000)),
        f"more than {MAX_KEYS:,} entries",
    ),
    "a list of 500,000 numbers": (
        "x = [" + ",".join("1" for _ in range(500_000)) + "]\n",
        f"more than {MAX_KEYS:,} entries",
    ),
    "an inline table of 60,000 keys": (
        "x = {" + ", ".join(f"k{i} = 1" for i in range(60_000)) + "}\n",
        f"more than {MAX_KEYS:,} entries",
    ),
}


@pytest.mark.parametrize("case", list(HUGE))
def test_a_huge_settings_text_is_refused_in_well_under_a_second(case: str) -> None:
    text, words = HUGE[case]
    start = time.perf_counter()
    cfg, problems = parse_config_text(text, file=Path("huge.toml"), known_gestures=KNOWN)
    elapsed = time.perf_counter() - start
    assert cfg is None
    assert len(problems) == 1, problems[:3]
    assert problems[0].startswith("huge.toml, line ") and words in problems[0], problems[0]
    assert "not read" in problems[0] and len(problems[0]) < 300
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_the_line_names_where_the_limit_was_passed() -> None:
    text = '# mine\nactive_profile = "slides"\n\n' + HEADER_100K
    _, problems = parse_config_text(text, file=Path("c.toml"), known_gestures=KNOWN)
    assert problems[0].startswith("c.toml, line 4: keys, arrays or tables nested too deeply")


def test_the_file_readers_and_the_loader_are_bounded_too(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HEADER_100K, encoding="utf-8")
    before = path.read_bytes()
    start = time.perf_counter()
    read, read_problems = read_config_file(path, known_gestures=KNOWN)
    loaded, load_problems = load_config(path, known_gestures=KNOWN)
    elapsed = time.perf_counter() - start
    assert read is None and len(read_problems) == 1 and str(path) in read_problems[0]
    assert loaded == AppConfig() and len(load_problems) == 1
    assert f"more than {MAX_DEPTH} levels" in load_problems[0]
    assert "using the default settings, the file was left unchanged" in load_problems[0]
    assert path.read_bytes() == before
    assert elapsed < 2.0, f"{elapsed:.2f} s"


def test_text_over_the_size_limit_is_refused_without_parsing() -> None:
    text = "# " + "x" * MAX_FILE_BYTES + "\n"
    cfg, problems = parse_config_text(text, file=Path("big.toml"), known_gestures=KNOWN)
    assert cfg is None and len(problems) == 1
    assert f"the limit is {MAX_FILE_BYTES:,} bytes" in problems[0]


def test_a_file_that_is_not_a_regular_file_is_not_read_forever() -> None:
    """A device such as /dev/zero reports size 0 and never ends: it is refused, not read. Run
    in a child process with a memory cap: reading it whole would exhaust the machine."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))\n"
        "from pathlib import Path\n"
        "from pipeline.settings import read_config_file\n"
        "cfg, problems = read_config_file(Path('/dev/zero'), known_gestures=set())\n"
        "print(cfg is None, problems)\n"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.startswith("True ['/dev/zero: "), done.stdout
    assert time.perf_counter() - start < 10.0


def _largest_usual_config() -> AppConfig:
    """Many profiles with many mappings, rules and every table: nothing the limits refuse."""
    bindings = tuple(
        Binding(gesture="thumb_up", action=f"type:{'x.' * 20}", hold_ms=i) for i in range(100)
    )
    profiles = {f"p{i}": Profile(description="a. b. [c] {d}", mappings=bindings) for i in range(6)}
    rules = tuple(
        Rule(match=RuleMatch(app=f"app{i}", title=f"*[Tt]itle {i}*"), profile="p1")
        for i in range(200)
    )
    return AppConfig(profiles=profiles, switching=SwitchingSettings(rules=rules))


def test_valid_files_are_far_inside_the_limits() -> None:
    cfg = _largest_usual_config()
    text = cfg.to_toml()
    assert text_limit_problem(text) is None
    parsed, problems = parse_config_text(text, known_gestures=builtin_gestures())
    assert parsed == cfg and problems == []


@pytest.mark.parametrize(
    "text",
    [
        '[[profiles.mine.mappings]]\ngesture = "thumb_up"\naction = "key:a"\n',
        '[[switching.rules]]\nmatch.app = "vlc"\nprofile = "media"\n',
        'switching.rules = [{ match = { app = "vlc" }, profile = "media" }]\n',
        "pointer = { active_area = { x0 = 0.1 } }\n",
        'a = """\n[' + ".".join(["a"] * 200) + ']\n"""\n',  # a string is text, not keys
        "a = '''\n" + "[" * 200 + "\n'''\n",
        'a = "' + "{" * 200 + '"  # ' + "[" * 200 + "\n",
    ],
)
def test_strings_comments_and_usual_layouts_are_not_counted_as_nesting(text: str) -> None:
    assert text_limit_problem(text) is None
