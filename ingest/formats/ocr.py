"""OCR of scanned PDF pages (Tesseract: Debian tesseract-ocr tesseract-ocr-chi-sim).

Not wired in yet: `page_ocr` returns None, so the PDF reader fails a page without a text layer with an error
naming the packages to install (the other files still ingest). The PDF reader already takes an OCR function per
page and records each OCR line's confidence (SourceLine.ocr_confidence) and the count (Extraction.ocr_pages)."""

from __future__ import annotations

from typing import Any


def page_ocr() -> Any:
    """The OCR function the PDF reader calls for a page without a text layer, or None when OCR is unavailable."""
    return None
