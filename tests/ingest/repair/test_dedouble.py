"""Tests for ingest/repair/dedouble.py: "fake bold" doubling is collapsed in heading-shaped text only, and legitimate
repeated characters in body text survive. Every input is a real line (docs/catalogue-1.md §2.5)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from ingest.repair import repair_text
from ingest.repair.dedouble import collapse_doubled_prefix, dedouble_heading, is_doubled_continuation, is_doubled_heading

GAZETTES = Path(__file__).resolve().parents[3] / "data" / "gazettes"


@cache
def raw(name: str) -> str:
    return (GAZETTES / name).read_text(encoding="utf-8")


@cache
def repaired_text(name: str) -> str:
    return "".join(p.text for p in repair_text(raw(name)))


@pytest.mark.parametrize(
    ("line", "clean"),
    [
        # per-token doubling
        ("（（一一））人员构成人员构成。。成立6个派驻巡查工作组分", "（一）人员构成。成立6个派驻巡查工作组分"),  # 000 L2110
        ("（（四四））人员培训人员培训", "（四）人员培训"),  # 000 L2194
        ("1.自然资源确权登记自然资源确权登记", "1.自然资源确权登记"),  # 002 L3019
        (
            "（（十三十三））严格落实国有建设用地净地出让制严格落实国有建设用地净地出让制",
            "（十三）严格落实国有建设用地净地出让制",
        ),  # 001 L986
        ("一一、、总体要求总体要求", "一、总体要求"),
        # numbers doubled digit group by digit group
        ("（（一一））陵川段陵川段（（136136.. 66公里公里））", "（一）陵川段（136.6公里）"),  # 001 L2638
        ("（（一一））安排部署安排部署（（88月月11日—日—88月月88日日））", "（一）安排部署（8月1日—8月8日）"),  # 000 L7233
        (
            "（（二二））全面实施阶段全面实施阶段（（20182018 年年 99 月至月至 1212 月月）。）。",
            "（二）全面实施阶段（2018年9月至12月）。",
        ),  # 000 L7664
        ("（（二二））贝尔贝尔 407407直升机直升机", "（二）贝尔407直升机"),  # 001 L7098
        ("11..", "1."),
        (
            "11.. 深入贯彻落实习近平总书记重要论述深入贯彻落实习近平总书记重要论述。。深",
            "1.深入贯彻落实习近平总书记重要论述。深",
        ),  # 001 L39
        (
            "1010.. 深入推进深入推进““零事故零事故””单位创建单位创建。。以“零事",
            "10.深入推进“零事故”单位创建。以“零事",
        ),  # 001 L298
        # per-character doubling
        ("55.. 压压实实企企业业主主体体责责任任。。紧盯董事长、总经理、", "5.压实企业主体责任。紧盯董事长、总经理、"),  # 001 L116
        # doubled and interleaved quotes
        ("9.引深健康科普引深健康科普““六进六进”。”。深入开展健康科普", "9.引深健康科普“六进”。深入开展健康科普"),  # 002 L2125
        # a plain marker, an OCR marker (l1.), a bold run-in label
        ("l1.倡导健康生活方式倡导健康生活方式。。延续疫情防控效应，", "l1.倡导健康生活方式。延续疫情防控效应，"),  # 002 L2196
        ("机构独立机构独立。。仲裁委员会独立于行政机关", "机构独立。仲裁委员会独立于行政机关"),  # 001 1-4 run-in label
        (
            "（（一一））以以PMPM22..55和和OO22污染协同治理为重点污染协同治理为重点，，实施实施",
            "（一）以PM2.5和O2污染协同治理为重点，实施",
        ),  # 001 L5103
    ],
)
def test_dedouble_heading_collapses_fake_bold_doubling(line: str, clean: str) -> None:
    assert is_doubled_heading(line) is True
    assert dedouble_heading(line) == clean


def test_dedouble_heading_keeps_the_page_start_indent() -> None:
    assert dedouble_heading(" （（四四））人员培训人员培训") == " （四）人员培训"


@pytest.mark.parametrize(
    "line",
    [
        "a.古郊乡上上河村→（经太行一号风景道）到",  # 001 L2653
        "哄哄村→接运城市",  # 001 L2699: 西 / 哄哄村 split across lines, the line starts with the repeat
        "区、原家村、辘辘井村、段匠村、浪井村、司匠村、北",  # 001 L5424
        "新、那志茂、石云峰、张利锋、辛艾艾、陈望远出席",  # 001 L7969
        "服务人口 10000人以上的饮用水水源保护区、城",  # 000 L6770
        "标任务。［责任单位：市市场监管局、市交通局、市",  # 001 L4983
        "市市场监管局负责组织实施。",  # a legitimate repeat at the start of a line
        "上上河村至西哄哄村段",
        "——坚持体制创新与“互联网互联网+”融合",  # 000 L2459, doubling inside body text is not a heading
    ],
)
def test_legitimate_repeats_in_body_text_are_not_dedoubled(line: str) -> None:
    assert is_doubled_heading(line) is False
    assert dedouble_heading(line) == line


@pytest.mark.parametrize("word", ["上上河村", "西哄哄村", "辘辘井村", "辛艾艾", "饮用水水源", "市市场监管局"])
def test_legitimate_repeats_survive_repair_of_the_real_2021_02_gazette(word: str) -> None:
    # every occurrence in the raw file (lines joined) is still there after the whole repair chain
    expected = re.sub(r"\s+", "", raw("jincheng-2021-02.txt")).count(word)
    assert expected > 0
    assert repaired_text("jincheng-2021-02.txt").count(word) == expected


@pytest.mark.parametrize("line", ["监测网络建设监测网络建设", "案案", "度度。。", "育育。。"])
def test_wrapped_continuation_of_a_doubled_heading_is_recognised(line: str) -> None:
    # 000 L6462, 001 L7273, 001 L988, 002 L94
    assert is_doubled_continuation(line) is True


@pytest.mark.parametrize("line", ["哄哄村→接运城市", "上上河村", "市市场监管局", "各县（市、区）人民政府", "辛艾艾", "a"])
def test_ordinary_lines_are_not_doubled_continuations(line: str) -> None:
    assert is_doubled_continuation(line) is False


def test_wrapped_doubled_heading_is_joined_and_collapsed_in_real_2018_04_gazette() -> None:
    # 000 L6460–6462: …强化土壤环境强化土壤环境 / 监测网络建设监测网络建设
    paragraphs = repair_text(raw("jincheng-2018-04.txt"))
    heading = next(p for p in paragraphs if p.line_start == 6460)
    assert (heading.text, heading.line_end) == ("（一）推进土壤污染状况调查，强化土壤环境监测网络建设", 6462)


def test_wrapped_doubled_heading_with_two_character_continuation_is_joined_in_real_2021_02_gazette() -> None:
    # 001 L7271–7273: …分级响应工作方建立…分级响应工作方 / 案案
    paragraphs = repair_text(raw("jincheng-2021-02.txt"))
    heading = next(p for p in paragraphs if p.line_start == 7271)
    assert (heading.text, heading.line_end) == ("（三）建立森林火灾航空救援分级响应工作方案", 7273)


def test_collapse_doubled_prefix_reports_how_many_characters_it_removed() -> None:
    assert collapse_doubled_prefix("（（四四））人员培训人员培训") == ("（四）人员培训", 7)


def test_collapse_doubled_prefix_stops_at_the_first_run_that_is_not_doubled() -> None:
    # the body after the heading keeps its legitimate repeat (市市场监管局)
    assert collapse_doubled_prefix("（（一一））人员构成人员构成。。由市市场监管局负责") == (
        "（一）人员构成。由市市场监管局负责",
        8,
    )
