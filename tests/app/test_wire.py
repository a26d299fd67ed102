"""The answer as machine clients get it (app.wire): filters from JSON with errors naming the field, the citation
payload, and the Markdown text whose source list survives in text-only clients."""

from __future__ import annotations

from datetime import date

import pytest

from app.documents import DocumentLibrary
from app.wire import WireError, answer_markdown, answer_payload, body_markdown, filters_from_json
from rag.index import LoadedIndex
from rag.pipeline import Pipeline
from rag.policy import PolicyConfig
from rag.records import Filters

TODAY = date(2026, 11, 22)


def test_filters_accept_chinese_or_pinyin_cities_and_put_years_in_order() -> None:
    got = filters_from_json({"city": "jincheng", "year_from": 2021, "year_to": "2018", "valid_on": "2020-05-01",
                             "doc_number": " 晋市政发〔2018〕23号 "}, cities=("晋城", "长治"))
    assert got == Filters(city="晋城", year_from=2018, year_to=2021, doc_number="晋市政发〔2018〕23号", valid_on=date(2020, 5, 1))
    assert filters_from_json({"city": "长治市"}, cities=("晋城", "长治")).city == "长治"
    assert filters_from_json(None) == Filters() and filters_from_json({}) == Filters()


@pytest.mark.parametrize(("obj", "field"), [
    ([], "filters"), ({"city": "太原"}, "filters.city"), ({"city": 3}, "filters.city"), ({"year_to": 20}, "filters.year_to"),
    ({"year_from": True}, "filters.year_from"), ({"valid_on": "yesterday"}, "filters.valid_on"),
    ({"doc_type": ["通知"]}, "filters.doc_type"), ({"region": "x"}, "filters.region"),
])
def test_bad_filters_name_their_field(obj: object, field: str) -> None:
    with pytest.raises(WireError) as err:
        filters_from_json(obj, cities=("晋城", "长治"))
    assert err.value.field == field


def test_markdown_is_the_answer_then_one_source_item_per_citation_with_its_quote(small_index: LoadedIndex) -> None:
    library = DocumentLibrary.from_index(small_index, today=TODAY)
    answer = Pipeline(small_index, policy=PolicyConfig(min_coverage=0.3, min_dense=0.99), today=lambda: TODAY).answer(
        "住宅房屋被征收，搬迁补助费怎么算？")
    payload = answer_payload(answer, library)
    text = answer_markdown(answer, payload["citations"])
    assert not answer.refused and payload["citations"]
    body, _, sources = text.partition("\n\n**来源**\n\n")
    assert body == body_markdown(answer.text.split("\n来源：\n")[0])  # the plain source list gives way to the Markdown one
    items = [line for line in sources.split("\n") if line.startswith("- [")]
    assert [i.split("]")[0][3:] for i in items] == [c["key"] for c in payload["citations"]]
    first = payload["citations"][0]
    assert first["doc_number"] == "晋市政发〔2018〕23号" and first["clause"] == "第十二条" and "18元/平方米" in first["quote"]
    assert first["lapsed"] and "已过有效期" in items[0]  # the 2018 measures lapsed in 2023
    assert f"  > {first['quote'].split(chr(10))[0]}" in sources


def test_refusal_markdown_says_why_and_lists_the_leads(small_index: LoadedIndex) -> None:
    library = DocumentLibrary.from_index(small_index, today=TODAY)
    answer = Pipeline(small_index, today=lambda: TODAY).answer("太原市的住房公积金怎么提取？")
    text = answer_markdown(answer, answer_payload(answer, library)["citations"])
    assert answer.refused and text.startswith("根据现有文件无法回答该问题。") and "（原因：文件库未收录该城市的文件）" in text
    assert "可能相关的文件：" not in text  # the plain leads line is replaced by the list (if any)
    assert "**来源**" not in text and not answer.citations


def test_a_refusal_quoting_a_clause_lists_its_source_like_an_answer(small_index: LoadedIndex) -> None:
    from rag.compose import SOURCES_HEADING
    from rag.records import CLOSEST_HEADING

    library = DocumentLibrary.from_index(small_index, today=TODAY)
    answer = Pipeline(small_index, today=lambda: TODAY).answer("空客H225直升机每飞一小时要收多少钱？")
    payload = answer_payload(answer, library)
    text = answer_markdown(answer, payload["citations"])
    assert answer.refused and payload["refused"] and len(payload["citations"]) == 1
    body, _, sources = text.partition("\n\n**来源**\n\n")
    assert CLOSEST_HEADING in body and "（原因：" in body and SOURCES_HEADING not in body  # one source list: the Markdown one
    assert sources.startswith(f"- [{payload['citations'][0]['key']}] 《") and "晋市政办〔2021〕12号" in sources


def test_a_citation_from_a_paged_source_names_its_pages_in_the_payload_the_markdown_and_the_card(small_index: LoadedIndex) -> None:
    from dataclasses import replace

    from app.render import render_card

    answer = Pipeline(small_index, policy=PolicyConfig(min_coverage=0.3, min_dense=0.99), today=lambda: TODAY).answer(
        "住宅房屋被征收，搬迁补助费怎么算？")
    first = answer.citations[0]
    chunks = {**small_index.chunks, first.chunk_id: replace(small_index.chunks[first.chunk_id], page_start=3, page_end=4)}
    paged = DocumentLibrary(small_index.documents, chunks, today=TODAY)
    plain = DocumentLibrary.from_index(small_index, today=TODAY)
    assert answer_payload(answer, paged)["citations"][0]["pages"] == "第3–4页"
    assert answer_payload(answer, plain)["citations"][0]["pages"] == ""  # a text source has no pages
    assert f"{first.path} 第3–4页（" in answer_markdown(answer, answer_payload(answer, paged)["citations"])
    passage = next(p for p in answer.passages if p.key == first.key)
    assert "<dt>页码</dt><dd>第3–4页</dd>" in render_card(1, first, passage, paged)
    assert "页码" not in render_card(1, first, passage, plain)
    view = paged.document_html(passage.doc_id, first.chunk_id)  # the whole-document view names the cited clause's pages
    assert f"定位：{first.path}，第3–4页" in view and "页" not in plain.document_html(passage.doc_id, first.chunk_id).split("doc-body")[0]


def test_a_source_item_shows_a_table_printed_column_by_column_as_its_rows_and_keeps_the_printed_quote() -> None:
    from app.wire import citation_record, sources_markdown
    from rag.records import Citation, Passage

    dump = "附表：\n序号\t1\t2\t项目\t果树\t围栏\t分类\t苹果果树\t木围栏\t单位\t株\tm\t补偿标准（元）\t120\t30"
    layout = "附表：\n序号：1；项目：果树；分类：苹果果树；单位：株；补偿标准（元）：120\n序号：2；项目：围栏；分类：木围栏；单位：m；补偿标准（元）：30"
    p = Passage(key="S1", chunk_id="blk", text=dump, doc_id="y:1", doc_title="果园征收补偿办法", doc_number="示例发〔2020〕1号",
                wrapper_title="", path="附表", headings=(), city="晋城", doc_type="办法", date=None, valid_until=None,
                source_file="y.txt", line_start=1, line_end=2, start=10, end=10 + len(dump), score=0.5, kind="table",
                layout=layout)
    c = Citation(key="S1", chunk_id="blk", doc_title=p.doc_title, doc_number=p.doc_number, path="附表", date=None,
                 quote=dump, start=10, end=10 + len(dump), source_file="y.txt")
    record = citation_record(c, p, DocumentLibrary({}, {}, today=TODAY))
    assert record["quote"] == dump and record["shown"] == layout
    text = sources_markdown([record])
    assert "  > 序号：2；项目：围栏；分类：木围栏；单位：m；补偿标准（元）：30" in text.split("\n")
    assert "序号\t1" not in text


def test_a_source_item_shows_a_cited_table_row_as_its_cells_and_keeps_its_printed_span_as_the_quote() -> None:
    from app.wire import citation_record, sources_markdown
    from rag.records import Citation, Passage

    dump = "序号\t1\t2\t项目\t果树\t围栏\t分类\t苹果果树\t木围栏\t单位\t株\tm\t补偿标准（元）\t120\t30"
    at = 10 + dump.index("木围栏")  # a row rebuilt from the dump: its printed span is its own 分类 cell
    cells = (("序号", "2"), ("项目", "围栏"), ("分类", "木围栏"), ("单位", "m"), ("补偿标准（元）", "30"))
    p = Passage(key="S2", chunk_id="row2", text="木围栏", doc_id="y:1", doc_title="果园征收补偿办法", doc_number="示例发〔2020〕1号",
                wrapper_title="", path="附表 第2行", headings=(), city="晋城", doc_type="办法", date=None, valid_until=None,
                source_file="y.txt", line_start=2, line_end=2, start=at, end=at + 3, score=0.5, kind="table_row", cells=cells)
    c = Citation(key="S2", chunk_id="row2", doc_title=p.doc_title, doc_number=p.doc_number, path=p.path, date=None,
                 quote="木围栏", start=at, end=at + 3, source_file="y.txt")
    record = citation_record(c, p, DocumentLibrary({}, {}, today=TODAY))
    assert record["quote"] == "木围栏" and (record["start"], record["end"]) == (at, at + 3)
    assert record["shown"] == "序号：2；项目：围栏；分类：木围栏；单位：m；补偿标准（元）：30"
    assert "  > 序号：2；项目：围栏；分类：木围栏；单位：m；补偿标准（元）：30" in sources_markdown([record]).split("\n")
