"""Start at login: the XDG entry for real (``handcue autostart`` with ``XDG_CONFIG_HOME`` in a
temporary folder, and the command it holds really starts HandCue), the Windows Run key against a
fake registry, the macOS LaunchAgent in a temporary folder, and the Settings toggle."""

from __future__ import annotations

import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.desktop.autostart import (
    MAC_LABEL,
    MacLaunchAgent,
    WindowsRunKey,
    XdgAutostart,
    autostart_for_platform,
    desktop_exec_quote,
    launch_command,
)


def desktop_exec_split(value: str) -> list[str]:
    """Arguments of a desktop entry ``Exec`` value, read as the Desktop Entry spec says
    (inside double quotes a backslash escapes ``"``, `` ` ``, ``$`` and ``\\``; ``%%`` is %)."""
    args: list[str] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] == " ":
            i += 1
        if i >= n:
            break
        arg = ""
        if value[i] == '"':
            i += 1
            while value[i] != '"':
                if value[i] == "\\" and value[i + 1] in '"`$\\':
                    i += 1
                arg += value[i]
                i += 1
            i += 1
        else:
            while i < n and value[i] != " ":
                arg += value[i]
                i += 1
        args.append(arg.replace("%%", "%"))
    return args


def _desktop_keys(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG autostart is for Linux/BSD")
def test_cli_writes_and_removes_the_xdg_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    entry = tmp_path / "cfg" / "autostart" / "handcue.desktop"
    assert main(["autostart", "status"]) == 0
    assert "start at login: off" in capsys.readouterr().out

    assert main(["autostart", "on"]) == 0
    assert str(entry) in capsys.readouterr().out
    keys = _desktop_keys(entry)
    assert keys["Type"] == "Application" and keys["Name"] == "HandCue"
    argv = desktop_exec_split(keys["Exec"])
    assert argv == launch_command() and argv[-2:] == ["gui", "--minimised"]
    # The program the entry names is a HandCue that runs: same command, asking for the version.
    ran = subprocess.run([*argv[:-2], "--version"], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and ran.stdout.startswith("handcue "), ran.stderr
    assert main(["autostart", "status"]) == 0
    assert "start at login: on" in capsys.readouterr().out
    assert not list(entry.parent.glob(".*.tmp"))

    assert main(["autostart", "on"]) == 0  # twice is fine
    assert main(["autostart", "off"]) == 0
    assert not entry.exists()
    assert main(["autostart", "off"]) == 0  # already off is fine
    assert main(["autostart", "status"]) == 0
    assert "start at login: off" in capsys.readouterr().out.splitlines()[-1]


def test_entry_turned_off_by_the_desktop_counts_as_off(tmp_path: Path) -> None:
    entry = XdgAutostart(["handcue"], config_home=tmp_path)
    entry.enable()
    assert entry.is_enabled()
    entry.path.write_text(entry.path.read_text() + "Hidden=true\n")
    assert not entry.is_enabled()


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/usr/bin/handcue", "/usr/bin/handcue"),
        ("/home/a b/handcue", '"/home/a b/handcue"'),
        ('/opt/say "hi"/x', '"/opt/say \\"hi\\"/x"'),
        ("/opt/$HOME/x", '"/opt/\\$HOME/x"'),
        ("100%", "100%%"),
    ],
)
def test_desktop_exec_quoting(arg: str, quoted: str) -> None:
    assert desktop_exec_quote(arg) == quoted


def test_xdg_entry_with_awkward_path_round_trips(tmp_path: Path) -> None:
    command = ["/home/Ann Lee/My $apps/handcue", "gui", "--minimised"]
    entry = XdgAutostart(command, config_home=tmp_path)
    entry.enable()
    assert desktop_exec_split(_desktop_keys(entry.path)["Exec"]) == command


def test_unwritable_config_folder_is_a_clear_error(tmp_path: Path) -> None:
    from pipeline.errors import HandCueError

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    entry = XdgAutostart(["handcue"], config_home=blocker)
    with pytest.raises(HandCueError, match="could not write the start-at-login entry"):
        entry.enable()


class FakeRunKey:
    """The per-user Run key as a dict, failing like winreg where asked."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {"OneDrive": r"C:\OneDrive.exe /background"}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_windows_run_key() -> None:
    store = FakeRunKey()
    command = [r"C:\Program Files\HandCue\HandCue.exe", "gui", "--minimised"]
    entry = WindowsRunKey(command, store=store)
    assert not entry.is_enabled()
    entry.enable()
    assert store.values["HandCue"] == r'"C:\Program Files\HandCue\HandCue.exe" gui --minimised'
    assert entry.is_enabled()
    entry.disable()
    assert "HandCue" not in store.values and "OneDrive" in store.values  # others untouched
    entry.disable()
    assert "CurrentVersion\\Run\\HandCue" in entry.describe()


def test_mac_launch_agent(tmp_path: Path) -> None:
    command = ["/Applications/HandCue.app/Contents/MacOS/handcue", "gui", "--minimised"]
    entry = MacLaunchAgent(command, agents_dir=tmp_path / "LaunchAgents")
    assert not entry.is_enabled()
    entry.enable()
    data = plistlib.loads(entry.path.read_bytes())
    assert entry.path.name == f"{MAC_LABEL}.plist"
    assert data["Label"] == MAC_LABEL and data["ProgramArguments"] == command
    assert data["RunAtLoad"] is True
    assert entry.is_enabled()
    entry.disable()
    assert not entry.path.exists() and not entry.is_enabled()


def test_platform_choice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert isinstance(autostart_for_platform("linux"), XdgAutostart)
    assert isinstance(autostart_for_platform("darwin"), MacLaunchAgent)
    if sys.platform != "win32":  # the real Run key needs winreg
        with pytest.raises(ImportError):
            autostart_for_platform("win32")
