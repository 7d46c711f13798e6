"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(action: Callable[[], object], runs: int, warm_up: bool = True) -> float:
    """Median wall time of ``action`` over ``runs`` calls (after one warm-up call unless told otherwise)."""
    if warm_up:
        action()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)
