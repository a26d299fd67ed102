"""Metrics: one `ItemScore` per (item, pipeline), then summaries overall and per kind.

Retrieval is scored on the ranked passages the answer was built from (`Answer.passages`, best first); the answer
on its text, its citations and its refusal. Retrieval and answer metrics are averaged over answerable items only;
a metric that does not apply to an item (no 文号 in the gold, no key facts) is None and left out of its average.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from evals.gold import GoldItem
from evals.matching import any_supports, first_supporting_rank, norm
from rag.records import Answer, Reason
from textnorm import normalize_docno

RETRIEVAL_METRICS = ("hit_at_1", "hit_at_5", "hit_at_10", "mrr_at_10", "all_evidence_at_5", "doc_hit_at_5", "context_chars")
ANSWER_METRICS = ("citation_support", "key_fact_recall", "invalid_citations")
REFUSAL_METRICS = ("refusal_rate", "declined_rate", "false_refusal_rate")
"""refusal_rate: unanswerable items refused. declined_rate: unanswerable items refused or answered with what the
documents say instead of the value they do not set (`Reason.VALUE_LEFT_OPEN`, 文件没有规定所问的具体…，相关规定是：…):
neither presents a value the documents lack (reported beside, not gated). false_refusal_rate: answerable items
refused."""
SUMMARY_KEYS = ("n", "answerable", "unanswerable", *RETRIEVAL_METRICS, *ANSWER_METRICS, *REFUSAL_METRICS,
                "latency_ms_p50", "latency_ms_p95")
"""Every key of a summary (overall, per kind, per pipeline): the report.json contract."""

# What went wrong with an item, in the words the report uses.
NOT_RETRIEVED = "evidence not retrieved"
NOT_CITED = "retrieved but not cited"
FACTS_MISSING = "key facts missing"
FALSE_REFUSAL = "false refusal"
ANSWERED_UNANSWERABLE = "answered an unanswerable"
ERROR = "error"


@dataclass(frozen=True)
class ItemScore:
    """Scores of one answer to one gold item. Retrieval/answer fields are None for unanswerable items.

    evidence_rank: 1-based rank of the first passage supporting the main evidence (any depth), or None.
    missing_facts: key facts not found in the answer text. problems: what went wrong, worst first.
    """

    item_id: str
    kind: str
    answerable: bool
    refused: bool
    latency_ms: float
    invalid_citations: int
    hit_at_1: bool | None = None
    hit_at_5: bool | None = None
    hit_at_10: bool | None = None
    mrr_at_10: float | None = None
    all_evidence_at_5: bool | None = None
    doc_hit_at_5: bool | None = None
    context_chars: int | None = None
    citation_support: bool | None = None
    key_fact_recall: float | None = None
    evidence_rank: int | None = None
    missing_facts: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    error: str | None = None
    tags: tuple[str, ...] = ()
    reason: str | None = None
    rules_fired: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["missing_facts"] = list(self.missing_facts)
        out["problems"] = list(self.problems)
        out["tags"] = list(self.tags)
        out["rules_fired"] = list(self.rules_fired)
        return out


def canonical_docno(text: str) -> str:
    """A 文号 in one spelling: 晋市政办[2018]8号, 晋市政办（2018）8 号 and 晋市政办〔2018〕8号 compare equal."""
    return normalize_docno(text) or norm(text)


def doc_hit(gold_docnos: Sequence[str], passage_docnos: Iterable[str]) -> bool:
    wanted = {canonical_docno(d) for d in gold_docnos}
    return any(canonical_docno(p) in wanted for p in passage_docnos if p)


def key_fact_recall(key_facts: Sequence[str], text: str) -> tuple[float | None, tuple[str, ...]]:
    """Share of key facts whose normalised form is in the normalised text, and the facts that are missing."""
    if not key_facts:
        return None, ()
    body = norm(text)
    missing = tuple(f for f in key_facts if norm(f) not in body)
    return 1 - len(missing) / len(key_facts), missing


def cited_passages(answer: Answer) -> list[str]:
    """Texts of the passages the citations point at (citations whose chunk_id is not a passage are skipped)."""
    by_id = {p.chunk_id: p.text for p in answer.passages}
    return [by_id[c.chunk_id] for c in answer.citations if c.chunk_id in by_id]


def score_item(item: GoldItem, answer: Answer, latency_ms: float) -> ItemScore:
    """Score one answer against its gold item."""
    invalid = len(answer.invalid_citations)
    reason, rules = (str(answer.reason) if answer.reason else None), tuple(answer.trace.rules_fired)
    if not item.answerable:
        verdict: tuple[str, ...] = () if answer.refused else (ANSWERED_UNANSWERABLE,)
        return ItemScore(item.id, item.kind, False, answer.refused, latency_ms, invalid, problems=verdict, tags=item.tags,
                         reason=reason, rules_fired=rules)
    texts = [p.text for p in answer.passages]
    rank = first_supporting_rank(texts, item.evidence)
    top5 = texts[:5]
    recall, missing = key_fact_recall(item.key_facts, answer.text)
    cited = any_supports(cited_passages(answer), item.evidence)
    problems: list[str] = []
    if answer.refused:
        problems.append(FALSE_REFUSAL)
    if rank is None or rank > 10:
        problems.append(NOT_RETRIEVED)
    elif not cited and not answer.refused:
        problems.append(NOT_CITED)
    if missing and not answer.refused:
        problems.append(f"{FACTS_MISSING}: {'、'.join(missing)}")
    return ItemScore(
        item.id, item.kind, True, answer.refused, latency_ms, invalid,
        hit_at_1=rank is not None and rank <= 1,
        hit_at_5=rank is not None and rank <= 5,
        hit_at_10=rank is not None and rank <= 10,
        mrr_at_10=1 / rank if rank is not None and rank <= 10 else 0.0,
        all_evidence_at_5=all(any_supports(top5, q) for q in item.quotes),
        doc_hit_at_5=doc_hit(item.doc_numbers, (p.doc_number for p in answer.passages[:5])) if item.doc_numbers else None,
        context_chars=sum(len(t) for t in top5),
        citation_support=cited,
        key_fact_recall=recall,
        evidence_rank=rank,
        missing_facts=missing,
        problems=tuple(problems),
        tags=item.tags,
        reason=reason,
        rules_fired=rules,
    )


def error_score(item: GoldItem, message: str, latency_ms: float) -> ItemScore:
    """The row of an item whose answer call raised: counted as a failure, never silently dropped."""
    return ItemScore(item.id, item.kind, item.answerable, refused=False, latency_ms=latency_ms, invalid_citations=0,
                     problems=(f"{ERROR}: {message}",), error=message, tags=item.tags)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0…100) with linear interpolation between closest ranks (numpy's default); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _mean(values: Iterable[float | int | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def summarize(scores: Sequence[ItemScore]) -> dict[str, float | int | None]:
    """One summary dict (keys SUMMARY_KEYS, floats rounded to 4 places) over `scores`."""
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    out: dict[str, float | int | None] = {"n": len(scores), "answerable": len(answerable), "unanswerable": len(unanswerable)}
    for name in (*RETRIEVAL_METRICS, *ANSWER_METRICS):
        # An errored answerable item scores 0 on every metric (except invalid citations, which it has none of).
        out[name] = _mean(0 if s.error and name != "invalid_citations" else getattr(s, name) for s in answerable)
    out["refusal_rate"] = _mean(s.refused for s in unanswerable)
    out["declined_rate"] = _mean(s.refused or s.reason == Reason.VALUE_LEFT_OPEN for s in unanswerable)
    out["false_refusal_rate"] = _mean(s.refused for s in answerable)
    latencies = [s.latency_ms for s in scores if s.error is None]
    out["latency_ms_p50"] = percentile(latencies, 50)
    out["latency_ms_p95"] = percentile(latencies, 95)
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def summarize_by_kind(scores: Sequence[ItemScore], kinds: Sequence[str]) -> dict[str, dict[str, float | int | None]]:
    """Summaries per kind, in the order of `kinds`, for the kinds that have items."""
    return {k: summarize([s for s in scores if s.kind == k]) for k in kinds if any(s.kind == k for s in scores)}


def summarize_by_tag(scores: Sequence[ItemScore]) -> dict[str, dict[str, float | int | None]]:
    """Summaries per gold tag (an item counts under each of its tags), tags in first-seen order."""
    tags = list(dict.fromkeys(t for s in scores for t in s.tags))
    return {t: summarize([s for s in scores if t in s.tags]) for t in tags}


def summarize_by_rule(scores: Sequence[ItemScore]) -> dict[str, dict[str, int]]:
    """Per answer-policy rule: on how many answerable and unanswerable items it fired, and on how many it decided
    (it was the first to fire, so the item was refused because of it). A rule that fires more often on answerable
    items than on unanswerable ones costs more than it saves."""
    out: dict[str, dict[str, int]] = {}
    for s in scores:
        for i, rule in enumerate(s.rules_fired):
            row = out.setdefault(rule, {"fired_answerable": 0, "fired_unanswerable": 0,
                                        "decided_answerable": 0, "decided_unanswerable": 0})
            side = "answerable" if s.answerable else "unanswerable"
            row[f"fired_{side}"] += 1
            if i == 0 and s.refused:
                row[f"decided_{side}"] += 1
    return out


def summarize_by_reason(scores: Sequence[ItemScore]) -> dict[str, dict[str, int]]:
    """Per `Answer.reason` (a refusal's, or an answer's that is not plain: a value left open, a model that declined,
    an LLM that failed): on how many answerable and unanswerable items it was given."""
    out: dict[str, dict[str, int]] = {}
    for s in scores:
        if s.reason:
            row = out.setdefault(s.reason, {"answerable": 0, "unanswerable": 0})
            row["answerable" if s.answerable else "unanswerable"] += 1
    return out
