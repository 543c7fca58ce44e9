"""The Linux packaging files that need no build: the tarball's per-user installer script and the
menu entry it writes (the bundle itself is replaced by a small stand-in program)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

LINUX = ROOT / "installer" / "linux"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Linux packaging")


def _desktop_keys(text: str) -> dict[str, str]:
    lines = text.splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))


def test_menu_entry_template() -> None:
    keys = _desktop_keys((LINUX / "handcue.desktop").read_text())
    assert keys["Type"] == "Application" and keys["Exec"] == "handcue gui"
    assert keys["Icon"] == "handcue" and keys["Terminal"] == "false"
    assert keys["Categories"].endswith(";")


def test_install_user_script_installs_and_removes(tmp_path: Path) -> None:
    unpacked = tmp_path / "Apps and Tools" / "handcue-0.1.0"  # a folder name with spaces
    (unpacked / "handcue").mkdir(parents=True)
    program = unpacked / "handcue" / "handcue"
    program.write_text("#!/bin/sh\necho 'handcue 0.1.0'\n")
    program.chmod(0o755)
    shutil.copy(LINUX / "handcue.desktop", unpacked)
    shutil.copy(ROOT / "resources" / "icons" / "hand.svg", unpacked / "handcue.svg")
    shutil.copy(LINUX / "install-user.sh", unpacked)
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}

    done = subprocess.run(["sh", str(unpacked / "install-user.sh")], env=env,
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stderr
    launcher = home / ".local" / "bin" / "handcue"
    entry = home / ".local" / "share" / "applications" / "handcue.desktop"
    icon = home / ".local" / "share" / "icons" / "hicolor" / "scalable" / "apps" / "handcue.svg"
    assert launcher.resolve() == program.resolve() and icon.is_file()
    keys = _desktop_keys(entry.read_text())
    assert keys["Exec"] == f'"{program}" gui'
    ran = subprocess.run([str(launcher), "--version"], capture_output=True, text=True)
    assert ran.stdout.strip() == "handcue 0.1.0"

    removed = subprocess.run(["sh", str(unpacked / "install-user.sh"), "--remove"], env=env,
                             capture_output=True, text=True, timeout=30)  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert not launcher.exists() and not entry.exists() and not icon.exists()
    assert program.is_file()  # the unpacked folder is the user's to delete
