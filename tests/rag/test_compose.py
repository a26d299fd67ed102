"""The offline answer's text (rag.compose): what each cited passage shows, and the line that names where it is."""

from __future__ import annotations

from datetime import date

from rag.compose import choose, compose
from rag.records import Passage

TODAY = date(2026, 12, 2)
DUMP = "附表：\n果园附属物补偿标准\n序号\t1\t2\t项目\t果树\t围栏\t分类\t苹果果树\t木围栏\t单位\t株\tm\t补偿标准（元）\t120\t30"
LAYOUT = "附表：\n果园附属物补偿标准\n序号：1；项目：果树；分类：苹果果树；单位：株；补偿标准（元）：120\n序号：2；项目：围栏；分类：木围栏；单位：m；补偿标准（元）：30"


def _passage(key: str, text: str, path: str, start: int, kind: str = "clause", layout: str = "") -> Passage:
    return Passage(key=key, chunk_id=f"c-{key}", text=text, doc_id="y:1", doc_title="果园征收补偿办法",
                   doc_number="示例发〔2020〕1号", wrapper_title="", path=path, headings=(), city="晋城", doc_type="办法",
                   date=date(2020, 1, 1), valid_until=None, source_file="y.txt", line_start=1, line_end=1, start=start,
                   end=start + len(text), score=0.5, kind=kind, layout=layout)


def test_a_table_block_printed_column_by_column_is_shown_as_its_rows_and_cited_as_printed() -> None:
    block = _passage("S1", DUMP, "附表", 0, "table", LAYOUT)
    out = compose("果树怎么补偿？", [block], [["c-S1"]], TODAY)
    assert "序号\t1\t2\t项目" not in out.text
    assert "序号：1；项目：果树；分类：苹果果树；单位：株；补偿标准（元）：120" in out.text.split("\n")
    assert out.citations[0].quote == DUMP  # the citation keeps the printed text (a substring of the passage)


def test_a_clause_that_opens_with_its_own_label_is_not_named_twice() -> None:
    clause = _passage("S1", "第五条 果树按株补偿。", "第五条", 0)
    block = _passage("S2", DUMP, "附表", 40, "table", LAYOUT)
    out = compose("果树按株补偿", [clause, block], [["c-S1"]], TODAY)
    lines = out.text.split("\n")
    assert "附表：附表：" not in out.text and "第五条：第五条" not in out.text
    assert lines[0] == "根据《果园征收补偿办法》（示例发〔2020〕1号）："
    assert lines[1] == "第五条 果树按株补偿。[S1]"
    assert "《果园征收补偿办法》（示例发〔2020〕1号）附表：" in lines  # the supporting block, named by its own first line


def test_a_clause_whose_text_does_not_open_with_its_path_is_named_by_it() -> None:
    item = _passage("S1", "2.果树按株补偿。", "三、（一）2.", 0)
    out = compose("果树按株补偿", [item], [["c-S1"]], TODAY)
    assert out.text.split("\n")[0] == "根据《果园征收补偿办法》（示例发〔2020〕1号）三、（一）2.："


def test_a_partial_answer_led_by_how_a_value_is_set_keeps_the_best_hits_section() -> None:
    """A question of several asks (走哪条路、几点能走、归谁管) led by the clause saying how one value is set still
    gets the clause retrieval ranked first for the rest."""
    best = _passage("S1", "第三条 交警部门负责对清运车辆的运输路线、时限实行通行证管理。", "第三条", 100)
    open_ = _passage("S2", "第二条 清运时间由住建部门根据施工情况确定。", "第二条", 0)
    sections, _ = choose([best, open_], [["c-S1"], ["c-S2"]], "清运车走哪条路、几点能走，归谁管？", None, lead="c-S2")
    assert [[p.chunk_id for p in s] for s in sections] == [["c-S2"], ["c-S1"]]
    alone, _ = choose([best, open_], [["c-S1"], ["c-S2"]], "清运车走哪条路？", None, lead="c-S1")
    assert [[p.chunk_id for p in s] for s in alone] == [["c-S1"]]


def test_a_partial_lead_of_a_multi_part_question_does_not_repeat_a_parts_section() -> None:
    best = _passage("S1", "第三条 交警部门负责运输路线管理。", "第三条", 100)
    other = _passage("S3", "第四条 城管部门负责处置场管理。", "第四条", 200)
    open_ = _passage("S2", "第二条 清运时间由住建部门根据施工情况确定。", "第二条", 0)
    groups = [["c-S1"], ["c-S3"], ["c-S2"]]
    sections, _ = choose([best, other, open_], groups, "走哪条路？处置场归谁管？", None, ["c-S1", "c-S3"], lead="c-S2")
    ids = [s[0].chunk_id for s in sections]
    assert len(ids) == len(set(ids))  # each section once


def test_a_chronicle_entry_is_named_by_its_full_date_its_text_gives_only_the_day() -> None:
    from dataclasses import replace

    entry = replace(_passage("S1", "23日我市举办干部素质提升工程第二十期专题讲座。", "23日", 0, "chronicle"),
                    doc_title="晋城市人民政府7月大事记", doc_number="", event_date=date(2018, 7, 23))
    out = compose("专题讲座是哪天？", [entry], [["c-S1"]], TODAY)
    assert out.text.split("\n")[0] == "根据《晋城市人民政府7月大事记》（2018年7月23日）："
    # a document with a 文号 is named by it, whatever dates its clauses carry
    dated = replace(_passage("S1", "第五条 果树按株补偿。", "第五条", 0), event_date=date(2018, 7, 23))
    assert compose("果树按株补偿", [dated], [["c-S1"]], TODAY).text.split("\n")[0] == "根据《果园征收补偿办法》（示例发〔2020〕1号）："
