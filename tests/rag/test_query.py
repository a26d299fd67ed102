"""Query analysis: which kind of value a question asks for, and whether a clause states one."""

from __future__ import annotations

import pytest

from rag.query import QueryFacts, answers_kind, asked_kind, asked_step, given_values
from rag.query import analyse as analyse_with
from tests.rag.test_followup import PLACES


def analyse(question: str) -> QueryFacts:
    return analyse_with(question, PLACES)


def test_an_amount_of_funds_named_after_duoshao_is_a_money_question() -> None:
    assert analyse("晋城市级财政每年安排多少装配式建筑专项奖补资金？").asks == "money"
    assert analyse("沁水县每年分摊多少航空救援经费？").asks == "money"


def test_a_standard_given_as_a_multiple_of_another_is_an_amount() -> None:
    assert answers_kind("money", "对全部失地的,人均筹资标准为本县(区)上一年度城市低保标准的139倍")
    assert not answers_kind("money", "人均筹资标准由各县(区)确定")


def test_count_questions_name_the_unit_they_ask_in() -> None:
    cases = {
        "高平市今年的PM2.5年均浓度要控制在多少微克/立方米？": "微克",
        "泽州县金村镇的村子属于征地奖励的第几级区？": "第级",  # an ordinal asked (`test_a_question_asking_which_in_a_series…`)
        "丹河各考核断面今年要达到几类水质？": "类",
        "长治今年要建多少个5G基站？": "个",
        "乡镇里要配几个专门搞应急管理的人？": "个",  # 几个人: 个 is the classifier asked
    }
    for question, unit in cases.items():
        facts = analyse(question)
        assert (facts.asks, facts.unit) == ("count", unit), question


def test_lists_and_other_kinds_are_not_counts() -> None:
    assert analyse("晋城市科技计划项目分为哪几大类？").asks is None
    assert analyse("在晋城办房子的抵押登记，要等几个工作日？").asks == "duration"
    assert analyse("新开的公司免费刻章，能刻几枚？值多少钱？").asks == "money"


def test_a_count_needs_a_number_in_the_asked_unit() -> None:
    assert answers_kind("count", "地表水优于III类水体比例", "类")
    assert not answers_kind("count", "地表水优于III类水体比例", "微克")
    assert not answers_kind("count", "PM2.5和O3改善成效进一步巩固", "微克")
    assert answers_kind("count", "按照5个奖励级别区给予奖励，一级区每亩", "级")
    assert not answers_kind("count", "具体分级见附件", "级")


def test_ge_and_people_count_in_any_fitting_classifier() -> None:
    assert answers_kind("count", "市政府决定对18家部门的117项事项作相应调整", "个")
    assert answers_kind("count", "至少配备3—5名专业应急管理人员", "个")
    assert answers_kind("count", "至少配备3—5名专业应急管理人员", "人")
    assert not answers_kind("count", "配备专业应急管理人员", "人")


def test_a_contact_question_needs_a_phone_number_website_or_mail_address() -> None:
    assert analyse("晋城市财政局的债务风险应急值班电话是多少？").asks == "contact"
    assert analyse("12345热线的网址是什么？").asks == "contact" and analyse("12345热线由哪个部门负责？").asks is None
    assert answers_kind("contact", "值班电话：0356-2196027")
    assert answers_kind("contact", "登录www.jcgov.gov.cn查询") and answers_kind("contact", "发送至jcsf@163.com")
    assert not answers_kind("contact", "依托全市统一的政务服务热线受理群众诉求")


def test_a_value_stated_in_words_answers_its_kind() -> None:
    assert answers_kind("money", "为新开办企业免费刻制公章") and answers_kind("money", "不收取任何费用")
    assert answers_kind("duration", "符合条件的当场办结") and answers_kind("duration", "即时办结")
    assert not answers_kind("money", "按照有关规定执行") and not answers_kind("duration", "按规定办理")


def test_a_frequency_answers_how_often_and_a_share_answers_an_amount() -> None:
    assert analyse("董事长多久要到下属公司查一次安全？").asks == "duration"
    assert answers_kind("duration", "各集团公司董事长每季度，总经理每月至少深入所属分（子）公司进行一次安全检查")
    assert answers_kind("duration", "督促各类学校每学期开展不少于一次全员消防演练")
    assert answers_kind("duration", "应急力量在30分钟内到达")
    assert not answers_kind("duration", "应急人员队伍包括兼职应急队伍和志愿者队伍")
    assert answers_kind("money", "当投入资金达到工程建设总投资的25%以上时，即可办理商品房预售许可证")
    assert not answers_kind("money", "预售资金监管比例可适当减低")


def test_who_where_which_website_and_which_company_are_asked_by_naming() -> None:
    assert analyse("蓝天保卫战派驻巡查组的组长分别是谁？").asks == "person"
    assert analyse("新春团拜会是在哪里举行的？").asks == "place"
    assert analyse("申报指南在哪个网站上发布？").asks == "website"
    assert analyse("测算建筑垃圾量的是哪家公司？").asks == "company"
    assert analyse("建筑垃圾查不到是谁倒的，谁负责清走？").asks is None  # 是谁/谁负责 ask for a body as often as a person
    assert analyse("搬迁补助费是多少钱？").asks == "money"  # a value kind comes first


def test_a_named_answer_must_name_a_person_place_website_or_company() -> None:
    assert answers_kind("person", "组长：张利锋市委常委、常务副市长")
    assert not answers_kind("person", "成立由市政府分管领导任组长，各县（市、区）政府分管领导为成员的领导组")
    assert answers_kind("place", "会议在市会议中心召开")
    assert not answers_kind("place", "市政府召开新春团拜会")
    assert answers_kind("website", "申报指南在晋城市科技局门户网站发布")
    assert not answers_kind("website", "申报指南另行发布")
    assert answers_kind("company", "由山西成功通用航空股份公司提供航空救援服务")
    assert not answers_kind("company", "委托有资质的测量机构测算")


def test_a_name_tagged_by_jieba_reads_as_a_name_only_with_a_common_surname_and_not_a_body_s_ending() -> None:
    assert answers_kind("person", "会议由副市长李建平主持")  # a role and the name after it
    assert answers_kind("person", "参加会议的有秦李芳、张高峰")  # names in a list, tagged nr
    # tagged nr in this corpus, none a name: a district, a department, a rule, a four-character phrase
    assert not answers_kind("person", "支持高新区建设")
    assert not answers_kind("person", "宣传部负责组织实施")
    assert not answers_kind("person", "严格执行告知承诺制")
    assert not answers_kind("person", "专家咨询委员会由市仲裁委员会聘任，为仲裁庭提供咨询")  # 委员会 is no role


def test_a_role_before_comrade_is_no_name() -> None:
    assert answers_kind("person", "任命刘锋同志为市长")
    # every X同志 of the bundled corpus is a role: the documents name one leader, not who it is
    assert not answers_kind("person", "明确市政府办公厅一位领导同志负责与市人大常委会的联系工作")
    assert not answers_kind("person", "主要负责同志亲自抓，分管领导同志具体抓")


def test_who_holds_a_post_asks_for_a_name_and_a_count_or_a_post_after_a_role_is_none() -> None:
    # post_holder: who holds a post asks for a person; who decides or pays (是谁拍板, 组长单位是谁) does not
    assert analyse("现在的仲裁委主任是谁？").asks == "person"
    assert analyse("村里的路长是谁？").asks == "person"
    assert analyse("联席会议的总召集人是谁？").asks == "person"
    assert analyse("医学救援组的组长单位是谁？").asks is None
    assert analyse("卖地的底价是谁拍板定的？").asks is None
    assert analyse("推进小组的组长由谁担任？").asks is None  # a post answers who fills a post (由市长担任)
    # step_lead reads the step of a procedure asked, not a table's item or an article
    assert asked_step("土地征收流程的第三步具体要做什么？") == 3
    assert asked_step("办理的第二个环节是什么？") == 2
    assert asked_step("分解表第90项是什么任务？") is None
    assert asked_step("第十二条怎么规定的？") is None
    # named_after_count: a count that only describes the people or places named after it
    assert analyse("委员会主任和几位副主任分别是谁？").asks == "person"
    assert analyse("两个批发市场分别建在哪？").asks == "place"
    assert analyse("委员会有几位副主任？").asks == "count"
    # person_form: a count or the post a role takes is no name; a table row's column is a role
    assert not answers_kind("person", "组成人员为：主任一人、副主任二至四人、委员若干名，由市人民政府聘任")
    assert not answers_kind("person", "由市政府分管领导任组长，各县政府分管领导为副组长")
    assert answers_kind("person", "责任单位：市文旅局；责任人：张琼；完成时限：年底")
    assert answers_kind("person", "联系人：姜小光，电话5556508")


def test_a_place_is_not_a_document_number_or_a_word_holding_village_or_township() -> None:
    assert answers_kind("place", "工程在陵川县六泉乡赵迪岭村动工")
    assert answers_kind("address", "服务站位于凤台东街765号")
    assert not answers_kind("address", "按照《测评机构管理办法》（公信安〔2018〕765号）要求")
    assert not answers_kind("place", "办公室设在市住房城乡建设局")
    assert not answers_kind("place", "扎实开展农村人居环境整治，改善村容村貌")


def test_where_an_office_is_housed_asks_for_the_body_that_houses_it() -> None:
    assert analyse("联席会议的办公室设在哪个单位？").asks == "body"
    assert analyse("领导组办公室设在哪里？").asks == "body"
    assert analyse("爱卫会办公室设在哪个部门？").asks == "body"
    assert analyse("Where is the office of the joint conference located?").asks == "body"
    assert analyse("What are the office hours?").asks == "time"
    assert analyse("直升机基地建在哪个位置？").asks == "place"
    assert answers_kind("body", "办公室设在市住房城乡建设局")
    assert not answers_kind("body", "联席会议负责统筹推进改革工作")


def test_who_are_asks_names_and_which_people_asks_kinds_of_people() -> None:
    assert analyse("政务服务监督员都有哪些人？").asks == "person"
    assert analyse("哪些人可以申请创业担保贷款？").asks is None
    assert analyse("从哪些人里挑选监督员？").asks is None


def test_a_share_is_an_amount_only_of_an_amount_its_sentence_names() -> None:
    assert not answers_kind("money", "企业销售自产的新型墙体材料，按规定享受增值税即征即退50%的政策")


def test_a_table_row_states_a_count_as_the_value_of_a_count_column() -> None:
    assert answers_kind("count", "县(区)：沁县；还需完成减速带数量：0", "个")
    assert not answers_kind("count", "县(区)：沁县；完成时限：年底", "个")


def test_an_english_question_asks_for_the_same_kinds_of_value() -> None:
    assert analyse("How much is the relocation subsidy?").asks == "money"
    assert (analyse("How many speed bumps does Qin County still need?").asks, analyse("How many?").unit) == ("count", "个")
    assert analyse("How long does the approval take?").asks == "duration"
    assert analyse("What is the hotline number?").asks == "contact"
    assert analyse("When must the work be finished?").asks is None  # a deadline (年底前) as often as a day
    assert analyse("晋城的搬迁补助费怎么算？").asks is None  # a Chinese question is read by the Chinese patterns only
    # by how much asks a difference in any unit, not an amount of money
    assert analyse("By how much must the county cut its sulphur dioxide emissions?").asks == "quantity"
    # first_ask_en: the kind asked first decides; a later "how much" asks the same again
    assert analyse("How many hours of patrols are guaranteed each month, and how much in the fire season?").asks == "duration"
    assert analyse("How much is the fee, and how long does the approval take?").asks == "money"
    assert analyse("How many days does the approval take?").asks == "duration"  # one place: the more specific kind


def test_a_phone_number_is_a_number_labelled_as_one_not_any_number_near_the_word_phone() -> None:
    assert answers_kind("contact", "市财政局值班电话：2032222")
    assert answers_kind("contact", "鼓励公众通过“12369”环保举报热线等途径举报")
    assert not answers_kind("contact", "要公布举报电话、电子邮箱等监督方式，将事项纳入“13710”督办系统")


def test_an_address_is_asked_apart_from_a_place_and_needs_a_street_address() -> None:
    assert analyse_with("市民服务中心的具体地址是什么？", PLACES).asks == "address"
    assert analyse_with("市民服务中心在哪儿？", PLACES).asks == "place"
    assert answers_kind("address", "办公地址：凤台东街1188号")
    assert not answers_kind("address", "各部门于3月入驻市政务大厅管理中心")
    assert answers_kind("place", "各部门于3月入驻市政务大厅管理中心")


def test_english_questions_ask_by_naming_as_chinese_ones_do() -> None:
    assert analyse_with("Which companies undertake the municipal medicine reserve?", PLACES).asks == "company"
    assert analyse_with("What is the address of the citizen service centre?", PLACES).asks == "address"
    assert analyse_with("Where is the helicopter base to be built?", PLACES).asks == "place"
    assert analyse_with("Where is the list published?", PLACES).asks == "website"
    assert analyse_with("Who chaired the 87th executive meeting?", PLACES).asks == "person"
    assert analyse_with("How much is the relocation subsidy?", PLACES).asks == "money"  # a value kind first
    assert analyse_with("Who is responsible for the supervision?", PLACES).asks is None  # a body as often as a person


def test_a_follow_up_that_asks_its_own_question_asks_its_own_kind_of_value() -> None:
    """asked_by_turn: the standalone rewrite holds the earlier question's 多少项; the follow-up asks for a body."""
    standalone = "长治市政府赋予长治高新区的市级行政管理事项有多少项，技术合同认定登记这一项，原来是哪个部门实施的"
    assert analyse(standalone).asks == "count"
    assert analyse_with(standalone, PLACES, turn="其中技术合同认定登记这一项，原来是哪个部门实施的？").asks is None
    assert analyse_with(standalone, PLACES, turn="那这一项要多少钱？").asks == "money"


def test_an_elliptical_follow_up_asks_what_the_question_before_it_asked() -> None:
    standalone = "太行一号旅游公路环线的沁水段有多长，阳城段"
    facts = analyse_with("太行一号旅游公路沁水段有多少公里，阳城段", PLACES, turn="那阳城段呢？")
    assert (facts.asks, facts.unit) == ("count", "公里")
    assert analyse_with(standalone, PLACES, turn="What about Yangcheng?").asks == analyse(standalone).asks
    assert analyse_with("How many kilometres is the Qinshui section", PLACES, turn="How about the Yangcheng section?").asks == "count"


def test_a_table_row_whose_column_names_the_unit_states_a_value_in_that_unit() -> None:
    row = "序号：3；项目：大门；分类：铁艺大门；单位：个；补偿标准（元）：2000"
    assert answers_kind("money", row)
    assert answers_kind("money", "序号：1；项目：搬迁补助费；标准(元/平方米)：18")
    assert not answers_kind("money", "序号：3；项目：大门；分类：铁艺大门；单位：个")
    assert answers_kind("duration", "序号：2；事项：抵押登记；办理时限（工作日）：5")


def test_an_english_question_names_its_years_and_days_as_a_chinese_one_does() -> None:
    """The year and day rules read QueryFacts.years/days: an English question's must be read too."""
    assert analyse("How many public toilets did Jincheng build in 2019?").years == (2019,)
    facts = analyse("What did the mayor do on 22 March 2021?")
    assert (facts.years, facts.days) == ((2021,), ((3, 22),))
    assert analyse("晋城2019年新建了多少座公厕？").years == analyse("How many toilets were built in 2019 in Jincheng?").years
    assert analyse("What is the relocation subsidy?").years == ()


def test_a_question_asking_how_much_of_no_named_kind_asks_for_a_quantity_stated_as_a_number() -> None:
    assert asked_kind("晋城农村分布式光伏发电的市级电价补贴是多少？") == ("money", None)  # a money word before 多少
    assert asked_kind("晋城市区的限高是多少？") == ("quantity", None)
    assert asked_kind("晋城中心城市规划区的面积有多大？") == ("quantity", None)
    assert asked_kind("晋城市征收住宅房屋，搬迁补助费标准是多少？")[0] == "money"  # a named kind first
    assert asked_kind("哪个部门负责？")[0] is None
    for stated in ("每千瓦时补贴0.2元", "面积约50平方公里", "达到90%以上", "装机规模补贴上限为5KW", "有效期两年"):
        assert answers_kind("quantity", stated), stated
    for unstated in ("自2021年7月1日起施行", "依照第1条执行", "2018年起逐步推开", "按照有关规定给予补贴", "每季度评分一次"):
        assert not answers_kind("quantity", unstated), unstated


def test_a_sentence_that_only_names_a_ratio_states_none() -> None:
    assert not answers_kind("ratio", "优良天数比例进一步提升")  # the word, not a value
    assert answers_kind("ratio", "优良天数比例达到72%") and answers_kind("ratio", "市级财政承担三成")


def test_a_question_asking_how_long_a_document_applies_asks_its_term() -> None:
    for question in ("《某办法》的有效期是几年？", "这个方案什么时候到期？", "When does the plan expire?", "Is it still valid?"):
        assert analyse_with(question, PLACES).term, question
    for question in ("药品到期核销，财政补多少钱？", "搬迁补助费是多少？"):
        assert not analyse_with(question, PLACES).term, question


@pytest.mark.parametrize(("question", "editions"), [
    ("2016年版的晋城国有土地上房屋征收与补偿办法规定搬迁补助费是多少？", (2016,)),
    ("晋城2019年的大气污染防治行动计划要求关停多少家企业？", (2019,)),
    ("晋城2019年度“安全生产月”的主题是什么？", (2019,)),
    ("2022年起成品油税费转移支付用于养护工程的比例不能低于多少？", ()),  # a point in time, no document named
    ("到2020年受污染耕地安全利用率要达到多少？", ()),
])
def test_a_year_naming_a_document_or_an_edition_is_read_as_its_edition(question: str, editions: tuple[int, ...]) -> None:
    assert analyse(question).editions == editions


def test_the_edition_asked_comes_from_the_follow_up_when_it_asks_by_its_own_words() -> None:
    standalone = "晋城2021年空气质量行动计划里重型柴油车什么时候执行国六标准，农村公路这边，2022年起转移支付比例不低于多少"
    assert analyse_with(standalone, PLACES, turn="那农村公路这边，2022年起转移支付比例不低于多少？").editions == ()
    assert analyse_with("晋城2019年空气质量行动计划重型柴油车什么时候执行国六", PLACES, turn="那2019年的呢？").editions == (2019,)


@pytest.mark.parametrize(("question", "editions"), [
    ("What target did Jincheng's 2020 soil pollution action plan set for farmland?", (2020,)),
    ("In the 2016 version of Jincheng's house expropriation measures, what is the relocation subsidy?", (2016,)),
    ("What was the theme of Jincheng's 2019 law-based administration publicity month?", (2019,)),
    ("How much funding was allocated in 2021?", ()),  # a year, no document named
    ("From 2022, what share of the fuel-tax transfer payments goes to maintenance?", ()),
    # edition_noun_phrase: an auxiliary verb ends the year's noun phrase — the plan's targets for 2025, not a 2025 plan
    ("What 2025 goals does the city's health campaign plan set for hygienic towns?", ()),
    ("By 2030 will the new water plan be finished?", ()),
])
def test_an_english_question_names_a_documents_edition_as_a_chinese_one_does(question: str, editions: tuple[int, ...]) -> None:
    assert analyse(question).editions == editions


@pytest.mark.parametrize(("question", "in_force"), [
    ("2016年的停车管理办法现在还有效吗？", True),
    ("老办法被什么取代了？", True),
    ("Is the 2016 parking regulation still in force?", True),
    ("2016年的停车管理办法规定停车费多少？", False),
])
def test_a_question_asking_whether_a_document_still_applies(question: str, in_force: bool) -> None:
    assert analyse(question).in_force is in_force


def test_money_words_before_duoshao_rates_times_and_kinds_of_company_are_asked_kinds() -> None:
    assert asked_kind("示范区建设的总投资有多少？") == ("money", None)
    assert asked_kind("每户补贴多少户？")[0] == "count"  # a count's unit after 多少 keeps it a count
    assert asked_kind("城市污水处理率能达到多少？") == ("ratio", None)
    assert asked_kind("不动产登记大厅几点开门？") == ("time", None)
    assert asked_kind("安全生产督查组组长是谁？") == ("person", None)
    assert asked_kind("签约仪式在哪个会议室举行？") == ("place", None)
    assert asked_kind("土地由哪家测绘公司来测量？") == ("company", None)
    assert asked_kind("哪些重点行业企业要开展土壤自行监测？") != ("company", None)  # kinds of enterprise, not one


def test_a_time_of_day_is_a_clock_time_or_a_part_of_the_day() -> None:
    assert answers_kind("time", "工作日上午9:00—12:00受理") and answers_kind("time", "每天8时至18时")
    assert not answers_kind("time", "窗口工作时间内受理")


def test_a_value_the_question_states_itself_does_not_answer_it() -> None:
    question = "免费发放的健康包一共花了多少资金？"
    facts = analyse(question)
    assert facts.asks == "money" and facts.given == ("免费",)
    assert not answers_kind("money", "为居民免费发放健康包", given=facts.given)
    assert answers_kind("money", "为居民免费发放健康包，共投入资金12万元", given=facts.given)
    # a longer value holding the question's own still counts: 2021年3月 asked, 2021年3月26日 stated
    assert given_values("date", None, "2021年3月哪天开始施行？") == ("2021年3月",)
    assert answers_kind("date", "本办法自2021年3月26日起施行", given=("2021年3月",))


def test_english_questions_ask_the_same_kinds_in_their_own_words() -> None:
    assert asked_kind("What is the phone number I should dial, and what number do I call at night?")[0] == "contact"
    assert asked_kind("At what web address can the list be checked?")[0] == "contact"
    assert asked_kind("What are the opening hours of the registration hall?")[0] == "time"
    assert asked_kind("Within what time must the unit reply?")[0] == "duration"  # a period, not a time of day
    assert asked_kind("What share of the budget goes to rural roads?")[0] == "ratio"
    assert asked_kind("What was the total investment of the new industrial park?")[0] == "money"
    assert asked_kind("Who bears the cost of the inspection?")[0] is None  # asks who, not how much
    assert asked_kind("Which surveying company measures the land?")[0] == "company"
    assert asked_kind("In which venue was the signing ceremony held?")[0] == "place"
    assert asked_kind("Who leads the supervision team?")[0] == "person"


def test_an_ordinal_or_an_indefinite_batch_is_not_a_count() -> None:
    # 第一批 numbers a batch, 一批 is "a batch of": neither says how many there are
    assert not answers_kind("count", "公布公开事项目录，发布第一批公开信息", "个")
    assert not answers_kind("count", "推动建设一批省内领先的公用品牌", "个")
    assert not answers_kind("count", "第十二批", "批")
    assert answers_kind("count", "晋城辖区共有码头38个", "个")
    assert answers_kind("count", "新增12批", "批")


def test_a_question_asking_which_in_a_series_is_answered_by_an_ordinal() -> None:
    facts = analyse("经济学家林毅夫到晋城作专题报告，是第几期讲座？")
    assert (facts.asks, facts.unit) == ("count", "第期")
    assert answers_kind("count", "举办干部素质提升工程第二十期专题讲座", facts.unit)
    assert answers_kind("count", "一级区每亩", analyse("金村镇属于征地奖励的第几级区？").unit)  # 级 is numbered without 第
    many = analyse("干部素质提升工程一共办了几期讲座？")
    assert (many.asks, many.unit) == ("count", "期")
    assert answers_kind("count", "全年共举办20期专题讲座", many.unit)
    assert not answers_kind("count", "举办干部素质提升工程第二十期专题讲座", many.unit)


@pytest.mark.parametrize(("question", "actual"), [
    ("晋城现在农村卫生厕所普及率是多少？", True),
    ("晋城全市受污染的耕地一共有多少亩？", True),
    ("到2025年晋城农村卫生厕所普及率要达到多少？", False),
    ("示范带2021年一共要投多少亿元？", False),
    ("晋城农村卫生厕所普及率是多少？", False),
    # the same in English words
    ("What is the current rural sanitary toilet coverage rate in Jincheng?", True),
    ("How many mu of farmland in Jincheng are contaminated in total?", True),
    ("What coverage rate should Jincheng reach by 2025?", False),
    ("How many kilometres of tourist road will be built in total?", False),
    ("How much is the relocation subsidy?", False),
])
def test_a_question_asking_what_is_now_or_in_all_is_actual_unless_it_asks_a_plan(question: str, actual: bool) -> None:
    assert analyse(question).actual is actual


@pytest.mark.parametrize(("question", "change"), [
    ("长治今年新建了多少座旅游厕所？", True),
    ("晋城低保标准提高了多少？", True),
    ("How many new tourist toilets were built?", True),
    ("长治现在一共有多少座旅游厕所？", False),
    ("How many tourist toilets are there in total?", False),
])
def test_a_question_asking_a_change_itself_is_told_from_one_asking_a_total(question: str, change: bool) -> None:
    assert analyse(question).change is change


def test_an_english_count_asks_in_the_chinese_unit_it_names_or_any_classifier() -> None:
    assert asked_kind("How many mu of farmland were restored by 2019?") == ("count", "亩")
    assert asked_kind("And how many of those households live in Qinshui?") == ("count", "户")
    assert asked_kind("How many square kilometres does the park cover?") == ("count", "平方公里")
    assert asked_kind("How many people sit on the committee?") == ("count", "人")
    assert asked_kind("How many bridges were rebuilt?") == ("count", "个")  # a noun that is no unit: any classifier
    assert answers_kind("count", "完成受污染耕地安全利用1200亩", "亩")
    assert not answers_kind("count", "完成整治任务12项", "亩")  # a count in another unit does not answer
    assert answers_kind("count", "委员会由委员15名组成", "人")  # 人 asks people in any of their classifiers


def test_a_place_is_also_where_a_sentence_says_an_event_took_place() -> None:
    assert answers_kind("place", "专项行动在丹河收费站正式启动")
    assert answers_kind("place", "座谈会于市行政中心召开")
    assert not answers_kind("place", "市政府召开新春团拜会")  # the event, no place
    assert not answers_kind("place", "处置费缴至市住建局设在市行政审批服务管理局的清算专户")  # an account set in a body
