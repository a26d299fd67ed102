"""Optional second-stage reranking: score (question, passage) pairs jointly and reorder the retrieved passages.

Off by default: no reranker's weights install from PyPI, so a cross-encoder is used only when
``RAG_RERANKER_MODEL`` names a local folder holding one (for example a folder written by ``CrossEncoder.save()``
or by ``save_pretrained`` of a sequence-classification model with one label). A hub name is never passed on:
nothing downloads at run time.

The pipeline depends on the ``Reranker`` protocol only, so any object with a matching ``rerank`` can be injected
(a fake in tests, another backend later).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # sentence-transformers takes ~5 s to import: only when a reranker is actually used
    from sentence_transformers import CrossEncoder

logger = logging.getLogger(__name__)

MODEL_SETTING = "RAG_RERANKER_MODEL"  # the setting that names the cross-encoder folder
_FIX = f"set {MODEL_SETTING} to a local folder holding a cross-encoder, e.g. one saved with CrossEncoder.save()"


@runtime_checkable
class Reranker(Protocol):
    """What the pipeline needs from a reranker."""

    def rerank(
        self, query: str, passages: Sequence[tuple[str, str]], top_n: int | None = None
    ) -> list[tuple[str, float]]:
        """(passage_id, score) for ``passages`` given as (passage_id, text), best first (higher score is better),
        at most ``top_n`` of them (all when None). Equal scores keep the input order."""
        ...


class RerankerModelUnavailable(FileNotFoundError):
    """The configured reranker model cannot be loaded from a local folder."""


def _check_positive(name: str, value: int | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")


def resolve_reranker_folder(model_path: str) -> Path:
    """The absolute local folder for ``model_path``; raises RerankerModelUnavailable (naming it and the fix)
    when it is not an existing folder. Hub names are not looked up: they fail here like any missing folder."""
    path = Path(model_path).expanduser()
    if not path.exists():
        raise RerankerModelUnavailable(f"reranker model folder {model_path!r} does not exist: {_FIX}")
    if not path.is_dir():
        raise RerankerModelUnavailable(f"reranker model path {model_path!r} is not a folder: {_FIX}")
    return path.resolve()


class CrossEncoderReranker:
    """A sentence-transformers ``CrossEncoder`` with one output label, loaded offline from a local folder.

    The folder is checked when the reranker is built; the model loads on first use (or ``load()``), once, under a
    lock. Calls are serialised on the same lock: one model and tokenizer shared by threads is not documented as
    safe (fast tokenizers have raised "Already borrowed" under concurrent calls), and on a CPU torch already
    spreads one call over the cores, so serialising costs little throughput.

    Scores are the model's raw logits (no sigmoid): monotone with the sigmoid, so the order is the same, but
    confident pairs do not tie at 1.0. Pairs longer than ``max_length`` tokens (default: the model's own limit;
    a larger value is capped at it) are truncated by the model's tokenizer, the longer text of the pair first.
    """

    def __init__(
        self, model_path: str, *, batch_size: int = 16, max_length: int | None = None, device: str = "cpu"
    ) -> None:
        _check_positive("batch_size", batch_size)
        _check_positive("max_length", max_length)
        self.folder: Path = resolve_reranker_folder(model_path)
        self.name: str = f"cross-encoder-{self.folder.name}"
        self.batch_size = batch_size
        self._max_length = max_length
        self._device = device
        self._model: CrossEncoder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def max_tokens(self) -> int:
        """The longest (query + passage) input, in model tokens with specials, that the model sees whole."""
        with self._lock:
            return int(self._load().max_seq_length or 0)

    def load(self) -> None:
        """Load the model now (e.g. at app start-up) instead of on the first question."""
        with self._lock:
            self._load()

    def _load(self) -> CrossEncoder:
        # Callers hold self._lock.
        if self._model is not None:
            return self._model
        import torch
        from sentence_transformers import CrossEncoder

        started = time.perf_counter()
        try:
            model = CrossEncoder(
                str(self.folder),
                device=self._device,
                local_files_only=True,
                activation_fn=torch.nn.Identity(),
            )
        except (OSError, ValueError) as exc:  # no config.json / weights / tokenizer in the folder
            raise RerankerModelUnavailable(
                f"reranker model folder {str(self.folder)!r} does not hold a loadable cross-encoder ({exc}): {_FIX}"
            ) from exc
        if model.num_labels != 1:
            raise ValueError(
                f"reranker model {str(self.folder)!r} has {model.num_labels} output labels; a reranker needs exactly 1"
                " (a relevance score per pair)"
            )
        model_limit = model.max_seq_length
        if self._max_length is not None:
            if model_limit and self._max_length > model_limit:
                logger.warning(
                    "reranker max_length above the model's limit; capped",
                    extra={"reranker": self.name, "max_length": self._max_length, "model_limit": model_limit},
                )
            else:
                model.max_seq_length = self._max_length
        self._model = model
        logger.info(
            "loaded reranker",
            extra={"reranker": self.name, "max_length": model.max_seq_length, "seconds": round(time.perf_counter() - started, 2)},
        )
        return model

    def rerank(
        self, query: str, passages: Sequence[tuple[str, str]], top_n: int | None = None
    ) -> list[tuple[str, float]]:
        _check_positive("top_n", top_n)
        items = list(passages)
        if not items:
            return []
        duplicates = [pid for pid, count in Counter(pid for pid, _ in items).items() if count > 1]
        if duplicates:
            raise ValueError(f"passage ids must be unique, got duplicates {duplicates[:5]}")
        pairs = [(query, text) for _, text in items]
        started = time.perf_counter()
        with self._lock:
            model = self._load()
            scores = model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True)
        order = sorted(range(len(items)), key=lambda i: -float(scores[i]))  # stable: ties keep the input order
        logger.debug(
            "reranked", extra={"reranker": self.name, "count": len(items), "seconds": round(time.perf_counter() - started, 3)}
        )
        return [(items[i][0], float(scores[i])) for i in order[:top_n]]


def make_reranker(
    model_path: str | None, *, batch_size: int = 16, max_length: int | None = None, device: str = "cpu"
) -> Reranker | None:
    """The cross-encoder reranker for ``model_path`` (the RAG_RERANKER_MODEL setting), or None when it is unset
    or empty (reranking off). The folder is checked now; the model loads on first use."""
    if not model_path or not model_path.strip():
        return None
    return CrossEncoderReranker(model_path, batch_size=batch_size, max_length=max_length, device=device)
