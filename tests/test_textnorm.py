"""Tests for textnorm.py: the matching form, canonical 文号 (one, and every one in a text) and Chinese numerals.
Inputs are real spellings from the corpus (docs/catalogue-1.md §2.7, §2.10, §3.9; catalogue-2.md A16–A22, §4.1)."""

from __future__ import annotations

import pytest

from textnorm import cn_to_int, expand_docno_lists, int_to_cn, matching_form, normalize_docno, normalize_docnos

# --- 文号 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("晋市政办[2017]113号", "晋市政办〔2017〕113号"),  # 003 L1336, ASCII brackets
        ("晋市政办［2018］8号", "晋市政办〔2018〕8号"),  # full-width square brackets
        ("晋市政发〔2021〕4 号", "晋市政发〔2021〕4号"),  # 001 L1118, space before 号
        ("长政办发〔2020〕30 号", "长政办发〔2020〕30号"),  # 004 L1855
        ("晋市政办〔2021〕 10 号", "晋市政办〔2021〕10号"),
        ("公网安（2020）1960号", "公网安〔2020〕1960号"),  # round brackets in a cited number
        ("晋市政发〔2018〕第5号", "晋市政发〔2018〕5号"),  # 第 before the number
        ("晋市政办〔2018〕053号", "晋市政办〔2018〕53号"),  # leading zero
        ("晋市政发〔2018〕23号", "晋市政发〔2018〕23号"),  # already canonical
    ],
)
def test_normalize_docno_gives_canonical_form_for_each_spelling_variant(raw: str, canonical: str) -> None:
    assert normalize_docno(raw) == canonical


@pytest.mark.parametrize("template", ["〔 年〕第 号", "〔 年〕 第 号", "函字〔202 〕 号", "编号：〔 年〕第 号"])
def test_normalize_docno_returns_none_for_blank_form_templates(template: str) -> None:
    assert normalize_docno(template) is None


def test_normalize_docno_returns_none_for_text_without_a_docno() -> None:
    assert normalize_docno("本办法自公布之日起施行，有效期五年。") is None


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


# --- Chinese numerals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一百二十", 120), ("十五", 15), ("二十三", 23), ("十", 10), ("一百零五", 105), ("两", 2), ("九十九", 99), ("36", 36)],
)
def test_cn_to_int_converts_chinese_numerals(numeral: str, value: int) -> None:
    assert cn_to_int(numeral) == value


def test_int_to_cn_writes_numbers_as_the_documents_count_and_reads_back() -> None:
    assert [int_to_cn(n) for n in (1, 10, 12, 20, 105, 110)] == ["一", "十", "十二", "二十", "一百零五", "一百一十"]
    assert all(cn_to_int(int_to_cn(n)) == n for n in range(1, 300))


@pytest.mark.parametrize("text", ["", "条", "十a"])
def test_cn_to_int_raises_for_non_numerals(text: str) -> None:
    with pytest.raises(ValueError):
        cn_to_int(text)


def test_a_list_of_doc_numbers_written_in_full_once_names_each_document() -> None:
    assert expand_docno_lists("晋市审管发〔2021〕28号和30号分别是怎么规定的？") == "晋市审管发〔2021〕28号和晋市审管发〔2021〕30号分别是怎么规定的？"
    assert expand_docno_lists("晋市政办〔2018〕8号、9号和第10号") == "晋市政办〔2018〕8号、晋市政办〔2018〕9号和晋市政办〔2018〕10号"
    assert expand_docno_lists("晋市政发〔2018〕23号，第十二条") == "晋市政发〔2018〕23号，第十二条"  # a clause, not a 文号
    assert expand_docno_lists("第3号文件和5号") == "第3号文件和5号"  # no full 文号 to take the prefix from
