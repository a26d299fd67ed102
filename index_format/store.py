"""The Chroma vector store: embedded PersistentClient by default, HttpClient when a host is configured.

Collections use cosine space and a raised ef_search; embeddings are always passed in (no Chroma embedding
function, which would try to download a model). Writes go through llama-index's ChromaVectorStore.

The HNSW graph is built the same way in every process (`HNSW_BUILD`): Chroma persists the graph every
`sync_threshold` vectors and re-indexes the vectors left over at every load, with several threads in a different
order each time, so the same query found different neighbours in each process (chroma-core/chroma#2675; measured
here: the top-30 ids of 150 dev questions differed in each of 5 processes, and a clause at cosine 0.919 was missing
from one process's top 60). A small threshold and one build thread make every load and every rebuild the same.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from index_format.protocols import Vector
from settings import Settings

log = logging.getLogger(__name__)

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

HNSW_BUILD = {"space": "cosine", "ef_construction": 200, "sync_threshold": 100, "batch_size": 100, "num_threads": 1}
"""How collections are built (see the module docstring); `settings.STORE_VERSION` names it in the fingerprint."""


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChunkStore:
    """One collection of chunk vectors, named by the settings fingerprint."""

    def __init__(self, client: Any, name: str, ef_search: int) -> None:
        self.client = client
        self.name = name
        self.collection = client.get_or_create_collection(
            name=name,
            embedding_function=None,
            configuration={"hnsw": {**HNSW_BUILD, "ef_search": ef_search}},
            metadata={"project": "gazette-qa"},
        )
        self._known_count: int | None = None  # for queries; every write through this object forgets it

    @classmethod
    def open(cls, settings: Settings, collection: str | None = None) -> ChunkStore:
        """The collection of the published index generation (or the named one, e.g. a staging generation)."""
        if collection is None:
            from index_format.generations import IndexFiles

            collection = IndexFiles.of(settings).collection
        return cls(make_client(settings), collection, settings.chroma_ef_search)

    def vector_store(self) -> Any:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection)

    def count(self) -> int:
        return int(self.collection.count())

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            batch = self.collection.get(include=[], limit=5000, offset=offset)
            out.update(batch["ids"])
            if len(batch["ids"]) < 5000:
                return out
            offset += 5000

    def add_nodes(self, nodes: Sequence[Any]) -> None:
        """Upsert nodes that carry their embeddings, in batches the server accepts."""
        self._known_count = None
        if not nodes:
            return
        batch = max(1, min(int(self.client.get_max_batch_size()), 2000))
        store = self.vector_store()
        for i in range(0, len(nodes), batch):
            part = list(nodes[i:i + batch])
            present = self.collection.get(ids=[n.node_id for n in part], include=[])["ids"]
            if present:
                self.collection.delete(ids=present)  # upsert: replace any previous version
            store.add(part)

    def copy_from(self, other: ChunkStore, ids: Sequence[str]) -> set[str]:
        """Copy stored vectors, texts and metadata of `ids` from another collection (no re-embedding);
        returns the ids found and copied."""
        self._known_count = None
        copied: set[str] = set()
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            got = other.collection.get(ids=ids[i:i + 1000], include=["embeddings", "documents", "metadatas"])
            if got["ids"]:
                self.collection.upsert(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"], metadatas=got["metadatas"])
                copied.update(got["ids"])
        return copied

    def delete(self, ids: Sequence[str]) -> None:
        self._known_count = None
        ids = list(ids)
        for i in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[i:i + 5000])

    def query(self, vector: Vector | Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first."""
        n = self._known_count if self._known_count is not None else self.count()
        self._known_count = n
        if n == 0:
            return []
        res = self.collection.query(query_embeddings=[[float(x) for x in vector]], n_results=min(k, n), where=where or None, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def ranked(self, vector: Vector | Sequence[float], ids: Sequence[str], k: int) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the `k` of `ids` nearest to `vector`, best first: their vectors read by id and
        compared exactly. At 100k chunks reading 96 vectors took 4.7 ms where Chroma's `where` on one document took
        75–90 ms (it evaluates the metadata filter over the whole collection)."""
        import numpy as np

        if not ids:
            return []
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        if not got["ids"]:
            return []
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        q = np.asarray(vector, dtype=np.float32)
        sims = matrix @ q / np.maximum(np.linalg.norm(matrix, axis=1) * np.linalg.norm(q), 1e-12)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(got["ids"][i], float(sims[i])) for i in order]
