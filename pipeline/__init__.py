"""HandCue perception and decision core.

Plain Python + numpy + onnxruntime. Nothing in this package may import Qt or pynput at module
level: the GUI lives in ``app`` and input injection sits behind ``pipeline.actions.InputSink``.
"""
