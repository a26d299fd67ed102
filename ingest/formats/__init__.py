"""Readers by file format: every reader turns a file into one Extraction (SourceLines and what the reader already
took care of) for the same repairs and segmenter.

`.txt` (and any other name) is decoded as text in this process; `.pdf` and `.docx` are read in a child process
with bounded time and memory (`ingest.formats.isolated`). The bytes are checked against the name first: a file
whose extension lies fails with an error saying what it is and how to rename it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.reader import IngestError, decode
from ingest.records import Extraction
from settings import SOURCE_SUFFIXES

SUFFIXES = SOURCE_SUFFIXES


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on reading one PDF or DOCX file (from Settings: read_timeout_s, read_memory_mb, pdf_max_pages)."""

    timeout_s: float = 300.0
    memory_mb: int = 2048
    max_pages: int = 500
    ocr: bool = True


def sniff(data: bytes) -> str:
    """What the bytes are: pdf, zip, ole (an old .doc), or text."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return "text"


_WHAT = {"pdf": "a PDF", "zip": "a zip archive (a Word .docx?)", "ole": "an old Word .doc file", "text": "text or other data"}
_RENAME = {"pdf": "rename it to .pdf", "zip": "rename it to .docx if it is a Word document", "ole": "save it as .docx in Word or WPS",
           "text": "rename it to .txt if it is the gazette's text"}


def _lying(path: Path, kind: str, expected: str) -> IngestError:
    return IngestError(path, f"named {path.suffix} but the file is {_WHAT[kind]}, not {expected}", _RENAME[kind])


def read_source(path: Path, data: bytes, limits: ReadLimits | None = None) -> Extraction:
    """Read `data` (the bytes of `path`) with the reader its name asks for; raises IngestError naming the file,
    the problem and the fix."""
    from ingest.repair import text_extraction

    limits = limits or ReadLimits()
    suffix = path.suffix.lower()
    kind = sniff(data)
    if suffix == ".pdf":
        if kind != "pdf":
            raise _lying(path, kind, "a PDF") if data.strip() else IngestError(path, "the file is empty", "download or export the PDF again")
        if b"%%EOF" not in data[-2048:]:
            raise IngestError(path, f"the PDF is truncated (no end-of-file marker after {len(data)} bytes)", "download or export the PDF again")
        return _binary(path, "pdf", limits)
    if suffix == ".docx":
        if kind == "zip":
            return _binary(path, "docx", limits)
        raise _lying(path, kind, "a Word .docx") if data.strip() else IngestError(path, "the file is empty", "save the Word document again")
    if kind == "pdf":
        raise _lying(path, kind, "text")
    if kind == "zip" and b"word/" in data[:4096]:
        raise IngestError(path, f"named {path.suffix} but the file is a Word .docx, not text", "rename it to .docx")
    return text_extraction(decode(data, path))


def _binary(path: Path, fmt: str, limits: ReadLimits) -> Extraction:
    from ingest.formats.isolated import read_isolated

    return read_isolated(path, fmt, limits)
