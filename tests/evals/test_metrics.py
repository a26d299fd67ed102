"""Metrics on hand-built Answers: each test pins one metric's definition from the evaluation spec.

`passage`, `answer` and `gold_item` are the builders the other evals tests use too.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from evals.gold import GoldItem
from evals.metrics import (
    ANSWERED_UNANSWERABLE,
    FALSE_REFUSAL,
    NOT_CITED,
    NOT_RETRIEVED,
    SUMMARY_KEYS,
    error_score,
    percentile,
    score_item,
    summarize,
    summarize_by_kind,
)
from rag.records import REFUSAL, Answer, Citation, Passage, Reason, Trace

EVIDENCE = "征收住宅房屋，搬迁补助费 18元/平方米，实行产权调换期房安置的支付两次"
FILLER = ["市人民政府办公厅负责统筹协调。", "本办法自公布之日起施行。", "各县（市、区）参照执行。", "附属设施按指导价补偿。",
          "过渡期自搬迁交房之月起计算。", "评估机构由被征收人协商选定。", "补偿协议应当载明补偿方式。", "违法建筑不予补偿。",
          "征收范围由市政府确定。", "临时安置补助费按月支付。", "停产停业损失按评估确定。", "奖励标准另行制定。"]


def passage(key: str, text: str, doc_number: str = "", chunk_id: str | None = None) -> Passage:
    return Passage(key=key, chunk_id=chunk_id or f"chunk-{key}", text=text, doc_id="doc", doc_title="办法", doc_number=doc_number,
                   wrapper_title="", path="第十二条", headings=(), city="晋城", doc_type="办法", date=None, valid_until=None,
                   source_file="jincheng-2018-04.txt", line_start=1, line_end=2, start=0, end=len(text), score=1.0)


def answer(passages: Sequence[Passage], text: str = "", cited: Sequence[str] = (), refused: bool = False,
           invalid: Sequence[str] = (), question: str = "问题", rules: Sequence[str] = (),
           reason: Reason | None = None) -> Answer:
    by_key = {p.key: p for p in passages}
    citations = tuple(
        Citation(key=k, chunk_id=by_key[k].chunk_id if k in by_key else f"chunk-{k}", doc_title="", doc_number="", path="",
                 date=None, quote="", start=0, end=0, source_file="")
        for k in cited
    )
    trace = Trace(question=question, rewritten=question, filters={}, legs={}, fused=[], widened=[], rules_fired=list(rules))
    return Answer(question=question, text=REFUSAL if refused and not text else text, citations=citations,
                  passages=tuple(passages), refused=refused, trace=trace, invalid_citations=tuple(invalid), reason=reason)


def gold_item(item_id: str = "t-1", kind: str = "number", evidence: str = EVIDENCE, extra: Sequence[str] = (),
              key_facts: Sequence[str] = ("18元/平方米",), doc_number: str = "晋市政发〔2018〕23号", question: str = "搬迁补助费是多少？",
              history: Sequence[str] = (), question_en: str | None = None) -> GoldItem:
    unanswerable = kind == "unanswerable"
    return GoldItem(id=item_id, question=question, kind=kind, answer="答案", key_facts=() if unanswerable else tuple(key_facts),
                    evidence="" if unanswerable else evidence, extra_evidence=tuple(extra), doc_number=doc_number, locator="",
                    source="gold.jsonl:1", question_en=question_en, history=tuple(history))


def ranked_with_evidence_at(rank: int | None, total: int = 12) -> list[Passage]:
    """`total` passages of filler; the evidence (spelt differently: spaces, full-width) at 1-based `rank`."""
    out = [passage(f"S{i + 1}", FILLER[i % len(FILLER)]) for i in range(total)]
    if rank is not None:
        out[rank - 1] = passage(f"S{rank}", "第十二条（一）征收住宅房屋，搬迁补助费18元／平方米，实行产权调换期房安置的支付两次，实行货币补偿的支付一次。")
    return out


@pytest.mark.parametrize(("rank", "hits", "mrr"), [
    (1, (True, True, True), 1.0),
    (3, (False, True, True), 1 / 3),
    (7, (False, False, True), 1 / 7),
    (11, (False, False, False), 0.0),
    (None, (False, False, False), 0.0),
])
def test_hit_at_k_and_mrr_follow_the_rank_of_the_first_supporting_passage(rank: int | None, hits: tuple[bool, ...], mrr: float) -> None:
    score = score_item(gold_item(), answer(ranked_with_evidence_at(rank)), 5.0)
    assert (score.hit_at_1, score.hit_at_5, score.hit_at_10) == hits
    assert score.mrr_at_10 == pytest.approx(mrr)
    assert score.evidence_rank == rank
    assert (NOT_RETRIEVED in score.problems) == (rank is None or rank > 10)


def test_all_evidence_at_5_needs_every_quote_in_the_top_five() -> None:
    extra = "过渡期自搬迁交房之月起计算"
    item = gold_item(extra=[extra])
    passages = ranked_with_evidence_at(1)
    assert score_item(item, answer(passages), 1.0).all_evidence_at_5  # filler S5 holds the extra quote
    late = [passages[0], *[passage(f"S{i}", "无关内容。") for i in range(2, 6)], passage("S6", extra + "。")]
    score = score_item(item, answer(late), 1.0)
    assert score.hit_at_1 and not score.all_evidence_at_5


@pytest.mark.parametrize(("passage_docno", "expected"), [
    ("晋市政办[2018]8号", True),       # ASCII brackets
    ("晋市政办（2018）8 号", True),     # full-width parentheses and a space
    ("晋市政办〔2018〕08号", True),     # leading zero
    ("晋市政办〔2018〕18号", False),    # a different number
    ("晋市政发〔2018〕8号", False),     # a different issuer prefix
])
def test_doc_hit_matches_any_joined_docno_in_any_spelling(passage_docno: str, expected: bool) -> None:
    item = gold_item(doc_number="晋市政办〔2018〕8号；长政办发〔2020〕27号")
    passages = [*ranked_with_evidence_at(None, total=4), passage("S5", "内容。", doc_number=passage_docno)]
    assert score_item(item, answer(passages), 1.0).doc_hit_at_5 is expected


def test_doc_hit_ignores_passages_below_five_and_is_none_without_a_gold_docno() -> None:
    passages = [*ranked_with_evidence_at(None, total=5), passage("S6", "内容。", doc_number="晋市政发〔2018〕23号")]
    assert score_item(gold_item(), answer(passages), 1.0).doc_hit_at_5 is False
    assert score_item(gold_item(doc_number=""), answer(passages), 1.0).doc_hit_at_5 is None


def test_context_chars_counts_passage_text_of_the_top_five_only() -> None:
    passages = [passage(f"S{i}", "字" * (10 * i)) for i in range(1, 8)]
    assert score_item(gold_item(), answer(passages), 1.0).context_chars == 10 + 20 + 30 + 40 + 50


def test_citation_support_needs_a_cited_passage_that_supports_the_evidence() -> None:
    passages = ranked_with_evidence_at(2)
    good = score_item(gold_item(), answer(passages, "18元/平方米 [S2]", cited=["S2"]), 1.0)
    assert good.citation_support and not good.problems
    wrong = score_item(gold_item(), answer(passages, "18元/平方米 [S1]", cited=["S1"]), 1.0)
    assert not wrong.citation_support and wrong.problems == (NOT_CITED,)
    dangling = score_item(gold_item(), answer(passages, "18元/平方米 [S9]", cited=["S99"], invalid=["S99"]), 1.0)
    assert not dangling.citation_support and dangling.invalid_citations == 1


def test_key_fact_recall_is_the_share_of_normalised_facts_in_the_answer() -> None:
    item = gold_item(key_facts=["18元/平方米", "支付两次", "36个月"])
    # full-width slash and a space: the same fact after NFKC and whitespace removal
    score = score_item(item, answer(ranked_with_evidence_at(1), "搬迁补助费为 18元／平方米，期房安置支付两次。", cited=["S1"]), 1.0)
    assert score.key_fact_recall == pytest.approx(2 / 3)
    assert score.missing_facts == ("36个月",)
    assert any(p.startswith("key facts missing: 36个月") for p in score.problems)


def test_refusals_split_into_refusal_rate_and_false_refusal_rate() -> None:
    refused_unanswerable = score_item(gold_item("u-1", "unanswerable"), answer([], refused=True), 1.0)
    answered_unanswerable = score_item(gold_item("u-2", "unanswerable"), answer([passage("S1", "内容")], "编的答案 [S1]", cited=["S1"]), 1.0)
    false_refusal = score_item(gold_item("a-1"), answer(ranked_with_evidence_at(1), refused=True), 1.0)
    answered = score_item(gold_item("a-2"), answer(ranked_with_evidence_at(1), "18元/平方米 [S1]", cited=["S1"]), 1.0)
    assert answered_unanswerable.problems == (ANSWERED_UNANSWERABLE,) and refused_unanswerable.problems == ()
    assert FALSE_REFUSAL in false_refusal.problems
    summary = summarize([refused_unanswerable, answered_unanswerable, false_refusal, answered])
    assert summary["refusal_rate"] == 0.5
    assert summary["false_refusal_rate"] == 0.5
    assert (summary["n"], summary["answerable"], summary["unanswerable"]) == (4, 2, 2)


def test_an_unanswerable_item_told_that_no_value_is_set_is_declined_not_refused() -> None:
    left_open = score_item(gold_item("u-1", "unanswerable"),
                           answer([passage("S1", "由市工信局择优确定")], "文件没有规定所问的具体单位名称，相关规定是：由市工信局择优确定 [S1]",
                                  cited=["S1"], reason=Reason.VALUE_LEFT_OPEN), 1.0)
    answered = score_item(gold_item("u-2", "unanswerable"), answer([passage("S1", "内容")], "编的答案 [S1]", cited=["S1"]), 1.0)
    refused = score_item(gold_item("u-3", "unanswerable"), answer([], refused=True), 1.0)
    summary = summarize([left_open, answered, refused])
    assert summary["refusal_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert summary["declined_rate"] == pytest.approx(2 / 3, abs=1e-4)
    # on an answerable item the same answer is an answer, never a false refusal
    answerable = score_item(gold_item("a-1"), answer(ranked_with_evidence_at(1), "文件没有规定… [S1]", cited=["S1"],
                                                     reason=Reason.VALUE_LEFT_OPEN), 1.0)
    assert summarize([answerable])["false_refusal_rate"] == 0.0


def test_retrieval_and_answer_metrics_average_over_answerable_items_only() -> None:
    hit = score_item(gold_item("a-1"), answer(ranked_with_evidence_at(1), "18元/平方米 [S1]", cited=["S1"]), 1.0)
    miss = score_item(gold_item("a-2"), answer(ranked_with_evidence_at(None), "不知道", invalid=["S7", "S8"]), 1.0)
    unanswerable = score_item(gold_item("u-1", "unanswerable"), answer([], refused=True), 1.0)
    summary = summarize([hit, miss, unanswerable])
    assert summary["hit_at_5"] == 0.5 and summary["mrr_at_10"] == 0.5
    assert summary["key_fact_recall"] == 0.5 and summary["citation_support"] == 0.5
    assert summary["invalid_citations"] == 1.0
    assert set(summary) == set(SUMMARY_KEYS)


def test_an_errored_item_counts_as_a_failure_not_as_missing() -> None:
    hit = score_item(gold_item("a-1"), answer(ranked_with_evidence_at(1), "18元/平方米 [S1]", cited=["S1"]), 1.0)
    summary = summarize([hit, error_score(gold_item("a-2"), "RuntimeError: boom", 3.0)])
    assert summary["hit_at_5"] == 0.5 and summary["key_fact_recall"] == 0.5
    assert summary["latency_ms_p50"] == 1.0  # a crash's time is not an answer's latency


def test_percentiles_interpolate_linearly_and_feed_latency_p50_p95() -> None:
    assert percentile([40.0, 10.0, 30.0, 20.0], 50) == 25.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 95) == pytest.approx(38.5)
    assert percentile([7.0], 95) == 7.0 and percentile([], 50) is None
    scores = [score_item(gold_item(f"a-{i}"), answer(ranked_with_evidence_at(1)), float(ms)) for i, ms in enumerate(range(1, 101))]
    summary = summarize(scores)
    assert summary["latency_ms_p50"] == 50.5 and summary["latency_ms_p95"] == pytest.approx(95.05)


def test_by_kind_summaries_cover_only_kinds_present_in_the_given_order() -> None:
    scores = [score_item(gold_item("a-1", "who"), answer(ranked_with_evidence_at(1)), 1.0),
              score_item(gold_item("u-1", "unanswerable"), answer([], refused=True), 1.0),
              score_item(gold_item("a-2", "number"), answer(ranked_with_evidence_at(None)), 1.0)]
    by_kind = summarize_by_kind(scores, ["number", "when", "who", "unanswerable"])
    assert list(by_kind) == ["number", "who", "unanswerable"]
    assert by_kind["who"]["hit_at_1"] == 1.0 and by_kind["number"]["hit_at_1"] == 0.0
    assert by_kind["unanswerable"]["hit_at_5"] is None and by_kind["unanswerable"]["refusal_rate"] == 1.0
