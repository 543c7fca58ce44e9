"""Our tflite -> ONNX converter against LiteRT running the original .tflite files."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.models.manifest import load_manifest
from pipeline.models.tflite_to_onnx import ConversionError, convert_tflite

litert = pytest.importorskip("ai_edge_litert.interpreter", reason="ai-edge-litert not installed")


@pytest.mark.parametrize(
    "name,tolerances",
    [
        (
            "hand_landmark_full",
            {"Identity": 1e-2, "Identity_1": 1e-4, "Identity_2": 1e-4, "Identity_3": 1e-4},
        ),
        (
            "hand_landmark_lite",
            {"Identity": 1e-2, "Identity_1": 1e-4, "Identity_2": 1e-4, "Identity_3": 1e-4},
        ),
        ("palm_detection_full", {"Identity": 1e-2, "Identity_1": 1e-3}),
        ("palm_detection_lite", {"Identity": 1e-2, "Identity_1": 1e-3}),
    ],
)
def test_converted_model_matches_tflite(name: str, tolerances: dict[str, float]) -> None:
    import onnxruntime as ort

    manifest = load_manifest()
    entry = next(e for e in manifest.models if e.name == name)
    tflite_path = manifest.cache_path(entry)
    model = convert_tflite(tflite_path.read_bytes())  # converted fresh, not the installed file
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    interp = litert.Interpreter(model_path=str(tflite_path))
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    rng = np.random.default_rng(7)
    for _ in range(2):
        x = rng.random(tuple(inp["shape"]), dtype=np.float32)
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        ref = {d["name"]: interp.get_tensor(d["index"]) for d in interp.get_output_details()}
        got = dict(
            zip([o.name for o in sess.get_outputs()], sess.run(None, {"input_1": x}), strict=True)
        )
        assert set(got) == set(tolerances)
        for out_name, tol in tolerances.items():
            assert got[out_name].shape == ref[out_name].shape
            diff = float(np.abs(got[out_name] - ref[out_name]).max())
            assert diff <= tol, f"{name}/{out_name}: max diff {diff}"
            # The outputs must carry signal, or a broken graph of zeros would pass.
            assert float(np.abs(ref[out_name]).max()) > 10 * tol or out_name != "Identity"


@pytest.mark.parametrize("name", ["hand_landmark_full", "palm_detection_lite"])
def test_dynamic_batch_gives_the_same_rows(name: str) -> None:
    import onnxruntime as ort

    manifest = load_manifest()
    entry = next(e for e in manifest.models if e.name == name)
    model = convert_tflite(manifest.cache_path(entry).read_bytes(), dynamic_batch=True)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    size = 224 if name.startswith("hand") else 192
    x = np.random.default_rng(3).random((3, size, size, 3), dtype=np.float32)
    batched = sess.run(None, {"input_1": x})
    single = sess.run(None, {"input_1": x[1:2]})
    for b, s in zip(batched, single, strict=True):
        assert b.shape[0] == 3
        assert np.abs(b[1:2] - s).max() <= 1e-4


def test_converter_rejects_garbage() -> None:
    with pytest.raises((ConversionError, Exception)):
        convert_tflite(b"definitely not a flatbuffer")
