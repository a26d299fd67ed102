"""Filters as allowed chunk ids and as the store's `where` (rag.filters): both allow exactly what a full scan allows,
and a filtered dense leg returns its full k."""

from __future__ import annotations

from datetime import date

from rag.filters import allowed_ids, store_where
from rag.index import LoadedIndex
from rag.records import Filters
from rag.retrieve import HybridRetriever, RetrievalConfig

CASES = [
    (Filters(city="长治"), []),
    (Filters(city="晋城", year_from=2021), []),
    (Filters(), ["晋市政发〔2018〕23号"]),
    (Filters(city="长治"), ["晋市政发〔2018〕23号"]),
    (Filters(doc_number="晋市政发[2021]3号"), []),
    (Filters(doc_number="晋市政发[2021]3号"), ["晋市政发〔2018〕23号"]),
    (Filters(doc_type="办法", valid_on=date(2024, 1, 1)), []),
    (Filters(city="晋城", year_to=2018, doc_type="通知"), ["晋市政发〔2018〕23号", "晋市政办〔2018〕5号"]),
    (Filters(year_to=2019), []),
    (Filters(valid_on=date(2030, 1, 1), doc_type="方案"), []),
]


def _scan(index: LoadedIndex, f: Filters, numbers: list[str]) -> set[str]:
    """allowed_ids by brute force over every chunk: the reference for the precomputed sets."""
    out = set()
    for cid, chunk in index.chunks.items():
        doc = index.documents[chunk.doc_id]
        year = doc.date.year if doc.date else (chunk.event_date.year if chunk.event_date else None)
        if (f.city and doc.city != f.city) or (numbers and doc.doc_number not in numbers) \
                or (f.doc_number and doc.doc_number != f.doc_number.replace("[", "〔").replace("]", "〕")) \
                or (f.doc_type and f.doc_type not in doc.doc_type) \
                or (f.year_from and (year is None or year < f.year_from)) or (f.year_to and (year is None or year > f.year_to)) \
                or (f.valid_on and doc.validity.expires and doc.validity.expires < f.valid_on):
            continue
        out.add(cid)
    return out


def test_filtered_ids_from_the_precomputed_sets_equal_a_full_scan(small_index: LoadedIndex) -> None:
    for f, numbers in CASES:
        assert allowed_ids(small_index, f, numbers) == _scan(small_index, f, numbers), (f, numbers)
    assert allowed_ids(small_index, Filters(), []) is None


def test_the_stores_where_allows_exactly_the_same_chunks(small_index: LoadedIndex) -> None:
    vector = small_index.embed_query("征收补偿")
    everything = len(small_index.chunks)
    for f, numbers in CASES:
        where = store_where(small_index, f, numbers)
        got = {cid for cid, _ in small_index.store.query(vector, k=everything, where=where)}
        assert got == _scan(small_index, f, numbers), (f, numbers, where)
    assert store_where(small_index, Filters(), []) is None


def test_a_one_document_filter_gives_the_dense_leg_its_full_k(small_index: LoadedIndex) -> None:
    number = "晋市政发〔2018〕23号"
    in_doc = small_index.ids_by_doc_number[number]
    config = RetrievalConfig(k_leg=10)
    assert len(in_doc) > config.k_leg
    legs = HybridRetriever(small_index, config).legs("临时安置补助费", Filters(doc_number=number), [])
    assert len(legs["dense"]) == config.k_leg and {cid for cid, _ in legs["dense"]} <= in_doc
