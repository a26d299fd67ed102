"""Calibrate the relevance thresholds of the `not_relevant` rule by k-fold cross-validation on the dev split.

Every enabled rule is evaluated on every question and the report keeps, per item, the measured signals (coverage,
dense similarity, named document, language) and the rules that fired. So for any thresholds (c, d) the outcome of
an item is known without re-running it: refused ⇔ `irrelevant(signals, c, d)` or another rule fired. The
calibration picks (c, d) maximising refusal rate − false refusal rate (Youden's J) on k−1 folds and scores the
held-out fold; the spread over folds says how much a threshold chosen on these items can be trusted. Run it on the
dev report only: the test split measures, it never chooses.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.gold import UNANSWERABLE
from rag.policy import Signals, irrelevant

COVERAGE_GRID = tuple(round(0.20 + 0.025 * i, 3) for i in range(25))  # 0.20 … 0.80
DENSE_GRID = tuple(round(0.80 + 0.005 * i, 3) for i in range(25))  # 0.80 … 0.92
RULE = "not_relevant"


@dataclass(frozen=True)
class Row:
    item_id: str
    answerable: bool
    signals: Signals
    other_rule: bool  # a rule other than not_relevant fired: refused whatever the thresholds


@dataclass(frozen=True)
class Rates:
    refusal: float  # share of unanswerable items refused
    false_refusal: float  # share of answerable items refused

    @property
    def j(self) -> float:
        return self.refusal - self.false_refusal


def rows_of(report: Mapping[str, Any], pipeline: str = "ours") -> list[Row]:
    """One row per item that has signals (items whose answer raised, or reports without signals, are left out)."""
    out = []
    for item in report["items"]:
        result = item["results"].get(pipeline, {})
        sig = result.get("signals")
        if not sig:
            continue
        signals = Signals(sig["coverage"], sig["dense"], bool(sig["named"]), bool(sig["cross_lingual"]), int(sig["passages"]),
                          sig.get("cross"))
        other = any(rule != RULE for rule in result.get("rules_fired", ()))
        out.append(Row(item["id"], item["kind"] != UNANSWERABLE, signals, other))
    return out


def rates(rows: Sequence[Row], coverage: float, dense: float, dense_cross_lingual: float = 0.75) -> Rates:
    def refused(r: Row) -> bool:
        return r.other_rule or irrelevant(r.signals, coverage, dense, dense_cross_lingual)

    unans = [refused(r) for r in rows if not r.answerable]
    ans = [refused(r) for r in rows if r.answerable]
    return Rates(sum(unans) / len(unans) if unans else 0.0, sum(ans) / len(ans) if ans else 0.0)


def best(rows: Sequence[Row]) -> tuple[float, float]:
    """The (coverage, dense) of the grid with the highest J on `rows`; ties go to the fewest false refusals, then to
    the most permissive thresholds (lowest coverage, then lowest dense floor): refusing power that the items do not
    ask for is a risk on questions nobody has written yet."""
    scored = []
    for c in COVERAGE_GRID:
        for d in DENSE_GRID:
            got = rates(rows, c, d)
            scored.append(((got.j, -got.false_refusal), (c, d)))
    top = max(score for score, _ in scored)
    return min(point for score, point in scored if score == top)


def stratified_folds(items: Iterable[tuple[str, bool]], k: int) -> dict[str, int]:
    """Item id → fold (0…k−1) for (id, answerable) pairs: answerable and unanswerable items are each dealt
    round-robin in the order of a hash of their id, so every fold holds its share of both and the folds do not
    depend on file order."""
    def order(item_id: str) -> int:
        return int(hashlib.md5(item_id.encode("utf-8")).hexdigest(), 16) % (1 << 30)  # the order the reported figures used

    listed = list(items)
    folds: dict[str, int] = {}
    for answerable in (True, False):
        ordered = sorted((i for i, a in listed if a == answerable), key=order)
        folds.update({item_id: n % k for n, item_id in enumerate(ordered)})
    return folds


def cross_validate(rows: Sequence[Row], k: int = 5) -> list[dict[str, float]]:
    """Per fold: the thresholds chosen on the other folds and the held-out refusal / false refusal rates
    (`stratified_folds`)."""
    folds = stratified_folds(((r.item_id, r.answerable) for r in rows), k)
    out = []
    for f in range(k):
        train = [r for r in rows if folds[r.item_id] != f]
        held = [r for r in rows if folds[r.item_id] == f]
        c, d = best(train)
        got = rates(held, c, d)
        out.append({"fold": f, "min_coverage": c, "min_dense": d, "refusal": got.refusal, "false_refusal": got.false_refusal,
                    "held_answerable": sum(r.answerable for r in held), "held_unanswerable": sum(not r.answerable for r in held)})
    return out


def render(rows: Sequence[Row], folds: Sequence[dict[str, float]], current: tuple[float, float]) -> str:
    def spread(key: str) -> str:
        values = [f[key] for f in folds]
        return f"{statistics.mean(values):.3f} ± {statistics.pstdev(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"

    whole = best(rows)
    alone = [Row(r.item_id, r.answerable, r.signals, False) for r in rows]
    alone_best = best(alone)
    lines = [
        "# Calibration of the not_relevant thresholds (dev split, k-fold)", "",
        f"- items: {sum(r.answerable for r in rows)} answerable, {sum(not r.answerable for r in rows)} unanswerable",
        f"- current settings: min_coverage {current[0]}, min_dense {current[1]} → "
        f"refusal {rates(rows, *current).refusal:.3f}, false refusal {rates(rows, *current).false_refusal:.3f}",
        f"- best on all dev items: min_coverage {whole[0]}, min_dense {whole[1]} → refusal {rates(rows, *whole).refusal:.3f}, "
        f"false refusal {rates(rows, *whole).false_refusal:.3f}",
        f"- held-out refusal over folds: {spread('refusal')}",
        f"- held-out false refusal over folds: {spread('false_refusal')}",
        f"- chosen min_coverage over folds: {spread('min_coverage')}; min_dense: {spread('min_dense')}",
        f"- the rule alone (other rules ignored: how well the signals separate the classes by themselves): best "
        f"min_coverage {alone_best[0]}, min_dense {alone_best[1]} → refusal {rates(alone, *alone_best).refusal:.3f}, "
        f"false refusal {rates(alone, *alone_best).false_refusal:.3f}; at the current settings → refusal "
        f"{rates(alone, *current).refusal:.3f}, false refusal {rates(alone, *current).false_refusal:.3f}", "",
        "| fold | min_coverage | min_dense | held-out refusal | held-out false refusal | held-out items (ans/unans) |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for f in folds:
        lines.append(f"| {f['fold']} | {f['min_coverage']} | {f['min_dense']} | {f['refusal']:.3f} | {f['false_refusal']:.3f} | "
                     f"{f['held_answerable']}/{f['held_unanswerable']} |")
    return "\n".join(lines) + "\n"


def plot(rows: Sequence[Row], dense: float, path: Path) -> None:
    """Left: refusal and false refusal over min_coverage — the whole policy at the current min_dense, and the rule
    alone (other rules ignored) at the current min_dense and with the dense test off. Right: the rule alone's
    refusal precision against recall over min_coverage, dense test off."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    alone = [Row(r.item_id, r.answerable, r.signals, False) for r in rows]
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    for label, subset, floor, style in (("whole policy", rows, dense, "-"), (f"rule alone, min_dense {dense}", alone, dense, "--"),
                                         ("rule alone, coverage only", alone, 2.0, ":")):
        got = [rates(subset, c, floor) for c in COVERAGE_GRID]
        left.plot(COVERAGE_GRID, [g.refusal for g in got], style, color="tab:blue", label=f"refusal — {label}")
        left.plot(COVERAGE_GRID, [g.false_refusal for g in got], style, color="tab:orange", label=f"false refusal — {label}")
    left.set_xlabel("min_coverage")
    left.set_ylim(0, 1.05)
    left.grid(alpha=0.3)
    left.legend(fontsize=7)
    n_un = sum(not r.answerable for r in rows)
    n_ans = len(rows) - n_un
    got = [rates(alone, c, 2.0) for c in COVERAGE_GRID]
    recall = [g.refusal for g in got]
    precision = [(g.refusal * n_un) / (g.refusal * n_un + g.false_refusal * n_ans) if g.refusal or g.false_refusal else 1.0
                 for g in got]
    right.plot(recall, precision, marker="o")
    for c, x, y in list(zip(COVERAGE_GRID, recall, precision, strict=True))[::4]:
        right.annotate(f"{c}", (x, y), fontsize=7)
    right.set_xlabel("refusal recall (unanswerable refused)")
    right.set_ylabel("refusal precision (refusals that were right)")
    right.set_xlim(0, 1.05)
    right.set_ylim(0, 1.05)
    right.grid(alpha=0.3)
    right.set_title("not_relevant alone, coverage only (labels: min_coverage)", fontsize=9)
    fig.suptitle("not_relevant over min_coverage (dev split)")
    fig.savefig(path, format="png", dpi=100)
