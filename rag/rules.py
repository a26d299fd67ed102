"""The answer policy's named rules, in the order they decide, over one frozen `PolicyInput` (`rag.policy`).

Every rule is a small function `(PolicyInput, PolicyConfig) -> Decision | None` (None: the rule does not object)
whose docstring names the class of question it protects. All enabled rules are evaluated on every question, so the
eval report can count how often each one fired on answerable and on unanswerable items (its precision); the first
rule that refuses, in `RULES` order, decides; a rule may instead answer partially (`Outcome.ANSWER_PARTIAL`: say
what the documents do not state, and lead with the clause that says what they do), which decides when no rule
refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.compose import book_title
from rag.decompose import split_parts
from rag.glossary import default_glossary
from rag.places import ROMANISED
from rag.policy import Decision, Outcome, PolicyConfig, PolicyInput, best_score, context, irrelevant, relevance
from rag.query import (
    CHANGE,
    LIST_ASK,
    MONTH_DAY,
    ORDINAL,
    OUT_OF_SCOPE,
    OUT_OF_SCOPE_EN,
    QueryFacts,
    analyse,
    answers_kind,
    asks_something,
    is_cross_lingual,
    number_of,
    ordinals_in,
    years_in,
)
from rag.records import Passage, Reason
from rag.retrieve import NOT_WORD, QUESTION_WORDS, keyword_coverage
from textnorm import CN_NUM, int_to_cn, matching_form

_OWN_WORDS = 8  # characters a follow-up needs to be judged by its own words (…呢？ + a question of its own)
_NOT_SUBJECT = re.compile(rf"{QUESTION_WORDS.pattern}|{NOT_WORD.pattern}")
_TABLE_WORD = re.compile(r"(?<![代发列])表|名单|清单|目录|名录")


def _plain(text: str) -> str:
    """Text in matching form without punctuation or spaces, as the rules compare words."""
    return NOT_WORD.sub("", matching_form(text))


def _words(p: Passage, with_notice: bool = False) -> str:
    """A clause's title, headings and text in matching form without punctuation; `with_notice` adds the issuing
    notice's title (an attachment such as 附录3 names what its notice is about)."""
    return _plain(f"{context(p)} {p.wrapper_title}" if with_notice else context(p))


def subject(question: str, top: Sequence[Passage], idf: dict[str, float], min_chars: int) -> str | None:
    """What the question is about, as the top clauses word it: of the runs of the question (question words, place
    names and punctuation aside) that one of them contains, at least `min_chars` long, the most specific (highest
    summed IDF of its character pairs: 临时安置补助费 rather than 房屋征收)."""
    texts = [_words(p) for p in top]
    runs: set[str] = set()
    for part in _NOT_SUBJECT.split(matching_form(question)):
        for i in range(len(part)):
            j = i  # grow the run while a clause still contains it
            while j < len(part) and any(part[i:j + 1] in t for t in texts):
                j += 1
            if j - i >= min_chars:
                runs.add(part[i:j])
    return max(runs, key=lambda r: (sum(idf.get(r[k:k + 2], 0.0) for k in range(len(r) - 1)), len(r)), default=None)


# --- the rules -----------------------------------------------------------------------------------------------------


def _within_corpus_term(q: str, start: int, end: int, corpus: str, reach: int = 6) -> bool:
    """Whether the question uses q[start:end] inside a longer run (two characters more or longer) that the corpus
    contains: 天气 in 重污染天气应急预案 is part of a corpus term, 天气 in 明天天气怎么样 is not."""
    for a in range(start, max(-1, start - reach - 1), -1):
        for b in range(end, min(len(q), end + reach) + 1):
            if (b - a) - (end - start) >= 2 and q[a:b] in corpus:
                return True
    return False


def out_of_scope_topic(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """A topic no municipal gazette answers (weather forecasts, share prices, lotteries, chit-chat), named by a word
    of `rag.query.OUT_OF_SCOPE` that the question does not use inside a longer term of the corpus: the index decides
    that '重污染天气应急预案分几级？' is about a corpus topic (in English, a phrase of the glossary, whose terms are
    the corpus's: 'heavy pollution weather'); so is a question naming a document of the corpus ('哪些天气灾害会按
    气象灾害应急预案处置？'). Protects: '明天会下雨吗？' answered from a clause that
    happens to share words."""
    if not inp.facts.out_of_scope or inp.signals.named:  # it names a document of the corpus: about the corpus
        return None
    if inp.signals.cross is not None and inp.signals.cross >= cfg.min_cross_topic:
        return None  # an English question the documents speak of closely (high-temperature weather, drug stock)
    q = matching_form(inp.question)
    spans = [m.span() for m in OUT_OF_SCOPE.finditer(q)]
    corpus = inp.index.clause_lines[0]
    english = [m.group(0) for m in OUT_OF_SCOPE_EN.finditer(inp.question)]
    glossary = default_glossary()
    if (spans or english) and all(_within_corpus_term(q, a, b, corpus) for a, b in spans) \
            and all(glossary.in_corpus_term(inp.question, w) for w in english):
        return None
    return Decision(Outcome.REFUSE, "out_of_scope_topic", Reason.OUT_OF_SCOPE, "这个问题不属于政府文件的范围", leads="none")


def city_not_in_corpus(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """A question about a city the corpus has no documents for (太原…): whatever the hits say, they are another
    city's rules — unless the question names that city inside a longer term the corpus contains (长治市王村机场,
    北京大学…: an entity the documents speak of), or the top clauses themselves speak of it (市长赴北京对接…: a
    place in the documents, not the place whose rules are asked). Protects: '太原市的搬迁补助费是多少？' answered
    from 晋城's 办法."""
    city = inp.facts.other_city
    if not city:
        return None
    q = matching_form(inp.question)
    at = q.find(city)
    if at >= 0 and _within_corpus_term(q, at, at + len(city), inp.index.clause_lines[0]):
        return None
    if any(city in matching_form(context(p)) for p in inp.retrieved.direct(cfg.top)):
        return None  # the top clauses speak of that city (a trip to 北京, a 太原 company): it is a place in them
    roman = ROMANISED.get(city)
    if inp.facts.cross_lingual and roman and re.search(rf"\b(?:to|towards?) {roman}\b", inp.question, re.I):
        return None  # an English question's destination (the mayor went to Beijing): a place visited, not the one asked
    return Decision(Outcome.REFUSE, "city_not_in_corpus", Reason.CITY_NOT_IN_CORPUS, f"文件库中没有{city}的文件", leads="none")


def _own_words(inp: PolicyInput) -> str:
    """The words `wrong_city` compares the two cities on: a follow-up asking by its own words (那长治呢？2020年黑臭水体
    治理要达到什么目标？) is judged by them — its rewrite borrows the earlier question's words, and those were chosen for
    the earlier city's document —; an elliptical one (那长治呢？), or one in another language (its words share nothing
    with the documents: on English dev "And what target has Changzhi set for itself on this?" after Chinese turns lost
    the rule), by its rewrite."""
    if inp.turn is None or is_cross_lingual(inp.turn):  # an English turn shares no words with the documents
        return inp.wording
    own = inp.index.places.strip(inp.turn)
    return own if asks_something(own) and len(_plain(own)) >= _OWN_WORDS else inp.wording


def wrong_city(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question names one city, and another city's documents match it much better: by `wrong_city_margin` of
    coverage of its words, or — a question in another language, which shares no words with the documents — by
    `wrong_city_margin_cross` of similarity in the cross-lingual space. Say where the rule is, not apply it to the
    wrong city. Protects: 'In Changzhi, above what annual energy consumption … must a project …?' answered from a
    长治 clause on another subject while the threshold is 晋城's."""
    wider, city = inp.wider, inp.facts.city
    if wider is None or not wider.passages or not city or wider.passages[0].city == city:
        return None
    if inp.signals.cross_lingual:
        if inp.signals.cross is None or best_score(wider, "cross") - inp.signals.cross < cfg.wrong_city_margin_cross:
            return None
    else:
        words = _own_words(inp)
        ours = relevance(words, inp.retrieved, inp.index.bigram_idf, cfg.top)[0] if words != inp.wording else inp.signals.coverage
        if relevance(words, wider, inp.index.bigram_idf, cfg.top)[0] - ours < cfg.wrong_city_margin:
            return None
    other = wider.passages[0]
    note = f"{city}的文件中没有找到；{other.city}的《{other.doc_title}》有相关规定，但不适用于{city}"
    return Decision(Outcome.REFUSE, "wrong_city", Reason.WRONG_CITY, note, leads="wider")


def not_relevant(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """Nothing relevant was retrieved: the best top passages share less than `min_coverage` of the question's
    IDF-weighted wording AND their dense similarity is below `min_dense` (English questions share no characters
    with the documents: the cross-lingual space's similarity judges them, against `min_cross`, or e5's against
    `min_dense_cross_lingual` in an index without that space). A question naming an
    indexed document is in scope by construction."""
    if not irrelevant(inp.signals, cfg.min_coverage, cfg.min_dense, cfg.min_dense_cross_lingual, cfg.min_cross):
        return None
    return Decision(Outcome.REFUSE, "not_relevant", Reason.NOT_RELEVANT)


def table_title(q: str, end: int, corpus: str, min_chars: int) -> str | None:
    """The title of the table or list a question names by the table word ending at `end` (…分工表, …名单): the
    longest run of the question ending there that the corpus contains, at least `min_chars` long; None when the
    corpus holds no such run (the question names no table of the documents by its title)."""
    start = end - min_chars
    if start < 0 or q[start:end] not in corpus:
        return None
    while start > 0 and q[start - 1:end] in corpus:
        start -= 1
    return q[start:end]


def _table_words(q: str, reads: str, word: str, min_chars: int) -> str | None:
    """The words by which a question names the table it reads at `reads` (…分工表里), whose table word is `word`:
    its run before and with the table word, question words and punctuation aside; None when that is under
    `min_chars` (那张表里 names the table by its kind only)."""
    at = q.find(reads)
    if at < 0:
        return None
    run = NOT_WORD.sub("", _NOT_SUBJECT.split(q[:at + len(word)])[-1])
    return run if len(run) >= min_chars else None


def _shares_run(a: str, b: str, length: int) -> bool:
    """Whether a and b have a common run of `length` characters."""
    return any(a[i:i + length] in b for i in range(len(a) - length + 1))


def _headed_by(words: str, heading: str, length: int) -> bool:
    """Whether a heading names the table the question names by `words`: they share a run of `length` characters."""
    return _shares_run(words, _plain(heading), length)


def _lists_only(line: str, title: str) -> bool:
    """Whether a line names the title only as an entry of an attachment list (附件:1.…明细表, 3.晋城市…申请表) or
    as the quoted name of a form or list (提交《…申请表》(附表3)), not as the heading of its printed content."""
    t = re.escape(title)
    if re.fullmatch(rf"(?:附件[:：]?(?:\d{{1,2}}(?!\d))?|\d{{1,2}}(?!\d))[.、]?[^。；;，,:：《》]*{t}", line):
        return True
    return not re.sub(rf"《[^《》]*{t}[^《》]*》", "", line).count(title) and "《" in line


def attachment_not_printed(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question names a table or list (…明细表, …名单, …清单, …申请表) that the corpus has only as an entry of
    a document's attachment list (附件：1.… 2.…) or as the quoted name of a form (提交《…申请表》(附表3)): the
    gazette printed the title, not the table. The title is the longest run of the question ending in
    表/名单/清单/目录 that the corpus contains."""
    q = matching_form(inp.question)
    corpus, lines = inp.index.clause_lines
    for end in [m.end() for m in _TABLE_WORD.finditer(q)][: cfg.max_titles]:
        title = table_title(q, end, corpus, cfg.min_title_chars)
        if title is None:
            continue
        found = [line for line in lines if title in line]
        if all(_lists_only(line, title) for line in found):
            note = f"所问的{book_title(title)}是文件的附件，公报只收录了它的标题，没有收录其内容"
            return Decision(Outcome.REFUSE, "attachment_not_printed", Reason.ATTACHMENT_NOT_PRINTED, note)
    return None


_LIST_KINDS = (("表",), ("名单", "清单", "目录", "名录"))
"""Kinds of attachment a question may ask for by its word: a table or form (…申请表), or a list of names or items
(名单, 清单, 目录 and 名录 are one kind: 有没有一个清单 asks for a …事项目录)."""
_NOT_NAMING = frozenset("个张份有的那这一没具体该此？?，,、")
"""Characters before a table word that do not name the table (那张申请表, 有没有一个清单, ？有名单吗)."""


def unprinted_attachment(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question asks what a table, form or list holds (那张申请表长什么样、都有哪些栏目, 有名单吗, 有没有一个清单:
    `asks_items`, `asks_form`), and the document that answers it (the lead clause's, with its 文号) lists an
    attachment of that kind that the gazette did not print (`LoadedIndex.unprinted_attachments`): the clause that
    requires the form or names the list says what is done with it, not what is on it. A question naming its table by other words than
    the attachment's title (领导小组成员名单 beside an unprinted …村（社区）名单) is about another table."""
    if inp.facts.cross_lingual or not inp.retrieved.passages:
        return None
    lead = inp.retrieved.passages[0]
    entries = inp.index.unprinted_attachments.get(lead.doc_id, ())
    if not entries:
        return None
    q = matching_form(inp.question)
    form = asks_form(inp.question, False)
    for m in _TABLE_WORD.finditer(q):
        if not (form or asks_items(q, m.start(), m.end())):
            continue
        kind = next(k for k in _LIST_KINDS if m.group(0) in k)
        naming = "".join(c for c in q[max(0, m.start() - 2):m.start()] if c not in _NOT_NAMING)
        for number, title in entries:
            if not title.rstrip("》").endswith(kind) or (naming and f"{naming}{m.group(0)}" not in title):
                continue
            note = f"《{lead.doc_title}》的附件{number}{book_title(title.strip('《》'))}在公报中只列了标题，没有刊印其内容"
            return Decision(Outcome.REFUSE, "unprinted_attachment", Reason.ATTACHMENT_NOT_PRINTED, note)
    return None


# a question that reads a table, list or figure (…表里, …图上, …名单中, …清单第3项): 代表, 发表 are not tables; in
# English, in/on/from the … table (list, chart, diagram, figure, form, catalogue, schedule)
# a question reading inside a table or figure (…表里, 清单上, 图中, 目录第…): the table words, and 图
_READS_TABLE = re.compile(rf"(?<![代发列])({_TABLE_WORD.pattern}|图)(?:里|上|中|内|第)")
_READS_TABLE_EN = re.compile(r"\b(?:in|on|from|of) (?:the|a|its|[A-Z][\w-]*'s) (?:[\w'\"“”-]+ ){0,8}?"
                             r"(?:table|list|chart|flowchart|diagram|figure|form|catalogue|schedule)\b"
                             r"|\b(?:table|list|chart|flowchart|diagram|figure|form|catalogue|schedule) attached\b", re.I)
_TABLE_NOUN = {"表": "表格", "图": "图"}
# a question asking a form's layout or wording (申请表长什么样、有哪些栏目, 承诺书原文是怎么写的, 委托书模版): the content
# of a form, which only a printed table or attachment holds; in English, fields/wording/template/sample of a form/letter
_ASKS_FORM = re.compile(r"(?:表|书|模版|模板|范本|样本|样表)[^。？！?!]{0,12}?(?:长什么样|栏目|原文|怎么写|如何写|样本|模版|模板|范本)")
_FORM_ASK_EN = re.compile(r"\b(?:fields?|columns?|look like|wording|templates?|samples?)\b", re.I)
_FORM_NOUN_EN = re.compile(r"\b(?:forms?|letters?|templates?|samples?)\b", re.I)


def asks_form(question: str, cross_lingual: bool) -> bool:
    """Whether the question asks what a form looks like or says (`_ASKS_FORM`, or its English words)."""
    if cross_lingual:
        return bool(_FORM_ASK_EN.search(question) and _FORM_NOUN_EN.search(question))
    return bool(_ASKS_FORM.search(question.replace(" ", "")))


def table_not_printed(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question reads a table, list or figure (…分工表里第9项, 那张流程图上画了什么) and none of the retrieved
    clauses is a row of a printed table, nor part of an attachment of that kind: the index holds every table the
    gazettes printed as rows (`kind` table_row/table), so a table it does not hold was listed or drawn, not printed,
    and a clause that merely mentions it must not answer for its content. An English question is judged the same
    way (any attachment counts: its Chinese title cannot be matched). Protects: '…任务分工表里，第9项任务是什么？'
    answered from the clause that says the 分工表 is attached. When the question names the table by words
    (…重点任务分工表里, 补偿指导价表里), only a row or attachment whose headings share a run of `min_subject_chars`
    characters with them counts (晋城市房屋征收附属物补偿指导价): a row of another printed table that retrieval
    brought (…基层政务公开事项标准指导责任分工表) does not print this one. A question asking what a form looks like or
    says (申请表有哪些栏目, 承诺书原文是怎么写的: `asks_form`) is judged the same way, by any printed table or attachment."""
    title = None  # the words naming the table, when the question names it by more than its kind
    if inp.facts.cross_lingual:
        word = "" if _READS_TABLE_EN.search(inp.question) else None
    else:
        m = _READS_TABLE.search(inp.question.replace(" ", ""))
        word = m.group(1) if m else None
        if m is not None:
            title = _table_words(matching_form(inp.question), m.group(0), m.group(1), cfg.min_title_chars)
    form = word is None and asks_form(inp.question, inp.facts.cross_lingual)
    if form:
        word = ""  # a form's layout or wording: any printed table or attachment among the clauses may hold it
    if word is None:
        return None
    # an English question cannot name the table in Chinese words: only the closest clauses may print it
    judged = inp.retrieved.direct(cfg.top) if inp.facts.cross_lingual else inp.retrieved.passages
    for p in judged:
        heading = " ".join([p.doc_title, p.wrapper_title, *p.headings])
        if title is not None and not _headed_by(title, heading, cfg.min_subject_chars):
            continue  # a row or attachment of another table than the one the question names
        if p.kind in ("table", "table_row") or (p.doc_type == "附件" and word in heading
                                                  and p.chunk_id not in inp.index.title_only):
            return None  # an attachment printing its title only (a figure's) prints no content
    noun = "文书" if form else _TABLE_NOUN.get(word, word or "表格")
    note = f"文件库中没有所问{noun}的内容：公报没有收录这份{noun}"
    return Decision(Outcome.REFUSE, "table_not_printed", Reason.ATTACHMENT_NOT_PRINTED, note)


_ROW_ASKED = re.compile(rf"({_TABLE_WORD.pattern})(?:里|上|中|内)?(?:的)?第([{CN_NUM}\d]+)(?:项|行)")
"""A question asking for a numbered row of a table (…分解表第90项, 清单里第3项)."""


def row_not_printed(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question asks for the N-th row of a table it names (…重点工作任务分解表第90项), the table is printed
    (a retrieved row is headed by the question's words for it), and none of its printed rows is numbered N: the
    gazette printed part of it (rows 1–86 of 96), and a neighbouring row must not answer for the missing one. The
    row numbers are the table's own (`row_numbers`: the 序号 column of every table row of that document in the
    index; a document with several tables refuses only a number none of them prints)."""
    if inp.facts.cross_lingual:
        return None
    q = matching_form(inp.question)
    m = _ROW_ASKED.search(q)
    if m is None:
        return None
    asked = number_of(m.group(2))
    if asked is None:  # not a numeral cn_to_int reads
        return None
    words = _table_words(q, m.group(0), m.group(1), cfg.min_title_chars)
    if words is None:
        return None
    for p in inp.retrieved.passages:
        caption = next((h for h in p.headings if _headed_by(words, h, cfg.min_subject_chars)), None) if p.kind == "table_row" else None
        if caption is None:
            continue
        numbers = inp.index.row_numbers.get(p.doc_id, frozenset())
        if not numbers or asked in numbers:
            return None
        note = f"公报印出的{book_title(caption)}中没有第{asked}项（印出的序号是{min(numbers)}至{max(numbers)}）"
        return Decision(Outcome.REFUSE, "row_not_printed", Reason.ATTACHMENT_NOT_PRINTED, note)
    return None


_OPENS_WITH = re.compile(r"(?:附件|附表)?[\d一二三四五六七八九十]{0,2}[.、:：]?[《（(]?")
"""What may stand before a title at the start of a line that heads its printed content (附件2：…名单, 1.…目录)."""
_INTRODUCES = re.compile(r"[》）)]*(?:[（(][^（）()]{0,12}[）)])?(?:[：:]|如下|(?:主要)?(?:包括|包含|有)[：:]?|为[：:])")
"""What follows a title that introduces its items on the same line (…名单如下：, …目录包括：, …清单（第一批）：)."""


def prints_content(title: str, lines: Sequence[str], captions: frozenset[str]) -> bool:
    """Whether the corpus prints what the list or form `title` holds: a document title or heading carries it, or
    a line opens with it (a heading: 附件2：…名单) or introduces items after it (…名单如下：). A line naming it as an
    attachment-list entry or a quoted form (`_lists_only`), or in passing (对…名录实施动态更新), prints nothing."""
    if any(title in c for c in captions):
        return True
    for line in lines:
        if title not in line or _lists_only(line, title):
            continue
        for m in re.finditer(re.escape(title), line):
            if _OPENS_WITH.fullmatch(line[:m.start()]) or _INTRODUCES.match(line, m.end()):
                return True
    return False


_CLOSE = r"[》」”）)]*"
_READS_ITEMS = re.compile(rf"{_CLOSE}(?:里|上|中|内|在哪)")
_ASKS_WHETHER_HAS = re.compile(r"有(?:没有)?[^，,。；？?]{0,6}$")
"""Before the list's name: the question asks whether there is one (有没有具体的…)."""
_ENDS_QUESTION = re.compile(rf"{_CLOSE}(?:吗|呢)?(?:[？?]|$)")
"""After the list's name: the question ends there (…事项清单？)."""


_ASK_REACH = 8
"""How near after a list's name the question asks for its items (《…目录》，具体包括哪些); an ask further on is about
something else the question names (…目录，每个事项至少要写清楚哪些要素 asks for an entry's elements)."""


def asks_items(q: str, start: int, end: int) -> bool:
    """Whether the question asks for the items of the list it names at q[start:end]: it reads inside it (…名录里,
    审批表上面), asks where it is (名单在哪儿公布), asks whether there is one (有没有具体的事项清单？), or asks for
    items after naming it (《…目录》，具体包括哪些). A list named as what something is put on (哪些企业会被纳入失信
    名单, 会被纳入…名单吗) is not asked for."""
    after = q[end:]
    has = _ASKS_WHETHER_HAS.search(q[:start]) is not None and _ENDS_QUESTION.match(after) is not None
    return bool(_READS_ITEMS.match(after) or LIST_ASK.search(after[:_ASK_REACH]) or has)


def list_not_printed(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question asks what a list, directory or form it names holds, item by item (…名录里都有哪些企业,
    …审批表上面有哪些栏目, 有具体的事项清单吗: `asks_items`), and the corpus names that list only in passing (对土壤污染重点监管单位
    名录实施动态更新): no text prints its content (`prints_content`). The clauses that mention it say what is done
    with the list, not what is on it, and must not answer for its items. The title is found as attachment_not_printed
    finds it (the longest run of the question ending in 表/名单/清单/目录/名录 that the corpus contains)."""
    if inp.facts.cross_lingual or not inp.facts.enumerates:
        return None
    q = matching_form(inp.question)
    corpus, lines = inp.index.clause_lines
    for end in [m.end() for m in _TABLE_WORD.finditer(q)][: cfg.max_titles]:
        title = table_title(q, end, corpus, cfg.min_title_chars)
        if title is None or not asks_items(q, end - len(title), end):
            continue
        if not prints_content(title, lines, inp.index.captions):
            note = f"文件提到了{book_title(title)}，但没有列出其中的具体内容"
            return Decision(Outcome.REFUSE, "list_not_printed", Reason.LIST_NOT_PRINTED, note)
    return None


# a set the question names by its size (那4家医院, 这24项技术, 这六个附件, 那12个社区), and what asks for its members
# when LIST_ASK does not (分别是什么)
_SET_NUMBER = r"\d+|[两二三四五六七八九十]+"
_SET_CLASSIFIERS = "个|项|家|所|处|条|类|种|名|位|座|件"
_SET_SIZE = re.compile(rf"(?<![\d第])({_SET_NUMBER})\s*({_SET_CLASSIFIERS})")
# … or which ones by the size again (是哪5个地方, 哪4所): named rule `members_by_size`
_MEMBERS_ASK = re.compile(rf"分别是(?:什么|哪)|哪(?:{_SET_NUMBER})\s*(?:{_SET_CLASSIFIERS})")
_CLASSIFIERS = f"{_SET_CLASSIFIERS}|批|大"  # a set is also counted by 批 and 大 (三大产业)
# after the size: a list introduced (4项：…, 包括…, 即…, 分别是…, 如下; 即 and 为 only before the next comma or
# right after it: 六个版块,即… lists, 12个社区，以农村人居环境整治为牵引 introduces nothing); before it: items ending at
# the size (泽州、阳城、陵川等3个县, A、B和C三家)
_LIST_AFTER = re.compile(r"[^。；;]{0,12}?(?:[：:]|包括|包含|分别(?:是|为)|如下)|[^。；;，,]{0,12}?[，,]?(?:即|为)")
_LIST_BEFORE = (r"(?:[^、，,。；;：:\d]{{1,20}}[、和及与]){{{n},}}"
                r"(?:(?![一二三四五六七八九十两][大个项家所条类种名位座件])[^、，,。；;：:\d]){{1,20}}?(?:等|共|计|这|共计)?$")
_ITEM_BREAK = re.compile(r"[、；;]|\n\s*(?:\d{1,2}[.．、]|[（(][一二三四五六七八九十\d]{1,3}[）)])")


_NUMBERS_EN = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_SET_SIZE_EN = re.compile(rf"\b(?:the|these|those|its|their|all)\s+(\d+|{'|'.join(_NUMBERS_EN)})\s+(?!(?:years?|months?|days?|"
                          rf"hours?|yuan|percent|mu|km|kilometres?|kilometers?|square|times)\b)[a-z]", re.I)
_MEMBERS_ASK_EN = re.compile(r"\b(?:which|what)\s+(?:exactly\s+)?(?:are|were)\b|\bwhich ones\b|\bname them\b"
                             r"|\bwhat are (?:they|their names)\b|\blist (?:them|the)\b", re.I)
"""The same in English: the set named by its size (the four hospitals, these 24 technologies, the six attachments;
not a measure: the three years, the 5 mu) and a question asking its members (which are, what exactly are, name them)."""

def _numeral_forms(n: int) -> list[str]:
    """The ways the documents write a set's size: 6 and 六, 2 and 两 and 二."""
    if n >= 100:
        return [str(n)]
    return [str(n), int_to_cn(n), *(["两"] if n == 2 else [])]


def _asked_set(inp: PolicyInput) -> tuple[list[str], int, str] | None:
    """(the forms in which the documents may write the size of the set whose members the question asks, the size,
    the size as asked), or None when it asks no members of a set it names by its size."""
    if inp.facts.cross_lingual:
        asked = inp.turn if inp.turn is not None and is_cross_lingual(inp.turn) else inp.question
        sized = list(_SET_SIZE_EN.finditer(asked))
        if not _MEMBERS_ASK_EN.search(asked) or not sized:
            return None
        word = sized[-1].group(1).lower()
        count = int(word) if word.isdigit() else _NUMBERS_EN.index(word) + 2
        return _numeral_forms(count), count, f"{count}个"
    asked = matching_form(inp.turn if inp.turn is not None and asks_something(inp.turn) else inp.question)
    if not (inp.facts.enumerates or _MEMBERS_ASK.search(asked)):
        return None
    sizes = [(m, n) for m in _SET_SIZE.finditer(asked) if (n := number_of(m.group(1))) is not None and n >= 2]
    if not sizes:
        return None
    size, count = sizes[-1]  # the set nearest the ask (三大产业的24项关键技术: the 24)
    return list(dict.fromkeys([size.group(1), *_numeral_forms(count)])), count, size.group(0)


def _counted_by(number: str) -> re.Pattern[str]:
    """A mention of `number` with a classifier (4所, 二十四项), not part of a longer number or an ordinal (第4项)."""
    return re.compile(rf"(?<![\d第]){re.escape(number)}\s*(?:{_CLASSIFIERS})")


def _lists_members(text: str, number: str, items: int) -> bool:
    """Whether `text` lists the members of a set it counts by `number` (…4所…): at some mention of the number with a
    classifier, a list introduced after it holds at least `items` entries, or at least that many end at it."""
    for m in _counted_by(number).finditer(text):
        sentence_start = max(text.rfind(c, 0, m.start()) for c in "。；;\n") + 1
        if re.search(_LIST_BEFORE.format(n=items - 1), text[max(sentence_start, m.start() - 120):m.start()]):
            return True
        intro = _LIST_AFTER.match(text, m.end())
        if intro:
            end = text.find("。", intro.end())
            if len(_ITEM_BREAK.findall(text, intro.end(), len(text) if end < 0 else end)) >= items - 1:
                return True
    return False


def set_not_listed(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question asks the members of a set it names by its size (那4家专业救治医院是哪几家, 这24项关键技术具体是哪些,
    这六个附件分别是什么), the top clauses count that set (市级综合确定4所…专业救治医院), and none of them lists it: at
    no mention of the size does a list follow (4项：…, 包括…) or end (泽州、阳城、陵川等3个县) with as many entries, up to
    three. The document counts the set and names no member, so a clause that mentions it must not answer for them."""
    asked_set = _asked_set(inp)
    if asked_set is None:
        return None
    forms, count, named = asked_set
    top = inp.retrieved.passages[: cfg.top]
    texts = [p.readable for p in top]
    counts = [{f for f in forms if _counted_by(f).search(t)} for t in texts]  # the size forms each top clause counts
    counted = [f for f in forms if any(f in c for c in counts)]
    if not counted:
        return None  # no top clause counts the set: nothing says the documents hold it unlisted
    if any(_lists_members(t, f, min(count, 3)) for t in texts for f in counted):
        return None
    note = f"文件只提到{named}，没有列出具体是哪些"
    counting = next(p for p, c in zip(top, counts, strict=True) if c)  # quoted: the first clause counting the set
    return Decision(Outcome.REFUSE, "set_not_listed", Reason.LIST_NOT_PRINTED, note, lead=counting.chunk_id)


_ASKED_WORD = {"quantity": "数值", "money": "金额", "duration": "期限", "ratio": "比例", "date": "日期", "time": "时间", "count": "数量", "contact": "联系方式",
               "person": "人员", "address": "地址", "place": "地点", "website": "网站或平台", "company": "单位名称", "body": "承担单位"}


_LEFT_OPEN = re.compile(r"据实|按实|实际发生|协商|另行(?:制定|规定|确定)|自行(?:确定|制定)"
                        r"|(?:由|根据|依据|依照|结合|按照|按|参照)[^。；]{0,40}?(?:确定|制定|核定|评估|认定|执行|承担|结算)"
                        r"|(?:结合|视)[^。；]{0,40}?(?:予以|给予)"
                        r"|在[^。；，,]{0,20}?(?:方案|办法|规定|合同|协议)中确定"
                        r"|(?:根据|依据|依照|按照|按|参照)(?:国家|省|市|县|有关|相关)[^。；]{0,8}?(?:规定|政策|标准|办法)"
                        r"|一定(?:的)?(?:奖励|补助|补贴|补偿|资金|数额|比例|费用)|相应(?:的)?(?:奖励|补助|补贴|补偿)"
                        r"|适当|酌情|给予[^。；]{0,12}?支持|分期")
"""How a clause says the value is set elsewhere, case by case, or not at all (依据设施实际情况结合市场行情确定, 由…协商,
在征收补偿方案中确定, 按相关规定执行, 根据相关政策给予, 按照实际发生额由市级财政承担;
给予一定的奖励, 给予资金支持, 可约定分期缴纳: the subject is addressed, no figure is set)."""
_SENTENCES = re.compile(r"[。；;\n]")
TARGET = re.compile(r"到(?:19|20)\d{2}年|(?:19|20)\d{2}年底?(?:前|以前)|力争|目标|确保")
"""A sentence setting a target (到2025年…达到90%, 力争…, 2020年底前完成…): it says what is to be, not what is, so it
does not answer a question asking what is now or in all (`QueryFacts.actual`)."""


NORM = re.compile(r"不低于|不少于|不超过|不高于|不得(?:低于|少于|超过|高于)|至少|最高|最多|最低|以内")
"""A sentence setting a floor or a ceiling (每年要保证不少于20万元, 总额不低于以下标准): a rule for what is to be,
not a figure of what is, so it does not answer a question asking what is now or in all either."""


_CLAUSES = re.compile(r"[，,、：:]")


def _states_change(facts: QueryFacts, sentence: str) -> bool:
    """Every clause of the sentence (between commas) stating the asked value states a change (`CHANGE`: 新建82座旅游
    厕所, 新增集中供热面积300万平方米) — not a total that a change elsewhere in the sentence sits beside (依托总长581.8公里、
    …, 提升…)."""
    holding = [c for c in _CLAUSES.split(sentence) if answers_kind(facts.asks, c, facts.unit, facts.given)]
    return bool(holding) and all(CHANGE.search(c) for c in holding)


def states_value(facts: QueryFacts, text: str) -> bool:
    """Whether text states a value of the kind the question asks for — of the year it asks about, when it names
    one: a sentence stating the value for another year (2016年…客运量达到44.98万人次, asked for 2017) does not
    answer it; a sentence that names no year, or the asked one (or a span holding it), does. Asked what is now or in
    all (`QueryFacts.actual`: 现在的普及率, 一共有多少亩), a sentence setting a target (`TARGET`) does not answer."""
    if not facts.years and not facts.actual:
        return answers_kind(facts.asks, text, facts.unit, facts.given)
    asked = set(facts.years)
    for sentence in _SENTENCES.split(text.replace(" ", "")):
        if answers_kind(facts.asks, sentence, facts.unit, facts.given):
            if facts.actual and (TARGET.search(sentence) or NORM.search(sentence) or (not facts.change and _states_change(facts, sentence))):
                continue
            years = years_in(sentence)
            if not asked or not years or years & asked:
                return True
    return False


def leaves_open(p: Passage, names: Callable[[str], bool]) -> bool:
    """One sentence of the clause says how the value is set (`_LEFT_OPEN`), and it names the question's subject
    (`names`), or the clause's title and headings do (…生态环境领域…财政事权… above 市级视情况给予适当支持), or the
    line that opens the clause's list of items (第十七条 征收住宅房屋给予下列补贴： above （一）面积补贴：…)."""
    first = p.readable.split("\n", 1)[0]
    stem = first if first.rstrip().endswith(("：", ":")) else ""  # 第十七条 征收住宅房屋给予下列补贴：, over its items
    heading = " ".join([p.doc_title, *p.headings, stem])
    return any(names(_plain(f"{heading} {sentence}")) and _LEFT_OPEN.search(sentence)
               for sentence in _SENTENCES.split(p.readable.replace(" ", "")))


@dataclass(frozen=True)
class ValueSearch:
    """What the value rule found: the clause stating the asked value (`held`), the clause that names the question's
    subject and says how the value is set instead (`left_open`), and the first clause naming the subject at all
    (`about`: what a refusal quotes as what the documents do say) — each None when there is none."""

    held: Passage | None = None
    left_open: Passage | None = None
    about: Passage | None = None


def _value_search(inp: PolicyInput, cfg: PolicyConfig) -> ValueSearch:
    """A clause counts only when it names the question's subject (the 18元/平方米 of 搬迁补助费 does not answer
    临时安置补助费): first in the section the answer leads with, then among the top clauses or the lower directly
    retrieved ones that match the question's words at least as well. A 大事记 entry states its own date."""
    facts, r = inp.facts, inp.retrieved
    if facts.asks is None:
        return ValueSearch()
    lead = set(r.groups[0]) if r.groups else set()
    direct = [p for p in r.passages if not p.widened]
    top = direct[: cfg.top]

    def holds(p: Passage) -> bool:
        return states_value(facts, p.readable) or (facts.asks == "date" and p.event_date is not None)

    idf = inp.index.bigram_idf
    about = subject(_own_words(inp), top, idf, cfg.min_subject_chars)
    pairs = {about[i:i + 2] for i in range(len(about) - 1)} if about else set()

    def names(words: str) -> bool:
        return sum(1 for g in pairs if g in words) >= cfg.subject_share * len(pairs)

    held = next((p for p in r.passages if p.chunk_id in lead and holds(p) and names(_words(p, with_notice=True))), None)
    if held is not None:
        return ValueSearch(held)

    if facts.cross_lingual:  # no word is shared with any clause (every coverage is 0): closeness in the
        near = dict(r.legs.get("cross", []))  # cross-lingual space picks the lower clauses instead
        best = max((near.get(p.chunk_id, 0.0) for p in top), default=0.0)
        candidates = top + [p for p in direct[len(top):] if near.get(p.chunk_id, -1.0) >= best]
    else:
        best = max((keyword_coverage(inp.wording, context(p), idf) for p in top), default=0.0)
        candidates = top + [p for p in direct[len(top):] if keyword_coverage(inp.wording, context(p), idf) >= best]
    held = next((p for p in candidates if holds(p) and names(_words(p, with_notice=True))), None)
    if held is not None:
        return ValueSearch(held)
    if not pairs:  # no run of the question names its subject (an English question, 容积率): the clause the answer
        return ValueSearch(left_open=next((p for p in r.passages if p.chunk_id in lead  # leads with says how the
                                           and _LEFT_OPEN.search(p.readable.replace(" ", ""))), None))  # value is set
    naming = next((p for p in [*(p for p in r.passages if p.chunk_id in lead), *candidates]
                   if names(_words(p, with_notice=True))), None)
    return ValueSearch(left_open=next((p for p in candidates if leaves_open(p, names)), None), about=naming)


def part_inputs(inp: PolicyInput) -> list[PolicyInput]:
    """A multi-part question's parts as the value rule judges them (`rag.decompose`): each part's own ask (from its
    words, as a follow-up's comes from its turn), its wording (the part with the topic it borrows), the same
    passages led by the part's best section (so the rules' top passages are the part's). [] for a question of one part, or when retrieval kept fewer parts."""
    r = inp.retrieved
    if len(r.parts) < 2 or inp.facts.cross_lingual:  # an English part has no subject run to bind its value to
        return []
    parts = split_parts(inp.question, lambda text: inp.index.places.named(matching_form(text)))
    if [p.text for p in parts] != r.parts or len(r.facet_leads) != len(parts):
        return []
    out = []
    for part, lead in zip(parts, r.facet_leads, strict=True):
        group = next((g for g in r.groups if lead in g), [lead])
        first = [p for p in r.passages if p.chunk_id in group]
        led = replace(r, groups=[group, *(g for g in r.groups if g is not group)],
                      passages=[*first, *(p for p in r.passages if p.chunk_id not in group)])
        facts = analyse(part.query, inp.index.places, turn=part.text)
        out.append(replace(inp, facts=facts, wording=inp.index.places.strip(part.query), retrieved=led, turn=part.text))
    return out


_MADE_BY = re.compile(r"制定(?:本|了)?[^。；，,]{0,30}?(?:办法|方案|细则|意见|规定|预案|计划|通知|制度|标准)[。；]?$")
"""A document's statement of what it was made by (根据《…》的要求，结合本市实际，制定本办法): how the document came to be,
not how a value is set."""


def says_how_set(text: str) -> bool:
    """Some sentence of the text says how a value is set instead of stating it (`_LEFT_OPEN`: 依法评估确定, 由…协商),
    a document's basis (`_MADE_BY`) aside. Any sentence: the question's subject (`subject`) is often a wider run than
    the thing asked (房屋征收 for 装修这块给补多少), so requiring it missed the clause that answers (装饰装修…协商确定)."""
    return any(_LEFT_OPEN.search(sentence) and not _MADE_BY.search(sentence)
               for sentence in _SENTENCES.split(text.replace(" ", "")))


def value_clause(inp: PolicyInput, cfg: PolicyConfig) -> Passage | None:
    """The clause stating the asked value that let a one-part question through `value_not_stated` (`_value_search`'s
    `held`), for the answer to show when the clauses it would quote state none (`rag.pipeline`: 征地补偿安置方案要公告多久
    led by the step's duties, 公告至少30日 in a clause further down). None when the question asks for no value,
    has several parts (each part leads with its own best clause) or the rule is off."""
    if inp.facts.asks is None or "value_not_stated" in cfg.rules_off or part_inputs(inp):
        return None
    return _value_search(inp, cfg).held


def value_not_stated(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """A question asking for an amount, a duration, a ratio, a date, a count or a contact (phone, website, e-mail)
    needs a clause that states one. When none does but a sentence naming the question's subject says how the value
    is set instead (依据实际情况结合市场行情确定, 由各县（市、区）制定), the answer is that clause, with a notice
    that no figure is set (a partial answer, `VALUE_LEFT_OPEN`); else the question is refused. A multi-part
    question is judged part by part (`part_inputs`): each part's value in the passages, led by that part's best
    section — the whole question's one ask and subject judged the second document's part by the first's words.
    Each part binds its value to a subject of its own words (`_own_words`: the part's text is its turn), not of the
    clauses before it, which it borrows only to be retrieved (晋城市政府第19次常务会议研究过…的意见，…每瓦多少钱？:
    the answering clause names 建设安装补贴, not the meeting)."""
    for one in part_inputs(inp) or [inp]:
        decision = _value_decision(one, cfg)
        if decision is not None:
            return decision
    return None


def _value_decision(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    if inp.facts.asks is None:
        return None
    found = _value_search(inp, cfg)
    if found.held is not None:
        return None
    asked = _ASKED_WORD[inp.facts.asks]
    if found.left_open is not None:
        return Decision(Outcome.ANSWER_PARTIAL, "value_not_stated", Reason.VALUE_LEFT_OPEN,
                        f"文件没有规定所问的具体{asked}，相关规定是：", lead=found.left_open.chunk_id)
    return Decision(Outcome.REFUSE, "value_not_stated", Reason.VALUE_NOT_STATED, f"相关文件没有规定所问的具体{asked}",
                    lead=found.about.chunk_id if found.about else None)



_DOCUMENT_WORD = re.compile(r"办法|方案|意见|规定|通知|细则|制度|计划|规划|预案|决定|文件|政策|措施|\b(?:measures|plan|notice|"
                            r"document|policy|opinions|regulations|rules)\b", re.I)


def term_not_stated(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question asks how long a document applies (有效期, 到期) and the document it asks about — the ones it
    names, else the one the answer leads with when it speaks of a document (该办法, 这个方案) — states no term in any
    of its texts (`LoadedIndex.unstated_terms`: many say only 自印发之日起施行): a clause about some other period
    must not answer it. A term stated anywhere in a named document's texts (its notice, the text it issues, its
    attachments) keeps the question answerable; the refusal quotes the sentence saying when it takes effect."""
    if not inp.facts.term:
        return None
    r, unstated = inp.retrieved, inp.index.unstated_terms
    if r.doc_numbers:
        asked = [p for p in r.passages if p.doc_number in r.doc_numbers]
    else:
        lead = r.direct(1)
        asked = lead if lead and _DOCUMENT_WORD.search(inp.question) else []
    if not asked or any(p.doc_id not in unstated for p in asked):
        return None
    first = asked[0]
    title = first.doc_title or first.wrapper_title
    effect = next((unstated[p.doc_id] for p in asked if unstated[p.doc_id]), "")
    note = f"《{title}》没有规定有效期" + (f"，只规定：“{effect}”" if effect else "")
    return Decision(Outcome.REFUSE, "term_not_stated", Reason.TERM_NOT_STATED, note)


def years_of(p: Passage) -> set[int]:
    """The years a passage speaks of: its document's and entry's dates, every year its title, headings and text
    name, and every year inside a span they name (2021—2022年, 2018至2020年)."""
    years = years_in(" ".join([p.doc_title, p.wrapper_title, *p.headings, p.readable]))
    return years | {d.year for d in (p.date, p.event_date) if d is not None}


def _years_note(asked: Sequence[int], have: set[int], what: str) -> str:
    """The refusal note of the year rules: the asked years no document covers, and the years of those found."""
    named = "、".join(f"{y}年" for y in asked)
    found = "、".join(f"{y}年" for y in sorted(have))
    return f"文件库中没有{named}的{what}" + (f"，找到的相关文件是{found}的" if found else "")


def year_not_covered(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question names a year (or years) and none of the retrieved clauses the answer could be built from is of
    that year or speaks of it: the documents on the topic are of other years, and answering from them would
    silently answer another year's question. Protects: '2019年的土壤污染防治行动计划…' answered from the 2018 or
    2021 plan."""
    asked = inp.facts.years
    judged = inp.retrieved.passages
    if not asked or not judged:
        return None
    covered = set().union(*(years_of(p) for p in judged))
    if covered & set(asked):
        return None
    have = {p.date.year for p in judged if p.date} | {p.event_date.year for p in judged if p.event_date}
    note = _years_note(asked, have, "相关文件")
    return Decision(Outcome.REFUSE, "year_not_covered", Reason.YEAR_NOT_COVERED, note)


def edition_years(p: Passage) -> set[int]:
    """The years a passage's document is of: its date's, and every year (or span) its title and its notice's title
    name (晋城市土壤污染防治2018年行动计划, …2021—2025年规划) — not the years its text speaks of."""
    dated = {d.year for d in (p.date, p.event_date) if d is not None}  # a 大事记 entry is of its day's year
    return years_in(f"{p.doc_title} {p.wrapper_title}") | dated


_REPEALS = re.compile(r"废止|作废|停止执行|不再执行|失效|代替|取代")


def repealed_years(p: Passage) -> set[int]:
    """The years of the documents a clause says are repealed or replaced: every year named (晋市政办〔2015〕39号, 2015年
    印发的…) in a sentence of it saying so (…（长政办发〔2015〕76号）同时废止)."""
    text = p.readable.replace(" ", "").replace("\n", "")
    return set().union(*(years_in(s) for s in _SENTENCES.split(text) if _REPEALS.search(s)))


def edition_not_covered(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question names a year as a document's or an edition's (2020年版的…实施办法, 2020年的水污染防治计划,
    2017年度宣传月: `QueryFacts.editions`) and no retrieved clause is of a document of that year: the documents found
    are other years' editions, whose texts may still speak of the year (到2020年完成…, 中办发〔2020〕35号) — which
    `year_not_covered` accepts — but do not say what that year's document says. Asked whether that edition is still
    in force (还有效吗, 被什么取代了: `QueryFacts.in_force`), a retrieved clause repealing it (…〔2015〕76号）同时废止)
    answers: `repealed_years`."""
    asked, judged = inp.facts.editions, inp.retrieved.passages
    if not asked or not judged:
        return None
    editions = [edition_years(p) for p in judged]
    if set().union(*editions) & set(asked):
        return None
    if inp.facts.in_force and set().union(*(repealed_years(p) for p in judged)) & set(asked):
        return None  # asked whether the old edition still applies: the clause repealing it answers
    note = _years_note(asked, set().union(*editions[: cfg.top]), "这份文件")
    return Decision(Outcome.REFUSE, "edition_not_covered", Reason.YEAR_NOT_COVERED, note)


def days_of(p: Passage) -> set[tuple[int, int]]:
    """The (month, day) pairs a passage speaks of: its document's and entry's dates and every 3月22日 it names."""
    text = " ".join([p.doc_title, *p.headings, p.readable]).replace(" ", "")
    days = {(int(m), int(d)) for m, d in MONTH_DAY.findall(text)}
    return days | {(d.month, d.day) for d in (p.date, p.event_date) if d is not None}


def day_not_covered(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question names a day (3月22日) and no retrieved clause is of that day or speaks of it: a chronicle
    entry or a dated act the documents do not record, which a neighbouring day's entry must not answer.
    Protects: '2月30日市政府开了什么会？' answered with the 2月28日 entry."""
    asked = inp.facts.days
    passages = inp.retrieved.passages
    if not asked or not passages:
        return None
    if set(asked) & set().union(*(days_of(p) for p in passages)):
        return None
    named = "、".join(f"{m}月{d}日" for m, d in asked)
    return Decision(Outcome.REFUSE, "day_not_covered", Reason.DAY_NOT_COVERED, f"找到的相关文件中没有{named}的记载")


def occurrences(question: str, heads: frozenset[str]) -> set[tuple[int, str]]:
    """The ordinals of the question that name an occurrence of a series the corpus numbers the same way (`heads`,
    `ordinal_heads`) — the same character follows the unit: 第73次常务会议 (the corpus has 第20次常务会议), 第五次全会
    (第四次全体会议) — not 第一次刻章 (no 第…次刻… anywhere: "for the first time")."""
    q = matching_form(question).replace(" ", "")
    out: set[tuple[int, str]] = set()
    for m in ORDINAL.finditer(q):
        joined = re.match(rf"(?:[和与及、或至到—-]第?[{CN_NUM}\d]+{m.group(2)})+", q[m.end():])  # 第71次和第72次常务会议
        end = m.end() + (joined.end() if joined else 0)
        after = q[end:end + 1]  # one character: 第五次全会 is of the series the corpus writes 第四次全体会议
        if after and m.group(2) + after in heads:
            out |= set(ordinals_in(m.group(0)))
    return out


_TERM_AND_SESSION = re.compile(rf"([{CN_NUM}\d]+)届[\u4e00-\u9fff]{{0,3}}?([{CN_NUM}\d]+)次")
"""A term and session written without 第 (市委七届四次全会, 市十四届人大五次会议)."""


def spoken_ordinals(text: str) -> set[tuple[int, str]]:
    """The numbered occurrences a clause speaks of: `ordinals_in`, and a term and session written without 第."""
    out = set(ordinals_in(text))
    for m in _TERM_AND_SESSION.finditer(text.replace(" ", "")):
        out |= set(ordinals_in(f"第{m.group(1)}届第{m.group(2)}次"))
    return out


def ordinal_not_covered(inp: PolicyInput, cfg: PolicyConfig) -> Decision | None:
    """The question names a numbered occurrence (第73次常务会议, 第二十一期讲座, 第七届…第五次全体会议) and no retrieved
    clause speaks of it (with the other numbers it is named by): a meeting or session the documents do not record,
    which a neighbouring one (第72次, 第七届…第四次) must not answer. An English question's occurrences are read in
    English (the 73rd executive meeting: `ORDINAL_EN`); its retrieval misses more, so it is refused only when a clause
    speaking of a neighbouring occurrence of the same kind (at most `ordinal_neighbour` away) was retrieved — the
    case the rule protects against — not when the question names the occurrence as context of another part."""
    passages = inp.retrieved.passages
    # an English question's ordinals are read with their kind of occurrence (ORDINAL_EN): they are occurrences
    asked = set(inp.facts.ordinals) if inp.facts.cross_lingual else \
        set(inp.facts.ordinals) & occurrences(inp.question, inp.index.ordinal_heads)
    if not asked or not passages:
        return None
    spoken = [spoken_ordinals(" ".join([p.doc_title, *p.headings, p.readable])) for p in passages]
    # one asked occurrence must be spoken of together with those of its other units (第七届…第五次 is not 第七届…第四次);
    # two of the same unit are alternatives (第71次和第72次)
    if any(any({o} | {x for x in asked if x[1] != o[1]} <= said for said in spoken) for o in asked):
        return None
    if inp.facts.cross_lingual and not any(
            unit == other and 0 < abs(n - m) <= cfg.ordinal_neighbour for n, unit in asked for said in spoken for m, other in said):
        return None  # an English question's retrieval may miss the series altogether: refused when a neighbour came instead
    named = "、".join(f"第{n}{unit}" for n, unit in inp.facts.ordinals)
    return Decision(Outcome.REFUSE, "ordinal_not_covered", Reason.ORDINAL_NOT_COVERED, f"找到的相关文件中没有{named}的记载")


Rule = Callable[[PolicyInput, PolicyConfig], "Decision | None"]
RULES: tuple[tuple[str, Rule], ...] = (
    ("city_not_in_corpus", city_not_in_corpus),
    ("out_of_scope_topic", out_of_scope_topic),
    ("wrong_city", wrong_city),
    ("not_relevant", not_relevant),
    ("year_not_covered", year_not_covered),
    ("edition_not_covered", edition_not_covered),
    ("day_not_covered", day_not_covered),
    ("ordinal_not_covered", ordinal_not_covered),
    ("attachment_not_printed", attachment_not_printed),
    ("table_not_printed", table_not_printed),
    ("unprinted_attachment", unprinted_attachment),
    ("row_not_printed", row_not_printed),
    ("list_not_printed", list_not_printed),
    ("set_not_listed", set_not_listed),
    ("term_not_stated", term_not_stated),
    ("value_not_stated", value_not_stated),
)
"""The rules in the order they decide (the first that refuses wins)."""
RULE_NAMES = tuple(name for name, _ in RULES)

@dataclass(frozen=True)
class Verdict:
    """The deciding decision (None: a plain answer) and every rule that refused, in order (for the trace and the
    evals). A partial answer decides only when no rule refuses."""

    decision: Decision | None
    fired: tuple[Decision, ...]


def decide(inp: PolicyInput, cfg: PolicyConfig) -> Verdict:
    """Run every enabled rule; the first that objects decides."""
    decisions = [d for name, rule in RULES if name not in cfg.rules_off and (d := rule(inp, cfg)) is not None]
    refusals = tuple(d for d in decisions if d.outcome is Outcome.REFUSE)
    return Verdict(refusals[0] if refusals else (decisions[0] if decisions else None), refusals)


def wants_wider(inp: PolicyInput, cfg: PolicyConfig) -> bool:
    """Whether retrieval should also rank without the city filter, for `wrong_city`: the question named the
    city, the rule is on, and the named city's documents do not already answer well (`strong_coverage`; a question
    in another language shares no words with them, so its coverage says nothing: it always looks)."""
    if "wrong_city" in cfg.rules_off or not inp.facts.city:
        return False
    return not inp.retrieved.passages or inp.facts.cross_lingual or inp.signals.coverage < cfg.strong_coverage
