"""Follow-up rewriting: a question asked after others becomes a standalone question, so retrieval sees the topic.

Offline, an elliptical question ("那长治呢？", "第二步具体要做什么？") borrows its topic from the previous turn. In
LLM mode the model condenses history + question (`llm_rewrite`); a failed call or an unusable reply (empty,
several lines, far longer than the conversation) falls back to the offline rewrite."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.places import ROMANISED, Places
from rag.query import analyse, asks_something, is_cross_lingual
from textnorm import CN_NUM

# longest first: 那么/那这个 before 那, 其中 before 其 (else "其中技术合同…" loses only 其 and keeps 中)
_FOLLOW_MARKERS = re.compile(r"^(?:那这个|那么|那|这个|该|它|其中|其|此|还有|另外|此外|然后|接着|具体|详细)")
_STEP_ONLY = re.compile(r"^第[一二三四五六七八九十\d]+(?:步|项|个环节|条)")
_TRAILING = re.compile(r"[呢吗啊？?。！!，,\s]+$")
_MIN_STANDALONE = 12
_AGAIN = re.compile(r"又|也")  # a follow-up asking the earlier question's thing again, of another document
# English follow-ups: opened by And / What about / What if / Then…, or pointing back (that money, this, it) in a
# question of a few words; "Which villages exactly?" without either is read as standalone
_FOLLOW_EN = re.compile(r"^(?:and|what about|how about|what if|then|also|so|once|in that case)\b[\s,]*", re.I)
_POINTS_BACK_EN = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|the same)\b", re.I)
_TRAILING_EN = re.compile(r"[?？.!！,，\s]+$")
_MAX_POINTING_WORDS = 12
_YEAR_EN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def is_elliptical(question: str) -> bool:
    q = _TRAILING.sub("", question.strip())
    return bool(_FOLLOW_MARKERS.match(q) or _STEP_ONLY.match(q)) or len(q) <= 6


def _move_year(previous: str, asked: tuple[int, ...], before: tuple[int, ...]) -> str:
    """The previous question about the one year the follow-up names instead of the one it named (那2019年的呢？
    after a 2018 question): the follow-up moves the topic, it does not add a second year."""
    if len(asked) == 1 and len(before) == 1 and asked != before:
        return re.sub(rf"{before[0]}\s*年", f"{asked[0]}年", previous)
    return previous


def _move_ordinal(previous: str, asked: tuple[tuple[int, str], ...], before: tuple[tuple[int, str], ...]) -> str:
    """The same for a numbered occurrence (那第26次呢？ after 第21次常务会议)."""
    if len(asked) == 1 and len(before) == 1 and asked != before and asked[0][1] == before[0][1]:
        return re.sub(rf"第[{CN_NUM}\d]+{before[0][1]}", f"第{asked[0][0]}{asked[0][1]}", previous, count=1)
    return previous


def is_elliptical_en(question: str) -> bool:
    """An English follow-up that leans on the previous turn: opened by a follow-up word, or a short question that
    points back (How much of that money…?, Once it is launched…)."""
    q = question.strip()
    return bool(_FOLLOW_EN.match(q)) or (bool(_POINTS_BACK_EN.search(q)) and len(q.split()) <= _MAX_POINTING_WORDS)


def _swap_en(previous: str, city: str, places: Places) -> str:
    """`previous` moved to `city`: the Chinese names as `Places.swap` does, the romanised names of the other cities'
    places replaced by the city's (an English chat: What about Changzhi? after a Jincheng question)."""
    if not is_cross_lingual(previous):
        return places.swap(previous, city)
    out = previous
    for other, names in places.cities.items():
        if other != city:
            for name in names:
                if roman := ROMANISED.get(name):
                    out = re.sub(rf"\b{roman}\b", ROMANISED.get(city, city).title(), out, flags=re.I)
    return out if out != previous else f"{ROMANISED.get(city, city).title()}: {previous}"


def _rewrite_en(question: str, previous: str, places: Places) -> str:
    """An English follow-up (`is_elliptical_en`) with the previous turn's topic (the previous question, in its own
    language, moved to the city or year the follow-up names) before it."""
    core = _TRAILING_EN.sub("", _FOLLOW_EN.sub("", question.strip()))
    facts, before = analyse(question, places), analyse(previous, places)
    if facts.city and facts.city != before.city:
        previous = _swap_en(previous, facts.city, places)
        if len(core.split()) <= 3:
            return previous  # What about Changzhi? → the previous question, about 长治
    years = tuple(dict.fromkeys(int(y) for y in _YEAR_EN.findall(question)))
    previous = _move_year(previous, years, before.years) if before.years else previous
    return f"{_TRAILING.sub('', previous)}，{core}" if core else previous


Documents = Callable[[str], tuple[list[str], str]]
"""The documents a text names (their 文号, by 文号 or by title) and the text without those names
(`rag.retrieve.named_documents` over the index)."""


_EMPTY_TITLE = re.compile(r"《[\s()（）试行暂]*》")  # what is left of 《…（试行）》 once its name is taken out


def _document_switch(question: str, previous: str, documents: Documents) -> str | None:
    """Named rule `document_switch`: a follow-up naming a document the earlier question did not name moves the
    chat to that document, so the earlier question is borrowed without the documents it names: else the rewrite
    names both and retrieval compares them ("那2021年12月出的…实施办法有效期又是多久？" after a question naming
    another 办法). None when the follow-up names no document, or one the earlier question named."""
    new, _ = documents(question)
    if not new:
        return None
    old, rest = documents(previous)
    if not old or set(new) & set(old):
        return None
    return _EMPTY_TITLE.sub(" ", rest).strip()


def _names_own_document(question: str, previous: str, documents: Documents) -> bool:
    """Named rule `own_document_stands`: a follow-up that names a document the earlier question did not name and asks
    something by its own words ("那《…实施意见》呢？它的试行期是多久？") is standalone — the document is its topic, and
    the earlier question's words were about another document's clauses. One asking it again (有效期又是多久, 也…吗)
    compares the two documents: it keeps the earlier question (`_document_switch`)."""
    new, rest = documents(question)
    return bool(new) and not set(new) & set(documents(previous)[0]) and asks_something(rest) \
        and not _AGAIN.search(rest)


def rewrite(question: str, history: Sequence[str], places: Places, documents: Documents | None = None) -> str:
    """The standalone form of `question` given the earlier user questions (oldest first); `documents` (the index's
    document names) lets a follow-up naming another document move to it (`_document_switch`)."""
    if not history:
        return question.strip()
    previous = rewrite(history[-1], history[:-1], places, documents)
    if is_cross_lingual(question):
        return _rewrite_en(question, previous, places) if is_elliptical_en(question) else question.strip()
    if documents is not None and _names_own_document(question, previous, documents):
        return _FOLLOW_MARKERS.sub("", question.strip())
    switched = _document_switch(question, previous, documents) if documents is not None else None
    previous = switched or previous
    if not is_elliptical(question) and len(_TRAILING.sub("", question)) >= _MIN_STANDALONE:
        return question.strip()
    facts = analyse(question, places)
    core = _FOLLOW_MARKERS.sub("", _TRAILING.sub("", question.strip()))
    before = analyse(previous, places)
    if facts.city and facts.city != before.city:
        previous = places.swap(previous, facts.city)  # the topic carries over, the place is the new one
        if len(core) <= 6:
            return previous  # 那长治呢？ → the previous question, about 长治
    previous = _move_ordinal(_move_year(previous, facts.years, before.years), facts.ordinals, before.ordinals)
    previous_core = _TRAILING.sub("", previous)
    return f"{previous_core}，{core}" if core else previous


REWRITE_PROMPT = (
    "你负责把对话中的追问改写成一个独立、完整的问题，供检索政府文件使用。\n"
    "要求：补全追问省略的主题、城市、文件或步骤；保留原问题的用词和具体要求；不要回答问题；"
    "只输出改写后的一个问题，不加解释。如果追问本身已经完整，原样输出。"
)


def rewrite_messages(question: str, history: Sequence[str]) -> list[dict[str, str]]:
    turns = "\n".join(f"{n}. {q}" for n, q in enumerate(history, 1))
    return [
        {"role": "system", "content": REWRITE_PROMPT},
        {"role": "user", "content": f"之前的问题：\n{turns}\n\n追问：{question}\n\n改写后的问题："},
    ]


def usable_rewrite(reply: str, question: str, history: Sequence[str]) -> str | None:
    """The model's rewrite when it is one plausible question; None when it is empty, several lines, an answer-sized
    text, or lost every character of the follow-up."""
    text = reply.strip().strip("“”\"'「」")
    text = re.sub(r"^(?:改写后的问题|问题)[:：]\s*", "", text)
    if not text or "\n" in text:
        return None
    if len(text) > 2 * (len(question) + sum(len(h) for h in history[-2:])) + 20:
        return None
    core = _FOLLOW_MARKERS.sub("", _TRAILING.sub("", question.strip()))
    if core and not set(core) & set(text):
        return None
    return text


def llm_rewrite(question: str, history: Sequence[str], chat: Callable[[list[dict[str, str]]], str],
                places: Places, documents: Documents | None = None) -> tuple[str, str]:
    """(standalone question, how it was made: "none" | "llm" | "offline" | "offline (LLM …)")."""
    if not history:
        return question.strip(), "none"
    try:
        text = usable_rewrite(chat(rewrite_messages(question.strip(), history)), question, history)
    except Exception as err:  # timeout, connection refused, HTTP error: the offline rewrite still works
        return rewrite(question, history, places, documents), f"offline (LLM {type(err).__name__})"
    if text is None:
        return rewrite(question, history, places, documents), "offline (LLM reply unusable)"
    return text, "llm"
