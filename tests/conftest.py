"""Test-wide set-up: offline by construction (sockets blocked by pytest-socket via pyproject addopts)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

# imported after the offline switches above
from ingest.pipeline import run_ingest
from rag.index import LoadedIndex, load_index
from settings import Settings
from tests.fakes import BigramEmbedder

ROOT = Path(__file__).resolve().parent.parent
GAZETTES = ROOT / "data" / "gazettes"


@pytest.fixture(scope="session")
def gazette_dir() -> Path:
    return GAZETTES


# A real index (embedded Chroma + keyword index) over four corpus files, built once with the bigram fake.
SMALL_INDEX_FILES = ("jincheng-2018-04.txt", "jincheng-2021-02.txt", "jincheng-2018-01.txt", "changzhi-2020-03.txt")


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> LoadedIndex:
    root = tmp_path_factory.mktemp("rag-index")
    data = root / "data"
    data.mkdir()
    for name in SMALL_INDEX_FILES:
        shutil.copy(GAZETTES / name, data / name)
    settings = Settings(data_dir=data, index_dir=root / "index", collection_prefix=f"small-{uuid.uuid4().hex[:8]}")
    embedder = BigramEmbedder()
    report = run_ingest(settings, lambda: embedder)
    assert not report.failed
    return load_index(settings, embedder=embedder)


@pytest.fixture(autouse=True)
def _own_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Against a shared Chroma server (RAG_CHROMA_HOST set, `make test`'s server run) every test's indexes get
    their own collection names, as its own temporary index folder gives them on the embedded store."""
    if os.environ.get("RAG_CHROMA_HOST"):
        monkeypatch.setenv("RAG_COLLECTION_PREFIX", f"t{uuid.uuid4().hex[:10]}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `integration` talk to real local servers: sockets are allowed for them only."""
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.enable_socket)
