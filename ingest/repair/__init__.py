"""Repairs of gazette extraction artifacts, one named function per artifact (see docs/catalogue-*.md).

`repair_extraction` runs them in order: furniture → front/back matter → reading order → joins → text fixes,
skipping the ones the reader made unnecessary (it says so in the Extraction: a PDF read by position is already in
reading order without page furniture; DOCX and PDF lines are already whole paragraphs). `repair_text` is the same
for a text file, whose lines come from `split_lines`.
"""

from __future__ import annotations

from dataclasses import replace

from ingest.records import Extraction, Paragraph, SourceLine
from ingest.repair.join import join_lines
from ingest.repair.lines import drop_back_matter, drop_front_matter, drop_page_furniture, split_lines
from ingest.repair.normalize import repair_paragraph_text
from ingest.repair.reorder import restore_reading_order

__all__ = ["repair_extraction", "repair_text", "text_extraction"]


def text_extraction(raw: str) -> Extraction:
    """A text file's lines (a leading ASCII space marks a page start; markup debris stripped): nothing done yet."""
    return Extraction(tuple(split_lines(raw)))


def _as_paragraph(line: SourceLine) -> Paragraph:
    return Paragraph(line.text, line.lineno, line.lineno, line.moved, line.page, line.page_end or line.page)


def repair_extraction(extraction: Extraction) -> list[Paragraph]:
    """Repaired paragraphs in reading order, each tracing to its source lines (and pages, for a PDF)."""
    lines = list(extraction.lines)
    if not extraction.positioned:
        lines = drop_page_furniture(lines)
    lines = drop_back_matter(lines)
    lines = drop_front_matter(lines)
    if not extraction.positioned:
        lines = restore_reading_order(lines)
    paragraphs = [_as_paragraph(line) for line in lines] if extraction.whole_paragraphs else join_lines(lines)
    return [replace(p, text=repair_paragraph_text(p.text)) for p in paragraphs if repair_paragraph_text(p.text)]


def repair_text(raw: str) -> list[Paragraph]:
    """Turn a raw gazette extraction into repaired paragraphs in reading order, each tracing to its source lines."""
    return repair_extraction(text_extraction(raw))
