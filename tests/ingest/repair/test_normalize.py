"""Tests for ingest/repair/normalize.py: canonical 文号 and spacing in the repaired (cited) text, and the matching
copy used for search and quotes (docs/catalogue-1.md §2.7, §3.9; catalogue-2.md A16–A22, §4.1)."""

from __future__ import annotations

import pytest

from ingest.repair.normalize import matching_form, normalize_docnos, repair_paragraph_text, tidy_spacing

# --- 文号 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("晋市政办[2017]113号", "晋市政办〔2017〕113号"),  # 003 L1336
        ("晋市政办［2018］8号", "晋市政办〔2018〕8号"),
        ("晋市政发〔2021〕4 号", "晋市政发〔2021〕4号"),  # 001 L1118
        ("长政办发〔2020〕30 号", "长政办发〔2020〕30号"),  # 004 L1855
        ("（晋政办发〔2020〕 107号）", "（晋政办发〔2020〕107号）"),  # 001 L334–335 after the join
    ],
)
def test_normalize_docnos_rewrites_brackets_and_spaces(raw: str, clean: str) -> None:
    assert normalize_docnos(raw) == clean


def test_normalize_docnos_rewrites_every_docno_in_a_sentence_and_keeps_the_rest() -> None:
    raw = "根据《国务院关于印发打赢蓝天保卫战三年行动计划的通知》（国发[2017]42号）和（晋市政办〔2021〕10 号）精神，"
    assert (
        normalize_docnos(raw)
        == "根据《国务院关于印发打赢蓝天保卫战三年行动计划的通知》（国发〔2017〕42号）和（晋市政办〔2021〕10号）精神，"
    )


def test_normalize_docnos_leaves_blank_templates_alone() -> None:
    assert normalize_docnos("编号：〔 年〕第 号") == "编号：〔 年〕第 号"


# --- spacing ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("2021年 3月 1日", "2021年3月1日"),  # 001 L3753
        ("自 2021年 12月 1日起施", "自2021年12月1日起施"),  # 002 L809
        ("2020 年 6 月 5 日", "2020年6月5日"),  # 004 L1873
        ("搬迁补助费 18元/平方米", "搬迁补助费18元/平方米"),  # 000 L150
        ("通 知", "通知"),
        ("焦 勇", "焦勇"),  # 000 L2890
        ("刘 闯", "刘闯"),
        ("实 施 方 案", "实施方案"),
        ("、 已取得", "、已取得"),  # 002 L3669
        ("每日 14 时前", "每日14时前"),  # 004 L1430
    ],
)
def test_tidy_spacing_removes_extraction_spaces_next_to_chinese(raw: str, clean: str) -> None:
    assert tidy_spacing(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("第一条 为切实规范我市国有土地上房屋", "第一条 为切实规范我市国有土地上房屋"),
        ("第十二条  为了 规范管理", "第十二条 为了规范管理"),
        ("第一章 总 则", "第一章 总则"),
        ("第三章\u3000年度投资计划", "第三章 年度投资计划"),
    ],
)
def test_tidy_spacing_keeps_exactly_one_space_after_article_and_chapter_numbers(raw: str, clean: str) -> None:
    assert tidy_spacing(raw) == clean


def test_tidy_spacing_keeps_spaces_between_latin_words_and_numbers() -> None:
    assert tidy_spacing("PM 2.5 浓度") == "PM 2.5浓度"


@pytest.mark.parametrize(("raw", "clean"), [("〔2021〕4 号", "〔2021〕4号"), ("晋市政办〔2021〕6 号", "晋市政办〔2021〕6号")])
def test_repaired_text_has_no_space_before_hao(raw: str, clean: str) -> None:
    assert repair_paragraph_text(raw) == clean


def test_repair_paragraph_text_applies_docno_and_spacing_fixes_together() -> None:
    assert (
        repair_paragraph_text("根据晋市政办[2017]113号 文件，自 2021年 3月 1日起施行。")
        == "根据晋市政办〔2017〕113号文件，自2021年3月1日起施行。"
    )


# --- matching copy ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "matching"),
    [
        ("增长５０％", "增长50%"),  # full-width digits and per cent
        ("22万元／亩", "22万元/亩"),
        ("附件７", "附件7"),  # 001 L4577
        ("国Ⅳ排放标准", "国IV排放标准"),  # 001 L4997
        ("国 IV 排放标准", "国IV排放标准"),  # 001 L4999, same text after matching
        ("Ⅱ级响应", "II级响应"),  # 004 L1478
        ("Ⅲ级", "III级"),
        ("2：1", "2:1"),
        ("（试行）", "(试行)"),  # 002 L3983
        ("检查 and 落实工作", "检查和落实工作"),  # 004 L1568
        ("第一条 为\t切实\u3000规范", "第一条为切实规范"),
    ],
)
def test_matching_form_is_nfkc_with_unified_roman_numerals_and_no_whitespace(raw: str, matching: str) -> None:
    assert matching_form(raw) == matching


def test_matching_form_makes_variant_spellings_equal() -> None:
    assert matching_form("刘 锋") == matching_form("刘锋")
    assert matching_form("Ⅱ级响应") == matching_form("II 级响应")
