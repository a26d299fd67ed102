"""Embedding cache: vectors keyed by (embedder name, sha256 of the embedded text), beside the index and shared by
all its generations and fingerprints, so a chunker change, a rebuilt index or a second deployment on the same
index folder embeds only texts it has never seen.

One SQLite file per embedder, `<index_dir>/embeddings/<embedder name>.sqlite3`. Every `put_many` is one
transaction: a crash or `kill -9` loses at most the group being written, never corrupts what was committed (the
journal rolls an interrupted write back on the next open). Bounded: `prune` keeps the `max_entries` most recently
used vectors (each hit and each write marks its entry used); ingest prunes after every run. Deleting the folder is
always safe: the vectors are embedded again.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

DEFAULT_MAX_ENTRIES = 200_000  # about 300 MB of 384-d float32 vectors: every chunk of ~100 corpora this size
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class EmbeddingCache:
    """Vectors of one embedder (name, dim)."""

    def __init__(self, path: Path, embedder: str, dim: int, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.embedder, self.dim, self.max_entries = path, embedder, dim, max_entries
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)  # explicit transactions below
        self._db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer; a killed writer rolls back
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL, used INTEGER NOT NULL) WITHOUT ROWID")
        self._db.execute("CREATE INDEX IF NOT EXISTS vectors_used ON vectors(used)")
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('embedder', ?), ('dim', ?)", (embedder, str(dim)))
        stored = dict(self._db.execute("SELECT k, v FROM meta").fetchall())
        if stored["embedder"] != embedder or int(stored["dim"]) != dim:
            raise ValueError(f"{path} holds vectors of {stored['embedder']} (dim {stored['dim']}), not {embedder} (dim {dim})")

    @classmethod
    def for_embedder(cls, folder: Path, embedder: str, dim: int, max_entries: int = DEFAULT_MAX_ENTRIES) -> EmbeddingCache:
        return cls(folder / f"{_SAFE.sub('_', embedder)}.sqlite3", embedder, dim, max_entries)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def get_many(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vector of each text that has one (and marks them used)."""
        keys = {text_key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        items = list(keys.items())
        for start in range(0, len(items), 500):  # SQLite's bound-parameter limit
            part = dict(items[start : start + 500])
            marks = ",".join("?" * len(part))
            for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", list(part)):
                vector = np.frombuffer(blob, dtype="<f4")
                if vector.shape == (self.dim,):
                    found[part[key]] = vector.astype(np.float32)
        if found:
            now = time.time_ns()
            with self._transaction():
                self._db.executemany("UPDATE vectors SET used = ? WHERE key = ?", [(now, text_key(t)) for t in found])
        return found

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one group in one transaction (all of it or, after a crash, none)."""
        if len(texts) != len(vectors) or (len(texts) and vectors.shape[1] != self.dim):
            raise ValueError(f"expected {len(texts)} vectors of dim {self.dim}, got shape {vectors.shape}")
        now = time.time_ns()
        rows = [(text_key(t), np.asarray(v, dtype="<f4").tobytes(), now) for t, v in zip(texts, vectors, strict=True)]
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def prune(self, max_entries: int | None = None) -> int:
        """Drop the least recently used vectors beyond `max_entries` (default: the cache's bound); returns how many."""
        keep = self.max_entries if max_entries is None else max_entries
        excess = len(self) - keep
        if excess <= 0:
            return 0
        with self._transaction():
            self._db.execute("DELETE FROM vectors WHERE key IN (SELECT key FROM vectors ORDER BY used LIMIT ?)", (excess,))
        return excess

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
