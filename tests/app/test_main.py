"""`python -m app` (app.__main__.main): a fresh clone gets its index built, then the app binds where it is told."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.__main__ import main
from app.keys import KeyFile
from rag.pipeline import load_pipeline
from tests.conftest import GAZETTES
from tests.fakes import BigramEmbedder


@pytest.fixture
def fresh_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings pointing at one gazette file and an empty index folder; the default pipeline cache is cleared."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(GAZETTES / "jincheng-2018-04.txt", data / "jincheng-2018-04.txt")
    monkeypatch.setenv("RAG_DATA_DIR", str(data))
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("RAG_FEEDBACK_LOG", raising=False)
    monkeypatch.delenv("RAG_LLM_BASE_URL", raising=False)
    load_pipeline.cache_clear()
    yield tmp_path
    load_pipeline.cache_clear()


def test_missing_index_with_no_ingest_tells_to_run_ingest(fresh_clone: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-ingest"]) == 2
    assert "python -m ingest" in capsys.readouterr().err


def test_missing_index_is_built_with_progress_then_the_app_binds_where_told(
        fresh_clone: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    embedder = BigramEmbedder()
    monkeypatch.setattr("ingest.embedders.make_embedder", lambda kind, model=None, **_: embedder)
    served: dict[str, Any] = {}

    def fake_serve(server: FastAPI, host: str, port: int) -> int:
        served.update(server=server, host=host, port=port)
        return 0

    monkeypatch.setattr("app.__main__.serve", fake_serve)
    assert main(["--public", "--host", "0.0.0.0", "--port", "8123"]) == 0
    captured = capsys.readouterr()
    assert "未找到索引" in captured.err and "建立索引：已处理" in captured.err and "索引已建立" in captured.err
    assert (served["host"], served["port"]) == ("0.0.0.0", 8123)
    asgi = TestClient(served["server"])  # the API and the page on one app (public: the API needs no key)
    assert asgi.get("/v1/models").status_code == 200 and asgi.get("/").status_code == 200
    assert "无需密钥" in captured.out and str(fresh_clone / "index" / "feedback.jsonl") in captured.out
    assert embedder.embedded  # the chunks were embedded by the configured embedder
    served.clear()
    assert main([]) == 0  # the index exists now: no second build; staff mode on loopback:7860, the API needs a key
    captured = capsys.readouterr()
    assert (served["host"], served["port"]) == ("127.0.0.1", 7860) and "未找到索引" not in captured.err
    assert "需要密钥" in captured.out and TestClient(served["server"]).get("/v1/models").status_code == 401


def test_api_only_serves_no_page(fresh_clone: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ingest.embedders.make_embedder", lambda kind, model=None, **_: BigramEmbedder())
    served: dict[str, Any] = {}
    monkeypatch.setattr("app.__main__.serve", lambda server, *a: served.update(server=server) or 0)
    assert main(["--api-only"]) == 0
    asgi = TestClient(served["server"])
    assert asgi.get("/v1/models").status_code == 401 and asgi.get("/").status_code == 404


def test_keys_add_prints_the_key_once_and_stores_only_its_hash(fresh_clone: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    keyfile = fresh_clone / "secrets" / "keys.tsv"
    monkeypatch.setenv("RAG_API_KEYS_FILE", str(keyfile))
    assert main(["keys", "add", "desk-3"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("gq-") and key not in keyfile.read_text(encoding="utf-8")
    assert KeyFile(keyfile).name_of(key) == "desk-3"
    assert main(["keys", "add", "desk-3"]) == 2 and "exists" in capsys.readouterr().err
    assert main(["keys", "list"]) == 0 and capsys.readouterr().out.split() == ["desk-3"]
    assert main(["keys", "revoke", "desk-3"]) == 0 and KeyFile(keyfile).name_of(key) is None
