"""A table block holding a column dump, as read (ingest.dump_layout): its rebuilt rows as 列名：值 lines, the rest
of the dump one column per line, never the dump glued into one run; on made-up dumps and the bundled 附表."""

from __future__ import annotations

from ingest.dump_layout import UNALIGNED_NOTE, text_layout
from tests.ingest.corpus_fixtures import chunks_of, doc_by

# a made-up 附表 (orchard and fences, not a gold document): 3 items, 5 printed rows
ORCHARD = ["序号", "1", "2", "3", "项目", "果树", "围栏", "水窖", "分类", "苹果果树", "梨果树", "木围栏", "铁丝围栏",
           "砖砌水窖", "单位", "株", "株", "m", "m", "个", "补偿标准（元）", "120", "100", "30", "25", "800"]


def test_an_aligned_dump_is_shown_as_its_rows_under_the_lines_printed_before_it() -> None:
    text = "附表2：\n果园附属物补偿标准\n" + "\t".join(ORCHARD)
    assert text_layout(text).split("\n") == [
        "附表2：", "果园附属物补偿标准",
        "序号：1；项目：果树；分类：苹果果树；单位：株；补偿标准（元）：120",
        "序号：1；项目：果树；分类：梨果树；单位：株；补偿标准（元）：100",
        "序号：2；项目：围栏；分类：木围栏；单位：m；补偿标准（元）：30",
        "序号：2；项目：围栏；分类：铁丝围栏；单位：m；补偿标准（元）：25",
        "序号：3；项目：水窖；分类：砖砌水窖；单位：个；补偿标准（元）：800",
    ]


def test_the_rows_that_do_not_align_are_shown_column_by_column_after_the_rebuilt_ones() -> None:
    dump = [*ORCHARD[:13], "地下水池", *ORCHARD[14:]]  # 地下水池 shares no two characters with 水窖: the last row does not align
    lines = text_layout("\t".join(dump) + "\n注：未列项目协商确定。").split("\n")
    assert lines[3] == "序号：2；项目：围栏；分类：铁丝围栏；单位：m；补偿标准（元）：25"
    assert lines[4:] == [UNALIGNED_NOTE, "序号\t3", "项目\t水窖", "分类\t地下水池", "单位\t个", "补偿标准（元）\t800",
                         "注：未列项目协商确定。"]


def test_a_dump_of_another_shape_is_broken_where_a_column_of_figures_ends() -> None:
    dump = ["编号", "1", "2", "3", "名称", "甲", "乙", "丙", "丁", "数量", "4", "5", "6", "7", "说明", "无"]
    assert text_layout("\t".join(dump)).split("\n") == ["编号\t1\t2\t3", "名称\t甲\t乙\t丙\t丁\t数量\t4\t5\t6\t7",
                                                         "说明\t无"]


def test_a_block_without_a_dump_has_no_layout_of_its_own() -> None:
    assert text_layout("序号\t项目\t金额\n1\t围墙\t80\n2\t大门\t2000") == ""


def test_no_line_of_the_23hao_attached_tables_is_shown_as_a_column_dump() -> None:
    """Whole or cut between blocks (the test budget cuts 附表1's dump), every column is on a line of its own."""
    doc = doc_by("jincheng-2018-04.txt", "晋市政发〔2018〕23号", "embedded")
    blocks = [c for c in chunks_of("jincheng-2018-04.txt", doc) if c.kind == "table" and "\t" in c.text]
    assert blocks and all(c.layout for c in blocks)
    lines = [line for c in blocks for line in c.layout.split("\n")]
    assert any(line.startswith("项目\t") and "\t水井\t" in line for line in lines)
    assert any(line.startswith("规格\t2cm以下\t") for line in lines)  # 附表2: no row aligns, its columns line by line
    for block in blocks:  # every column on a line of its own: no line holds two of the dump's headers
        for line in block.layout.split("\n"):
            assert sum(h in line.split("\t") for h in ("序号", "项目", "分类", "规格", "单位", "补偿标准（元）")) <= 1, line
