"""Question → (follow-up rewrite) → filters → hybrid retrieval → relevance gate → cited answer.

Dependencies (index, retriever, clock, composer settings) are injected; `load_pipeline` builds the default one
once per process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from functools import lru_cache

from rag.compose import compose
from rag.followup import rewrite
from rag.index import LoadedIndex, load_index
from rag.query import analyse
from rag.records import REFUSAL, Answer, Filters, Passage, Trace
from rag.retrieve import HybridRetriever, Retrieved, RetrievalConfig, keyword_coverage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Gate:
    """When retrieval found nothing relevant: the best of the top passages has keyword coverage below
    `min_coverage` AND dense similarity below `min_dense`. Calibrated on the dev gold set (README)."""

    min_coverage: float = 0.45
    min_dense: float = 0.86
    top: int = 3
    # A question naming one city whose words another city's documents match much better (by this margin of
    # coverage) is a wrong-city question: say so instead of answering from weak matches.
    wrong_city_margin: float = 0.25
    strong_coverage: float = 0.7


class Pipeline:
    name = "ours"

    def __init__(self, index: LoadedIndex, retriever: HybridRetriever | None = None, gate: Gate | None = None,
                 today: Callable[[], date] = date.today, mode: str = "offline") -> None:
        self.index = index
        self.retriever = retriever or HybridRetriever(index)
        self.gate = gate or Gate()
        self.today = today
        self.mode = mode

    def relevance(self, question: str, retrieved: Retrieved) -> tuple[float, float]:
        """(best keyword coverage, best dense similarity) over the top passages that were retrieved directly."""
        direct = [p for p in retrieved.passages if not p.widened][: self.gate.top]
        idf = self.index.bigram_idf
        coverage = max((keyword_coverage(question, self._context(p), idf) for p in direct), default=0.0)
        dense_scores = dict(retrieved.legs.get("dense", []))
        dense = max((dense_scores.get(p.chunk_id, 0.0) for p in direct), default=0.0)
        return coverage, dense

    def _context(self, p: Passage) -> str:
        return " ".join([p.doc_title, *p.headings, p.text])

    def _relevant(self, question: str, retrieved: Retrieved) -> bool:
        if not retrieved.passages:
            return False
        coverage, dense = self.relevance(question, retrieved)
        return coverage >= self.gate.min_coverage or dense >= self.gate.min_dense

    def _wrong_city(self, question: str, city: str | None, filters: Filters, retrieved: Retrieved) -> Retrieved | None:
        """The unfiltered retrieval when another city's documents answer the question much better."""
        if not city:
            return None
        wider = self.retriever.retrieve(question, replace(filters, city=None))
        if not wider.passages or wider.passages[0].city == city:
            return None
        mine = self.relevance(question, retrieved)[0] if retrieved.passages else 0.0
        theirs = self.relevance(question, wider)[0]
        if theirs - mine >= self.gate.wrong_city_margin and mine < self.gate.strong_coverage:
            return wider
        return None

    def answer(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        question = question.strip()
        standalone = rewrite(question, list(history))
        facts = analyse(standalone)
        filters = filters or Filters()
        notes: list[str] = []
        if facts.city and not filters.city:
            filters = replace(filters, city=facts.city)
            notes.append(f"问题提到{facts.city}，只检索{facts.city}的文件")
        if not question or facts.other_city:
            reason = f"文件库中没有{facts.other_city}的文件" if facts.other_city else "问题为空"
            return self._refuse(question, standalone, filters, None, [reason], started)
        retrieved = self.retriever.retrieve(standalone, filters)
        t_retrieve = time.perf_counter()
        wrong_city = self._wrong_city(standalone, facts.city, filters, retrieved) if facts.city == filters.city else None
        if wrong_city is not None:
            other = wrong_city.passages[0]
            notes.append(f"{facts.city}的文件中没有找到；{other.city}的《{other.doc_title}》有相关规定，但不适用于{facts.city}")
            return self._refuse(question, standalone, filters, wrong_city, notes, started)
        if not self._relevant(standalone, retrieved):
            return self._refuse(question, standalone, filters, retrieved, notes, started)
        composition = compose(standalone, retrieved.passages, retrieved.groups, self.today(), facts.step)
        finished = time.perf_counter()
        trace = self._trace(question, standalone, filters, retrieved, notes)
        return Answer(
            question=question, text=composition.text, citations=composition.citations,
            passages=tuple(retrieved.passages), refused=False, trace=trace, notices=composition.notices,
            mode=self.mode, timings={"retrieve_ms": (t_retrieve - started) * 1000, "compose_ms": (finished - t_retrieve) * 1000,
                                     "total_ms": (finished - started) * 1000},
        )

    def _trace(self, question: str, standalone: str, filters: Filters, retrieved: Retrieved | None, notes: list[str]) -> Trace:
        return Trace(
            question=question, rewritten=standalone,
            filters={k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(filters).items() if v is not None},
            legs=retrieved.legs if retrieved else {}, fused=retrieved.fused if retrieved else [],
            widened=retrieved.widened if retrieved else [], notes=notes,
        )

    def _refuse(self, question: str, standalone: str, filters: Filters, leads: Retrieved | None, notes: list[str], started: float) -> Answer:
        lines = [REFUSAL]
        lines.extend(notes)
        passages = tuple(leads.passages) if leads else ()
        docs: list[str] = []
        for p in passages:
            name = f"《{p.doc_title}》{p.doc_number}"
            if name not in docs:
                docs.append(name)
        if docs:
            lines.append("可能相关的文件：" + "；".join(docs[:3]))
        finished = time.perf_counter()
        return Answer(
            question=question, text="\n".join(lines), citations=(), passages=passages, refused=True,
            trace=self._trace(question, standalone, filters, leads, notes), mode=self.mode,
            timings={"retrieve_ms": (finished - started) * 1000, "compose_ms": 0.0, "total_ms": (finished - started) * 1000},
        )


@lru_cache(maxsize=2)
def load_pipeline(mode: str = "offline") -> Pipeline:
    """The default pipeline for the current settings, loaded once per process."""
    from ingest.settings import Settings

    if mode != "offline":
        raise ValueError(f"mode {mode!r} is not available: this version answers offline only (mode='offline')")
    return Pipeline(load_index(Settings()), mode=mode)


__all__ = ["Gate", "Pipeline", "RetrievalConfig", "load_pipeline"]
