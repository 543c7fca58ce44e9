"""Per-stage timings: each model stage is preprocess -> infer -> postprocess, each timed."""

from __future__ import annotations


def add_stage_times(
    timings: dict[str, float] | None, stage: str, t0: float, t1: float, t2: float, t3: float
) -> None:
    """Add ``stage``_pre/_infer/_post milliseconds from four ``perf_counter`` readings
    (summed when a stage runs more than once in a frame)."""
    if timings is None:
        return
    for part, start, end in (("pre", t0, t1), ("infer", t1, t2), ("post", t2, t3)):
        key = f"{stage}_{part}"
        timings[key] = timings.get(key, 0.0) + (end - start) * 1e3
