"""Clause-level tools over the loaded index, for machine clients (the MCP server): ask, search clauses, fetch a clause
with its neighbours by 文号 and path, list documents, and verify where a quote stands in the corpus.

Plain functions over an injected pipeline (`current()` returns the `rag.pipeline.Pipeline` answering now, e.g.
`rag.live.FollowingPipeline.current`), typed records out; no MCP here. A bad argument raises `app.wire.WireError`
(the field and what is accepted), a 文号 or clause that does not exist raises `NotFound` (what does exist).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from difflib import get_close_matches
from typing import Any

from app.documents import DocumentLibrary, DocumentRow, full_title, pages_text, validity_text
from app.quotes import QuoteCheck, normalised_texts, verify_quote
from app.wire import WireError, answer_payload, filters_from_json
from ingest.records import Chunk, Document
from rag.filters import allowed_ids
from rag.index import LoadedIndex
from rag.pipeline import Pipeline
from rag.query import analyse
from rag.records import Filters
from rag.retrieve import HybridRetriever
from textnorm import CN_NUM, cn_to_int, matching_form, normalize_docno

MAX_K = 20
MAX_TEXT = 2000  # characters of a question or quote
MAX_LISTED = 20  # clause paths or quote matches an answer lists
_SEPARATORS = re.compile(r"[/\\>|›»]+")
_DASHES = re.compile(r"[–—\-~～]|至")
_ARABIC_ORDINAL = re.compile(r"第(\d{1,3})([章节条款])")
_RANGE = re.compile(rf"^第([{CN_NUM}]+)条–第([{CN_NUM}]+)条$")
_CONTINUATION = re.compile(r"^\(续\d+\)$")


class NotFound(LookupError):
    """A 文号, document or clause the index does not have; the message says what it has instead."""


@dataclass(frozen=True)
class ClauseHit:
    """One ranked clause: 文号, title (with its notice), clause path, the clause text verbatim (`quote`, as printed:
    what verify_quote finds), the clause as read (`shown`, `Passage.readable`: a table row as 列名：值；…, a table
    printed column by column as its rows, any other clause as its text), fused score."""

    rank: int
    doc_number: str
    title: str
    path: str
    quote: str
    score: float
    chunk_id: str
    doc_id: str
    date: date | None
    city: str
    validity: str
    lapsed: bool
    pages: str = ""  # 第3页 for a PDF source
    shown: str = ""  # the clause as read (Passage.readable); `quote` stays the printed text


@dataclass(frozen=True)
class SearchResult:
    query: str
    filters: dict[str, Any]  # the filters applied (a city the query names is one)
    clauses: tuple[ClauseHit, ...]


@dataclass(frozen=True)
class Neighbour:
    """The clause before or after: its text as printed (`text`) and as read (`shown`, `Chunk.readable`)."""

    path: str
    chunk_id: str
    text: str
    shown: str = ""


@dataclass(frozen=True)
class ClauseView:
    """A clause as the document prints it: text = Document.text[start:end] (a clause split in parts is whole here);
    `shown` the same span as read (a table row as 列名：值；…, a table printed column by column as its rows)."""

    doc_number: str
    title: str
    doc_id: str
    path: str
    headings: tuple[str, ...]
    text: str
    chunk_ids: tuple[str, ...]
    start: int
    end: int
    issuer: str
    date: date | None
    validity: str
    lapsed: bool
    previous: Neighbour | None
    next: Neighbour | None
    pages: str = ""  # 第3页 for a PDF source
    shown: str = ""  # `text` as read: each part shown by its readable text (Chunk.readable)


@dataclass(frozen=True)
class DocumentList:
    total: int
    filters: dict[str, Any]
    documents: tuple[DocumentRow, ...]


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    tail = "" if rest == 0 else ("零" + digits[rest] if rest < 10 else ("一" if rest < 20 else "") + _cn(rest))
    return digits[hundreds] + "百" + tail


def norm_path(path: str) -> str:
    """A clause path in comparable form: matching form (no spaces, half-width), no separators, 第12条 → 第十二条."""
    p = _SEPARATORS.sub("", matching_form(path))
    p = _ARABIC_ORDINAL.sub(lambda m: f"第{_cn(int(m.group(1)))}{m.group(2)}", p)
    return _DASHES.sub("–", p)


def _alternatives(component: str) -> set[str]:
    """A component and, for a merged range (第二十三条–第二十四条), each article it covers."""
    m = _RANGE.match(component)
    if not m:
        return {component}
    lo, hi = cn_to_int(m.group(1)), cn_to_int(m.group(2))
    return {component} | {f"第{_cn(n)}条" for n in range(lo, hi + 1)} if 0 < lo <= hi <= lo + 20 else {component}


def _path_match(chunk: Chunk, wanted: str) -> int:
    """2: the whole path is `wanted`; 1: its last components are; 0: no match. Continuation parts ((续2)) match
    the clause they continue."""
    comps = [norm_path(p) for p in chunk.path]
    while comps and _CONTINUATION.match(comps[-1]):
        comps.pop()
    if not comps:
        return 2 if wanted in ("", "正文") else 0
    if norm_path(replace(chunk, path=chunk.path[:len(comps)]).path_str) == wanted:  # decimal: 1.5.1 as printed
        return 2
    for i in range(len(comps)):
        head = "".join(comps[i:-1])
        if any(head + alt == wanted for alt in _alternatives(comps[-1])):
            return 2 if i == 0 else 1
    return 0


def canonical_doc_number(text: str) -> str:
    """A 文号 in canonical form from any common spelling ([2018], （2018）, ２３, a space before 号, no 号)."""
    t = unicodedata.normalize("NFKC", text).strip()
    if re.search(r"\d\s*$", t):
        t += "号"
    return normalize_docno(t) or re.sub(r"\s+", "", t)


class CorpusTools:
    """The tools, over whatever pipeline `current()` returns now (a re-ingest swaps it)."""

    def __init__(self, current: Callable[[], Pipeline], today: Callable[[], date] = date.today) -> None:
        self._current = current
        self._today = today
        self._texts: tuple[LoadedIndex, dict[str, tuple[str, list[int]]]] | None = None

    @property
    def index(self) -> LoadedIndex:
        return self._current().index

    def library(self, index: LoadedIndex | None = None) -> DocumentLibrary:
        index = index or self.index
        return DocumentLibrary(index.documents, index.chunks, self._today())

    def filters(self, obj: Any, index: LoadedIndex | None = None) -> Filters:
        """Filters from a JSON object (app.wire.filters_from_json, the corpus's cities), the 文号 in canonical form as
        `get_clause` reads it; WireError when unusable."""
        filters = filters_from_json(obj, (index or self.index).places.cities)
        return replace(filters, doc_number=canonical_doc_number(filters.doc_number)) if filters.doc_number else filters

    # -- ask ---------------------------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[str] | None = None, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The cited answer as `app.wire.answer_payload` shapes it (the same JSON as the HTTP API)."""
        question = _text("question", question)
        if history is not None and (not isinstance(history, Sequence) or isinstance(history, str)
                                    or not all(isinstance(h, str) for h in history)):
            raise WireError("history", "expected a list of the earlier questions (strings), oldest first")
        pipeline = self._current()
        answer = pipeline.answer(question, tuple(history or ()), self.filters(filters, pipeline.index))
        return answer_payload(answer, self.library(pipeline.index))

    # -- search ------------------------------------------------------------------------------------------------
    def search_clauses(self, query: str, filters: Mapping[str, Any] | None = None, k: int = 8) -> SearchResult:
        """The k best clauses for `query` (hybrid retrieval, no widening); a city the query names filters by it."""
        query = _text("query", query)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise WireError("k", f"expected a whole number from 1 to {MAX_K}, got {k!r}")
        pipeline = self._current()
        index = pipeline.index
        chosen = self.filters(filters, index)
        city = analyse(query, index.places).city
        if city and not chosen.city:
            chosen = replace(chosen, city=city)
        base = pipeline.retriever
        retriever = HybridRetriever(index, replace(base.config, k=k), reranker=base.reranker, ranker=base.ranker)
        passages = retriever.retrieve(query, chosen, widen=False).passages[:k]
        today = self._today()
        hits = []
        for rank, p in enumerate(passages, start=1):
            validity, lapsed = validity_text(index.documents[p.doc_id], today)
            hits.append(ClauseHit(rank, p.doc_number, full_title(index.documents[p.doc_id]), p.path or "正文", p.text,
                                  round(p.score, 6), p.chunk_id, p.doc_id, p.date, p.city, validity, lapsed,
                                  pages_text(index.chunks.get(p.chunk_id)), p.readable))
        return SearchResult(query, _filters_json(chosen), tuple(hits))

    # -- one clause --------------------------------------------------------------------------------------------
    def get_clause(self, doc_number: str, path: str, title: str | None = None) -> ClauseView:
        """The clause `path` of the document numbered `doc_number` (any spelling), with the clauses before and after
        it. `title` (part of the document's title) chooses among the texts issued under one 文号."""
        index = self.index
        docs = self._documents(index, _text("doc_number", doc_number), title)
        if not isinstance(path, str):
            raise WireError("path", f"expected a clause path such as 第十二条 or 三、/（二）, got {path!r}")
        wanted = norm_path(path)
        found: dict[str, list[Chunk]] = {}
        best = 0
        for doc in docs:
            for cid in index.by_doc.get(doc.doc_id, ()):
                level = _path_match(index.chunks[cid], wanted)
                if level > best:
                    found, best = {}, level
                if level and level == best:
                    found.setdefault(doc.doc_id, []).append(index.chunks[cid])
        if not found:
            raise NotFound(_missing_clause(index, docs, path))
        if len(found) > 1:
            listed = "；".join(f"《{full_title(index.documents[d])}》{parts[0].path_str}" for d, parts in found.items())
            raise NotFound(f"{docs[0].doc_number}下有{len(found)}件文件都有条款「{path}」：{listed}。"
                           f"请用 title 参数指明是哪一件（标题中的几个字即可）。")
        (doc_id, parts), = found.items()
        bases = {tuple(p for p in c.path if not _CONTINUATION.match(norm_path(p))) for c in parts}
        if len(bases) > 1:
            paths = "、".join(dict.fromkeys(c.path_str for c in parts))
            raise NotFound(f"条款「{path}」不唯一，文件中有：{paths}。请给出完整路径，如「{parts[0].path_str}」。")
        return self._view(index, index.documents[doc_id], parts)

    def _documents(self, index: LoadedIndex, doc_number: str, title: str | None) -> list[Document]:
        number = canonical_doc_number(doc_number)
        docs = sorted((d for d in index.documents.values() if d.doc_number == number), key=lambda d: (d.source_file, d.line_start))
        if not docs:
            close = get_close_matches(number, sorted(index.doc_numbers), n=5, cutoff=0.6)
            hint = f"相近的文号：{'、'.join(close)}。" if close else ""
            raise NotFound(f"文件库中没有文号为 {number} 的文件。{hint}可用 list_documents 查看全部文件及文号。")
        if title:
            t = matching_form(title)
            chosen = [d for d in docs if t in matching_form(d.title)] or [d for d in docs if t in matching_form(full_title(d))]
            if not chosen:
                titles = "；".join(f"《{full_title(d)}》" for d in docs)
                raise NotFound(f"{number}下没有标题含「{title}」的文件；该文号下的文件：{titles}")
            docs = chosen
        return docs

    def _view(self, index: LoadedIndex, doc: Document, parts: list[Chunk]) -> ClauseView:
        parts = sorted(parts, key=lambda c: c.start)
        first, last = parts[0], parts[-1]

        def neighbour(cid: str | None) -> Neighbour | None:
            chunk = index.chunks.get(cid) if cid else None
            if chunk is None or chunk.doc_id != doc.doc_id:
                return None
            return Neighbour(chunk.path_str or "正文", chunk.chunk_id, chunk.text, chunk.readable)

        validity, lapsed = validity_text(doc, self._today())
        path = "".join(p for p in first.path if not _CONTINUATION.match(norm_path(p))) if len(parts) > 1 else first.path_str
        return ClauseView(
            doc_number=doc.doc_number or "", title=full_title(doc), doc_id=doc.doc_id, path=path or "正文",
            headings=first.headings, text=doc.text[first.start:last.end], chunk_ids=tuple(c.chunk_id for c in parts),
            start=first.start, end=last.end, issuer=doc.issuer or "", date=doc.date, validity=validity, lapsed=lapsed,
            previous=neighbour(first.prev_id), next=neighbour(last.next_id),
            pages=pages_text(replace(first, page_end=last.page_end or first.page_end)), shown=_shown(doc, parts),
        )

    # -- documents ---------------------------------------------------------------------------------------------
    def list_documents(self, filters: Mapping[str, Any] | None = None) -> DocumentList:
        """Every document passing the filters (newest first, a notice's texts and attachments after it)."""
        index = self.index
        chosen = self.filters(filters, index)
        allowed = allowed_ids(index, chosen, [])
        keep = None if allowed is None else {index.chunks[cid].doc_id for cid in allowed}
        rows = tuple(r for r in self.library(index).rows() if keep is None or r.doc_id in keep)
        return DocumentList(len(rows), _filters_json(chosen), rows)

    # -- quotes ------------------------------------------------------------------------------------------------
    def verify_quote(self, text: str) -> QuoteCheck:
        """Where `text` stands in the corpus (app.quotes), over the index answering now."""
        index = self.index
        if self._texts is None or self._texts[0] is not index:
            self._texts = (index, normalised_texts(index))
        return verify_quote(index, _text("text", text), self._texts[1])


def _shown(doc: Document, parts: Sequence[Chunk]) -> str:
    """The span of `parts` (sorted, one clause) in `doc` as read: each part's printed text replaced by its readable
    text (`Chunk.readable`), the text between parts as printed."""
    out: list[str] = []
    pos = parts[0].start
    for c in parts:
        if c.readable != c.text and c.start >= pos:
            out += [doc.text[pos:c.start], c.readable]
            pos = c.end
    out.append(doc.text[pos:parts[-1].end])
    return "".join(out)


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WireError(field, "must not be empty")
    if len(value) > MAX_TEXT:
        raise WireError(field, f"too long: {len(value)} characters, at most {MAX_TEXT}")
    return value.strip()


def _filters_json(filters: Filters) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(filters).items() if v is not None}


def _missing_clause(index: LoadedIndex, docs: list[Document], path: str) -> str:
    """The error for a path no document under the 文号 has: the clause paths that do exist (the first MAX_LISTED)."""
    parts, shown = [], 0
    for doc in docs:
        paths = list(dict.fromkeys(index.chunks[cid].path_str or "正文" for cid in index.by_doc.get(doc.doc_id, ())))
        room = max(0, MAX_LISTED - shown)
        listed = "、".join(paths[:room])
        if len(paths) > room:
            listed += ("……" if room else "") + f"（共{len(paths)}条）"
        shown += min(room, len(paths))
        parts.append(f"《{doc.title}》：{listed}" if len(docs) > 1 else listed)
    where = f"《{full_title(docs[0])}》" if len(docs) == 1 else f"{docs[0].doc_number}下的{len(docs)}件文件"
    return f"{where}中没有条款「{path}」。现有条款：" + "；".join(parts)
