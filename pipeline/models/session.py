"""One wrapper around onnxruntime sessions: provider choice, threads, warm-up."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import HandCueError
from pipeline.models.manifest import check_model_file

PROVIDER_ALIASES = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "directml": "DmlExecutionProvider",
    "dml": "DmlExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
}


def resolve_providers(choice: str, available: list[str]) -> list[str]:
    """Providers to ask onnxruntime for, best first, CPU always last as the fallback.

    ``auto``: DirectML on Windows, CUDA when present, else CPU. An explicit name that is not
    available is a user error (it names what is)."""
    choice = (choice or "auto").lower()
    if choice == "auto":
        preferred = []
        if sys.platform == "win32" and "DmlExecutionProvider" in available:
            preferred.append("DmlExecutionProvider")
        if "CUDAExecutionProvider" in available:
            preferred.append("CUDAExecutionProvider")
    else:
        name = PROVIDER_ALIASES.get(choice, choice)
        if name not in available:
            raise HandCueError(
                f"execution provider {choice!r} is not available here; available: "
                + ", ".join(["auto", *available])
            )
        preferred = [name]
    return [*dict.fromkeys([*preferred, "CPUExecutionProvider"])]


def import_onnxruntime() -> Any:
    """``import onnxruntime`` with its telemetry off.

    On import, onnxruntime (1.2x+) starts Microsoft's telemetry client, which writes
    ``deviceid`` and ``onnxruntime.db`` under ``~/.cache/Microsoft/DeveloperTools/.onnxruntime``
    on every start, outside HandCue's folders. ``ORT_DISABLE_TELEMETRY=1`` set before the import
    stops it (checked: no file appears); a value the user set is kept. Import onnxruntime only
    through this function."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime

    return onnxruntime


class InferenceSession:
    """A model ready to run. ``run`` takes and returns float32 arrays by tensor name. One of
    the manifest's models is refused (ModelsMissingError) when it does not match its checksum.

    Thread: used from the tracker's thread only (onnxruntime sessions are thread-safe for run,
    but we keep one owner)."""

    def __init__(self, path: Path, provider: str = "auto", threads: int = 0) -> None:
        # A damaged model loads without complaint and reads hands wrong: an installed model
        # is checked against its checksum first (cached by size and modification time).
        check_model_file(Path(path))
        ort = import_onnxruntime()

        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        if threads > 0:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # Worker threads sleep instead of spin-waiting between runs: the tracker idles between
        # camera frames and the CPU belongs to the user's own work (and to the GUI thread).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        providers = resolve_providers(provider, ort.get_available_providers())
        try:
            self._session = ort.InferenceSession(str(path), sess_options=opts, providers=providers)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise HandCueError(
                f"could not load model {path}: {exc}\nReinstall it with:  handcue models install --force",
                3,
            ) from exc
        self.path = Path(path)
        self.provider = self._session.get_providers()[0]
        self.input_name = self._session.get_inputs()[0].name
        # A symbolic batch axis ("batch") counts as 1 for warm-up.
        self.input_shape = tuple(
            d if isinstance(d, int) else 1 for d in self._session.get_inputs()[0].shape
        )
        self.output_names = [o.name for o in self._session.get_outputs()]
        self.warm_up()

    def warm_up(self) -> None:
        """One run on zeros so the first real frame does not pay for lazy initialisation."""
        self.run(np.zeros(self.input_shape, dtype=np.float32))

    def run(self, tensor: np.ndarray) -> dict[str, np.ndarray]:
        outputs = self._session.run(self.output_names, {self.input_name: tensor})
        return dict(zip(self.output_names, outputs, strict=True))
