"""Read a gazette file as text: UTF-8 (with or without BOM) or GBK/GB18030, with a clear error otherwise."""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_BYTES = 200 * 1024 * 1024


class IngestError(Exception):
    """A file that cannot be ingested; the message names the file, the problem and the fix."""

    def __init__(self, path: Path | str, problem: str, fix: str) -> None:
        super().__init__(f"{path}: {problem} — {fix}")
        self.path = str(path)
        self.problem = problem
        self.fix = fix


def decode(data: bytes, path: Path | str) -> str:
    if not data.strip():
        raise IngestError(path, "the file is empty", "remove it or replace it with the gazette's text")
    if b"\x00" in data[:8192]:
        raise IngestError(path, "binary data (NUL bytes), not text", "extract the PDF to plain text first")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3:  # a multi-byte character cut off at the very end
            log.warning("truncated UTF-8 at end of file", extra={"file": str(path)})
            return data[: err.start].decode("utf-8-sig")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise IngestError(path, "neither UTF-8 nor GBK text", "convert it to UTF-8 (iconv -f <encoding> -t UTF-8)") from None
    sample = text[:20000]
    if len(_CJK.findall(sample)) < 0.2 * max(1, len(sample.strip())):
        raise IngestError(path, "not UTF-8, and as GBK it is not Chinese text", "convert it to UTF-8 (iconv -f <encoding> -t UTF-8)")
    log.info("decoded as GBK", extra={"file": str(path)})
    return text


def read_gazette(path: Path) -> str:
    """The file's text; raises IngestError naming the file, the problem and the fix."""
    if not path.exists():
        raise IngestError(path, "no such file", "check the path (default corpus: data/gazettes/)")
    if path.is_dir():
        raise IngestError(path, "is a folder, not a file", "pass the .txt files inside it, or the folder as RAG_DATA_DIR")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise IngestError(path, f"{size} bytes is over the {MAX_BYTES} byte limit", "split the file by gazette issue")
        data = path.read_bytes()
    except PermissionError:
        raise IngestError(path, "permission denied", "make it readable (chmod a+r)") from None
    return decode(data, path)
