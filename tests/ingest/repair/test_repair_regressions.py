"""Regressions found while testing the repairs on the real corpus (each names the input that broke)."""

from __future__ import annotations

from functools import cache

from ingest.metadata import doc_type_of, validity_of
from ingest.records import Paragraph, SourceLine
from ingest.repair import repair_text
from ingest.repair.dedouble import dedouble_heading
from ingest.repair.join import join_lines
from tests.conftest import GAZETTES


@cache
def _paragraphs(name: str) -> tuple[Paragraph, ...]:
    return tuple(repair_text((GAZETTES / name).read_text(encoding="utf-8")))


def test_dedouble_prefers_the_longest_doubled_run_for_numbers() -> None:
    assert dedouble_heading("（（二二））泽州段泽州段、、城区段城区段（（117117.. 66公里公里））") == "（二）泽州段、城区段（117.6公里）"
    assert dedouble_heading("（（一一））空客空客 HH225225型重型直升机型重型直升机") == "（一）空客H225型重型直升机"


def test_long_doubled_heading_does_not_swallow_the_plain_line_below() -> None:
    filler = [SourceLine(i, "这是一行普通的正文文字用于确定版面的满行宽度。") for i in range(1, 30)]
    lines = [*filler, SourceLine(40, "（（一一））建立组织领导机制建立组织领导机制"),
             SourceLine(41, "在市委农村工作领导小组统一领导下，市委"), SourceLine(42, "农办负责统筹协调。")]
    texts = [p.text for p in join_lines(lines)][-2:]
    assert texts == ["（一）建立组织领导机制", "在市委农村工作领导小组统一领导下，市委农办负责统筹协调。"]


def test_headings_in_a_file_full_of_table_fragments_stay_separate() -> None:
    texts = [p.text for p in _paragraphs("jincheng-2018-04.txt")]
    assert "五、考核结果应用" in texts
    assert "晋城市国有土地上房屋征收与补偿办法" in texts
    assert "（四）人员培训" in texts


def test_document_type_ignores_a_trailing_year_range() -> None:
    assert doc_type_of("晋城市推进交通强国建设行动计划（2021—2022年）") == "行动计划"


def test_a_term_starting_on_29_february_ends_on_28_february() -> None:
    assert str(validity_of("本办法自2020年2月29日起施行，有效期一年。", None).expires) == "2021-02-28"


def test_wrapped_doubled_heading_at_a_page_end_is_not_taken_for_a_displaced_title() -> None:
    texts = [p.text for p in _paragraphs("jincheng-2021-02.txt")]
    assert any(t.startswith("（一）建立健全航空救援调度指挥系统和监督考核管理办法") for t in texts)
    assert "考核管理办法考核管理办法" not in texts
