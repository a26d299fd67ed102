"""Latency summaries shared by the benchmarks: p50/p95/max in milliseconds, with evals' percentile definition."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from evals.metrics import percentile


def summarize_ms(values_ms: Sequence[float]) -> dict[str, float | int | None]:
    """n, p50, p95, max and mean of latencies in milliseconds (None when there are none), rounded to 0.01 ms."""
    if not values_ms:
        return {"n": 0, "p50": None, "p95": None, "max": None, "mean": None}

    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 2)

    return {"n": len(values_ms), "p50": r(percentile(values_ms, 50)), "p95": r(percentile(values_ms, 95)),
            "max": r(max(values_ms)), "mean": r(sum(values_ms) / len(values_ms))}


class Stopwatch:
    """Named durations: `with watch("add"): ...` adds the elapsed seconds to watch.seconds["add"]."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def rate(count: int, seconds: float) -> float | None:
    """count / seconds, rounded to 0.1; None for no time."""
    return round(count / seconds, 1) if seconds > 0 else None
