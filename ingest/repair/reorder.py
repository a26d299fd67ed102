"""Move displaced blocks back to where they belong (catalogue rule, held in all 18 checked cases).

The extractor writes a page's title block, 文号 line or 附件 caption after the page's body: it is the last text on
the page, and it belongs to the document or section that starts on that page. The repair finds such blocks and
moves them to the top of that page, or, when a document ends earlier on the same page, to just after that end.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ingest import patterns
from ingest.records import SourceLine
from ingest.repair.dedouble import is_doubled_continuation
from ingest.repair.lines import header_start

log = logging.getLogger(__name__)

_MAX_TITLE_LINES = 4
_MAX_WRAPPER_TAIL = 25


def page_bounds(lines: list[SourceLine]) -> list[tuple[int, int]]:
    """[start, end) index ranges of pages; a page starts at a page-start line (and at the first line)."""
    starts = [0] + [i for i, line in enumerate(lines) if line.page_start and i > 0]
    return list(zip(starts, [*starts[1:], len(lines)], strict=False))


def _is_addressee(text: str) -> bool:
    return text.endswith(("：", ":")) or (text.startswith("各") and ("人民政府" in text or "局" in text))


def _is_headerish(text: str) -> bool:
    """Issuer, title or 通 知 lines: no sentence punctuation, not a numbered heading."""
    if any(p in text for p in "。；，："):
        return False
    return patterns.heading_token(text) is None and not patterns.is_date_line(text)


def _is_title_fragment(text: str) -> bool:
    return (
        len(text) <= 32
        and _is_headerish(text)
        and not patterns.is_docno_line(text)
        and not patterns.is_public_note(text)
        and not patterns.is_issuer_line(text)
    )


def _wrapper_tail_end(lines: list[SourceLine], after: int, end: int) -> bool:
    """True when lines[after:end] is the rest of a notice (addressee … signature, date, 此件公开发布, title)."""
    tail = lines[after:end]
    if not tail or len(tail) > _MAX_WRAPPER_TAIL:
        return not tail
    closings = [k for k, line in enumerate(tail) if patterns.is_public_note(line.text) or patterns.is_date_line(line.text)]
    if not closings:
        return False
    return all(_is_title_fragment(line.text) for line in tail[closings[-1] + 1:])


def _insertion_point(lines: list[SourceLine], top: int, block_start: int) -> int:
    """Where a displaced block belongs: after a document end found earlier on the page, else the page top.

    A page that opens with an addressee line (各县（市、区）人民政府…：) holds the block's own notice body,
    so the block goes above it even when that body ends with its own signature."""
    if _is_addressee(lines[top].text):
        return top
    last_end = None
    for k in range(top, block_start):
        if patterns.is_closing_line(lines[k].text) or (k > top and patterns.is_closing_line(lines[k - 1].text + lines[k].text)):
            last_end = k + 1
    return last_end if last_end is not None else top


def _after_page_top_header(lines: list[SourceLine], top: int, limit: int) -> int:
    """Index just after an issuer/title block that opens the page (for a lone 文号 that belongs under it)."""
    k = top
    while k < limit and k - top < _MAX_TITLE_LINES + 1 and _is_headerish(lines[k].text):
        k += 1
    return k


def _move(lines: list[SourceLine], start: int, end: int, to: int) -> list[SourceLine]:
    """Move lines[start:end] to index `to`, in place: only the page's own lines are rewritten, not the file's."""
    block = [replace(line, moved=True) for line in lines[start:end]]
    if block:
        block[0] = replace(block[0], page_start=lines[to].page_start)
        rest_head = replace(lines[to], page_start=False)
        lines[to:end] = [*block, rest_head, *lines[to + 1:start]]
    return lines


def _trailing_title_block(lines: list[SourceLine], top: int, end: int) -> int | None:
    """Start index of a title or 附件-caption block that ends the page, or None."""
    k = end
    while k > top and end - k < _MAX_TITLE_LINES and _is_title_fragment(lines[k - 1].text):
        k -= 1
    if k in (end, top):
        return None
    if any(is_doubled_continuation(line.text) for line in lines[k:end]):
        return None  # the wrapped tail of a doubled bold heading (…监督 / 考核管理办法考核管理办法), not a title
    joined = "".join(line.text for line in lines[k:end])
    if patterns.ATTACHMENT_LABEL_RE.match(lines[k].text) and len(lines[k].text) <= 8:
        return k
    if patterns.is_title_like(joined) and len(joined) >= 8:
        return k
    return None


def restore_reading_order(lines: list[SourceLine]) -> list[SourceLine]:
    """Apply the displaced-block rule page by page. Files without page marks are returned unchanged."""
    if not any(line.page_start for line in lines[1:]):
        return lines
    result = list(lines)  # moved in place, page by page
    # A move stays inside its page and keeps the page-start line at the page top, so the bounds are computed
    # once (recomputing them per page was quadratic: 28 s for a 10 MB file).
    for top, end in page_bounds(result):
        result = _repair_page(result, top, end)
    return result


def _repair_page(lines: list[SourceLine], top: int, end: int) -> list[SourceLine]:
    docnos = [i for i in range(top, end) if patterns.is_docno_line(lines[i].text)]
    if docnos:
        d = docnos[-1]
        start = header_start(lines, d)
        block_end = end if _wrapper_tail_end(lines, d + 1, end) else d + 1
        # a lone 文号 line inside a sentence (start == d) belongs under the title that opens the page
        to = _after_page_top_header(lines, top, d) if start == d else _insertion_point(lines, top, start)
        if start > top and to < start:
            log.debug("moved header block", extra={"lines": (lines[start].lineno, lines[block_end - 1].lineno), "to": lines[to].lineno})
            return _move(lines, start, block_end, to)
        if block_end == end:
            return lines
    start_title = _trailing_title_block(lines, top, end)
    if start_title is None:
        return lines
    to = _insertion_point(lines, top, start_title)
    if to >= start_title:
        return lines
    log.debug("moved title block", extra={"lines": (lines[start_title].lineno, lines[end - 1].lineno), "to": lines[to].lineno})
    return _move(lines, start_title, end, to)
