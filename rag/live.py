"""A pipeline that follows the published index generation, so a long-running app answers from a re-ingest
without a restart (and never from a generation the ingest has since pruned).

Every `check_every_s` seconds a question looks at the index's CURRENT pointer (one small file read). When another
generation was published, one caller loads it (documents, chunks, keyword index, the new Chroma collection; the
query embedder, LLM client and reranker are reused) while the others keep answering from the loaded one; then
the new pipeline replaces it in one assignment. A failed load keeps the old pipeline and is retried later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from index_format.generations import Generations
from rag.index import LoadedIndex
from rag.pipeline import Pipeline
from rag.records import Answer, Filters
from settings import Settings

log = logging.getLogger(__name__)


class FollowingPipeline:
    """Answers like `Pipeline` (stream, answer, index, mode) from the newest published generation."""

    def __init__(self, pipeline: Pipeline, generations: Generations, load: Callable[[], LoadedIndex],
                 build: Callable[[LoadedIndex], Pipeline], check_every_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._pipeline = pipeline
        self._generations = generations
        self._load = load
        self._build = build
        self._every = check_every_s
        self._clock = clock
        self._checked = clock()
        self._lock = threading.Lock()
        self.generation = pipeline.index.generation
        self.reloads = 0

    @property
    def index(self) -> LoadedIndex:
        return self._pipeline.index

    @property
    def mode(self) -> str:
        return self._pipeline.mode

    def current(self) -> Pipeline:
        now = self._clock()
        if now - self._checked >= self._every and self._lock.acquire(blocking=False):
            try:
                self._checked = now
                self._follow()
            finally:
                self._lock.release()
        return self._pipeline

    def follow_now(self) -> None:
        """Look at the index pointer now instead of at the next timed check: a staff upload that just published a
        generation is answered from at once. Waits for a load another caller has under way."""
        with self._lock:
            self._checked = self._clock()
            self._follow()

    def _follow(self) -> None:
        try:
            published = self._generations.current()
        except (OSError, ValueError, KeyError) as err:  # a pointer being replaced, or damaged: keep answering
            log.warning("cannot read the index pointer", extra={"error": repr(err)})
            return
        if published is None or published == self.generation:
            return
        try:
            pipeline = self._build(self._load())
        except Exception as err:  # keep the loaded generation; the next check retries
            log.error("loading the new index generation failed", extra={"generation": published, "error": repr(err)})
            return
        self._pipeline, self.generation = pipeline, pipeline.index.generation
        self.reloads += 1
        log.info("now answering from the new index generation", extra={"generation": published})

    def stream(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Iterator[str | Answer]:
        return self.current().stream(question, history, filters)

    def answer(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        return self.current().answer(question, history, filters)


def follow(pipeline: Pipeline, settings: Settings, check_every_s: float = 5.0,
           clock: Callable[[], float] = time.monotonic) -> FollowingPipeline:
    """`pipeline`, following re-ingests of the index for `settings` with the same retriever settings, gate,
    clock, LLM client, reranker and query embedder."""
    from rag.index import load_index
    from rag.retrieve import HybridRetriever

    def load() -> LoadedIndex:
        return load_index(settings, embed_query=pipeline.index.embed_query, embed_query_cross=pipeline.index.embed_query_cross)

    def build(index: LoadedIndex) -> Pipeline:
        retriever = HybridRetriever(index, pipeline.retriever.config, reranker=pipeline.retriever.reranker,
                                    ranker=pipeline.retriever.ranker)
        return Pipeline(index, retriever=retriever, policy=pipeline.policy, today=pipeline.today, llm=pipeline.llm)

    return FollowingPipeline(pipeline, Generations.of(settings), load, build, check_every_s, clock)
