"""Read a PDF with a text layer (pdfplumber on pdfminer.six): lines in reading order by position, page furniture
dropped, ruled tables row by row, paragraphs rebuilt from line geometry, each line's page kept. Pages without a
text layer (scans) go to OCR when it is installed; otherwise the file fails with the packages to install.

Run it through `ingest.formats.isolated`, which bounds its time and memory: a hostile PDF can make pdfminer work
for minutes or allocate gigabytes.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest.formats import pdf_layout
from ingest.reader import IngestError
from ingest.records import Extraction, SourceLine

log = logging.getLogger(__name__)

MAX_PAGES = 500  # gazette issues have 40–120 pages
OCR_PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"
# OCR of one scanned page: (path, 0-based page index) → its characters as pdfplumber gives a text page's (with each
# one's OCR confidence, "conf"); None when OCR is not installed (ingest.formats.ocr).
PageOcr = Callable[[Path, int], list[dict[str, Any]]]


def _open(path: Path) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(path)
    except PdfminerException as wrapped:  # pdfplumber wraps pdfminer's error
        err = wrapped.args[0] if wrapped.args and isinstance(wrapped.args[0], Exception) else wrapped
    except Exception as direct:  # pdfminer raises many kinds (PSSyntaxError, KeyError, TypeError…) on broken files
        err = direct
    if isinstance(err, PDFPasswordIncorrect):
        raise IngestError(path, "the PDF is encrypted with a password", "ingest an unencrypted copy (qpdf --decrypt --password=PASSWORD in.pdf out.pdf)")
    if isinstance(err, PDFEncryptionError):
        raise IngestError(path, f"the PDF's encryption is not supported ({err})", "ingest an unencrypted copy (qpdf --decrypt in.pdf out.pdf)")
    raise IngestError(path, f"damaged PDF ({type(err).__name__}: {str(err)[:200]})", "download or export the PDF again")


def _tables(page: Any) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    if not (page.rects or page.lines):
        return []
    found = []
    for table in page.find_tables():
        rows = table.extract()
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            found.append((tuple(table.bbox), [[c or "" for c in r] for r in rows]))
    return found


def _ocr(ocr: PageOcr, path: Path, index: int) -> list[dict[str, Any]]:
    try:
        return ocr(path, index)
    except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as err:
        raise IngestError(path, f"OCR of scanned page {index + 1} failed ({type(err).__name__}: {str(err)[:200]})",
                          "check the Tesseract installation (tesseract --list-langs shows chi_sim), or ingest a PDF with a text layer") from None


def join_printed(texts: list[str]) -> str:
    """Printed lines of one paragraph as one text, without separators: Chinese text breaks lines anywhere, inside
    numbers and codes too (7 / 5% is 75%); a space that ended a line was printed as a space character and is kept."""
    return "".join(texts)


def read_pdf(path: Path, max_pages: int = MAX_PAGES, ocr: PageOcr | None = None, ocr_off: bool = False) -> Extraction:
    """The PDF's paragraphs and table rows in reading order, each with its pages; raises IngestError naming the
    file, the problem and the fix (encrypted, damaged, over `max_pages`, scanned pages without OCR, no text).
    `ocr_off`: OCR was switched off by the settings (RAG_OCR=false), which a scanned page's error then says."""
    with _open(path) as pdf:
        try:
            count = len(pdf.pages)
        except Exception as err:  # pdfminer raises many kinds on a broken page tree
            raise IngestError(path, f"damaged PDF: its pages cannot be listed ({type(err).__name__})", "download or export the PDF again") from None
        if count > max_pages:
            raise IngestError(path, f"{count} pages is over the {max_pages} page limit", "split the PDF by gazette issue")
        if count == 0:
            raise IngestError(path, "the PDF has no pages", "download or export the PDF again")
        pages: list[list[pdf_layout.Line]] = []
        heights: list[float] = []
        ocr_pages = 0
        for index, page in enumerate(pdf.pages):
            try:
                chars = page.dedupe_chars().chars
                tables = _tables(page)
            except IngestError:
                raise
            except Exception as err:
                cause = err.args[0] if err.args and isinstance(err.args[0], Exception) else err
                if isinstance(cause, MemoryError) or "allocate" in str(cause):
                    raise MemoryError(f"page {index + 1}: {cause}") from None  # the parent reports the memory limit
                raise IngestError(path, f"damaged PDF: page {index + 1} cannot be read ({type(err).__name__}: {err})", "download or export the PDF again") from None
            heights.append(float(page.height))
            if page.images and not any(c["text"].strip() for c in chars):  # a scan (a blank page has no images)
                if ocr is None and ocr_off:
                    raise IngestError(path, f"page {index + 1} is a scanned image without a text layer, and OCR is switched off (RAG_OCR=false)",
                                      "set RAG_OCR=true (with Tesseract installed) or ingest a PDF with a text layer")
                if ocr is None:
                    raise IngestError(path, f"page {index + 1} is a scanned image without a text layer, and OCR is not installed",
                                      f"install OCR (apt-get install {OCR_PACKAGES}) or ingest a PDF with a text layer")
                chars, tables = _ocr(ocr, path, index), []
                ocr_pages += 1
            pages.append(pdf_layout.page_lines(chars, index + 1, tables))
            page.close()  # frees the page's cached objects: memory stays flat over a long file
    pages, furniture = pdf_layout.drop_furniture(pages, heights)
    pages = pdf_layout.widen_frames(pages)
    lines: list[SourceLine] = []
    printed = 0
    for para in pdf_layout.paragraphs([ln for page_lines in pages for ln in page_lines]):  # across page breaks too
        scores = [ln.confidence for ln in para if ln.confidence is not None]
        lines.append(SourceLine(printed + 1, join_printed([ln.text for ln in para]), page=para[0].page, page_end=para[-1].page,
                                ocr_confidence=round(sum(scores) / len(scores), 1) if scores else None))
        printed += len(para)
    if not lines:
        raise IngestError(path, "the PDF has no text", "check that it is a gazette with text (or scanned pages with OCR installed)")
    marked = [replace(ln, page_start=k == 0 or ln.page != lines[k - 1].page) for k, ln in enumerate(lines)]
    return Extraction(tuple(marked), fmt="pdf", positioned=True, whole_paragraphs=True, pages=count, ocr_pages=ocr_pages,
                      furniture=tuple(furniture[:20]))
