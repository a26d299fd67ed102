"""Read a PDF or DOCX in a child process with bounded time and memory.

A hostile file (a PDF whose content streams hold millions of operators, a decompression bomb) can keep pdfminer
busy for hours or allocate gigabytes; in a child process it is killed after `timeout_s` or stopped by its address
space limit, and only that file fails. The child prints the Extraction as one JSON line.

    python -m ingest.formats.isolated pdf|docx PATH MAX_PAGES OCR(0|1)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from ingest.reader import IngestError
from ingest.records import Extraction, SourceLine

_ROOT = Path(__file__).resolve().parents[2]


def _limit_memory(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def read_isolated(path: Path, fmt: str, limits: object) -> Extraction:
    """Run the `fmt` reader on `path` in a child process; raises IngestError for the reader's errors, a timeout,
    or memory exhaustion."""
    from ingest.formats import ReadLimits

    assert isinstance(limits, ReadLimits)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "ingest.formats.isolated", fmt, str(path), str(limits.max_pages), "1" if limits.ocr else "0"]
    try:
        proc = subprocess.run(command, capture_output=True, timeout=limits.timeout_s, env=env, cwd=_ROOT,
                              preexec_fn=lambda: _limit_memory(limits.memory_mb))
    except subprocess.TimeoutExpired:
        raise IngestError(path, f"reading the {fmt.upper()} took over {limits.timeout_s:g} s and was stopped (a hostile or broken file?)",
                          "export or download it again; if it is genuine, raise RAG_READ_TIMEOUT_S") from None
    lines = proc.stdout.decode("utf-8", errors="replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        stderr = proc.stderr.decode("utf-8", errors="replace")
        if "MemoryError" in stderr or proc.returncode in (-9, -6) or "std::bad_alloc" in stderr:
            raise IngestError(path, f"reading the {fmt.upper()} needed more than {limits.memory_mb} MB and was stopped (a decompression bomb?)",
                              "export or download it again; if it is genuine, raise RAG_READ_MEMORY_MB")
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {proc.returncode}"
        raise IngestError(path, f"the {fmt.upper()} reader failed ({last[:300]})", "export or download the file again")
    result = json.loads(lines[-1])
    if "error" in result:
        raise IngestError(path, result["error"]["problem"], result["error"]["fix"])
    result["lines"] = tuple(SourceLine(**line) for line in result["lines"])
    result["furniture"] = tuple(result["furniture"])
    return Extraction(**result)


def _main(fmt: str, path: str, max_pages: int, ocr: bool) -> dict[str, object]:
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font descriptor warnings on ordinary PDFs
    try:
        if fmt == "pdf":
            from ingest.formats.ocr import page_ocr
            from ingest.formats.pdf import read_pdf

            extraction = read_pdf(Path(path), max_pages, page_ocr() if ocr else None, ocr_off=not ocr)
        else:
            from ingest.formats.docx import read_docx

            extraction = read_docx(Path(path))
    except IngestError as err:
        return {"error": {"problem": err.problem, "fix": err.fix}}
    return asdict(extraction)


if __name__ == "__main__":
    fmt_arg, path_arg, pages_arg, ocr_arg = sys.argv[1:5]
    print(json.dumps(_main(fmt_arg, path_arg, int(pages_arg), ocr_arg == "1"), ensure_ascii=False))
