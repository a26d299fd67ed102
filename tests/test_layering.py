"""The layers import one way: rag/ and app/ read the index through index_format/ and share settings.py and
textnorm.py, never reaching into ingest/ beyond the few imports listed here with their reason; the shared modules
import nothing from the packages built on them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = ("rag", "app")
SHARED = ("index_format", "settings.py", "textnorm.py")

# (where: a folder or a file, module imported from ingest/) → why it is allowed
ALLOWED_FROM_INGEST: dict[tuple[str, str], str] = {
    ("rag/", "ingest.records"): "the typed records the index stores (Document, Chunk): app → rag → ingest's records",
    ("app/", "ingest.records"): "the same records, shown by the app",
    ("index_format/", "ingest.records"): "the documents and chunks JSON Lines hold these records",
    ("rag/index.py", "ingest.embedders"): "the default query embedder (the model the index was built with) when none is injected",
    ("app/runtime.py", "ingest.embedders"): "the embedder of the first ingest, below",
    ("app/runtime.py", "ingest.pipeline"): "the app builds the index when there is none (`make run` on a fresh clone)",
    ("app/runtime.py", "ingest.reader"): "IngestError, which that first ingest reports",
    ("app/upload.py", "ingest.pipeline"): "a staff upload runs an ingest of its files (the report it returns)",
}


def _python_files(*names: str) -> list[Path]:
    out: list[Path] = []
    for name in names:
        path = ROOT / name
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _from_ingest(*names: str) -> set[tuple[str, str]]:
    """(file relative to the root, module) of every import from ingest/ in those folders and files."""
    return {(p.relative_to(ROOT).as_posix(), m) for p in _python_files(*names) for m in _imports(p)
            if m == "ingest" or m.startswith("ingest.")}


def _covers(where: str, file: str) -> bool:
    return file == where or (where.endswith("/") and file.startswith(where))


def _allowed(file: str, module: str) -> bool:
    return any(module == allowed and _covers(where, file) for where, allowed in ALLOWED_FROM_INGEST)


def test_readers_and_shared_modules_import_from_ingest_only_the_listed_modules() -> None:
    offenders = sorted(imp for imp in _from_ingest(*READERS, *SHARED) if not _allowed(*imp))
    assert offenders == []


def test_every_allowed_ingest_import_is_still_used() -> None:
    used = _from_ingest(*READERS, *SHARED)
    stale = [(where, module) for where, module in ALLOWED_FROM_INGEST
             if not any(m == module and _covers(where, f) for f, m in used)]
    assert stale == []


def test_rag_reads_the_index_through_index_format_not_the_ingest_writer() -> None:
    imports = _imports(ROOT / "rag" / "index.py")
    assert {"index_format.generations", "index_format.manifest", "index_format.keyword"} <= imports  # real imports are read
    assert all(m != "ingest.pipeline" for _, m in _from_ingest("rag"))


def test_shared_modules_import_no_package_built_on_them() -> None:
    above = ("rag", "app", "evals", "bench", "ingest.pipeline")
    offenders = sorted((p.relative_to(ROOT).as_posix(), m) for p in _python_files(*SHARED) for m in _imports(p)
                       if any(m == a or m.startswith(a + ".") for a in above))
    assert offenders == []
