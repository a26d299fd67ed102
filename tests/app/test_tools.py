"""app.tools over the small real index (four gazette files, bigram fake embedder): the exact clause — 文号, path,
verbatim text and offsets — reaches the caller, and bad arguments name their field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from app.tools import CorpusTools, NotFound, canonical_doc_number, norm_path
from app.wire import WireError
from rag.index import LoadedIndex
from rag.pipeline import Pipeline

TODAY = date(2026, 11, 22)
RELOCATION_DOC = "晋市政发〔2018〕23号"  # 晋城市国有土地上房屋征收与补偿办法, 有效期至2023年7月15日
RELOCATION_RULE = "征收住宅房屋，搬迁补助费18元/平方米"  # its 第十二条 (一)
MARKET_DOC = "晋市政发〔2021〕4号"  # 晋城市房地产市场监管办法（试行）: 第九条 in two parts, 第二十三条–第二十四条 merged
SERVICE_DOC = "晋市政办〔2018〕54号"  # 晋城市改进提升全市政务服务水平工作方案: 一、 > （一） > 1.


@pytest.fixture(scope="module")
def tools(small_index: LoadedIndex) -> CorpusTools:
    pipeline = Pipeline(small_index, today=lambda: TODAY)
    return CorpusTools(lambda: pipeline, today=lambda: TODAY)


# -- get_clause ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["晋市政发〔2018〕23号", "晋市政发[2018]23号", "晋市政发〔2018〕23 号", "晋市政发（2018）23号",
                                      "晋市政发［２０１８］２３号", "晋市政发〔2018〕23"])
def test_get_clause_accepts_any_common_spelling_of_the_doc_number(tools: CorpusTools, spelling: str) -> None:
    clause = tools.get_clause(spelling, "第十二条")
    doc = tools.index.documents[clause.doc_id]
    assert clause.doc_number == RELOCATION_DOC
    assert clause.title.startswith("晋城市国有土地上房屋征收与补偿办法")
    assert clause.path == "第十二条"
    assert clause.text.startswith("第十二条 搬迁补助：") and RELOCATION_RULE in clause.text
    assert doc.text[clause.start:clause.end] == clause.text  # offsets index the document text
    assert clause.previous is not None and clause.previous.path == "第十一条" and clause.previous.text.startswith("第十一条 附属物")
    assert clause.next is not None and clause.next.path == "第十三条" and clause.next.text.startswith("第十三条 临时安置补助")
    assert clause.lapsed and "有效期至2023年7月15日" in clause.validity
    assert clause.issuer == "晋城市人民政府" and clause.date == date(2018, 7, 16)


@pytest.mark.parametrize(("path", "expected"), [
    ("二、/（三）/1.", "二、（三）1."),
    ("二、(三)1.", "二、（三）1."),  # half-width brackets
    (" 二、 （三）  1. ", "二、（三）1."),  # stray spaces
    ("（三）/1.", "二、（三）1."),  # the last components are enough when they are unique
])
def test_get_clause_matches_the_path_leniently(tools: CorpusTools, path: str, expected: str) -> None:
    clause = tools.get_clause(SERVICE_DOC, path)
    assert clause.path == expected
    assert "新开办企业3个工作日内完成营业执照的办理" in clause.text
    assert clause.headings and clause.headings[0].startswith("二、主要任务")


def test_get_clause_joins_a_clause_split_in_parts_and_reads_arabic_numbers(tools: CorpusTools) -> None:
    clause = tools.get_clause(MARKET_DOC, "第9条")
    assert clause.path == "第九条" and len(clause.chunk_ids) == 2
    assert clause.text.startswith("第九条 房地产经纪机构应依法诚信经营。") and clause.text.endswith("（十）法律法规禁止的其他行为。")
    assert clause.next is not None and clause.next.path == "第十条"


def test_get_clause_finds_an_article_inside_a_merged_range(tools: CorpusTools) -> None:
    clause = tools.get_clause(MARKET_DOC, "第二十四条")
    assert clause.path == "第二十三条–第二十四条"
    assert "第二十四条" in clause.text


FENCE_ROW = "序号：1；项目：围墙；分类：铁艺围墙；单位：m2；补偿标准（元）：200"  # 附表1 第2行, rebuilt from a column dump


def test_get_clause_gives_a_row_rebuilt_from_a_column_dump_as_its_cells_beside_its_printed_cell(tools: CorpusTools) -> None:
    row = tools.get_clause(RELOCATION_DOC, "附表1 第2行")
    assert row.text == "铁艺围墙" == tools.index.documents[row.doc_id].text[row.start:row.end]  # printed: its 分类 cell
    assert row.shown == FENCE_ROW
    assert row.previous is not None and row.previous.text == "砖围墙"
    assert row.previous.shown == "序号：1；项目：围墙；分类：砖围墙；单位：m2；补偿标准（元）：80"


def test_get_clause_shows_a_clause_as_its_text(tools: CorpusTools) -> None:
    clause = tools.get_clause(RELOCATION_DOC, "第十二条")
    assert clause.shown == clause.text and clause.next is not None and clause.next.shown == clause.next.text


def test_get_clause_unknown_path_lists_the_first_twenty_existing_paths(tools: CorpusTools) -> None:
    with pytest.raises(NotFound) as err:
        tools.get_clause(RELOCATION_DOC, "第九十条")
    message = str(err.value)
    assert "第九十条" in message and "第一条、第二条" in message and "第二十条" in message
    assert "第二十一条" not in message and "共37条" in message  # 23 articles, the 附表 blocks and 附表1's 9 rows


def test_get_clause_unknown_doc_number_names_the_closest_ones(tools: CorpusTools) -> None:
    with pytest.raises(NotFound, match="晋市政发〔2018〕230号") as err:
        tools.get_clause("晋市政发〔2018〕230号", "第一条")
    assert f"相近的文号：{RELOCATION_DOC}" in str(err.value)


def test_get_clause_under_a_doc_number_with_several_texts_asks_for_the_title(tools: CorpusTools) -> None:
    with pytest.raises(NotFound, match="title") as err:
        tools.get_clause("长政办发〔2020〕24号", "二、（一）")
    assert "企业技术创新全覆盖工作推进方案" in str(err.value) and "企业技术创新活动内涵" in str(err.value)
    plan = tools.get_clause("长政办发〔2020〕24号", "二、（一）", title="推进方案")
    assert plan.title.startswith("长治市企业技术创新全覆盖工作推进方案") and plan.path == "二、（一）"


def test_get_clause_suffix_matching_several_clauses_lists_their_full_paths(tools: CorpusTools) -> None:
    with pytest.raises(NotFound, match="不唯一") as err:
        tools.get_clause(SERVICE_DOC, "（一）")
    assert "一、（一）" in str(err.value) and "三、（一）" in str(err.value)


def test_get_clause_body_of_a_notice_is_its_zheng_wen(tools: CorpusTools) -> None:
    notice = tools.get_clause(RELOCATION_DOC, "正文", title="的通知")
    assert notice.title == "关于印发晋城市国有土地上房屋征收与补偿办法的通知" and RELOCATION_DOC in notice.text


def test_doc_number_and_path_normalisation() -> None:
    assert canonical_doc_number("晋市政办[2018] 054 号") == "晋市政办〔2018〕54号"
    assert norm_path("第三章/第12条") == norm_path("第三章第十二条")
    assert norm_path("三、 /（二）") == norm_path("三、(二)")


# -- search_clauses -----------------------------------------------------------------------------------------------
def test_search_clauses_ranks_the_clause_with_its_doc_number_path_and_text(tools: CorpusTools) -> None:
    result = tools.search_clauses("住宅房屋搬迁补助费标准", k=5)
    assert 0 < len(result.clauses) <= 5 and [h.rank for h in result.clauses] == list(range(1, len(result.clauses) + 1))
    hit = next(h for h in result.clauses if h.path == "第十二条")
    assert hit.doc_number == RELOCATION_DOC and RELOCATION_RULE in hit.quote
    assert hit.quote == tools.index.chunks[hit.chunk_id].text and hit.lapsed
    assert [h.score for h in result.clauses] == sorted((h.score for h in result.clauses), reverse=True)


def test_search_clauses_gives_a_table_row_as_read_and_its_printed_text_as_the_quote(tools: CorpusTools) -> None:
    result = tools.search_clauses("铁艺围墙补偿标准", filters={"doc_number": RELOCATION_DOC}, k=5)
    hit = next(h for h in result.clauses if h.path == "附表1 第2行")
    assert hit.quote == "铁艺围墙" == tools.index.chunks[hit.chunk_id].text and hit.shown == FENCE_ROW


def test_search_clauses_filters_by_doc_number_in_any_spelling(tools: CorpusTools) -> None:
    result = tools.search_clauses("补偿", {"doc_number": "晋市政发［２０１８］23"}, k=20)
    assert result.filters == {"doc_number": RELOCATION_DOC}
    assert result.clauses and {h.doc_number for h in result.clauses} == {RELOCATION_DOC}


def test_search_clauses_takes_the_city_the_query_names_as_a_filter(tools: CorpusTools) -> None:
    result = tools.search_clauses("长治市标准地改革", k=5)
    assert result.filters == {"city": "长治"} and {h.city for h in result.clauses} == {"长治"}


# -- list_documents -----------------------------------------------------------------------------------------------
def test_list_documents_gives_every_document_with_its_metadata(tools: CorpusTools) -> None:
    listed = tools.list_documents()
    assert listed.total == len(tools.index.documents) == len(listed.documents)
    row = next(r for r in listed.documents if r.doc_number == RELOCATION_DOC and r.kind == "印发的文件")
    assert row.title.startswith("晋城市国有土地上房屋征收与补偿办法") and row.issuer == "晋城市人民政府"
    assert row.date == date(2018, 7, 16) and row.city == "晋城" and row.doc_type == "办法"
    assert row.lapsed and "有效期至2023年7月15日" in row.validity and row.chunk_count == 37


def test_list_documents_filters_by_city_years_and_validity(tools: CorpusTools) -> None:
    changzhi = tools.list_documents({"city": "changzhi"})
    assert changzhi.total == sum(1 for d in tools.index.documents.values() if d.city == "长治") > 0
    assert {r.city for r in changzhi.documents} == {"长治"}
    in_2021 = tools.list_documents({"year_from": 2021, "year_to": "2021"})
    assert in_2021.total and all(r.date is None or r.date.year == 2021 for r in in_2021.documents)
    valid = {r.doc_number for r in tools.list_documents({"valid_on": "2022-06-01"}).documents}
    assert MARKET_DOC in valid  # 有效期至2023年3月23日
    assert "晋市政发〔2021〕6号" not in valid  # 有效期至2022年3月31日


# -- verify_quote -------------------------------------------------------------------------------------------------
def test_verify_quote_finds_a_quote_despite_spaces_and_half_width_punctuation(tools: CorpusTools) -> None:
    check = tools.verify_quote("征收住宅房屋, 搬迁补助费18元 /平方米")
    assert check.found and check.total == 1 and check.near is None
    (match,) = check.matches
    assert (match.doc_number, match.path) == (RELOCATION_DOC, "第十二条")
    assert match.text == RELOCATION_RULE == tools.index.documents[match.doc_id].text[match.start:match.end]
    assert match.chunk_ids == (match.chunk_id,) and match.source_file == "jincheng-2018-04.txt"


def test_verify_quote_across_two_clauses_names_both(tools: CorpusTools) -> None:
    check = tools.verify_quote("支付一次。第十三条 临时安置补助")
    (match,) = check.matches
    paths = [tools.index.chunks[c].path_str for c in match.chunk_ids]
    assert match.path == "第十二条" and paths == ["第十二条", "第十三条"]


def test_verify_quote_altered_figure_is_not_found_but_the_near_clause_is_labelled(tools: CorpusTools) -> None:
    check = tools.verify_quote("征收住宅房屋，搬迁补助费20元/平方米，实行产权调换期房安置的支付两次")
    assert not check.found and check.matches == ()
    assert check.near is not None and (check.near.doc_number, check.near.path) == (RELOCATION_DOC, "第十二条")
    assert 0.6 <= check.near.coverage < 1 and "18元/平方米" in check.near.sentence
    assert "不是逐字一致" in check.note


def test_verify_quote_unrelated_text_has_no_near_match(tools: CorpusTools) -> None:
    check = tools.verify_quote("今天阳光明媚，适合去公园散步看花。")
    assert not check.found and check.near is None and "没有这段原文" in check.note


# -- ask ----------------------------------------------------------------------------------------------------------
def test_ask_returns_the_cited_answer_as_the_wire_payload(tools: CorpusTools) -> None:
    payload = tools.ask("住宅房屋被征收，搬迁补助费怎么算？")
    assert not payload["refused"] and "[S1]" in payload["text"]
    first = payload["citations"][0]
    assert (first["key"], first["doc_number"], first["clause"]) == ("S1", RELOCATION_DOC, "第十二条")
    assert "18元/平方米" in first["quote"] and first["lapsed"] and first["chunk_id"] in tools.index.chunks


def test_ask_refusal_carries_its_reason(tools: CorpusTools) -> None:
    payload = tools.ask("太原市的公交票价是多少？")
    assert payload["refused"] and payload["reason"] == "city_not_in_corpus" and payload["citations"] == []


# -- bad arguments ------------------------------------------------------------------------------------------------
BAD: list[tuple[str, Callable[[CorpusTools], Any], str]] = [
    ("empty question", lambda t: t.ask("   "), "question"),
    ("history not a list", lambda t: t.ask("搬迁补助费", history="上一问"), "history"),
    ("k zero", lambda t: t.search_clauses("搬迁补助费", k=0), "k"),
    ("k too big", lambda t: t.search_clauses("搬迁补助费", k=21), "k"),
    ("empty query", lambda t: t.search_clauses(""), "query"),
    ("unknown city", lambda t: t.list_documents({"city": "太原"}), "filters.city"),
    ("bad date", lambda t: t.list_documents({"valid_on": "2024-13-01"}), "filters.valid_on"),
    ("bad year", lambda t: t.search_clauses("补偿", {"year_from": "去年"}), "filters.year_from"),
    ("unknown filter", lambda t: t.list_documents({"colour": "red"}), "filters.colour"),
    ("filters not an object", lambda t: t.list_documents(["晋城"]), "filters"),  # type: ignore[arg-type]
    ("empty quote", lambda t: t.verify_quote(" \n "), "text"),
    ("empty doc number", lambda t: t.get_clause("", "第一条"), "doc_number"),
]


@pytest.mark.parametrize(("call", "field"), [(c, f) for _, c, f in BAD], ids=[name for name, _, _ in BAD])
def test_a_bad_argument_raises_an_error_naming_its_field(tools: CorpusTools, call: Callable[[CorpusTools], Any], field: str) -> None:
    with pytest.raises(WireError) as err:
        call(tools)
    assert err.value.field == field and str(err.value).startswith(f"{field}: ")


def test_unknown_city_error_lists_the_corpus_cities(tools: CorpusTools) -> None:
    with pytest.raises(WireError, match="晋城、长治"):
        tools.search_clauses("补偿", {"city": "太原"})


# -- following the index ------------------------------------------------------------------------------------------
def test_tools_read_the_index_current_returns_now(small_index: LoadedIndex) -> None:
    """A re-ingest swaps the pipeline (rag.live): listings and the quote cache follow the new index."""
    jincheng = {k: d for k, d in small_index.documents.items() if d.city == "晋城"}
    smaller = LoadedIndex(jincheng, {k: c for k, c in small_index.chunks.items() if c.doc_id in jincheng},
                          small_index.keyword, small_index.store, small_index.embed_query)
    pipelines = {"now": Pipeline(small_index, today=lambda: TODAY)}
    tools = CorpusTools(lambda: pipelines["now"], today=lambda: TODAY)
    quote = next(c.text for c in small_index.chunks.values() if small_index.documents[c.doc_id].city == "长治" and len(c.text) > 30)[:30]
    assert tools.verify_quote(quote).found
    pipelines["now"] = Pipeline(smaller, today=lambda: TODAY)
    assert tools.list_documents().total == len(jincheng)
    assert not tools.verify_quote(quote).found
