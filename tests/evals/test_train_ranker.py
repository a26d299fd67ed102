"""Fitting the learned ranker: labels from the evidence quote, list metrics, folds, the fit and its report."""

from __future__ import annotations

import random

import pytest

from evals.gold import GoldItem
from evals.train_ranker import Question, collect, cross_validate, folds_of, list_metrics, render, train
from rag.ranker import FEATURES


def _item(item_id: str, evidence: str, kind: str = "fact") -> GoldItem:
    return GoldItem(item_id, "问题？", kind, "答案", (), evidence, (), "", "", "gold.jsonl:1")


def test_collect_labels_the_candidates_whose_text_supports_the_evidence_and_skips_unanswerable_items() -> None:
    texts = {"c1": "第十二条 搬迁补助费18元/平方米。", "c2": "第十三条 临时安置补助费。", "c3": "搬迁补助费 18 元／平方米"}
    items = [_item("a", "搬迁补助费18元/平方米"), _item("u", "", kind="unanswerable")]
    seen: list[str] = []

    def candidates(item: GoldItem) -> tuple[list[str], list[list[float]]]:
        seen.append(item.id)
        return ["c1", "c2", "c3"], [[float(i)] * len(FEATURES) for i in range(3)]

    (q,) = collect(items, candidates, texts.__getitem__)
    assert seen == ["a"] and q.labels == (True, False, True)  # spacing and full-width forms still match
    assert q.ids == ("c1", "c2", "c3") and q.rows[2][0] == 2.0


def test_list_metrics_rank_by_score_and_count_a_miss_as_zero() -> None:
    questions = [Question("a", ("x", "y", "z"), ((0.0,),) * 3, (False, True, False)),
                 Question("b", ("x", "y"), ((0.0,),) * 2, (False, False))]
    assert list_metrics(questions, [[3.0, 1.0, 2.0], [1.0, 0.0]]) == {"mrr_at_10": pytest.approx((1 / 3) / 2),
                                                                       "hit_at_1": 0.0, "hit_at_5": 0.5}
    assert list_metrics(questions[:1], [[0.0, 5.0, 0.0]])["hit_at_1"] == 1.0
    assert list_metrics(questions[:1], [[1.0, 1.0, 1.0]])["mrr_at_10"] == 0.5  # ties keep the fused order


def test_folds_keep_each_question_whole_and_are_deterministic() -> None:
    questions = [Question(f"q{i:02d}", (), (), ()) for i in range(12)]
    folds = folds_of(list(reversed(questions)), 5)
    assert folds == folds_of(list(reversed(questions)), 5)
    assert sorted(folds.count(f) for f in range(5)) == [2, 2, 2, 3, 3]


def _synthetic(n: int, seed: int = 7) -> list[Question]:
    """Candidate lists where the evidence has the highest coverage but sits anywhere in the fused order."""
    rng = random.Random(seed)
    cov = FEATURES.index("cov_all")
    out = []
    for i in range(n):
        size = 10
        gold = rng.randrange(size)
        rows = []
        for r in range(size):
            row = [rng.random() for _ in FEATURES]
            row[cov] = 0.9 if r == gold else rng.random() * 0.6
            rows.append(tuple(row))
        out.append(Question(f"q{i:03d}", tuple(f"c{r}" for r in range(size)), tuple(rows),
                            tuple(r == gold for r in range(size))))
    return out


def test_training_learns_the_informative_feature_and_beats_the_fused_order_held_out() -> None:
    questions = _synthetic(60)
    model, runs = train(questions, depth=10, grid=(0.3, 1.0), k=3)
    assert set(runs) == {0.3, 1.0} and all(len(folds) == 3 for folds in runs.values())
    weights = dict(zip(model.names, model.weights, strict=True))
    assert max(weights, key=lambda name: weights[name]) == "cov_all"
    assert model.trained["learned_mrr_at_10"] > 0.95 > model.trained["fused_mrr_at_10"]
    assert model.trained["questions"] == 60 and model.trained["candidates"] == 600 and model.trained["evidence_rows"] == 60
    report = render(model, runs, "dev_x.jsonl")
    assert "| cov_all | +" in report and "dev_x.jsonl" in report and report.count("\n| 2 | ") == 1


def test_held_out_folds_never_see_their_own_questions() -> None:
    questions = _synthetic(30)
    folds = cross_validate(questions, 1.0, depth=10, k=3)
    assert [f["n"] for f in folds] == [10, 10, 10]


def test_a_split_without_evidence_in_its_candidates_cannot_be_fitted() -> None:
    questions = [Question("a", ("x",), (tuple([0.0] * len(FEATURES)),), (False,))] * 6
    with pytest.raises(ValueError, match="nothing to fit"):
        train(questions, depth=10, grid=(1.0,), k=2)
