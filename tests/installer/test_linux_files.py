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


# ----------------------------------------------------------------------------- uinput (issue 37)


def _rule_pairs(line: str) -> list[tuple[str, str, str]]:
    """``KEY=="v", KEY+="v"`` -> [(KEY, op, v), ...] (udev's rule syntax, enough for ours)."""
    import re

    pairs = re.findall(r'\s*([A-Z_{}]+)\s*(==|!=|\+=|:=|=)\s*"([^"]*)"\s*(?:,|$)', line)
    assert ", ".join(f'{k}{op}"{v}"' for k, op, v in pairs) == line.strip(), line
    return pairs


def test_uinput_udev_rule_gives_the_seat_user_access() -> None:
    """One rule: the uinput node gets the ``uaccess`` tag (logind's ACL for the user at the
    seat), also as a static node; its number sorts before 73-seat-late.rules, which applies
    the tag. The app's help message quotes the same line."""
    from app.desktop.uinput import UDEV_RULE, UDEV_RULE_FILE

    path = LINUX / UDEV_RULE_FILE
    rules = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert rules == [UDEV_RULE]
    assert _rule_pairs(rules[0]) == [
        ("KERNEL", "==", "uinput"), ("SUBSYSTEM", "==", "misc"),
        ("TAG", "+=", "uaccess"), ("OPTIONS", "+=", "static_node=uinput"),
    ]  # fmt: skip
    assert int(UDEV_RULE_FILE.split("-")[0]) < 73
    modules = (LINUX / "handcue-uinput.conf").read_text().splitlines()
    assert [ln for ln in modules if ln and not ln.startswith("#")] == ["uinput"]


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed")
def test_deb_packages_the_uinput_rule_module_and_scripts(tmp_path: Path) -> None:
    """What installer/build.sh puts in the .deb tree for uinput lands at the system paths,
    with the maintainer scripts, in a package dpkg-deb builds and lists."""
    root = tmp_path / "deb"
    done = subprocess.run(["sh", str(LINUX / "deb-system-files.sh"), str(root)],
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (root / "DEBIAN" / "control").write_text(
        "Package: handcue-test\nVersion: 0.0.1\nArchitecture: all\n"
        "Maintainer: test <t@localhost>\nDescription: test\n"
    )
    deb = tmp_path / "t.deb"
    built = subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert built.returncode == 0, built.stderr
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    rule_line = next(ln for ln in listing.splitlines() if "70-handcue-uinput.rules" in ln)
    assert rule_line.startswith("-rw-r--r-- root/root")
    assert rule_line.endswith("./usr/lib/udev/rules.d/70-handcue-uinput.rules")
    assert "./usr/lib/modules-load.d/handcue-uinput.conf" in listing
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "postinst" in info and "postrm" in info
    # build.sh stages these in its .deb tree before it builds the package
    build = (ROOT / "installer" / "build.sh").read_text()
    staged = build.index('sh installer/linux/deb-system-files.sh "$DEBROOT"')
    assert build.index('mkdir -p "$DEBROOT/DEBIAN"') < staged < build.index("dpkg-deb ")


def _stub_tools(folder: Path, log: Path, status: int) -> None:
    folder.mkdir()
    for tool in ("modprobe", "udevadm"):
        stub = folder / tool
        stub.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\nexit {status}\n')
        stub.chmod(0o755)


@pytest.mark.parametrize("status", [0, 1])
def test_postinst_loads_the_module_and_applies_the_rule_now(tmp_path: Path, status: int) -> None:
    """At install: modprobe uinput, reload the rules, trigger the uinput node (its ACL is set
    at once, no re-login); tools that fail do not fail the install."""
    log = tmp_path / "calls.txt"
    _stub_tools(tmp_path / "bin", log, status)
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"}
    done = subprocess.run(["sh", str(LINUX / "postinst"), "configure", ""], env=env,
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == [
        "modprobe uinput",
        "udevadm control --reload-rules",
        "udevadm trigger --action=change --subsystem-match=misc --sysname-match=uinput",
    ]
    log.unlink()
    removed = subprocess.run(["sh", str(LINUX / "postrm"), "remove"], env=env,
                             capture_output=True, text=True, timeout=30)  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert log.read_text().splitlines()[0] == "udevadm control --reload-rules"


def test_maintainer_scripts_without_modprobe_or_udev(tmp_path: Path) -> None:
    """A system (or container) without the tools: the scripts do nothing and succeed."""
    empty = tmp_path / "bin"
    empty.mkdir()
    for name in ("sh", "true"):
        target = shutil.which(name)
        assert target is not None
        (empty / name).symlink_to(target)
    for script, arg in (("postinst", "configure"), ("postrm", "purge")):
        done = subprocess.run([str(empty / "sh"), str(LINUX / script), arg],
                              env={"PATH": str(empty)}, capture_output=True, text=True,
                              timeout=30)  # fmt: skip
        assert done.returncode == 0, (script, done.stderr)
