"""Typed records, one per ingestion stage: Extraction (SourceLines) → Paragraph → Document → Chunk.

Every record is an immutable value; stages pass them explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SourceLine:
    """One non-blank line of a gazette file after line-level clean-up.

    lineno: 1-based line number in the source file (for tracing back to the raw file).
    text: the line's text with page-start indentation, markdown and trailing spaces removed.
    page_start: the extractor marked this line as the first line of a page (a leading ASCII space).
    moved: the displaced-block repair moved this line back to where it belongs.
    page / page_end: the printed pages (1-based) the line was read from, when the source has pages (PDF); None
        for text and DOCX files.
    ocr_confidence: Tesseract's mean word confidence (0–100) when the line was read by OCR from a scanned page.
    """

    lineno: int
    text: str
    page_start: bool = False
    moved: bool = False
    page: int | None = None
    page_end: int | None = None
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class Extraction:
    """What a reader made of one file: its lines in order, and what the reader already took care of.

    lines: the file's lines (text files: raw lines; PDF and DOCX: one line per paragraph or table row).
    fmt: txt | pdf | docx.
    positioned: read by position (PDF) or from the document's structure (DOCX): the lines are in reading order
        and running headers, footers and page numbers are already gone, so the reading-order and page-furniture
        repairs are skipped.
    whole_paragraphs: each line is a whole paragraph or table row, so the line-joining repair is skipped.
    pages: pages read (PDF), else None; ocr_pages: how many of them were read by OCR.
    furniture: running headers and footers the reader dropped (they name the gazette issue: metadata reads them).
    """

    lines: tuple[SourceLine, ...]
    fmt: str = "txt"
    positioned: bool = False
    whole_paragraphs: bool = False
    pages: int | None = None
    ocr_pages: int = 0
    furniture: tuple[str, ...] = ()

    def text(self) -> str:
        """The lines as one text, after the dropped running headers (for metadata that reads them)."""
        return "\n".join([*self.furniture, *(line.text for line in self.lines)])


@dataclass(frozen=True)
class Paragraph:
    """A logical paragraph after joining hard line breaks.

    text: repaired text (this is what is cited and displayed).
    line_start / line_end: first and last source line numbers it was built from.
    moved: the paragraph was relocated by the displaced-block repair.
    page_start / page_end: first and last printed page (PDF sources), else None.
    """

    text: str
    line_start: int
    line_end: int
    moved: bool = False
    page_start: int | None = None
    page_end: int | None = None


@dataclass(frozen=True)
class Validity:
    """What a document says about when it applies.

    effective: 施行/实施 date, when the text states one (or the signature date for 自印发之日起).
    expires: the last day of a stated 有效期, when one is stated; None otherwise.
    statement: the sentence the dates were read from, verbatim.
    """

    effective: date | None = None
    expires: date | None = None
    statement: str = ""


@dataclass(frozen=True)
class Document:
    """One document of a gazette issue: a notice, a text embedded in it, an attachment, or a 大事记 block.

    doc_id: stable id (source file + kind + ordinal within its parent), used as the chunk id prefix.
    doc_number: the document's own 文号, normalised (晋市政发〔2021〕4号); embedded texts inherit the parent's.
    parent_doc_number: 文号 of the notice an embedded text or attachment was issued under, else None.
    title: the document's own title; wrapper_title: the notice's title for an embedded text.
    kind: notice | embedded | attachment | chronicle.
    doc_type: 通知/办法/意见/实施意见/方案/预案/决定/规划/制度/大事记/附件 …
    date: signature date, or None when the text has none (never guessed).
    text: the repaired document text; every chunk's span indexes into it.
    family: id of its near-duplicate family (the first doc_id of the documents that say the same with another city,
    year or 文号, `ingest.families`), set when the index is written; None: not computed (a family of its own).
    """

    doc_id: str
    source_file: str
    city: str
    gazette: str
    kind: str
    doc_type: str
    title: str
    text: str
    paragraphs: tuple[Paragraph, ...]
    doc_number: str | None = None
    parent_doc_number: str | None = None
    parent_id: str | None = None
    wrapper_title: str | None = None
    issuer: str | None = None
    date: date | None = None
    validity: Validity = field(default_factory=Validity)
    line_start: int = 0
    line_end: int = 0
    family: str | None = None

    @property
    def display_title(self) -> str:
        return self.title

    @property
    def family_id(self) -> str:
        """The near-duplicate family it belongs to: `family`, or its own id when none was computed."""
        return self.family or self.doc_id


@dataclass(frozen=True)
class Chunk:
    """A citable clause: an article, the deepest numbered clause, a table block, a table row, a 大事记 entry or a
    notice body.

    chunk_id: hash of (doc_id, path, normalised text): stable across runs and machines.
    path: structural labels from the top, e.g. ("二、", "（四）", "3.") or ("第三章", "第十二条").
    headings: the text of the parent headings, outermost first.
    text: verbatim repaired text, == document.text[start:end].
    norm_text: the matching copy (NFKC, no whitespace, unified symbols).
    kind: clause | table | table_row | chronicle | preamble | title. A table_row is one printed row of a table
        (its parent_id is the table block it sits in); its path ends with the row's label (序号12 / 第3行).
    cells: a table row's (column name, value) pairs as indexed: column names from the header, empty merged cells
        filled down from the row above (`ingest.tables`); () for every other kind. `text` stays the printed row.
    layout: a table block holding a table printed column by column, as read (`ingest.dump_layout`): the rows
        rebuilt from it as 列名：值 lines, the rest of it one column per line; "" for every other chunk (shown as
        `text`, which stays the printed block).
    event_date: the full date of a 大事记 entry.
    page_start / page_end: the printed pages the chunk spans (PDF sources; 第N页 in a citation), else None.
    """

    chunk_id: str
    doc_id: str
    ordinal: int
    path: tuple[str, ...]
    headings: tuple[str, ...]
    text: str
    norm_text: str
    start: int
    end: int
    line_start: int
    line_end: int
    kind: str = "clause"
    event_date: date | None = None
    parent_id: str | None = None
    prev_id: str | None = None
    next_id: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    cells: tuple[tuple[str, str], ...] = ()
    layout: str = ""

    @property
    def path_str(self) -> str:
        """The path as cited: 二、（四）3., 第三章第十二条; a decimal level is shown once (1.5.1, not 1.51.5.1); a
        table row as 表 序号12 / 附表2 第3行."""
        if self.kind == "table_row" and len(self.path) >= 2:
            return " ".join([self.path[0], "".join(self.path[1:])])
        shown = [p for i, p in enumerate(self.path) if not (i + 1 < len(self.path) and self.path[i + 1].startswith(p + "."))]
        return "".join(shown)

    @property
    def index_text(self) -> str:
        """What is embedded and keyword-indexed (after the title and headings): a table row as 列名：值；列名：值, any
        other chunk as its text."""
        return render_cells(self.cells) if self.cells else self.text

    @property
    def readable(self) -> str:
        """The chunk as a person reads it (`readable_text`): a table row as its cells, a table block printed column by
        column as its layout, any other chunk as its text."""
        return readable_text(self.text, self.cells, self.layout)


def readable_text(text: str, cells: tuple[tuple[str, str], ...], layout: str) -> str:
    """A chunk's text as read: a table row as 列名：值；列名：值 (its printed text has no column names, leaves merged
    cells empty, and a row rebuilt from a column dump prints only its own cell), a table block printed column by
    column as its layout (its rebuilt rows, the rest one column per line), any other text as it is."""
    return render_cells(cells) if cells else layout or text


def render_cells(cells: tuple[tuple[str, str], ...]) -> str:
    """A table row's cells as one line: 列名：值；列名：值 (a value alone when its column has no name)."""
    return "；".join(f"{name}：{value}" if name else value for name, value in cells if value)
