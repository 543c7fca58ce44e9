"""``handcue models install | verify | list``."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.errors import HandCueError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="install, verify or list the hand models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    inst = msub.add_parser(
        "install", help="download MediaPipe's wheel and convert its models to ONNX"
    )
    inst.add_argument("--wheel", type=Path, help="use this mediapipe wheel instead of downloading")
    inst.add_argument("--force", action="store_true", help="convert again even if installed")
    inst.set_defaults(func=_install)
    ver = msub.add_parser(
        "verify",
        help="check each .onnx against its checksum, then compare it with its .tflite "
        "(the comparison needs ai-edge-litert)",
    )
    ver.add_argument("--samples", type=int, default=3, help="random inputs per model (default 3)")
    ver.set_defaults(func=_verify)
    lst = msub.add_parser("list", help="show which models are installed")
    lst.set_defaults(func=_list)


def _install(args: argparse.Namespace) -> int:
    from pipeline.models.install import install, status
    from pipeline.models.manifest import load_manifest
    from pipeline.paths import bundle_dir, models_install_dir

    bundle = bundle_dir()
    if bundle is not None and not args.force and args.wheel is None:
        shipped = load_manifest(bundle / "models")
        if all(state == "ok" for _, state in status(shipped)):
            print(f"Models are shipped with this build in {shipped.folder}: nothing to do.")
            return 0
    install(load_manifest(models_install_dir()), wheel=args.wheel, force=args.force)
    return 0


def _list(args: argparse.Namespace) -> int:
    from pipeline.models.install import status
    from pipeline.models.manifest import load_manifest
    from pipeline.paths import models_search_path

    manifest = load_manifest()
    rows = status(manifest)
    print(f"models folder: {manifest.folder}  (source {manifest.requirement})")
    print("looked in: " + ", ".join(f"{where} {folder}" for where, folder in models_search_path()))
    for name, state in rows:
        print(f"  {name:22s} {state}")
    if any(state != "ok" for _, state in rows):
        print("Install with:  handcue models install")
        return 3
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pipeline.models.verify import verify_all

    if args.samples < 1:
        raise HandCueError("--samples must be at least 1")
    return verify_all(samples=args.samples)
