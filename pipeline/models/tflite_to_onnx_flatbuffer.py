"""Reading a .tflite flatbuffer for the converter (``tflite_to_onnx``): tensors, their shapes and
constant buffers, and the operators in graph order. Nothing here knows about ONNX.

Part of the model converter, which the bundle leaves out (it ships converted models).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import tflite

TFLITE_DTYPES = {
    tflite.TensorType.FLOAT32: np.float32,
    tflite.TensorType.FLOAT16: np.float16,
    tflite.TensorType.INT32: np.int32,
    tflite.TensorType.INT64: np.int64,
    tflite.TensorType.UINT8: np.uint8,
    tflite.TensorType.INT8: np.int8,
}

_OP_NAMES = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}


class ConversionError(Exception):
    """The .tflite file uses something this converter does not handle."""


class TfliteGraph:
    """The single subgraph of a .tflite model. Tensors are named by their index in it."""

    def __init__(self, data: bytes) -> None:
        self.model = tflite.Model.GetRootAsModel(data, 0)
        if self.model.SubgraphsLength() != 1:
            raise ConversionError("only single-subgraph models are supported")
        self.graph = self.model.Subgraphs(0)

    def tensor_name(self, index: int) -> str:
        return self.graph.Tensors(index).Name().decode("utf-8")

    def tensor_shape(self, index: int) -> tuple[int, ...]:
        """The TFLite shape (NHWC for 4-D tensors); () for a scalar."""
        shape = self.graph.Tensors(index).ShapeAsNumpy()
        return tuple(int(v) for v in shape) if isinstance(shape, np.ndarray) else ()

    def buffer(self, index: int) -> np.ndarray | None:
        """The tensor's constant data in its TFLite dtype and shape; None if it has none
        (activations and graph inputs)."""
        tensor = self.graph.Tensors(index)
        raw = self.model.Buffers(tensor.Buffer()).DataAsNumpy()
        if not isinstance(raw, np.ndarray) or raw.size == 0:
            return None
        dtype = TFLITE_DTYPES.get(tensor.Type())
        if dtype is None:
            raise ConversionError(
                f"tensor {self.tensor_name(index)}: unsupported type {tensor.Type()}"
            )
        return raw.view(dtype).reshape(self.tensor_shape(index))

    def inputs(self) -> list[int]:
        return [int(idx) for idx in self.graph.InputsAsNumpy()]

    def outputs(self) -> list[int]:
        return [int(idx) for idx in self.graph.OutputsAsNumpy()]

    def operators(self) -> Iterator[tuple[str, Any, list[int], list[int]]]:
        """``(kind, op, inputs, outputs)`` per operator in execution order. ``kind`` is the
        builtin name ("CONV_2D"), "?" for a code this tflite package does not know; the
        tensor indices are -1 for an omitted optional input."""
        for i in range(self.graph.OperatorsLength()):
            op = self.graph.Operators(i)
            code = self.model.OperatorCodes(op.OpcodeIndex())
            kind = _OP_NAMES.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "?")
            ins = [int(t) for t in op.InputsAsNumpy()]
            outs = [int(t) for t in op.OutputsAsNumpy()]
            yield kind, op, ins, outs


def options(op: Any, options_cls: Any) -> Any:
    """The operator's builtin options read as ``options_cls`` (e.g. ``tflite.Conv2DOptions``)."""
    opts = options_cls()
    table = op.BuiltinOptions()
    opts.Init(table.Bytes, table.Pos)
    return opts
