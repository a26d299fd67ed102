"""One synthetic archive as a real index in a folder of its own, built, loaded and queried with the product's code:
ChunkStore on a PersistentClient, KeywordIndex.build/save, the relevance gate's bigram IDF file, the documents'
near-duplicate families (ingest.families), the docstore files,
rag.index.load_index, and HybridRetriever / Pipeline for end-to-end retrieval. The generation holds the files
ingest.pipeline writes (`_write_index_files`), so loading reads the gate's weights instead of computing them.
Each step returns its figures as a dict.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.diversity import TopFive
from bench.machine import size_mib
from bench.synthetic import Archive, derived_vectors
from bench.timing import Stopwatch, rate, summarize_ms
from index_format import docstore
from index_format.embedding import embedding_text
from index_format.generations import Generations, IndexFiles
from index_format.keyword import KeywordIndex
from index_format.manifest import Manifest, SyntheticArchive
from index_format.store import ChunkStore
from index_format.windows import owner, window_chunks
from ingest.families import family_count, with_families
from ingest.nodes import to_node
from rag.index import LoadedIndex, load_index
from rag.pipeline import Pipeline
from rag.retrieve import HybridRetriever, RetrievalConfig
from settings import Settings

ADD_BATCH = 2000  # chunks converted and added to Chroma at a time (ChunkStore batches the same way)
LEGS = ("dense", "keyword", "retrieve", "answer")


def index_settings(folder: Path) -> Settings:
    """The settings of an index kept in `folder` (collection and file names follow the real fingerprint)."""
    return Settings(index_dir=folder)  # type: ignore[call-arg]  # pydantic-settings: the other fields from the environment


def open_store(folder: Path, collection: str, settings: Settings) -> ChunkStore:
    """The product's ChunkStore on an embedded PersistentClient in folder/chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(folder / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    return ChunkStore(client, collection, settings.chroma_ef_search)


def build(folder: Path, archive: Archive, base: Mapping[str, np.ndarray], sigma: float, seed: int = 0,
          progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Write the archive as an index in `folder`: Chroma vectors (derived, see bench.synthetic), the keyword index,
    the gate's bigram IDF (as ingest writes it), documents/chunks JSON Lines and a manifest. Returns the timings,
    rates and sizes on disk."""
    settings = index_settings(folder)
    generations = Generations.of(settings)
    files = generations.staging()  # written beside, then published, as ingest does
    store = open_store(folder, files.collection, settings)
    ids = archive.ordered_ids()
    chunks, docs = archive.chunks, archive.documents
    watch = Stopwatch()
    rng = np.random.default_rng(seed)
    _add(store, ids, chunks, docs, archive.origin, base, sigma, rng, watch, "", progress)
    windows = window_chunks((chunks[cid] for cid in ids), settings.dense_windows) if settings.dense_windows > 0 else {}
    if windows:  # a copy's windows are its original's (the copy keeps every length), with their own noise
        origin = {wid: archive.origin[owner(wid)] + wid[len(owner(wid)):] for wid in windows}
        missing = next((o for o in origin.values() if o not in base), None)
        if missing is not None:
            raise SystemExit(f"no stored vector for the sentence window {missing}: the real index was built with other "
                             f"windows than RAG_DENSE_WINDOWS={settings.dense_windows}; re-run `python -m ingest` and the "
                             "benchmark's preparation")
        _add(open_store(folder, files.window_collection, settings), list(windows), windows, docs, origin, base, sigma,
             rng, watch, "windows_", None)
    with watch("keyword_build"):
        texts = [embedding_text(docs[chunks[cid].doc_id].title, chunks[cid].headings, chunks[cid].text) for cid in ids]
        keyword = KeywordIndex.build(ids, texts)
    with watch("keyword_save"):
        keyword.save(files.keyword)
    with watch("idf_build"):  # the same weights and serialisation as ingest.pipeline._write_index_files
        docstore.save_idf(files.idf, files.char_idf, [chunks[cid].norm_text for cid in ids])
    with watch("families"):  # as ingest.pipeline._write_index_files stores them with the documents
        docs = with_families(docs, settings.near_duplicate_jaccard)
    with watch("docstore_save"):
        docstore.save_jsonl(files.documents, [docstore.doc_to_json(d) for d in docs.values()])
        docstore.save_jsonl(files.chunks, [docstore.chunk_to_json(chunks[cid]) for cid in ids])
        synthetic = SyntheticArchive(chunks=len(ids), documents=len(docs), copies=archive.copies, sigma=sigma)
        Manifest(settings.fingerprint(), settings.index_shape(), {}, synthetic=synthetic,
                 windows=settings.dense_windows if windows else 0).write(files.manifest)
        generations.publish(files)
    stored = store.count()
    if stored != len(ids) or len(keyword.ids) != len(ids):
        raise AssertionError(f"index counts do not add up: {len(ids)} chunks, {stored} in Chroma, {len(keyword.ids)} keyword")
    s = watch.seconds
    return {
        "chunks": len(ids), "documents": len(docs), "families": family_count(docs.values()), "copies": archive.copies,
        "stored": stored, "windows": len(windows),
        "seconds": {k: round(v, 2) for k, v in s.items()},
        "chroma_add_per_s": rate(len(ids), s["chroma_add"]),
        "chroma_add_with_nodes_per_s": rate(len(ids), s["chroma_add"] + s["nodes"]),
        "keyword_build_per_s": rate(len(ids), s["keyword_build"]),
        "disk_mib": {"chroma": size_mib(folder / "chroma"), "keyword": size_mib(files.keyword),
                     "documents_jsonl": size_mib(files.documents), "chunks_jsonl": size_mib(files.chunks),
                     "bigram_idf": size_mib(files.idf), "char_idf": size_mib(files.char_idf)},
    }


def _add(store: ChunkStore, ids: Sequence[str], chunks: Mapping[str, Any], docs: Mapping[str, Any],
         origin: Mapping[str, str], base: Mapping[str, np.ndarray], sigma: float, rng: np.random.Generator,
         watch: Stopwatch, step: str, progress: Callable[[int, int], None] | None) -> None:
    """Add `ids` to `store` in batches with derived vectors; the time of each part goes to `watch` under `step`."""
    for i in range(0, len(ids), ADD_BATCH):
        part = ids[i:i + ADD_BATCH]
        with watch(f"{step}vectors"):
            vectors = derived_vectors(part, origin, base, sigma, rng)
        with watch(f"{step}nodes"):
            nodes = [to_node(chunks[cid], docs[chunks[cid].doc_id], v.tolist()) for cid, v in zip(part, vectors, strict=True)]
        with watch(f"{step}chroma_add"):
            store.add_nodes(nodes)
        if progress:
            progress(i + len(part), len(ids))


class QueryVectors:
    """embed_query from precomputed vectors of the real embedder; a text not precomputed (a rewritten follow-up,
    a question without the document title it named) is embedded once by `fallback()` and remembered."""

    def __init__(self, vectors: Mapping[str, np.ndarray], fallback: Callable[[], Any]) -> None:
        self.vectors = dict(vectors)
        self.fallback = fallback
        self._embedder: Any = None
        self.misses: list[str] = []

    def embed_query(self, text: str) -> np.ndarray:
        vector = self.vectors.get(text)
        if vector is None:
            if self._embedder is None:
                self._embedder = self.fallback()
            vector = self.vectors[text] = np.asarray(self._embedder.embed_query(text), dtype=np.float32)
            self.misses.append(text)
        return vector


def load(folder: Path, queries: QueryVectors) -> LoadedIndex:
    """The index in `folder`, loaded as the app loads its index (rag.index.load_index), with the store injected."""
    settings = index_settings(folder)
    files = IndexFiles.of(settings)
    store = open_store(folder, files.collection, settings)
    windows = open_store(folder, files.window_collection, settings) if Manifest.read(files.manifest).windows else None
    return load_index(settings, embedder=queries, store=store, window_store=windows)


@dataclass(frozen=True)
class Question:
    text: str
    history: tuple[str, ...] = ()
    doc_numbers: tuple[str, ...] = ()  # the gold 文号 (to check the real document still comes first among copies)


@dataclass
class QueryRun:
    """Per-leg latencies (ms) of one timed pass per round; cold: the very first call of each leg."""

    ms: dict[str, list[float]] = field(default_factory=lambda: {leg: [] for leg in LEGS})
    cold_ms: dict[str, float] = field(default_factory=dict)
    answer_timings: dict[str, list[float]] = field(default_factory=lambda: {"retrieve_ms": [], "compose_ms": []})
    docno_hits: int = 0
    docno_items: int = 0
    top5: dict[str, TopFive] = field(default_factory=dict)  # "capped": as configured; "uncapped": no family cap

    def summary(self) -> dict[str, Any]:
        return {
            "top5": {name: t.summary() for name, t in self.top5.items()},
            "legs_ms": {leg: summarize_ms(v) for leg, v in self.ms.items()},
            "cold_ms": {k: round(v, 1) for k, v in self.cold_ms.items()},
            "answer_stage_ms": {k: summarize_ms(v) for k, v in self.answer_timings.items()},
            "gold_docno_hit_at_5": round(self.docno_hits / self.docno_items, 3) if self.docno_items else None,
        }


def _timed(call: Callable[[Question], Any], question: Question) -> tuple[float, Any]:
    start = time.perf_counter()
    out = call(question)
    return (time.perf_counter() - start) * 1000, out


def names_document(index: LoadedIndex, question: Question) -> bool:
    """Whether the question (or its history) names its gold document's 文号, or the city or a county of the city it
    belongs to: what tells it from its copies, which differ in city, counties, years and 文号."""
    text = "".join((*question.history, question.text))
    if any(n in text for n in question.doc_numbers):
        return True
    cities = {d.city for d in index.documents.values() if d.doc_number in question.doc_numbers}
    return bool(cities & set(index.places.named(text)))


def measure(index: LoadedIndex, questions: Sequence[Question], vectors: Mapping[str, np.ndarray], rounds: int = 1,
            config: RetrievalConfig | None = None) -> QueryRun:
    """Dense leg (ChunkStore.query with a precomputed real query vector), keyword leg (KeywordIndex.search), hybrid
    retrieval (HybridRetriever.retrieve) and the whole offline answer (Pipeline.answer): the first call of each
    cold, then one untimed warm-up pass, then `rounds` timed passes over every question. The variety of the
    retrieval's top 5 (`bench.diversity`) is counted on the first timed pass and on one untimed pass without the
    near-duplicate family cap (`RetrievalConfig.max_per_family` 0)."""
    if not questions:
        raise ValueError("no questions to time")
    cfg = config or RetrievalConfig()
    retriever = HybridRetriever(index, cfg)
    pipeline = Pipeline(index, retriever=retriever)
    run = QueryRun(top5={"capped": TopFive.of(index.documents), "uncapped": TopFive.of(index.documents)})
    calls: dict[str, Callable[[Question], Any]] = {
        "dense": lambda q: index.store.query(vectors[q.text], k=cfg.k_leg),
        "keyword": lambda q: index.keyword.search(q.text, k=cfg.k_leg),
        "retrieve": lambda q: retriever.retrieve(q.text),
        "answer": lambda q: pipeline.answer(q.text, q.history),
    }
    for leg, call in calls.items():
        run.cold_ms[leg] = _timed(call, questions[0])[0]
    for q in questions:  # warm-up: caches, the HNSW pages, the IDF table
        for call in calls.values():
            call(q)
    for n in range(rounds):
        for q in questions:
            for leg, call in calls.items():
                took, out = _timed(call, q)
                run.ms[leg].append(took)
                if leg == "retrieve" and q.doc_numbers:
                    run.docno_items += 1
                    run.docno_hits += any(p.doc_number in q.doc_numbers for p in out.passages[:5])
                    if n == 0:
                        run.top5["capped"].add(out.passages, q.doc_numbers, names_document(index, q))
                if leg == "answer":
                    for stage in run.answer_timings:
                        run.answer_timings[stage].append(out.timings.get(stage, 0.0))
    uncapped = HybridRetriever(index, replace(cfg, max_per_family=0))
    for q in questions:
        if q.doc_numbers:
            run.top5["uncapped"].add(uncapped.retrieve(q.text).passages, q.doc_numbers, names_document(index, q))
    return run
