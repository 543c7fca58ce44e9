"""Numerical parity of the converted .onnx files against the original .tflite files.

LiteRT (``ai-edge-litert``) runs the .tflite models as the oracle; where it is not installed
(Windows, or no dev extra) verification is skipped with a message."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.errors import HandCueError
from pipeline.models.manifest import installed_problem, load_manifest, models_refusal
from pipeline.paths import project_root

# Limits the install is held to: landmark outputs in crop pixels (values up to ~224).
LANDMARK_PIXEL_TOLERANCE = 1e-2
PROBABILITY_TOLERANCE = 1e-4


def _real_inputs(shape: tuple[int, ...]) -> list[np.ndarray]:
    """A few real photos resized to the model input, when the shared data folder exists."""
    import cv2

    folder = project_root().parent / "shared" / "data" / "photos"
    out = []
    for path in sorted(folder.glob("*.jpg"))[:2]:
        img = cv2.imread(str(path))
        if img is None:
            continue
        img = cv2.resize(img, (shape[2], shape[1]), interpolation=cv2.INTER_AREA)
        out.append((cv2.cvtColor(img, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0)[None])
    return out


def compare(onnx_path: Path, tflite_path: Path, samples: int) -> tuple[int, dict[str, float]]:
    """(number of inputs, max absolute difference per output name) over ``samples`` random
    inputs and a few real photos shaped like the model's input."""
    from ai_edge_litert.interpreter import Interpreter

    from pipeline.models.session import import_onnxruntime

    ort = import_onnxruntime()

    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    interp = Interpreter(model_path=str(tflite_path))
    interp.allocate_tensors()
    in_idx = interp.get_input_details()[0]["index"]
    shape = tuple(int(d) for d in interp.get_input_details()[0]["shape"])
    rng = np.random.default_rng(1234)
    inputs = [rng.random(shape, dtype=np.float32) for _ in range(samples)]
    inputs += _real_inputs(shape)
    outs = interp.get_output_details()
    diffs: dict[str, float] = {}
    for x in inputs:
        interp.set_tensor(in_idx, x)
        interp.invoke()
        ref = {d["name"]: interp.get_tensor(d["index"]) for d in outs}
        got = sess.run(None, {sess.get_inputs()[0].name: x})
        for meta, value in zip(sess.get_outputs(), got, strict=True):
            d = float(np.abs(value - ref[meta.name]).max())
            diffs[meta.name] = max(diffs.get(meta.name, 0.0), d)
    return len(inputs), diffs


def verify_all(samples: int = 3) -> int:
    """Every model's checksum (every byte read), then its parity with the .tflite it was
    converted from (where LiteRT is installed). Returns the exit code; raises the error a
    session would raise for a model that does not match its checksum."""
    manifest = load_manifest()
    for entry in manifest.models:
        problem = installed_problem(manifest, entry)
        if problem:
            raise models_refusal(manifest, problem)
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        print(
            "checksums OK; parity not checked: ai-edge-litert is not installed "
            "(pip install -e '.[dev]'; it has wheels for Linux and macOS only)"
        )
        return 0
    worst_ok = True
    for entry in manifest.models:
        tfl = manifest.cache_path(entry)
        if not tfl.is_file():
            raise HandCueError(f"{tfl} is missing: run `handcue models install --force`", 3)
        count, diffs = compare(manifest.onnx_path(entry.name), tfl, samples)
        is_landmark = entry.name.startswith("hand_landmark")
        parts = []
        for name, d in diffs.items():
            if is_landmark and name == "Identity":
                ok = d <= LANDMARK_PIXEL_TOLERANCE
            elif is_landmark:
                ok = d <= PROBABILITY_TOLERANCE
            else:
                ok = d <= 1e-2  # palm regressors are pixels of the 192 input
            worst_ok &= ok
            parts.append(f"{name} {d:.2e}{'' if ok else ' (TOO LARGE)'}")
        print(f"{entry.name:22s} {count} inputs, max |onnx - tflite|: " + ", ".join(parts))
    print("parity OK" if worst_ok else "parity FAILED")
    return 0 if worst_ok else 1
