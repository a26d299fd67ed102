"""Tables printed column by column (ingest.column_dumps): rows rebuilt only where the columns align, on the real
附表 of 晋市政发〔2018〕23号 and on made-up dumps."""

from __future__ import annotations

from ingest.column_dumps import aligned_rows, columns_of, read_column_dumps
from ingest.records import Document, Paragraph
from ingest.structure import units_of
from ingest.tables import is_column_dump, read_tables
from tests.ingest.corpus_fixtures import chunks_of, doc_by

JC = "jincheng-2018-04.txt"


def _doc(*texts: str) -> Document:
    paragraphs = tuple(Paragraph(t, i + 1, i + 1) for i, t in enumerate(texts))
    return Document(doc_id="t:1", source_file="t.txt", city="晋城", gazette="晋城市人民政府公报", kind="attachment",
                    doc_type="附件", title="办法", text="\n".join(texts), paragraphs=paragraphs)


def _dump(items: list[str], kinds: list[str], units: list[str], amounts: list[str]) -> list[str]:
    return ["序号", *map(str, range(1, len(items) + 1)), "项目", *items, "分类", *kinds, "单位", *units,
            "补偿标准（元）", *amounts]


# --- the bundled gazette ---------------------------------------------------------------------------------------

def test_the_23hao_attached_table_gives_the_rows_of_its_first_three_items() -> None:
    doc = doc_by(JC, "晋市政发〔2018〕23号", "embedded")
    rows = [c for c in chunks_of(JC, doc) if c.kind == "table_row"]
    assert [dict(c.cells)["分类"] for c in rows] == ["砖围墙", "铁艺围墙", "混凝土硬化", "缸砖硬化", "花岗岩硬化",
                                                   "干砖硬化", "铁艺大门", "木大门", "铁皮大门"]
    wall = rows[1]
    assert wall.path == ("附表1", "第2行")
    assert dict(wall.cells) == {"序号": "1", "项目": "围墙", "分类": "铁艺围墙", "单位": "m2", "补偿标准（元）": "200"}
    assert wall.text == "铁艺围墙" and "晋城市房屋征收附属物补偿指导价" in wall.headings
    assert dict(rows[6].cells)["补偿标准（元）"] == "2000" and dict(rows[6].cells)["单位"] == "个"
    # every rebuilt cell is a printed cell of the dump: its span in the document text holds its value
    for row in read_column_dumps(doc, units_of(doc)).rows:
        assert all(doc.text[f.start:f.end] == f.value for f in row.fields if f.start is not None)


def test_the_table_blocks_of_a_dump_are_cut_between_cells() -> None:
    doc = doc_by(JC, "晋市政发〔2018〕23号", "embedded")
    blocks = [c for c in chunks_of(JC, doc) if c.kind == "table" and "\t" in c.text]
    assert len(blocks) >= 2
    cells = set(doc.text.replace("\n", "\t").split("\t"))
    for block in blocks:
        first = block.text.replace("\n", "\t").split("\t")[0]
        assert first in cells, first  # a block never opens inside a cell (…2000 cut into 200 | 0…)


def test_a_dump_is_not_read_as_a_row_of_the_tab_table_reader() -> None:
    doc = _doc("附表1：", "\t".join(_dump(["围墙", "大门", "水井"], ["砖围墙", "铁艺围墙", "铁艺大门"],
                                         ["m2", "m2", "个", "m"], ["80", "200", "2000", "1000"])))
    assert is_column_dump(doc.paragraphs[1].text.split("\t"))
    assert not is_column_dump(["108", "行政奖励", "对新认定高新技术企业的资助", "", "", "市科技局"])
    assert read_tables(doc, units_of(doc)).rows == []
    assert len(read_column_dumps(doc, units_of(doc)).rows) == 3


# --- made-up dumps ---------------------------------------------------------------------------------------------

def test_alignment_stops_at_the_first_kind_that_shares_nothing_with_its_item() -> None:
    values = _dump(["围墙", "大门", "水井"], ["砖围墙", "铁艺围墙", "铁艺大门", "直径2.5m以下"],
                   ["m2", "m2", "个", "m", "m"], ["80", "200", "2000", "1000", "2000"])
    cols = columns_of(values)
    assert cols is not None
    assert [(values[cols.items[i]], values[k]) for i, k in aligned_rows(values, cols)] == [
        ("围墙", "砖围墙"), ("围墙", "铁艺围墙"), ("大门", "铁艺大门")]


def test_alignment_stops_where_one_item_would_get_two_units() -> None:
    """A row without a 分类 above would shift the units: 围墙 in m2 and then in 个 is not one consistent reading."""
    values = _dump(["围墙", "大门", "水井"], ["砖围墙", "铁艺围墙", "石围墙"], ["m2", "个", "个", "m"],
                   ["80", "200", "2000", "1000"])
    cols = columns_of(values)
    assert cols is not None
    assert len(aligned_rows(values, cols)) == 1


def test_a_dump_whose_columns_do_not_line_up_gives_no_rows() -> None:
    # the column before the numbers does not repeat its values: not a column of units, the lengths cannot be trusted
    assert columns_of(_dump(["围墙", "大门", "水井"], ["砖围墙"], ["甲", "乙", "丙", "丁"], ["1", "2", "3", "4"])) is None
    # fewer amounts than items
    assert columns_of(_dump(["围墙", "大门", "水井"], ["砖围墙"], ["m2", "m2"], ["80", "200"])) is None
