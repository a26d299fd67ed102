"""Read a gazette file as text: UTF-8 (with or without BOM), UTF-16 with a BOM, or GBK/GB18030, with a clear error
otherwise."""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Gazette issues are 0.2–1 MB. Parsing costs 1–2 s per MB (5 MB: 6–10 s; 50 MB: over 2 minutes, 470 MB of memory,
# then 113k chunks to embed), so a file over 10 MB is refused before it is read: it is a concatenation or a dump.
MAX_BYTES = 10 * 1024 * 1024
# A PDF or DOCX issue is larger than its text (fonts, images, scans): up to 60 MB is read.
MAX_BINARY_BYTES = 60 * 1024 * 1024
BINARY_SUFFIXES = (".pdf", ".docx")


class IngestError(Exception):
    """A file that cannot be ingested; the message names the file, the problem and the fix."""

    def __init__(self, path: Path | str, problem: str, fix: str) -> None:
        super().__init__(f"{path}: {problem} — {fix}")
        self.path = str(path)
        self.problem = problem
        self.fix = fix


def _damaged_utf8(data: bytes) -> bool:
    """Chinese UTF-8 text with a few invalid spots (at most one per thousand characters). GBK-encoded Chinese is
    invalid UTF-8 at nearly every character, so it never qualifies."""
    text = data.decode("utf-8", errors="replace")
    return text.count("\ufffd") <= max(3, len(text) // 1000) and len(_CJK.findall(text[:20000])) >= 10


def decode(data: bytes, path: Path | str) -> str:
    if not data.strip():
        raise IngestError(path, "the file is empty", "remove it or replace it with the gazette's text")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Windows "Unicode" text: UTF-16 with its BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError(path, "damaged UTF-16 text", "save it again as UTF-8") from None
    if b"\x00" in data[:8192]:
        raise IngestError(path, "binary data (NUL bytes), not text", "extract the PDF to plain text first")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3:  # a multi-byte character cut off at the very end
            log.warning("truncated UTF-8 at end of file", extra={"file": str(path)})
            return data[: err.start].decode("utf-8-sig")
        if _damaged_utf8(data):  # checked before GBK: GB18030 can decode damaged UTF-8 into plausible 汉字
            raise IngestError(
                path, f"damaged UTF-8 at byte {err.start} (bytes missing or cut inside the file)",
                "restore the file from its source (`iconv -f UTF-8 -t UTF-8 FILE` shows where it breaks)",
            ) from None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise IngestError(path, "neither UTF-8 nor GBK text", "convert it to UTF-8 (iconv -f <encoding> -t UTF-8)") from None
    sample = text[:20000]
    if len(_CJK.findall(sample)) < 0.2 * max(1, len(sample.strip())):
        raise IngestError(path, "not UTF-8, and as GBK it is not Chinese text", "convert it to UTF-8 (iconv -f <encoding> -t UTF-8)")
    log.info("decoded as GBK", extra={"file": str(path)})
    return text


def read_bytes(path: Path) -> bytes:
    """The file's bytes, after the checks that need no decoding (exists, is a file, size, permission); raises
    IngestError naming the file, the problem and the fix."""
    if not path.exists():
        raise IngestError(path, "no such file", "check the path (default corpus: data/gazettes/)")
    if path.is_dir():
        raise IngestError(path, "is a folder, not a file", "pass the .txt files inside it, or the folder as RAG_DATA_DIR")
    limit = MAX_BINARY_BYTES if path.suffix.lower() in BINARY_SUFFIXES else MAX_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise IngestError(path, f"{size} bytes is over the {limit} byte limit", "split the file by gazette issue")
        return path.read_bytes()
    except PermissionError:
        raise IngestError(path, "permission denied", "make it readable (chmod a+r)") from None


def read_gazette(path: Path) -> str:
    """The file's text; raises IngestError naming the file, the problem and the fix."""
    return decode(read_bytes(path), path)
