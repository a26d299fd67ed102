"""Index generations: every ingest that changes something builds a new generation beside the published one and
publishes it with one atomic rename, so readers never see a half-built index.

Layout under `<index_dir>/<prefix>-<fingerprint>/`:
    CURRENT            {"generation": k}: the published generation (written with temp file + fsync + rename)
    g<k>/              documents.jsonl, chunks.jsonl, keyword/, manifest.json of generation k
    ingest.lock        held (flock) by the running ingest; the kernel drops it when the process dies
and the Chroma collection of generation k is `<prefix>-<fingerprint>-g<k>` (embedded store or server alike), with
`<prefix>-<fingerprint>-g<k>-xl` beside it when the index has a second, cross-lingual dense space, and
`<prefix>-<fingerprint>-g<k>-win` when it has sentence windows of long clauses (`index_format.windows`).

A run killed before publishing leaves `g<k+1>` unpublished: readers keep using `g<k>`, and the next run reuses
the staged collection (its vectors are keyed by content-hashed chunk ids, so they stay valid) and completes it.
After publishing, generations older than the previous one are deleted; the previous one is kept for readers
that loaded it before the switch.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index_format import docstore
from index_format.manifest import Manifest

if TYPE_CHECKING:
    from ingest.records import Chunk, Document
    from settings import Settings

log = logging.getLogger(__name__)

_GEN_DIR = re.compile(r"g(\d+)")
CROSS_SUFFIX = "-xl"
WINDOW_SUFFIX = "-win"


@dataclass(frozen=True)
class IndexFiles:
    """Where one generation of one index keeps its files, and its Chroma collection's name."""

    root: Path
    collection: str

    @property
    def cross_collection(self) -> str:
        """The collection of the second dense space (questions in other languages): the same chunk ids."""
        return f"{self.collection}{CROSS_SUFFIX}"

    @property
    def window_collection(self) -> str:
        """The collection of the sentence windows of long clauses (`index_format.windows`), in the first space."""
        return f"{self.collection}{WINDOW_SUFFIX}"

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

    @property
    def idf(self) -> Path:
        return self.root / "bigram_idf.json"

    @property
    def char_idf(self) -> Path:
        return self.root / "char_idf.json"

    @property
    def generation(self) -> int:
        return int(self.root.name[1:])  # the folder is g<k>

    def exists(self) -> bool:
        return self.manifest.exists()

    @classmethod
    def of(cls, settings: Settings) -> IndexFiles:
        """The published generation of the index for `settings` (what readers load)."""
        return Generations.of(settings).published()


class IngestBusy(RuntimeError):
    """Another ingest holds the index's lock."""


@dataclass(frozen=True)
class Generations:
    """The generations of one index (one settings fingerprint)."""

    base: Path
    name: str

    @classmethod
    def of(cls, settings: Settings) -> Generations:
        name = settings.collection_name()
        return cls(settings.index_dir / name, name)

    @property
    def pointer(self) -> Path:
        return self.base / "CURRENT"

    def current(self) -> int | None:
        """The published generation, or None before the first complete ingest."""
        try:
            return int(json.loads(self.pointer.read_text(encoding="utf-8"))["generation"])
        except FileNotFoundError:
            return None

    def files(self, generation: int) -> IndexFiles:
        return IndexFiles(self.base / f"g{generation}", f"{self.name}-g{generation}")

    def published(self) -> IndexFiles:
        """The published generation's files; `exists()` is False when nothing was published yet."""
        current = self.current()
        return self.files(current if current is not None else 0)

    def staging(self) -> IndexFiles:
        current = self.current()
        return self.files((current or 0) + 1)

    def publish(self, files: IndexFiles) -> None:
        """Switch readers to `files` with one atomic rename (after the generation's own files are on disk)."""
        tmp = self.pointer.with_name("CURRENT.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps({"generation": files.generation, "collection": files.collection}))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.base)

    def on_disk(self) -> list[int]:
        if not self.base.is_dir():
            return []
        return sorted(int(m.group(1)) for p in self.base.iterdir() if p.is_dir() and (m := _GEN_DIR.fullmatch(p.name)))

    def prune(self, client: Any) -> list[int]:
        """Delete generations other than the published one and the one before it: their folders and their
        Chroma collections. Returns the generations removed."""
        current = self.current()
        if current is None:
            return []
        keep = {current, current - 1}
        prefix = f"{self.name}-g"
        names = set(_collection_names(client))
        on_server = {int(g) for n in names if n.startswith(prefix)
                     and (g := n[len(prefix):].removesuffix(CROSS_SUFFIX).removesuffix(WINDOW_SUFFIX)).isdigit()}
        removed = sorted((set(self.on_disk()) | on_server) - keep)
        for generation in removed:
            files = self.files(generation)
            for name in (files.collection, files.cross_collection, files.window_collection):
                if name in names:
                    client.delete_collection(name)
            shutil.rmtree(files.root, ignore_errors=True)
        if removed:
            log.info("old generations removed", extra={"generations": removed})
        return removed

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One ingest at a time per index; a killed ingest's lock is released by the kernel."""
        self.base.mkdir(parents=True, exist_ok=True)
        with open(self.base / "ingest.lock", "a+") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IngestBusy(f"another ingest is running on {self.base}: wait for it to finish") from None
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _collection_names(client: Any) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_state(files: IndexFiles) -> tuple[Manifest, dict[str, Document], dict[str, Chunk]]:
    """(manifest, documents, chunks) of one generation; empty when it was never completed. What readers load (the
    app through `rag.index`) and what the next ingest starts from. Raises ManifestError for a damaged manifest."""
    manifest = Manifest.read(files.manifest) if files.exists() else Manifest.empty()
    docs = {d["doc_id"]: docstore.doc_from_json(d) for d in docstore.load_jsonl(files.documents)}
    chunks = {c["chunk_id"]: docstore.chunk_from_json(c) for c in docstore.load_jsonl(files.chunks)}
    return manifest, docs, chunks
