"""A real index (embedded Chroma + keyword index) over three corpus files, built once with the bigram fake."""

from __future__ import annotations

import shutil
import pytest

from ingest.pipeline import run_ingest
from ingest.settings import Settings
from rag.index import LoadedIndex, load_index
from tests.conftest import GAZETTES
from tests.fakes import BigramEmbedder

FILES = ("jincheng-2018-04.txt", "jincheng-2021-02.txt", "jincheng-2018-01.txt", "changzhi-2020-03.txt")


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> LoadedIndex:
    root = tmp_path_factory.mktemp("rag-index")
    data = root / "data"
    data.mkdir()
    for name in FILES:
        shutil.copy(GAZETTES / name, data / name)
    settings = Settings(data_dir=data, index_dir=root / "index")
    embedder = BigramEmbedder()
    report = run_ingest(settings, lambda: embedder)
    assert not report.failed
    return load_index(settings, embedder=embedder)
