"""``handcue config``: where the settings file is, check it, export it, import one.

Exit codes: 0 fine, 1 the file has problems (they are listed), 2 usage or I/O errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="settings file: path, validate, export, import")
    actions = p.add_subparsers(dest="config_command", metavar="ACTION")
    actions.required = True

    path = actions.add_parser("path", help="print where the settings file is")
    path.set_defaults(func=cmd_path)

    validate = actions.add_parser(
        "validate", help="check a settings file (default: yours); lists every problem"
    )
    validate.add_argument("file", nargs="?", type=Path, metavar="FILE")
    validate.set_defaults(func=cmd_validate)

    export = actions.add_parser(
        "export", help="write the settings in use to FILE ('-' for the terminal)"
    )
    export.add_argument("file", metavar="FILE")
    export.set_defaults(func=cmd_export)

    imp = actions.add_parser(
        "import", help="check FILE and make it your settings (the old file is kept as .bak)"
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(func=cmd_import)


def cmd_path(args: argparse.Namespace) -> int:
    from pipeline.settings import config_path

    print(config_path())
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pipeline.fileio import nothing_at, require_file
    from pipeline.settings import config_path, read_config_file

    path = args.file if args.file is not None else config_path()
    if args.file is None and nothing_at(path):
        print(f"{path}: no settings file yet; the defaults are in use")
        return 0
    require_file(path)
    cfg, problems = read_config_file(path)
    if cfg is None:
        problems += _hidden_problems(path, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    if cfg is None or problems:
        count = len(problems)
        print(f"{path}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return 1
    mappings = sum(len(p.mappings) for p in cfg.profiles.values())
    print(f"{path}: OK ({len(cfg.profiles)} profiles, {mappings} mappings)")
    return 0


def _hidden_problems(path: Path, reported: list[str]) -> list[str]:
    """Problems a first validation cannot see: a check across settings (pinch_off above
    pinch_on) runs only once every setting of its table is valid, so it showed only after the
    user fixed the first problem ("1 problem" with two). The salvage passes, which leave out
    each bad entry in turn, find them."""
    from pipeline.settings.salvage import salvage_text

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    salvaged = salvage_text(text, file=path)
    if salvaged is None:
        return []
    seen = set(reported)
    return [entry.text for entry in salvaged.left_out if entry.text not in seen]


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.fileio import atomic_write_text
    from pipeline.settings import load_config

    cfg, problems = load_config()
    for problem in problems:
        print(f"handcue: warning: {problem}", file=sys.stderr)
    text = cfg.to_toml()
    if args.file == "-":
        sys.stdout.write(text)
        return 0
    target = Path(args.file)
    atomic_write_text(target, text, backup=True)
    print(f"exported the settings to {target}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pipeline.fileio import require_file
    from pipeline.settings import config_path, read_config_file
    from pipeline.settings.store import write_settings_text

    path: Path = args.file
    require_file(path)
    cfg, problems = read_config_file(path)
    if cfg is None:
        problems += _hidden_problems(path, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    if cfg is None or problems:
        print(f"{path}: not imported; fix the problems above first", file=sys.stderr)
        return 1
    # Keep the file as written (comments and all): it has just been validated.
    written = write_settings_text(path.read_text(encoding="utf-8"), config_path())
    kept = f" (previous settings kept as {written.path.name}.bak)" if written.backed_up else ""
    if written.kept_invalid is not None:  # .bak stays the last good file
        kept = f" (the previous file, which had mistakes, kept as {written.kept_invalid.name})"
    print(f"imported {path} into {written.path}{kept}")
    return 0
