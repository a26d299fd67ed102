"""The ingested documents as the web app shows them: a browser table (metadata, chunk count), the whole-document view
with one clause highlighted and scrolled to, and the choices the filters offer (years, document types).

All text from the corpus is HTML-escaped here; nothing is rendered as markdown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape

from ingest.records import Chunk, Document

# Document types the filter offers, matched as substrings (rag.filters.allowed_ids): 方案 covers 实施方案, 工作方案…
_BASE_TYPES = ("通知", "办法", "意见", "方案", "计划", "规划", "预案", "制度", "决定", "细则", "大事记", "附件")
_KINDS = {"notice": "通知正文", "embedded": "印发的文件", "attachment": "附件", "chronicle": "大事记"}


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "未注明"


def validity_text(doc: Document, today: date) -> tuple[str, bool]:
    """(what the document says about its term, lapsed?) for display."""
    v = doc.validity
    parts = []
    if v.effective:
        parts.append(f"{cn_date(v.effective)}起施行")
    if v.expires:
        lapsed = v.expires < today
        parts.append(f"有效期至{cn_date(v.expires)}" + ("（已届满）" if lapsed else ""))
        return "，".join(parts), lapsed
    parts.append("未载明有效期")
    return "，".join(parts), False


def pages_text(chunk: Chunk | None) -> str:
    """第3页 / 第3–4页 for a chunk read from a paged source (PDF), else ""."""
    if chunk is None or chunk.page_start is None:
        return ""
    end = chunk.page_end or chunk.page_start
    return f"第{chunk.page_start}页" if end == chunk.page_start else f"第{chunk.page_start}–{end}页"


def full_title(doc: Document) -> str:
    """The title as people know it: an attachment or embedded text names the notice it belongs to."""
    if doc.wrapper_title and doc.wrapper_title != doc.title:
        return f"{doc.title}（{doc.wrapper_title}）"
    return doc.title


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str
    doc_number: str
    title: str
    issuer: str
    date: date | None
    city: str
    doc_type: str
    kind: str
    validity: str
    lapsed: bool
    chunk_count: int
    source_file: str


class DocumentLibrary:
    """Read-only view over the index's documents and chunks (rag.index.LoadedIndex.documents / .chunks)."""

    def __init__(self, documents: Mapping[str, Document], chunks: Mapping[str, Chunk], today: date | None = None,
                 source: object | None = None) -> None:
        self._documents = documents
        self._chunks = chunks
        self._counts = Counter(c.doc_id for c in chunks.values())
        self._laid = _layouts(chunks)
        self._cities: list[str] | None = None
        self._source = source  # something with `.index` (a rag.live.FollowingPipeline): follow its index
        self._seen: object | None = getattr(source, "index", None)
        self.today = today or date.today()

    @classmethod
    def from_index(cls, index: object, today: date | None = None) -> DocumentLibrary:
        return cls(index.documents, index.chunks, today)  # type: ignore[attr-defined]

    @classmethod
    def following(cls, source: object, today: date | None = None) -> DocumentLibrary:
        """The documents of whatever index `source.index` is now (it changes when a re-ingest is published)."""
        index = source.index  # type: ignore[attr-defined]
        return cls(index.documents, index.chunks, today, source=source)

    def _sync(self) -> None:
        index = getattr(self._source, "index", None) if self._source is not None else None
        if index is not None and index is not self._seen:
            self._documents, self._chunks = index.documents, index.chunks  # type: ignore[attr-defined]
            self._counts = Counter(c.doc_id for c in self._chunks.values())
            self._laid = _layouts(self._chunks)
            self._cities = None
            self._seen = index

    @property
    def documents(self) -> Mapping[str, Document]:
        self._sync()
        return self._documents

    @property
    def chunks(self) -> Mapping[str, Chunk]:
        self._sync()
        return self._chunks

    @property
    def chunk_counts(self) -> Counter[str]:
        self._sync()
        return self._counts

    # -- data ------------------------------------------------------------------------------------------------
    def rows(self) -> list[DocumentRow]:
        """One row per document: newest first, a notice's texts and attachments right after it."""
        docs = sorted(self.documents.values(), key=lambda d: (-(d.date or date.min).toordinal(), d.source_file, d.line_start))
        out = []
        for d in docs:
            validity, lapsed = validity_text(d, self.today)
            out.append(DocumentRow(
                doc_id=d.doc_id, doc_number=d.doc_number or "", title=full_title(d), issuer=d.issuer or "", date=d.date,
                city=d.city, doc_type=d.doc_type, kind=_KINDS.get(d.kind, d.kind), validity=validity, lapsed=lapsed,
                chunk_count=self.chunk_counts.get(d.doc_id, 0), source_file=d.source_file,
            ))
        return out

    def cities(self) -> list[str]:
        """The cities the documents belong to, sorted (computed once per index)."""
        self._sync()
        if self._cities is None:
            self._cities = sorted({d.city for d in self._documents.values() if d.city})
        return self._cities

    def years(self) -> list[int]:
        return sorted({d.date.year for d in self.documents.values() if d.date})

    def type_choices(self) -> list[str]:
        """Base types present in the corpus, then any type none of them covers (e.g. 其他)."""
        present = {d.doc_type for d in self.documents.values()}
        base = [t for t in _BASE_TYPES if any(t in p for p in present)]
        rest = sorted(p for p in present if not any(t in p for t in base))
        return base + rest

    def describe_chunk(self, chunk_id: str) -> str:
        """《title》path for a chunk id (for the retrieval trace)."""
        chunk = self.chunks.get(chunk_id)
        if chunk is None:
            return chunk_id
        doc = self.documents[chunk.doc_id]
        return f"《{doc.title}》{doc.doc_number or ''} {chunk.path_str or '正文'}".strip()

    # -- rendering -------------------------------------------------------------------------------------------
    def document_html(self, doc_id: str, chunk_id: str = "", quote_start: int | None = None, quote_end: int | None = None) -> str:
        """The whole document, escaped, with the clause `chunk_id` marked (id="clause-<chunk_id>") and, inside it, the
        quoted span [quote_start, quote_end) (offsets in Document.text) marked again. Unknown ids: a short message."""
        doc = self.documents.get(doc_id)
        if doc is None:
            return '<div class="doc-view-msg">未找到该文件。</div>'
        text = doc.text
        chunk = self.chunks.get(chunk_id) if chunk_id else None
        if chunk is not None and chunk.doc_id != doc_id:
            chunk = None
        laid = self._laid.get(doc_id, [])  # self.documents above has followed the index
        if chunk is None:
            body = _shown(text, 0, len(text), laid)
        else:
            qs, qe = quote_start, quote_end
            if qs is None or qe is None or not (chunk.start <= qs < qe <= chunk.end):
                qs = qe = chunk.start
            cs, qs = _outside(chunk.start, laid, 0), _outside(qs, laid, 0)  # a mark opening or closing inside a block
            ce, qe = _outside(chunk.end, laid, 1), _outside(qe, laid, 1)  # shown as its layout takes in the block
            clause = (_shown(text, cs, qs, laid) + (f'<mark class="quote">{_shown(text, qs, qe, laid)}</mark>' if qe > qs else "")
                      + _shown(text, qe, ce, laid))
            body = (_shown(text, 0, cs, laid) + f'<mark class="clause" id="clause-{escape(chunk.chunk_id)}">{clause}</mark>'
                    + _shown(text, ce, len(text), laid))
        validity, lapsed = validity_text(doc, self.today)
        where = f"共{self.chunk_counts.get(doc_id, 0)}条"
        if chunk is not None:  # the cited clause, and the page it was printed on (a PDF source)
            where = f"定位：{escape(chunk.path_str or '正文')}" + (f"，{pages_text(chunk)}" if pages_text(chunk) else "")
        meta = " · ".join(escape(x) for x in (doc.doc_number or "无文号", doc.issuer or "发布机关未注明", cn_date(doc.date)))
        return (
            f'<div class="doc-view-inner" data-doc="{escape(doc_id)}">'
            f'<div class="doc-view-head"><strong>《{escape(full_title(doc))}》</strong>'
            f'<span class="doc-view-meta">{meta} · <span class="{"lapsed-text" if lapsed else ""}">{escape(validity)}</span>'
            f" · {where}</span>"
            + ('<button type="button" class="to-clause">回到引用条款</button>' if chunk is not None else "")
            + '<button type="button" class="close-doc">收起全文</button></div>'
            f'<div class="doc-body">{body}</div></div>'
        )

    def browser_html(self) -> str:
        """The document browser: a search box, one row per document, and a reader pane filled on click."""
        rows = []
        for r in self.rows():
            search = " ".join([r.doc_number, r.title, r.issuer, r.city, r.doc_type, str(r.date.year) if r.date else ""]).lower()
            rows.append(
                f'<tr data-doc="{escape(r.doc_id)}" data-search="{escape(search)}" tabindex="0">'
                f"<td>{escape(r.doc_number or '—')}</td><td class=\"t\">{escape(r.title)}</td><td>{escape(r.issuer or '—')}</td>"
                f"<td>{escape(cn_date(r.date))}</td><td>{escape(r.city)}</td><td>{escape(r.doc_type)}</td>"
                f'<td class="{"lapsed-text" if r.lapsed else ""}">{escape(r.validity)}</td><td class="n">{r.chunk_count}</td>'
                f'<td><button type="button" class="open-doc" data-doc="{escape(r.doc_id)}">阅读</button></td></tr>'
            )
        return (
            '<div class="browser">'
            '<input type="search" class="doc-search" placeholder="按文号、标题、发布机关、年份搜索" aria-label="搜索文件">'
            f'<div class="doc-count">共{len(rows)}件文件（附件和印发的办法、方案各算一件）。点击一行阅读全文。</div>'
            '<div class="table-wrap"><table class="docs"><thead><tr><th>文号</th><th>标题</th><th>发布机关</th><th>日期</th>'
            "<th>城市</th><th>类型</th><th>有效期</th><th>条款数</th><th></th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
            '<div class="doc-view reader" aria-live="polite"></div></div>'
        )


def _layouts(chunks: Mapping[str, Chunk]) -> dict[str, list[tuple[int, int, str]]]:
    """Per document, its chunks shown by a layout of their own (`Chunk.layout`) as sorted (start, end, layout)."""
    laid: dict[str, list[tuple[int, int, str]]] = {}
    for c in chunks.values():
        if c.layout:
            laid.setdefault(c.doc_id, []).append((c.start, c.end, c.layout))
    return {doc_id: sorted(spans) for doc_id, spans in laid.items()}


def _outside(pos: int, laid: list[tuple[int, int, str]], side: int) -> int:
    """`pos`, moved to the start (side 0) or the end (side 1) of a block shown as its layout when it falls inside."""
    return next(((a, b)[side] for a, b, _ in laid if a < pos < b), pos)


def _shown(text: str, start: int, end: int, laid: list[tuple[int, int, str]]) -> str:
    """text[start:end] escaped, each block within it that is shown as its layout (a table printed column by column:
    `Chunk.layout`, spans in `laid`) replaced by that layout."""
    out: list[str] = []
    pos = start
    for a, b, layout in laid:
        if start <= a and b <= end:
            out += [escape(text[pos:a]), escape(layout)]
            pos = b
    out.append(escape(text[pos:end]))
    return "".join(out)


def parse_offset(value: object) -> int | None:
    """An offset sent by the page (a string of digits), else None."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,9}", value):
        return int(value)
    return None
