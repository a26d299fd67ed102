"""Hybrid retrieval over a real index: fusion, filters, widening."""

from __future__ import annotations

from datetime import date

from rag.index import LoadedIndex
from rag.records import Filters
from rag.retrieve import HybridRetriever, allowed_ids, mentioned_doc_numbers, rrf


def test_rrf_rewards_agreement_between_legs() -> None:
    fused = rrf({"dense": [("a", 0.9), ("b", 0.8)], "keyword": [("b", 5.0), ("c", 4.0)]}, {}, 60)
    assert [cid for cid, _ in fused] == ["b", "a", "c"]


def test_procedure_question_returns_the_whole_section_in_order(small_index: LoadedIndex) -> None:
    got = HybridRetriever(small_index).retrieve("中心城区土地征收的程序是什么？")
    paths = [p.path for p in got.passages if p.doc_number == "晋市政发〔2021〕3号"]
    steps = [p for p in paths if p.startswith("二、（四）") and p != "二、（四）"]
    assert steps == ["二、（四）1.", "二、（四）2.", "二、（四）3.", "二、（四）4.", "二、（四）5."]
    assert paths.index("二、（四）") < paths.index("二、（四）1.")
    assert got.groups[0][0] == next(p.chunk_id for p in got.passages if p.path == "二、（四）")


def test_city_filter_keeps_only_that_city(small_index: LoadedIndex) -> None:
    got = HybridRetriever(small_index).retrieve("道路交通安全", Filters(city="长治"))
    assert got.passages and {p.city for p in got.passages} == {"长治"}


def test_validity_filter_drops_documents_expired_on_the_day(small_index: LoadedIndex) -> None:
    allowed = allowed_ids(small_index, Filters(valid_on=date(2024, 1, 1)), [])
    assert allowed is not None
    expired = {c for c, chunk in small_index.chunks.items()
               if small_index.documents[chunk.doc_id].doc_number == "晋市政发〔2018〕23号"
               and small_index.documents[chunk.doc_id].kind == "embedded"}
    assert expired and not (expired & allowed)


def test_a_named_document_number_in_any_spelling_restricts_retrieval(small_index: LoadedIndex) -> None:
    assert mentioned_doc_numbers(small_index, "晋市政办[2018]8号讲了什么") == ["晋市政办〔2018〕8号"]
    got = HybridRetriever(small_index).retrieve("晋市政发〔2021〕4 号的有效期")
    assert got.passages and {p.doc_number for p in got.passages} == {"晋市政发〔2021〕4号"}


def test_trace_legs_hold_ranked_hits_with_scores(small_index: LoadedIndex) -> None:
    got = HybridRetriever(small_index).retrieve("搬迁补助费18元/平方米")
    assert set(got.legs) == {"dense", "keyword"}
    assert got.legs["keyword"] and got.legs["keyword"][0][1] >= got.legs["keyword"][-1][1]
    assert got.passages[0].ranks
