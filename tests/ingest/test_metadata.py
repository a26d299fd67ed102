"""Tests for ingest/metadata.py: validity (施行 date and 有效期), gazette issue and city, document type, dates.
The validity sentences are the corpus's own closing clauses (catalogue-1 §3.4)."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest

from ingest.metadata import doc_type_of, gazette_of, parse_date, validity_of
from ingest.records import Validity

GAZETTES = Path(__file__).resolve().parents[2] / "data" / "gazettes"


@cache
def raw(name: str) -> str:
    return (GAZETTES / name).read_text(encoding="utf-8")


# --- validity -------------------------------------------------------------------------------------------------


def test_validity_from_publication_day_takes_signature_date_and_ends_the_day_before_the_fifth_anniversary() -> None:
    # 000 0-1, 晋市政发〔2018〕23号, signed 2018-07-16
    v = validity_of("第二十三条 本办法自公布之日起施行，有效期五年，期满自行失效。", signed=date(2018, 7, 16))
    assert v == Validity(
        effective=date(2018, 7, 16),
        expires=date(2023, 7, 15),
        statement="第二十三条本办法自公布之日起施行，有效期五年，期满自行失效。",
    )


def test_validity_with_a_stated_commencement_date_ignores_the_signature_date() -> None:
    # 002 2-3, 晋市政办〔2021〕42号, signed 2021-11-02
    v = validity_of("第三十四条 本办法自2021年12月2日起施行，有效期五年。", signed=date(2021, 11, 2))
    assert (v.effective, v.expires) == (date(2021, 12, 2), date(2026, 12, 1))


def test_validity_two_year_term_written_with_arabic_digit() -> None:
    # 002 2-7: 有效期2年
    v = validity_of("本办法自印发之日起施行，有效期2年。", signed=date(2021, 12, 17))
    assert (v.effective, v.expires) == (date(2021, 12, 17), date(2023, 12, 16))


def test_validity_uses_the_last_commencement_clause_not_an_earlier_cited_one() -> None:
    text = "依照《某办法》（自2015年1月1日起施行）的规定。本办法自2021年4月1日起施行，有效期两年。"
    v = validity_of(text, signed=None)
    assert (v.effective, v.expires) == (date(2021, 4, 1), date(2023, 3, 31))


def test_validity_with_explicit_expiry_date_reads_it_verbatim() -> None:
    v = validity_of("本办法有效期至2023年12月31日。", signed=None)
    assert v == Validity(effective=None, expires=date(2023, 12, 31), statement="本办法有效期至2023年12月31日。")


def test_validity_from_publication_day_without_signature_date_guesses_nothing() -> None:
    # 0-4 (晋市政办〔2018〕53号) has no date line: the text must not invent one
    v = validity_of("本办法自公布之日起施行，有效期五年。", signed=None)
    assert (v.effective, v.expires) == (None, None)


def test_validity_without_date_or_commencement_clause_is_empty() -> None:
    v = validity_of("本办法有效期五年。", signed=None)
    assert v == Validity(effective=None, expires=None, statement="")


def test_validity_of_text_without_any_validity_clause_is_empty_even_with_signature() -> None:
    v = validity_of("第三十三条 本办法由市科技行政主管部门负责解释。", signed=date(2021, 11, 2))
    assert v == Validity()


# --- gazette issue and city ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "city", "gazette"),
    [
        ("jincheng-2018-04.txt", "晋城", "晋城市人民政府公报（2018.4）"),
        ("jincheng-2021-02.txt", "晋城", "晋城市人民政府公报（2021.2）"),
        ("jincheng-2021-06.txt", "晋城", "晋城市人民政府公报（2021.6）"),
        ("jincheng-2018-01.txt", "晋城", "晋城市人民政府公报 2018年第1期"),  # masthead, no running header
        ("changzhi-2020-03.txt", "长治", "长治市人民政府公报 2020年第3期"),
    ],
)
def test_gazette_of_real_files_gives_city_and_issue(name: str, city: str, gazette: str) -> None:
    assert gazette_of(raw(name), fallback=name) == (city, gazette)


def test_gazette_of_text_without_header_or_masthead_uses_the_fallback() -> None:
    assert gazette_of("第一条 为了规范管理，制定本办法。", fallback="misc-01") == ("misc-01", "misc-01市人民政府公报 misc-01")


# --- document type ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "doc_type"),
    [
        ("关于印发晋城市国有土地上房屋征收与补偿办法的通知", "通知"),
        ("晋城市行政执法监督暂行办法", "暂行办法"),
        ("晋城市企业投资项目政府统一服务实施办法（试行）", "实施办法"),
        ("晋城市房地产市场监管办法(试行)", "办法"),
        ("关于加强市县乡安全生产监管能力建设的实施意见", "实施意见"),
        ("晋城市打赢蓝天保卫战攻坚行动巡查方案", "方案"),
        ("《县级政府耕地保护责任目标考核办法》", "考核办法"),
        ("关于调整晋城市政府部门权力及责任清单有关行政职权事项的决定", "决定"),
        ("晋城市政府性债务风险应急处置预案", "预案"),
        ("长治市气象灾害应急预案", "应急预案"),
        ("晋城市土壤污染防治2018年行动计划", "行动计划"),
        ("“13710”信息督办系统市级重点工作任务督办制度", "制度"),
        ("晋城市人民政府7月大事记", "其他"),
    ],
)
def test_doc_type_of_takes_the_longest_type_word_at_the_end_of_the_title(title: str, doc_type: str) -> None:
    assert doc_type_of(title) == doc_type


# --- dates -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2021年11月12日", date(2021, 11, 12)),
        ("2018 年 7 月 16 日", date(2018, 7, 16)),  # justification spaces (004)
        ("签发于2021年3月1日。", date(2021, 3, 1)),
    ],
)
def test_parse_date_reads_chinese_dates(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["2021年2月30日", "年 月 日", "无日期"])
def test_parse_date_returns_none_for_impossible_or_missing_dates(text: str) -> None:
    assert parse_date(text) is None


def test_validity_from_the_day_of_promulgation_takes_the_signature_date() -> None:
    # 自颁布之日起实施 (晋市政办〔2021〕46号's 办法) is 自印发之日起施行 in other words
    v = validity_of("第十一条 本办法自颁布之日起实施，有效期2年。", signed=date(2021, 12, 20))
    assert (v.effective, v.expires) == (date(2021, 12, 20), date(2023, 12, 19))
