"""Start HandCue when the user logs in, minimised to the tray.

One writer per platform, each given the folder or registry it writes to, so tests run them
against a temporary folder or a fake registry:

- Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/handcue.desktop``
  (XDG Autostart specification);
- Windows: the ``HandCue`` value of ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``;
- macOS: ``~/Library/LaunchAgents/org.handcue.HandCue.plist`` with ``RunAtLoad``.

``autostart_for_platform()`` picks the writer for this machine. No Qt here: the ``handcue
autostart`` command and the Settings dialog both use this module, from the calling thread.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pipeline.errors import HandCueError
from pipeline.fileio import AtomicWriteError, atomic_write_bytes

APP_ID = "handcue"
MAC_LABEL = "org.handcue.HandCue"
WINDOWS_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
WINDOWS_VALUE = "HandCue"


def launch_command() -> list[str]:
    """The command that starts this HandCue minimised: the bundled executable when frozen (its
    windowed twin on Windows), else this interpreter running ``app.cli`` (``pythonw`` on Windows,
    so no console window opens)."""
    exe = Path(sys.executable)
    if getattr(sys, "frozen", False):
        windowed = exe.with_name("HandCue.exe")
        program = windowed if os.name == "nt" and windowed.is_file() else exe
        return [str(program), "gui", "--minimised"]
    if os.name == "nt" and exe.with_name("pythonw.exe").is_file():
        exe = exe.with_name("pythonw.exe")
    return [str(exe), "-m", "app.cli", "gui", "--minimised"]


def _fail(action: str, where: object, exc: OSError | AtomicWriteError) -> HandCueError:
    words = exc.reason if isinstance(exc, AtomicWriteError) else exc
    return HandCueError(f"could not {action} the start-at-login entry {where}: {words}", 4)


class Autostart(Protocol):
    """Turns start-at-login on or off for the current user."""

    def enable(self) -> None: ...
    def disable(self) -> None: ...
    def is_enabled(self) -> bool: ...
    def describe(self) -> str: ...  # where the entry lives, for messages


def desktop_exec_quote(arg: str) -> str:
    """One argument of a desktop entry's ``Exec`` key: quoted when needed, with the characters
    the Desktop Entry spec reserves inside quotes escaped (and ``%`` doubled)."""
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`="):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


class XdgAutostart:
    """``handcue.desktop`` in ``<config_home>/autostart`` (``$XDG_CONFIG_HOME`` or ~/.config)."""

    def __init__(self, command: Sequence[str], config_home: Path | None = None) -> None:
        if config_home is None:
            env = os.environ.get("XDG_CONFIG_HOME")
            config_home = Path(env) if env else Path.home() / ".config"
        self.command = list(command)
        self.path = config_home / "autostart" / f"{APP_ID}.desktop"

    def entry_text(self) -> str:
        exec_line = " ".join(desktop_exec_quote(a) for a in self.command)
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=HandCue\n"
            "Comment=Hand gesture control, started at login (minimised to the tray)\n"
            f"Exec={exec_line}\n"
            "Icon=handcue\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
        )

    def enable(self) -> None:
        try:
            atomic_write_bytes(self.path, self.entry_text().encode("utf-8"))
        except AtomicWriteError as exc:
            raise _fail("write", self.path, exc) from exc

    def disable(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise _fail("remove", self.path, exc) from exc

    def is_enabled(self) -> bool:
        # A file a desktop turned off (Hidden=true) does not start anything.
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return False
        return "\nHidden=true" not in text and "\nX-GNOME-Autostart-enabled=false" not in text

    def describe(self) -> str:
        return str(self.path)


class MacLaunchAgent:
    """A LaunchAgent plist in ``<agents_dir>`` (default ~/Library/LaunchAgents)."""

    def __init__(self, command: Sequence[str], agents_dir: Path | None = None) -> None:
        self.command = list(command)
        agents_dir = agents_dir or Path.home() / "Library" / "LaunchAgents"
        self.path = agents_dir / f"{MAC_LABEL}.plist"

    def plist(self) -> dict[str, object]:
        return {
            "Label": MAC_LABEL,
            "ProgramArguments": self.command,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }

    def enable(self) -> None:
        try:
            atomic_write_bytes(self.path, plistlib.dumps(self.plist()))
        except AtomicWriteError as exc:
            raise _fail("write", self.path, exc) from exc

    def disable(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise _fail("remove", self.path, exc) from exc

    def is_enabled(self) -> bool:
        try:
            data = plistlib.loads(self.path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return bool(data.get("RunAtLoad")) and not data.get("Disabled", False)

    def describe(self) -> str:
        return str(self.path)


class RunKeyStore(Protocol):
    """The per-user Run key, as string values by name (``winreg`` on Windows, a dict in tests)."""

    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class WinRegRunKey:
    """``HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`` via winreg."""

    def __init__(self) -> None:
        import winreg  # type: ignore[import-not-found, unused-ignore]

        self._winreg = winreg

    def get(self, name: str) -> str | None:
        reg = self._winreg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY) as key:
                value, _kind = reg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, name: str, value: str) -> None:
        reg = self._winreg
        with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.SetValueEx(key, name, 0, reg.REG_SZ, value)

    def delete(self, name: str) -> None:
        reg = self._winreg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


class WindowsRunKey:
    """The ``HandCue`` value of the per-user Run key: one command line, quoted for Windows."""

    def __init__(self, command: Sequence[str], store: RunKeyStore | None = None) -> None:
        self.command = list(command)
        self.store: RunKeyStore = store if store is not None else WinRegRunKey()

    def value(self) -> str:
        return subprocess.list2cmdline(self.command)

    def enable(self) -> None:
        try:
            self.store.set(WINDOWS_VALUE, self.value())
        except OSError as exc:
            raise _fail("write", self.describe(), exc) from exc

    def disable(self) -> None:
        try:
            self.store.delete(WINDOWS_VALUE)
        except OSError as exc:
            raise _fail("remove", self.describe(), exc) from exc

    def is_enabled(self) -> bool:
        try:
            return bool(self.store.get(WINDOWS_VALUE))
        except OSError:
            return False

    def describe(self) -> str:
        return f"HKEY_CURRENT_USER\\{WINDOWS_RUN_KEY}\\{WINDOWS_VALUE}"


def autostart_for_platform(platform: str | None = None) -> Autostart:
    """The writer for this machine (``platform`` as in ``sys.platform``, for tests)."""
    platform = platform or sys.platform
    command = launch_command()
    if platform == "win32":
        return WindowsRunKey(command)
    if platform == "darwin":
        return MacLaunchAgent(command)
    return XdgAutostart(command)
