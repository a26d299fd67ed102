"""`python -m tests.app.mcp_fixture_server INDEX_ROOT`: the MCP server over stdio, on the tests' small index.

A subprocess cannot use the test process's fake embedder, so this builds the same index `tests/conftest.py`'s
`small_index` builds (the same four gazette files, the bigram fake embedder) under INDEX_ROOT, and serves it through
`app.mcp_server.build_server`, the function `python -m app.mcp_server` serves: only the index differs. Everything
printed while building goes to stderr (stdout carries the protocol).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import uuid
from datetime import date
from pathlib import Path

from app.mcp_server import build_server
from ingest.pipeline import run_ingest
from rag.index import LoadedIndex, load_index
from rag.pipeline import Pipeline
from settings import Settings
from tests.conftest import GAZETTES, SMALL_INDEX_FILES  # the files `small_index` indexes
from tests.fakes import BigramEmbedder

TODAY = date(2026, 11, 22)  # validity is judged on this day: 晋市政发〔2018〕23号 (有效期至2023年7月15日) has lapsed


def build_small_index(root: Path) -> LoadedIndex:
    """The small index under `root` (built the way tests/conftest.py's `small_index` is)."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name in SMALL_INDEX_FILES:
        shutil.copy(GAZETTES / name, data / name)
    settings = Settings(data_dir=data, index_dir=root / "index", collection_prefix=f"mcp-{uuid.uuid4().hex[:8]}")
    embedder = BigramEmbedder()
    report = run_ingest(settings, lambda: embedder)
    if report.failed:
        raise RuntimeError(f"the small index could not be built: {report.failed}")
    return load_index(settings, embedder=embedder)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.app.mcp_fixture_server INDEX_ROOT", file=sys.stderr)
        return 2
    with contextlib.redirect_stdout(sys.stderr):
        pipeline = Pipeline(build_small_index(Path(argv[0])), today=lambda: TODAY)
    build_server(lambda: pipeline, today=lambda: TODAY).run("stdio")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
