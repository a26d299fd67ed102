"""What a question says about where to look and what it asks: the city (or a county of it), years and days, a step
number, the kind of value asked for, and whether it names a place the corpus does not cover (places from the
index: `rag.places`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.glossary import calendar_terms
from rag.places import Places
from textnorm import CN_NUM, cn_to_int

# Topics no municipal gazette answers (weather, markets, lotteries, chit-chat): refused without retrieval.
OUT_OF_SCOPE = re.compile(r"天气|下雨|下雪|气温|股价|股票|基金净值|彩票|星座|菜谱|笑话|你是谁|你好吗|讲个故事")
# What kind of value a question asks for, and the pattern an answering clause must contain.
ASKS = {
    # 安排多少专项奖补资金: an amount of money named after 多少; a standard may be a multiple of another (低保标准的139倍)
    # … or a money word before 多少 (总投资有多少, 一共花了多少), unless a count's unit follows (补贴多少户)
    "money": (re.compile(r"多少钱|多少元|补多少|给多少|赔多少|收多少|交多少|标准是多少|费用是多少|资金多少|多少万"
                         r"|多少[\u4e00-\u9fff]{0,12}?(?:资金|经费)"
                         r"|(?:投资|资金|经费|费用|补贴|补助|奖励|奖金|金额|价格|造价|收费|花了|花费|投入)[\u4e00-\u9fff]{0,4}?多少"
                         r"(?!\s*(?:个|项|户|人|家|名|次|亩|平方|吨|公里|千瓦|辆|座|所|年|天|月))"),
              # a value may be stated in words: free of charge is an amount (免费, 不收取…费用, 无偿); an amount may be
              # a share of another amount the sentence names (投入资金达到总投资的25%; not 增值税即征即退50%)
              re.compile(r"\d[\d.,]*\s*(?:元|万元|亿元|万|角|倍)|[一二三四五六七八九十百千万两]+(?:元|万元)"
                         r"|(?:资金|投资|费用|金额|总额|造价|价款|价格)[^。；;]{0,30}?(?:\d[\d.]*\s*[%％]|百分之)"
                         r"|免费|无偿|不收取|不得收取|不收费")),
    "duration": (re.compile(r"多久|多长时间|几天|几个月|几年|几个工作日|多少天|多少个工作日|几小时|几个小时"),
                 # … or at once: 当场/当日/即时 办结 is a duration; 多久…一次 is answered by a frequency (每季度, 每学期)
                 re.compile(r"(?:\d+|[一二三四五六七八九十两半]+)\s*(?:个)?(?:工作日|日|天|个月|月|年|小时|分钟|周|季度|学期|旬)"
                            r"|每(?:个)?(?:年|半年|季度|季|月|周|日|天|学期|旬)|当场|当日|当天|即时|即办|立等可取")),
    "date": (re.compile(r"哪天|哪一天|什么时候(?:印发|发布|签发|施行|开始|起)|何时|几月几日|日期是"),
             re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*日|印发之日|公布之日|发布之日")),
    # a time of day (几点上班, 办公时间): a clock time or a part of the day
    "time": (re.compile(r"几点|(?:上班|下班|办公|营业|开放|受理)时间"),
             re.compile(r"\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*(?:点|时)(?!间)|上午|下午|早上|晚上|全天|24小时")),
    # a phone number, a website or an e-mail address: the clause must print one (a description of the service is no
    # answer to how to reach it)
    "contact": (re.compile(r"电话|热线是多少|热线号码|联系方式|号码是|网址|邮箱|电子邮件|email|e-mail", re.I),
                # a bare 5–8 digit number is a phone number only where it is labelled as one (值班电话：2032222,
                # “12369”环保举报热线), not a number elsewhere in a text that mentions a phone (the “13710” system)
                re.compile(r"\d{3,4}\s*[-－—]\s*\d{7,8}|(?<!\d)1\d{10}(?!\d)|https?://|www\.|\.gov\.cn|\.com|@"
                           r"|(?:电话|热线|传真|联系方式|手机)[^。；;，,\d]{0,6}?[：:]?\s*[“\"「]?(?<!\d)\d{5,8}(?!\d)"
                           r"|(?<!\d)\d{5,8}(?!\d)[”\"」]?[\u4e00-\u9fff]{0,6}?(?:热线|电话)")),
    # … or a rate asked as 多少 (普及率是多少, 达标率能到多少)
    "ratio": (re.compile(r"比例|百分之|占比|几成|百分比|率[\u4e00-\u9fff]{0,3}?多少|率多高|率有多高"),
              re.compile(r"\d[\d.]*\s*[%％]|百分之|[一二三四五六七八九十]成|\d+\s*:\s*\d+")),
}
# A count in a unit the question names (多少个部门, 几级, 几类水质, 多少微克/立方米): the answer states a number in that
# unit. Only when no kind above matched; 哪几 asks for a list, not a number.
_COUNT_UNITS = ("微克", "毫克", "平方公里", "平方米", "立方米", "公里", "千米", "公顷", "千瓦", "万吨", "吨", "亩", "米",
                "个", "项", "家", "级", "类", "次", "枚", "架", "名", "人", "位", "户", "所", "座", "台", "辆", "条", "批",
                "分", "期", "岁", "件", "处", "种", "份", "套", "张", "层", "倍")
_PEOPLE = ("人", "名", "位")  # 多少人 is answered by 5名
_COUNT_ASK = re.compile(r"(?<!哪)(?:多少|几)(个)?(" + "|".join(_COUNT_UNITS) + ")")
_COUNT_CELL = re.compile(r"(?:数量|个数|总数|数)：\d")  # a table row's cell, as rendered by ingest.records.render_cells
# a table row's column may name the unit of its values (补偿标准（元）：2000, 标准(元/平方米)：18): the value is read
# with its unit (补偿标准：2000元)
_CELL_UNIT = re.compile(r"[（(]([^（）()：；]{1,8})[）)]：([\d.,]+)(?![\d.,])")
# 第一批 is an ordinal and 一批 an indefinite "a batch of", not counts (发布第一批公开信息, 推动建设一批…品牌)
_NOT_A_COUNT = r"(?<![第\d零〇一二三四五六七八九十百千万两])(?!一批)"
_COUNT_NUMBER = r"(?:\d[\d.,]*|[零〇一二三四五六七八九十百千万两]+|[IVXⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+)\s*(?:多|余)?\s*(?:个)?\s*"
# Who, where, which website, which company: the answer must name one — a person's name (by a role before it,
# `_PERSON_ROLE` below the surnames, or jieba's part-of-speech tag `nr`), a place or address, a website or platform, a
# company. 是谁 alone is not here: it asks for a department as often as for a person (谁负责, 是谁拍板).
# A person is also named with 同志 after it (王震同志): named rule `comrade_name` — a surname first, and not a role:
# 一位领导同志, 主要负责同志, 分管领导同志 name no one (every X同志 of the bundled corpus is such a role)
_NOT_A_NAME = re.compile(r"领导|负责|干部|工作|人员")
# A house number is not a document's (晋市发改价管发〔2019〕156号 is a 文号), and 农村, 乡村, 城乡 are not villages or
# townships (市住房城乡建设局, 扎实开展农村…): named rule `place_form`.
_HOUSE_NUMBER = r"(?<![〕\]\d])\d+号"
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,}(?:路|街|大道|号楼|大厦|广场|宾馆|酒店|会议中心|大礼堂|会议室|体育馆|剧院|中心|园区|公园"
                    rf"|(?<![农乡])村(?![民级委容貌务])|镇|(?<![城下])乡)|{_HOUSE_NUMBER}")
# … or where the sentence says an event took place (在丹河收费站正式启动, 于市会议中心召开; not 设在, which sets accounts
# and offices in bodies as often as venues): named rule `event_place`
_EVENT_PLACE = re.compile(r"(?:在|于)[\u4e00-\u9fff·]{2,16}?(?:正式|隆重)?(?:举行|召开|举办|启动|开幕|开工|动工|揭牌|挂牌|签约)"
                          )
_PLACE_SAID = re.compile(f"{_PLACE.pattern}|{_EVENT_PLACE.pattern}")
_ADDRESS = re.compile(rf"[\u4e00-\u9fff]{{2,}}(?:路|街|大道|巷)\s*\d*号?|{_HOUSE_NUMBER}|[\u4e00-\u9fff]{{2,}}(?:大厦|号楼)")
_WEBSITE = re.compile(r"https?://|www\.|\.gov\.cn|\.com|[\u4e00-\u9fff]{2,}(?:网|网站|平台|公众号|客户端|APP|app)")
_COMPANY = re.compile(r"[\u4e00-\u9fff]{2,}(?:有限公司|有限责任公司|股份公司|集团|公司)")


ACTUAL_ASK = re.compile(r"现在|目前|现有|如今|当前|已经|已有|一共|总共|总计|合计")
"""Named rule `actual_not_target`: the question asks what is, now or in all (晋城现在农村卫生厕所普及率是多少, 全市受污染的
耕地一共有多少亩), and a sentence setting a target (`rag.rules.TARGET`) does not answer it …"""
PLAN_ASK = re.compile(r"要|将|计划|打算|目标|力争|到(?:19|20)\d{2}")
"""… unless it asks what is planned (到2025年要达到多少, 一共要投多少)."""
ACTUAL_ASK_EN = re.compile(r"\b(?:currently|current|now|at present|presently|so far|to date|in total|altogether|"
                           r"(?:how many|what number of) [\w\s-]{1,40}? (?:are|is) there)\b", re.I)
PLAN_ASK_EN = re.compile(r"\b(?:will|plan(?:s|ned)?|target(?:s|ed)?|aim(?:s|ed)?|goal|expected|to be|should|must|need to|"
                         r"by (?:the end of )?(?:19|20)\d{2})\b", re.I)
"""The same asked in English (what is the current coverage, how many … are there in total; not will, planned, by 2025)."""
CHANGE = re.compile(r"新建|新增|新开工|新改建|增加|增长|提高|提升|扩大|减少|下降|降低|压减|削减")
"""Named rule `actual_not_change`: a sentence stating a change (新建82座旅游厕所, 新增集中供热面积300万平方米, 降低5个
百分点) says by how much, not how much there is, so it does not answer a question asking what is now or in all …"""
CHANGE_EN = re.compile(r"\b(?:new|newly|added|additional|increase[sd]?|increasing|rise|rose|grow(?:n|th)?|reduce[sd]?|"
                       r"reduction|decrease[sd]?|cut|more|fewer|less)\b", re.I)
"""… unless the question asks a change itself (今年新增了多少, how many new …)."""

# 多少, 多大, 多长 … with no kind or unit above (电价补贴是多少, 面积有多大, 要控制在多少): a quantity, stated as a number
# with a unit or a percentage (0.2元/千瓦时, 50平方公里, 3%); a year (2021年) or a list number is not one
_QUANTITY_ASK = re.compile(r"(?<!哪)多少|多大|多长|多高|多远|多重|多宽")
_QUANTITY = re.compile(r"(?<![\d.月第])(?!(?:19|20)\d{2}年)\d[\d.,]*\s*(?:[%％‰]|[元万亿倍成年天日分米亩吨人名家项次户个"
                       r"辆座所处批件岁周瓦度公千平立顷]|[A-Za-z㎡㎞]+)|(?!一(?:[次项件家名户人]|个(?!月)))[一二三四五六七八九十百千万两半]+\s*(?:[元万亿倍成年天日亩吨人名家项次户个]"
                       r"|个月|小时|公里|米|平方)|百分之")


SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                     "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向"
                     "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
                     "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚"
                     "岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟"
                     "邝原郜")
"""The commonest Chinese surnames (the national ranking's first ~300): a name jieba tags `nr` starts with one."""
_PERSON_ROLE = re.compile(r"(?:市长|副市长|书记|副书记|主任|副主任|局长|副局长|组长|副组长|秘书长|副秘书长|县长|区长|常委"
                          r"|委员(?!会)|总经理|董事长|部长|厅长|省长|副省长|专家|召集人|责任人|联系人|联络人|负责人|分管领导)[：:\s]?"
                          rf"(?!任[组副主成召委总])[{''.join(sorted(SURNAMES))}][\u4e00-\u9fff]{{1,2}}(?:[、，,；;（(\s同志]|$)")
"""Named rule `person_form`: a role and a name after it, a common surname first (市长王震, 主任秦李芳、, a table row's
责任人：张琼；). Named rule `role_count`: a count after a role (主任一人、副主任二至四人, 委员若干名) names no one, nor does
the post the role takes (分管领导任组长)."""
_NOT_A_NAME_END = re.compile(r"[区县市省部局委办厅处科室组会院所站队校园村镇乡街路庭司馆场厂制度法费]$")


def _comrade(text: str) -> bool:
    """A name of two or three characters before 同志 (`comrade_name`)."""
    for m in re.finditer("同志", text):
        for n in (2, 3):
            name = text[max(0, m.start() - n):m.start()]
            if len(name) == n and name[0] in SURNAMES and not _NOT_A_NAME.search(name):
                return True
    return False


def _names_person(text: str) -> bool:
    """Named rule `person_form`: a role and the name after it (市长王震, 主任秦李芳、), or a word jieba tags as a
    person's name (`nr`) that reads as one — two or three characters, a common surname first, not ending as a body,
    a place or a thing does (高新区, 宣传部, 承诺制, 严格执行 are tagged `nr` in this corpus)."""
    if _PERSON_ROLE.search(text) or _comrade(text):
        return True
    import jieba.posseg

    return any(w.flag == "nr" and 2 <= len(w.word) <= 3 and w.word[0] in SURNAMES and not _NOT_A_NAME_END.search(w.word)
               for w in jieba.posseg.cut(text[:600]))


_BODY = re.compile(r"[\u4e00-\u9fff]{2,}(?:局|委员会|委|办公室|办|中心|部门|厅|处|院|所|站|公司|银行|集团)")
NAMED_ASKS = {
    # where an office is housed (办公室设在哪里, 设在哪个部门) asks for the body that houses it (设在市住房城乡建设局), not
    # a place: named rule `body_form`
    "body": (re.compile(r"办公室[\u4e00-\u9fff]{0,2}?(?:设在|在)哪|设在哪个(?:部门|单位|机构)"), lambda t: bool(_BODY.search(t))),
    # who holds a post (办公室主任是谁, 路长是谁, 组长分别是谁) asks for a person's name, not the body or post that fills it:
    # named rule `post_holder`; who fills it (由谁担任, 由谁兼任) is answered by a post as often (一名副职, 由市长担任)
    "person": (re.compile(r"哪位|都有哪些人|分别是哪些人|是哪些人|由谁主持|什么人|叫什么名字|姓名|都有谁|分别是谁|有哪些专家"
                          r"|(?:长|主任|召集人|联系人|联络人|负责人|责任人|主持人|书记|成员|委员|专家)(?:分别|都|又|具体|现在)?"
                          r"(?:是谁|叫什么)"), _names_person),
    # an address is a street address (…路12号, …大厦), not a place name: 市政务大厅管理中心 says where, not the address
    "address": (re.compile(r"地址|门牌"), lambda t: bool(_ADDRESS.search(t))),
    # … or a place asked by its kind (在哪个会场, 什么位置, 哪块地)
    "place": (re.compile(r"在哪里|在哪儿|在哪举行|在什么地方|哪个位置|建在哪|设在哪|什么位置|什么地点|哪个地点|哪块地"
                         r"|(?:在|于)哪个[\u4e00-\u9fff]{0,3}?(?:会场|地方|地点|场所|场馆|会议室|礼堂|宾馆|酒店)"),
              lambda t: bool(_PLACE_SAID.search(t))),
    "website": (re.compile(r"哪个网站|什么网站|哪个平台|什么平台|网站上|在哪儿公布|在哪里公布|在哪公布|哪里查"),
                lambda t: bool(_WEBSITE.search(t))),
    # which company, of any kind (哪家评估公司, 哪几家医药企业); 哪些…企业 asks for kinds of enterprise (哪些重点行业企业)
    "company": (re.compile(r"哪(?:家|几家|个)[\u4e00-\u9fff]{0,4}?(?:公司|企业|机构)|哪些企业"), lambda t: bool(_COMPANY.search(t))),
}
"""Kinds asked by naming (kind → question pattern, test of a clause's text); asked when no value kind is."""
# English questions ask for the same kinds of value in English words (the clauses that answer are Chinese, so the same
# test of a clause applies); 个 for a count stands for any classifier. `when` is not a date: it asks for a deadline
# (年底前) as often as for a day.
ASKS_EN = {
    # … or the value, cost, fare or fee asked for by its name (what was the total value of…, what is the fare)
    # by how much asks a difference in any unit (cut emissions by how much: tonnes, a percentage), as 减少多少 does
    "quantity": re.compile(r"\bby how much\b", re.I),
    "money": re.compile(r"(?<!\bby )\bhow much\b(?!\s+(?:time|longer))|\bwhat (?:is|was|are|were) the (?:total |overall |ticket )?"
                        r"(?:value|amount|investment|budget|funding|fares?|prices?|costs?|fees?)\b", re.I),
    "duration": re.compile(r"\bhow long\b|\bwithin what (?:time|period)\b|\bhow often\b|\bhow many (?:working )?(?:days|weeks|months|years|hours|minutes)\b", re.I),
    "date": re.compile(r"\bwhat date\b|\bwhich day\b|\bon what day\b", re.I),
    "time": re.compile(r"\bopening hours\b|\boffice hours\b|\bworking hours\b|(?<!within )(?<!\bin )\bwhat time\b|\bopen at weekends?\b", re.I),
    "ratio": re.compile(r"\bwhat (?:percentage|proportion|share|ratio)\b|\bhow many percent\b|\b(?:share|percentage|proportion) of\b", re.I),
    "contact": re.compile(r"\bphone\b|\bhotline\b|\bwebsite\b|\be-?mail\b|\bcontact (?:number|details)\b|\bweb ?address\b"
                          r"|\bwhat number\b|\bnumber (?:do|should|can) (?:I|we|you) (?:call|dial)\b|\bURL\b", re.I),
    "count": re.compile(r"\bhow many\b", re.I),
}
NAMED_ASKS_EN = {
    "body": re.compile(r"\bwhere (?:is|are) (?:the |its |their )?(?:[\w'-]+ ){0,3}?offices?\b(?! (?:hours|building))"
                       r"|\b(?:which|what) (?:department|unit|body|agency) (?:is|are) (?:the |its )?(?:[\w'-]+ ){0,3}?offices?\b", re.I),
    "address": re.compile(r"\bwhat is the (?:exact |specific |street )?address\b|\baddress of\b", re.I),
    "place": re.compile(r"\bwhere (?:is|are|was|were|will)\b(?! .*\b(?:published|posted|announced|listed)\b)"
                        r"|\bin which (?:place|location|venue|hall|room)\b|\bwhat (?:location|venue)\b", re.I),
    "website": re.compile(r"\b(?:which|what) (?:website|platform)\b|\bwhere (?:is|are) (?:it|they|the \w+) (?:published|posted|announced)\b", re.I),
    # which company of any kind (which appraisal company, which pharmaceutical companies); which …-industry enterprises
    # ask for kinds of enterprise, as 哪些…企业 does
    "company": re.compile(r"\bwhich (?:[\w-]+ )?(?:company|companies|firms?)\b|\bwhich (?:enterprises|enterprise)\b", re.I),
    "person": re.compile(r"\bwho (?:chaired|presided|chairs|presides|heads|headed|leads|led)\b|\bwhich (?:city |district |county )?(?:officials?|leaders?|experts)\b"
                         r"|\bwhat (?:are|is) the names?\b|\bwho are the (?:leaders|heads|members)\b|\bby name\b", re.I),
}
"""The kinds of NAMED_ASKS asked in English words (asked when no kind of ASKS_EN is); the clause is tested as for a
Chinese question."""
# English questions: the same topics in English words.
OUT_OF_SCOPE_EN = re.compile(r"\b(?:weather|rain|snow|temperature|forecast|stock|share price|lottery|horoscope|recipe|joke)\b", re.I)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
# the words a Chinese question asks with (什么, 哪个, 谁, 怎么, 多少, 几, 是否, 吗 …); `rag.decompose` adds 呢
ASKING_WORDS = ("谁|什么|啥|多少|几|哪|怎么|怎样|如何|是否|能否|可否|能不能|可不可以|有没有|是不是|多久|多长|多大|多高|多远"
                "|多宽|何时|为何|为什么|吗")
_INTERROGATIVE = re.compile(ASKING_WORDS)
# … and an English one (“What about Yangcheng?”, “How about …?” ask nothing by themselves)
_INTERROGATIVE_EN = re.compile(r"\b(?:who|whom|whose|which|when|where|why|whether)\b|\b(?:what|how)\b(?!\s+about)"
                               r"|^\s*(?:is|are|was|were|can|could|does|do|did|will|should|must|may|has|have)\b", re.I)
_STEP = re.compile(rf"第([{CN_NUM}\d]+)(步|项|个环节|条)")
_PROCEDURE_STEP = re.compile(rf"第([{CN_NUM}\d]+)(?:步|个?环节|道程序)")  # `asked_step`
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")
# a year naming a document or an edition (2020年版的…实施办法, 晋城2020年的水污染防治计划, 2017年度“依法行政宣传月”):
# 年度/年版 always; a year followed, within its clause, by the word for a document
_EDITION = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?:度|版|(?=[^，,。；;？?！!、]{0,24}?(?:办法|方案|意见|规定|通知|细则|计划|规划|"
                      r"预案|决定|文件|政策|措施|要点|报告)))")
# in English: the 2020 version (edition) of…, Jincheng's 2020 water pollution plan (notice, measures, …) — the words
# between the year and the document's name are its noun phrase, which no auxiliary verb is in: "the 2025 targets does
# the … plan set" names the plan's targets for 2025, not a 2025 plan (named rule `edition_noun_phrase`)
_EDITION_EN = re.compile(r"\b((?:19|20)\d{2})(?:'s)?\s+(?:version|edition|(?:(?!(?:do|does|did|is|are|was|were|will|would|"
                         r"has|have|had|can|could|should|must|shall)\b)[\w'’‘“”\"-]+\s+){0,7}?(?:plan|measures|notice|"
                         r"opinions?|programme|program|scheme|regulations|rules|policy|report|guide|guidelines|assessment|"
                         r"month|campaign)s?\b)", re.I)
# the question asks whether a document is still in force, or what became of it (还有效吗, 还管用吗, 被什么取代了)
IN_FORCE_ASK = re.compile(r"(?:还|仍|仍然|是否|现在)(?:有效|管用|适用|执行|在执行|能用|算数)|有效吗|废止|作废|失效|取代|代替|被什么"
                          r"|\bstill (?:valid|in force|in effect|apply|applies|applicable|used)\b|\brepeal|\breplaced\b|\bsuperseded\b", re.I)
# a numbered occurrence (第73次常务会议, 第二十一期讲座, 第五届): not a clause (条, 款, 章) or a step (步)
ORDINAL = re.compile(rf"第([{CN_NUM}\d]+)(次|期|届|批)")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?\s*[—–\-~～至到]\s*((?:19|20)\d{2})(?!\d)")
# the question asks how long a document applies (its 有效期): a fact of the document, read from its metadata
TERM_ASK = re.compile(r"有效期|执行期限|试行期|有效到|(?:什么时候|何时|哪年|哪一年)(?:到期|失效|废止)|\bvalid(?:ity)?\b|\bexpir", re.I)
LIST_ASK = re.compile(r"哪些|哪几|都是谁|都有谁|具体是哪|包括什么|包含什么|什么内容|栏目|长什么样|(?:名单|名录|清单|目录)(?:吗|在哪)")
"""A question asking what a set holds, item by item (都有哪些企业, 有哪些栏目, 名单在哪儿公布, 有具体的事项清单吗)."""
MONTH_DAY = re.compile(r"(?<!\d)(1[0-2]|0?[1-9])\s*月\s*(3[01]|[12]\d|0?[1-9])\s*[日号]")


@dataclass(frozen=True)
class QueryFacts:
    """The question plan: what the question names and asks, as the policy and the composer read it. The documents
    it names (by 文号 or title) are found by retrieval, which has the index (`rag.retrieve.mentioned_doc_numbers`).

    city: the one corpus city (or county of it) named, else None; other_city: a known city the corpus lacks;
    step: 第N步/项/条 asked for; out_of_scope: a topic word no gazette answers is in the question."""

    city: str | None
    other_city: str | None
    step: int | None
    out_of_scope: bool = False
    asks: str | None = None  # a kind of ASKS or NAMED_ASKS, "count" (then `unit` names the unit) or "quantity"
    unit: str | None = None
    cross_lingual: bool = False  # mostly non-Chinese words: keyword overlap cannot judge relevance
    years: tuple[int, ...] = ()  # every year the question names (2022年和2025年), in order
    days: tuple[tuple[int, int], ...] = ()  # every (month, day) the question names (3月22日), in order
    ordinals: tuple[tuple[int, str], ...] = ()  # every numbered occurrence it names (第73次 → (73, "次")), in order
    term: bool = False  # it asks how long a document applies (有效期, 到期, valid until)
    enumerates: bool = False  # it asks for the members of a set, item by item (LIST_ASK)
    editions: tuple[int, ...] = ()  # the years it names as a document's or an edition's (_EDITION: 2020年版的…办法)
    in_force: bool = False  # it asks whether a document is still in force, or what replaced it (IN_FORCE_ASK)
    given: tuple[str, ...] = ()  # the values of the asked kind it states itself (`given_values`: 免费 in 免费刻章…多少)
    actual: bool = False  # it asks what is, now or in all (现在, 目前, 一共), not what is planned (`ACTUAL_ASK`)
    change: bool = False  # it asks a change itself (新增了多少, how many new): `CHANGE` answers it


def number_of(text: str) -> int | None:
    try:
        return int(text) if text.isdigit() else cn_to_int(text)
    except ValueError:
        return None


def asked_step(question: str) -> int | None:
    """The step of a procedure the question asks for (第一步, 第三个环节), not a table's item or an article (第三项,
    第三条): read by retrieval's named rule `step_lead`."""
    m = _PROCEDURE_STEP.search(question.replace(" ", ""))
    return number_of(m.group(1)) if m else None


def is_cross_lingual(question: str) -> bool:
    """Mostly not Chinese (under a fifth of its non-space characters are CJK): an English question shares no
    characters with the documents."""
    return len(_CJK_CHAR.findall(question)) < 0.2 * max(1, len(question.replace(" ", "")))


def asks_something(question: str) -> bool:
    """Whether the question asks by its own words (an interrogative, or an English question): "那阳城段呢？" asks
    nothing by itself, so it asks what the question before it asked."""
    if is_cross_lingual(question):
        return bool(_INTERROGATIVE_EN.search(question))
    return bool(_INTERROGATIVE.search(question.replace(" ", "")))


_UNITS_EN = {"mu": "亩", "hectare": "公顷", "square kilometre": "平方公里", "square kilometer": "平方公里", "km2": "平方公里",
             "square metre": "平方米", "square meter": "平方米", "m2": "平方米", "cubic metre": "立方米", "cubic meter": "立方米",
             "kilometre": "公里", "kilometer": "公里", "km": "公里", "metre": "米", "meter": "米", "tonne": "吨", "ton": "吨",
             "kilowatt": "千瓦", "kw": "千瓦", "household": "户", "family": "户", "families": "户", "person": "人",
             "people": "人", "resident": "人", "item": "项", "case": "件", "time": "次", "batch": "批", "batches": "批"}
"""A count's unit asked in English (how many mu of farmland, how many households, how many cases): the Chinese unit
the answering clause must state it in, as 多少亩, 多少户, 多少件 ask; any other noun (how many toilets) asks in any
classifier (个). Named rule `count_unit_en`."""
_COUNT_UNIT_EN = re.compile(r"\bhow many (?:more |new |additional )?(?:of (?:the|those|these|them) )?"
                            r"(square kilomet(?:re|er)s?|square met(?:re|er)s?|cubic met(?:re|er)s?|[a-z0-9]+)\b", re.I)


def count_unit_en(question: str) -> str:
    """The Chinese unit an English count question asks in (`_UNITS_EN`), else 个 (any classifier)."""
    m = _COUNT_UNIT_EN.search(question)
    if m is None:
        return "个"
    word = m.group(1).lower()
    singular = word[:-1] if word.endswith("s") and word[:-1] in _UNITS_EN else word
    return _UNITS_EN.get(singular, _UNITS_EN.get(word, "个"))


def asked_kind(question: str) -> tuple[str | None, str | None]:
    """The kind of value `question` asks for (a kind of ASKS or NAMED_ASKS, or "count") and the unit of a count."""
    q = question.replace(" ", "")
    asks = next((kind for kind, (ask, _) in ASKS.items() if ask.search(q)), None)
    count = _COUNT_ASK.search(q) if asks is None else None
    # named rule `named_after_count`: a count that only describes what is named after it (几位副主任分别是谁, 两个市场
    # 分别建在哪) leaves the question asking for the names
    if count is not None and any(ask.search(q, count.end()) for ask, _ in NAMED_ASKS.values()):
        count = None
    if asks is None and count is None:
        asks = next((kind for kind, (ask, _) in NAMED_ASKS.items() if ask.search(q)), None)
    unit = ("个" if count.group(1) else count.group(2)) if count else None  # 几个人: 个 is the classifier asked
    if count and q[:count.start()].endswith("第"):  # 第几期 asks an ordinal: 第二十期 answers it, not only a count
        unit = f"第{count.group(2)}"
    if is_cross_lingual(question) and asks is None and count is None:
        asks = first_ask_en(question)
        unit = count_unit_en(question) if asks == "count" else None
        if asks is None:
            asks = next((kind for kind, ask in NAMED_ASKS_EN.items() if ask.search(question)), None)
    if asks is None and count is None and _QUANTITY_ASK.search(q):
        asks = "quantity"
    return ("count" if count else asks), unit


def first_ask_en(question: str) -> str | None:
    """The kind of value an English question asks first (named rule `first_ask_en`): of the kinds of `ASKS_EN` whose
    words it holds, the one asked earliest — "how many hours … and how much during …" asks hours, the later "how much"
    the same thing again — and at one place the more specific (how many days: a duration, not a count)."""
    found = [(m.start(), order, kind) for order, (kind, ask) in enumerate(ASKS_EN.items()) if (m := ask.search(question))]
    return min(found)[2] if found else None


def analyse(question: str, places: Places, turn: str | None = None) -> QueryFacts:
    """What the question names, with the place vocabulary of the index (`LoadedIndex.places`).

    `turn`: the follow-up as the user asked it, when `question` is its standalone rewrite (the earlier question and
    the follow-up). Named rule `asked_by_turn`: the kind of value asked comes from the follow-up when it asks
    something by its own words ("其中技术合同认定登记这一项，原来是哪个部门实施的？" after "…有多少项？" asks for a
    department, not a count); only an elliptical follow-up ("那阳城段呢？") asks what the earlier question asked."""
    q = question.replace(" ", "")
    cross = is_cross_lingual(question)
    cities = places.named(question)
    other = places.other(question)
    step = _STEP.search(q)
    asking = turn if turn is not None and asks_something(turn) else question
    asks, unit = asked_kind(asking)
    # an English question names its years and days in English (in 2021, on 22 March): read as the documents write
    # them, so the year and day rules judge it as they judge a Chinese one
    dated = q + "".join(calendar_terms(question)) if cross else q
    return QueryFacts(
        city=cities[0] if len(cities) == 1 else None,
        other_city=other if not cities else None,
        step=number_of(step.group(1)) if step else None,
        out_of_scope=bool(OUT_OF_SCOPE.search(q) or OUT_OF_SCOPE_EN.search(question)),
        cross_lingual=cross,
        asks=asks,
        unit=unit,
        years=tuple(dict.fromkeys(int(y) for y in _YEAR.findall(dated))),
        days=tuple(dict.fromkeys((int(m), int(d)) for m, d in MONTH_DAY.findall(dated))),
        ordinals=ordinals_in_en(question) if cross else ordinals_in(q),
        term=bool(TERM_ASK.search(asking)),
        enumerates=bool(LIST_ASK.search(asking.replace(" ", ""))),
        editions=tuple(dict.fromkeys(int(y) for y in (_EDITION_EN.findall(asking) if cross else _EDITION.findall(asking.replace(" ", ""))))),
        in_force=bool(IN_FORCE_ASK.search(asking if cross else asking.replace(" ", ""))),
        given=given_values(asks, unit, question),
        actual=_asks_actual(asking, cross),
        change=bool((CHANGE_EN if cross else CHANGE).search(asking)),
    )


def ordinal_heads(corpus: str) -> frozenset[str]:
    """Each unit of a numbered occurrence in `corpus` with the character after it (第20次常务会议 → 次常): the series the
    corpus numbers (`LoadedIndex.ordinal_heads`, read by `rag.rules.occurrences`)."""
    return frozenset(m.group(2) + corpus[m.end()] for m in ORDINAL.finditer(corpus) if m.end() < len(corpus))


_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth", "twentieth")
_ORDINAL_UNITS_EN = {"meeting": "次", "session": "次", "plenary": "次", "lecture": "期", "issue": "期", "phase": "期",
                     "committee": "届", "congress": "届", "batch": "批"}
ORDINAL_EN = re.compile(rf"\b(?:(\d+)(?:st|nd|rd|th)|({'|'.join(_ORDINAL_WORDS)}))\s+(?:[\w'’.-]+\s+){{0,3}}?"
                        rf"({'|'.join(_ORDINAL_UNITS_EN)})(?:s|es)?\b", re.I)
"""An English numbered occurrence: an ordinal, then within three words the kind of occurrence (the 73rd executive
meeting → 第73次, the Fifth Plenary Session of the Seventh … Committee → 第五次, 第七届; the 21st special lecture →
第21期) — the units the documents number (`ORDINAL`)."""


def ordinals_in_en(text: str) -> tuple[tuple[int, str], ...]:
    """The numbered occurrences an English text names, as `ordinals_in` reads them in Chinese."""
    found = []
    for m in ORDINAL_EN.finditer(text):
        number = int(m.group(1)) if m.group(1) else _ORDINAL_WORDS.index(m.group(2).lower()) + 1
        found.append((number, _ORDINAL_UNITS_EN[m.group(3).lower()]))
    return tuple(dict.fromkeys(found))


def ordinals_in(text: str) -> tuple[tuple[int, str], ...]:
    """The numbered occurrences a text names, numerals of either kind read as numbers (第二十一期 → (21, "期"))."""
    found = ((number_of(n), unit) for n, unit in ORDINAL.findall(text.replace(" ", "")))
    return tuple(dict.fromkeys((n, unit) for n, unit in found if n is not None))


_NAMED_FORM = {"address": _ADDRESS, "place": _PLACE_SAID, "website": _WEBSITE, "company": _COMPANY}
"""The named kinds whose test is one pattern: what `given_values` reads in a question."""


def _asks_actual(question: str, cross: bool) -> bool:
    """`QueryFacts.actual`: the question asks what is now or in all, not what is planned (in its own language)."""
    actual, plan = (ACTUAL_ASK_EN, PLAN_ASK_EN) if cross else (ACTUAL_ASK, PLAN_ASK)
    return bool(actual.search(question)) and not plan.search(question)


def _value_form(kind: str, unit: str | None) -> re.Pattern[str] | None:
    """The pattern of a value of `kind` (None: a kind tested otherwise, a person)."""
    if kind == "count":
        if unit and unit.startswith("第"):  # an ordinal asked: 第二十期, and 一级区 for 第几级区
            return re.compile(f"{_COUNT_NUMBER}{re.escape(unit[1:])}")
        units = "|".join(_COUNT_UNITS if unit in (None, "个") else _PEOPLE if unit in _PEOPLE else (re.escape(unit),))
        return re.compile(f"{_NOT_A_COUNT}{_COUNT_NUMBER}(?:{units})")
    if kind == "quantity":
        return _QUANTITY
    if kind in ASKS:
        return ASKS[kind][1]
    return _NAMED_FORM.get(kind)


def given_values(kind: str | None, unit: str | None, question: str) -> tuple[str, ...]:
    """Named rule `given_not_answer`: the values of the asked kind the question states itself (免费 in "免费刻章一共
    花了多少财政资金？", 20个 in "观摩的20个重点工程项目总投资有多少？"). A clause repeating them states what the
    question already knows, not what it asks: `answers_kind` does not count them (a longer value holding one, 2021年3月26日
    for a question naming 2021年3月, still counts)."""
    form = _value_form(kind, unit) if kind else None
    if form is None:
        return ()
    text = _CELL_UNIT.sub(r"：\2\1", question.replace(" ", ""))
    return tuple(dict.fromkeys(m.group(0) for m in form.finditer(text) if m.group(0)))


def answers_kind(kind: str | None, text: str, unit: str | None = None, given: Sequence[str] = ()) -> bool:
    """Whether text holds the kind of value the question asks for (an amount, a duration, a ratio, a date, a count
    in `unit`, a contact) or names what it asks for (a person, a place, a website or platform, a company) — other
    than the values the question states itself (`given`, `given_values`)."""
    if kind is None:
        return True
    text = _CELL_UNIT.sub(r"：\2\1", text.replace(" ", ""))
    form = _value_form(kind, unit)
    if form is None:
        return NAMED_ASKS[kind][1](text)
    # 个 is the general classifier of a count: 多少个部门 is answered by 18家部门, 几个人 by 3—5名; a table row states
    # a count as the value of a count column (还需完成减速带数量：0)
    return any(m.group(0) not in given for m in form.finditer(text)) or (kind == "count" and bool(_COUNT_CELL.search(text)))


def years_in(text: str) -> set[int]:
    """Every year a text names, and every year inside a span it names (2021—2022年, 2018至2020年)."""
    years = {int(y) for y in _YEAR_IN_TEXT.findall(text)}
    for a, b in _YEAR_SPAN.findall(text):
        years |= set(range(int(a), int(b) + 1))
    return years


def named_years(question: str) -> set[int]:
    """The years a question names as years (2021年), as `analyse` reads them."""
    return {int(y) for y in _YEAR.findall(question.replace(" ", ""))}
