"""The cell leg (rag.cells): table rows addressed by one of their values and another column's name."""

from __future__ import annotations

from ingest.records import Chunk
from rag.cells import CellIndex
from rag.index import LoadedIndex
from rag.retrieve import HybridRetriever, RetrievalConfig


def _row(cid: str, *cells: tuple[str, str], kind: str = "table_row") -> Chunk:
    text = "\t".join(v for _, v in cells)
    return Chunk(chunk_id=cid, doc_id="d", ordinal=0, path=("附表3", cid), headings=(), text=text, norm_text=text,
                 start=0, end=len(text), line_start=1, line_end=1, kind=kind, cells=tuple(cells))


ROWS = [
    _row("r4", ("等级种类", "寒潮"), ("I级", "预计未来48小时最低气温下降20℃以上"), ("IV级", "最低气温下降10℃以上")),
    _row("r7", ("等级种类", "高温"), ("I级", "无此级别"), ("IV级", "最高气温≥37℃")),
    _row("r9", ("序号", "9"), ("项目", "寒潮预警"), ("备注", "无")),
]


def test_a_row_is_addressed_by_a_value_and_another_columns_name() -> None:
    cells = CellIndex.of(ROWS)
    assert [cid for cid, _ in cells.rows("降温降到什么程度，长治会启动寒潮IV级应急响应？")] == ["r4"]
    assert [cid for cid, _ in cells.rows("热到什么程度会启动高温Ⅳ级应急响应？")] == ["r7"]  # Ⅳ and IV are one numeral


def test_a_value_alone_a_column_name_alone_or_a_number_addresses_no_row() -> None:
    cells = CellIndex.of(ROWS)
    assert cells.rows("寒潮来了怎么办？") == []  # a value, no column name of its row
    assert cells.rows("IV级应急响应由谁启动？") == []  # a column name, no value
    assert cells.rows("第9项的项目是什么？") == []  # 9 is a row number, not a name
    assert CellIndex.of([_row("c", ("等级种类", "寒潮"), ("IV级", "x"), kind="clause")]).values == {}


def test_the_cell_leg_votes_only_when_the_question_addresses_a_row(small_index: LoadedIndex) -> None:
    retriever = HybridRetriever(small_index)
    row = next(c for c in small_index.chunks.values() if c.kind == "table_row" and dict(c.cells).get("县(区)") == "沁县")
    column = next(name for name, _ in row.cells if "减速带" in name)
    got = retriever.retrieve(f"沁县的{column}是多少？")
    assert row.chunk_id in dict(got.legs["cell"])
    assert got.passages[0].chunk_id == row.chunk_id
    assert "cell" not in retriever.retrieve("中心城区土地征收的程序是什么？").legs
    off = HybridRetriever(small_index, RetrievalConfig(cell_weight=0)).retrieve(f"沁县的{column}是多少？")
    assert "cell" not in off.legs
