"""Repairs of gazette extraction artifacts, one named function per artifact (see docs/catalogue-*.md).

`repair_text` runs them in order: lines → furniture → front/back matter → reading order → joins → text fixes.
"""

from __future__ import annotations

from dataclasses import replace

from ingest.records import Paragraph
from ingest.repair.join import join_lines
from ingest.repair.lines import drop_back_matter, drop_front_matter, drop_page_furniture, split_lines
from ingest.repair.normalize import matching_form, repair_paragraph_text
from ingest.repair.reorder import restore_reading_order

__all__ = ["matching_form", "repair_text"]


def repair_text(raw: str) -> list[Paragraph]:
    """Turn a raw gazette extraction into repaired paragraphs in reading order, each tracing to its source lines."""
    lines = split_lines(raw)
    lines = drop_page_furniture(lines)
    lines = drop_back_matter(lines)
    lines = drop_front_matter(lines)
    lines = restore_reading_order(lines)
    paragraphs = join_lines(lines)
    return [replace(p, text=repair_paragraph_text(p.text)) for p in paragraphs if repair_paragraph_text(p.text)]
