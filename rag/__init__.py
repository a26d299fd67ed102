"""Question answering with citations: `rag.answer(question, history=(), filters=None) -> Answer`."""

from __future__ import annotations

from collections.abc import Sequence

from rag.records import REFUSAL, Answer, Citation, Filters, Passage, Trace

__all__ = ["REFUSAL", "Answer", "Citation", "Filters", "Passage", "Trace", "answer"]


def answer(question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
    """Answer with the default pipeline (index loaded once per process)."""
    from rag.pipeline import load_pipeline

    return load_pipeline().answer(question, history, filters)
