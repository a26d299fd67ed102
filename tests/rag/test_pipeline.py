"""Answers end to end on a real index: citations are verbatim, refusals are explicit, cities are respected."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rag.compose import CITED_ROWS_HEADING, SOURCES_HEADING
from rag.index import LoadedIndex
from rag.pipeline import VALUE_SHOWN_NOTE, Pipeline
from rag.policy import PolicyConfig
from rag.records import CLOSEST_HEADING, LEADS_PREFIX, REFUSAL, Filters, Reason
from rag.retrieve import HybridRetriever, Retrieved, to_passage
from textnorm import matching_form


def _pipeline(index: LoadedIndex) -> Pipeline:
    return Pipeline(index, policy=PolicyConfig(min_coverage=0.3, min_dense=0.99), today=lambda: date(2026, 11, 22))


def test_land_procedure_answer_cites_the_five_steps_in_order(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("中心城区土地征收的程序是什么？")
    assert not answer.refused
    paths = [c.path for c in answer.citations if c.doc_number == "晋市政发〔2021〕3号"]
    assert paths[:6] == ["二、（四）", "二、（四）1.", "二、（四）2.", "二、（四）3.", "二、（四）4.", "二、（四）5."]
    positions = [answer.text.index(f"[{c.key}]") for c in answer.citations[:6]]
    assert positions == sorted(positions)


def test_every_citation_quote_is_verbatim_from_its_passage(small_index: LoadedIndex) -> None:
    pipeline = _pipeline(small_index)
    for question in ("住宅房屋被征收，搬迁补助费怎么算？", "中心城区土地征收的程序是什么？", "装配式建筑的目标是什么"):
        answer = pipeline.answer(question)
        by_key = {p.key: p for p in answer.passages}
        for c in answer.citations:
            assert c.quote in by_key[c.key].text
            doc = small_index.documents[small_index.chunks[c.chunk_id].doc_id]
            assert doc.text[c.start:c.end] == c.quote


def test_relocation_answer_has_rate_and_says_the_measures_lapsed(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("住宅房屋被征收，搬迁补助费怎么算？")
    first = answer.citations[0]
    assert (first.doc_number, first.path) == ("晋市政发〔2018〕23号", "第十二条")
    assert "18元/平方米" in answer.text and "支付两次" in answer.text
    assert "2023年7月15日届满" in answer.text and first.lapsed_note


def test_unrelated_question_is_refused_with_the_constant_phrase(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("明天会下雨吗？适合去爬山吗")
    assert answer.refused and answer.text.startswith(REFUSAL) and answer.citations == ()


def test_a_city_outside_the_corpus_is_refused_without_other_cities_as_leads(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("太原市房屋征收搬迁补助费是多少？")
    assert answer.refused and "太原" in answer.text and answer.reason == Reason.CITY_NOT_IN_CORPUS
    assert answer.trace.legs == {} and answer.leads == ()


def test_a_refusal_of_an_english_question_says_why_in_english_after_the_constant_phrase(small_index: LoadedIndex) -> None:
    from rag.records import REASON_LABELS_EN, REFUSAL_EN

    answer = _pipeline(small_index).answer("What is the relocation subsidy for expropriated housing in Taiyuan?")
    assert answer.refused and answer.reason == Reason.CITY_NOT_IN_CORPUS
    first, second = answer.text.split("\n")[:2]
    assert first == REFUSAL and second == f"{REFUSAL_EN}: {REASON_LABELS_EN[Reason.CITY_NOT_IN_CORPUS]}."
    chinese = _pipeline(small_index).answer("太原市房屋征收搬迁补助费是多少？")
    assert chinese.refused and REFUSAL_EN not in chinese.text  # a Chinese asker reads the Chinese lines only
    assert set(REASON_LABELS_EN) == set(Reason)  # every reason has its English name


def test_wrong_city_is_said_not_answered(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("长治市国有土地上房屋征收的搬迁补助费是多少？")
    assert answer.refused and answer.reason == Reason.WRONG_CITY
    assert "晋城" in answer.text and "不适用于长治" in answer.text
    assert answer.leads and {lead.doc_id for lead in answer.leads} <= {p.doc_id for p in answer.passages}
    assert all(small_index.documents[lead.doc_id].city == "晋城" for lead in answer.leads)
    assert len({lead.doc_id for lead in answer.leads}) == len(answer.leads) <= 3
    assert LEADS_PREFIX + f"《{answer.leads[0].doc_title}》" in answer.text


def test_step_follow_up_answers_that_step(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("第二步具体要做什么？", history=["中心城区土地征收的程序是什么？"])
    assert answer.trace.rewritten.startswith("中心城区土地征收的程序是什么")
    assert answer.citations[0].path == "二、（四）2."
    assert "下达征收任务" in answer.text


def test_answer_text_uses_only_keys_of_its_passages(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("晋城市房地产市场监管办法的有效期是多久")
    keys = {p.key for p in answer.passages}
    import re

    assert set(re.findall(r"\[(S\d+)\]", answer.text)) <= keys
    assert answer.invalid_citations == ()
    assert matching_form("有效期两年") in matching_form(answer.text)


def test_questions_asking_for_a_value_the_clause_lacks_are_refused(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("空客H225直升机每飞一小时要收多少钱？")
    assert answer.refused and "没有规定所问的具体金额" in answer.text and answer.reason == Reason.VALUE_NOT_STATED
    assert any(p.doc_number == "晋市政办〔2021〕12号" for p in answer.passages)  # the closest clauses stay as leads
    # what the documents do say of the subject is quoted after the refusal, cited verbatim: the clause naming H225
    assert answer.text.startswith(REFUSAL) and CLOSEST_HEADING in answer.text and len(answer.citations) == 1
    quoted = next(p for p in answer.passages if p.key == answer.citations[0].key)
    assert "H225" in quoted.text and answer.citations[0].quote in quoted.text and answer.invalid_citations == ()
    assert f"[{quoted.key}]" in answer.text.split(CLOSEST_HEADING)[1]


def test_weather_is_out_of_scope_in_chinese_and_english(small_index: LoadedIndex) -> None:
    for question in ("明天晋城会下雨吗？", "Will it rain in Jincheng tomorrow?"):
        answer = _pipeline(small_index).answer(question)
        assert answer.refused and answer.trace.legs == {}


def test_lapsed_notice_is_said_once_per_document(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("住宅房屋被征收，搬迁补助费怎么算？")
    assert answer.text.count("注意：《晋城市国有土地上房屋征收与补偿办法》") == 1


def test_titles_holding_book_marks_nest_them() -> None:
    from rag.compose import book_title

    assert book_title("关于印发《晋城市消防安全责任制实施办法》的通知") == "《关于印发〈晋城市消防安全责任制实施办法〉的通知》"


def test_a_comparison_answer_has_one_cited_section_per_side(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("关于安全监管执法人员轮训，晋市政发〔2021〕1号和晋市政办〔2021〕10号分别是怎么规定的？")
    assert not answer.refused
    heads = [line for line in answer.text.split("\n") if line.startswith("根据《")]
    assert len(heads) == 2 and "晋市政发〔2021〕1号" in "".join(heads) and "晋市政办〔2021〕10号" in "".join(heads)
    assert {c.doc_number for c in answer.citations[:2]} == {"晋市政发〔2021〕1号", "晋市政办〔2021〕10号"}
    assert any("轮训" in c.quote for c in answer.citations)


def test_a_value_of_another_subject_does_not_answer(small_index: LoadedIndex) -> None:
    # 第十三条 says the 临时安置补助费 standard is set by the cities and counties; the 18元/平方米 of 第十二条 is 搬迁补助费
    # so the answer says no figure is set and cites how it is set, not the 18元/平方米
    answer = _pipeline(small_index).answer("晋城房屋征收的临时安置补助费每月每平方米是多少钱？")
    assert answer.text.startswith("文件没有规定所问的具体金额") and answer.reason == Reason.VALUE_LEFT_OPEN
    assert answer.citations[0].path == "第十三条" and "18元/平方米" not in answer.citations[0].quote


def test_funds_asked_after_duoshao_need_an_amount(small_index: LoadedIndex) -> None:
    # 四、（二）: 财政部门…给予支持 and 市级财政应安排…专项奖补资金 — the funds exist, no amount is set; the 50% of a
    # tax refund in the same clause is not an amount of those funds: the answer says no amount is set (with the
    # clause when it leads the answer, `VALUE_LEFT_OPEN`; refused when it does not, as on the bundled index)
    answer = _pipeline(small_index).answer("晋城市级财政每年安排多少装配式建筑专项奖补资金？")
    assert answer.reason in (Reason.VALUE_LEFT_OPEN, Reason.VALUE_NOT_STATED)
    assert "没有规定所问的具体金额" in answer.text and answer.refused == (answer.reason == Reason.VALUE_NOT_STATED)


def test_a_count_in_a_unit_the_documents_never_state_is_refused(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("按2021年空气质量巩固提升行动计划，高平市今年的PM2.5年均浓度要控制在多少微克/立方米？")
    assert answer.refused and "没有规定所问的具体数量" in answer.text


def test_a_table_printed_only_as_an_attachment_title_is_refused(small_index: LoadedIndex) -> None:
    for question, title in (
        ("阳城县横河镇有哪些村被列入太行一号旅游公路环线1公里范围内村（社区）名单？", "太行一号旅游公路环线1公里范围内村(社区)名单"),
        ("按2021年地表水水质改善目标明细表，丹河各考核断面今年要达到几类水质？", "2021年地表水水质改善目标明细表"),
    ):
        answer = _pipeline(small_index).answer(question)
        assert answer.refused and f"《{title}》是文件的附件" in answer.text
        assert answer.leads  # the document that lists the attachment stays as a lead


def test_a_printed_attachment_is_not_taken_for_an_unprinted_one(small_index: LoadedIndex) -> None:
    # 附件 晋城市装配式建筑工作领导小组名单 is printed (its title heads the members), so the question is answered
    answer = _pipeline(small_index).answer("晋城市装配式建筑工作领导小组名单里组长是谁？")
    assert not answer.refused and "是文件的附件" not in answer.text


def test_a_standard_given_as_a_multiple_answers_an_amount_question(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("全部失地的话，人均筹资标准是多少？")
    assert not answer.refused and "139倍" in answer.text


class _Placing:
    """A retriever that puts the clause holding `text` at `rank` (1-based) among the real hits, each hit its own
    group, as a dense leg may rank it."""

    def __init__(self, index: LoadedIndex, text: str, rank: int, value: str | None = None) -> None:
        self.inner, self.rank, self.value = HybridRetriever(index), rank, value or text
        self.chunk = next(c for c in index.chunks.values() if text in c.text)

    def retrieve(self, query: str, filters: Filters | None = None, widen: bool | None = None) -> Retrieved:
        got = self.inner.retrieve(query, filters, widen=False)
        placed = to_passage(self.inner.index, self.chunk, "", 0.0, {}, widened=False)
        # no other hit states the value (a sibling clause stating it for another case): the placed clause is the one
        ranked = [p for p in got.passages if p.chunk_id != self.chunk.chunk_id and self.value not in p.text]
        ranked.insert(self.rank - 1, placed)
        ranked = [replace(p, key=f"S{i}") for i, p in enumerate(ranked, start=1)]
        return replace(got, passages=ranked, groups=[[p.chunk_id] for p in ranked])


def _placing(index: LoadedIndex, text: str, rank: int, value: str | None = None) -> Pipeline:
    return Pipeline(index, retriever=_Placing(index, text, rank, value), policy=PolicyConfig(min_coverage=0.3, min_dense=0.99),  # type: ignore[arg-type]
                    today=lambda: date(2026, 11, 22))


def test_a_lower_ranked_clause_matching_the_question_as_well_holds_the_value(small_index: LoadedIndex) -> None:
    # the standard (139倍 of the 低保标准) ranked below clauses that only define 全部失地: its words match the
    # question better than theirs, so its value answers
    answer = _placing(small_index, "人均筹资标准为本县(区)上一年度城市低保标准的139倍", 5, value="139倍").answer("全部失地的话，人均筹资标准是多少？")
    assert "139倍" not in "".join(p.text for p in answer.passages[:3])
    assert not answer.refused


def test_a_lower_ranked_clause_matching_the_question_worse_does_not_hold_the_value(small_index: LoadedIndex) -> None:
    # the yearly cost of the whole service (1675万元) names 航空应急救援 but is no per-flight charge
    answer = _placing(small_index, "每年航空应急救援服务费用为1675万元", 5).answer("晋城航空应急救援直升机每次出动收多少钱？")
    assert answer.passages[4].text.startswith("五、费用支出")
    assert answer.refused and "没有规定所问的具体金额" in answer.text and answer.reason == Reason.VALUE_NOT_STATED


@pytest.mark.parametrize("rank, shown", [(5, True), (2, False)])
def test_an_answer_whose_clauses_state_no_value_leads_with_the_clause_that_does(small_index: LoadedIndex, rank: int,
                                                                                shown: bool) -> None:
    # the value rule lets the question through on the clause stating the yearly charge (1675万元). Ranked 5th, no
    # clause the answer would quote states an amount: it leads with that clause, then with what retrieval ranked
    # first (`value_shown`). Ranked 2nd, the answer already quotes it among the related clauses: the lead stays.
    answer = _placing(small_index, "每年航空应急救援服务费用为1675万元", rank).answer("晋城航空应急救援服务每年的费用是多少？")
    assert not answer.refused and "1675万元" in answer.text
    assert ("1675万元" in answer.citations[0].quote) is shown
    assert (answer.citations[0].chunk_id == answer.passages[0].chunk_id) is not shown
    assert (VALUE_SHOWN_NOTE in answer.trace.notes) is shown
    if shown:
        assert answer.citations[1].chunk_id == answer.passages[0].chunk_id


def test_a_chronicle_entry_states_its_own_date(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("经济学家林毅夫到晋城作专题报告是哪天？是第几期讲座？")
    assert not answer.refused and answer.citations[0].path == "23日"


def test_a_table_row_answer_shows_named_cells_and_cites_the_printed_row(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("沁县还需完成多少个减速带？")
    assert not answer.refused
    row = next(c for c in answer.citations if c.path.startswith("表 第"))
    assert row.quote == "沁县\t114\t11\t16\t0\t103\t103\t0"  # the citation keeps the printed row, verbatim
    shown = next(line for line in answer.text.split("\n") if line.endswith(f"[{row.key}]"))
    assert "县(区)：沁县" in shown and "还需完成减速带数量：0" in shown and "\t" not in shown


def test_a_multi_part_answer_leads_with_one_headed_section_per_part_and_traces_the_parts(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("住宅房屋被征收，搬迁补助费按什么标准给？临时安置补助费由谁确定？")
    assert not answer.refused
    assert answer.trace.parts == ["搬迁补助费按什么标准给", "临时安置补助费由谁确定"]
    lines = answer.text.split("\n")
    first, second = lines.index("（一）搬迁补助费按什么标准给？"), lines.index("（二）临时安置补助费由谁确定？")
    assert first < second and lines[first + 1].startswith("根据《") and lines[second + 1].startswith("根据《")


def test_the_pipeline_takes_the_family_cap_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.pipeline as pipeline

    monkeypatch.setenv("RAG_MAX_PER_FAMILY", "2")
    seen: list[int] = []
    monkeypatch.setattr(pipeline, "load_index", lambda settings: seen.append(settings.max_per_family) or object())
    monkeypatch.setattr(pipeline, "HybridRetriever", lambda index, config, reranker, ranker: seen.append(config.max_per_family))
    monkeypatch.setattr(pipeline, "Pipeline", lambda *a, **k: None)
    pipeline.load_pipeline.cache_clear()
    try:
        pipeline.load_pipeline("offline")
    finally:
        pipeline.load_pipeline.cache_clear()
    assert seen == [2, 2]


@pytest.mark.parametrize(("setting", "wanted", "bundled"), [(None, True, True), ("off", True, False), (None, False, False)])
def test_the_pipeline_takes_the_learned_ranker_from_the_settings(monkeypatch: pytest.MonkeyPatch, setting: str | None,
                                                                 wanted: bool, bundled: bool) -> None:
    import rag.pipeline as pipeline
    from rag.ranker import load_ranker

    if setting is not None:
        monkeypatch.setenv("RAG_RANKER_MODEL", setting)
    got: list[object] = []
    monkeypatch.setattr(pipeline, "load_index", lambda settings: object())
    monkeypatch.setattr(pipeline, "HybridRetriever", lambda index, config, reranker, ranker: got.append(ranker))
    monkeypatch.setattr(pipeline, "Pipeline", lambda *a, **k: None)
    pipeline.load_pipeline.cache_clear()
    try:
        pipeline.load_pipeline("offline", ranker=wanted)
    finally:
        pipeline.load_pipeline.cache_clear()
    assert got == [load_ranker(None) if bundled else None] and (got[0] is not None) == bundled


def test_a_clause_citing_a_printed_table_is_followed_by_the_rows_the_question_picks_out(small_index: LoadedIndex) -> None:
    # 23号 第十一条 says 附属设施 are paid by 《晋城市房屋征收附属物补偿指导价》（附表1）; the rows hold the figures
    answer = _pipeline(small_index).answer("围墙等附属设施被拆除，补偿费用怎么确定？")
    assert not answer.refused and answer.citations[0].path == "第十一条"
    lines = answer.text.split("\n")
    rows = lines[lines.index(CITED_ROWS_HEADING) + 1:lines.index(SOURCES_HEADING)]
    shown = [line for line in rows if "附表1" in line]
    assert len(shown) == 2 and all("项目：围墙" in line and "补偿标准（元）" in line for line in shown)
    assert {c.path for c in answer.citations} >= {"附表1 第1行", "附表1 第2行"}  # each row cited on its own
