"""`python -m rag`: the --city option reads the index's cities (Chinese, 市 suffix, pinyin) and names them when it
matches none."""

from __future__ import annotations

import pytest

import rag.pipeline
from rag.__main__ import _city, main
from rag.index import LoadedIndex
from rag.pipeline import Pipeline


def test_a_city_is_named_in_chinese_with_or_without_its_suffix_or_in_pinyin() -> None:
    cities = ("晋城", "长治", "大同")
    assert _city("晋城", cities) == _city("晋城市", cities) == _city(" Jincheng ", cities) == "晋城"
    assert _city("datong", cities) == "大同"
    assert _city("太原", cities) is None and _city(None, cities) is None


def test_a_city_the_index_lacks_is_an_error_naming_the_cities_it_has(small_index: LoadedIndex, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(rag.pipeline, "load_pipeline", lambda mode="auto": Pipeline(small_index))
    assert main(["搬迁补助费怎么算？", "--city", "太原"]) == 2
    assert "晋城、长治" in capsys.readouterr().err
    assert main(["搬迁补助费怎么算？", "--city", "jincheng"]) == 0
    assert "搬迁补助" in capsys.readouterr().out
