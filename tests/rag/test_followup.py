"""Offline follow-up rewriting and question analysis."""

from __future__ import annotations

from rag.followup import is_elliptical, is_elliptical_en
from rag.followup import rewrite as rewrite_with
from rag.places import Places
from rag.query import QueryFacts
from rag.query import analyse as analyse_with

# what the index derives from the two cities' gazettes (rag.places), written out for these tests
PLACES = Places({"晋城": ("晋城", "泽州", "阳城"), "长治": ("长治", "沁源", "潞州")}, others=("太原", "大同"))


def rewrite(question: str, history: list[str]) -> str:
    return rewrite_with(question, history, PLACES)


def analyse(question: str) -> QueryFacts:
    return analyse_with(question, PLACES)


def test_city_follow_up_asks_the_previous_question_about_the_other_city() -> None:
    assert rewrite("那长治呢？", ["晋城客运驾驶人连续驾驶多长时间要休息？"]) == "长治客运驾驶人连续驾驶多长时间要休息？"


def test_a_longer_follow_up_naming_another_city_moves_the_whole_topic_there() -> None:
    rewritten = rewrite("那长治的标准是多少？", ["晋城客运驾驶人连续驾驶多长时间要休息？"])
    assert rewritten == "长治客运驾驶人连续驾驶多长时间要休息，长治的标准是多少"
    assert analyse(rewritten).city == "长治"


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
    assert analyse("2021年和2022年的方案").years == (2021, 2022)


def test_english_questions_get_the_same_facts() -> None:
    weather = analyse("Will it rain in Jincheng tomorrow?")
    assert weather.out_of_scope and weather.city == "晋城" and weather.cross_lingual
    assert analyse("Can new companies in Taiyuan get free seals?").other_city == "太原"  # as the documents name it
    assert not analyse("中心城区土地征收的程序是什么？").cross_lingual


def test_places_come_from_the_index_so_a_new_city_needs_no_code() -> None:
    places = Places({**PLACES.cities, "临汾": ("临汾", "尧都")}, others=("太原",))
    assert analyse_with("尧都区的搬迁补助怎么算", places).city == "临汾"
    assert analyse_with("临汾市的征收补偿标准", places).other_city is None  # now a corpus city
    assert analyse_with("临汾市的征收补偿标准", PLACES).other_city is None  # unknown to both vocabularies: no refusal
    assert rewrite_with("那临汾呢？", ["晋城客运驾驶人连续驾驶多长时间要休息？"], places) == "临汾客运驾驶人连续驾驶多长时间要休息？"


def test_a_follow_up_naming_another_year_or_session_moves_the_topic_there() -> None:
    assert rewrite("那2019年的呢？", ["晋城2018年土壤污染防治行动计划的目标是什么？"]).startswith("晋城2019年土壤污染防治行动计划")
    assert rewrite("那第26次呢？", ["市政府第21次常务会议是哪天开的？"]).startswith("市政府第26次常务会议")
    assert rewrite("那第三步呢？", ["中心城区土地征收的程序是什么？"]) == "中心城区土地征收的程序是什么，第三步"


def test_an_english_follow_up_after_a_chinese_question_keeps_its_topic_and_its_own_words() -> None:
    previous = "晋城城中村改造的搬迁奖励按什么标准发？"
    assert rewrite("And what about the temporary resettlement subsidy?", [previous]) == (
        "晋城城中村改造的搬迁奖励按什么标准发，what about the temporary resettlement subsidy")
    assert rewrite("What if the house has no property certificate?", [previous]).startswith("晋城城中村改造的搬迁奖励")


def test_an_english_city_follow_up_moves_the_previous_question_in_either_language() -> None:
    assert rewrite("What about Changzhi?", ["晋城的低保标准是多少？"]) == "长治的低保标准是多少？"
    assert rewrite("And Changzhi?", ["What is the dibao standard in Jincheng?"]) == "What is the dibao standard in Changzhi?"
    assert rewrite("What about Qinyuan?", ["How is the relocation reward paid in Zezhou?"]) == (
        "How is the relocation reward paid in Changzhi?")  # a county counts as its city


def test_an_english_follow_up_naming_another_year_moves_the_topic_there() -> None:
    assert rewrite("And how many in 2020?", ["2019年晋城新建了多少座公厕？"]).startswith("2020年晋城新建了多少座公厕")


def test_a_standalone_english_question_after_others_is_not_rewritten() -> None:
    question = "How many kilometres of rural roads does Changzhi plan to build in 2021?"
    assert rewrite(question, ["晋城的低保标准是多少？"]) == question
    assert not is_elliptical_en(question)
    assert is_elliptical_en("How much of that money goes to the county?")  # points back, a few words
    assert is_elliptical_en("And the urban district?")


def test_a_two_character_follow_up_marker_is_dropped_whole() -> None:
    """其中/那么 are markers of their own: dropping only 其 or 那 leaves 中…/么… in the standalone question."""
    history = ["长治市政府赋予长治高新区的市级行政管理事项有多少项？"]
    assert rewrite("其中技术合同认定登记这一项呢？", history).endswith("，技术合同认定登记这一项")
    assert rewrite("那么搬迁补助费呢？", ["住宅房屋征收的补偿包括什么？"]).endswith("，搬迁补助费")


# what the index's titles give (rag.retrieve.named_documents), written out for these tests
TITLES = {"公园管理办法": "园发〔2020〕1号", "游船租赁规定": "园发〔2021〕7号"}


def _documents(text: str) -> tuple[list[str], str]:
    named = [(text.find(t), n) for t, n in TITLES.items() if t in text]
    rest = text
    for title in TITLES:
        rest = rest.replace(title, " ")
    return [n for _, n in sorted(named)], rest


def test_a_follow_up_naming_another_document_borrows_the_earlier_question_without_its_document() -> None:
    # naming both, the rewrite would make retrieval compare the two documents
    rewritten = rewrite_with("那《游船租赁规定》呢？", ["《公园管理办法》的有效期是多久？"], PLACES, _documents)
    assert "游船租赁规定" in rewritten and "公园管理办法" not in rewritten and "有效期是多久" in rewritten
    assert "《》" not in rewritten.replace(" ", "")


def test_a_follow_up_naming_the_same_document_or_none_is_rewritten_as_before() -> None:
    history = ["《公园管理办法》的有效期是多久？"]
    for question in ("那《公园管理办法》第二条呢？", "那它从哪天开始施行？"):
        assert rewrite_with(question, history, PLACES, _documents) == rewrite(question, history)


def test_a_follow_up_naming_another_document_and_asking_its_own_thing_stands_alone() -> None:
    # own_document_stands: the document is the topic; the earlier question's words were about another document
    history = ["晋城道路交通安全意见要求县级政府每年什么时候前报告？"]
    rewritten = rewrite_with("那《游船租赁规定》呢？它的试行期是多久？", history, PLACES, _documents)
    assert rewritten == "《游船租赁规定》呢？它的试行期是多久？"
    # asking the same thing again (又, 也) compares the two documents: the earlier question stays
    again = rewrite_with("那《游船租赁规定》的有效期又是多久？", ["《公园管理办法》的有效期是多久？"], PLACES, _documents)
    assert "有效期是多久" in again and "游船租赁规定" in again
    # naming no document, or asking nothing of its own, is rewritten as before
    assert rewrite_with("那它的试行期是多久？", history, PLACES, _documents) == rewrite("那它的试行期是多久？", history)
    assert "报告" in rewrite_with("那《游船租赁规定》呢？", history, PLACES, _documents)
