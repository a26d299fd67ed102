"""Metadata filters (city, 文号, document type, year range, validity) as the set of chunk ids they allow, and as
the Chroma `where` clause that allows exactly the same chunks, so the dense leg returns its full k from the allowed
documents instead of over-fetching the whole corpus and filtering afterwards (a one-document filter used to leave
it 3–5 hits)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ingest.records import Chunk
from rag.index import LoadedIndex
from rag.records import Filters
from textnorm import normalize_docnos

_NO_VALUE = "\x00"  # a metadata value no chunk has: `$in` of it allows nothing


def _wanted_numbers(filters: Filters, doc_numbers: list[str]) -> list[str] | None:
    """The 文号 the chunks must have (None: any); [] when the filter and the question's 文号 exclude each other."""
    numbers = list(doc_numbers)
    if filters.doc_number:
        wanted = normalize_docnos(filters.doc_number).replace(" ", "")
        numbers = [n for n in numbers if n == wanted] if numbers else [wanted]
        if not numbers:
            return []
    return numbers or None


def doc_year(index: LoadedIndex, chunk: Chunk) -> int | None:
    doc = index.documents[chunk.doc_id]
    if doc.date:
        return doc.date.year
    return chunk.event_date.year if chunk.event_date else None


def allowed_ids(index: LoadedIndex, filters: Filters, doc_numbers: list[str]) -> set[str] | None:
    """Chunk ids that pass the filters, or None when nothing is filtered. City and 文号 come from the index's
    precomputed sets; only the remaining filters look at each candidate chunk."""
    if filters == Filters() and not doc_numbers:
        return None
    candidates: frozenset[str] | set[str] | None = None
    if filters.city:
        candidates = index.ids_by_city.get(filters.city, frozenset())
    numbers = _wanted_numbers(filters, doc_numbers)
    if numbers == []:
        return set()
    if numbers:
        in_docs = set().union(*(index.ids_by_doc_number.get(n, frozenset()) for n in numbers))
        candidates = in_docs if candidates is None else in_docs & candidates
    rest = replace(filters, city=None, doc_number=None)
    pool = index.chunks.keys() if candidates is None else candidates
    if rest == Filters():
        return set(pool)
    out: set[str] = set()
    for cid in pool:
        chunk = index.chunks[cid]
        doc = index.documents[chunk.doc_id]
        if rest.doc_type and rest.doc_type not in doc.doc_type:
            continue
        year = doc_year(index, chunk)
        if rest.year_from and (year is None or year < rest.year_from):
            continue
        if rest.year_to and (year is None or year > rest.year_to):
            continue
        if rest.valid_on and doc.validity.expires and doc.validity.expires < rest.valid_on:
            continue
        out.add(cid)
    return out


def store_where(index: LoadedIndex, filters: Filters, doc_numbers: list[str]) -> dict[str, Any] | None:
    """The Chroma `where` allowing the same chunks as `allowed_ids` (its chunk metadata: city, doc_number, doc_type,
    year = doc_year, valid_until), or None when nothing is filtered. Substring and date conditions Chroma cannot
    compare are turned into `$in` / `$nin` lists of the values the index holds."""
    if filters == Filters() and not doc_numbers:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.city:
        clauses.append({"city": filters.city})
    numbers = _wanted_numbers(filters, doc_numbers)
    if numbers is not None:
        clauses.append({"doc_number": {"$in": numbers or [_NO_VALUE]}})
    docs = index.documents.values()
    if filters.doc_type:
        clauses.append({"doc_type": {"$in": sorted({d.doc_type for d in docs if filters.doc_type in d.doc_type}) or [_NO_VALUE]}})
    if filters.year_from or filters.year_to:
        clauses.append({"year": {"$gte": filters.year_from or 1}})  # year 0: no year known, never in a range
        if filters.year_to:
            clauses.append({"year": {"$lte": filters.year_to}})
    if filters.valid_on:
        lapsed = sorted({d.validity.expires.isoformat() for d in docs if d.validity.expires and d.validity.expires < filters.valid_on})
        if lapsed:
            clauses.append({"valid_until": {"$nin": lapsed}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
