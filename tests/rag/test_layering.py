"""rag/ reads the index through the index-format module (index_format.generations), never through the ingest writer."""

from __future__ import annotations

import ast
from pathlib import Path

RAG = Path(__file__).resolve().parents[2] / "rag"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_rag_imports_nothing_from_the_ingest_writer() -> None:
    offenders = {p.name: m for p in sorted(RAG.glob("*.py")) for m in _imported_modules(p) if m == "ingest.pipeline"}
    assert offenders == {}
    assert "index_format.generations" in _imported_modules(RAG / "index.py")  # the test reads real imports
