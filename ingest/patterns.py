"""The vocabulary of gazette text: 文号, issuers, dates, headings and numbering tokens.

Every stage (repair, segmentation, chunking) recognises lines with these functions, so a rule lives in one place.
The 文号 pattern, its canonical form and Chinese numerals are in `textnorm` (shared with the readers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textnorm import CN_NUM, DOCNO_RE, cn_to_int

DOCNO_LINE_RE = re.compile(r"^\s*" + DOCNO_RE.pattern + r"\s*$")

ISSUER_RE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,6}市)(?:人民政府(?:办公厅|办公室)?|行政审批服务管理局|公安局|[\u4e00-\u9fff]{2,10}(?:局|委员会|中心|支行))$"
    r"|^国家税务总局[\u4e00-\u9fff]{2,8}税务局$|^中国人民银行[\u4e00-\u9fff]{2,10}支行$"
)
# "晋城市人民政府办公厅关于印发…的通知": issuer and title printed on one line.
ISSUER_TITLE_RE = re.compile(r"^([\u4e00-\u9fff]{2,6}市人民政府(?:办公厅|办公室)?)\s*((?:关于|印发).+)$")
DATE_LINE_RE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
PUBLIC_NOTE_RE = re.compile(r"^[（(]\s*此件公开发布\s*[）)]$")
NOTICE_WORD_RE = re.compile(r"^通\s*知$")
# A running header such as 晋城市人民政府公报（2018. 4） 市政府文件.
RUNNING_HEADER_RE = re.compile(r"人民政府公报\s*[（(]\s*\d{4}\s*\.\s*\d+\s*[）)]")
PAGE_NUMBER_RE = re.compile(r"^\s*·\s*·\s*\d+\s*$")
# a line that is only a table's label (附表1：), before the table it names; group 1 is the label without the colon
TABLE_LABEL_RE = re.compile(r"^(附表\s*[0-9０-９]{1,2})\s*[:：]?$")
CHRONICLE_TITLE_RE = re.compile(r"^[\u4e00-\u9fff]{2,8}市人民政府\s*(\d{1,2})\s*月\s*大事记$")
CHRONICLE_ENTRY_RE = re.compile(r"^(※)?\s*(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日(?:\s*至\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*日)?")
ATTACHMENT_LABEL_RE = re.compile(r"^(附件|附表|附录)\s*([0-9０-９一二三四五六七八九十]*)\s*[:：]?\s*(.*)$")
# Closing sentences of a document: 本办法自…起施行 / 本方案自印发之日起实施 / …有效期五年。
CLOSING_SENTENCE_RE = re.compile(
    r"本[\u4e00-\u9fff]{1,6}自.{0,30}(?:施行|实施|执行)[^。]*。$|有效期[^。]{0,12}。$|自印发之日起(?:施行|实施|执行)。$"
)
DOC_TYPE_SUFFIX_RE = re.compile(
    r"(实施细则|实施办法|暂行办法|管理办法|办法|实施意见|意见|实施方案|工作方案|方案|应急预案|预案|规划|制度|决定|"
    r"行动计划|计划|细则|规定|通知|清单|目录|名单|名词解释|分区表|任务分解|内涵|考核方案)(?:[（(]试行[）)])?$"
)
SENTENCE_PUNCT = "。！？；：，!?;:,"
TERMINAL_PUNCT = "。！？；：”」』）)》"


def is_docno_line(text: str) -> bool:
    """A line that is nothing but a 文号 (the document's own number stands alone; cited ones sit in sentences)."""
    return bool(DOCNO_LINE_RE.match(text))


def is_issuer_line(text: str) -> bool:
    return bool(ISSUER_RE.match(text.strip()))


def is_date_line(text: str) -> bool:
    return bool(DATE_LINE_RE.match(text))


def is_public_note(text: str) -> bool:
    return bool(PUBLIC_NOTE_RE.match(text.strip()))


def is_title_like(text: str) -> bool:
    """A document title: no sentence punctuation, not numbered, ending in a document-type word."""
    t = re.sub(r"\s+", "", text)
    if not 4 <= len(t) <= 90 or any(p in t for p in SENTENCE_PUNCT) or "\t" in text:
        return False
    if heading_token(t) is not None:
        return False
    return bool(DOC_TYPE_SUFFIX_RE.search(t.rstrip("》”\"")))


def has_sentence_punct(text: str) -> bool:
    return any(p in text for p in SENTENCE_PUNCT)


def is_closing_line(text: str) -> bool:
    """The last line of a document: 此件公开发布, a signature date, or a 施行/实施/有效期 sentence."""
    t = text.strip()
    return is_public_note(t) or is_date_line(t) or bool(CLOSING_SENTENCE_RE.search(t))


@dataclass(frozen=True)
class HeadingToken:
    """A numbering token at the start of a line.

    kind: chapter | article | cn1 | cn2 | num | pnum | circ | dec (decimal 1.1 / 1.1.1) | section (Part 1 …)
    label: the token as printed, normalised (（一）, 1., 第十二条, 3.4.1).
    number: its ordinal value (for order checks); for dec the last component.
    depth: for dec, the number of components.
    rest: the text after the token.
    """

    kind: str
    label: str
    number: int
    rest: str
    depth: int = 1


_HEADING_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(rf"^第([{CN_NUM}]+)章\s*")),
    ("article", re.compile(rf"^第([{CN_NUM}]+)条\s*")),
    ("dec", re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})(?![\d%])\s*")),
    ("cn1", re.compile(rf"^([{CN_NUM}]{{1,3}})[、，]\s*")),
    ("cn2", re.compile(rf"^[（(]([{CN_NUM}]{{1,3}})[）)]\s*")),
    ("pnum", re.compile(r"^[（(](\d{1,2})[）)]\s*")),
    ("circ", re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*")),
    ("num", re.compile(r"^[lI]?(\d{1,3})\s*[.．、](?!\d)\s*")),
]


def heading_token(text: str) -> HeadingToken | None:
    """Recognise the numbering token a line starts with, or None."""
    t = text.lstrip()
    for kind, pattern in _HEADING_PATTERNS:
        m = pattern.match(t)
        if not m:
            continue
        raw = m.group(1)
        rest = t[m.end():]
        if kind in ("chapter", "article"):
            word = "章" if kind == "chapter" else "条"
            return HeadingToken(kind, f"第{raw}{word}", cn_to_int(raw), rest)
        if kind == "dec":
            parts = raw.split(".")
            if not rest or rest[0] in "%％万亿元米":
                return None
            return HeadingToken("dec", raw, int(parts[-1]), rest, depth=len(parts))
        if kind == "cn1":
            return HeadingToken("cn1", f"{raw}、", cn_to_int(raw), rest)
        if kind == "cn2":
            return HeadingToken("cn2", f"（{raw}）", cn_to_int(raw), rest)
        if kind == "pnum":
            return HeadingToken("pnum", f"（{raw}）", int(raw), rest)
        if kind == "circ":
            return HeadingToken("circ", raw, "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(raw) + 1, rest)
        if kind == "num":
            if t[0] in "lI" and not rest:
                return None
            return HeadingToken("num", f"{int(raw)}.", int(raw), rest)
    return None


def run_in_title(rest: str, limit: int = 32) -> str:
    """The heading title of a numbered line: the text up to the first 。 when short (run-in heading), else the line."""
    rest = rest.strip()
    for stop in ("。", "：", ":"):
        idx = rest.find(stop)
        if 0 < idx <= limit:
            return rest[:idx]
    return rest if len(rest) <= limit and not any(p in rest for p in "，。；") else ""
