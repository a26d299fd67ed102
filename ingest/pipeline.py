"""Ingest: files → repaired documents → chunks → Chroma vectors + keyword index + docstore.

Idempotent and incremental: a file whose bytes did not change is not parsed again, a chunk already indexed is
not embedded again (its vector is copied), and chunks that disappeared are dropped. A file that fails is
reported and keeps its previous chunks. Atomic: a run that changes anything builds a new index generation and
publishes it last with one rename (`index_format.generations`), so a crash or kill at any point leaves the previous
index answering, and the next run resumes the staged generation.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from index_format import docstore
from index_format.embedding import embedding_text
from index_format.generations import Generations, IndexFiles, load_state
from index_format.manifest import FileEntry, Manifest
from index_format.windows import window_chunks
from ingest import metadata
from ingest.chunker import ChunkBudget, chunk_document
from ingest.embed_cache import EmbeddingCache
from ingest.formats import SUFFIXES, ReadLimits, read_source
from ingest.reader import IngestError
from ingest.records import Chunk, Document, Extraction
from ingest.repair import repair_extraction, text_extraction
from ingest.segment import Source, split_documents
from ingest.tables import is_column_dump
from settings import Settings

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
Stage = Callable[[str], None]
# New texts are embedded in one pass sorted by length; every EMBED_GROUP texts the vectors are cached and added
# to the store (progress is reported, and a killed run keeps what it had embedded).
EMBED_GROUP = 256


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
    tables: int = 0  # table block chunks
    table_rows: int = 0
    whole_tables: int = 0  # tables: a table block with its continuation blocks
    tables_without_header: int = 0
    column_dumps: int = 0  # tables printed column by column (rows rebuilt where their columns align)
    embedded: int = 0
    cached: int = 0
    removed: int = 0
    seconds: float = 0.0
    copied: int = 0
    cross_embedded: int = 0
    windows: int = 0  # sentence windows of long clauses in the `-win` collection (`index_format.windows`)
    windows_embedded: int = 0
    generation: int | None = None
    failed: list[IngestError] = field(default_factory=list)
    skipped_duplicates: list[str] = field(default_factory=list)
    # (documents, chunks) of each file of this run that the index holds, parsed now or unchanged, by file name
    file_counts: dict[str, tuple[int, int]] = field(default_factory=dict)


class TableCounts(NamedTuple):
    tables: int
    rows: int
    without_header: int
    column_dumps: int  # tables printed column by column: rows rebuilt only where their columns align


def table_counts(chunks: Iterable[Chunk]) -> TableCounts:
    """Tables, table rows, tables without a detected header and tables printed column by column. A table is a
    table block with its continuation blocks (表（续2）…); it has no detected header when none of its rows has a
    named column: a table whose first row is not a header and that continues no table with one (a name list). A
    column dump (`ingest.column_dumps`) is a block line that opens with a header cell and the row numbers 1…N."""
    chunks = list(chunks)
    by_id = {c.chunk_id: c for c in chunks}

    def table_of(cid: str | None) -> str | None:
        block = by_id.get(cid) if cid else None
        while block is not None and block.parent_id in by_id and by_id[block.parent_id].kind == "table":
            block = by_id[block.parent_id]
        return block.chunk_id if block is not None else None

    blocks = [c for c in chunks if c.kind == "table"]
    tables = {table_of(c.chunk_id) for c in blocks}
    rows = [c for c in chunks if c.kind == "table_row"]
    named = {table_of(c.parent_id) for c in rows if any(name for name, _ in c.cells)}
    dumps = sum(1 for c in blocks for line in c.text.split("\n") if is_column_dump(line.split("\t")))
    return TableCounts(len(tables), len(rows), len(tables - named), dumps)


def parse_extraction(extraction: Extraction, name: str, budget: ChunkBudget) -> tuple[list[Document], list[Chunk]]:
    """Documents and chunks of one file, whatever its format: the reader's lines go through the same repairs and
    segmenter (the reader's Extraction says which repairs it made unnecessary)."""
    city, gazette = metadata.gazette_of(extraction.text(), name.rsplit(".", 1)[0])
    documents = split_documents(repair_extraction(extraction), Source(name, city, gazette))
    chunks = [c for d in documents for c in chunk_document(d, budget)]
    return documents, chunks


def parse_text(raw: str, name: str, budget: ChunkBudget) -> tuple[list[Document], list[Chunk]]:
    return parse_extraction(text_extraction(raw), name, budget)


def read_limits(settings: Settings) -> ReadLimits:
    return ReadLimits(settings.read_timeout_s, settings.read_memory_mb, settings.pdf_max_pages, settings.ocr)


def parse_file(path: Path, budget: ChunkBudget, limits: ReadLimits | None = None) -> ParsedFile:
    from ingest.reader import read_bytes

    data = read_bytes(path)
    documents, chunks = parse_extraction(read_source(path, data, limits), path.name, budget)
    if not chunks:
        raise IngestError(path, "no text found after repair", "check that the file holds a gazette's text")
    return ParsedFile(path.name, hashlib.sha256(data).hexdigest(), tuple(documents), tuple(chunks))


def _fingerprints(paths: Sequence[Path], manifest: Manifest, report: IngestReport) -> dict[Path, str]:
    """sha256 of each readable file (read through the reader's checks: a missing, oversized or unreadable file is
    reported with the reader's error). Files with the same bytes are indexed once: under the name the index
    already has for them, else the first name; the others are reported as skipped duplicates."""
    from ingest.reader import read_bytes

    shas: dict[Path, str] = {}
    for path in paths:
        try:
            shas[path] = hashlib.sha256(read_bytes(path)).hexdigest()
        except IngestError as err:
            report.failed.append(err)
            log.error("file failed", extra={"file": str(path), "error": str(err)})
    indexed = {entry.sha256: name for name, entry in manifest.files.items()}
    keeper: dict[str, Path] = {}
    for path, sha in shas.items():
        if sha not in keeper or (indexed.get(sha) == path.name and keeper[sha].name != path.name):
            keeper[sha] = path
    for path, sha in list(shas.items()):
        if keeper[sha] != path:
            report.skipped_duplicates.append(f"{path.name} (same bytes as {keeper[sha].name})")
            del shas[path]
    stems: dict[str, Path] = {}
    for path in sorted(shas, key=lambda p: (p.name not in manifest.files, p.name)):  # the indexed name is kept
        stem = path.name.rsplit(".", 1)[0]
        if stem in stems:
            collision = IngestError(path, f"{stems[stem].name} has the same name before its extension (the same issue in two formats?): their document ids would collide",
                              "keep one format of each gazette issue, or rename one of them")
            report.failed.append(collision)
            log.error("file failed", extra={"file": str(path), "error": str(collision)})
            del shas[path]
        else:
            stems[stem] = path
    return shas


def run_ingest(
    settings: Settings,
    embedder_factory: Callable[[], Any],
    paths: Sequence[Path] | None = None,
    store_factory: Callable[[Settings, str], Any] | None = None,
    progress: Progress | None = None,
    on_stage: Stage | None = None,
    cache_factory: Callable[[Settings, Any], EmbeddingCache | None] | None = None,
    cross_lingual_factory: Callable[[], Any] | None = None,
) -> IngestReport:
    """Bring the index for `settings` up to date with `paths` (default: every .txt, .pdf and .docx in
    settings.data_dir).

    `store_factory(settings, collection_name)` opens a vector store (default: ChunkStore on the configured Chroma);
    `cache_factory(settings, embedder)` opens the embedding cache (default: `default_cache`, None = no cache);
    `cross_lingual_factory()` builds the embedder of the second dense space (`settings.cross_lingual`; None = no
    second collection): its vectors go to the generation's `cross_collection`;
    `on_stage` hears "parsed", "staged", "written", "published" as the run passes them."""
    started = time.perf_counter()
    full_corpus = paths is None
    if paths is None:
        if not settings.data_dir.is_dir():
            raise IngestError(settings.data_dir, "the data folder does not exist", "set RAG_DATA_DIR to the gazette folder")
        paths = sorted(p for p in settings.data_dir.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$")))
    generations = Generations.of(settings)
    stage = on_stage or (lambda _name: None)
    with generations.lock():
        report = IngestReport(files=len(paths))
        embedder: Any = None

        def get_embedder() -> Any:
            nonlocal embedder
            if embedder is None:
                embedder = embedder_factory()
            return embedder

        published = generations.published()
        manifest, old_docs, old_chunks = load_state(published)
        entries, new_docs, new_chunks = _parse_changed(paths, manifest, old_chunks, full_corpus, settings, get_embedder, report)
        docs: dict[str, Document] = {}
        chunks: dict[str, Chunk] = {}
        for entry in entries.values():
            for did in entry.doc_ids:
                docs[did] = new_docs.get(did) or old_docs[did]
            for cid in entry.chunk_ids:
                chunks[cid] = new_chunks.get(cid) or old_chunks[cid]
        stage("parsed")
        report.documents = len(docs)
        report.chunks = len(chunks)
        counts = table_counts(chunks.values())
        report.whole_tables, report.table_rows, report.tables_without_header = counts.tables, counts.rows, counts.without_header
        report.column_dumps = counts.column_dumps
        report.tables = sum(1 for c in chunks.values() if c.kind == "table")
        report.generation = generations.current()
        complete = all(p.exists() for p in (published.keyword / "ids.json", published.idf, published.char_idf))  # an older layout lacks one
        if published.exists() and manifest.files == entries and set(chunks) == set(old_chunks) and complete:
            report.seconds = time.perf_counter() - started
            return report  # nothing changed: nothing is embedded or written
        staging = generations.staging()
        open_store = store_factory or _default_store
        store = open_store(settings, staging.collection)
        vectors = _VectorStage(chunks, old_chunks, docs, progress, cache_factory or default_cache, settings)
        report.copied, report.embedded, report.cached = vectors.fill(
            store, lambda: open_store(settings, published.collection), get_embedder)
        cross_name = None
        if cross_lingual_factory is not None:  # the second dense space (questions in English), the same chunks
            cross: Any = None

            def get_cross() -> Any:
                nonlocal cross
                cross = cross or cross_lingual_factory()
                return cross

            _, report.cross_embedded, _ = vectors.fill(
                open_store(settings, staging.cross_collection), lambda: open_store(settings, published.cross_collection),
                get_cross)
            cross_name = (cross.name if cross is not None else manifest.cross_lingual) or get_cross().name
        if settings.dense_windows > 0:  # long clauses also as windows of their sentences, in the first space
            windows = window_chunks(chunks.values(), settings.dense_windows)
            stage_windows = _VectorStage(windows, window_chunks(old_chunks.values(), settings.dense_windows), docs, None,
                                         cache_factory or default_cache, settings)
            report.windows = len(windows)
            _, report.windows_embedded, _ = stage_windows.fill(
                open_store(settings, staging.window_collection), lambda: open_store(settings, published.window_collection),
                get_embedder)
        report.removed = len(set(old_chunks) - set(chunks))
        stage("staged")
        _write_index_files(staging, settings, entries, docs, chunks, cross_name)
        stage("written")
        generations.publish(staging)
        report.generation = generations.current()
        stage("published")
        if hasattr(store, "client"):
            generations.prune(store.client)
    report.seconds = time.perf_counter() - started
    return report


def _parse_changed(
    paths: Sequence[Path],
    manifest: Manifest,
    old_chunks: dict[str, Chunk],
    full_corpus: bool,
    settings: Settings,
    get_embedder: Callable[[], Any],
    report: IngestReport,
) -> tuple[dict[str, FileEntry], dict[str, Document], dict[str, Chunk]]:
    """Parse the files whose bytes changed; returns the manifest entries of every indexed file and the new
    documents and chunks. A failed file is reported and keeps its previous entry."""
    entries: dict[str, FileEntry] = {} if full_corpus else dict(manifest.files)
    new_docs: dict[str, Document] = {}
    new_chunks: dict[str, Chunk] = {}
    for failure in report.failed:  # unreadable files keep what the previous run indexed
        name = Path(failure.path).name
        if name in manifest.files:
            entries[name] = manifest.files[name]
    for path, sha in _fingerprints(paths, manifest, report).items():
        previous = manifest.files.get(path.name)
        if previous and previous.sha256 == sha and all(c in old_chunks for c in previous.chunk_ids):
            report.unchanged_files += 1
            entries[path.name] = previous
            report.file_counts[path.name] = (len(previous.doc_ids), len(previous.chunk_ids))
            continue
        try:
            emb = get_embedder()
            budget = ChunkBudget(min(settings.chunk_max_tokens, emb.max_tokens), settings.chunk_min_chars, emb.count_tokens)
            parsed = parse_file(path, budget, read_limits(settings))
        except (IngestError, OSError) as err:
            error = err if isinstance(err, IngestError) else IngestError(path, str(err), "check the file")
            report.failed.append(error)
            log.error("file failed", extra={"file": str(path), "error": str(error)})
            if previous:
                entries[path.name] = previous  # keep what the previous run indexed
            continue
        entries[path.name] = FileEntry(parsed.sha256, tuple(d.doc_id for d in parsed.documents), tuple(c.chunk_id for c in parsed.chunks))
        report.file_counts[path.name] = (len(parsed.documents), len(parsed.chunks))
        new_docs.update({d.doc_id: d for d in parsed.documents})
        new_chunks.update({c.chunk_id: c for c in parsed.chunks})
    return entries, new_docs, new_chunks


@dataclass
class _VectorStage:
    """Brings one staged collection to exactly the index's chunks: drops vectors of chunks that are gone, copies
    the published generation's vectors of chunks it had (no re-embedding), embeds the rest (cache first)."""

    chunks: dict[str, Chunk]
    old_chunks: dict[str, Chunk]
    docs: dict[str, Document]
    progress: Progress | None
    cache_factory: Callable[[Settings, Any], EmbeddingCache | None]
    settings: Settings

    def fill(self, store: Any, published: Callable[[], Any], get_embedder: Callable[[], Any]) -> tuple[int, int, int]:
        """(vectors copied, embedded now, taken from the cache)."""
        stored = store.ids()
        to_remove = sorted(stored - set(self.chunks))
        if to_remove:
            store.delete(to_remove)
        missing = [cid for cid in self.chunks if cid not in stored]
        carried = [cid for cid in missing if cid in self.old_chunks]
        copied: set[str] = set()
        if carried:
            copied = store.copy_from(published(), carried)
            missing = [cid for cid in missing if cid not in copied]
        if not missing:
            return len(copied), 0, 0
        emb = get_embedder()
        cache = self.cache_factory(self.settings, emb)
        try:
            embedded, cached = _embed_and_add(store, [self.chunks[c] for c in missing], self.docs, emb, self.progress, cache)
            if cache is not None:
                cache.prune()
        finally:
            if cache is not None:
                cache.close()
        return len(copied), embedded, cached


def _default_store(settings: Settings, collection: str) -> Any:
    from index_format.store import ChunkStore

    return ChunkStore.open(settings, collection)


def default_cache(settings: Settings, embedder: Any) -> EmbeddingCache | None:
    """The embedding cache in `<index_dir>/embeddings/`, or None when settings.embed_cache_max is 0."""
    if settings.embed_cache_max <= 0:
        return None
    return EmbeddingCache.for_embedder(settings.index_dir / "embeddings", embedder.name, embedder.dim, settings.embed_cache_max)


def _embed_and_add(store: Any, chunks: list[Chunk], docs: dict[str, Document], embedder: Any, progress: Progress | None,
                   cache: EmbeddingCache | None) -> tuple[int, int]:
    """Give every chunk its vector: from the cache when its text was embedded before, else embedded now, each
    distinct text once, in one pass over the new texts sorted by length (similar lengths share a batch, so little
    padding). Returns (chunks embedded now, chunks from the cache)."""
    from ingest.nodes import to_node

    text_of = {c.chunk_id: embedding_text(docs[c.doc_id].title, c.headings, c.index_text) for c in chunks}
    by_text: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_text.setdefault(text_of[c.chunk_id], []).append(c)
    known = cache.get_many(by_text) if cache is not None else {}
    done = 0

    def add(texts: list[str], vectors: Any) -> None:
        nonlocal done
        nodes = [to_node(c, docs[c.doc_id], v.tolist()) for t, v in zip(texts, vectors, strict=True) for c in by_text[t]]
        store.add_nodes(nodes)
        done += len(nodes)
        if progress:
            progress(done, len(chunks))

    cached = [t for t in by_text if t in known]
    for i in range(0, len(cached), EMBED_GROUP):
        group = cached[i:i + EMBED_GROUP]
        add(group, [known[t] for t in group])
    from_cache = done
    new = sorted((t for t in by_text if t not in known), key=len, reverse=True)
    for i in range(0, len(new), EMBED_GROUP):
        group = new[i:i + EMBED_GROUP]
        vectors = embedder.embed_passages(group)
        if cache is not None:
            cache.put_many(group, vectors)
        add(group, vectors)
    return done - from_cache, from_cache


def _write_index_files(files: IndexFiles, settings: Settings, entries: Mapping[str, FileEntry], docs: dict[str, Document],
                       chunks: dict[str, Chunk], cross_lingual: str | None = None) -> None:
    """The generation's files, the documents with their near-duplicate families (`ingest.families`); the manifest
    names the embedder of its second dense collection (`cross_lingual`, None when it has none)."""
    from index_format.keyword import KeywordIndex
    from ingest.families import with_families

    ordered = sorted(chunks.values(), key=lambda c: (c.doc_id, c.ordinal))
    docs = with_families(docs, settings.near_duplicate_jaccard)  # over every document: a new one may join a family
    docstore.save_jsonl(files.documents, [docstore.doc_to_json(d) for d in docs.values()])
    docstore.save_jsonl(files.chunks, [docstore.chunk_to_json(c) for c in ordered])
    keyword = KeywordIndex.build([c.chunk_id for c in ordered], [
        embedding_text(docs[c.doc_id].title, c.headings, c.index_text) for c in ordered
    ])
    keyword.save(files.keyword)
    docstore.save_idf(files.idf, files.char_idf, [c.norm_text for c in ordered])
    Manifest(settings.fingerprint(), settings.index_shape(), entries, cross_lingual, windows=settings.dense_windows).write(files.manifest)
