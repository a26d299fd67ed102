"""Structural units of a document: each numbered heading with the paragraphs under it, its path from a level
stack, and its character span in the document text.

Levels rank 第X章 > 第X条 > （一） > 1. > （1） > ①, or 一、 > （一） > 1. > （1） > ①, or decimal 1 > 1.1 > 1.1.1 > (1) > ①.
A token pops every open level of equal or lower rank, so numbering that runs on across blocks (items 1.–27. under
several （）-blocks) still gets the right parents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest import patterns
from ingest.records import Document

_DEC_TOP = re.compile(r"^(\d{1,2})\s*[.．]?\s+([\u4e00-\u9fff][\u4e00-\u9fff、（）()]{1,20})$")
_ATTACH_TABLE = re.compile(r"^附表\s*\d*\s*[:：]?")
# A notice's list of its attachments: 附件：1. X, then 2. Y, 3. Z on lines of their own (or 附件： alone, then 1. X …)
_ATTACHMENT_LIST = re.compile(r"^[-\s]*附[件表录]\s*[:：]\s*(?:(\d{1,2})\s*[.．、])?")


@dataclass
class Unit:
    """A numbered clause (or the text before the first one): paragraph indices [first, last], path and headings."""

    path: tuple[str, ...]
    headings: tuple[str, ...]
    kind: str
    first: int
    last: int
    rank: int = 99
    title: str = ""
    children: list[Unit] = field(default_factory=list)


def detect_style(texts: list[str]) -> str:
    """article (第X条), decimal (1.1 / 1.1.1 headings) or outline (一、/（一）/1.)."""
    tokens = [patterns.heading_token(t) for t in texts]
    if sum(1 for t in tokens if t and t.kind == "article") >= 2:
        return "article"
    if sum(1 for t in tokens if t and t.kind == "dec" and t.depth >= 2) >= 2:
        return "decimal"
    return "outline"


def _rank(token: patterns.HeadingToken, style: str) -> int:
    if style == "decimal":
        return {"dec": token.depth, "num": 1, "chapter": 0, "cn1": 1, "cn2": 4, "pnum": 5, "circ": 6}.get(token.kind, 7)
    return {"chapter": 0, "article": 1, "cn1": 1, "cn2": 2, "num": 3, "dec": 3, "pnum": 4, "circ": 5}[token.kind]


def token_for(text: str, style: str) -> patterns.HeadingToken | None:
    token = patterns.heading_token(text)
    if token is None and style == "decimal":
        m = _DEC_TOP.match(text)
        if m:
            return patterns.HeadingToken("dec", m.group(1), int(m.group(1)), m.group(2), depth=1)
    if token is not None and token.kind == "dec" and style != "decimal":
        return None  # 1.5 in prose, or a 1.1 heading in a text that is not decimal-numbered
    return token


def heading_text(token: patterns.HeadingToken, text: str) -> str:
    title = patterns.run_in_title(token.rest)
    label = token.label if token.kind != "dec" else f"{token.label} "
    return f"{label}{title}".strip()


def table_mask(texts: list[str]) -> list[bool]:
    """Paragraphs that belong to tables: tab-separated rows, and everything from a 附表 label on."""
    mask = [is_table_text(t) for t in texts]
    in_table = False
    for i, text in enumerate(texts):
        in_table = in_table or is_table_label(text)
        mask[i] = mask[i] or in_table
    return mask


def _table_label(text: str) -> str:
    m = re.match(r"^(附表\s*\d*)", text)
    return m.group(1).replace(" ", "") if m else "表"


def _listed_attachment(text: str) -> int | None:
    """The number the next attachment of a 附件 list would carry: 2 after 附件：1. X, 1 after a bare 附件：; None when
    the line lists no attachments (附件：X names the only one) or is not a 附件 list."""
    m = _ATTACHMENT_LIST.match(text)
    if m is None:
        return None
    if m.group(1):
        return int(m.group(1)) + 1
    return 1 if not text[m.end():].strip() else None


def units_of(doc: Document) -> list[Unit]:
    """Flat list of units in document order, each with its path and the text of its parent headings.

    A run of table paragraphs is one unit of kind "table" (numbered lines inside a table are not headings). Named
    rule `attachment_list`: the entries of a 附件 list on lines of their own (附件：1. X / 2. Y / 3. Z) are not
    numbered clauses — they stay in the clause that holds the list, each entry numbered one more than the last."""
    texts = [p.text for p in doc.paragraphs]
    style = detect_style(texts)
    mask = table_mask(texts)
    units: list[Unit] = []
    stack: list[tuple[int, str, str]] = []  # (rank, label, heading text)
    current = Unit((), (), "preamble", 0, -1)
    listed: int | None = None  # the number of the next entry of an attachment list being read
    for i, text in enumerate(texts):
        if mask[i]:
            if current.kind != "table":
                if current.last >= current.first:
                    units.append(current)
                label = _table_label(text)
                headings = () if label.startswith("附表") else tuple(s[2] for s in stack)
                current = Unit((label,), headings, "table", i, i)
            current.last = i
            continue
        token = token_for(text, style)
        if listed is not None and token is not None:
            if token.kind in ("num", "dec") and token.depth == 1 and token.number == listed and not text.rstrip().endswith("。"):
                listed += 1
                token = None  # the next entry of the list
            else:
                listed = None
        if token is None and (follows := _listed_attachment(text)) is not None:
            listed = follows
        if token is None and current.kind == "table":
            units.append(current)
            current = Unit(tuple(s[1] for s in stack), tuple(s[2] for s in stack[:-1]), "clause", i, -1)
        if token is None:
            if current.last < current.first:
                current.first = i
            current.last = i
            continue
        if current.last >= current.first:
            units.append(current)
        rank = _rank(token, style)
        while stack and stack[-1][0] >= rank:
            stack.pop()
        label = token.label if token.kind != "dec" else f"{token.label} "
        head = heading_text(token, text)
        path = (*tuple(s[1] for s in stack), label.strip() if token.kind == "dec" else label)
        headings = tuple(s[2] for s in stack)
        stack.append((rank, path[-1], head))
        current = Unit(path, headings, "clause", i, i, rank=rank, title=head)
    if current.last >= current.first:
        units.append(current)
    return units


def is_table_text(text: str) -> bool:
    return "\t" in text


def is_table_label(text: str) -> bool:
    return bool(_ATTACH_TABLE.match(text)) and len(text) <= 30
