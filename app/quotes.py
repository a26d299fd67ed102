"""Where a quote stands in the corpus (the MCP tool verify_quote): exact occurrences compared in matching form
(NFKC, no whitespace, as the evals match quotes), and when there is none, the nearest clause, clearly not exact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

from app.documents import full_title
from app.wire import WireError
from ingest.records import Chunk, Document
from rag.index import LoadedIndex
from textnorm import matching_form

MAX_LISTED = 20  # exact occurrences listed
NEAR_COVERAGE = 0.6  # a near match's shared run must cover this share of the quote (the evals' support threshold)
_SENTENCE_END = "。；！？\n"


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote stands: offsets into Document.text, the clause(s) it lies in, the corpus text verbatim."""

    doc_number: str
    title: str
    doc_id: str
    path: str
    chunk_id: str
    chunk_ids: tuple[str, ...]
    start: int
    end: int
    text: str
    source_file: str


@dataclass(frozen=True)
class NearMatch:
    """Not exact: the clause sharing the longest run with the quote; `coverage` is that run's share of the quote."""

    coverage: float
    doc_number: str
    title: str
    doc_id: str
    path: str
    chunk_id: str
    common: str  # the shared run, verbatim from the corpus
    sentence: str  # the corpus sentence around it


@dataclass(frozen=True)
class QuoteCheck:
    found: bool
    total: int  # exact occurrences (at most MAX_LISTED are listed)
    matches: tuple[QuoteMatch, ...]
    near: NearMatch | None  # only when not found, and only when one clause covers most of the quote
    note: str


def norm_chars(text: str) -> tuple[str, list[int]]:
    """The matching form of `text` character by character, and for each of its characters the offset in `text`."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        form = matching_form(ch)
        out.append(form)
        where.extend([i] * len(form))
    return "".join(out), where


def verify_quote(index: LoadedIndex, quote: str, texts: Mapping[str, tuple[str, list[int]]]) -> QuoteCheck:
    """Where `text` stands in the corpus, compared in matching form (NFKC, no whitespace, as the evals match quotes);
    when it stands nowhere, the clause sharing the longest run with it, if that run covers most of it."""
    wanted, _ = norm_chars(quote)
    if not wanted:
        raise WireError("text", "the quote has no characters to match (only spaces)")
    matches: list[QuoteMatch] = []
    total = 0
    for doc_id, (norm, where) in texts.items():
        at = norm.find(wanted)
        while at >= 0:
            total += 1
            if len(matches) < MAX_LISTED:
                start, end = where[at], where[at + len(wanted) - 1] + 1
                matches.append(located(index, index.documents[doc_id], start, end))
            at = norm.find(wanted, at + 1)
    if matches:
        note = "原文逐字一致（忽略空格、全角半角差异）。" + (f"共{total}处，列出前{MAX_LISTED}处。" if total > MAX_LISTED else "")
        return QuoteCheck(True, total, tuple(matches), None, note)
    near = _near_match(index, quote, wanted)
    note = "文件库中没有这段原文。" + (f"最接近的条款（不是逐字一致，覆盖引文的{near.coverage:.0%}）见 near。" if near else "")
    return QuoteCheck(False, 0, (), near, note)


def normalised_texts(index: LoadedIndex) -> dict[str, tuple[str, list[int]]]:
    """Each document's text in matching form with its offset map (compute once per loaded index)."""
    return {d.doc_id: norm_chars(d.text) for d in index.documents.values()}


def located(index: LoadedIndex, doc: Document, start: int, end: int) -> QuoteMatch:
    spanned = [index.chunks[c] for c in index.by_doc.get(doc.doc_id, ()) if index.chunks[c].start < end and start < index.chunks[c].end]
    spanned.sort(key=lambda c: c.start)
    head = next((c for c in spanned if c.start <= start < c.end), spanned[0] if spanned else None)
    return QuoteMatch(
        doc_number=doc.doc_number or "", title=full_title(doc), doc_id=doc.doc_id,
        path=(head.path_str or "正文") if head else "", chunk_id=head.chunk_id if head else "",
        chunk_ids=tuple(c.chunk_id for c in spanned), start=start, end=end, text=doc.text[start:end],
        source_file=doc.source_file,
    )


def _near_match(index: LoadedIndex, quote: str, wanted: str) -> NearMatch | None:
    """The clause among the keyword leg's top 20 whose longest common run with the quote is longest, when that run
    covers at least NEAR_COVERAGE of the quote."""
    best: tuple[int, Chunk, int, list[int]] | None = None
    for cid, _ in index.keyword.search(quote, k=20):
        chunk = index.chunks.get(cid)
        if chunk is None:
            continue
        norm, where = norm_chars(chunk.text)
        m = SequenceMatcher(None, wanted, norm, autojunk=False).find_longest_match(0, len(wanted), 0, len(norm))
        if best is None or m.size > best[0]:
            best = (m.size, chunk, m.b, where)
    if best is None or best[0] < NEAR_COVERAGE * len(wanted):
        return None
    size, chunk, at, where = best
    start, end = where[at], where[at + size - 1] + 1
    s = max((chunk.text.rfind(ch, 0, start) for ch in _SENTENCE_END), default=-1) + 1
    ends = [i for ch in _SENTENCE_END if (i := chunk.text.find(ch, end - 1)) >= 0]
    e = min(ends) + 1 if ends else len(chunk.text)
    doc = index.documents[chunk.doc_id]
    return NearMatch(round(size / len(wanted), 3), doc.doc_number or "", full_title(doc), doc.doc_id,
                     chunk.path_str or "正文", chunk.chunk_id, chunk.text[start:end], chunk.text[s:e].strip())
