"""Our TFLite flatbuffer -> ONNX converter, for the operator set of MediaPipe's hand models.

TFLite tensors are NHWC; ONNX convolutions want NCHW. The converter keeps the graph's public
interface as in the .tflite file (NHWC input, same output shapes and names) and works in NCHW
inside: every 4-D activation is stored transposed, and operators that see axes or raw memory
order (RESHAPE, CONCATENATION, MEAN, PAD) translate them. float16 weights behind DEQUANTIZE are
folded into float32 initialisers so the ONNX file has no cast at run time.

Only static shapes are supported (all four hand models have them).

The parts: ``tflite_to_onnx_flatbuffer`` reads the .tflite file (tensors, buffers, operators),
``tflite_to_onnx_graph`` holds the ONNX graph being built and the layout of each tensor in it,
``tflite_to_onnx_ops`` translates each operator; this module puts the graph's inputs, the
operators and its outputs together and writes the model. The bundle leaves all of them out
(``installer/handcue.spec``): it ships converted models.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx import TensorProto, helper

from pipeline.models.tflite_to_onnx_flatbuffer import ConversionError, TfliteGraph
from pipeline.models.tflite_to_onnx_graph import Lowering, Value
from pipeline.models.tflite_to_onnx_ops import OPERATORS

__all__ = ["OPSET", "ConversionError", "convert_file", "convert_tflite"]

OPSET = 17


def _public(shape: tuple[int, ...], dynamic_batch: bool) -> list[int | str]:
    """Shape of a graph input/output; the batch axis is symbolic with ``dynamic_batch``."""
    dims: list[int | str] = list(shape)
    if dynamic_batch and dims:
        dims[0] = "batch"
    return dims


def convert_tflite(data: bytes, dynamic_batch: bool = False) -> onnx.ModelProto:
    """Convert the bytes of a .tflite file into an ONNX model (see module docstring).

    ``dynamic_batch`` makes the first axis of inputs and outputs symbolic, so several crops can
    run in one call (the landmark model: both hands at once)."""
    tfl = TfliteGraph(data)
    lw = Lowering(tfl)
    graph_inputs, graph_outputs = [], []
    for idx in tfl.inputs():
        shape = tfl.tensor_shape(idx)
        name = tfl.tensor_name(idx)
        graph_inputs.append(
            helper.make_tensor_value_info(name, TensorProto.FLOAT, _public(shape, dynamic_batch))
        )
        lw.values[idx] = Value(name, shape, nchw=False)

    for kind, op, ins, outs in tfl.operators():
        translate = OPERATORS.get(kind)
        if translate is None:
            raise ConversionError(f"operator {kind} is not supported")
        translate(lw, op, ins, outs)

    for idx in tfl.outputs():
        v = lw.values[idx]
        src = lw.as_input(idx, want_nchw=False)
        final = tfl.tensor_name(idx)
        lw.b.nodes.append(helper.make_node("Identity", [src], [final], name=final))
        graph_outputs.append(
            helper.make_tensor_value_info(final, TensorProto.FLOAT, _public(v.shape, dynamic_batch))
        )

    graph = helper.make_graph(
        lw.b.nodes, "handcue_converted", graph_inputs, graph_outputs, lw.b.initializers
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="handcue"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def convert_file(src: Path, dst: Path, dynamic_batch: bool = False) -> None:
    """Convert ``src`` (.tflite) and write ``dst`` (.onnx). The caller handles atomicity."""
    model = convert_tflite(Path(src).read_bytes(), dynamic_batch)
    onnx.save(model, str(dst))
