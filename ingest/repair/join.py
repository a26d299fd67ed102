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


_CELL_WIDTH = 20  # display width of a cell line (10 CJK characters: 补偿标准（元）, 直径2.5m以下)
_CELL_RUN = 8  # consecutive cell lines that make a column dump
_SENTENCE_END = "。！？；;!?"  # a cell may hold a comma (砖砌，水泥抹面), not a sentence end


def column_dump_runs(lines: list[SourceLine]) -> dict[int, int]:
    """Runs of a table printed column by column (附表1: 序号, 1, 2, …, 项 目, 围墙, …), as start → end line index:
    after a 附表N label, at least `_CELL_RUN` consecutive short lines without a sentence end. Each run becomes one
    paragraph of tab-separated cells: glued like prose (序号1234567891011…项目围墙地面硬化…) no cell could be told
    from the next; as cells the table reader can rebuild its rows (`ingest.column_dumps`). Artifact:
    jincheng-2018-04 附表1/附表2 (docs/catalogue-1.md, 晋市政发〔2018〕23号)."""
    out: dict[int, int] = {}
    in_table = False
    start: int | None = None

    def close(end: int) -> None:
        nonlocal start
        if start is not None and end - start >= _CELL_RUN:
            out[start] = end
        start = None

    for k, line in enumerate(lines):
        text = line.text.strip()
        if patterns.TABLE_LABEL_RE.match(text):
            close(k)
            in_table = True
            continue
        if in_table and text and display_width(text) <= _CELL_WIDTH and not any(p in text for p in _SENTENCE_END):
            start = k if start is None else start
            continue
        close(k)
        if in_table and display_width(text) > 2 * _CELL_WIDTH and patterns.has_sentence_punct(text):
            in_table = False  # prose again
    close(len(lines))
    return out


def _cells_paragraph(lines: list[SourceLine]) -> Paragraph:
    pages = [p for line in lines for p in (line.page, line.page_end) if p is not None]
    return Paragraph("\t".join(line.text.strip() for line in lines), lines[0].lineno, lines[-1].lineno,
                     any(line.moved for line in lines), min(pages, default=None), max(pages, default=None))


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

    dumps = column_dump_runs(lines)
    k = 0
    while k < len(lines):
        if k in dumps:
            flush()
            paragraphs.append(_cells_paragraph(lines[k:dumps[k]]))
            k = dumps[k]
            continue
        line = lines[k]
        k += 1
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
