"""Join hard line breaks into paragraphs, without inserting spaces, and never across structure.

Two layouts occur. Page-wrapped extractions (about 21 characters a line) break anywhere, even inside words and
文号; one-paragraph-per-line extractions break only at page or column ends. The layout is detected per file from
the median line width.
"""

from __future__ import annotations

import re
import statistics
import unicodedata

from ingest import patterns
from ingest.records import Paragraph, SourceLine
from ingest.repair.dedouble import collapse_doubled_prefix, dedouble_heading, is_doubled_continuation, is_doubled_heading

_WRAPPED_MAX_MEDIAN_WIDTH = 60
_DOUBLED_MARKER = re.compile(r"^(?:[（(]{2}|(\d{1,2})\1[.．]{2}|([一二三四五六七八九十])\2、、)")
_BULLET_START = re.compile(r"^(?:——|-{2}|※|◆|●|■|▲|★)")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_wrapped_layout(lines: list[SourceLine]) -> bool:
    widths = [display_width(line.text) for line in lines]
    return bool(widths) and statistics.median(widths) <= _WRAPPED_MAX_MEDIAN_WIDTH


def starts_block(text: str) -> bool:
    """A line that always begins a new paragraph: a numbered heading, 文号, date, signature, table row, entry…"""
    return (
        patterns.heading_token(text) is not None
        or bool(_DOUBLED_MARKER.match(text))
        or patterns.is_docno_line(text)
        or patterns.is_date_line(text)
        or patterns.is_public_note(text)
        or patterns.is_issuer_line(text)
        or bool(patterns.CHRONICLE_TITLE_RE.match(text))
        or (bool(patterns.CHRONICLE_ENTRY_RE.match(text)) and bool(re.match(r"^※?\s*\d{1,2}\s*[月日]", text)))
        or (bool(patterns.ATTACHMENT_LABEL_RE.match(text)) and len(text) <= 40)
        or "\t" in text
        or bool(_BULLET_START.match(text))
        or bool(re.match(r"^(?:抄送|印发|联系人|联系电话)[:：]", text))
        or (text.startswith("关于") and patterns.DOC_TYPE_SUFFIX_RE.search(text) is not None)
    )


def ends_block(text: str) -> bool:
    """A line after which a new paragraph starts: sentence end, a heading line, a header line, a title…"""
    stripped = text.rstrip()
    if stripped.endswith(tuple("。！？；：:;!?")) or "\t" in stripped:
        return True
    if patterns.is_docno_line(stripped) or patterns.is_date_line(stripped) or patterns.is_public_note(stripped):
        return True
    if patterns.is_issuer_line(stripped) or patterns.NOTICE_WORD_RE.match(stripped):
        return True
    if patterns.CHRONICLE_TITLE_RE.match(stripped):
        return True
    return bool(re.match(r"^附[件表录]\s*[0-9０-９]{0,2}$", stripped))


def _heading_line_done(text: str, width: int) -> bool:
    """A numbered heading line shorter than a full line and without a sentence inside it ends its paragraph."""
    token = patterns.heading_token(text)
    if token is None or any(p in text for p in "。，；,;"):
        return False
    return display_width(text) < width * 0.8


def join_lines(lines: list[SourceLine]) -> list[Paragraph]:
    """Join lines into paragraphs; doubled bold headings are collapsed here, once their wrapped lines are joined."""
    if not lines:
        return []
    wrapped = is_wrapped_layout(lines)
    # the full-line width, from lines that are not table fragments (000 has thousands of one-character lines)
    widths = [display_width(line.text) for line in lines if display_width(line.text) >= 10]
    width = max(statistics.median(widths), 20) if widths else 20
    paragraphs: list[Paragraph] = []
    buf: list[SourceLine] = []

    def flush() -> None:
        if not buf:
            return
        text = "".join(line.text for line in buf)
        if is_doubled_heading(text):
            text = dedouble_heading(text)
        pages = [p for line in buf for p in (line.page, line.page_end) if p is not None]
        paragraphs.append(Paragraph(text, buf[0].lineno, buf[-1].lineno, any(line.moved for line in buf),
                                    min(pages, default=None), max(pages, default=None)))
        buf.clear()

    for line in lines:
        after_closing = bool(paragraphs) and patterns.is_closing_line(paragraphs[-1].text)
        if buf and not (after_closing and len(buf) == 1 and patterns.is_title_like(buf[0].text)) and _continues(buf, line, wrapped, width):
            buf.append(line)
            continue
        flush()
        buf.append(line)
    flush()
    return paragraphs


def _continues(buf: list[SourceLine], line: SourceLine, wrapped: bool, width: float) -> bool:
    prev = buf[-1].text
    first = buf[0].text
    if line.moved != buf[-1].moved:  # the edges of a relocated block are paragraph edges
        return False
    if is_doubled_heading(first) and not any(p in "".join(b.text for b in buf) for p in "。："):
        # a doubled heading continues only into a line that is itself (or opens) doubled
        return is_doubled_continuation(line.text) or (
            not starts_block(line.text) and display_width(prev) >= width - 4 and collapse_doubled_prefix(line.text)[1] >= 2
        )
    if starts_block(line.text) or ends_block(prev):
        return False
    if wrapped:
        title_line = patterns.is_title_like(prev) and display_width(prev) < width - 2
        return not (_heading_line_done(prev, int(width)) or title_line)
    # one paragraph per line: only page/column splits continue, and only long prose lines were split
    if patterns.is_title_like(prev) or _heading_line_done(prev, 200):
        return False
    return display_width(prev) >= 30
