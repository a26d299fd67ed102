"""Sweep one answer-policy threshold over a grid on the dev split, and choose it by k-fold cross-validation.

For each value the dev items are answered again by our pipeline with only that threshold changed (the index and
the retriever are loaded once), and each item's outcome is kept: refused or not, and the metrics of its answer.
Cross-validation then picks, on k−1 folds, the value with the highest refusal rate − false refusal rate (Youden's
J; ties to the current value, then to the value nearest it) and scores it on the held-out fold. Run it on the dev
split only: the test split measures, it never chooses.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from evals.calibrate import stratified_folds
from evals.gold import GoldItem
from evals.metrics import ItemScore
from evals.runner import Pipeline, run_item

GRIDS: dict[str, tuple[float, ...]] = {
    "min_coverage": (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60),
    "min_dense": (0.84, 0.86, 0.88, 0.90, 0.92, 1.01),
    "wrong_city_margin": (0.05, 0.10, 0.15, 0.20, 0.25, 0.30),
    "wrong_city_margin_cross": (0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.15, 1.01),  # English: --question-field question_en
    "strong_coverage": (0.5, 0.6, 0.7, 0.8, 0.9, 1.01),
    "min_subject_chars": (2, 3, 4, 5, 6),
    "subject_share": (0.5, 0.6, 0.75, 0.9, 1.0),
    "min_title_chars": (4, 5, 6, 8, 10),
    "top": (1, 2, 3, 4, 5),
}
"""The values tried per threshold of `rag.policy.PolicyConfig` (1.01: the test is off)."""


@dataclass(frozen=True)
class Outcome:
    value: float
    scores: dict[str, ItemScore]  # item id → score


def _j(scores: Sequence[ItemScore]) -> tuple[float, float, float]:
    unans = [s.refused for s in scores if not s.answerable]
    ans = [s.refused for s in scores if s.answerable]
    refusal = sum(unans) / len(unans) if unans else 0.0
    false = sum(ans) / len(ans) if ans else 0.0
    return refusal - false, refusal, false


def sweep(items: Sequence[GoldItem], make: Callable[[float], Pipeline], values: Sequence[float],
          field: str = "question") -> list[Outcome]:
    """Answer every item once per value (`make(value)` builds the pipeline with that threshold), asking its
    `field` (`question`, or `question_en`: the items without one are left out by the caller)."""
    out = []
    for value in values:
        pipeline = make(value)
        out.append(Outcome(value, {i.id: run_item(pipeline, i, getattr(i, field)).score for i in items}))
    return out


def cross_validate(items: Sequence[GoldItem], outcomes: Sequence[Outcome], current: float, k: int = 5) -> list[dict[str, float]]:
    """Per fold: the value chosen on the other folds and its held-out J, refusal and false refusal
    (`evals.calibrate.stratified_folds`)."""
    folds = stratified_folds(((i.id, i.answerable) for i in items), k)
    rows = []
    for f in range(k):
        def on(o: Outcome, held: bool, fold: int = f) -> list[ItemScore]:
            return [s for item_id, s in o.scores.items() if (folds[item_id] == fold) == held]

        chosen = max(outcomes, key=lambda o: (_j(on(o, False))[0], o.value == current, -abs(o.value - current)))
        j, refusal, false = _j(on(chosen, True))
        rows.append({"fold": f, "value": chosen.value, "j": j, "refusal": refusal, "false_refusal": false})
    return rows


def render(setting: str, outcomes: Sequence[Outcome], folds: Sequence[dict[str, float]], current: float) -> str:
    lines = [f"## {setting} (current {current})", "",
             "| value | refusal | false refusal | J | hit@5 | key-fact recall |", "|---:|---:|---:|---:|---:|---:|"]
    for o in outcomes:
        scores = list(o.scores.values())
        j, refusal, false = _j(scores)
        answerable = [s for s in scores if s.answerable]
        hit = statistics.mean(float(bool(s.hit_at_5)) for s in answerable)
        facts = statistics.mean(s.key_fact_recall or 0.0 for s in answerable)
        mark = " (current)" if o.value == current else ""
        lines.append(f"| {o.value}{mark} | {refusal:.3f} | {false:.3f} | {j:.3f} | {hit:.3f} | {facts:.3f} |")
    chosen = [f["value"] for f in folds]
    held = [f["j"] for f in folds]
    lines += ["", f"5-fold choice: {', '.join(str(v) for v in chosen)}; held-out J {statistics.mean(held):.3f} ± "
              f"{statistics.pstdev(held):.3f} (refusal {statistics.mean(f['refusal'] for f in folds):.3f}, false refusal "
              f"{statistics.mean(f['false_refusal'] for f in folds):.3f}).", ""]
    return "\n".join(lines)


def with_value(config: object, setting: str, value: float) -> object:
    """The policy configuration with one threshold changed (integers stay integers)."""
    current = getattr(config, setting)
    return replace(config, **{setting: type(current)(value)})  # type: ignore[type-var]
