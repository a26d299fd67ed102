"""Tests for ingest/repair/normalize.py: canonical 文号 and spacing in the repaired (cited) text (docs/catalogue-1.md
§2.7, §3.9; catalogue-2.md A16–A22, §4.1). The matching copy and 文号 forms themselves: tests/test_textnorm.py."""

from __future__ import annotations

import pytest

from ingest.repair.normalize import repair_paragraph_text, tidy_spacing

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
