"""Tests for ingest/patterns.py: 文号 lines, numbering tokens, title and closing-line shapes (canonical 文号 and
Chinese numerals: tests/test_textnorm.py). Inputs are real spellings from the corpus (docs/catalogue-*.md §2.7, §2.10, A16)."""

from __future__ import annotations

import pytest

from ingest.patterns import (
    HeadingToken,
    heading_token,
    is_closing_line,
    is_docno_line,
    is_title_like,
    run_in_title,
)

# --- 文号 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    ["晋市政办〔2018〕60号", " 晋市政办〔2018〕60号 ", "晋市政发〔2021〕4 号", "晋市审管发〔2021〕27号", "长政发〔2020〕17号"],
)
def test_is_docno_line_true_for_a_line_that_is_only_a_docno(line: str) -> None:
    assert is_docno_line(line) is True


@pytest.mark.parametrize(
    "line",
    [
        "根据《山西省自然资源领域省级与市县财政事权和支出责任划分改革方案》（晋政办发〔2021〕80号）精神，",
        "（中央编办发〔2018〕23号）",  # a cited number in brackets
        "同时废止《晋城市农村公路管理养护体制改革实施方案》（晋市政办〔2015〕24号）。",
        "〔 年〕第 号",
        "函字〔202 〕 号",
    ],
)
def test_is_docno_line_false_for_a_cited_docno_inside_a_sentence_or_a_template(line: str) -> None:
    assert is_docno_line(line) is False


# --- numbering tokens -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind", "label", "number", "rest"),
    [
        ("第十二条 为了规范", "article", "第十二条", 12, "为了规范"),
        ("第三章 年度投资计划", "chapter", "第三章", 3, "年度投资计划"),
        ("第二十三条 本办法自公布之日起施行", "article", "第二十三条", 23, "本办法自公布之日起施行"),
        ("一、总体要求", "cn1", "一、", 1, "总体要求"),
        ("十五、附则", "cn1", "十五、", 15, "附则"),
        ("（四）人员培训", "cn2", "（四）", 4, "人员培训"),
        ("(一)坚持问题导向", "cn2", "（一）", 1, "坚持问题导向"),  # ASCII brackets (003)
        ("（十三）严格落实", "cn2", "（十三）", 13, "严格落实"),
        ("(4)政府债券", "pnum", "（4）", 4, "政府债券"),
        ("（1）调整", "pnum", "（1）", 1, "调整"),
        ("1.压实企业主体责任", "num", "1.", 1, "压实企业主体责任"),
        ("1、五类人员是指", "num", "1.", 1, "五类人员是指"),
        ("10.深入推进", "num", "10.", 10, "深入推进"),
        ("l1.倡导健康生活方式", "num", "1.", 1, "倡导健康生活方式"),  # 002 L2196, OCR letter l for 1 in item 11
        ("①董封乡口河村", "circ", "①", 1, "董封乡口河村"),
        ("⑥加强督查", "circ", "⑥", 6, "加强督查"),
    ],
)
def test_heading_token_recognises_each_numbering_style(line: str, kind: str, label: str, number: int, rest: str) -> None:
    token = heading_token(line)
    assert token == HeadingToken(kind, label, number, rest)


def test_heading_token_recognises_three_level_decimal_heading_with_its_depth() -> None:
    assert heading_token("3.4.1 IV级响应") == HeadingToken("dec", "3.4.1", 1, "IV级响应", depth=3)


def test_heading_token_recognises_two_level_decimal_heading() -> None:
    assert heading_token("1.1 规划背景") == HeadingToken("dec", "1.1", 1, "规划背景", depth=2)


def test_heading_token_ignores_the_page_start_space() -> None:
    assert heading_token(" 第七条 对认定为违法占地") == HeadingToken("article", "第七条", 7, "对认定为违法占地")


@pytest.mark.parametrize(
    "line",
    [
        "1.5亿元用于补助",  # a decimal amount, not heading 1.5
        "12.5万元",
        "1.5%的增幅",
        "2021年全市完成",  # a year
        "2018年7月16日",
        "各县（市、区）人民政府",
        "l1",  # a bare letter-digit pair
    ],
)
def test_heading_token_rejects_amounts_years_and_plain_text(line: str) -> None:
    assert heading_token(line) is None


# --- titles, closing lines, run-in headings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "晋城市国有土地上房屋征收与补偿办法",
        "关于印发晋城市行政执法监督暂行办法的通知",
        "晋城市企业投资项目政府统一服务实施办法（试行）",
        "《晋城市医药储备资金管理办法》",
        "晋城市自然资源领域市与县（市、区）财政事权和支出责任划分改革实施方案",
    ],
)
def test_is_title_like_true_for_document_titles(line: str) -> None:
    assert is_title_like(line) is True


@pytest.mark.parametrize(
    "line",
    [
        "一、保障措施",  # a numbered heading, not a title
        "本办法自公布之日起施行。",  # a sentence
        "现将《晋城市国有土地上房屋征收与补偿办法》印发给你们，请认真贯彻执行。",
        "晋城市人民政府",  # an issuer
        "方案",  # too short
        "序号\t项目\t方案",  # a table row
    ],
)
def test_is_title_like_false_for_headings_sentences_issuers_and_table_rows(line: str) -> None:
    assert is_title_like(line) is False


@pytest.mark.parametrize(
    "line",
    [
        "（此件公开发布）",
        "(此件公开发布)",
        "2021年11月12日",
        "本方案自印发之日起实施。",
        "第二十三条 本办法自公布之日起施行，有效期五年，期满自行失效。",
        "第三十四条 本办法自2021年12月2日起施行，有效期五年。",
    ],
)
def test_is_closing_line_true_for_public_note_signature_date_and_commencement_sentence(line: str) -> None:
    assert is_closing_line(line) is True


@pytest.mark.parametrize(
    "line",
    ["本办法由市科技行政主管部门负责解释。", "各县（市、区）人民政府：", "2021年11月12日印发的通知要求", "晋城市人民政府"],
)
def test_is_closing_line_false_for_ordinary_lines(line: str) -> None:
    assert is_closing_line(line) is False


@pytest.mark.parametrize(
    ("rest", "title"),
    [
        ("人员构成。成立6个派驻巡查工作组", "人员构成"),
        ("高速铁路。加快推进太焦高铁建设", "高速铁路"),
        ("组织领导：市政府成立领导小组", "组织领导"),
        ("总体要求", "总体要求"),
        ("各县（市、区）人民政府要加强领导，明确职责分工，落实工作责任，确保各项任务按时完成", ""),
        ("加强组织，落实责任", ""),
    ],
)
def test_run_in_title_takes_the_short_label_before_the_first_stop(rest: str, title: str) -> None:
    assert run_in_title(rest) == title
