"""The baseline: what a user builds from the llama-index starter tutorial, with our default embedder.

Each corpus file is one llama-index `Document` (its raw text as read), cut by `SentenceSplitter(chunk_size=512,
chunk_overlap=50)` with its default tokenizer, embedded with the same embedder as our index (wrapped in
`LlamaIndexEmbedding`) and retrieved by vector top-k only: no repair, no clause structure, no keyword leg, no
metadata, no generation. The "answer" is the top passages concatenated, each cited; it never refuses.

Nothing here reads llama-index's global `Settings`: the embed model and the splitter are passed explicitly.
Node ids are derived from the file and the chunk's position (never llama-index's uuid4 default), so a persisted
index is reusable: the Chroma collection `baseline-<fingerprint>` plus a manifest of the corpus files' hashes in
`<index_dir>/baseline-<fingerprint>/`; a rerun re-embeds only the files whose bytes changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from index_format.protocols import Embedder
from rag.records import Answer, Citation, Passage, Trace
from settings import Settings
from textnorm import normalize_docno

log = logging.getLogger(__name__)

BASELINE_VERSION = "1"  # bump when what the baseline indexes changes
CHUNK_SIZE = 512
CHUNK_OVERLAP = 50
TOP_K = 10
ANSWER_PASSAGES = 3  # the answer text concatenates, and cites, this many top passages
_HIDDEN_METADATA = ["file_name", "line_start", "line_end"]  # kept for citations, never embedded


def baseline_fingerprint(settings: Settings) -> str:
    """Hash of what shapes the baseline index: splitter, llama-index version, embedder (not our chunker)."""
    shape = {
        "baseline": BASELINE_VERSION,
        "splitter": ["SentenceSplitter", CHUNK_SIZE, CHUNK_OVERLAP],
        "llama_index": version("llama-index-core"),
        "embedder": settings.embedder,
        "embed_model": settings.embed_model,
        "embedder_package": settings.index_shape()["embedder_package"],
    }
    return hashlib.md5(json.dumps(shape, sort_keys=True).encode("utf-8")).hexdigest()[:10]


def collection_name(settings: Settings) -> str:
    return f"baseline-{baseline_fingerprint(settings)}"


def _node_id(i: int, doc: Any) -> str:
    digest = hashlib.sha256(f"{doc.doc_id}\0{doc.hash}\0{i}".encode()).hexdigest()[:24]
    return f"baseline-{digest}"


def _splitter() -> Any:
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, id_func=_node_id)


def corpus_files(corpus_dir: Path) -> list[Path]:
    files = sorted(corpus_dir.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no .txt files in {corpus_dir}: set RAG_DATA_DIR to the gazette folder")
    return files


def split_files(paths: Sequence[Path]) -> list[Any]:
    """One Document per file (raw text), split into nodes; each node knows its file and line range."""
    from llama_index.core import Document

    from ingest.reader import read_gazette

    nodes: list[Any] = []
    splitter = _splitter()
    for path in paths:
        raw = read_gazette(path)
        doc = Document(id_=path.name, text=raw, metadata={"file_name": path.name},
                       excluded_embed_metadata_keys=list(_HIDDEN_METADATA), excluded_llm_metadata_keys=list(_HIDDEN_METADATA))
        for node in splitter.get_nodes_from_documents([doc]):
            start, end = node.start_char_idx, node.end_char_idx
            node.metadata["line_start"] = raw.count("\n", 0, start) + 1 if start is not None else 0
            node.metadata["line_end"] = raw.count("\n", 0, end) + 1 if end is not None else 0
            node.excluded_embed_metadata_keys = list(_HIDDEN_METADATA)
            node.excluded_llm_metadata_keys = list(_HIDDEN_METADATA)
            nodes.append(node)
    return nodes


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class BuildReport:
    files: int
    reused_files: int
    embedded_nodes: int
    seconds: float


class BaselinePipeline:
    """Vector top-k over the tutorial index; `answer` ignores the chat history (the tutorial's query engine does)."""

    name = "baseline"

    def __init__(self, retriever: Any, top_k: int = TOP_K, report: BuildReport | None = None) -> None:
        self._retriever = retriever
        self.top_k = top_k
        self.report = report

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        started = time.perf_counter()
        results = self._retriever.retrieve(question)[: self.top_k]
        passages = tuple(_passage(rank, hit) for rank, hit in enumerate(results, start=1))
        shown = passages[:ANSWER_PASSAGES]
        citations = tuple(_citation(p) for p in shown)
        text = "\n\n".join(f"{p.text.strip()} [{p.key}]" for p in shown)
        hits = [(p.chunk_id, p.score) for p in passages]
        elapsed = (time.perf_counter() - started) * 1000
        trace = Trace(question=question, rewritten=question, filters={}, legs={"dense": hits}, fused=hits, widened=[],
                      notes=["baseline: vector top-k, no rewriting, history ignored"])
        return Answer(question=question, text=text, citations=citations, passages=passages, refused=False, trace=trace,
                      mode="baseline", timings={"retrieve": elapsed, "compose": 0.0, "total": elapsed})


def _passage(rank: int, hit: Any) -> Passage:
    node = hit.node
    text = node.get_content()
    meta = node.metadata
    return Passage(
        key=f"S{rank}", chunk_id=node.node_id, text=text, doc_id=str(meta.get("file_name", "")), doc_title="",
        doc_number=normalize_docno(text) or "", wrapper_title="", path="", headings=(), city="", doc_type="", date=None,
        valid_until=None, source_file=str(meta.get("file_name", "")), line_start=int(meta.get("line_start") or 0),
        line_end=int(meta.get("line_end") or 0), start=int(node.start_char_idx or 0), end=int(node.end_char_idx or 0),
        score=float(hit.score or 0.0), ranks={"dense": rank},
    )


def _citation(p: Passage) -> Citation:
    return Citation(key=p.key, chunk_id=p.chunk_id, doc_title=p.doc_title, doc_number=p.doc_number, path=p.path, date=None,
                    quote=p.text, start=p.start, end=p.end, source_file=p.source_file)


def build_in_memory(corpus_dir: Path, embedder: Embedder, top_k: int = TOP_K, show_progress: bool = False) -> BaselinePipeline:
    """The tutorial as written: a VectorStoreIndex over an in-memory SimpleVectorStore (embeds everything)."""
    from llama_index.core import VectorStoreIndex

    from ingest.embedders import LlamaIndexEmbedding

    started = time.perf_counter()
    files = corpus_files(corpus_dir)
    nodes = split_files(files)
    index = VectorStoreIndex(nodes, embed_model=LlamaIndexEmbedding(embedder), transformations=[_splitter()], show_progress=show_progress)
    report = BuildReport(len(files), 0, len(nodes), time.perf_counter() - started)
    return BaselinePipeline(index.as_retriever(similarity_top_k=top_k), top_k, report)


def build_persisted(settings: Settings, embedder: Embedder, corpus_dir: Path | None = None, top_k: int = TOP_K,
                    show_progress: bool = False) -> BaselinePipeline:
    """The same index in a Chroma collection `baseline-<fingerprint>`; re-embeds only files whose bytes changed."""
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index_format.docstore import write_atomic
    from index_format.store import make_client
    from ingest.embedders import LlamaIndexEmbedding

    started = time.perf_counter()
    files = corpus_files(corpus_dir or settings.data_dir)
    name = collection_name(settings)
    manifest_path = settings.index_dir / name / "manifest.json"
    client = make_client(settings)
    collection = _open_collection(client, name, settings)
    old: dict[str, dict[str, Any]] = {}
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text(encoding="utf-8")).get("files", {})
    if collection.count() != sum(int(e["nodes"]) for e in old.values()):
        log.info("baseline index incomplete, rebuilding", extra={"collection": name})
        client.delete_collection(name)
        collection = _open_collection(client, name, settings)
        old = {}
    current = {path.name: _sha256(path) for path in files}
    stale = [n for n in old if current.get(n) != old[n]["sha256"]]
    changed = [p for p in files if old.get(p.name, {}).get("sha256") != current[p.name]]
    vector_store = ChromaVectorStore(chroma_collection=collection)
    for file_name in stale:
        vector_store.delete(ref_doc_id=file_name)
    embed_model = LlamaIndexEmbedding(embedder)
    index = VectorStoreIndex.from_vector_store(vector_store, embed_model=embed_model, transformations=[_splitter()],
                                               show_progress=show_progress)
    entries = {n: e for n, e in old.items() if n in current and n not in stale}

    def save_manifest() -> None:  # after each file, so an interrupted build keeps what it embedded
        manifest = {"collection": name, "fingerprint": baseline_fingerprint(settings), "files": entries}
        write_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1))

    embedded = 0
    for path in changed:
        nodes = split_files([path])
        index.insert_nodes(nodes)
        entries[path.name] = {"sha256": current[path.name], "nodes": len(nodes)}
        embedded += len(nodes)
        save_manifest()
    if stale or not manifest_path.exists():
        save_manifest()
    report = BuildReport(len(files), len(files) - len(changed), embedded, time.perf_counter() - started)
    return BaselinePipeline(index.as_retriever(similarity_top_k=top_k), top_k, report)


def _open_collection(client: Any, name: str, settings: Settings) -> Any:
    return client.get_or_create_collection(
        name=name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine", "ef_search": settings.chroma_ef_search, "ef_construction": 200}},
        metadata={"project": "gazette-qa", "role": "baseline"},
    )
