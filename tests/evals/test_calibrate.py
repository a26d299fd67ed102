"""Threshold calibration from a report's per-item signals: exact outcomes for any thresholds, stratified k-fold."""

from __future__ import annotations

from evals.calibrate import Row, best, cross_validate, rates
from rag.policy import Signals


def _row(i: int, answerable: bool, coverage: float, dense: float = 0.8, other: bool = False, named: bool = False) -> Row:
    return Row(f"i-{i}", answerable, Signals(coverage, dense, named, False, 8), other)


# answerable items cover the question well (0.5–0.9), unanswerable ones poorly (0.1–0.35): a clean cut near 0.4
ROWS = ([_row(i, True, 0.5 + 0.02 * (i % 20)) for i in range(40)] + [_row(100 + i, False, 0.1 + 0.025 * i) for i in range(10)])


def test_outcomes_follow_the_thresholds_and_other_rules_refuse_whatever_they_are() -> None:
    rows = [_row(1, True, 0.5), _row(2, False, 0.3), _row(3, False, 0.9, other=True), _row(4, True, 0.1, named=True)]
    assert rates(rows, 0.4, 0.99) == rates(rows, 0.45, 0.99)
    got = rates(rows, 0.4, 0.99)
    assert (got.refusal, got.false_refusal) == (1.0, 0.0)  # 2 refused by coverage, 3 by its other rule; 4 is named
    assert rates(rows, 0.6, 0.99).false_refusal == 0.5  # now 1 falls under the coverage floor


def test_the_best_thresholds_separate_the_classes() -> None:
    c, d = best(ROWS)
    got = rates(ROWS, c, d)
    assert 0.325 < c <= 0.5 and d > 0.8 and got.refusal == 1.0 and got.false_refusal == 0.0
    assert (c, d) == (0.35, 0.805)  # of the tied points, the most permissive


def test_cross_validation_holds_out_every_item_once_with_both_classes_in_each_fold() -> None:
    folds = cross_validate(ROWS, k=5)
    assert len(folds) == 5
    assert sum(f["held_answerable"] for f in folds) == 40 and sum(f["held_unanswerable"] for f in folds) == 10
    assert all(f["held_unanswerable"] == 2 for f in folds)
    assert all(f["false_refusal"] == 0.0 for f in folds)
    # thresholds chosen without a fold's items can miss its hardest unanswerable item: that is what CV shows
    assert sum(f["refusal"] for f in folds) / 5 >= 0.8
