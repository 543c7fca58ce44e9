"""Each TFLite operator of MediaPipe's hand models as ONNX nodes, for the converter
(``tflite_to_onnx``). :data:`OPERATORS` maps a TFLite builtin name to its translation.

A translation gets the lowering state, the TFLite operator (for its options) and its input and
output tensor indices; it adds nodes through ``lw.b`` and records each output with
``lw.set_output``. 4-D activations are kept NCHW; operators that see axes or raw memory order
(RESHAPE, CONCATENATION, MEAN, PAD) translate them.

Part of the model converter, which the bundle leaves out (it ships converted models).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import tflite

from pipeline.models.tflite_to_onnx_flatbuffer import ConversionError, options
from pipeline.models.tflite_to_onnx_graph import Lowering, Value

# NHWC axis -> NCHW axis for 4-D tensors.
_NHWC_TO_NCHW_AXIS = {0: 0, 1: 2, 2: 3, 3: 1}

OpTranslation = Callable[[Lowering, Any, list[int], list[int]], None]


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


def _dequantize(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    # Folded: float16 weights become float32 initialisers, no cast at run time.
    data = lw.const_of(ins[0]).astype(np.float32)
    lw.values[outs[0]] = Value(lw.tfl.tensor_name(outs[0]), data.shape, const=data)


def _conv(lw: Lowering, op: Any, ins: list[int], outs: list[int], depthwise: bool) -> None:
    opts = options(op, tflite.DepthwiseConv2DOptions if depthwise else tflite.Conv2DOptions)
    if opts.DilationHFactor() != 1 or opts.DilationWFactor() != 1:
        raise ConversionError("dilated convolutions are not supported")
    x = lw.as_input(ins[0], want_nchw=True)
    in_shape = lw.value(ins[0]).shape
    w = lw.const_of(ins[1]).astype(np.float32)
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
    inputs = [x, lw.b.const("w", weight)]
    if len(ins) > 2 and ins[2] >= 0:
        inputs.append(lw.b.const("b", lw.const_of(ins[2]).astype(np.float32)))
    y = lw.b.node(
        "Conv",
        inputs,
        "conv",
        kernel_shape=list(kernel),
        strides=list(stride),
        pads=pads,
        group=group,
    )
    lw.set_output(outs[0], lw.activation(y, opts.FusedActivationFunction()), nchw=True)


def _conv_2d(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    _conv(lw, op, ins, outs, depthwise=False)


def _depthwise_conv_2d(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    _conv(lw, op, ins, outs, depthwise=True)


def _depthwise_1x1(lw: Lowering, x: str, weights: np.ndarray, relu: bool) -> str:
    """A per-channel scale as a 1x1 depthwise Conv (optionally followed by Relu)."""
    c = weights.size
    w = lw.b.const("dw", weights.astype(np.float32).reshape(c, 1, 1, 1))
    y = lw.b.node("Conv", [x, w], "dw1x1", kernel_shape=[1, 1], group=c)
    return lw.b.node("Relu", [y], "relu") if relu else y


def _prelu(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    x_val = lw.value(ins[0])
    alpha = lw.const_of(ins[1]).astype(np.float32)
    channels = x_val.shape[-1]
    if len(x_val.shape) == 4 and alpha.size == channels:
        # PRelu(x) = Relu(x) - alpha * Relu(-x), written with 1x1 depthwise convolutions.
        # onnxruntime keeps Conv (+Relu, +Add) in its blocked NCHWc layout but not PRelu,
        # which cost ~70 layout reorders in the palm model; this form runs ~2x faster.
        x = lw.as_input(ins[0], want_nchw=True)
        pos = _depthwise_1x1(lw, x, np.ones(channels), relu=True)
        neg = _depthwise_1x1(lw, x, -np.ones(channels), relu=True)
        scaled = _depthwise_1x1(lw, neg, -alpha.reshape(-1), relu=False)
        lw.set_output(outs[0], lw.b.node("Add", [scaled, pos], "prelu"), nchw=True)
        return
    x = lw.as_input(ins[0], want_nchw=None)
    y = lw.b.node("PRelu", [x, lw.b.const("alpha", alpha)], "prelu")
    lw.set_output(outs[0], y, nchw=x_val.nchw)


def _add(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    four_d = len(lw.tfl.tensor_shape(outs[0])) == 4
    names = []
    for idx in ins:
        v = lw.value(idx)
        if v.const is not None and four_d and v.const.ndim < 4:
            arr = v.const.astype(np.float32)
            # A per-channel constant broadcast over NHWC's last axis -> NCHW's axis 1.
            arr = arr.reshape(-1, 1, 1) if arr.size > 1 else arr.reshape(())
            names.append(lw.b.const(v.name, arr))
        else:
            names.append(lw.as_input(idx, want_nchw=True if four_d else None))
    y = lw.b.node("Add", names, "add")
    fused = tflite.ActivationFunctionType.NONE
    if op.BuiltinOptions() is not None:
        fused = options(op, tflite.AddOptions).FusedActivationFunction()
    lw.set_output(outs[0], lw.activation(y, fused), nchw=four_d)


def _max_pool_2d(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    opts = options(op, tflite.Pool2DOptions)
    in_shape = lw.value(ins[0]).shape
    kernel = (opts.FilterHeight(), opts.FilterWidth())
    stride = (opts.StrideH(), opts.StrideW())
    pads = (
        _same_pads((in_shape[1], in_shape[2]), kernel, stride)
        if opts.Padding() == tflite.Padding.SAME
        else [0, 0, 0, 0]
    )
    x = lw.as_input(ins[0], want_nchw=True)
    y = lw.b.node(
        "MaxPool", [x], "maxpool", kernel_shape=list(kernel), strides=list(stride), pads=pads
    )
    lw.set_output(outs[0], lw.activation(y, opts.FusedActivationFunction()), nchw=True)


def _pad(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    paddings = lw.const_of(ins[1]).astype(np.int64)  # [rank, 2] in NHWC order
    rank = paddings.shape[0]
    if rank == 4 and not paddings[:3].any():
        # Zero channels appended (residual blocks that widen): a 1x1 Conv with an identity
        # block does the same and stays in onnxruntime's NCHWc layout, unlike Pad.
        c_in = lw.value(ins[0]).shape[3]
        before, after = int(paddings[3, 0]), int(paddings[3, 1])
        eye = np.zeros((before + c_in + after, c_in, 1, 1), dtype=np.float32)
        eye[before + np.arange(c_in), np.arange(c_in)] = 1.0
        x = lw.as_input(ins[0], want_nchw=True)
        y = lw.b.node("Conv", [x, lw.b.const("chpad", eye)], "chpad", kernel_shape=[1, 1])
        lw.set_output(outs[0], y, nchw=True)
        return
    if rank == 4:
        order = [0, 3, 1, 2]
        paddings = paddings[order]
        x = lw.as_input(ins[0], want_nchw=True)
    else:
        x = lw.as_input(ins[0], want_nchw=None)
    pads = np.concatenate([paddings[:, 0], paddings[:, 1]]).astype(np.int64)
    y = lw.b.node("Pad", [x, lw.b.const("pads", pads)], "pad", mode="constant")
    lw.set_output(outs[0], y, nchw=rank == 4)


def _resize_bilinear(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    opts = options(op, tflite.ResizeBilinearOptions)
    if opts.AlignCorners():
        mode = "align_corners"
    elif opts.HalfPixelCenters():
        mode = "half_pixel"
    else:
        mode = "asymmetric"
    out_shape = lw.tfl.tensor_shape(outs[0])
    in_shape = lw.value(ins[0]).shape
    # Scales rather than sizes, so the graph also runs with another batch size.
    scales = np.array(
        [1.0, 1.0, out_shape[1] / in_shape[1], out_shape[2] / in_shape[2]], dtype=np.float32
    )
    x = lw.as_input(ins[0], want_nchw=True)
    y = lw.b.node(
        "Resize",
        [x, "", lw.b.const("scales", scales)],
        "resize",
        mode="linear",
        coordinate_transformation_mode=mode,
    )
    lw.set_output(outs[0], y, nchw=True)


def _reshape(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    out_shape = np.array(lw.tfl.tensor_shape(outs[0]), dtype=np.int64)
    if out_shape.size and out_shape[0] == 1:
        out_shape[0] = 0  # ONNX: copy the batch axis from the input
    x = lw.as_input(ins[0], want_nchw=False)  # raw memory order is NHWC's
    y = lw.b.node("Reshape", [x, lw.b.const("shape", out_shape)], "reshape")
    lw.set_output(outs[0], y, nchw=False)


def _concatenation(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    opts = options(op, tflite.ConcatenationOptions)
    rank = len(lw.tfl.tensor_shape(outs[0]))
    axis = opts.Axis() % rank
    if rank == 4:
        names = [lw.as_input(i, want_nchw=True) for i in ins]
        axis = _NHWC_TO_NCHW_AXIS[axis]
    else:
        names = [lw.as_input(i, want_nchw=False) for i in ins]
    y = lw.b.node("Concat", names, "concat", axis=axis)
    lw.set_output(outs[0], lw.activation(y, opts.FusedActivationFunction()), nchw=rank == 4)


def _mean(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    opts = options(op, tflite.ReducerOptions)
    axes = [int(a) % 4 for a in np.atleast_1d(lw.const_of(ins[1]))]
    in_rank = len(lw.value(ins[0]).shape)
    keep = bool(opts.KeepDims())
    if in_rank == 4 and not keep:
        # Reduce in NCHW, result has no spatial layout left when only H, W are reduced.
        if sorted(axes) != [1, 2]:
            raise ConversionError(f"MEAN over axes {axes} is not supported")
        x = lw.as_input(ins[0], want_nchw=True)
        y = lw.b.node("ReduceMean", [x], "mean", axes=[2, 3], keepdims=0)
        lw.set_output(outs[0], y, nchw=False)
        return
    x = lw.as_input(ins[0], want_nchw=False)
    y = lw.b.node("ReduceMean", [x], "mean", axes=axes, keepdims=int(keep))
    lw.set_output(outs[0], y, nchw=False)


def _fully_connected(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    opts = options(op, tflite.FullyConnectedOptions)
    weights = lw.const_of(ins[1]).astype(np.float32)  # [O, I]
    x = lw.as_input(ins[0], want_nchw=False)
    if len(lw.value(ins[0]).shape) != 2:
        flat = np.array([-1, weights.shape[1]], dtype=np.int64)
        x = lw.b.node("Reshape", [x, lw.b.const("flat", flat)], "fc_flat")
    inputs = [x, lw.b.const("fc_w", weights)]
    if len(ins) > 2 and ins[2] >= 0:
        inputs.append(lw.b.const("fc_b", lw.const_of(ins[2]).astype(np.float32)))
    y = lw.b.node("Gemm", inputs, "fc", transB=1)
    lw.set_output(outs[0], lw.activation(y, opts.FusedActivationFunction()), nchw=False)


def _logistic(lw: Lowering, op: Any, ins: list[int], outs: list[int]) -> None:
    v = lw.value(ins[0])
    y = lw.b.node("Sigmoid", [lw.as_input(ins[0], want_nchw=None)], "sigmoid")
    lw.set_output(outs[0], y, nchw=v.nchw)


# TFLite builtin operator name -> translation; anything else is a ConversionError.
OPERATORS: dict[str, OpTranslation] = {
    "DEQUANTIZE": _dequantize,
    "CONV_2D": _conv_2d,
    "DEPTHWISE_CONV_2D": _depthwise_conv_2d,
    "PRELU": _prelu,
    "ADD": _add,
    "MAX_POOL_2D": _max_pool_2d,
    "PAD": _pad,
    "RESIZE_BILINEAR": _resize_bilinear,
    "RESHAPE": _reshape,
    "CONCATENATION": _concatenation,
    "MEAN": _mean,
    "FULLY_CONNECTED": _fully_connected,
    "LOGISTIC": _logistic,
}
