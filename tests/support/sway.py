"""A headless sway for tests: a real wlroots compositor without a screen, and native Wayland
receivers in it.

sway refuses to run as root, so it runs as an unprivileged user made for the tests
(:data:`USER`, created with ``useradd`` when missing) with its own ``XDG_RUNTIME_DIR`` (mode
700). The tests themselves (and HandCue) run as root and reach the compositor through that
folder's socket (root may connect to it). ``WLR_BACKENDS=headless WLR_RENDERER=pixman
WLR_LIBINPUT_NO_DEVICES=1``: no GPU, no input devices but the ones clients create.

Receivers: :meth:`Sway.foot_recorder` starts ``foot`` running ``stty raw -echo; cat > FILE``
(every byte the terminal receives, as typed: ``ctrl+z`` is 0x1A, a stuck key repeats);
``swaymsg`` reads the focus (:meth:`Sway.focused`).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from tests.support.waiting import poll

USER = "handcue-sway"
NEEDED = ("sway", "swaymsg", "foot", "useradd")


def missing_programs() -> list[str]:
    """The programs these tests need that are not installed (empty when all are)."""
    return [name for name in NEEDED if shutil.which(name) is None]


def can_run() -> str | None:
    """Why headless sway cannot run here (None when it can): missing programs, or not root
    (the harness creates a user and switches to it)."""
    missing = missing_programs()
    if missing:
        return f"{', '.join(missing)} not installed (apt sway foot; passwd)"
    if os.geteuid() != 0:
        return "the headless sway harness runs as root (it starts sway as a user it creates)"
    return None


def ensure_user(name: str = USER) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-m", name], check=True, timeout=60)
        return pwd.getpwnam(name)


class Sway:
    """One headless sway (``layout``: the xkb layout of its configuration). Use as a context
    manager or call :meth:`start` / :meth:`stop`."""

    def __init__(self, layout: str = "us", extra_config: Sequence[str] = ()) -> None:
        self.layout = layout
        self.extra_config = list(extra_config)
        self.user = ensure_user()
        self.dir = Path(tempfile.mkdtemp(prefix="handcue-sway-"))
        os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        os.chmod(self.dir, 0o700)
        self.files = self.dir / "files"  # where receivers write (the user may write here)
        self.files.mkdir()
        os.chown(self.files, self.user.pw_uid, self.user.pw_gid)
        self._procs: list[subprocess.Popen[bytes]] = []
        self._sway: subprocess.Popen[bytes] | None = None
        self.log = self.dir / "sway.log"

    # ----------------------------------------------------------------- life

    def __enter__(self) -> Sway:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> None:
        config = self.dir / "config"
        config.write_text(
            "\n".join(
                [
                    "output HEADLESS-1 resolution 1280x720 position 0 0",
                    f"input type:keyboard xkb_layout {self.layout}",
                    "default_border none",
                    "default_floating_border none",
                    "focus_follows_mouse no",
                    "seat * hide_cursor 0",
                    *self.extra_config,
                    "",
                ]
            )
        )
        log = open(self.log, "wb")  # noqa: SIM115 - closed in stop() by the process ending
        self._sway = self._popen_as_user(["sway", "-c", str(config)], stdout=log)
        log.close()
        up = lambda: (self.dir / "wayland-1").exists() and self._ipc_socket() is not None  # noqa: E731
        if not poll(up, timeout):
            tail = self.log.read_text(errors="replace")[-3000:]
            self.stop()
            raise RuntimeError(
                f"headless sway did not start within {timeout:g} s; its log:\n{tail}"
            )

    def stop(self) -> None:
        for proc in [*self._procs, *([self._sway] if self._sway else [])]:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)
        self._procs.clear()
        self._sway = None
        shutil.rmtree(self.dir, ignore_errors=True)

    # ----------------------------------------------------------------- environment

    def _ipc_socket(self) -> str | None:
        found = sorted(self.dir.glob("sway-ipc.*.sock"))
        return str(found[0]) if found else None

    @property
    def env(self) -> dict[str, str]:
        """This process's environment pointed at this sway (for HandCue and its tests, run
        as root): a Wayland session without an X display."""
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(
            XDG_RUNTIME_DIR=str(self.dir),
            WAYLAND_DISPLAY="wayland-1",
            XDG_SESSION_TYPE="wayland",
            XDG_CURRENT_DESKTOP="sway",
            SWAYSOCK=self._ipc_socket() or "",
        )
        return env

    def _popen_as_user(self, argv: Sequence[str], stdout: Any) -> subprocess.Popen[bytes]:
        """``argv`` as the harness's user, with a clean environment, in a process group of its
        own. The switch is Popen's own (setgid/setgroups/setuid in the child), not runuser:
        runuser waits 2 s after forwarding SIGTERM, which made every stop take 2 s."""
        return subprocess.Popen(
            list(argv),
            env={
                "HOME": self.user.pw_dir,
                "USER": self.user.pw_name,
                "LOGNAME": self.user.pw_name,
                "XDG_RUNTIME_DIR": str(self.dir),
                "PATH": "/usr/bin:/bin",
                "WLR_BACKENDS": "headless",
                "WLR_RENDERER": "pixman",
                "WLR_LIBINPUT_NO_DEVICES": "1",
                "WAYLAND_DISPLAY": "wayland-1",
                "LANG": "C.UTF-8",
            },
            cwd=self.user.pw_dir,
            user=self.user.pw_uid,
            group=self.user.pw_gid,
            extra_groups=[],
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_as_user(self, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        """A client of this sway, run as its user (killed by :meth:`stop`)."""
        proc = self._popen_as_user(argv, stdout=subprocess.DEVNULL)
        self._procs.append(proc)
        return proc

    def start_as_root(self, argv: Sequence[str], **env: str) -> subprocess.Popen[bytes]:
        """A client of this sway run as root (e.g. a Qt window with this checkout's Python)."""
        proc = subprocess.Popen(
            list(argv),
            env={**self.env, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._procs.append(proc)
        return proc

    # ----------------------------------------------------------------- IPC

    def msg(self, *args: str) -> Any:
        """``swaymsg -r ARGS`` as JSON."""
        out = subprocess.run(
            ["swaymsg", "-s", self._ipc_socket() or "", "-r", *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return json.loads(out.stdout) if out.stdout.strip() else None

    def windows(self) -> list[dict[str, Any]]:
        """Every window (a node with an ``app_id`` or X11 class) of the tree."""
        found: list[dict[str, Any]] = []

        def walk(node: dict[str, Any]) -> None:
            if node.get("pid") and node.get("type") in ("con", "floating_con"):
                found.append(node)
            for child in node.get("nodes", []) + node.get("floating_nodes", []):
                walk(child)

        walk(self.msg("-t", "get_tree"))
        return found

    def focused(self) -> dict[str, Any] | None:
        return next((w for w in self.windows() if w.get("focused")), None)

    def wait_for_window(self, app_id: str, timeout: float = 60.0) -> dict[str, Any]:
        _wait(
            lambda: any(w.get("app_id") == app_id for w in self.windows()),
            timeout,
            f"a window with app_id {app_id!r} in sway",
        )
        return next(w for w in self.windows() if w.get("app_id") == app_id)

    def focus(self, app_id: str, timeout: float = 30.0) -> None:
        self.msg(f"[app_id={app_id}] focus")
        _wait(
            lambda: (self.focused() or {}).get("app_id") == app_id,
            timeout,
            f"sway to focus {app_id!r}",
        )

    # ----------------------------------------------------------------- receivers

    def foot_recorder(self, name: str, timeout: float = 60.0) -> Path:
        """A ``foot`` terminal (app id ``name``) that writes every byte it receives to the
        returned file, focused. Waits until it runs."""
        out = self.files / f"{name}.bytes"
        ready = self.files / f"{name}.ready"
        script = f"stty raw -echo; touch {ready}; exec cat > {out}"
        self.start_as_user(["foot", "--app-id", name, "sh", "-c", script])
        _wait(ready.exists, timeout, f"foot ({name}) to start")
        self.wait_for_window(name, timeout)
        self.focus(name)
        return out


def _wait(predicate: Callable[[], object], timeout: float, what: str) -> None:
    if not poll(predicate, timeout):
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def received(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


@contextlib.contextmanager
def headless_sway(layout: str = "us", extra_config: Sequence[str] = ()) -> Iterator[Sway]:
    sway = Sway(layout, extra_config)
    try:
        sway.start()
        yield sway
    finally:
        sway.stop()


def settle(seconds: float) -> None:
    """Sleep (only to prove that nothing *more* arrives: a negative check)."""
    time.sleep(seconds)
