"""Documents and chunks of a generation on disk (JSON Lines), and atomic writes (temp file + rename) for every index file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, fields
from datetime import date
from pathlib import Path
from typing import Any

from ingest.records import Chunk, Document, Paragraph, Validity


def _encode(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def doc_to_json(doc: Document) -> dict[str, Any]:
    return _encode(asdict(doc))  # type: ignore[no-any-return]


def doc_from_json(data: dict[str, Any]) -> Document:
    data = dict(data)
    data["paragraphs"] = tuple(Paragraph(**p) for p in data["paragraphs"])
    v = data["validity"]
    data["validity"] = Validity(_day(v["effective"]), _day(v["expires"]), v["statement"])
    data["date"] = _day(data["date"])
    return Document(**data)


def chunk_to_json(chunk: Chunk) -> dict[str, Any]:
    return _encode(asdict(chunk))  # type: ignore[no-any-return]


def chunk_from_json(data: dict[str, Any]) -> Chunk:
    data = dict(data)
    data["path"] = tuple(data["path"])
    data["headings"] = tuple(data["headings"])
    data["event_date"] = _day(data["event_date"])
    data["cells"] = tuple((str(n), str(v)) for n, v in data.get("cells", ()))
    known = {f.name for f in fields(Chunk)}
    return Chunk(**{k: v for k, v in data.items() if k in known})


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def save_idf(bigrams: Path, chars: Path, texts: list[str]) -> None:
    """The keyword weights a reader needs at once, computed over the chunks' matching forms (`texts`) once per
    generation, not on a reader's first question: bigram IDF (the relevance gate) and character IDF (the rankers'
    character coverage)."""
    from index_format.keyword import bigram_idf, char_idf

    for path, weights in ((bigrams, bigram_idf(texts)), (chars, char_idf(texts))):
        write_atomic(path, json.dumps(weights, ensure_ascii=False, separators=(",", ":")))


def save_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
