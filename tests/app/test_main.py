"""`python -m app` (app.__main__.main): a fresh clone gets its index built, then the app binds where it is told."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from app.__main__ import main
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
    launched: dict[str, Any] = {}

    def fake_launch(self: gr.Blocks, **kwargs: Any) -> None:
        launched.update(kwargs, blocks=self)

    monkeypatch.setattr(gr.Blocks, "launch", fake_launch)
    assert main(["--public", "--host", "0.0.0.0", "--port", "8123"]) == 0
    out = capsys.readouterr().out
    assert "未找到索引" in out and "建立索引：已处理" in out and "索引已建立" in out
    assert (launched["server_name"], launched["server_port"], launched["footer_links"]) == ("0.0.0.0", 8123, [])
    assert str(fresh_clone / "index" / "feedback.jsonl") in out  # feedback log defaults to the index folder
    assert embedder.embedded  # the chunks were embedded by the configured embedder
    launched.clear()
    assert main([]) == 0  # the index exists now: no second build; staff mode on loopback:7860
    assert (launched["server_name"], launched["server_port"]) == ("127.0.0.1", 7860) and "未找到索引" not in capsys.readouterr().out
