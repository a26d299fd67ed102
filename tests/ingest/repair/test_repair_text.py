"""Tests for ingest/repair/__init__.py: repair_text runs the whole chain (lines → furniture → front/back matter →
reading order → joins → text fixes) and every paragraph traces back to its source lines. Runs on a small synthetic
gazette with exact expectations and on the five real files (data/gazettes/) with invariants and spot checks."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from ingest.records import Paragraph
from ingest.repair import repair_text

GAZETTES = Path(__file__).resolve().parents[3] / "data" / "gazettes"
FILES = ["jincheng-2018-04.txt", "jincheng-2021-02.txt", "jincheng-2021-06.txt", "jincheng-2018-01.txt", "changzhi-2020-03.txt"]


@cache
def raw(name: str) -> str:
    return (GAZETTES / name).read_text(encoding="utf-8")


@cache
def repaired(name: str) -> tuple[Paragraph, ...]:
    return tuple(repair_text(raw(name)))


def padded(*lines: str) -> str:
    return "\n\n".join(lines) + "\n"


# A two-page gazette in the 2021 layout: running header, wrapped lines, a doubled heading, a 文号 with a space before
# 号, a justified date, U+FFFD, a page number, a header block displaced to the end of page 2, and back matter.
MINI = padded(
    " 晋城市人民政府公报（2021. 2） 市人民政府文件",  # 1
    "第一条 为切实规范我市国有土地上房屋",  # 3
    "征收与补偿活动，维护公共利益，保障被征收房",  # 5
    "屋所有权人的合法权益，制定本办法。",  # 7
    "第二条\ufffd本办法自 2021年 12月 1日起施",  # 9
    "行，有效期二年。",  # 11
    "·· 16",  # 13
    " （（一一））人员构成人员构成。。成立6个派驻",  # 15
    "巡查工作组，负责巡查工作。",  # 17
    "各县（市、区）人民政府要按照晋市政办[2017]113",  # 19
    "号文件要求，认真组织实施。",  # 21
    "晋城市人民政府",  # 23
    "关于印发晋城市房地产市场监管办法的",  # 25
    "通 知",  # 27
    "晋市政发〔2021〕4 号",  # 29
    "内部资料 注意保存",  # 31
    "服",  # 33
    "务",  # 35
)


def test_repair_text_of_a_small_gazette_gives_exact_paragraphs() -> None:
    assert repair_text(MINI) == [
        Paragraph(
            "第一条 为切实规范我市国有土地上房屋征收与补偿活动，维护公共利益，保障被征收房屋所有权人的合法权益，制定本办法。",
            3,
            7,
        ),
        Paragraph("第二条 本办法自2021年12月1日起施行，有效期二年。", 9, 11),
        Paragraph("晋城市人民政府", 23, 23, moved=True),
        Paragraph("关于印发晋城市房地产市场监管办法的通知", 25, 27, moved=True),
        Paragraph("晋市政发〔2021〕4号", 29, 29, moved=True),
        Paragraph("（一）人员构成。成立6个派驻巡查工作组，负责巡查工作。", 15, 17),
        Paragraph("各县（市、区）人民政府要按照晋市政办〔2017〕113号文件要求，认真组织实施。", 19, 21),
    ]


def test_repair_text_of_empty_text_is_empty() -> None:
    assert repair_text("\n\n \n") == []


# --- invariants on the real files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_every_paragraph_traces_to_a_valid_source_line_range(name: str) -> None:
    last_line = raw(name).count("\n") + 1
    paras = repaired(name)
    assert paras
    assert [p for p in paras if not 1 <= p.line_start <= p.line_end <= last_line] == []


@pytest.mark.parametrize("name", FILES)
def test_paragraphs_not_moved_stay_in_source_order(name: str) -> None:
    starts = [p.line_start for p in repaired(name) if not p.moved]
    assert starts == sorted(starts)


@pytest.mark.parametrize("name", FILES)
def test_no_paragraph_is_empty_or_padded(name: str) -> None:
    assert [p for p in repaired(name) if not p.text or p.text != p.text.strip()] == []


@pytest.mark.parametrize("name", FILES)
def test_no_page_furniture_or_markup_survives(name: str) -> None:
    leftovers = [
        p.text
        for p in repaired(name)
        if "人民政府公报（" in p.text
        or re.match(r"^·\s*·\s*\d+$", p.text)
        or "\ufffd" in p.text
        or "**" in p.text
        or re.search(r"</?p>", p.text)
        or p.text.startswith(("#", "- "))
        or "$" in p.text
    ]
    assert leftovers == []


@pytest.mark.parametrize("name", FILES)
def test_no_docno_keeps_a_space_before_hao_or_ascii_brackets(name: str) -> None:
    text = "\n".join(p.text for p in repaired(name))
    assert re.findall(r"〕\s*\d+\s+号|[\u4e00-\u9fff]\[\d{4}\]\d+号", text) == []


# --- spot checks on the real files -----------------------------------------------------------------------------------


def test_2018_04_ends_with_the_last_chronicle_entry_not_the_back_cover() -> None:
    assert repaired("jincheng-2018-04.txt")[-1] == Paragraph(
        "31日市长刘锋带领市发改、住建、环保、公建、城区和泽州县相关负责人深入中原街、新市西街、畅安路北延等道路改造、建设现场，就城建工作进行调研。",
        9199,
        9205,
    )


def test_2018_01_starts_at_the_first_document_title_after_masthead_and_contents() -> None:
    assert repaired("jincheng-2018-01.txt")[0] == Paragraph(
        "晋城市人民政府办公厅关于印发《晋城市防治船舶及其有关作业活动污染通航水域环境应急能力建设规划》、"
        "《晋城市船舶与码头污染物接收转运及处置联合整治专项行动方案》的通知",
        104,
        104,
    )


def test_2018_01_ascii_bracket_docno_is_canonical() -> None:
    assert any(p.text == "晋市政办〔2017〕113号" and p.line_start == 1336 for p in repaired("jincheng-2018-01.txt"))


def test_2020_03_changzhi_starts_at_the_first_notice_title_without_markdown() -> None:
    assert repaired("changzhi-2020-03.txt")[0] == Paragraph(
        "长治市人民政府关于赋予长治高新区和长治经开区部分市级行政管理事项的通知", 115, 115
    )


def test_2020_03_changzhi_latex_is_rendered_in_the_weather_table() -> None:
    text = "\n".join(p.text for p in repaired("changzhi-2020-03.txt"))
    assert "出现≥200毫米降雨" in text
    assert "最高气温≥37℃" in text


def test_2021_02_docno_with_space_before_hao_is_its_own_canonical_paragraph() -> None:
    assert Paragraph("晋市政发〔2021〕4号", 1118, 1118) in repaired("jincheng-2021-02.txt")


def test_2021_02_replacement_character_in_chapter_heading_becomes_the_article_space() -> None:
    assert Paragraph("第三章 年度投资计划", 1784, 1784) in repaired("jincheng-2021-02.txt")


def test_2021_02_justified_signature_date_loses_its_spaces() -> None:
    assert Paragraph("2021年3月1日", 3753, 3753) in repaired("jincheng-2021-02.txt")


def test_2021_02_doubled_item_number_is_collapsed_in_the_real_file() -> None:
    item = next(p for p in repaired("jincheng-2021-02.txt") if p.line_start == 116)
    assert item.text.startswith("5.压实企业主体责任。紧盯董事长、总经理、实际控制人这一关键少数，")
