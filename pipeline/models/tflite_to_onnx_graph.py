"""The ONNX graph the converter (``tflite_to_onnx``) builds, and what it knows of each TFLite
tensor in it: its ONNX name, whether it is stored NCHW, or its folded constant value.

The operator translations (``tflite_to_onnx_ops``) ask this module for their inputs in the
layout they need (:meth:`Lowering.as_input` adds the Transpose or the transposed initialiser)
and record their outputs with :meth:`Lowering.set_output`.

Part of the model converter, which the bundle leaves out (it ships converted models).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
import tflite
from onnx import helper, numpy_helper

from pipeline.models.tflite_to_onnx_flatbuffer import ConversionError, TfliteGraph


@dataclass
class Value:
    """What the converter knows about one TFLite tensor in the ONNX graph."""

    name: str  # ONNX value name
    shape: tuple[int, ...]  # TFLite (NHWC) shape
    nchw: bool = False  # stored transposed to NCHW in ONNX (4-D activations only)
    const: np.ndarray | None = None  # folded constant (TFLite layout)


@dataclass
class Builder:
    """ONNX nodes and initialisers in creation order, with unique ``stem__N`` names."""

    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)
    counter: int = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}__{self.counter}"

    def const(self, stem: str, array: np.ndarray | np.generic) -> str:
        name = self.fresh(stem)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], stem: str, **attrs: Any) -> str:
        out = self.fresh(stem)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


class Lowering:
    """The TFLite tensors (by index) mapped to values of the ONNX graph being built in ``b``."""

    def __init__(self, tfl: TfliteGraph) -> None:
        self.tfl = tfl
        self.values: dict[int, Value] = {}
        self.b = Builder()

    def value(self, index: int) -> Value:
        """The tensor's value; a constant tensor is read from its buffer on first use."""
        if index not in self.values:
            data = self.tfl.buffer(index)
            if data is None:
                raise ConversionError(
                    f"tensor {self.tfl.tensor_name(index)} used before it is produced"
                )
            self.values[index] = Value(self.tfl.tensor_name(index), data.shape, const=data)
        return self.values[index]

    def const_of(self, index: int) -> np.ndarray:
        """The constant data of a weight tensor (TFLite layout and dtype)."""
        v = self.value(index)
        if v.const is None:
            raise ConversionError(f"tensor {v.name} must be constant")
        return v.const

    def as_input(self, index: int, want_nchw: bool | None) -> str:
        """ONNX name of a tensor, made an initialiser if constant. ``want_nchw`` asks for a
        4-D value in NCHW (True) or NHWC (False); None takes it as stored."""
        v = self.value(index)
        if v.const is not None:
            arr = v.const.astype(np.float32) if v.const.dtype == np.float16 else v.const
            if want_nchw and arr.ndim == 4:
                arr = arr.transpose(0, 3, 1, 2)
            return self.b.const(v.name, arr)
        if want_nchw is None or len(v.shape) != 4 or v.nchw == want_nchw:
            return v.name
        perm = [0, 2, 3, 1] if v.nchw else [0, 3, 1, 2]
        return self.b.node("Transpose", [v.name], v.name + "_t", perm=perm)

    def set_output(self, index: int, onnx_name: str, nchw: bool) -> None:
        """Record that TFLite tensor ``index`` is ONNX value ``onnx_name`` (NCHW if ``nchw``
        and the tensor is 4-D)."""
        shape = self.tfl.tensor_shape(index)
        self.values[index] = Value(onnx_name, shape, nchw=nchw and len(shape) == 4)

    def activation(self, name: str, fused: int) -> str:
        """``name`` followed by a TFLite fused activation (``tflite.ActivationFunctionType``)."""
        act = tflite.ActivationFunctionType
        if fused == act.NONE:
            return name
        if fused == act.RELU:
            return self.b.node("Relu", [name], "relu")
        if fused == act.RELU6:
            lo, hi = self.b.const("zero", np.float32(0)), self.b.const("six", np.float32(6))
            return self.b.node("Clip", [name, lo, hi], "relu6")
        if fused == act.RELU_N1_TO_1:
            lo, hi = self.b.const("m1", np.float32(-1)), self.b.const("p1", np.float32(1))
            return self.b.node("Clip", [name, lo, hi], "relu1")
        raise ConversionError(f"fused activation {fused} is not supported")
