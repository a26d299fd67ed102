"""The text embedded for a chunk: the writer embeds it and budgets chunk sizes on it, the reader ranks by it."""

from __future__ import annotations


def embedding_text(doc_title: str, headings: tuple[str, ...], text: str) -> str:
    """What is embedded for a chunk: the document title and parent headings give a clause its context."""
    context = " > ".join([doc_title, *headings])
    return f"{context}\n{text}"
