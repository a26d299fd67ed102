"""Sweeping one threshold: every item answered once per value, the value chosen by stratified k-fold CV."""

from __future__ import annotations

from dataclasses import replace

from evals.sweep import cross_validate, sweep, with_value
from rag.policy import PolicyConfig
from tests.evals.test_metrics import answer, gold_item, passage
from tests.evals.test_runner import FakePipeline


def _items() -> list:
    # the question carries the relevance a real pipeline would measure; answerable items score 0.5–0.9,
    # unanswerable ones 0.1–0.3
    answerable = [gold_item(f"a-{i}", question=f"{0.5 + 0.1 * (i % 5):.1f}") for i in range(20)]
    unanswerable = [gold_item(f"u-{i}", kind="unanswerable", question=f"{0.1 + 0.1 * (i % 3):.1f}") for i in range(10)]
    return answerable + unanswerable


def _refusing_below(value: float) -> FakePipeline:
    def script(question: str, history: tuple[str, ...]) -> object:
        if float(question) < value:
            return answer([], refused=True, question=question)
        return answer([passage("S1", "征收住宅房屋，搬迁补助费 18元/平方米")], "18元/平方米 [S1]", cited=["S1"], question=question)

    return FakePipeline("ours", script)  # type: ignore[arg-type]


def test_each_value_answers_every_item_once_and_cv_picks_a_separating_value() -> None:
    items = _items()
    outcomes = sweep(items, _refusing_below, (0.2, 0.45, 0.8))
    assert [len(o.scores) for o in outcomes] == [30, 30, 30]
    refused = {o.value: sum(s.refused for s in o.scores.values()) for o in outcomes}
    assert refused == {0.2: 4, 0.45: 10, 0.8: 22}  # 0.45 refuses exactly the unanswerable items
    folds = cross_validate(items, outcomes, current=0.2)
    assert [f["value"] for f in folds] == [0.45] * 5
    assert all(f["refusal"] == 1.0 and f["false_refusal"] == 0.0 for f in folds)


def test_ties_keep_the_current_value() -> None:
    items = _items()
    outcomes = sweep(items, _refusing_below, (0.35, 0.45))  # both separate the classes
    assert {f["value"] for f in cross_validate(items, outcomes, current=0.45)} == {0.45}


def test_a_threshold_is_changed_alone_and_keeps_its_type() -> None:
    changed = with_value(PolicyConfig(), "min_subject_chars", 3.0)
    assert isinstance(changed, PolicyConfig) and changed.min_subject_chars == 3 and isinstance(changed.min_subject_chars, int)
    assert changed.min_coverage == PolicyConfig().min_coverage


def test_a_sweep_asks_the_field_it_is_given() -> None:
    # the English question carries another relevance than the Chinese one: the sweep must ask the one named
    items = [replace(i, question_en=f"{min(float(i.question) + 0.3, 0.9):.1f}") for i in _items()]
    chinese = sweep(items, _refusing_below, (0.45,))[0]
    english = sweep(items, _refusing_below, (0.45,), field="question_en")[0]
    assert sum(s.refused for s in chinese.scores.values()) == 10
    assert sum(s.refused for s in english.scores.values()) == 4  # only the four 0.1 ones, asked as 0.4, stay below
