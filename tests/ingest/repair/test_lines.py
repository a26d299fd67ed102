"""Tests for ingest/repair/lines.py: blank-line padding, page-start marks, running headers and page numbers,
back matter, markup (markdown, HTML, LaTeX), U+FFFD, and front matter (masthead + 目 录).
Fixtures are lines quoted from the corpus (docs/catalogue-1.md §2.1–2.3, §2.8; catalogue-2.md A2–A13, §1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.records import SourceLine
from ingest.repair.lines import (
    drop_back_matter,
    drop_front_matter,
    drop_page_furniture,
    header_start,
    split_lines,
    strip_latex,
    strip_markup,
)

GAZETTES = Path(__file__).resolve().parents[3] / "data" / "gazettes"


def padded(*lines: str) -> str:
    """The extractor's layout: every text line followed by a blank line."""
    return "\n\n".join(lines) + "\n"


# --- split_lines -----------------------------------------------------------------------------------------------


def test_split_lines_drops_blank_padding_and_keeps_source_line_numbers() -> None:
    raw = padded("第一条 为切实规范我市国有土地上房屋", "征收与补偿活动，维护公共利益，保障被征收房", "屋所有权人的合法权益。")
    assert split_lines(raw) == [
        SourceLine(1, "第一条 为切实规范我市国有土地上房屋"),
        SourceLine(3, "征收与补偿活动，维护公共利益，保障被征收房"),
        SourceLine(5, "屋所有权人的合法权益。"),
    ]


def test_split_lines_drops_whitespace_only_lines() -> None:
    assert split_lines("甲。\n \n\t\n乙。\n") == [SourceLine(1, "甲。"), SourceLine(4, "乙。")]


def test_split_lines_marks_a_leading_space_as_page_start_and_strips_it() -> None:
    raw = padded("补偿。", " 第七条 对认定为违法占地、违法建设的建")  # 000 L70
    assert split_lines(raw) == [SourceLine(1, "补偿。"), SourceLine(3, "第七条 对认定为违法占地、违法建设的建", page_start=True)]


def test_split_lines_handles_windows_line_endings() -> None:
    assert split_lines("甲。\r\n\r\n 乙。\r\n") == [SourceLine(1, "甲。"), SourceLine(3, "乙。", page_start=True)]


# --- page furniture --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "晋城市人民政府公报（2018. 4） 市政府文件",  # 000 L1
        "市政府办公厅文件 晋城市人民政府公报（2018. 4）",  # 000 L4017
        "大事记 晋城市人民政府公报（2018. 4）",  # 000 L9126
        "晋城市人民政府公报（2021. 2） 市人民政府文件",  # 001 L1782
        "晋城市人民政府公报（2021. 6）市政府办公室文件",  # 002 L1049
    ],
)
def test_running_header_is_dropped(header: str) -> None:
    lines = split_lines(padded("公布。", header, "第二条 在本市行政区域内。"))
    assert drop_page_furniture(lines) == [SourceLine(1, "公布。"), SourceLine(5, "第二条 在本市行政区域内。")]


def test_running_header_page_start_mark_passes_to_the_next_line() -> None:
    # 000 opens with " 晋城市人民政府公报（2018. 4） 市政府文件" and then 第一条
    lines = split_lines(padded(" 晋城市人民政府公报（2018. 4） 市政府文件", "第一条 为切实规范我市国有土地上房屋"))
    assert drop_page_furniture(lines) == [SourceLine(3, "第一条 为切实规范我市国有土地上房屋", page_start=True)]


@pytest.mark.parametrize("number", ["·· 29", "·· 6", "·· 56", "· · 32"])
def test_page_number_line_is_dropped(number: str) -> None:
    lines = split_lines(padded("的运行经费", number, " 由市财政予以保障。"))
    assert drop_page_furniture(lines) == [SourceLine(1, "的运行经费"), SourceLine(5, "由市财政予以保障。", page_start=True)]


def test_page_number_page_start_mark_passes_to_the_next_line() -> None:
    lines = split_lines(padded("的运行经费", " ·· 16", "由市财政予以保障。"))
    assert drop_page_furniture(lines) == [SourceLine(1, "的运行经费"), SourceLine(5, "由市财政予以保障。", page_start=True)]


def test_long_body_line_citing_the_gazette_is_not_a_running_header() -> None:
    text = "本办法已在晋城市人民政府公报（2018. 4）全文刊登，各县（市、区）人民政府、开发区管委会要认真组织学习。"
    lines = [SourceLine(1, text)]
    assert drop_page_furniture(lines) == lines


# --- back matter -----------------------------------------------------------------------------------------------


def test_back_matter_internal_note_and_vertical_slogan_are_dropped() -> None:
    # 000 L9203–9233: last body line, page number, 内部资料 注意保存, then 服务社会指导工作宣传政策传达政令 one char per line
    raw = padded(
        "西街、畅安路北延等道路改造、建设现场，就城建",
        "工作进行调研。",
        "·· 56",
        "内部资料 注意保存",
        *"服务社会指导工作宣传政策传达政令",
    )
    lines = drop_back_matter(drop_page_furniture(split_lines(raw)))
    assert lines == [SourceLine(1, "西街、畅安路北延等道路改造、建设现场，就城建"), SourceLine(3, "工作进行调研。")]


def test_back_cover_slogans_are_dropped() -> None:
    # 003 L2209–2213
    lines = split_lines(padded("3.市政府办公厅2月份工作总结。", "传达政令", "宣传政策", "指导工作"))
    assert drop_back_matter(lines) == [SourceLine(1, "3.市政府办公厅2月份工作总结。")]


def test_back_matter_keeps_body_that_ends_the_file() -> None:
    lines = split_lines(padded("第二十三条 本办法自公布之日起施行，有效期五年。", "（此件公开发布）"))
    assert drop_back_matter(lines) == lines


def test_back_matter_of_real_000_is_dropped_after_the_last_chronicle_line() -> None:
    lines = drop_back_matter(drop_page_furniture(split_lines((GAZETTES / "jincheng-2018-04.txt").read_text(encoding="utf-8"))))
    assert lines[-1] == SourceLine(9205, "工作进行调研。")


# --- markup ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("# 长治市人民政府公报", "长治市人民政府公报"),  # 004 L5
        ("### 第一章 总 则", "第一章 总 则"),  # 004 L2190
        ("##### 1. 被征地农民养老保险补贴资金未足额落", "1. 被征地农民养老保险补贴资金未足额落"),  # 004 L1282
        ("**第一条** 为了规范", "第一条 为了规范"),  # 004 bold articles
        ("(一)**坚持问题导向**。", "(一)坚持问题导向。"),  # 003 L593
        ("**四、考核方法及程序**", "四、考核方法及程序"),  # 004 L2942
        ("- (一)党中央、国务院高度重视", "(一)党中央、国务院高度重视"),  # 003 L587, stray bullet
        ("- 1、五类人员是指", "1、五类人员是指"),  # 004 L2884
        ("33\t<p>完成265个行政村撤并任务。</p>\t<p>郜双庆</p>", "33\t完成265个行政村撤并任务。\t郜双庆"),  # 004 L968
        ("长治市人民政府办公室  ", "长治市人民政府办公室"),  # 004 L918, markdown line break
    ],
)
def test_strip_markup_removes_markdown_and_html(raw: str, clean: str) -> None:
    assert strip_markup(raw) == clean


def test_strip_markup_keeps_a_leading_minus_sign_that_is_not_a_bullet() -> None:
    assert strip_markup("-5℃以下的低温天气") == "-5℃以下的低温天气"


def test_strip_latex_renders_geq_with_a_number() -> None:
    # 004 L1611
    assert strip_latex(r"出现 $\geq 200$ 毫米降雨") == "出现 ≥200 毫米降雨"


def test_strip_latex_renders_degrees_celsius() -> None:
    # 004 L1618
    assert strip_latex(r"最高气温 $\geq 37^{\circ}\text{C}$") == "最高气温 ≥37℃"


def test_strip_markup_renders_latex_inside_a_table_row() -> None:
    assert strip_markup("暴雨\t出现 $\\geq 200$ 毫米降雨") == "暴雨\t出现 ≥200 毫米降雨"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("第三章\ufffd年度投资计划", "第三章 年度投资计划"),
        ("确需调整的，\ufffd由市发展改革委", "确需调整的， 由市发展改革委"),
    ],  # 001 L1784–1844
)
def test_replacement_character_becomes_a_space(raw: str, clean: str) -> None:
    assert strip_markup(raw) == clean


def test_split_lines_applies_markup_stripping_and_drops_lines_left_empty() -> None:
    assert split_lines("# \n\n## 编辑委员会\n\n**\n") == [SourceLine(3, "编辑委员会")]


# --- front matter ----------------------------------------------------------------------------------------------

FRONT = padded(
    "JINCHENGSHIRENMINZHENGUFUGONGBAO",
    "晋城市人民政府公报",
    "第1期(总第247期)",
    "目 录",
    "市政府办公厅文件>>>",
    "晋城市人民政府办公厅",
    "关于印发晋城市政府性债务风险应急处置预案的通知19",
    "大事记 >>>",
    "晋城市人民政府1月大事记53",
    "晋城市人民政府办公厅",
    "关于印发晋城市政府性债务风险应急处置预案的通知",
    "晋市政办〔2017〕111号",
    "各县（市、区）人民政府，市人民政府各委、办、局：",
)


def test_front_matter_is_dropped_up_to_the_header_of_the_first_docno() -> None:
    assert [line.text for line in drop_front_matter(split_lines(FRONT))] == [
        "晋城市人民政府办公厅",
        "关于印发晋城市政府性债务风险应急处置预案的通知",
        "晋市政办〔2017〕111号",
        "各县（市、区）人民政府，市人民政府各委、办、局：",
    ]


def test_file_without_a_table_of_contents_keeps_its_first_lines() -> None:
    lines = split_lines(
        padded("第一条 为切实规范我市国有土地上房屋征收与补偿活动。", "晋城市人民政府", "关于印发的通知", "晋市政发〔2018〕23号")
    )
    assert drop_front_matter(lines) == lines


@pytest.mark.parametrize(
    ("name", "first"),
    [
        (
            "jincheng-2018-01.txt",
            SourceLine(
                104,
                "晋城市人民政府办公厅 关于印发《晋城市防治船舶及其有关作业活动 污染通航水域环境应急能力建设规划》、 《晋城市船舶与码头污染物接收转运及处置联合 整治专项行动方案》的通知",
            ),
        ),
        ("changzhi-2020-03.txt", SourceLine(115, "长治市人民政府 关于赋予长治高新区和长治经开区 部分市级行政管理事项的通知")),
    ],
)
def test_front_matter_of_real_files_ends_at_the_first_document_title(name: str, first: SourceLine) -> None:
    lines = drop_front_matter(split_lines((GAZETTES / name).read_text(encoding="utf-8")))
    assert lines[0] == first


# --- header_start ----------------------------------------------------------------------------------------------


def test_header_start_finds_the_issuer_line_above_title_and_notice_word() -> None:
    lines = split_lines(
        padded("公布。", "晋城市人民政府", "关于印发晋城市国有土地上房屋征收与补偿办法的", "通 知", "晋市政发〔2018〕23号")
    )
    assert header_start(lines, 4) == 1


def test_header_start_of_a_lone_docno_inside_a_sentence_is_the_docno_itself() -> None:
    # 000 L8656–8660: 对各县（市、区）人民政 / 晋市政办〔2018〕60号 / 府耕地保护…
    lines = split_lines(
        padded("第三条 市人民政府对各县（市、区）人民政", "晋市政办〔2018〕60号", "府耕地保护责任目标履行情况进行考核，由市国")
    )
    assert header_start(lines, 1) == 1
