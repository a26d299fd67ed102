"""Offline follow-up rewriting and question analysis."""

from __future__ import annotations

from rag.followup import is_elliptical, rewrite
from rag.query import analyse


def test_city_follow_up_asks_the_previous_question_about_the_other_city() -> None:
    assert rewrite("那长治呢？", ["晋城客运驾驶人连续驾驶多长时间要休息？"]) == "长治客运驾驶人连续驾驶多长时间要休息？"


def test_step_follow_up_keeps_the_procedure_topic() -> None:
    rewritten = rewrite("第二步具体要做什么？", ["中心城区土地征收的程序是什么？"])
    assert rewritten == "中心城区土地征收的程序是什么，第二步具体要做什么"


def test_follow_ups_chain_through_the_whole_history() -> None:
    history = ["中心城区土地征收的程序是什么？", "第三步呢？"]
    assert rewrite("那公告要多少天？", history) == "中心城区土地征收的程序是什么，第三步，公告要多少天"


def test_a_standalone_question_is_not_rewritten() -> None:
    assert rewrite("住宅房屋被征收，搬迁补助费怎么算？", ["中心城区土地征收的程序是什么？"]) == "住宅房屋被征收，搬迁补助费怎么算？"
    assert not is_elliptical("住宅房屋被征收，搬迁补助费怎么算？")
    assert is_elliptical("那有效期呢？")


def test_analysis_finds_city_county_other_city_and_step() -> None:
    assert analyse("泽州县的搬迁补助怎么算").city == "晋城"
    assert analyse("沁源县有什么规定").city == "长治"
    assert analyse("晋城和长治的规定有什么不同").city is None
    facts = analyse("太原市的征收补偿标准")
    assert facts.other_city == "太原" and facts.city is None
    assert analyse("第二步要做什么").step == 2
    assert analyse("2021年的方案").year == 2021


def test_english_questions_get_the_same_facts() -> None:
    weather = analyse("Will it rain in Jincheng tomorrow?")
    assert weather.out_of_scope and weather.city == "晋城" and weather.cross_lingual
    assert analyse("Can new companies in Taiyuan get free seals?").other_city == "Taiyuan"
    assert not analyse("中心城区土地征收的程序是什么？").cross_lingual
