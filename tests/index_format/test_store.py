"""The Chroma store on a real embedded client: the same neighbours in every process that opens the collection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index_format.store import ChunkStore
from settings import Settings

_QUERY = """
import json, sys
import numpy as np
from index_format.store import ChunkStore
from settings import Settings
store = ChunkStore.open(Settings(index_dir=sys.argv[1], chroma_ef_search=100), "probe-store")
queries = np.load(sys.argv[2])
print(json.dumps([[cid for cid, _ in store.query(q, k=10)] for q in queries]))
"""


def _vectors(n: int, seed: int) -> np.ndarray:
    """Unit vectors close together in tight clusters, as clause embeddings are (spread-out random vectors are easy
    for HNSW)."""
    rng = np.random.default_rng(seed)
    common = np.random.default_rng(0).normal(size=64)  # e5's vectors share a direction: cosines of 0.8–0.95
    centres = common + 0.5 * np.random.default_rng(1).normal(size=(20, 64))
    v = (centres[rng.integers(0, len(centres), n)] + 0.3 * rng.normal(size=(n, 64))).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _neighbours_in_a_new_process(index_dir: Path, queries: Path) -> list[list[str]]:
    out = subprocess.run([sys.executable, "-c", _QUERY, str(index_dir), str(queries)], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_every_process_that_opens_a_collection_finds_the_same_true_nearest_neighbours(tmp_path: Path) -> None:
    # 2,550 vectors: more than Chroma persists in one sync, so some are re-indexed at every load
    vectors = _vectors(2550, seed=1)
    ids = [f"c{i:04d}" for i in range(len(vectors))]
    store = ChunkStore.open(Settings(index_dir=tmp_path, chroma_ef_search=100), "probe-store")
    for i in range(0, len(ids), 300):
        store.collection.add(ids=ids[i:i + 300], embeddings=vectors[i:i + 300].tolist())
    del store
    queries = _vectors(40, seed=2)
    np.save(tmp_path / "queries.npy", queries)
    first = _neighbours_in_a_new_process(tmp_path, tmp_path / "queries.npy")
    second = _neighbours_in_a_new_process(tmp_path, tmp_path / "queries.npy")
    assert first == second
    exact = [[ids[j] for j in np.argsort(-(vectors @ q))[:10]] for q in queries]
    assert [hits[0] for hits in first] == [e[0] for e in exact]
    assert np.mean([len(set(hits) & set(e)) / 10 for hits, e in zip(first, exact, strict=True)]) >= 0.98


def test_ranked_orders_the_given_ids_by_exact_cosine_as_a_filtered_query_does(tmp_path: Path) -> None:
    vectors = _vectors(300, seed=3)
    ids = [f"c{i:03d}" for i in range(len(vectors))]
    store = ChunkStore.open(Settings(index_dir=tmp_path, chroma_ef_search=100), "probe-ranked")
    store.collection.add(ids=ids, embeddings=vectors.tolist(), metadatas=[{"part": i % 7} for i in range(len(ids))])
    query = _vectors(1, seed=4)[0]
    allowed = [cid for i, cid in enumerate(ids) if i % 7 == 2]
    got = store.ranked(query, [*allowed, "not-stored"], k=5)  # an id the store does not hold is skipped
    assert [cid for cid, _ in got] == [cid for cid, _ in store.query(query, k=5, where={"part": 2})]
    assert [s for _, s in got] == pytest.approx([float(vectors[ids.index(c)] @ query) for c, _ in got], abs=1e-6)
    assert got[0][1] == pytest.approx(max(float(vectors[ids.index(c)] @ query) for c in allowed), abs=1e-6)
    assert store.ranked(query, [], k=5) == [] and store.ranked(query, ["not-stored"], k=5) == []
