"""`handcue config validate` lists every problem at once, including a check across settings
that a first validation cannot reach while another setting of the same table is wrong."""

from __future__ import annotations

from pathlib import Path

from tests.support.commands import handcue_env, run_handcue


def test_a_cross_check_is_reported_beside_a_bad_key(tmp_path: Path) -> None:
    settings = tmp_path / "two.toml"
    settings.write_text("[pointer]\npinch_on = 0.5\npinch_off = 0.2\nfoo = 1\n", "utf-8")
    done = run_handcue("config", "validate", str(settings), env=handcue_env(tmp_path))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert any("line 4: pointer.foo: unknown setting" in line for line in lines), lines
    assert any("pinch_off (0.2) must be larger than pinch_on (0.5)" in line for line in lines)
    assert lines[-1].endswith(": 2 problems")
    assert "Traceback" not in done.stderr
