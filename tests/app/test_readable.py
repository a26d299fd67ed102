"""app.readable: a cited passage as a person reads it — a table row as its cells, a column dump block as its layout —
with the printed quote located in that reading."""

from __future__ import annotations

from app.readable import printed_spans, quoted_pieces, shown_quote
from ingest.records import render_cells
from rag.records import Citation, Passage

PRINTED = "3\t木围栏\t按长度计。含立柱。\t30"  # 项目 left empty in print (merged with the row above)
CELLS = (("序号", "3"), ("项目", "围栏"), ("分类", "木围栏"), ("说明", "按长度计。含立柱。"), ("补偿标准（元）", "30"))


def _row(text: str = PRINTED, cells: tuple[tuple[str, str], ...] = CELLS, start: int = 100) -> Passage:
    return Passage(key="S1", chunk_id="r3", text=text, doc_id="y:1", doc_title="果园征收补偿办法", doc_number="示例发〔2020〕1号",
                   wrapper_title="", path="附表 第3行", headings=(), city="晋城", doc_type="办法", date=None, valid_until=None,
                   source_file="y.txt", line_start=4, line_end=4, start=start, end=start + len(text), score=0.5,
                   kind="table_row", cells=cells)


def _cite(p: Passage, quote: str, offset: int | None = None) -> Citation:
    at = p.start + (p.text.index(quote) if offset is None else offset)
    return Citation(key=p.key, chunk_id=p.chunk_id, doc_title=p.doc_title, doc_number=p.doc_number, path=p.path,
                    date=None, quote=quote, start=at, end=at + len(quote), source_file=p.source_file)


def test_printed_spans_match_the_printed_cells_in_column_order_and_leave_a_filled_down_cell_unprinted() -> None:
    spans = printed_spans(CELLS, PRINTED)
    assert spans[1] is None  # 围栏 is filled down from the row above
    assert [PRINTED[s[0]:s[1]] for s in spans if s] == ["3", "木围栏", "按长度计。含立柱。", "30"]


def test_a_quote_across_two_printed_cells_marks_its_part_of_each_value_and_no_column_name() -> None:
    p = _row()
    pieces = quoted_pieces(p, _cite(p, "木围栏\t按长度计。"))
    assert "".join(text for text, _ in pieces) == render_cells(CELLS) == p.readable
    assert [text for text, quoted in pieces if quoted] == ["木围栏", "按长度计。"]


def test_a_row_quoted_whole_is_marked_whole_and_a_misplaced_quote_marks_nothing() -> None:
    p = _row()
    assert quoted_pieces(p, _cite(p, PRINTED)) == ((p.readable, True),)
    assert quoted_pieces(p, _cite(p, "含立柱。", offset=0)) == ((p.readable, False),)


def test_a_row_is_shown_as_its_cells_whatever_part_of_it_is_quoted_and_a_clause_as_its_quote() -> None:
    p = _row()
    assert shown_quote(_cite(p, "30"), p) == shown_quote(_cite(p, PRINTED), p) == render_cells(CELLS)
    clause = _row(text="第二条 搬迁补助费18元/平方米，支付一次。", cells=())
    assert shown_quote(_cite(clause, "搬迁补助费18元/平方米，"), clause) == "搬迁补助费18元/平方米，"
