"""Table rows as units of their own (ingest.tables, and the table_row chunks ingest.chunker makes of them): on the
bundled gazettes and on small made-up tables."""

from __future__ import annotations

from ingest.chunker import ChunkBudget, chunk_document
from ingest.pipeline import table_counts
from ingest.records import Chunk, Document, Paragraph
from ingest.structure import units_of
from ingest.tables import read_tables
from tests.ingest.corpus_fixtures import chunks_of, doc_by, parsed

CZ = "changzhi-2020-03.txt"


def _rows(name: str, number: str, title_part: str = "") -> list[Chunk]:
    doc = doc_by(name, number, "attachment", title_part)
    return [c for c in chunks_of(name, doc) if c.kind == "table_row"]


def _row(rows: list[Chunk], first_cell: str) -> Chunk:
    found = [c for c in rows if c.text.split("\t")[0] == first_cell]
    assert len(found) == 1, [c.text[:20] for c in rows]
    return found[0]


def _doc(*texts: str, kind: str = "attachment") -> Document:
    paragraphs = tuple(Paragraph(t, i + 1, i + 1) for i, t in enumerate(texts))
    return Document(doc_id="t:1", source_file="t.txt", city="长治", gazette="长治市人民政府公报", kind=kind,
                    doc_type="附件", title="附件", text="\n".join(texts), paragraphs=paragraphs)


def _cells(doc: Document) -> list[dict[str, str]]:
    return [{f.name: f.value for f in row.fields} for row in read_tables(doc, units_of(doc)).rows]


# --- the bundled gazettes -------------------------------------------------------------------------------------

def test_speed_bump_table_rows_carry_their_column_names_and_cite_the_printed_row() -> None:
    rows = _rows(CZ, "长政办发〔2020〕30号")
    qinxian = _row(rows, "沁县")
    doc = doc_by(CZ, "长政办发〔2020〕30号", "attachment")
    assert qinxian.text == doc.text[qinxian.start:qinxian.end] == "沁县\t114\t11\t16\t0\t103\t103\t0"
    cells = dict(qinxian.cells)
    assert cells["县(区)"] == "沁县"
    assert cells["还需完成减速带数量"] == "0"
    assert cells["应完成减速带建设任务"] == "103"
    assert "还需完成减速带数量：0" in qinxian.index_text and "\t" not in qinxian.index_text
    assert qinxian.path == ("表", "第10行") and qinxian.path_str == "表 第10行"
    assert qinxian.headings[-1] == "2020年全市农村公路平交路口“一灯一带”建设任务分配表"
    block = next(c for c in chunks_of(CZ, doc) if c.chunk_id == qinxian.parent_id)
    assert block.kind == "table" and block.start <= qinxian.start < qinxian.end <= block.end
    assert len(rows) == 13  # 12 counties and 合计; the header row is not a row


def test_merged_cells_are_filled_down_only_where_the_layout_means_same_as_above() -> None:
    # 责任单位 is printed once for two 试点领域 (a column most rows fill: its gap is a merged cell)
    pilot = _rows(CZ, "长政办发〔2020〕33号", "1")
    elderly = _row(pilot, "5")
    assert elderly.text == "5\t养老服务领域"  # the printed row keeps its empty cell
    assert dict(elderly.cells) == {"序号": "5", "试点领域": "养老服务领域", "责任单位": "市民政局"}
    assert elderly.path_str == "表 序号5"
    # 事项类型 and 主项 are printed on the first row of their run (leading empty cells); 原实施部门 once per page;
    # an empty 事项限定 means no restriction and stays empty
    items = _rows(CZ, "长政发〔2020〕17号", "1")
    second = dict(_row(items, "2").cells)
    assert second["事项类型"] == "行政许可"
    assert second["事项名称（主项）"] == "国有建设用地使用权改变土地用途审核"
    assert second["原实施部门"] == "市规划和自然资源局(市政府批准)"
    eleventh = dict(_row(items, "11").cells)
    assert eleventh["事项名称（主项）"] == "政府固定资产投资项目审批"  # from row 10
    assert eleventh["事项名称（子项）"] == "初步设计审批"
    assert "事项限定" not in dict(_row(items, "16").cells)  # row 15 has one: not carried down
    assert dict(_row(items, "15").cells)["事项限定"] == "房地产开发类、商业类项目除外"


def test_a_row_missing_cells_is_aligned_by_the_values_its_columns_hold() -> None:
    # 79 is printed without its 分管领导 (merged over the section); its unit, department and person line up with
    # the columns that hold them in the rows printed in full
    rows = _rows(CZ, "长政办发〔2020〕23号")
    cells = dict(_row(rows, "79").cells)
    assert cells["责任单位"] == "市教育局" and cells["责任人"] == "牛玉书" and cells["完成时限"] == "年底"
    assert "分管领导" not in cells


def test_every_row_chunk_is_a_verbatim_span_inside_its_table_block() -> None:
    for name in ("changzhi-2020-03.txt", "jincheng-2018-01.txt"):
        docs, chunks = parsed(name)
        text = {d.doc_id: d.text for d in docs}
        by_id = {c.chunk_id: c for c in chunks}
        rows = [c for c in chunks if c.kind == "table_row"]
        assert rows
        for row in rows:
            assert text[row.doc_id][row.start:row.end] == row.text
            parent = by_id[row.parent_id or ""]
            assert parent.kind == "table" and parent.start <= row.start < parent.end
            assert row.cells and all(value for _, value in row.cells)


def test_table_counts_count_tables_rows_and_tables_without_a_header() -> None:
    _, chunks = parsed(CZ)
    tables, rows, without, dumps = table_counts(chunks)
    # a table is a block with its continuation blocks: fewer tables than blocks
    assert 0 < tables < sum(1 for c in chunks if c.kind == "table")
    assert rows == sum(1 for c in chunks if c.kind == "table_row") > 800
    # the 联席会议成员名单 (name:title pairs, no header row) is the one table of this issue without a header
    members = doc_by(CZ, "长政办发〔2020〕38号", "attachment", "1")
    assert all(not any(n for n, _ in c.cells) for c in chunks_of(CZ, members) if c.kind == "table_row")
    assert without == 1
    assert dumps == 0
    # 23号's 附表 unit holds two tables printed column by column; 附表1's first 9 rows align (围墙, 地面硬化, 大门)
    _, jc = parsed("jincheng-2018-04.txt")
    assert table_counts(jc) == (1, 9, 0, 2)


# --- made-up tables -------------------------------------------------------------------------------------------

def test_a_second_header_row_names_the_columns_under_a_merged_header_cell() -> None:
    doc = _doc("序号\t事项名称\t\t部门", "主项\t子项", "1\t企业登记\t设立\t市审批局", "2\t\t变更")
    rows = _cells(doc)
    assert rows[0] == {"序号": "1", "事项名称（主项）": "企业登记", "事项名称（子项）": "设立", "部门": "市审批局"}
    # 主项 is a leading empty cell (filled); 部门 is a trailing one in a column half the rows fill (not filled)
    assert rows[1] == {"序号": "2", "事项名称（主项）": "企业登记", "事项名称（子项）": "变更"}


def test_a_header_repeated_after_a_page_break_is_not_a_row_and_restated_columns_fill_down() -> None:
    doc = _doc("序号\t事项\t限定\t部门",
               "1\t甲事项\t\t市审批局", "2\t乙事项", "3\t丙事项\t仅限A类",
               "序号\t事项\t限定\t部门",
               "4\t丁事项\t\t市住建局", "5\t戊事项")
    rows = _cells(doc)
    assert [r["序号"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [r.get("部门") for r in rows] == ["市审批局", "市审批局", "市审批局", "市住建局", "市住建局"]
    assert "限定" not in rows[3]  # 限定 is not restated on each page: its empty cell means none
    labels = [r.label for r in read_tables(doc, units_of(doc)).rows]
    assert labels == ["序号1", "序号2", "序号3", "序号4", "序号5"]


def test_a_row_with_fewer_cells_stays_leftmost_without_evidence_and_moves_with_it() -> None:
    doc = _doc("项目\t单位\t数量\t备注",
               "围墙\tm2\t80\t砖砌", "大门\t个\t2\t铁艺",
               "水井\t口",          # fewer cells, no evidence: the trailing cells are missing
               "个\t5\t木制")       # 个 is a 单位 value and 5 a number: the leading 项目 cell is missing
    rows = _cells(doc)
    assert rows[2] == {"项目": "水井", "单位": "口"}
    assert rows[3] == {"项目": "水井", "单位": "个", "数量": "5", "备注": "木制"}  # 项目 filled from the row above


def test_a_table_without_a_header_has_unnamed_cells_and_fills_nothing() -> None:
    doc = _doc("总召集人:张三\t市长\t办公室设在市局", "成员:李四\t秘书长", "王五\t副秘书长")
    result = read_tables(doc, units_of(doc))
    assert result.tables == 1 and result.without_header == 1
    assert [tuple(f.value for f in r.fields) for r in result.rows][1] == ("成员:李四", "秘书长")
    assert all(f.name == "" for r in result.rows for f in r.fields)
    assert [r.label for r in result.rows] == ["第1行", "第2行", "第3行"]


def test_a_row_longer_than_the_budget_is_split_between_cells_each_part_led_by_its_key_cells() -> None:
    long = "标准说明。" * 30
    doc = _doc("序号\t名称\t标准\t依据", f"1\t补贴甲\t{long}\t{long}")
    budget = ChunkBudget(max_tokens=220, min_chars=30, count=len)
    parts = [c for c in chunk_document(doc, budget) if c.kind == "table_row"]
    assert len(parts) >= 2
    assert parts[0].path == ("表", "序号1") and parts[1].path == ("表", "序号1", "（续2）")
    for part in parts:
        assert doc.text[part.start:part.end] == part.text
        assert dict(part.cells)["序号"] == "1" and dict(part.cells)["名称"] == "补贴甲"
        assert len(f"附件\n{part.index_text}") <= 220
    assert parts[1].prev_id == parts[0].chunk_id

