"""The bundled corpus parsed once per test session (documents and chunks per file)."""

from __future__ import annotations

from functools import cache

from ingest.chunker import ChunkBudget
from ingest.pipeline import parse_text
from ingest.records import Chunk, Document
from tests.conftest import GAZETTES

FILES = (
    "jincheng-2018-01.txt",
    "jincheng-2018-04.txt",
    "jincheng-2021-02.txt",
    "jincheng-2021-06.txt",
    "changzhi-2020-03.txt",
)
# Characters stand in for model tokens here (a CJK character is at least one token in the real tokenizers).
BUDGET = ChunkBudget(max_tokens=400, min_chars=30, count=len)


@cache
def parsed(name: str) -> tuple[tuple[Document, ...], tuple[Chunk, ...]]:
    docs, chunks = parse_text((GAZETTES / name).read_text(encoding="utf-8"), name, BUDGET)
    return tuple(docs), tuple(chunks)


def doc_by(name: str, number: str, kind: str | None = None, title_part: str = "") -> Document:
    docs, _ = parsed(name)
    found = [d for d in docs if d.doc_number == number and (kind is None or d.kind == kind) and title_part in d.title]
    assert found, f"no document {number} {kind or ''} {title_part} in {name}"
    return found[0]


def chunks_of(name: str, doc: Document) -> list[Chunk]:
    _, chunks = parsed(name)
    return [c for c in chunks if c.doc_id == doc.doc_id]
