"""Fit the learned ranker (`rag.ranker`) on the dev split, with k-fold cross-validation by question.

Two models, one per language of the question (`rag.ranker.Rankers`): the Chinese one on each item's `question`, the
other on its `question_en` (when its rewrite is not Chinese). Each answerable dev question (its follow-up rewritten
as the pipeline does) is ranked once with the rankers off; each
of its top `depth` fused candidates is a row of `rag.ranker.FEATURES`, labelled 1 when its text supports the item's
main evidence quote (`evals.matching.supports`, the rule hit@k uses). A logistic regression is fitted on the rows of
k−1 folds of questions and ranks the held-out fold's candidates; the report gives each fold's MRR@10 / hit@1 / hit@5
over the candidate lists, fused order against the model, for each regularisation strength C of `C_GRID`, and the C
with the best cross-validated MRR is fitted on every row and written as the model. Run it on the dev split only:
the test split measures, it never fits.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from evals.gold import GoldItem
from evals.matching import supports
from rag.ranker import FEATURES, LinearRanker

C_GRID = (0.1, 0.3, 1.0, 3.0)
FOLDS = 5


@dataclass(frozen=True)
class Question:
    """One question's candidate list: ids in fused order, their features, whether each holds the evidence."""

    item_id: str
    ids: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...]
    labels: tuple[bool, ...]


def collect(items: Sequence[GoldItem], candidates: Callable[[GoldItem], tuple[list[str], list[list[float]]]],
            text: Callable[[str], str]) -> list[Question]:
    """The answerable items' candidate lists (`candidates`: an item → its ids and feature rows; `text`: a chunk id →
    the text the evidence quote is matched in)."""
    out = []
    for item in items:
        if not item.answerable or not item.evidence:
            continue
        ids, rows = candidates(item)
        labels = tuple(supports(text(cid), item.evidence) for cid in ids)
        out.append(Question(item.id, tuple(ids), tuple(map(tuple, rows)), labels))
    return out


def list_metrics(questions: Sequence[Question], scores: Sequence[Sequence[float]]) -> dict[str, float]:
    """MRR@10, hit@1 and hit@5 of the candidate lists ordered by `scores` (higher first; ties keep fused order)."""
    mrr = hit1 = hit5 = 0.0
    for q, s in zip(questions, scores, strict=True):
        order = sorted(range(len(q.ids)), key=lambda i: (-s[i], i))
        rank = next((r for r, i in enumerate(order, start=1) if q.labels[i]), None)
        if rank is not None:
            mrr += 1 / rank if rank <= 10 else 0.0
            hit1 += rank == 1
            hit5 += rank <= 5
    n = max(1, len(questions))
    return {"mrr_at_10": mrr / n, "hit_at_1": hit1 / n, "hit_at_5": hit5 / n}


def fused_scores(questions: Sequence[Question]) -> list[list[float]]:
    return [[-float(i) for i in range(len(q.ids))] for q in questions]


def fit(questions: Sequence[Question], c: float, depth: int) -> LinearRanker:
    """A logistic regression over the standardised features of every candidate of `questions`."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.array([row for q in questions for row in q.rows], dtype=float)
    y = np.array([label for q in questions for label in q.labels], dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("the candidate lists hold no evidence (or only evidence): nothing to fit")
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y)
    scale = tuple(float(s) for s in scaler.scale_)
    return LinearRanker(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]),
                        tuple(float(m) for m in scaler.mean_), scale, depth)


def folds_of(questions: Sequence[Question], k: int) -> list[int]:
    """Each question's fold: questions in id order dealt round-robin (deterministic; a question never spans folds)."""
    order = sorted(range(len(questions)), key=lambda i: questions[i].item_id)
    fold = [0] * len(questions)
    for n, i in enumerate(order):
        fold[i] = n % k
    return fold


def cross_validate(questions: Sequence[Question], c: float, depth: int, k: int = FOLDS) -> list[dict[str, float]]:
    """Per fold: the held-out questions' list metrics in fused order and ordered by a model fitted on the others."""
    fold = folds_of(questions, k)
    out = []
    for f in range(k):
        train = [q for q, g in zip(questions, fold, strict=True) if g != f]
        held = [q for q, g in zip(questions, fold, strict=True) if g == f]
        model = fit(train, c, depth)
        learned = list_metrics(held, [model.score(q.rows) for q in held])
        fused = list_metrics(held, fused_scores(held))
        out.append({"fold": f, "n": len(held), **{f"fused_{m}": v for m, v in fused.items()},
                    **{f"learned_{m}": v for m, v in learned.items()}})
    return out


def train(questions: Sequence[Question], depth: int, grid: Sequence[float] = C_GRID, k: int = FOLDS) -> tuple[LinearRanker, dict[float, list[dict[str, float]]]]:
    """The model for the C with the best mean held-out MRR@10 (ties: the smaller C), fitted on every question, and
    the cross-validation of every C."""
    runs = {c: cross_validate(questions, c, depth, k) for c in grid}
    best = max(grid, key=lambda c: (round(statistics.mean(f["learned_mrr_at_10"] for f in runs[c]), 6), -c))
    model = fit(questions, best, depth)
    cv = runs[best]
    trained: dict[str, Any] = {
        "C": best, "questions": len(questions), "candidates": sum(len(q.ids) for q in questions),
        "evidence_rows": sum(sum(q.labels) for q in questions), "folds": k,
        **{key: round(statistics.mean(f[key] for f in cv), 4) for key in cv[0] if key not in ("fold", "n")},
    }
    return LinearRanker(model.weights, model.bias, model.mean, model.scale, depth, FEATURES, trained), runs


def render(model: LinearRanker, runs: dict[float, list[dict[str, float]]], source: str, language: str = "chinese") -> str:
    """The report of one language's model: cross-validation per C and per fold, and the fitted weights."""
    lines = [f"# Learned ranker ({language} questions): k-fold cross-validation on the dev split", "",
             f"- gold: {source}", f"- questions: {model.trained['questions']} answerable, "
             f"{model.trained['candidates']} candidates (top {model.depth} fused), {model.trained['evidence_rows']} holding the evidence",
             f"- chosen C: {model.trained['C']} (best mean held-out MRR@10); model digest `{model.digest()}`", "",
             "| C | fused MRR@10 | learned MRR@10 (min–max over folds) | fused hit@1 | learned hit@1 | fused hit@5 | learned hit@5 |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for c, folds in runs.items():
        def mean(key: str, folds: list[dict[str, float]] = folds) -> float:
            return statistics.mean(f[key] for f in folds)
        spread = [f["learned_mrr_at_10"] for f in folds]
        lines.append(f"| {c} | {mean('fused_mrr_at_10'):.3f} | {mean('learned_mrr_at_10'):.3f} ({min(spread):.3f}–{max(spread):.3f}) "
                     f"| {mean('fused_hit_at_1'):.3f} | {mean('learned_hit_at_1'):.3f} | {mean('fused_hit_at_5'):.3f} | {mean('learned_hit_at_5'):.3f} |")
    lines += ["", f"Per fold at C = {model.trained['C']}:", "", "| fold | questions | fused MRR@10 | learned MRR@10 |", "|---:|---:|---:|---:|"]
    for f in runs[model.trained["C"]]:
        lines.append(f"| {int(f['fold'])} | {int(f['n'])} | {f['fused_mrr_at_10']:.3f} | {f['learned_mrr_at_10']:.3f} |")
    lines += ["", "Weights (on standardised features; positive: more likely to hold the answer):", "",
              "| feature | weight |", "|---|---:|"]
    for name, w in sorted(zip(model.names, model.weights, strict=True), key=lambda t: -abs(t[1])):
        lines.append(f"| {name} | {w:+.3f} |")
    return "\n".join(lines) + "\n"
