"""Our TFLite flatbuffer -> ONNX converter, for the operator set of MediaPipe's hand models.

TFLite tensors are NHWC; ONNX convolutions want NCHW. The converter keeps the graph's public
interface as in the .tflite file (NHWC input, same output shapes and names) and works in NCHW
inside: every 4-D activation is stored transposed, and operators that see axes or raw memory
order (RESHAPE, CONCATENATION, MEAN, PAD) translate them. float16 weights behind DEQUANTIZE are
folded into float32 initialisers so the ONNX file has no cast at run time.

Only static shapes are supported (all four hand models have them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import tflite
from onnx import TensorProto, helper, numpy_helper

OPSET = 17

_TFLITE_DTYPES = {
    tflite.TensorType.FLOAT32: np.float32,
    tflite.TensorType.FLOAT16: np.float16,
    tflite.TensorType.INT32: np.int32,
    tflite.TensorType.INT64: np.int64,
    tflite.TensorType.UINT8: np.uint8,
    tflite.TensorType.INT8: np.int8,
}

_OP_NAMES = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}

# NHWC axis -> NCHW axis for 4-D tensors.
_NHWC_TO_NCHW_AXIS = {0: 0, 1: 2, 2: 3, 3: 1}


class ConversionError(Exception):
    """The .tflite file uses something this converter does not handle."""


@dataclass
class _Value:
    """What the converter knows about one TFLite tensor in the ONNX graph."""

    name: str  # ONNX value name
    shape: tuple[int, ...]  # TFLite (NHWC) shape
    nchw: bool = False  # stored transposed to NCHW in ONNX (4-D activations only)
    const: np.ndarray | None = None  # folded constant (TFLite layout)


@dataclass
class _Builder:
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


def _same_pads(
    in_hw: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int]
) -> list[int]:
    """Explicit ONNX pads reproducing TensorFlow's SAME (extra padding at the end)."""
    begins, ends = [], []
    for size, k, s in zip(in_hw, kernel, stride, strict=True):
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        begins.append(total // 2)
        ends.append(total - total // 2)
    return begins + ends


class _Converter:
    def __init__(self, data: bytes, dynamic_batch: bool = False) -> None:
        self.dynamic_batch = dynamic_batch
        self.model = tflite.Model.GetRootAsModel(data, 0)
        if self.model.SubgraphsLength() != 1:
            raise ConversionError("only single-subgraph models are supported")
        self.graph = self.model.Subgraphs(0)
        self.values: dict[int, _Value] = {}
        self.b = _Builder()

    # ---- tensors ---------------------------------------------------------------------------
    def _tensor_name(self, index: int) -> str:
        return self.graph.Tensors(index).Name().decode("utf-8")

    def _tensor_shape(self, index: int) -> tuple[int, ...]:
        shape = self.graph.Tensors(index).ShapeAsNumpy()
        return tuple(int(v) for v in shape) if isinstance(shape, np.ndarray) else ()

    def _buffer(self, index: int) -> np.ndarray | None:
        tensor = self.graph.Tensors(index)
        raw = self.model.Buffers(tensor.Buffer()).DataAsNumpy()
        if not isinstance(raw, np.ndarray) or raw.size == 0:
            return None
        dtype = _TFLITE_DTYPES.get(tensor.Type())
        if dtype is None:
            raise ConversionError(
                f"tensor {self._tensor_name(index)}: unsupported type {tensor.Type()}"
            )
        return raw.view(dtype).reshape(self._tensor_shape(index))

    def value(self, index: int) -> _Value:
        if index not in self.values:
            data = self._buffer(index)
            if data is None:
                raise ConversionError(
                    f"tensor {self._tensor_name(index)} used before it is produced"
                )
            self.values[index] = _Value(self._tensor_name(index), data.shape, const=data)
        return self.values[index]

    def const_of(self, index: int) -> np.ndarray:
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
        shape = self._tensor_shape(index)
        self.values[index] = _Value(onnx_name, shape, nchw=nchw and len(shape) == 4)

    def activation(self, name: str, fused: int) -> str:
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

    def _public(self, shape: tuple[int, ...]) -> list[int | str]:
        """Shape of a graph input/output; the batch axis is symbolic with ``dynamic_batch``."""
        dims: list[int | str] = list(shape)
        if self.dynamic_batch and dims:
            dims[0] = "batch"
        return dims

    # ---- operators -------------------------------------------------------------------------
    def convert(self) -> onnx.ModelProto:
        g = self.graph
        graph_inputs, graph_outputs = [], []
        for idx in g.InputsAsNumpy():
            idx = int(idx)
            shape = self._tensor_shape(idx)
            name = self._tensor_name(idx)
            graph_inputs.append(
                helper.make_tensor_value_info(name, TensorProto.FLOAT, self._public(shape))
            )
            self.values[idx] = _Value(name, shape, nchw=False)

        for i in range(g.OperatorsLength()):
            op = g.Operators(i)
            code = self.model.OperatorCodes(op.OpcodeIndex())
            kind = _OP_NAMES.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "?")
            handler = getattr(self, f"_op_{kind.lower()}", None)
            if handler is None:
                raise ConversionError(f"operator {kind} is not supported")
            ins = [int(t) for t in op.InputsAsNumpy()]
            outs = [int(t) for t in op.OutputsAsNumpy()]
            handler(op, ins, outs)

        for idx in g.OutputsAsNumpy():
            idx = int(idx)
            v = self.values[idx]
            src = self.as_input(idx, want_nchw=False)
            final = self._tensor_name(idx)
            self.b.nodes.append(helper.make_node("Identity", [src], [final], name=final))
            graph_outputs.append(
                helper.make_tensor_value_info(final, TensorProto.FLOAT, self._public(v.shape))
            )

        graph = helper.make_graph(
            self.b.nodes, "handcue_converted", graph_inputs, graph_outputs, self.b.initializers
        )
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="handcue"
        )
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model

    def _op_dequantize(self, op, ins, outs) -> None:
        data = self.const_of(ins[0]).astype(np.float32)
        self.values[outs[0]] = _Value(self._tensor_name(outs[0]), data.shape, const=data)

    def _conv(self, op, ins, outs, depthwise: bool) -> None:
        opts_cls = tflite.DepthwiseConv2DOptions if depthwise else tflite.Conv2DOptions
        opts = opts_cls()
        table = op.BuiltinOptions()
        opts.Init(table.Bytes, table.Pos)
        if opts.DilationHFactor() != 1 or opts.DilationWFactor() != 1:
            raise ConversionError("dilated convolutions are not supported")
        x = self.as_input(ins[0], want_nchw=True)
        in_shape = self.value(ins[0]).shape
        w = self.const_of(ins[1]).astype(np.float32)
        if depthwise:
            if opts.DepthMultiplier() != 1:
                raise ConversionError("depth multiplier other than 1 is not supported")
            weight = w.transpose(3, 0, 1, 2)  # [1,H,W,C] -> [C,1,H,W]
            group = int(w.shape[3])
        else:
            weight = w.transpose(0, 3, 1, 2)  # [O,H,W,I] -> [O,I,H,W]
            group = 1
        kernel = (int(w.shape[1]), int(w.shape[2]))
        stride = (opts.StrideH(), opts.StrideW())
        if opts.Padding() == tflite.Padding.SAME:
            pads = _same_pads((in_shape[1], in_shape[2]), kernel, stride)
        else:
            pads = [0, 0, 0, 0]
        inputs = [x, self.b.const("w", weight)]
        if len(ins) > 2 and ins[2] >= 0:
            inputs.append(self.b.const("b", self.const_of(ins[2]).astype(np.float32)))
        y = self.b.node(
            "Conv",
            inputs,
            "conv",
            kernel_shape=list(kernel),
            strides=list(stride),
            pads=pads,
            group=group,
        )
        self.set_output(outs[0], self.activation(y, opts.FusedActivationFunction()), nchw=True)

    def _op_conv_2d(self, op, ins, outs) -> None:
        self._conv(op, ins, outs, depthwise=False)

    def _op_depthwise_conv_2d(self, op, ins, outs) -> None:
        self._conv(op, ins, outs, depthwise=True)

    def _depthwise_1x1(self, x: str, weights: np.ndarray, relu: bool) -> str:
        """A per-channel scale as a 1x1 depthwise Conv (optionally followed by Relu)."""
        c = weights.size
        w = self.b.const("dw", weights.astype(np.float32).reshape(c, 1, 1, 1))
        y = self.b.node("Conv", [x, w], "dw1x1", kernel_shape=[1, 1], group=c)
        return self.b.node("Relu", [y], "relu") if relu else y

    def _op_prelu(self, op, ins, outs) -> None:
        x_val = self.value(ins[0])
        alpha = self.const_of(ins[1]).astype(np.float32)
        channels = x_val.shape[-1]
        if len(x_val.shape) == 4 and alpha.size == channels:
            # PRelu(x) = Relu(x) - alpha * Relu(-x), written with 1x1 depthwise convolutions.
            # onnxruntime keeps Conv (+Relu, +Add) in its blocked NCHWc layout but not PRelu,
            # which cost ~70 layout reorders in the palm model; this form runs ~2x faster.
            x = self.as_input(ins[0], want_nchw=True)
            pos = self._depthwise_1x1(x, np.ones(channels), relu=True)
            neg = self._depthwise_1x1(x, -np.ones(channels), relu=True)
            scaled = self._depthwise_1x1(neg, -alpha.reshape(-1), relu=False)
            self.set_output(outs[0], self.b.node("Add", [scaled, pos], "prelu"), nchw=True)
            return
        x = self.as_input(ins[0], want_nchw=None)
        y = self.b.node("PRelu", [x, self.b.const("alpha", alpha)], "prelu")
        self.set_output(outs[0], y, nchw=x_val.nchw)

    def _binary(self, onnx_op: str, op, ins, outs) -> None:
        four_d = len(self._tensor_shape(outs[0])) == 4
        names = []
        for idx in ins:
            v = self.value(idx)
            if v.const is not None and four_d and v.const.ndim < 4:
                arr = v.const.astype(np.float32)
                # A per-channel constant broadcast over NHWC's last axis -> NCHW's axis 1.
                arr = arr.reshape(-1, 1, 1) if arr.size > 1 else arr.reshape(())
                names.append(self.b.const(v.name, arr))
            else:
                names.append(self.as_input(idx, want_nchw=True if four_d else None))
        y = self.b.node(onnx_op, names, onnx_op.lower())
        table = op.BuiltinOptions()
        fused = tflite.ActivationFunctionType.NONE
        if table is not None:
            opts = tflite.AddOptions()
            opts.Init(table.Bytes, table.Pos)
            fused = opts.FusedActivationFunction()
        self.set_output(outs[0], self.activation(y, fused), nchw=four_d)

    def _op_add(self, op, ins, outs) -> None:
        self._binary("Add", op, ins, outs)

    def _op_max_pool_2d(self, op, ins, outs) -> None:
        opts = tflite.Pool2DOptions()
        table = op.BuiltinOptions()
        opts.Init(table.Bytes, table.Pos)
        in_shape = self.value(ins[0]).shape
        kernel = (opts.FilterHeight(), opts.FilterWidth())
        stride = (opts.StrideH(), opts.StrideW())
        pads = (
            _same_pads((in_shape[1], in_shape[2]), kernel, stride)
            if opts.Padding() == tflite.Padding.SAME
            else [0, 0, 0, 0]
        )
        x = self.as_input(ins[0], want_nchw=True)
        y = self.b.node(
            "MaxPool", [x], "maxpool", kernel_shape=list(kernel), strides=list(stride), pads=pads
        )
        self.set_output(outs[0], self.activation(y, opts.FusedActivationFunction()), nchw=True)

    def _op_pad(self, op, ins, outs) -> None:
        paddings = self.const_of(ins[1]).astype(np.int64)  # [rank, 2] in NHWC order
        rank = paddings.shape[0]
        if rank == 4 and not paddings[:3].any():
            # Zero channels appended (residual blocks that widen): a 1x1 Conv with an identity
            # block does the same and stays in onnxruntime's NCHWc layout, unlike Pad.
            c_in = self.value(ins[0]).shape[3]
            before, after = int(paddings[3, 0]), int(paddings[3, 1])
            eye = np.zeros((before + c_in + after, c_in, 1, 1), dtype=np.float32)
            eye[before + np.arange(c_in), np.arange(c_in)] = 1.0
            x = self.as_input(ins[0], want_nchw=True)
            y = self.b.node("Conv", [x, self.b.const("chpad", eye)], "chpad", kernel_shape=[1, 1])
            self.set_output(outs[0], y, nchw=True)
            return
        if rank == 4:
            order = [0, 3, 1, 2]
            paddings = paddings[order]
            x = self.as_input(ins[0], want_nchw=True)
        else:
            x = self.as_input(ins[0], want_nchw=None)
        pads = np.concatenate([paddings[:, 0], paddings[:, 1]]).astype(np.int64)
        y = self.b.node("Pad", [x, self.b.const("pads", pads)], "pad", mode="constant")
        self.set_output(outs[0], y, nchw=rank == 4)

    def _op_resize_bilinear(self, op, ins, outs) -> None:
        opts = tflite.ResizeBilinearOptions()
        table = op.BuiltinOptions()
        opts.Init(table.Bytes, table.Pos)
        if opts.AlignCorners():
            mode = "align_corners"
        elif opts.HalfPixelCenters():
            mode = "half_pixel"
        else:
            mode = "asymmetric"
        out_shape = self._tensor_shape(outs[0])
        in_shape = self.value(ins[0]).shape
        # Scales rather than sizes, so the graph also runs with another batch size.
        scales = np.array(
            [1.0, 1.0, out_shape[1] / in_shape[1], out_shape[2] / in_shape[2]], dtype=np.float32
        )
        x = self.as_input(ins[0], want_nchw=True)
        y = self.b.node(
            "Resize",
            [x, "", self.b.const("scales", scales)],
            "resize",
            mode="linear",
            coordinate_transformation_mode=mode,
        )
        self.set_output(outs[0], y, nchw=True)

    def _op_reshape(self, op, ins, outs) -> None:
        out_shape = np.array(self._tensor_shape(outs[0]), dtype=np.int64)
        if out_shape.size and out_shape[0] == 1:
            out_shape[0] = 0  # ONNX: copy the batch axis from the input
        x = self.as_input(ins[0], want_nchw=False)  # raw memory order is NHWC's
        y = self.b.node("Reshape", [x, self.b.const("shape", out_shape)], "reshape")
        self.set_output(outs[0], y, nchw=False)

    def _op_concatenation(self, op, ins, outs) -> None:
        opts = tflite.ConcatenationOptions()
        table = op.BuiltinOptions()
        opts.Init(table.Bytes, table.Pos)
        rank = len(self._tensor_shape(outs[0]))
        axis = opts.Axis() % rank
        if rank == 4:
            names = [self.as_input(i, want_nchw=True) for i in ins]
            axis = _NHWC_TO_NCHW_AXIS[axis]
        else:
            names = [self.as_input(i, want_nchw=False) for i in ins]
        y = self.b.node("Concat", names, "concat", axis=axis)
        self.set_output(outs[0], self.activation(y, opts.FusedActivationFunction()), nchw=rank == 4)

    def _op_mean(self, op, ins, outs) -> None:
        opts = tflite.ReducerOptions()
        table = op.BuiltinOptions()
        opts.Init(table.Bytes, table.Pos)
        axes = [int(a) % 4 for a in np.atleast_1d(self.const_of(ins[1]))]
        in_rank = len(self.value(ins[0]).shape)
        keep = bool(opts.KeepDims())
        if in_rank == 4 and not keep:
            # Reduce in NCHW, result has no spatial layout left when only H, W are reduced.
            if sorted(axes) != [1, 2]:
                raise ConversionError(f"MEAN over axes {axes} is not supported")
            x = self.as_input(ins[0], want_nchw=True)
            y = self.b.node("ReduceMean", [x], "mean", axes=[2, 3], keepdims=0)
            self.set_output(outs[0], y, nchw=False)
            return
        x = self.as_input(ins[0], want_nchw=False)
        y = self.b.node("ReduceMean", [x], "mean", axes=axes, keepdims=int(keep))
        self.set_output(outs[0], y, nchw=False)

    def _op_fully_connected(self, op, ins, outs) -> None:
        opts = tflite.FullyConnectedOptions()
        table = op.BuiltinOptions()
        opts.Init(table.Bytes, table.Pos)
        weights = self.const_of(ins[1]).astype(np.float32)  # [O, I]
        x = self.as_input(ins[0], want_nchw=False)
        if len(self.value(ins[0]).shape) != 2:
            flat = np.array([-1, weights.shape[1]], dtype=np.int64)
            x = self.b.node("Reshape", [x, self.b.const("flat", flat)], "fc_flat")
        inputs = [x, self.b.const("fc_w", weights)]
        if len(ins) > 2 and ins[2] >= 0:
            inputs.append(self.b.const("fc_b", self.const_of(ins[2]).astype(np.float32)))
        y = self.b.node("Gemm", inputs, "fc", transB=1)
        self.set_output(outs[0], self.activation(y, opts.FusedActivationFunction()), nchw=False)

    def _op_logistic(self, op, ins, outs) -> None:
        v = self.value(ins[0])
        y = self.b.node("Sigmoid", [self.as_input(ins[0], want_nchw=None)], "sigmoid")
        self.set_output(outs[0], y, nchw=v.nchw)


def convert_tflite(data: bytes, dynamic_batch: bool = False) -> onnx.ModelProto:
    """Convert the bytes of a .tflite file into an ONNX model (see module docstring).

    ``dynamic_batch`` makes the first axis of inputs and outputs symbolic, so several crops can
    run in one call (the landmark model: both hands at once)."""
    return _Converter(data, dynamic_batch).convert()


def convert_file(src: Path, dst: Path, dynamic_batch: bool = False) -> None:
    """Convert ``src`` (.tflite) and write ``dst`` (.onnx). The caller handles atomicity."""
    model = convert_tflite(Path(src).read_bytes(), dynamic_batch)
    onnx.save(model, str(dst))
