"""Fakes that mean something: the fake embedder keeps lexical overlap, so ranking tests are real."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence

import numpy as np

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


class BigramEmbedder:
    """Hashes Chinese character bigrams (and Latin/number words) into a fixed-size vector, L2-normalised.

    Texts sharing bigrams are close; unrelated texts are near-orthogonal. count_tokens counts characters, and
    calls are recorded so tests can check what was (not) embedded."""

    name = "fake-bigram-256"
    dim = 256

    def __init__(self, max_tokens: int = 512) -> None:
        self.max_tokens = max_tokens
        self.embedded: list[str] = []

    def count_tokens(self, text: str) -> int:
        return len(text) + 2

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for run in _CJK_RUN.findall(text):
            grams = [run] if run.isascii() else [run[i:i + 2] for i in range(max(1, len(run) - 1))]
            for g in grams:
                v[int(hashlib.md5(g.encode("utf-8")).hexdigest(), 16) % self.dim] += 1.0
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class BlockingPipeline:
    """Answers "好的。" only when `release` is set (for busy and rate-limit tests: no index needed); `entered` is set
    when a question has reached it."""

    mode = "offline"

    def __init__(self) -> None:
        import threading

        self.entered = threading.Event()
        self.release = threading.Event()

    def stream(self, question: str, history: Sequence[str] = (), filters: object = None) -> Iterator[object]:
        from rag.records import Answer, Trace

        self.entered.set()
        self.release.wait(10)
        trace = Trace(question=question, rewritten=question, filters={}, legs={}, fused=[], widened=[])
        yield "好的。"
        yield Answer(question=question, text="好的。", citations=(), passages=(), refused=False, trace=trace)


class TranslatingEmbedder(BigramEmbedder):
    """A cross-lingual fake: English words it knows are replaced by their Chinese before hashing, so an English
    question lands near the Chinese clause that uses those words, as a multilingual model's would; Chinese text
    embeds as in `BigramEmbedder`."""

    name = "fake-translating-256"

    def __init__(self, words: dict[str, str], max_tokens: int = 512) -> None:
        super().__init__(max_tokens)
        self.words = words

    def _vector(self, text: str) -> np.ndarray:
        for english, chinese in sorted(self.words.items(), key=lambda kv: -len(kv[0])):
            text = re.sub(rf"\b{re.escape(english)}\b", chinese, text, flags=re.I)
        return super()._vector(text)
