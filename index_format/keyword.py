"""Chinese keyword index: bm25s over jieba search-mode words plus character bigrams of the matching text.

Words catch whole terms (搬迁补助费); bigrams catch what the segmenter splits differently in question and text
(院墙 vs 围墙 share nothing, but 补偿费 / 补偿标准 share 补偿). The index persists beside the Chroma store.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from textnorm import matching_form

log = logging.getLogger(__name__)

_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_jieba_lock = threading.Lock()
_STOP = frozenset(["的", "了", "和", "与", "及", "或", "是", "在", "对", "为", "等", "按", "由", "将", "其", "之", "于", "以", "并", "中", "有", "要", "应", "应当", "可以", "什么", "怎么", "多少", "哪些", "如何", "吗", "呢", "啊"])


def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    with _jieba_lock:
        if not getattr(jieba.dt, "initialized", False):
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Words (jieba, search mode) and CJK character bigrams of the matching form; stop words dropped."""
    norm = matching_form(text).lower()
    words = [w for w in _jieba().lcut_for_search(norm) if _WORD.fullmatch(w) and w not in _STOP]
    bigrams: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]+", norm):
        bigrams.extend(run[i:i + 2] for i in range(len(run) - 1))
    return words + ["§" + b for b in bigrams]


class KeywordIndex:
    """BM25 over chunk ids; `search` returns (chunk_id, score) best first, optionally within allowed ids."""

    def __init__(self, ids: Sequence[str], retriever: object) -> None:
        self.ids = list(ids)
        self._pos = {cid: i for i, cid in enumerate(self.ids)}
        self._bm25 = retriever

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> KeywordIndex:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every build at DEBUG on its own handler

        if len(ids) != len(texts):
            raise ValueError(f"ids and texts differ in length: {len(ids)} vs {len(texts)}")
        retriever = bm25s.BM25()
        retriever.index([tokenize(t) or ["∅"] for t in texts], show_progress=False)
        return cls(ids, retriever)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(folder), show_progress=False)  # type: ignore[attr-defined]
        (folder / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import bm25s

        ids_file = folder / "ids.json"
        if not ids_file.exists():
            raise FileNotFoundError(f"no keyword index at {folder}: run `python -m ingest` first")
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(json.loads(ids_file.read_text(encoding="utf-8")), retriever)

    def search(self, query: str, k: int = 20, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        tokens = [t for t in tokenize(query) if t in self._vocab()]
        if not tokens or not self.ids:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            for cid in allowed:
                if cid in self._pos:
                    mask[self._pos[cid]] = 1.0
            if not mask.any():
                return []
        k = min(k, len(self.ids))
        docs, scores = self._bm25.retrieve([tokens], k=k, show_progress=False, weight_mask=mask)  # type: ignore[attr-defined]
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def _vocab(self) -> dict[str, int]:
        return self._bm25.vocab_dict  # type: ignore[attr-defined,no-any-return]


def bigram_idf(texts: Sequence[str]) -> Idf:
    """Inverse document frequency of character bigrams over `texts` (matching forms): rare bigrams weigh more."""
    return _gram_idf(texts, 2)


def char_idf(texts: Sequence[str]) -> Idf:
    """Inverse document frequency of single characters over `texts` (matching forms): 墙 weighs more than 的."""
    return _gram_idf(texts, 1)


def _gram_idf(texts: Sequence[str], size: int) -> Idf:
    df: Counter[str] = Counter()
    for t in texts:
        df.update({t[i:i + size] for i in range(len(t) - size + 1)})
    n = max(1, len(texts))
    return Idf({g: math.log(1 + n / c) for g, c in df.items()})


class Idf(dict[str, float]):
    """Bigram → IDF, with the weight of a bigram the corpus never has (as rare as can be) computed once."""

    @cached_property
    def unseen(self) -> float:
        return max(self.values(), default=1.0)
