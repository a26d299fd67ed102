"""Document metadata read from the text: gazette issue, city, document type, signature date, validity."""

from __future__ import annotations

import re
from datetime import MAXYEAR, date, timedelta

from ingest import patterns
from ingest.records import Validity
from textnorm import CN_NUM, cn_to_int

_GAZETTE_RE = re.compile(
    r"([\u4e00-\u9fff]{2,6}市)人民政府公报\s*[（(]\s*(\d{4})\s*\.\s*(\d{1,2})\s*[）)]"
)
_MASTHEAD_RE = re.compile(r"(\d{4})\s*年?\s*第\s*(\d{1,2})\s*期")
_CITY_RE = re.compile(r"([\u4e00-\u9fff]{2,3})市人民政府")
_EFFECTIVE_RE = re.compile(
    r"自\s*(?:(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(印发|公布|发布|颁布)之日)\s*起\s*(?:施行|实施|执行|试行)"
)
_TERM_RE = re.compile(rf"有效期\s*(?:为)?\s*([{CN_NUM}\d]+)\s*年")
_EXPIRY_RE = re.compile(r"有效期至\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TYPE_WORDS = (
    "实施细则", "实施办法", "暂行办法", "管理办法", "考核办法", "办法", "实施意见", "意见", "实施方案", "工作方案",
    "考核方案", "方案", "应急预案", "预案", "规划", "制度", "决定", "行动计划", "计划", "细则", "规定", "通知",
)


def gazette_of(raw: str, fallback: str) -> tuple[str, str]:
    """(city, gazette issue) from a running header (晋城市人民政府公报（2018. 4）) or a masthead (2018年第1期)."""
    head = raw[:20000]
    m = _GAZETTE_RE.search(head)
    if m:
        city, year, issue = m.groups()
        return city.removesuffix("市"), f"{city}人民政府公报（{year}.{int(issue)}）"
    cities = _CITY_RE.findall(head)
    city = max(set(cities), key=cities.count) if cities else fallback
    mm = _MASTHEAD_RE.search(head)
    issue = f"{mm.group(1)}年第{mm.group(2)}期" if mm else fallback
    return city, f"{city}市人民政府公报 {issue}"


def doc_type_of(title: str) -> str:
    t = re.sub(r"[（(](?:试行|\d{4}\s*[—–-]+\s*\d{4}\s*年|\d{4}\s*年)[）)]|[》”\"]", "", title)
    for word in _TYPE_WORDS:
        if t.endswith(word):
            return word
    return "其他"


def parse_date(text: str) -> date | None:
    m = patterns.DATE_RE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _date(year: str, month: str, day: str) -> date | None:
    """The stated date, or None when the text states an impossible one (2021年2月30日, 0000年)."""
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _term_end(effective: date, term: str) -> date | None:
    """The last day of a term of `term` years: the day before the anniversary (for 29 February in a common year
    the anniversary is 1 March, so the term ends on 28 February). None for a term that is no number of years
    (零, 1十) or that ends past the calendar."""
    try:
        years = cn_to_int(term)
    except ValueError:
        return None
    year = effective.year + years
    if years < 1 or year > MAXYEAR:
        return None
    try:
        anniversary = effective.replace(year=year)
    except ValueError:
        anniversary = date(year, 3, 1)
    return anniversary - timedelta(days=1)


def validity_of(text: str, signed: date | None) -> Validity:
    """施行 date and 有效期 as stated in the text; the expiry is the day before the term's anniversary.

    "自印发之日起施行" takes the signature date; with no date at all nothing is guessed."""
    flat = re.sub(r"\s+", "", text)
    effective: date | None = None
    statement = ""
    found = list(_EFFECTIVE_RE.finditer(flat))  # the closing clause comes last; earlier ones may cite other texts
    m = found[-1] if found else None
    if m:
        statement = _sentence_around(flat, m.start())
        effective = _date(m.group(1), m.group(2), m.group(3)) if m.group(1) else signed
    expires: date | None = None
    e = _EXPIRY_RE.search(flat)
    if e:
        expires = _date(e.group(1), e.group(2), e.group(3))
        statement = statement or _sentence_around(flat, e.start())
    else:
        t = _TERM_RE.search(flat)
        if t and effective is not None:
            expires = _term_end(effective, t.group(1))
            statement = statement or _sentence_around(flat, t.start())
    return Validity(effective=effective, expires=expires, statement=statement)


def _sentence_around(text: str, pos: int) -> str:
    start = max(text.rfind("。", 0, pos), text.rfind("\n", 0, pos)) + 1
    end = text.find("。", pos)
    return text[start: end + 1 if end >= 0 else len(text)]
