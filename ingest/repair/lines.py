"""Line-level repairs: split into non-blank lines, keep page-start marks, strip markup debris, drop page furniture,
front matter (masthead, table of contents) and back matter (back cover, slogans)."""

from __future__ import annotations

import re

from ingest import patterns
from ingest.records import SourceLine

_MD_HEADING = re.compile(r"^#{1,6}\s*")
_MD_BULLET = re.compile(r"^[-*]\s+(?=\S)")
_HTML_TAG = re.compile(r"</?(?:p|br|span|div|strong|b|em|i|sup|sub|td|tr|table)\b[^>]*>", re.IGNORECASE)
_LATEX_INLINE = re.compile(r"\$([^$]{1,80})\$")
_LATEX_SUBS = [
    (re.compile(r"\\geq?\b|\\geqslant\b"), "≥"),
    (re.compile(r"\\leq?\b|\\leqslant\b"), "≤"),
    (re.compile(r"\^\{?\\circ\}?\s*\\text\{C\}"), "℃"),
    (re.compile(r"\^\{?\\circ\}?"), "°"),
    (re.compile(r"\\times\b"), "×"),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\text\{([^}]*)\}"), r"\1"),
    (re.compile(r"\\mathrm\{([^}]*)\}"), r"\1"),
]
_TOC_TITLE = re.compile(r"^目\s*录$")
_TOC_ENTRY_END = re.compile(r"(?:\.{2,}\s*\d+|\D\d{1,3})$")
_BACK_COVER = {"传达政令", "宣传政策", "指导工作", "服务社会", "内部资料注意保存"}


def strip_latex(text: str) -> str:
    """$\\geq 200$ → ≥200; $\\geq 37^{\\circ}\\text{C}$ → ≥37℃."""

    def render(m: re.Match[str]) -> str:
        inner = m.group(1)
        for pattern, repl in _LATEX_SUBS:
            inner = pattern.sub(repl, inner)
        return inner.replace("{", "").replace("}", "").replace(" ", "")

    return _LATEX_INLINE.sub(render, text)


def strip_markup(text: str) -> str:
    """Remove markdown headings, bold markers, list bullets, HTML tags and trailing spaces; render inline LaTeX."""
    t = text.replace("\ufffd", " ").rstrip()
    t = _MD_HEADING.sub("", t.lstrip())
    t = t.replace("**", "")
    t = _MD_BULLET.sub("", t)
    t = _HTML_TAG.sub("", t)
    if "$" in t:
        t = strip_latex(t)
    return t.strip()


def split_lines(raw: str) -> list[SourceLine]:
    """Non-blank lines with their 1-based source line numbers; a leading ASCII space marks a page start."""
    out: list[SourceLine] = []
    for i, line in enumerate(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        page_start = line.startswith(" ") and not line.startswith("  ")
        text = strip_markup(line)
        if text:
            out.append(SourceLine(i, text, page_start))
    return out


def drop_page_furniture(lines: list[SourceLine]) -> list[SourceLine]:
    """Drop running headers and page numbers (·· 29); a dropped page-start mark passes to the next line."""
    out: list[SourceLine] = []
    carry = False
    for line in lines:
        if (patterns.RUNNING_HEADER_RE.search(line.text) and len(line.text) < 40) or patterns.PAGE_NUMBER_RE.match(line.text):
            carry = carry or line.page_start
            continue
        if carry and not line.page_start:
            line = SourceLine(line.lineno, line.text, True, line.moved)
        carry = False
        out.append(line)
    return out


def drop_back_matter(lines: list[SourceLine]) -> list[SourceLine]:
    """Drop the back cover: 内部资料 注意保存, slogans, and a trailing run of one-character lines (vertical text)."""
    end = len(lines)
    while end > 0:
        text = lines[end - 1].text.replace(" ", "")
        if text in _BACK_COVER or len(text) == 1 or text.startswith("内部资料"):
            end -= 1
            continue
        break
    return lines[:end]


def header_start(lines: list[SourceLine], docno_index: int, max_back: int = 5) -> int:
    """Index of the first line of the header block (issuer, title lines, 通 知) that ends at the 文号 line.

    Returns docno_index itself when no issuer or 关于… title stands above it (a lone 文号 line)."""
    start = docno_index
    found_title = False
    for j in range(docno_index - 1, max(-1, docno_index - 1 - max_back), -1):
        text = lines[j].text
        if any(p in text for p in "。；，：") or _TOC_ENTRY_END.search(text) or _TOC_TITLE.match(text):
            break
        if patterns.is_date_line(text) or patterns.is_public_note(text) or patterns.is_docno_line(text):
            break
        if patterns.heading_token(text) is not None:
            break
        start = j
        issuer = patterns.is_issuer_line(text) or patterns.is_issuer_line(text.split(" ")[0])
        found_title = found_title or issuer or text.startswith(("关于", "印发")) or bool(patterns.NOTICE_WORD_RE.match(text))
        if issuer:
            break
    return start if found_title else docno_index


def drop_front_matter(lines: list[SourceLine]) -> list[SourceLine]:
    """Drop the masthead and the table of contents: everything before the header of the first 文号 that follows
    a 目 录 line. Files without a table of contents are returned unchanged."""
    toc = next((i for i, line in enumerate(lines[:400]) if _TOC_TITLE.match(line.text)), None)
    if toc is None:
        return lines
    first_docno = next((i for i in range(toc + 1, len(lines)) if patterns.is_docno_line(lines[i].text)), None)
    if first_docno is None:
        return lines
    return lines[header_start(lines, first_docno):]
