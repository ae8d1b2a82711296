"""Timing helper shared by the benchmarks: the median of several wall-clock runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

REPEATS = 7


def median_s(fn: Callable[[], object], repeats: int = REPEATS, *, warmup: bool = True) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``fn`` (after one untimed call that
    pays for imports and caches, unless ``warmup=False``)."""
    if warmup:
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
