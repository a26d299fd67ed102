"""Run gold items through pipelines and score every answer.

A pipeline is anything with a `name` and `answer(question, history)` (the `Pipeline` protocol): "ours" comes from
`rag.pipeline.load_pipeline`, "baseline" from `evals.baseline`, and tests pass fakes. Items with a `history` are
asked as a chat: each earlier question first, in order, with the questions before it as history, then the item's
question with the whole history. Latency is the wall clock around the item's own answer call.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from evals.gold import GoldItem
from evals.metrics import ItemScore, error_score, score_item
from rag.records import Answer
from settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Progress = Callable[[int, int], None]
QUESTION_FIELDS = ("question", "question_en")
PIPELINE_NAMES = ("ours", "baseline")
MODES = ("offline", "llm")


@runtime_checkable
class Pipeline(Protocol):
    """What the evals need from a question-answering pipeline."""

    name: str

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer `question`; `history` is the list of earlier user questions of the same chat, oldest first."""
        ...


@dataclass(frozen=True)
class PipelineResult:
    """One pipeline's answer to one item (None when the call raised) and its scores."""

    score: ItemScore
    answer: Answer | None


@dataclass(frozen=True)
class ItemRun:
    item: GoldItem
    question: str  # the question as asked (question or question_en)
    results: dict[str, PipelineResult]


@dataclass
class RunResult:
    """Everything a report needs: the pipelines in order (the first is the headline), the items, what was skipped."""

    pipelines: list[str]
    items: list[ItemRun]
    question_field: str = "question"
    skipped: list[str] = field(default_factory=list)
    settings_fingerprint: str = ""
    policy_fingerprint: str = ""

    def scores(self, pipeline: str) -> list[ItemScore]:
        return [run.results[pipeline].score for run in self.items]

    @property
    def errors(self) -> int:
        return sum(1 for run in self.items for r in run.results.values() if r.score.error)


def select_items(items: Sequence[GoldItem], question_field: str = "question", limit: int | None = None) -> tuple[list[GoldItem], list[str]]:
    """The items to run (in order, at most `limit`) and the ids skipped because they lack `question_field`."""
    if question_field not in QUESTION_FIELDS:
        raise ValueError(f"question field must be one of {', '.join(QUESTION_FIELDS)}, got {question_field!r}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    chosen = [i for i in items if question_field == "question" or i.question_en]
    kept = {i.id for i in chosen}
    skipped = [i.id for i in items if i.id not in kept]
    return chosen[:limit] if limit else chosen, skipped


def question_of(item: GoldItem, question_field: str) -> str:
    if question_field == "question_en" and item.question_en:
        return item.question_en
    return item.question


def ask(pipeline: Pipeline, item: GoldItem, question: str, clock: Clock = time.perf_counter) -> tuple[Answer, float]:
    """Ask the item's history through the pipeline, then its question; returns the answer and its latency (ms)."""
    asked: list[str] = []
    for earlier in item.history:
        pipeline.answer(earlier, tuple(asked))
        asked.append(earlier)
    started = clock()
    answer = pipeline.answer(question, tuple(asked))
    return answer, (clock() - started) * 1000


def run_item(pipeline: Pipeline, item: GoldItem, question: str, clock: Clock = time.perf_counter) -> PipelineResult:
    """Ask and score; an exception becomes an error row (reported, counted, never dropped)."""
    started = clock()
    try:
        answer, latency = ask(pipeline, item, question, clock)
    except Exception as err:  # one failing item must not lose the whole run
        log.error("pipeline failed on item", extra={"pipeline": pipeline.name, "item": item.id, "trace": traceback.format_exc()})
        return PipelineResult(error_score(item, f"{type(err).__name__}: {err}", (clock() - started) * 1000), None)
    return PipelineResult(score_item(item, answer, latency), answer)


def run_eval(
    pipelines: Sequence[Pipeline],
    items: Sequence[GoldItem],
    question_field: str = "question",
    clock: Clock = time.perf_counter,
    progress: Progress | None = None,
    skipped: Sequence[str] = (),
    settings_fingerprint: str = "",
    policy_fingerprint: str = "",
) -> RunResult:
    """Run every item through every pipeline (item by item, pipelines in order)."""
    if not pipelines:
        raise ValueError("no pipelines to evaluate: pass at least one")
    names = [p.name for p in pipelines]
    if len(set(names)) != len(names):
        raise ValueError(f"pipeline names must be unique, got {names}")
    runs: list[ItemRun] = []
    for done, item in enumerate(items, start=1):
        question = question_of(item, question_field)
        runs.append(ItemRun(item, question, {p.name: run_item(p, item, question, clock) for p in pipelines}))
        if progress:
            progress(done, len(items))
    return RunResult(names, runs, question_field, list(skipped), settings_fingerprint, policy_fingerprint)


# --- building the real pipelines -------------------------------------------------------------------------------


class PipelineUnavailable(RuntimeError):
    """A pipeline that cannot be built here; the message says why and what to do."""


def ensure_index(settings: Settings, embedder_factory: Callable[[], Any], say: Callable[[str], None] = print) -> None:
    """Build the ingest index for `settings` if it is missing (the whole bundled corpus, default settings)."""
    from index_format.generations import IndexFiles
    from ingest.embedders import cross_lingual_factory
    from ingest.pipeline import run_ingest

    if IndexFiles.of(settings).exists():
        return
    say(f"no index at {IndexFiles.of(settings).root.parent}: ingesting {settings.data_dir} (this embeds the corpus once)")

    def progress(done: int, total: int) -> None:
        if done % 640 == 0 or done == total:  # ten batches of 64 between lines
            say(f"  embedded {done}/{total} chunks")

    report = run_ingest(settings, embedder_factory, progress=progress,
                        cross_lingual_factory=cross_lingual_factory(settings.cross_lingual))
    if report.failed:
        raise PipelineUnavailable("ingest failed for: " + "; ".join(str(e) for e in report.failed))


def _import_load_pipeline() -> Callable[..., Pipeline]:
    try:
        from rag.pipeline import load_pipeline  # type: ignore[import-not-found,unused-ignore]
    except ImportError as err:
        raise PipelineUnavailable(
            f"cannot import rag.pipeline.load_pipeline ({err}): the answering pipeline is not available yet — "
            "run with --pipeline baseline, or finish rag/pipeline.py"
        ) from err
    return load_pipeline  # type: ignore[no-any-return]


def load_ours(mode: str) -> Pipeline:
    """Our pipeline, from `rag.pipeline.load_pipeline(mode=…)` (imported here: it is built separately)."""
    pipeline: Pipeline = _import_load_pipeline()(mode=mode)
    return pipeline


def default_factories(settings: Settings, mode: str, say: Callable[[str], None] = print) -> dict[str, Callable[[], Pipeline]]:
    """Factories for the real pipelines; they share one embedder, loaded on first use."""
    from ingest.embedders import make_embedder

    shared: dict[str, Any] = {}

    def embedder() -> Any:
        if "e" not in shared:
            shared["e"] = make_embedder(settings.embedder, settings.embed_model, models_dir=settings.models_dir)
        return shared["e"]

    def ours() -> Pipeline:
        _import_load_pipeline()  # fail in a second, not after building an index
        ensure_index(settings, embedder, say)
        return load_ours(mode)

    def baseline() -> Pipeline:
        from evals.baseline import build_persisted

        say(f"baseline: checking the index {settings.index_dir}/baseline-… (first build embeds the whole corpus)")
        pipeline = build_persisted(settings, embedder(), show_progress=True)
        if pipeline.report:
            say(f"baseline: {pipeline.report.files} files, {pipeline.report.reused_files} reused, "
                f"{pipeline.report.embedded_nodes} chunks embedded in {pipeline.report.seconds:.1f}s")
        return pipeline

    return {"ours": ours, "baseline": baseline}
