"""Read a Word .docx (python-docx): body paragraphs with their list numbering as printed, tables one line per row
(cells joined by a tab), in document order. Headers and footers are separate parts of the file: they are not
ingested (their text is passed on as furniture, for the gazette issue it names).

The zip is checked before python-docx opens it: a zip bomb (huge uncompressed sizes or ratios, too many entries)
or a zip that is not a Word document fails with a clear error instead of filling memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ingest.formats.numbering import Numbering
from ingest.reader import IngestError
from ingest.records import Extraction, SourceLine

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts together; a gazette issue's document.xml is a few MB
MAX_RATIO = 200  # XML compresses 5–20×; a bomb compresses thousands of times
MAX_ENTRIES = 5000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RESAVE = "open it in Word or WPS and save it again as .docx"


def check_zip(path: Path) -> None:
    """Raise IngestError unless `path` is a zip holding word/document.xml within the size limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise IngestError(path, "not a .docx file (not a zip archive, or a damaged one)", RESAVE) from None
    if len(infos) > MAX_ENTRIES:
        raise IngestError(path, f"the .docx holds {len(infos)} parts, over the {MAX_ENTRIES} part limit (a zip bomb?)", RESAVE)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise IngestError(path, f"the .docx unpacks to {total} bytes, over the {MAX_UNCOMPRESSED} byte limit (a zip bomb?)", RESAVE)
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise IngestError(path, f"the .docx part {info.filename} is compressed {info.file_size // max(1, info.compress_size)} times (a zip bomb?)", RESAVE)
    if "word/document.xml" not in {i.filename for i in infos}:
        raise IngestError(path, "a zip archive without word/document.xml, not a Word .docx", "pass the Word document itself (.docx)")


def _cell_text(cell: Any) -> str:
    return "".join(p.text for p in cell.paragraphs).replace("\t", " ").strip()


def _row_text(row: Any) -> str:
    """Cells joined by a tab; a merged cell (python-docx repeats it for every grid column it spans) once."""
    seen: list[Any] = []
    texts = []
    for cell in row.cells:
        if any(cell._tc is s for s in seen):
            continue
        seen.append(cell._tc)
        texts.append(_cell_text(cell))
    return "\t".join(texts).strip()


def read_docx(path: Path) -> Extraction:
    """The document's paragraphs (numbering as printed) and table rows; raises IngestError naming the file, the
    problem and the fix."""
    check_zip(path)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors… on a damaged package
        raise IngestError(path, f"damaged .docx ({type(err).__name__}: {err})", RESAVE) from None
    numbering = Numbering.of(document)
    lines: list[SourceLine] = []
    for block in document.element.body.iterchildren():
        if block.tag == f"{_W}p":
            para = Paragraph(block, document)
            text = para.text.strip()
            if text:
                text = numbering.label(para) + text
                lines.append(SourceLine(len(lines) + 1, text))
        elif block.tag == f"{_W}tbl":
            for row in Table(block, document).rows:
                text = _row_text(row)
                if text.replace("\t", ""):
                    lines.append(SourceLine(len(lines) + 1, text))
    if not lines:
        raise IngestError(path, "the .docx has no text", "check that it is the gazette document")
    return Extraction(tuple(lines), fmt="docx", positioned=True, whole_paragraphs=True, furniture=_headers(document))


def _headers(document: Any) -> tuple[str, ...]:
    """The running headers' and footers' texts (not ingested; the running header names the gazette issue)."""
    texts: dict[str, None] = {}
    for section in document.sections:
        for part in (section.header, section.footer):
            for para in part.paragraphs:
                if para.text.strip():
                    texts[para.text.strip()] = None
    return tuple(texts)[:20]
