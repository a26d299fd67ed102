"""The latency benchmark reads the pipeline's own per-stage timings, after a warm-up pass."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from evals.gold import GoldItem
from evals.latency import measure


class _TimedFake:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def answer(self, question: str, history: Sequence[str] = ()) -> Any:
        self.calls.append((question, tuple(history)))
        n = len(self.calls)

        return SimpleNamespace(timings={"retrieve_ms": float(n), "compose_ms": 1.0, "total_ms": float(n) + 1.0})


def test_latency_warms_up_then_reports_percentiles_per_stage() -> None:
    items = [GoldItem(id=f"x{i}", question=f"问题{i}", kind="fact", answer="", key_facts=(), evidence="", extra_evidence=(),
                      doc_number="", locator="", source="t:1", question_en=None, history=("前一问",) if i == 0 else ()) for i in range(2)]
    fake = _TimedFake()
    result = measure(fake, items, rounds=2)
    assert len(fake.calls) == 6 and fake.calls[0] == ("问题0", ("前一问",))
    assert result["retrieve_ms"]["n"] == 4 and result["retrieve_ms"]["p50"] == 4.5  # calls 3..6 are timed
    assert result["compose_ms"]["p95"] == 1.0
