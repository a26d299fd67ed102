"""The runner: chat history asked in order, latency around the item's own call, failures kept as rows.

`FakePipeline` (a scripted pipeline that records its calls) is used by the report tests too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from evals.runner import Pipeline, PipelineUnavailable, ask, ensure_index, load_ours, run_eval, select_items
from rag.records import Answer
from settings import Settings
from tests.evals.test_metrics import answer, gold_item, passage, ranked_with_evidence_at

Script = Callable[[str, tuple[str, ...]], Answer]


class FakePipeline:
    """Answers with `script(question, history)`, records every call, and advances `clock` by `cost` seconds per call."""

    def __init__(self, name: str, script: Script | None = None, clock: FakeClock | None = None, cost: float = 0.0) -> None:
        self.name = name
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self._script = script or (lambda q, h: answer([passage("S1", "无关内容。")], "不知道", question=q))
        self._clock = clock
        self._cost = cost

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        self.calls.append((question, tuple(history)))
        if self._clock:
            self._clock.now += self._cost
        return self._script(question, tuple(history))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_fake_pipeline_satisfies_the_protocol() -> None:
    assert isinstance(FakePipeline("ours"), Pipeline)


def test_history_questions_are_asked_first_in_order_with_the_history_so_far() -> None:
    fake = FakePipeline("ours")
    item = gold_item(question="第三步具体做什么？", history=["流程有哪些环节？", "第二步呢？"])
    ask(fake, item, item.question)
    assert fake.calls == [("流程有哪些环节？", ()), ("第二步呢？", ("流程有哪些环节？",)),
                          ("第三步具体做什么？", ("流程有哪些环节？", "第二步呢？"))]


def test_each_item_starts_a_new_chat_for_each_pipeline() -> None:
    ours, base = FakePipeline("ours"), FakePipeline("baseline")
    items = [gold_item("a-1", question="问一", history=["前问"]), gold_item("a-2", question="问二")]
    run_eval([ours, base], items)
    expected = [("前问", ()), ("问一", ("前问",)), ("问二", ())]
    assert ours.calls == expected and base.calls == expected


def test_latency_is_the_wall_clock_around_the_items_own_answer_call() -> None:
    clock = FakeClock()
    fake = FakePipeline("ours", clock=clock, cost=0.25)
    run = run_eval([fake], [gold_item(history=["前问一", "前问二"])], clock=clock)
    assert run.items[0].results["ours"].score.latency_ms == pytest.approx(250.0)  # not 750: history calls excluded


def test_question_en_asks_the_english_question_and_skips_items_without_one() -> None:
    items = [gold_item("a-1", question="中文", question_en="In English?"), gold_item("a-2", question="只有中文")]
    chosen, skipped = select_items(items, "question_en")
    assert [i.id for i in chosen] == ["a-1"] and skipped == ["a-2"]
    fake = FakePipeline("ours")
    run_eval([fake], chosen, "question_en")
    assert fake.calls == [("In English?", ())]


def test_limit_keeps_the_first_n_items_in_file_order() -> None:
    items = [gold_item(f"a-{i}") for i in range(5)]
    assert [i.id for i in select_items(items, limit=2)[0]] == ["a-0", "a-1"]
    with pytest.raises(ValueError, match="limit must be >= 1"):
        select_items(items, limit=0)


def test_an_answer_call_that_raises_becomes_an_error_row_and_the_run_goes_on() -> None:
    def script(question: str, history: tuple[str, ...]) -> Answer:
        if question == "坏":
            raise RuntimeError("index closed")
        return answer(ranked_with_evidence_at(1), "18元/平方米 [S1]", cited=["S1"], question=question)

    run = run_eval([FakePipeline("ours", script)], [gold_item("a-1", question="坏"), gold_item("a-2", question="好")])
    bad, good = (r.results["ours"] for r in run.items)
    assert bad.answer is None and bad.score.error == "RuntimeError: index closed" and bad.score.problems[0].startswith("error")
    assert good.score.hit_at_1 and run.errors == 1


def test_pipelines_must_have_unique_names() -> None:
    with pytest.raises(ValueError, match="unique"):
        run_eval([FakePipeline("ours"), FakePipeline("ours")], [gold_item()])


def test_missing_rag_pipeline_is_a_clear_error_naming_the_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rag.pipeline", None)  # makes `from rag.pipeline import …` raise ImportError
    with pytest.raises(PipelineUnavailable, match="--pipeline baseline"):
        load_ours("offline")


def test_ours_is_loaded_through_load_pipeline_with_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    module = types.ModuleType("rag.pipeline")
    seen: list[str] = []

    def load_pipeline(mode: str = "offline") -> Pipeline:
        seen.append(mode)
        return FakePipeline("ours")

    module.load_pipeline = load_pipeline  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rag.pipeline", module)
    assert load_ours("llm").name == "ours" and seen == ["llm"]


def test_index_is_built_only_when_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.pipeline
    from index_format.generations import IndexFiles
    from ingest.pipeline import IngestReport

    calls: list[Settings] = []

    def fake_ingest(settings: Settings, embedder_factory: Callable[[], object], **kwargs: object) -> IngestReport:
        calls.append(settings)
        IndexFiles.of(settings).root.mkdir(parents=True)
        IndexFiles.of(settings).manifest.write_text("{}", encoding="utf-8")
        return IngestReport()

    monkeypatch.setattr(ingest.pipeline, "run_ingest", fake_ingest)
    settings = Settings(index_dir=tmp_path / "index")
    ensure_index(settings, lambda: None, say=lambda m: None)
    ensure_index(settings, lambda: None, say=lambda m: None)
    assert calls == [settings]


def test_ours_fails_fast_without_building_an_index_when_rag_pipeline_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.pipeline
    from evals.runner import default_factories

    ingested: list[Settings] = []
    monkeypatch.setattr(ingest.pipeline, "run_ingest", lambda settings, *a, **k: ingested.append(settings))
    monkeypatch.setitem(sys.modules, "rag.pipeline", None)
    factories = default_factories(Settings(index_dir=tmp_path / "index"), "offline", say=lambda m: None)
    with pytest.raises(PipelineUnavailable):
        factories["ours"]()
    assert ingested == []  # the corpus is not embedded for a pipeline that cannot load
