"""Question decomposition: a question that asks several things becomes its parts, each retrieved on its own.

`split_parts` serves the class of multi-part questions: two or more questions in one turn (…是谁？…多长时间？),
clauses joined by 另外/还有/以及/同时/并且/此外 or asking 又…/…呢 after a first question (X是多少，Y又是多少), and
two things of one kind asked for separately (2022年和2025年…分别, 第71次和第72次…分别, 机关事业单位和一般企业分别…).
Each part keeps the question's shared context: the clauses before the first question (交通强国行动计划里，/
在长治，), and — for a part too short to stand alone (防火高风险期呢？, 电话多少？) — the first part, as a follow-up
borrows its topic (`rag.followup.rewrite`). A question that asks one thing gives no parts, so it is retrieved
exactly as before: a list of nouns joined by 和/、 (董事长、总经理多久…; 标准和程序) is one question unless 分别/各 asks
for each.

Measured on the dev split (93 questions split, 76 answerable): each part's best section follows the whole
question's ranking (`rag.retrieve.HybridRetriever._decomposed`) and the offline answer leads with one section per
part: ranking figures unchanged, key-fact recall of those questions 0.798 → 0.827. Parts taking turns in the top k
lost hit@5 and all evidence@5 there, so they do not.

Two sides compared (2018年和2021年定的目标有什么变化, A和B的规定一样吗) are asked each, as 分别 asks; a later part
that opens a subject of its own (另外，领完失业保险金…能拿什么补助) and points back to nothing borrows nothing from
the first part or the clauses before it (they were ranking the first part's document for it). With the retrieval changes of the same
commit (parts in their own city, a part's lead from another document among the top hits), on the dev split (727,
one index): the 45 two-document questions (`dev_e6`) hit@5 0.760 → 0.800, all evidence@5 0.400 → 0.440, key facts
0.558 → 0.572; multi-part (89) hit@5 0.888 → 0.910, all evidence 0.719 → 0.742; all answerable hit@5 0.923 →
0.927, all evidence 0.869 → 0.875, refusals unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.followup import is_elliptical
from rag.query import ASKING_WORDS, is_cross_lingual

# a clause asks something: a question word, or a question particle at its end
_ASKS = re.compile(ASKING_WORDS + "|呢")
_SENTENCE_END = re.compile(r"[？?；;。！!]+")
_CLAUSE_BREAK = re.compile(r"[，,]")
# a clause that opens a further question after a first one (另外…, 还有…, Y又是多少, 那Y呢)
_JOINED = re.compile(r"^(?:另外|还有|以及|同时|并且|此外|而且|那么?)|又|呢$")
# two things of one kind asked for each: 2022年和2025年…分别, 第71次和第72次…分别, A和B分别/各自/各是
_EACH = re.compile(r"分别|各自|各是|各有|各为|各多少|各几"
                   # … or compared (2018年和2021年定的目标有什么变化, A和B的规定一样吗)
                   r"|有(?:什么|何|哪些)(?:变化|不同|区别|差别|异同)|(?:一样|相同|一致)吗|区别是什么")
_ORDINAL_PAIR = re.compile(r"(?P<a>第[\d一二三四五六七八九十百]+)(?:[次期届批])?(?:和|与|及|、)(?P<b>第[\d一二三四五六七八九十百]+)(?P<unit>[次期届批])")
# one side of a pair: words up to a clause break or 的; a bracket stays whole (各县（市、区）)
_SIDE = r"(?:（[^）]*）|\([^)]*\)|[^，,。；;？?、（(和与及的])"
_PAIR = re.compile(rf"(?P<a>{_SIDE}{{2,20}}?)(?:和|与|以及|及)(?P<b>{_SIDE}{{2,20}})")
_NUMBER_LED = re.compile(r"(?<!\d)\d.*$")
_PAIR_START = re.compile(r"^(?:在|对|关于|就|其中|请问)")
# a question word, and the words before it that only lead up to it (由谁, 从什么时候, 要满多少): the topic ends before
_TOPIC_END = re.compile(r"(?:由|是|在|从|要|需要|应|的|按|对|有)*(?:" + _ASKS.pattern + ")")
_FOLLOW = re.compile(r"^(?:那么?|还有|另外|此外)")
# a later part that opens a new subject (另外…, 此外…) and points back to nothing (这个部门, 该办法, 它…) stands alone:
# it keeps neither the first part's topic nor the leading clauses (晋城农村公路的日常养护钱，…各出多少比例？另外…:
# those clauses are the first part's topic, not the other subject's)
_NEW_SUBJECT = re.compile(r"^(?:另外|此外|还有|同时|以及|而且)[，,、\s]*")
_POINTS_BACK = re.compile(r"这|那|该|其|它|此|上述|前面")
_MIN_PART = 4  # a part shorter than this (in characters, particles aside) is not a question of its own
_TRAILING = re.compile(r"[呢吗啊？?。！!，,\s]+$")


Named = Callable[[str], list[str]]


@dataclass(frozen=True)
class Part:
    """One part of a multi-part question. text: the part as asked; query: what retrieval ranks (the part with the
    question's shared context)."""

    text: str
    query: str


def _asks(clause: str) -> bool:
    return bool(_ASKS.search(clause))


def _core(text: str) -> str:
    return _TRAILING.sub("", text.strip())


def topic(first: str) -> str:
    """What the first part asks about: its words before the question word (干洗店的挥发性有机物治理 of
    干洗店的挥发性有机物治理由谁负责), the context a later part that names no subject of its own borrows."""
    m = _TOPIC_END.search(first)
    return first[: m.start()].strip("，, ") if m else _core(first)


def _with_context(context: str, part: str, first: str, named: Named | None = None) -> str:
    """The part as retrieval ranks it: after the shared context and, for a later part, after the first part's
    topic — or, when it only changes a condition of the first (防火高风险期呢？, 电话多少？), after the whole first
    part, as a follow-up borrows its topic. A part naming a place of its own other than the first part's (`named`:
    太行一号旅游公路，长治2020年打算新开工多少公里？晋城那条环线一共有多长？) asks about that place: it keeps the shared
    context only, as two cities compared are each asked on their own."""
    query = part
    rest = _NEW_SUBJECT.sub("", part.strip(), count=1)
    if first and rest != part.strip() and len(_core(rest)) >= 6 and not _POINTS_BACK.search(rest):
        return part  # 另外，领完失业保险金还没找到工作的能拿什么补助: a subject of its own, nothing to borrow
    if named and first and len(_core(part)) >= 6:
        own = set(named(part))
        if own and own != set(named(first)):
            return f"{context}，{part}" if context else part
    if first and first != part:
        borrowed = _core(first) if is_elliptical(part) or len(_core(part)) < 6 else topic(first)
        if borrowed and borrowed not in part:
            query = f"{borrowed}，{_core(part)}"
    if context and context not in query:
        query = f"{context}，{query}"
    return query


def _stands_alone(clause: str, after_question: bool = False) -> bool:
    """A clause asks a question of its own: a question word and more than a few characters (补几年 repeats the ask
    of the clause before); after a first question, X呢 asks it again about X (夜间呢). Opening a question, 那长治呢
    only moves it: context."""
    core = _FOLLOW.sub("", _core(clause))
    if after_question and clause.rstrip("？?").endswith("呢") and len(core) >= 2:
        return True
    return _asks(clause) and len(core) >= _MIN_PART


_ASKS_WORD = re.compile(ASKING_WORDS)
_DOCUMENT = re.compile(r"《|〔\d{4}〕")


def _moves_topic(clause: str, named: Named | None) -> bool:
    """An opening X呢 that asks nothing else and moves the question to another thing — after 那, or naming a document
    or a corpus place (那《…实施意见》呢, 长治那边呢): the context of what follows it, not a part of its own (它的试行期是多久
    is asked of that document). 联系电话呢 opening without either stays a part: it asks for the thing it names."""
    core = clause.strip().rstrip("？?")
    if not core.endswith("呢") or _ASKS_WORD.search(core):
        return False
    return bool(_FOLLOW.match(core) or _DOCUMENT.search(core) or (named is not None and named(core)))


def _questions(question: str, named: Named | None = None) -> tuple[str, list[str]]:
    """(shared context, the question clauses): sentences ending in ？/；/。 are cut first, then clauses a joining
    word opens; leading clauses that ask nothing of their own, or only move the topic (`_moves_topic`), are the
    context every part shares."""
    context: list[str] = []
    questions: list[str] = []
    for sentence in (s.strip() for s in _SENTENCE_END.split(question) if s.strip()):
        current: list[str] = []
        for clause in (c.strip() for c in _CLAUSE_BREAK.split(sentence) if c.strip()):
            if not questions and not current and (not _stands_alone(clause) or _moves_topic(clause, named)):
                context.append(_core(clause))  # 交通强国行动计划里，… / 在长治，… / 那长治呢？…
                continue
            if current and _asks("，".join(current)) and _asks(clause) and _JOINED.search(clause):
                questions.append("，".join(current))
                current = []
            current.append(clause)
        if not current:
            continue
        if questions and not _stands_alone("，".join(current), after_question=True):
            questions[-1] += "，" + "，".join(current)  # a short tail (…吗？) belongs to the question before
        else:
            questions.append("，".join(current))
    return "，".join(context), questions


def _pair_parts(question: str) -> list[str]:
    """Two things of one kind asked for each (A和B分别…, 2022年和2025年…各是): the question once per thing, with
    分别/各 dropped."""
    each = _EACH.search(question)
    if not each:
        return []
    before = question[: each.start()]
    m = _ORDINAL_PAIR.search(before)
    if m:
        sides = (m.group("a") + m.group("unit"), m.group("b") + m.group("unit"))
    else:
        m = next((p for p in reversed(list(_PAIR.finditer(before)))), None)
        if m is None:
            return []
        a, b = _PAIR_START.sub("", m.group("a")), m.group("b")
        shape = _NUMBER_LED.search(a) if b[0].isdigit() else None  # 覆盖率2023年和2030年: the years are the sides
        sides = (shape.group(0) if shape else a, b)
    head = question[: m.start()] + (m.group("a")[: len(m.group("a")) - len(sides[0])] if m.re is _PAIR else "")
    tail = question[m.end():]
    return [head + side + _EACH.sub("", tail, count=1) for side in sides]


# an English question's parts: its sentences ending in ?, and a clause opened by ", and" + a question word
_SENTENCE_EN = re.compile(r"(?<=\?)\s+|;\s+")
_AND_ASKS_EN = re.compile(r",?\s+and\s+(?=(?:what|how|who|whom|when|where|which|whether|why|is|are|was|were|does|do|did|can|"
                          r"could|will|would|should|must|has|have)\b)", re.I)
_OPENER_EN = re.compile(r"^(?:and|also|plus|besides|in addition)\b[,\s]*", re.I)
_ONLY_MOVES_EN = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\b", re.I)
_MIN_WORDS_EN = 3  # fewer words (What about X?) are not a question of their own
_SHORT_EN = 7  # a later part of fewer words (and what is the full score?) borrows the first part as its topic


def _words_en(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text))


def split_parts_en(question: str) -> tuple[Part, ...]:
    """The parts of an English multi-part question: two or more sentences asking (…? And for a small enterprise?),
    or a clause opened by ', and what/how/who…' after a first question; a part too short to stand alone is asked
    after the first part (its topic)."""
    pieces = [p.strip() for sentence in _SENTENCE_EN.split(question.strip()) for p in _AND_ASKS_EN.split(sentence)]
    pieces = [p for p in pieces if p]
    if any(_ONLY_MOVES_EN.match(p) for p in pieces):
        return ()  # What about Changzhi? How much…: a follow-up moving its topic, one question
    if len(pieces) < 2 or any(_words_en(p) < _MIN_WORDS_EN for p in pieces[1:]) or _words_en(pieces[0]) < _MIN_WORDS_EN:
        return ()
    first = pieces[0].rstrip("?,; ")
    parts = [Part(first, first)]
    for piece in pieces[1:]:
        text = _OPENER_EN.sub("", piece).rstrip("?,; ")
        query = f"{first}, {text}" if _words_en(text) < _SHORT_EN else text
        parts.append(Part(text, query))
    return tuple(parts)


def split_parts(question: str, named: Named | None = None) -> tuple[Part, ...]:
    """The parts of a multi-part question, in the order asked; () when it asks one thing (retrieve it whole).
    named: the corpus places a text names (`rag.places.Places.named`), which tells a part asking about a place of its
    own (`_with_context`)."""
    if is_cross_lingual(question):
        return split_parts_en(question)
    context, questions = _questions(question, named)
    questions = [q for q in questions if len(_core(q)) >= 2]
    if len(questions) >= 2:
        first = questions[0]
        return tuple(Part(q, _with_context(context, q, first if i else "", named)) for i, q in enumerate(questions))
    sides = _pair_parts(question.strip())
    if len(sides) >= 2 and len(set(sides)) == len(sides):
        return tuple(Part(s, s) for s in sides)
    return ()


__all__ = ["Part", "split_parts", "split_parts_en"]
