"""The settings file as a running app holds it: nothing the user saved, imported or typed is
written over.

:class:`SettingsFile` remembers what the file held when the app last read or wrote it (a
SHA-256 of its bytes) and the settings it took from it (the *base*). Every write first reads
the file again (:meth:`SettingsFile.sync`):

- unchanged: the app's settings are written (atomically, :mod:`pipeline.fileio`);
- changed outside the app (``handcue config import``, an editor): the file is read again and
  the app's own changes since the base are merged into it, setting by setting
  (:func:`merge_settings`); where both changed the same setting the file's value stays and
  the app's whole version is kept beside it as ``config.toml.conflict-<time>``
  (:data:`SyncResult.conflict_file`), for the app to say so;
- not valid (a typo): nothing is written over it unless the caller says the user asked
  (``replace_invalid``); the app goes on with the file's valid part
  (:mod:`pipeline.settings.salvage`) and its own changes are held back in memory.

The app calls :meth:`SettingsFile.sync` with its current settings also when it sees the file
change (a file watcher), which reads an outside change without writing anything. Not
thread-safe: one thread (the GUI's) owns a SettingsFile. Qt-free.
"""

from __future__ import annotations

import hashlib
import logging
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.errors import HandCueError
from pipeline.fileio import AtomicWriteError, atomic_write_text
from pipeline.settings.bounds import size_limit_problem
from pipeline.settings.locate import format_loc
from pipeline.settings.salvage import LeftOut, Salvaged, salvage_text
from pipeline.settings.schema import AppConfig
from pipeline.settings.store import (
    config_path,
    default_known_gestures,
    kept_beside,
    parse_config_text,
    read_config_file,
    write_settings_text,
)

log = logging.getLogger(__name__)

_MISSING = "missing"


@dataclass(frozen=True)
class SettingsFault:
    """The settings file at ``path`` does not validate. ``problems``: every message, as
    ``handcue config validate`` prints them; ``salvaged``: its valid part and what was left
    out, or None when no part can be told apart (not TOML, unreadable, too large)."""

    path: Path
    problems: tuple[str, ...]
    salvaged: Salvaged | None

    @property
    def left_out(self) -> tuple[LeftOut, ...]:
        return self.salvaged.left_out if self.salvaged is not None else ()


@dataclass(frozen=True)
class SyncResult:
    """What :class:`SettingsFile` found and did.

    ``config``: the settings the app uses now (the file's, with the app's changes merged in).
    ``outside``: the file had changed since the app last read or wrote it, and was read.
    ``wrote``: the file was written. ``held_back``: the app has changes the file does not
    have, because it does not validate and was not written over. ``fault``: it does not
    validate. ``conflicts``: settings (key paths: ``("active_profile",)``) both
    the app and the outside change changed: the file's value was kept, and the app's version
    of the whole file was written to ``conflict_file``. ``kept_invalid``: where the invalid
    file was kept when it was replaced. ``restored_from``: the backup put back. ``warnings``:
    problems that do not stop the file (a mapping on an unknown gesture), when it was read."""

    config: AppConfig
    outside: bool = False
    wrote: bool = False
    held_back: bool = False
    fault: SettingsFault | None = None
    conflicts: tuple[tuple, ...] = ()
    conflict_file: Path | None = None
    kept_invalid: Path | None = None
    restored_from: Path | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Snapshot:
    digest: str
    text: str | None = None  # None: missing, or unreadable (then ``problem``)
    problem: str | None = None


@dataclass
class _State:
    digest: str | None = None  # None: never read
    base: AppConfig = field(default_factory=AppConfig)
    fault: SettingsFault | None = None


def merge_settings(
    base: AppConfig, mine: AppConfig, theirs: AppConfig
) -> tuple[AppConfig, tuple[tuple, ...]]:
    """``theirs`` with the changes ``mine`` made to ``base``, setting by setting (tables are
    merged key by key, a profile's mappings or the rules list as one setting), and the
    settings both changed differently (key paths): those keep ``theirs``. When the merge
    does not validate (the app's rule names a profile the other side removed) the result is
    ``theirs`` and every setting the app changed is a conflict."""
    b, m, t = (c.model_dump(mode="json") for c in (base, mine, theirs))
    conflicts: list[tuple] = []
    merged = _merge(b, m, t, (), conflicts)
    try:
        return AppConfig.model_validate(merged), tuple(conflicts)
    except ValidationError:
        changed: list[tuple] = []
        _merge(b, m, b, (), changed, record_all=True)
        return theirs, tuple(changed) or ((),)


_ABSENT = object()


def _merge(b: Any, m: Any, t: Any, path: tuple, conflicts: list[tuple],
           *, record_all: bool = False) -> Any:  # fmt: skip
    if m == b:
        return t
    if t in (b, m) and not record_all:
        return m
    if all(isinstance(x, dict) for x in (b, m, t)):
        out = {}
        for key in [*t, *(k for k in m if k not in t)]:
            value = _merge(b.get(key, _ABSENT), m.get(key, _ABSENT), t.get(key, _ABSENT),
                           (*path, key), conflicts, record_all=record_all)  # fmt: skip
            if value is not _ABSENT:
                out[key] = value
        return out
    conflicts.append(path)
    return t


class SettingsFile:
    """The settings file at ``path`` (the user's by default) as the running app reads and
    writes it; see the module's text. ``known_gestures`` gives the gesture ids the warnings
    are checked against (built-in plus recorded by default). GUI thread."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        known_gestures: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.path = config_path() if path is None else Path(path)
        self._known = known_gestures or default_known_gestures
        self._state = _State()

    @property
    def fault(self) -> SettingsFault | None:
        """The file's problem as last read (None: it validates, or there is none)."""
        return self._state.fault

    @property
    def base(self) -> AppConfig:
        """The settings taken from the file when it was last read or written."""
        return self._state.base

    # ------------------------------------------------------------------ reading
    def _read(self) -> _Snapshot:
        path = self.path
        try:
            if not path.exists() and not path.is_symlink():
                return _Snapshot(_MISSING)
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
                why = f"{path}: {kind}, not a settings file"
                return _Snapshot(f"odd:{info.st_mode}", problem=why)
            limit = size_limit_problem(info.st_size)
            if limit is not None:
                return _Snapshot(f"big:{info.st_size}:{info.st_mtime_ns}",
                                 problem=limit.message(str(path)))  # fmt: skip
            data = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return _Snapshot(f"error:{reason}", problem=f"{path}: cannot read: {reason}")
        digest = hashlib.sha256(data).hexdigest()
        try:
            return _Snapshot(digest, text=data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            return _Snapshot(digest, problem=f"{path}: not UTF-8 text (byte {exc.start})")

    def _interpret(
        self, snap: _Snapshot
    ) -> tuple[AppConfig, SettingsFault | None, tuple[str, ...]]:
        """The settings a snapshot gives, its fault and its warnings."""
        if snap.problem is not None:
            return AppConfig(), SettingsFault(self.path, (snap.problem,), None), ()
        if snap.text is None:
            return AppConfig(), None, ()
        cfg, problems = parse_config_text(snap.text, file=self.path,
                                          known_gestures=self._known())  # fmt: skip
        if cfg is not None:
            return cfg, None, tuple(problems)
        salvaged = salvage_text(snap.text, file=self.path)
        fault = SettingsFault(self.path, tuple(problems), salvaged)
        return (salvaged.config if salvaged is not None else AppConfig()), fault, ()

    def load(self) -> SyncResult:
        """Read the file (at start): its settings, or its valid part and the fault."""
        snap = self._read()
        cfg, fault, warnings = self._interpret(snap)
        self._state = _State(snap.digest, cfg, fault)
        return SyncResult(config=cfg, fault=fault, warnings=warnings)

    # ------------------------------------------------------------------ writing
    def sync(self, mine: AppConfig, *, replace_invalid: bool = False,
             earlier: tuple[AppConfig, tuple[tuple, ...]] | None = None) -> SyncResult:  # fmt: skip
        """Bring the file and the app's settings ``mine`` together (see the module's text):
        read an outside change and merge ``mine``'s changes into it, write what the app
        changed, never write over an invalid file unless ``replace_invalid`` (the user said
        so: the file is kept as ``config.toml.invalid-<time>``). ``earlier``: a version and
        the settings where the caller's own merge kept another value (an edit made in a
        dialog against settings that changed meanwhile): that version is kept beside the
        file too. Raises :class:`HandCueError` when a file cannot be written; the file and
        this object's memory of it are then as they were."""
        before = self._state
        snap = self._read()
        outside = snap.digest != before.digest
        if outside:
            theirs, fault, warnings = self._interpret(snap)
            log.info("settings file %s changed outside HandCue: read again", self.path)
            if fault is not None and fault.salvaged is None:
                theirs = before.base  # nothing to tell apart: go on with what the app had
        else:
            theirs, fault, warnings = before.base, before.fault, ()
        merged, conflicts = merge_settings(before.base, mine, theirs)
        kept_version = mine
        if earlier is not None:
            kept_version = earlier[0]
            conflicts = tuple(dict.fromkeys(earlier[1] + conflicts))
        conflict_file = self._keep_beside(kept_version, conflicts) if conflicts else None
        self._state = _State(snap.digest, theirs, fault)
        result = SyncResult(config=merged, outside=outside, fault=fault, conflicts=conflicts,
                            conflict_file=conflict_file, warnings=warnings)  # fmt: skip
        if fault is not None and not replace_invalid:
            return replace(result, held_back=merged != theirs)
        if fault is None and merged == theirs:
            return result  # nothing of the app's to write: the file stays as it is
        text = merged.to_toml()
        try:
            written = write_settings_text(text, self.path)
        except HandCueError:
            self._state = before
            raise
        self._state = _State(_digest_of(text), merged, None)
        return replace(result, wrote=True, fault=None, kept_invalid=written.kept_invalid)

    def _keep_beside(self, version: AppConfig, conflicts: tuple[tuple, ...]) -> Path:
        keep = kept_beside(self.path, "conflict")
        note = ", ".join(format_loc(c) for c in conflicts if c) or "the settings"
        header = (f"# HandCue's own version of {self.path.name}: the file was changed outside "
                  f"HandCue while the app changed the same settings ({note}).\n"
                  "# The file kept its values; these are the app's. To use them: handcue "
                  f"config import {keep}\n")  # fmt: skip
        try:
            atomic_write_text(keep, header + version.to_toml())
        except AtomicWriteError as exc:
            raise HandCueError(f"cannot keep the app's settings beside {self.path}: "
                               f"{exc.reason}; nothing was saved") from None  # fmt: skip
        log.warning("settings changed in two places: the app's version was kept as %s", keep)
        return keep

    # ------------------------------------------------------------------ the backup
    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    def backup(self) -> AppConfig | None:
        """The settings in ``config.toml.bak`` when it is there and valid."""
        if not self.backup_path.is_file():
            return None
        cfg, _ = read_config_file(self.backup_path, known_gestures=self._known())
        return cfg

    def restore_backup(self) -> SyncResult:
        """Put ``config.toml.bak`` back as the settings file, verbatim (the file it replaces
        is kept: as ``.invalid-<time>`` when it does not validate, else as the new ``.bak``).
        Raises :class:`HandCueError` when there is no usable backup or it cannot be written."""
        backup = self.backup_path
        cfg = self.backup()
        if cfg is None:
            raise HandCueError(f"there is no usable backup of the settings file ({backup})")
        try:
            text = backup.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise HandCueError(f"cannot read {backup}: {exc}") from None
        written = write_settings_text(text, self.path)
        self._state = _State(_digest_of(text), cfg, None)
        return SyncResult(config=cfg, wrote=True, kept_invalid=written.kept_invalid,
                          restored_from=backup)  # fmt: skip


def _digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
