"""The answer policy's named rules on a real index: each refuses its class of question, every firing is recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rag.index import LoadedIndex
from rag.pipeline import Pipeline
from rag.policy import PolicyConfig
from rag.query import QueryFacts
from rag.records import CLOSEST_HEADING, Reason
from rag.rules import (
    _READS_TABLE,
    _READS_TABLE_EN,
    _lists_members,
    _lists_only,
    _shares_run,
    _table_words,
    _within_corpus_term,
    asks_form,
    leaves_open,
    prints_content,
    says_how_set,
    states_value,
)
from tests.evals.test_metrics import passage
from textnorm import matching_form


def _pipeline(index: LoadedIndex, **config: object) -> Pipeline:
    policy = PolicyConfig(min_coverage=0.3, min_dense=0.99, **config)  # type: ignore[arg-type]
    return Pipeline(index, policy=policy, today=lambda: date(2026, 11, 22))


def test_a_rule_switched_off_no_longer_refuses_and_the_next_rule_decides(small_index: LoadedIndex) -> None:
    question = "空客H225直升机每飞一小时要收多少钱？"  # the clause describes the aircraft, not a price
    on = _pipeline(small_index).answer(question)
    assert on.refused and on.reason == Reason.VALUE_NOT_STATED and on.trace.rules_fired[0] == "value_not_stated"
    off = _pipeline(small_index, rules_off=frozenset({"value_not_stated"})).answer(question)
    assert not off.refused and off.reason is None and "value_not_stated" not in off.trace.rules_fired


def test_every_rule_that_fires_is_recorded_not_only_the_deciding_one(small_index: LoadedIndex) -> None:
    # a city with no documents, and (in the other city's documents) no clause states the amount asked for either
    answer = _pipeline(small_index).answer("太原市的空客H225直升机每飞一小时要收多少钱？")
    assert answer.refused and answer.reason == Reason.CITY_NOT_IN_CORPUS
    assert answer.trace.rules_fired == ["city_not_in_corpus", "value_not_stated"]


def test_an_answered_question_carries_no_reason_and_the_policy_fingerprint(small_index: LoadedIndex) -> None:
    pipeline = _pipeline(small_index)
    answer = pipeline.answer("住宅房屋被征收，搬迁补助费怎么算？")
    assert not answer.refused and answer.reason is None and answer.trace.rules_fired == []
    assert answer.policy_fingerprint == pipeline.policy.fingerprint() != ""


def test_an_empty_question_is_refused_with_its_reason(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("  \x00 ")
    assert answer.refused and answer.reason == Reason.EMPTY_QUESTION and answer.passages == ()


def test_a_year_no_retrieved_document_speaks_of_is_refused_with_the_years_found(small_index: LoadedIndex) -> None:
    # the soil plans in the index are of 2018 and 2021; none speaks of 2012
    answer = _pipeline(small_index).answer("晋城2012年土壤污染防治行动计划对受污染耕地安全利用率的目标是多少？")
    assert answer.refused and answer.reason == Reason.YEAR_NOT_COVERED
    assert "没有2012年的相关文件" in answer.text and answer.leads


def test_a_year_the_documents_speak_of_is_not_refused_by_the_year_rule(small_index: LoadedIndex) -> None:
    for question in ("晋城2018年土壤污染防治行动计划有哪些主要任务？", "2021年土壤污染防治行动计划对受污染耕地安全利用率的目标是多少？"):
        answer = _pipeline(small_index).answer(question)
        assert "year_not_covered" not in answer.trace.rules_fired, question


def test_years_of_a_passage_include_spans_and_dates() -> None:
    from dataclasses import replace as with_fields

    from rag.rules import years_of
    from tests.evals.test_metrics import passage

    p = with_fields(passage("S1", "到2022年底，完成目标。"), doc_title="行动计划（2021—2023年）", date=date(2020, 5, 1))
    assert years_of(p) == {2020, 2021, 2022, 2023}


def test_a_topic_word_inside_a_corpus_term_is_not_out_of_scope(small_index: LoadedIndex) -> None:
    pipeline = _pipeline(small_index)
    inside = pipeline.answer("长治市的重污染天气应急预案分几级？")  # 重污染天气 is a term of the corpus
    assert "out_of_scope_topic" not in inside.trace.rules_fired
    for question in ("明天晋城天气怎么样，会下雨吗？", "晋能控股现在的股价是多少？"):
        answer = pipeline.answer(question)
        assert answer.refused and answer.reason == Reason.OUT_OF_SCOPE, question


def test_a_city_named_inside_a_corpus_term_is_not_a_city_outside_the_corpus(small_index: LoadedIndex) -> None:
    pipeline = _pipeline(small_index)
    answer = pipeline.answer("北京冬奥会期间晋城对安全生产有什么要求？")  # 北京冬奥会 is a term of the documents
    assert "city_not_in_corpus" not in answer.trace.rules_fired
    assert pipeline.answer("北京市的搬迁补助费是多少？").reason == Reason.CITY_NOT_IN_CORPUS


def test_a_day_no_retrieved_entry_records_is_refused_not_answered_by_a_neighbouring_day(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("2021年3月5日晋城市政府有什么活动？")  # the 3月大事记 has no 5日 entry
    assert answer.refused and answer.reason == Reason.DAY_NOT_COVERED and "3月5日" in answer.text
    recorded = _pipeline(small_index).answer("2021年3月22日市长王震和谁举行了工作会谈？")
    assert "day_not_covered" not in recorded.trace.rules_fired and not recorded.refused


def test_a_value_the_document_leaves_open_is_answered_with_how_it_is_set(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("拆迁时空调移机费给多少？")
    assert not answer.refused and answer.reason == Reason.VALUE_LEFT_OPEN
    assert answer.text.startswith("文件没有规定所问的具体金额") and "依据设施实际情况结合市场行情确定" in answer.text
    assert any("市场行情确定" in c.quote for c in answer.citations)
    assert answer.trace.rules_fired == []  # a partial answer is no refusal
    # a refusing rule still decides over a partial answer
    elsewhere = _pipeline(small_index).answer("太原市拆迁时空调移机费给多少？")
    assert elsewhere.refused and elsewhere.reason == Reason.CITY_NOT_IN_CORPUS


def test_a_clause_that_leaves_another_value_open_does_not_answer(small_index: LoadedIndex) -> None:
    # 第十七条 leaves the 配套设施 subsidies open, not the per-hour charge of a helicopter
    answer = _pipeline(small_index).answer("空客H225直升机每飞一小时要收多少钱？")
    assert answer.refused and answer.reason == Reason.VALUE_NOT_STATED


def test_a_value_left_open_under_headings_that_name_the_subject_is_answered_with_how_it_is_set() -> None:
    # the sentence says how the support is set (适当支持); the subject (生态环境事权) is in the headings above it
    def names(words: str) -> bool:
        return "生态环境事权" in words.replace("财政", "")

    clause = replace(passage("S1", "属于县财政事权的，由县通过自有财力安排。市级视情况通过转移支付给予适当支持。"),
                     doc_title="市县生态环境领域财政事权划分方案", headings=("三、生态环境事权的支出责任",))
    assert leaves_open(clause, names)
    assert not leaves_open(replace(clause, headings=("三、交通运输事权的支出责任",), doc_title="方案"), names)
    assert not leaves_open(replace(clause, text="市级按每人每月100元给予补助。"), names)  # a value, not left open
    # the line opening a clause's list names the subject of its items
    items = replace(passage("S2", "第十七条 生态环境事权给予下列支持：\n（一）资金支持：给予适当支持。"), doc_title="方案")
    assert leaves_open(items, names)
    assert not leaves_open(replace(items, text="第十七条 交通运输事权的支持。\n（一）资金支持：给予适当支持。"), names)


def test_a_value_set_by_reference_to_other_rules_or_to_actual_costs_is_left_open() -> None:
    from rag.rules import _LEFT_OPEN

    for sentence in ("置换比例按相关规定执行", "核销费用按照实际发生额由市级财政承担", "根据相关政策直接给予奖补",
                     "补贴标准在征收补偿方案中确定"):
        assert _LEFT_OPEN.search(sentence), sentence
    for sentence in ("按每人每月300元发放", "搬迁补助费18元/平方米", "在3个工作日内办结",
                     "无人机每天在晋城市森林防火指挥部确定的重点防护区进行巡护"):  # a place decided, not a value
        assert not _LEFT_OPEN.search(sentence), sentence


def test_a_numbered_session_no_retrieved_entry_records_is_refused(small_index: LoadedIndex) -> None:
    # the 2021 大事记 record the 71st and 72nd executive meetings, not a 95th
    answer = _pipeline(small_index).answer("市政府第95次常务会议是哪天召开的？")
    assert answer.refused and answer.reason == Reason.ORDINAL_NOT_COVERED and "第95次" in answer.text
    recorded = _pipeline(small_index).answer("市政府第71次常务会议是哪天召开的？")
    assert "ordinal_not_covered" not in recorded.trace.rules_fired


def test_a_subject_given_an_unset_amount_is_answered_with_what_the_clause_says(small_index: LoadedIndex) -> None:
    # 第十八条: 在规定时间内完成签约、搬迁交房的应给予一定的奖励 — the reward exists, its amount is not set
    answer = _pipeline(small_index).answer("签约搬迁奖励给多少钱？")
    assert not answer.refused and answer.reason == Reason.VALUE_LEFT_OPEN
    assert "一定的奖励" in answer.text and any("一定的奖励" in c.quote for c in answer.citations)


def test_a_city_the_top_clauses_speak_of_is_a_place_in_them_not_a_city_outside_the_corpus(small_index: LoadedIndex) -> None:
    # the 大事记 record 晋城's mayor in 北京; a question about that trip is about 晋城's documents
    question = "市长王震去北京就高等教育发展沟通对接时拜访了哪个部？"
    q = matching_form(question)
    assert not _within_corpus_term(q, q.find("北京"), q.find("北京") + 2, small_index.clause_lines[0])  # no corpus term
    trip = _pipeline(small_index).answer(question)
    assert "city_not_in_corpus" not in trip.trace.rules_fired
    assert _pipeline(small_index).answer("北京市的搬迁补助费是多少？").reason == Reason.CITY_NOT_IN_CORPUS
    # the same in English: the clauses name the city in Chinese, so the question's Beijing is looked for as 北京
    trip_en = _pipeline(small_index).answer("Which ministry did Mayor Wang Zhen visit in Beijing about higher education?")
    assert "city_not_in_corpus" not in trip_en.trace.rules_fired
    assert _pipeline(small_index).answer("What is the relocation subsidy in Beijing?").reason == Reason.CITY_NOT_IN_CORPUS


def test_an_occurrence_named_by_two_numbers_needs_both_in_one_clause(small_index: LoadedIndex) -> None:
    # the 1月大事记 record 市委第七届委员会第四次全体会议; the fifth plenary is not recorded
    fifth = _pipeline(small_index).answer("市委第七届委员会第五次全会在哪天开幕？")
    assert fifth.refused and fifth.reason == Reason.ORDINAL_NOT_COVERED
    fourth = _pipeline(small_index).answer("市委第七届委员会第四次全会在哪天开幕？")
    assert "ordinal_not_covered" not in fourth.trace.rules_fired


def test_a_table_the_gazette_did_not_print_is_refused_not_answered_from_the_clause_that_attaches_it(small_index: LoadedIndex) -> None:
    # 晋市政发〔2021〕3号 attaches its 分区表 by title only: no row of it is in the index
    answer = _pipeline(small_index).answer("晋城市中心城区土地征收补偿奖励分区表里，北石店镇属于几级区？")
    assert answer.refused and answer.reason == Reason.ATTACHMENT_NOT_PRINTED
    # listed as 附件:…分区表, it is refused by its title first, and by what the question reads too
    assert answer.trace.rules_fired[:2] == ["attachment_not_printed", "table_not_printed"]
    assert "公报只收录了它的标题" in answer.text


def test_a_list_or_form_the_answering_document_attaches_unprinted_is_refused(small_index: LoadedIndex) -> None:
    # 晋市政办〔2021〕8号 lists 附件3 …证明事项目录 and the gazette prints 附件2 and 4–8 only
    asked = _pipeline(small_index).answer("晋城推行证明事项告知承诺制，实行告知承诺的证明事项有没有具体的目录？")
    assert asked.refused and asked.reason == Reason.ATTACHMENT_NOT_PRINTED
    assert asked.trace.rules_fired[0] == "unprinted_attachment"
    assert "附件3《实行告知承诺制的证明事项目录》在公报中只列了标题" in asked.text
    # a list the question names by other words is another list; one the gazette printed is read
    other = _pipeline(small_index).answer("晋城推行证明事项告知承诺制，工作领导小组成员名单里有哪些人？")
    assert "unprinted_attachment" not in other.trace.rules_fired
    printed = _pipeline(small_index).answer("晋城市装配式建筑工作领导小组名单里，组长是谁？")
    assert "unprinted_attachment" not in printed.trace.rules_fired and not printed.refused


def test_a_printed_table_or_list_is_read_not_refused(small_index: LoadedIndex) -> None:
    # the 领导小组名单 is printed as an attachment of 晋市政办〔2018〕4号
    answer = _pipeline(small_index).answer("晋城市装配式建筑工作领导小组名单里组长是谁？")
    assert "table_not_printed" not in answer.trace.rules_fired and not answer.refused


def test_a_form_s_layout_or_wording_is_read_from_a_printed_table_or_attachment_or_refused(small_index: LoadedIndex) -> None:
    # no gazette of the corpus prints a 公告 template: what the clauses say of the 公告 is not its wording
    answer = _pipeline(small_index).answer("土地征收的征地补偿安置方案公告模板怎么写？")
    assert answer.refused and answer.reason == Reason.ATTACHMENT_NOT_PRINTED and "table_not_printed" in answer.trace.rules_fired
    assert "没有所问文书的内容" in answer.text
    printed = _pipeline(small_index).answer("晋城市房屋征收附属物补偿指导价表长什么样、有哪些栏目？")  # printed as rows
    assert "table_not_printed" not in printed.trace.rules_fired and not printed.refused
    assert asks_form("晋城企业投资项目模拟审批要签的那份信用承诺书，原文是怎么写的？有样本吗？", False)
    assert asks_form("What does the application form look like and which fields does it have?", True)
    assert not asks_form("承诺书要在几天内提交？", False) and not asks_form("申请表交到哪个部门？", False)
    assert not asks_form("Which industries does the one county, one industry layout cover?", True)


def test_a_row_of_another_printed_table_does_not_print_the_table_the_question_names(small_index: LoadedIndex) -> None:
    # 晋市政办〔2018〕59号 names its 分工表 without printing it; the index holds rows of other tables (长治's
    # 责任分工表, 晋城's 附属物补偿指导价), which must not stand in for it
    answer = _pipeline(small_index).answer("市级重大建设项目信息公开重点任务分工表里，第9项任务是什么？责任单位是谁？")
    assert answer.refused and answer.reason == Reason.ATTACHMENT_NOT_PRINTED
    printed = _pipeline(small_index).answer("晋城市房屋征收附属物补偿指导价表里，砖围墙怎么补偿？")
    assert "table_not_printed" not in printed.trace.rules_fired


def test_a_row_number_the_printed_table_does_not_hold_is_refused_not_answered_by_a_neighbouring_row(small_index: LoadedIndex) -> None:
    # 长政办发〔2020〕23号 announces 96 重点工作 but its printed 分解表 holds rows 1–86
    missing = _pipeline(small_index).answer("2020年长治《政府工作报告》重点工作任务分解表第90项是什么任务？")
    assert missing.refused and "row_not_printed" in missing.trace.rules_fired and "第90项" in missing.text
    assert "《2020年〈政府工作报告〉重点工作任务分解表》" in missing.text  # nested title marks as typeset
    printed = _pipeline(small_index).answer("2020年长治《政府工作报告》重点工作任务分解表第58项是什么任务？")
    assert "row_not_printed" not in printed.trace.rules_fired


def test_the_words_naming_a_table_must_share_a_run_with_a_rows_headings() -> None:
    q = matching_form("我家院里有个东西在补偿指导价表里查不到，这种怎么赔？")
    words = _table_words(q, "表里", "表", 6)
    assert words is not None and words.endswith("补偿指导价表")
    assert _shares_run(words, "晋城市房屋征收附属物补偿指导价", 4)
    named = _table_words(matching_form("市级重大建设项目信息公开重点任务分工表里，第9项是什么？"), "表里", "表", 6)
    assert named is not None and not _shares_run(named, "26个试点领域基层政务公开事项标准指导责任分工表", 4)
    assert _table_words(matching_form("那张表里第3项是什么？"), "表里", "表", 6) is None  # named by its kind only
    assert _table_words(matching_form("联席会议成员名单里有谁？"), "名单里", "名单", 6) == "联席会议成员名单"


def test_a_title_named_only_in_attachment_lists_and_quoted_pointers_is_listed_not_printed() -> None:
    title = "模正转换申请表"
    assert _lists_only("3.晋城市企业投资项目模拟审批模正转换申请表", title)  # an entry of the attachment list
    assert _lists_only("附件:晋城市企业投资项目模拟审批模正转换申请表", title)
    assert _lists_only("(四)补齐材料后,提交《晋城市企业投资项目模拟审批模正转换申请表》(附表3),行政审批部门审查", title)
    assert not _lists_only("晋城市企业投资项目模拟审批模正转换申请表", title)  # a heading over the printed form
    assert not _lists_only("项目单位填写模正转换申请表后报送审批部门", title)  # spoken of in running text
    # a caption that opens with a year is no numbered entry
    assert not _lists_only("2020年《政府工作报告》重点工作任务分解表", "《政府工作报告》重点工作任务分解表")


def test_words_ending_in_a_table_word_do_not_read_a_table() -> None:
    assert _READS_TABLE.search("长治市的人大代表中有多少人提了建议？") is None
    assert _READS_TABLE.search("那张响应流程图上画了几个步骤？").group(1) == "图"


def test_a_value_stated_for_another_year_does_not_answer_the_asked_year() -> None:
    facts = QueryFacts(city=None, other_city=None, step=None, asks="ratio", years=(2019,))
    assert not states_value(facts, "2018年全市空气优良天数比例达到70%。2019年要持续改善。")
    assert states_value(facts, "2019年全市空气优良天数比例达到72%。")
    assert states_value(facts, "全市空气优良天数比例达到72%。")  # no year: the document's own
    assert states_value(facts, "2018—2020年优良天数比例保持在70%以上。")  # a span holding the asked year
    assert states_value(replace(facts, years=()), "2018年全市空气优良天数比例达到70%。")


def test_a_target_does_not_answer_a_question_asking_what_is() -> None:
    facts = QueryFacts(city=None, other_city=None, step=None, asks="ratio", actual=True)
    assert not states_value(facts, "到2025年，全市农村卫生厕所普及率达到90%以上。")
    assert not states_value(facts, "力争农村卫生厕所普及率提高到85%。")
    assert states_value(facts, "到2025年，普及率达到90%以上。目前全市农村卫生厕所普及率为72%。")
    assert states_value(replace(facts, actual=False), "到2025年，全市农村卫生厕所普及率达到90%以上。")
    dated = replace(facts, years=(2020,))
    assert not states_value(dated, "2020年底前普及率达到80%。")
    assert states_value(dated, "2020年全市普及率为80%。")


def test_a_floor_or_a_ceiling_does_not_answer_a_question_asking_what_is() -> None:
    facts = QueryFacts(city=None, other_city=None, step=None, asks="money", actual=True)
    assert not states_value(facts, "重点安全监管部门每年要保证不少于20万元安全监管执法经费。")
    assert not states_value(facts, "日常养护的总额不低于以下标准：县道每年每公里10000元。")
    assert states_value(facts, "全市安全监管执法经费共计320万元。")
    assert states_value(replace(facts, actual=False), "重点安全监管部门每年要保证不少于20万元安全监管执法经费。")


def test_a_change_does_not_answer_a_question_asking_what_is_unless_it_asks_the_change() -> None:
    facts = QueryFacts(city=None, other_city=None, step=None, asks="count", unit="座", actual=True)
    assert not states_value(facts, "今年新建52座公园公厕，完成时限年底。")
    assert not states_value(facts, "全年新增公园公厕52座。")
    # a total beside a change in another clause of the sentence still answers
    assert states_value(facts, "全市现有公园公厕310座，今年再新建52座。")
    assert states_value(replace(facts, change=True), "今年新建52座公园公厕。")
    assert states_value(replace(facts, actual=False), "今年新建52座公园公厕。")


def test_an_english_question_reads_a_table_by_the_same_words_in_english() -> None:
    assert _READS_TABLE_EN.search("In the compensation zoning table of the central urban area, which zone is Beishidian in?")
    assert _READS_TABLE_EN.search("What is shown on the emergency response procedure chart?")
    assert not _READS_TABLE_EN.search("Which departments are listed as responsible for the plan?")
    # a table named by its owner, a flowchart, a chart said to be attached
    assert _READS_TABLE_EN.search("In Jincheng's 2018 catalogue of adjusted powers, what is the item code of ride-hailing?")
    assert _READS_TABLE_EN.search("In the debt-risk emergency response flowchart, how many steps are drawn?")
    assert _READS_TABLE_EN.search("What is shown in the command-structure chart attached at the end of the plan?")
    assert not _READS_TABLE_EN.search("What does Jincheng's plan say about charts?")


def test_a_named_document_that_states_no_term_is_refused_with_the_sentence_saying_when_it_applies(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("《晋城市政府性债务风险应急处置预案》的有效期到什么时候？")
    assert answer.refused and answer.reason == Reason.TERM_NOT_STATED
    assert "没有规定有效期" in answer.text and "本预案自印发之日起实施" in answer.text and answer.leads


def test_a_document_stating_its_term_anywhere_is_not_judged_by_the_term_rule(small_index: LoadedIndex) -> None:
    # the notice issuing 晋市政发〔2018〕23号 says nothing of a term; the 办法 it issues does (有效期五年)
    stated = [d for d in small_index.documents.values() if d.doc_number == "晋市政发〔2018〕23号"]
    assert {d.kind for d in stated} >= {"notice", "embedded"} and not any(d.doc_id in small_index.unstated_terms for d in stated)
    answer = _pipeline(small_index).answer("晋城市国有土地上房屋征收与补偿办法的有效期是几年？")
    assert "term_not_stated" not in answer.trace.rules_fired and "有效期五年" in answer.text


def test_a_term_of_something_other_than_a_document_is_not_judged_by_the_term_rule(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("营业执照的有效期有多长？")  # names no document and speaks of none
    assert "term_not_stated" not in answer.trace.rules_fired


@pytest.mark.parametrize(("line", "printed"), [
    ("附件2：晋城市重点企业名单", True),  # a heading opening the printed list
    ("晋城市重点企业名单如下：", True),  # a line introducing its items
    ("晋城市重点企业名单（第一批）：甲公司、乙公司", True),
    ("各县要对晋城市重点企业名单实施动态管理。", False),  # named in passing
    ("附件：1.晋城市重点企业名单", False),  # an entry of the attachment list
    ("报送《晋城市重点企业名单》（附表2）。", False),  # the quoted name of a form
])
def test_a_list_is_printed_only_where_a_line_heads_or_introduces_its_items(line: str, printed: bool) -> None:
    title = matching_form("晋城市重点企业名单")
    assert prints_content(title, [matching_form(line)], frozenset()) is printed
    assert prints_content(title, [matching_form("各县要对晋城市重点企业名单实施动态管理。")], frozenset({title})) is True


def test_a_list_the_documents_name_only_in_passing_is_refused_for_its_items(small_index: LoadedIndex) -> None:
    # 长治's road-safety plan says which overloading carriers go on the 失信人员名单; no gazette prints that list
    answer = _pipeline(small_index).answer("严重违法失信超限超载的货运企业纳入失信人员名单的都有哪些？")
    assert answer.refused and "list_not_printed" in answer.trace.rules_fired
    # asked what puts a carrier on the list, not what is on it: the clause answers
    asked_else = _pipeline(small_index).answer("货运企业严重违法失信超限超载的，会被纳入失信人员名单吗？")
    assert "list_not_printed" not in asked_else.trace.rules_fired


def test_a_printed_list_is_read_for_its_items(small_index: LoadedIndex) -> None:
    # 长治市就业创业政策清单 is printed row by row as an attachment
    answer = _pipeline(small_index).answer("长治市就业创业政策清单里有哪些创业补贴？")
    assert "list_not_printed" not in answer.trace.rules_fired and not answer.refused


def test_a_year_named_as_the_documents_edition_needs_a_document_of_that_year(small_index: LoadedIndex) -> None:
    # 晋城's 房屋征收与补偿办法 in the index is of 2018 (晋市政发〔2018〕23号); a 2016 edition is not in it, though texts
    # of other documents may speak of 2016
    other = _pipeline(small_index).answer("2016年版的晋城国有土地上房屋征收与补偿办法规定搬迁补助费是多少？")
    assert other.refused and "edition_not_covered" in other.trace.rules_fired
    same = _pipeline(small_index).answer("2018年版的晋城国有土地上房屋征收与补偿办法规定搬迁补助费是多少？")
    assert "edition_not_covered" not in same.trace.rules_fired


def test_the_years_of_a_passages_document_are_its_dates_and_titles_not_its_texts() -> None:
    from dataclasses import replace as with_fields

    from rag.rules import edition_years
    from tests.evals.test_metrics import passage

    p = with_fields(passage("S1", "到2020年底，完成目标（中办发〔2019〕35号）。"), doc_title="土壤污染防治2018年行动计划",
                    date=date(2018, 6, 1))
    assert edition_years(p) == {2018}
    span = with_fields(p, doc_title="“十四五”规划（2021—2025年）", date=None)
    assert edition_years(span) == {2021, 2022, 2023, 2024, 2025}


def test_a_clause_repealing_a_document_names_the_years_of_what_it_repeals() -> None:
    from dataclasses import replace as with_fields

    from rag.rules import repealed_years
    from tests.evals.test_metrics import passage

    p = with_fields(passage("S1", "本办法自印发之日起施行。原《某市停车管理办法》（某政发〔2016〕12号）同时\n废止。2019年完成目标。"),
                    doc_title="某市停车管理办法", date=date(2021, 3, 1))
    assert repealed_years(p) == {2016}  # not 2019: that sentence repeals nothing


def test_asked_whether_an_old_edition_still_applies_the_clause_repealing_it_answers(small_index: LoadedIndex) -> None:
    # 晋市政办〔2018〕7号 repeals the 2015 solar-subsidy opinion (晋市政办〔2015〕39号); the index holds no 2015 edition
    pipeline = _pipeline(small_index)
    still = pipeline.answer("2015年版的晋城光伏发电财政扶持意见是否仍然有效？")
    assert "edition_not_covered" not in still.trace.rules_fired
    content = pipeline.answer("2015年版的晋城光伏发电财政扶持意见规定每瓦补贴多少？")  # its content is not in the index
    assert content.refused and "edition_not_covered" in content.trace.rules_fired


def test_a_chronicle_entry_is_of_its_days_year() -> None:
    from rag.rules import edition_years

    entry = replace(passage("S1", "10日市政府召开第19次常务会议。"), doc_title="晋城市人民政府1月大事记", date=None,
                    event_date=date(2018, 1, 10))
    assert edition_years(entry) == {2018}


def test_an_ordinal_is_an_occurrence_only_where_the_corpus_numbers_that_series() -> None:
    from rag.query import ordinal_heads
    from rag.rules import occurrences

    corpus = ordinal_heads("经市政府第20次常务会议研究同意\n第二十一期讲座在市委党校举行")
    assert occurrences("第73次常务会议研究了什么？", corpus) == {(73, "次")}
    assert occurrences("第71次和第72次常务会议是哪天开的？", corpus) == {(71, "次"), (72, "次")}
    assert occurrences("新开办企业第一次刻章免费刻几枚？", corpus) == set()  # "for the first time"


def test_a_list_is_asked_for_only_when_the_ask_follows_its_name_closely() -> None:
    from rag.rules import asks_items

    q = "《政务公开事项标准目录》，具体包括哪些？"
    assert asks_items(q, q.index("政务"), q.index("》"))
    q = "政务公开事项标准目录，每个事项至少要写清楚哪些要素？"  # the elements of an entry, not the list's entries
    assert not asks_items(q, 0, q.index("，"))


def test_a_topic_word_in_a_question_naming_a_corpus_document_is_not_out_of_scope(small_index: LoadedIndex) -> None:
    answer = _pipeline(small_index).answer("遇到哪些天气引起的灾害，会按长治市气象灾害应急预案来处置？")
    assert "out_of_scope_topic" not in answer.trace.rules_fired and not answer.refused


def test_an_english_topic_word_is_out_of_scope_only_when_the_documents_do_not_speak_of_the_question(small_index: LoadedIndex) -> None:
    from rag.rules import out_of_scope_topic

    pipeline = _pipeline(small_index)
    ctx = pipeline._prepare("During high-temperature weather, what must schools do?", [], None)
    inp = pipeline._retrieve(ctx)
    config = PolicyConfig(min_cross_topic=0.32)
    far = replace(inp, signals=replace(inp.signals, cross=0.21))  # a weather forecast question scores about this
    near = replace(inp, signals=replace(inp.signals, cross=0.43))  # a clause about heat waves and schools
    assert inp.facts.out_of_scope
    refused = out_of_scope_topic(far, config)
    assert refused is not None and refused.reason == Reason.OUT_OF_SCOPE
    assert out_of_scope_topic(near, config) is None


def _city_input(index: LoadedIndex, ours: float, theirs: float, wider_city: str = "晋城") -> object:
    """An English question naming 长治 whose own clauses reach `ours` in the cross-lingual space, and whose retrieval
    without the city filter leads with a `wider_city` clause reaching `theirs`."""
    from rag.policy import PolicyInput, Signals
    from rag.retrieve import Retrieved

    own = replace(passage("S1", "长治市房屋安全管理的有关规定。"), city="长治")
    other = replace(passage("S1", "搬迁补助费18元/平方米。", chunk_id="other"), city=wider_city)
    question = "In Changzhi, how much is the moving allowance for a flat?"
    facts = QueryFacts(city="长治", other_city=None, step=None, cross_lingual=True)
    retrieved = Retrieved([own], {"cross": [(own.chunk_id, ours)]}, [])
    wider = Retrieved([other], {"cross": [(other.chunk_id, theirs)]}, [])
    signals = Signals(0.0, 0.5, False, True, 1, ours)
    return PolicyInput(question, question, facts, retrieved, index, signals, wider=wider)


def test_an_english_question_is_sent_to_the_city_whose_clauses_are_much_closer_in_the_cross_lingual_space(
        small_index: LoadedIndex) -> None:
    from rag.rules import wants_wider, wrong_city

    config = PolicyConfig(wrong_city_margin_cross=0.03)
    closer = _city_input(small_index, ours=0.30, theirs=0.40)
    assert wants_wider(closer, config)  # its coverage says nothing: an English question always looks elsewhere
    decision = wrong_city(closer, config)
    assert decision is not None and decision.reason == Reason.WRONG_CITY and decision.leads == "wider"
    assert "不适用于长治" in decision.note
    assert wrong_city(_city_input(small_index, ours=0.38, theirs=0.40), config) is None  # within the margin
    assert wrong_city(_city_input(small_index, ours=0.30, theirs=0.40, wider_city="长治"), config) is None
    assert not wants_wider(closer, PolicyConfig(rules_off=frozenset({"wrong_city"})))


def test_a_multi_part_question_is_judged_part_by_part_for_its_values(small_index: LoadedIndex) -> None:
    # the whole question's one ask and subject (搬迁补助费, an amount) are stated, so judged whole it was answered;
    # its second part asks a price no clause states for the aircraft, and judged on its own passages it is refused.
    # Ranked by clause vectors alone: on the small index's made-up vectors the sentence windows move the aircraft
    # clause out of the second part's lead, which then names no subject the value could be bound to (on the bundled
    # index, windows on, it is refused by value_not_stated too)
    pipeline = _pipeline(replace(small_index, window_store=None))
    mixed = pipeline.answer("住宅房屋被征收，搬迁补助费每平方米多少钱？另外，空客H225直升机每飞一小时要收多少钱？")
    assert mixed.refused and mixed.reason == Reason.VALUE_NOT_STATED and "金额" in mixed.text
    from rag.rules import _value_decision, part_inputs

    ctx = pipeline._prepare(mixed.question, [], None)
    inp = pipeline._retrieve(ctx)
    assert [p.facts.asks for p in part_inputs(inp)] == ["money", "money"]
    assert _value_decision(inp, pipeline.policy) is None  # judged whole, with the first part's subject: stated
    # each part's value stated (a count of the aircraft, the subsidy's amount): answered
    both = pipeline.answer("空客H225直升机有几架？另外，住宅房屋被征收，搬迁补助费每平方米多少钱？")
    assert not both.refused and both.trace.rules_fired == []


def test_a_follow_up_asking_its_own_question_binds_its_value_to_its_own_subject(small_index: LoadedIndex) -> None:
    # the rewrite borrows the earlier question's words, and their longest run in the top clauses (要做一次防火巡查) was
    # taken as the subject the value had to be bound to; the follow-up's own words name 消防控制室, whose clause
    # states 每班不少于2人
    from rag.policy import PolicyInput, Signals
    from rag.query import analyse
    from rag.retrieve import Retrieved
    from rag.rules import _value_decision

    question = "长治的商场营业期间多久要做一次防火巡查，消防控制室要留几个人值班"
    turn = "那消防控制室要留几个人值班？"
    patrol = replace(passage("S1", "大型商场营业期间多久要做一次防火巡查，由商场营业期间防火巡查制度规定"), city="长治")
    duty = replace(passage("S2", "(七)设有消防控制室的,实行24小时专人值班制度,每班不少于2人,并持证上岗", chunk_id="duty"),
                   city="长治")
    retrieved = Retrieved([patrol, duty], {}, [], groups=[[patrol.chunk_id], [duty.chunk_id]])
    inp = PolicyInput(question, small_index.places.strip(question), analyse(question, small_index.places, turn=turn),
                      retrieved, small_index, Signals(0.6, 0.9, False, False, 2), turn=turn)
    cfg = PolicyConfig()
    assert inp.facts.asks == "count"
    assert _value_decision(inp, cfg) is None  # 2人 of 消防控制室: stated
    # the same passages without the value: refused, whichever words name the subject
    bare = replace(retrieved, passages=[patrol, replace(duty, text="设有消防控制室的,实行专人值班制度")])
    assert _value_decision(replace(inp, retrieved=bare), cfg) is not None


def test_the_parts_of_a_follow_up_are_judged_by_their_own_words(small_index: LoadedIndex) -> None:
    # a part's words are its own (`PolicyInput.turn` is the part's text): the whole follow-up's words would bind the
    # first part's value to the second part's subject, and the words a part borrows from the clauses before it (the
    # context of 晋城市政府第19次常务会议…, 每瓦多少钱？) would name a subject the answering clause does not
    from rag.rules import _own_words, part_inputs

    pipeline = _pipeline(small_index)
    question = "住宅房屋被征收，搬迁补助费每平方米多少钱？另外，空客H225直升机每飞一小时要收多少钱？"
    inp = replace(pipeline._retrieve(pipeline._prepare(question, [], None)), turn="另外，空客H225直升机每飞一小时要收多少钱？")
    parts = part_inputs(inp)
    assert len(parts) == 2
    assert [p.turn for p in parts] == list(inp.retrieved.parts)
    assert "H225" not in _own_words(parts[0]) and "搬迁补助费" not in _own_words(parts[1])


def test_a_city_switch_asking_its_own_question_is_judged_by_its_own_words(small_index: LoadedIndex) -> None:
    # the rewrite borrows the earlier 晋城 question's words, chosen for 晋城's document; the follow-up's own words
    # decide whether 长治's documents answer it. An elliptical follow-up (那长治呢？) has only the rewrite's words.
    from rag.policy import PolicyInput, Signals
    from rag.retrieve import Retrieved
    from rag.rules import _own_words

    facts = QueryFacts(city="长治", other_city=None, step=None)
    question = "晋城市征收住宅房屋搬迁补助费标准是多少，长治呢？消防安全重点单位要履行哪些职责"
    turn = "那长治呢？消防安全重点单位要履行哪些职责？"
    inp = PolicyInput(question, question, facts, Retrieved([], {}, []), small_index, Signals(0.3, 0.9, False, False, 1),
                      turn=turn)
    assert _own_words(inp) == small_index.places.strip(turn) and "长治" not in _own_words(inp)
    assert _own_words(replace(inp, turn="那长治呢？")) == question
    assert _own_words(replace(inp, turn=None)) == question
    assert _own_words(replace(inp, turn="And what are the duties of key fire-safety units in Changzhi?")) == question


def test_an_english_question_s_value_is_looked_for_in_clauses_close_to_it_not_in_every_clause(small_index: LoadedIndex) -> None:
    # an English question shares no word with any clause, so every lower clause matched its words as well as the
    # top ones did, and any of them stating an amount of anything answered it
    from rag.policy import PolicyInput, Signals
    from rag.query import analyse
    from rag.retrieve import Retrieved
    from rag.rules import _value_decision

    question = "How much does the city pay each year for the emergency rescue helicopter service?"
    facts = analyse(question, small_index.places)
    top = [passage(f"S{i}", "航空应急救援服务由市应急管理局统一组织。", chunk_id=f"top{i}") for i in range(1, 4)]
    low = passage("S4", "住宅房屋搬迁补助费18元/平方米。", chunk_id="low")
    retrieved = Retrieved([*top, low], {}, [], groups=[[top[0].chunk_id]])
    inp = PolicyInput(question, question, facts, retrieved, small_index, Signals(0.0, 0.9, False, True, 4))
    cfg = PolicyConfig(top=3)
    assert facts.asks == "money" and facts.cross_lingual
    refused = _value_decision(inp, cfg)
    assert refused is not None and refused.reason == Reason.VALUE_NOT_STATED
    stated = replace(retrieved, passages=[top[0], replace(top[1], text="航空应急救援服务费每年200万元。"), top[2], low])
    assert _value_decision(replace(inp, retrieved=stated), cfg) is None
    # a lower clause at least as close to the question in the cross-lingual space as the top ones counts, as a lower
    # clause matching a Chinese question's words as well does
    closer = replace(retrieved, legs={"cross": [("low", 0.52), ("top1", 0.47), ("top2", 0.45), ("top3", 0.40)]})
    assert _value_decision(replace(inp, retrieved=closer), cfg) is None
    farther = replace(retrieved, legs={"cross": [("top1", 0.52), ("top2", 0.45), ("top3", 0.40), ("low", 0.31)]})
    assert _value_decision(replace(inp, retrieved=farther), cfg) is not None


def test_an_english_numbered_occurrence_is_refused_when_a_neighbour_was_retrieved_instead(small_index: LoadedIndex) -> None:
    from rag.policy import PolicyConfig, PolicyInput, Signals
    from rag.query import analyse
    from rag.retrieve import Retrieved
    from rag.rules import ordinal_not_covered

    def judged(question: str, *texts: str) -> object:
        passages = [passage("S1", text, chunk_id=f"c{i}") for i, text in enumerate(texts)]
        facts = analyse(question, small_index.places)
        inp = PolicyInput(question, question, facts, Retrieved(passages, {}, []), small_index, Signals(0.0, 0.8, False, True, 1))
        return ordinal_not_covered(inp, PolicyConfig())

    asked = "On what date was the 73rd executive meeting of the municipal government held?"
    assert analyse(asked, small_index.places).ordinals == ((73, "次"),)
    refused = judged(asked, "19日，市政府召开第71次常务会议。")  # the 71st stands in for the 73rd
    assert refused is not None and refused.reason == Reason.ORDINAL_NOT_COVERED and "第73次" in refused.note
    assert judged(asked, "市政府第73次常务会议研究了…") is None  # recorded
    assert judged(asked, "市政府第19次常务会议研究了…") is None  # no neighbour: the retrieval missed the series
    # a term and session written without 第 speak of the asked ones
    session = "When was the 4th plenary session of the 7th CPC Jincheng Committee held?"
    assert analyse(session, small_index.places).ordinals == ((4, "次"), (7, "届"))
    assert judged(session, "2018年初的市委七届四次全会暨经济工作会议召开。", "市委七届三次全会召开。") is None
    fifth = "When was the Fifth Plenary Session of the Seventh CPC Jincheng Municipal Committee held?"
    assert judged(fifth, "市委七届四次全会召开。") is not None  # the fourth, not the fifth
    assert analyse("Which seals can I have carved for free the first time?", small_index.places).ordinals == ()


def test_an_english_question_reading_a_table_is_answered_only_by_a_table_among_its_closest_clauses(
        small_index: LoadedIndex) -> None:
    from rag.policy import PolicyConfig, PolicyInput, Signals
    from rag.query import analyse
    from rag.retrieve import Retrieved
    from rag.rules import table_not_printed

    question = "In the task-division table for disclosure of major construction projects, what is task no. 9?"
    clauses = [passage("S1", f"重大建设项目信息公开第{i}条。", chunk_id=f"c{i}") for i in range(8)]
    row = replace(passage("S1", "序号：9；任务：…", chunk_id="row"), kind="table_row")
    cfg = PolicyConfig()

    def judged(passages: list) -> object:  # type: ignore[type-arg]
        inp = PolicyInput(question, question, analyse(question, small_index.places), Retrieved(passages, {}, []),
                          small_index, Signals(0.0, 0.8, False, True, 1))
        return table_not_printed(inp, cfg)

    assert judged([*clauses[: cfg.top - 1], row, *clauses[cfg.top:]]) is None  # a row among the closest clauses
    far = judged([*clauses, row])  # a row of some table far down the list does not print this one
    assert far is not None and far.reason == Reason.ATTACHMENT_NOT_PRINTED


def test_an_english_question_s_destination_is_a_place_visited_not_the_city_asked_about(small_index: LoadedIndex) -> None:
    from rag.policy import PolicyConfig, PolicyInput, Signals
    from rag.query import analyse
    from rag.retrieve import Retrieved
    from rag.rules import city_not_in_corpus

    def judged(question: str) -> object:
        clauses = [passage("S1", "市长王震带队对接沁河经济带项目。")]  # the clauses do not name the city
        inp = PolicyInput(question, question, analyse(question, small_index.places), Retrieved(clauses, {}, []),
                          small_index, Signals(0.0, 0.8, False, True, 1))
        return city_not_in_corpus(inp, PolicyConfig())

    assert judged("On which day did Mayor Wang Zhen lead a delegation to Beijing about the Qinhe project?") is None
    refused = judged("Can newly established companies in Beijing get their seals engraved for free?")
    assert refused is not None and refused.reason == Reason.CITY_NOT_IN_CORPUS


def test_an_attachment_printing_only_its_title_prints_no_table_or_figure(small_index: LoadedIndex) -> None:
    from rag.policy import PolicyConfig, PolicyInput, Signals
    from rag.query import analyse
    from rag.retrieve import Retrieved
    from rag.rules import table_not_printed

    # the gazette printed the titles of the debt-risk plan's figures (附录1 / …框架图), not the figures
    titled = {small_index.chunks[c].text.split("\n")[-1] for c in small_index.title_only}
    assert "晋城市政府性债务风险应急组织指挥体系框架图" in titled
    assert not any(small_index.chunks[c].kind == "table_row" for c in small_index.title_only)
    only = next(c for c in small_index.title_only if "框架图" in small_index.chunks[c].text)
    question = "Can you describe what is shown in the command-structure chart attached to the debt-risk emergency plan?"

    def judged(attachment_text: str, chunk_id: str) -> object:
        caption = replace(passage("S1", attachment_text, chunk_id=chunk_id), doc_type="附件", doc_title="附录1")
        clauses = [caption, *(passage("S2", f"债务风险应急处置第{i}条。", chunk_id=f"c{i}") for i in range(4))]
        inp = PolicyInput(question, question, analyse(question, small_index.places), Retrieved(clauses, {}, []),
                          small_index, Signals(0.0, 0.8, False, True, 1))
        return table_not_printed(inp, PolicyConfig())

    refused = judged(small_index.chunks[only].text, only)
    assert refused is not None and refused.reason == Reason.ATTACHMENT_NOT_PRINTED
    assert judged("附录3\n联络表\n单位：市财政局；电话：…", "printed") is None  # an attachment with content prints it


def test_a_set_counted_and_never_listed_is_refused_not_answered_by_the_clause_that_counts_it(small_index: LoadedIndex) -> None:
    # 长政办发〔2020〕30号 70.: 市级综合确定4所…专业救治医院 — the four are never named
    pipeline = _pipeline(small_index, rules_off=frozenset({"not_relevant"}))  # the test embedder is no judge of relevance
    answer = pipeline.answer("长治市级综合确定的那4所交通事故专业救治医院是哪几家？")
    assert answer.refused and answer.reason == Reason.LIST_NOT_PRINTED
    assert "set_not_listed" in answer.trace.rules_fired and "4所" in answer.text
    # the same clause still answers a question that asks no members of a set
    asked = pipeline.answer("长治市级要综合确定几所交通事故专业救治医院？")
    assert "set_not_listed" not in asked.trace.rules_fired
    # members_by_size: which ones asked by the size again (是哪4所) asks the members too
    again = pipeline.answer("长治市级综合确定的交通事故专业救治医院是哪4所？")
    assert again.refused and "set_not_listed" in again.trace.rules_fired
    # the refusal quotes the clause that counts the set, cited: what the document does say
    assert CLOSEST_HEADING in answer.text and len(answer.citations) == 1
    counting = next(p for p in answer.passages if p.key == answer.citations[0].key)
    assert "4所" in counting.readable and answer.citations[0].quote in counting.text


def test_a_value_refusal_quotes_the_clause_naming_the_subject_not_one_about_something_else(small_index: LoadedIndex) -> None:
    from rag.policy import PolicyConfig, PolicyInput, Signals
    from rag.query import analyse
    from rag.retrieve import Retrieved
    from rag.rules import _value_decision

    question = "应急救援直升机每小时收费多少钱？"
    facts = analyse(question, small_index.places)
    about = passage("S1", "应急救援直升机由市应急管理局统一调度，在森林防火期驻场值守。", chunk_id="about")
    other = passage("S2", "住宅房屋搬迁补助费18元/平方米。", chunk_id="other")
    assert facts.asks == "money"
    for first in ([other, about], [about, other]):
        retrieved = Retrieved(first, {}, [], groups=[[first[0].chunk_id]])
        inp = PolicyInput(question, question, facts, retrieved, small_index, Signals(0.5, 0.9, False, False, 2))
        decision = _value_decision(inp, PolicyConfig(top=2))
        assert decision is not None and decision.reason == Reason.VALUE_NOT_STATED and decision.lead == "about"
    # the clause naming the subject states the value: answered, nothing to quote
    stated = replace(about, text="应急救援直升机每小时收费3万元。")
    inp = PolicyInput(question, question, facts, Retrieved([other, stated], {}, [], groups=[["other"]]), small_index,
                      Signals(0.5, 0.9, False, False, 2))
    assert _value_decision(inp, PolicyConfig(top=2)) is None


def test_a_set_is_listed_when_its_members_follow_or_end_at_its_size() -> None:
    assert _lists_members("设立5个工作组，分别是综合组、宣传组、督查组、保障组、专家组。", "5", 3)
    assert _lists_members("确定以下4项重点任务：一是抓项目；二是抓改革；三是抓民生；四是抓党建。", "4", 3)
    assert _lists_members("在泽州、阳城、陵川等3个县开展试点。", "3", 3)
    assert _lists_members("在泽州、阳城和陵川3个县开展试点。", "3", 3)
    # counted only: a list of something else before the size, or one entry beside it, is not the set
    assert not _lists_members("重点推进我市能源、医药、装备制造三大产业中24项关键技术的研发。", "24", 3)
    assert not _lists_members("市级综合确定4所，各县区确定1所以上专业救治医院，重点解决颅脑、心、肺损伤救治。", "4", 3)
    assert not _lists_members("环线沿线1公里范围内的231个行政村、12个社区，对照标准逐村提升。", "12", 3)
    # 为 introduces a list only before the next comma: 以…为牵引 after the size starts another clause
    assert not _lists_members("聚焦沿线的231个行政村、12个社区，以农村人居环境整治为牵引，“路、景、村、业”系统谋划。", "12", 3)
    assert _lists_members("全市共设12个社区为试点：甲社区、乙社区、丙社区等。", "12", 3)
    # 即 right after the comma that follows the size introduces the members (六个版块,即…); 处 counts places
    assert _lists_members("系统设置“1+5”六个版块,即日常管理事项版块和重点工作任务版块、重大改革事项版块、重点工程项目版块。", "六", 3)
    assert not _lists_members("新建26处街头游园，提升城市品质。", "26", 3)
    assert _lists_members("新建3处街头游园：东湖游园、西街游园、北关游园。", "3", 3)


def test_a_clause_says_how_a_value_is_set_but_a_document_s_basis_does_not() -> None:
    # what the answer's lead must say for `value_shown` to keep it: how the value is set, case by case …
    assert says_how_set("（二）被征收房屋的装饰装修由征收单位和被征收人协商确定，协商不成的，依法评估确定。")
    # … not how the document was made, and not a figure
    assert not says_how_set("根据《城市建筑垃圾管理规定》的要求，结合本市实际，制定本办法。")
    assert not says_how_set("（一）征收住宅房屋，搬迁补助费18元/平方米，支付一次。")
