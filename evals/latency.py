"""Warm per-question latency of our pipeline over a gold set: retrieval and answer composition separately.

A benchmark, not a test: one warm-up pass, then `rounds` timed passes; p50/p95 of Answer.timings per stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals.gold import GoldItem
from evals.metrics import percentile


def measure(pipeline: Any, items: Sequence[GoldItem], rounds: int = 3) -> dict[str, dict[str, float | None]]:
    def ask(item: GoldItem) -> dict[str, float]:
        return dict(pipeline.answer(item.question, list(item.history or ())).timings)

    for item in items:  # warm-up: index, tokenizer and model caches
        ask(item)
    stages: dict[str, list[float]] = {"retrieve_ms": [], "compose_ms": [], "total_ms": []}
    for _ in range(rounds):
        for item in items:
            timings = ask(item)
            for stage in stages:
                stages[stage].append(timings.get(stage, 0.0))
    return {stage: {"p50": percentile(v, 50), "p95": percentile(v, 95), "n": float(len(v))} for stage, v in stages.items()}
