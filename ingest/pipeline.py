"""Ingest: files → repaired documents → chunks → Chroma vectors + keyword index + docstore.

Idempotent and incremental: a file whose bytes did not change is not parsed again, a chunk already in the store
is not embedded again, and chunks that disappeared are deleted. A file that fails is reported and keeps its
previous chunks; the manifest is written last, so an interrupted run leaves the previous index answering.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest import docstore, metadata
from ingest.chunker import ChunkBudget, chunk_document, embedding_text
from ingest.reader import IngestError
from ingest.records import Chunk, Document
from ingest.repair import repair_text
from ingest.segment import Source, split_documents
from ingest.settings import Settings

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
EMBED_BATCH = 64


@dataclass(frozen=True)
class ParsedFile:
    name: str
    sha256: str
    documents: tuple[Document, ...]
    chunks: tuple[Chunk, ...]


@dataclass
class IngestReport:
    files: int = 0
    unchanged_files: int = 0
    documents: int = 0
    chunks: int = 0
    tables: int = 0
    embedded: int = 0
    removed: int = 0
    seconds: float = 0.0
    failed: list[IngestError] = field(default_factory=list)
    skipped_duplicates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IndexFiles:
    """Where one index (one settings fingerprint) keeps its files."""

    root: Path

    @classmethod
    def of(cls, settings: Settings) -> IndexFiles:
        return cls(settings.index_dir / settings.collection_name())

    @property
    def documents(self) -> Path:
        return self.root / "documents.jsonl"

    @property
    def chunks(self) -> Path:
        return self.root / "chunks.jsonl"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def keyword(self) -> Path:
        return self.root / "keyword"

    def exists(self) -> bool:
        return self.manifest.exists()


def parse_text(raw: str, name: str, budget: ChunkBudget) -> tuple[list[Document], list[Chunk]]:
    city, gazette = metadata.gazette_of(raw, name.rsplit(".", 1)[0])
    documents = split_documents(repair_text(raw), Source(name, city, gazette))
    chunks = [c for d in documents for c in chunk_document(d, budget)]
    return documents, chunks


def parse_file(path: Path, budget: ChunkBudget) -> ParsedFile:
    from ingest.reader import read_gazette

    raw = read_gazette(path)
    documents, chunks = parse_text(raw, path.name, budget)
    if not chunks:
        raise IngestError(path, "no text found after repair", "check that the file holds a gazette's text")
    return ParsedFile(path.name, _sha256_file(path), tuple(documents), tuple(chunks))


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_state(files: IndexFiles) -> tuple[dict[str, Any], dict[str, Document], dict[str, Chunk]]:
    manifest = json.loads(files.manifest.read_text(encoding="utf-8")) if files.exists() else {"files": {}}
    docs = {d["doc_id"]: docstore.doc_from_json(d) for d in docstore.load_jsonl(files.documents)}
    chunks = {c["chunk_id"]: docstore.chunk_from_json(c) for c in docstore.load_jsonl(files.chunks)}
    return manifest, docs, chunks


def run_ingest(
    settings: Settings,
    embedder_factory: Callable[[], Any],
    paths: Sequence[Path] | None = None,
    store_factory: Callable[[Settings], Any] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index for `settings` up to date with `paths` (default: every .txt in settings.data_dir)."""
    started = time.perf_counter()
    full_corpus = paths is None
    if paths is None:
        if not settings.data_dir.is_dir():
            raise IngestError(settings.data_dir, "the data folder does not exist", "set RAG_DATA_DIR to the gazette folder")
        paths = sorted(settings.data_dir.glob("*.txt"))
    files = IndexFiles.of(settings)
    manifest, old_docs, old_chunks = load_state(files)
    report = IngestReport(files=len(paths))
    embedder: Any = None

    def get_embedder() -> Any:
        nonlocal embedder
        if embedder is None:
            embedder = embedder_factory()
        return embedder

    entries: dict[str, dict[str, Any]] = {} if full_corpus else dict(manifest["files"])
    new_docs: dict[str, Document] = {}
    new_chunks: dict[str, Chunk] = {}
    seen_hashes: dict[str, str] = {}
    for path in paths:
        try:
            sha = _sha256_file(path) if path.is_file() else ""
            if sha and sha in seen_hashes:
                report.skipped_duplicates.append(f"{path.name} (same bytes as {seen_hashes[sha]})")
                continue
            previous = manifest["files"].get(path.name)
            if previous and previous["sha256"] == sha and all(c in old_chunks for c in previous["chunk_ids"]):
                report.unchanged_files += 1
                entries[path.name] = previous
            else:
                emb = get_embedder()
                budget = ChunkBudget(min(settings.chunk_max_tokens, emb.max_tokens), settings.chunk_min_chars, emb.count_tokens)
                parsed = parse_file(path, budget)
                entries[path.name] = {
                    "sha256": parsed.sha256,
                    "doc_ids": [d.doc_id for d in parsed.documents],
                    "chunk_ids": [c.chunk_id for c in parsed.chunks],
                }
                new_docs.update({d.doc_id: d for d in parsed.documents})
                new_chunks.update({c.chunk_id: c for c in parsed.chunks})
            seen_hashes[entries[path.name]["sha256"]] = path.name
        except (IngestError, OSError) as err:
            error = err if isinstance(err, IngestError) else IngestError(path, str(err), "check the file")
            report.failed.append(error)
            log.error("file failed", extra={"file": str(path), "error": str(error)})
            if path.name in manifest["files"]:
                entries[path.name] = manifest["files"][path.name]  # keep what the previous run indexed
    docs: dict[str, Document] = {}
    chunks: dict[str, Chunk] = {}
    for entry in entries.values():
        for did in entry["doc_ids"]:
            docs[did] = new_docs.get(did) or old_docs[did]
        for cid in entry["chunk_ids"]:
            chunks[cid] = new_chunks.get(cid) or old_chunks[cid]
    store = (store_factory or _default_store)(settings)
    stored = store.ids()
    to_add = [c for cid, c in chunks.items() if cid not in stored]
    to_remove = sorted(stored - set(chunks))
    if to_add:
        report.embedded = _embed_and_add(store, to_add, docs, get_embedder(), progress)
    if to_remove:
        store.delete(to_remove)
        report.removed = len(to_remove)
    changed = bool(to_add or to_remove or new_chunks) or not files.exists() or not (files.keyword / "ids.json").exists()
    if changed or manifest.get("files") != entries:
        _write_index_files(files, settings, entries, docs, chunks)
    report.documents = len(docs)
    report.chunks = len(chunks)
    report.tables = sum(1 for c in chunks.values() if c.kind == "table")
    report.seconds = time.perf_counter() - started
    return report


def _default_store(settings: Settings) -> Any:
    from ingest.store import ChunkStore

    return ChunkStore.open(settings)


def _embed_and_add(store: Any, chunks: list[Chunk], docs: dict[str, Document], embedder: Any, progress: Progress | None) -> int:
    from ingest.nodes import to_node

    done = 0
    for i in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[i:i + EMBED_BATCH]
        texts = [embedding_text(docs[c.doc_id].title, c.headings, c.text) for c in batch]
        vectors = embedder.embed_passages(texts)
        store.add_nodes([to_node(c, docs[c.doc_id], v.tolist()) for c, v in zip(batch, vectors)])
        done += len(batch)
        if progress:
            progress(done, len(chunks))
    return done


def _write_index_files(files: IndexFiles, settings: Settings, entries: dict[str, Any], docs: dict[str, Document], chunks: dict[str, Chunk]) -> None:
    from ingest.keyword import KeywordIndex

    ordered = sorted(chunks.values(), key=lambda c: (c.doc_id, c.ordinal))
    docstore.save_jsonl(files.documents, [docstore.doc_to_json(d) for d in docs.values()])
    docstore.save_jsonl(files.chunks, [docstore.chunk_to_json(c) for c in ordered])
    keyword = KeywordIndex.build([c.chunk_id for c in ordered], [
        embedding_text(docs[c.doc_id].title, c.headings, c.text) for c in ordered
    ])
    keyword.save(files.keyword)
    manifest = {"fingerprint": settings.fingerprint(), "settings": settings.index_shape(), "files": entries}
    docstore.write_atomic(files.manifest, json.dumps(manifest, ensure_ascii=False, indent=1))
