"""What a reader needs of an embedder and of a vector store, as protocols: `rag.index.load_index` takes either
injected (tests pass a fake embedder and a temporary store) or builds the real ones (`ingest.embedders`,
`index_format.store.ChunkStore`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeAlias, runtime_checkable

import numpy as np

Vector: TypeAlias = np.ndarray
"""One embedding: float32, L2-normalised (a dot product is a cosine)."""

QueryEmbedder: TypeAlias = Callable[[str], Vector]
"""Embeds a question in the space of one collection (`Embedder.embed_query`)."""


@runtime_checkable
class Embedder(Protocol):
    """What retrieval needs from an embedding model.

    name: stable identifier; changes when the model or its package version changes (index fingerprint).
    dim: length of every vector.
    max_tokens: the longest input, in the model's own tokens, that the model sees whole.
    """

    name: str
    dim: int
    max_tokens: int

    def count_tokens(self, text: str) -> int:
        """Tokens the model feeds for ``text`` as a passage, specials and prefix included."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dim), float32, L2-normalised rows."""
        ...

    def embed_query(self, text: str) -> Vector:
        """Shape (dim,), float32, L2-normalised."""
        ...


class Store(Protocol):
    """A collection of chunk vectors as a reader queries it."""

    def query(self, vector: Vector | Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the `k` nearest chunks, best first; `where` filters on chunk metadata."""
        ...

    def ranked(self, vector: Vector | Sequence[float], ids: Sequence[str], k: int) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the `k` of `ids` nearest to `vector`, best first, computed exactly from their
        stored vectors; an id the store does not hold is skipped."""
        ...
