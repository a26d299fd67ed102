"""The splitter of multi-part questions: what splits into parts, what each part keeps of the question, what stays
one question. Examples are worded for these tests, not taken from the gold items."""

from __future__ import annotations

from rag.decompose import split_parts, topic


def _queries(question: str) -> list[str]:
    return [p.query for p in split_parts(question)]


def test_two_question_marks_make_two_parts_in_the_order_asked() -> None:
    parts = split_parts("城市供水价格听证会由哪个部门组织？听证结果多久内公布？")
    assert [p.text for p in parts] == ["城市供水价格听证会由哪个部门组织", "听证结果多久内公布"]


def test_a_later_part_borrows_the_first_part_s_topic() -> None:
    queries = _queries("城市供水价格听证会由哪个部门组织？听证结果多久内公布？")
    assert queries[1] == "城市供水价格听证会，听证结果多久内公布"


def test_a_short_or_elliptical_part_borrows_the_whole_first_part() -> None:
    # 夜间呢 only changes a condition of the first question: it asks the same thing
    queries = _queries("施工噪声白天不能超过多少分贝？夜间呢？")
    assert queries == ["施工噪声白天不能超过多少分贝", "施工噪声白天不能超过多少分贝，夜间"]


def test_leading_context_applies_to_every_part() -> None:
    queries = _queries("城市公园管理办法里，游船租赁要交多少押金？损坏了照价赔偿吗？")
    assert queries[0].startswith("城市公园管理办法里，") and queries[1].startswith("城市公园管理办法里，")


def test_a_part_naming_a_place_of_its_own_keeps_only_the_shared_context() -> None:
    def named(text: str) -> list[str]:
        return [c for c in ("运城", "临汾") if c in text]

    question = "城市绿道建设，运城今年计划新修多少公里？临汾那条滨河绿道一共有多长？"
    assert _queries(question)[1] == "城市绿道建设，运城今年计划新修，临汾那条滨河绿道一共有多长"  # no places known
    parts = split_parts(question, named)
    assert [p.query for p in parts] == ["城市绿道建设，运城今年计划新修多少公里", "城市绿道建设，临汾那条滨河绿道一共有多长"]
    # a part in the first part's place, or too short to ask alone, still borrows from the first
    assert split_parts("运城绿道今年计划新修多少公里？临汾呢？", named)[1].query == "运城绿道今年计划新修多少公里，临汾"


def test_a_joining_word_after_a_first_question_opens_a_second_part() -> None:
    parts = split_parts("义务植树每人每年要种几棵，另外不能参加的要交多少绿化费？")
    assert [p.text for p in parts] == ["义务植树每人每年要种几棵", "另外不能参加的要交多少绿化费"]
    parts = split_parts("一类地区的补助是多少，二类地区又是多少？")
    assert [p.text for p in parts] == ["一类地区的补助是多少", "二类地区又是多少"]


def test_can_i_then_can_i_questions_split() -> None:
    parts = split_parts("能不能先办临时占道许可？办下来能直接摆摊吗？")
    assert [p.text for p in parts] == ["能不能先办临时占道许可", "办下来能直接摆摊吗"]


def test_two_years_asked_for_each_make_one_part_per_year() -> None:
    queries = _queries("全市森林覆盖率2023年和2030年分别要达到多少？")
    assert queries == ["全市森林覆盖率2023年要达到多少？", "全市森林覆盖率2030年要达到多少？"]


def test_two_numbered_sessions_asked_for_each_make_one_part_per_session() -> None:
    queries = _queries("第5次和第6次主任会议分别研究了什么？")
    assert queries == ["第5次主任会议研究了什么？", "第6次主任会议研究了什么？"]


def test_two_named_things_asked_for_each_keep_the_rest_of_the_question() -> None:
    queries = _queries("在城区，小学和初中分别按多大的服务半径布点？")
    assert queries == ["在城区，小学按多大的服务半径布点？", "在城区，初中按多大的服务半径布点？"]


def test_a_list_of_nouns_asked_as_one_thing_does_not_split() -> None:
    # 和/、 between the nouns of one list, without 分别/各: the same clause answers it
    assert split_parts("公共停车场的收费标准和收费时段是什么？") == ()
    assert split_parts("燃气经营许可的申请条件和程序是什么？") == ()
    assert split_parts("街道办、社区居委会多久要开展一次消防检查？") == ()


def test_one_question_with_a_context_clause_does_not_split() -> None:
    assert split_parts("老旧小区改造后，物业服务费怎么收？") == ()
    assert split_parts("晋城市停车管理办法什么时候施行？") == ()


def test_a_short_tail_belongs_to_the_question_before_it() -> None:
    # 补几年？ repeats the ask of the same clause: too short to be a question of its own
    assert split_parts("退役士兵自主就业每月补多少钱？补几年？") == ()


def test_a_follow_up_marker_alone_is_context_not_a_part() -> None:
    # after follow-up rewriting, 那X呢 only moves the question: one part remains
    assert split_parts("那长治呢？电动车上牌要带哪些材料？") == ()


def test_an_opening_clause_moving_to_a_document_or_a_place_is_context_not_a_part() -> None:
    # 那《…》呢 / 阳城那边呢 / 那泽州的水库呢 ask nothing but move the question: what follows is asked of that thing
    places = lambda text: [name for name in ("阳城", "泽州") if name in text]  # noqa: E731
    assert split_parts("那《城市绿化管理办法》呢？它从哪天起施行？", places) == ()
    assert split_parts("阳城那边呢？今年要新建多少座公厕？", places) == ()
    assert split_parts("泽州的水库呢？汛期前要检查几次？", places) == ()
    # … but an opening X呢 that names neither asks for the thing it names: a part of its own
    parts = split_parts("他们的值班电话呢？办公地点在哪？", places)
    assert [p.text for p in parts] == ["他们的值班电话呢", "办公地点在哪"]


def test_the_topic_is_what_the_first_part_asks_about() -> None:
    assert topic("城市供水价格听证会由哪个部门组织") == "城市供水价格听证会"
    assert topic("垃圾分类工作从什么时候开始") == "垃圾分类工作"


def test_two_things_compared_are_asked_each() -> None:
    # 有什么变化 / 一样吗 compare the two sides as 分别 asks for each: each side is retrieved on its own
    first, second = _queries("城市绿化，2019年和2022年定的覆盖率目标有什么变化？")
    assert "2019年" in first and "2022年" not in first and "2022年" in second and "2019年" not in second
    assert all(q.startswith("城市绿化") and "覆盖率目标" in q and "变化" not in q for q in (first, second))
    assert len(split_parts("老旧小区改造和背街小巷整治的补助办法一样吗？")) == 2
    assert split_parts("老旧小区改造补助办法有什么变化？") == ()  # one side: nothing to compare it with


def test_a_part_opening_a_new_subject_borrows_nothing_from_the_first() -> None:
    # 另外… with a subject of its own asks about something else; 另外这个部门… points back and borrows
    assert _queries("公租房租金多久调整一次？另外，退役军人申请创业贷款要交哪些材料？") == [
        "公租房租金多久调整一次", "另外，退役军人申请创业贷款要交哪些材料"]
    assert _queries("公租房由哪个部门管理？另外这个部门还管什么？")[1].startswith("公租房由哪个部门管理")


def test_an_english_question_splits_on_its_sentences_and_on_and_with_a_question_word() -> None:
    parts = split_parts("Which office runs the public rental housing scheme, and how long does a tenant wait?")
    assert [p.text for p in parts] == ["Which office runs the public rental housing scheme", "how long does a tenant wait"]
    assert parts[1].query.startswith("Which office runs")  # too short to stand alone: asked after the first part
    sentences = split_parts("How much is the deposit for a park boat? And who repairs a damaged boat in the city park?")
    assert [p.text for p in sentences] == ["How much is the deposit for a park boat",
                                           "who repairs a damaged boat in the city park"]
    assert sentences[1].query == "who repairs a damaged boat in the city park"  # long enough: its own question


def test_an_english_question_asking_one_thing_or_only_moving_the_topic_stays_whole() -> None:
    assert split_parts("What were the park boat deposits in 2019 and in 2022?") == ()  # and + a year: one question
    assert split_parts("What about the county? How much is the boat deposit there?") == ()
