"""Cut a document into citable chunks, the way a lawyer reads it.

- Article texts: one chunk per 第X条 with its items; an over-long article is split between items, then sentences.
- Outline and decimal texts: one chunk per deepest numbered clause; a bare heading line joins the clause after it,
  very short sibling clauses are merged, over-long ones split at sentence ends.
- Tables (tab rows, 附表 column dumps): table block chunks; and every printed tab row a table_row chunk of its own,
  child of the block it sits in, indexed as 列名：值 pairs (`ingest.tables`); an over-long row is split between
  cells, each part repeating the row's leading key cells (序号, name).
- 大事记: one chunk per dated entry with its full date.

Every chunk's text is document.text[start:end]; sizes are budgeted in the embedding model's own tokens, counted on
the text that is embedded (title and parent headings included; a row's named cells), so nothing is truncated.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from index_format.embedding import embedding_text
from ingest import patterns
from ingest.column_dumps import read_column_dumps
from ingest.dump_layout import BlockLine, block_layout
from ingest.records import Chunk, Document, render_cells
from ingest.structure import Unit, units_of
from ingest.tables import Field, TableRow, read_tables
from textnorm import matching_form

TokenCounter = Callable[[str], int]
_SENTENCE_END = re.compile(r"(?<=[。；！？;])")
_ENTRY_RE = re.compile(r"^(※)?\s*(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日")
_YEAR_RE = re.compile(r"(\d{4})")


@dataclass(frozen=True)
class ChunkBudget:
    """max_tokens: limit for the embedded text (model tokens); min_chars: clauses shorter than this merge with
    their short siblings; count: the embedding model's token counter."""

    max_tokens: int
    min_chars: int
    count: TokenCounter


@dataclass
class _Piece:
    first: int
    last: int
    path: tuple[str, ...]
    headings: tuple[str, ...]
    kind: str
    start: int | None = None  # character offsets override paragraph bounds (sentence splits)
    end: int | None = None
    cells: tuple[tuple[str, str], ...] = ()  # a table row's named cells
    parent: _Piece | None = None  # a table row's block
    table: int = -1  # a table row's table (rows chain prev/next within their table)


def chunk_document(doc: Document, budget: ChunkBudget) -> list[Chunk]:
    if not doc.paragraphs:
        return []
    offsets = _offsets(doc)
    if doc.kind == "chronicle":
        pieces = _split_oversized(doc, _chronicle_pieces(doc), budget, offsets)
    elif _is_column_dump(doc):
        pieces = _split_oversized(doc, [_Piece(0, len(doc.paragraphs) - 1, ("表",), (), "table")], budget, offsets)
    else:
        units = units_of(doc)
        pieces = _split_oversized(doc, _structural_pieces(doc, units, budget, offsets), budget, offsets)
        tables = read_tables(doc, units)
        dumps = read_column_dumps(doc, units, first_table_no=tables.tables)
        pieces = _with_rows(doc, pieces, tables.rows + dumps.rows, budget, offsets)
    return _records(doc, pieces, offsets)


def _with_rows(doc: Document, pieces: list[_Piece], rows: list[TableRow], budget: ChunkBudget, offsets: list[int]) -> list[_Piece]:
    """The pieces with each table row's pieces (a long row's parts) right after the table block they start in."""
    if not rows:
        return pieces
    blocks = [(p, *_span(doc, p, offsets)) for p in pieces if p.kind == "table"]
    after: dict[int, list[_Piece]] = {}
    for row in rows:
        for part in _row_parts(doc, row, budget):
            part.parent = next((b for b, a, e in blocks if a <= (part.start or 0) < e), None)
            after.setdefault(id(part.parent), []).append(part)
    out: list[_Piece] = []
    for piece in pieces:
        out.append(piece)
        out.extend(sorted(after.pop(id(piece), []), key=lambda p: p.start or 0))
    out.extend(sorted(after.pop(id(None), []), key=lambda p: p.start or 0))
    return out


def _row_fits(doc: Document, headings: tuple[str, ...], cells: list[Field], budget: ChunkBudget) -> bool:
    text = render_cells(tuple((f.name, f.value) for f in cells))
    return budget.count(embedding_text(doc.title, headings, text)) <= budget.max_tokens


def _row_piece(row: TableRow, path: tuple[str, ...], start: int, end: int, cells: list[Field]) -> _Piece:
    named = tuple((f.name, f.value) for f in cells if f.value)
    return _Piece(row.paragraph, row.paragraph, path, row.headings, "table_row", start, end, named, None, row.table_no)


def _row_parts(doc: Document, row: TableRow, budget: ChunkBudget) -> list[_Piece]:
    """A row's pieces: the whole row when its named cells fit the budget, else parts cut between cells (a cell
    longer than the budget is cut at sentence ends), each part led by the row's key cells: the leading cells up
    to its first printed text cell (序号, name), when they are short."""
    path = (row.table, row.label)
    fields = list(row.fields)
    if _row_fits(doc, row.headings, fields, budget):
        return [_row_piece(row, path, row.start, row.end, fields)]
    key: list[Field] = []
    for f in fields:
        if len(f.value) > 30:
            break
        key.append(f)
        if not f.filled and not f.value.isdigit():
            break
    rest = [f for f in fields if f not in key]
    parts: list[tuple[int, int, list[Field]]] = []
    own: list[Field] = []

    def flush() -> None:
        printed = [f for f in own if not f.filled]
        if printed:
            a = row.start if not parts else min(f.start for f in printed if f.start is not None)
            b = max(f.end for f in printed if f.end is not None)
            parts.append((a, b, key + own))
        own.clear()

    for f in rest:
        if _row_fits(doc, row.headings, [*key, *own, f], budget):
            own.append(f)
            continue
        flush()
        if _row_fits(doc, row.headings, [*key, f], budget) or f.filled:
            own.append(f)
            continue
        prefix = budget.count(embedding_text(doc.title, row.headings, render_cells(tuple((k.name, k.value) for k in key)) + f"；{f.name}："))
        room = max(budget.max_tokens - prefix, 16)
        assert f.start is not None and f.end is not None
        for a, b in _cut_points(doc.text, f.start, f.end, budget.count, room):
            own.append(Field(f.name, doc.text[a:b], a, b))
            flush()
    flush()
    return [
        _row_piece(row, path if n == 0 else (*path, f"（续{n + 1}）"), a, b, cells)
        for n, (a, b, cells) in enumerate(parts)
    ]


def _offsets(doc: Document) -> list[int]:
    out, pos = [], 0
    for p in doc.paragraphs:
        out.append(pos)
        pos += len(p.text) + 1
    return out


def _span(doc: Document, piece: _Piece, offsets: list[int]) -> tuple[int, int]:
    start = piece.start if piece.start is not None else offsets[piece.first]
    end = piece.end if piece.end is not None else offsets[piece.last] + len(doc.paragraphs[piece.last].text)
    return start, end


def _is_column_dump(doc: Document) -> bool:
    """An attachment whose paragraphs are mostly fragments (a table dumped column by column)."""
    if doc.kind != "attachment" or len(doc.paragraphs) < 12:
        return False
    return statistics.median(len(p.text) for p in doc.paragraphs) < 12


def _structural_pieces(doc: Document, units: list[Unit], budget: ChunkBudget, offsets: list[int]) -> list[_Piece]:
    pieces = [_Piece(u.first, u.last, u.path, u.headings, u.kind) for u in units]
    if any(_is_article(u.path) for u in units):
        pieces = _group_articles(pieces)
    pieces = _attach_bare_headings(doc, pieces)
    return _merge_short_siblings(doc, pieces, budget, offsets)


def _is_article(path: tuple[str, ...]) -> bool:
    return bool(path) and path[-1].startswith("第") and path[-1].endswith("条")


def _group_articles(pieces: list[_Piece]) -> list[_Piece]:
    """Fold each article's items into the article's piece."""
    out: list[_Piece] = []
    for piece in pieces:
        inside = out and out[-1].kind == "clause" and _is_article(out[-1].path) and piece.kind == "clause" \
            and len(piece.path) > len(out[-1].path) and piece.path[: len(out[-1].path)] == out[-1].path
        if inside:
            out[-1].last = piece.last
        else:
            out.append(piece)
    return out


def _is_bare_heading(doc: Document, piece: _Piece) -> bool:
    if piece.kind not in ("clause", "preamble") or piece.first != piece.last:
        return False
    text = doc.paragraphs[piece.first].text
    return len(text) <= 40 and not patterns.has_sentence_punct(text.rstrip("：:"))


def _attach_bare_headings(doc: Document, pieces: list[_Piece]) -> list[_Piece]:
    """Heading lines with no text of their own (二、总体要求 / 第一章 总则) open the next clause's chunk; when no
    clause follows (a table does), they stay a chunk of their own, so no text is lost."""
    out: list[_Piece] = []
    pending: _Piece | None = None
    for piece in pieces:
        if _is_bare_heading(doc, piece):
            pending = piece if pending is None else replace(pending, last=piece.last)
            continue
        if pending is not None and piece.kind == "clause":
            piece = replace(piece, first=pending.first)
        elif pending is not None:
            out.append(pending)
        pending = None
        out.append(piece)
    if pending is not None:
        out.append(pending)
    return out


def _chars(doc: Document, piece: _Piece, offsets: list[int]) -> int:
    start, end = _span(doc, piece, offsets)
    return end - start


def _merge_short_siblings(doc: Document, pieces: list[_Piece], budget: ChunkBudget, offsets: list[int]) -> list[_Piece]:
    """Merge runs of very short clauses under the same parent, while the merged text fits the budget."""
    out: list[_Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        if (
            prev is not None and prev.kind == piece.kind == "clause"
            and prev.path[:-1] == piece.path[:-1] and len(prev.path) == len(piece.path)
            and _chars(doc, piece, offsets) < budget.min_chars and _chars(doc, prev, offsets) < budget.min_chars * 3
            and prev.last + 1 == piece.first
        ):
            first_label = prev.path[-1].split("–")[0] if prev.path else ""
            span_path = (*prev.path[:-1], f"{first_label}–{piece.path[-1]}") if prev.path else prev.path
            merged = replace(prev, last=piece.last, path=span_path)  # type: ignore[arg-type]
            if _fits(doc, merged, budget, offsets):
                out[-1] = merged
                continue
        out.append(piece)
    return out


def _fits(doc: Document, piece: _Piece, budget: ChunkBudget, offsets: list[int]) -> bool:
    start, end = _span(doc, piece, offsets)
    return budget.count(embedding_text(doc.title, piece.headings, doc.text[start:end])) <= budget.max_tokens


def _split_oversized(doc: Document, pieces: list[_Piece], budget: ChunkBudget, offsets: list[int]) -> list[_Piece]:
    """Split pieces over the budget: first between paragraphs, then at sentence ends, then hard (long rows)."""
    out: list[_Piece] = []
    for piece in pieces:
        if _fits(doc, piece, budget, offsets):
            out.append(piece)
            continue
        start, end = _span(doc, piece, offsets)
        prefix = budget.count(embedding_text(doc.title, piece.headings, ""))
        room = max(budget.max_tokens - prefix, 16)
        bounds = _cut_points(doc.text, start, end, budget.count, room)
        for n, (a, b) in enumerate(bounds):
            path = piece.path if n == 0 else (*piece.path, f"（续{n + 1}）")
            out.append(_Piece(piece.first, piece.last, path, piece.headings, piece.kind, a, b))
    return out


def _hard_cut(text: str, a: int, c: int, count: TokenCounter, room: int) -> list[tuple[int, int]]:
    """Spans of [a, c) of at most `room` tokens, cut by characters (one sentence longer than the room)."""
    spans: list[tuple[int, int]] = []
    b = a
    while b < c:
        step = max(1, room)
        while count(text[b:b + step]) > room and step > 1:
            step //= 2
        spans.append((b, min(b + step, c)))
        b += step
    return spans


_CUTS = (re.compile(r"\n|[。；！？;]"), re.compile(r"\t"))
"""Where a span over the budget is cut, coarsest first: after a line or sentence end; then (one line still over the
budget: a long table row, a table printed column by column) between cells; then by characters."""


def _cut_points(text: str, start: int, end: int, count: TokenCounter, room: int, level: int = 0) -> list[tuple[int, int]]:
    """Greedy spans within [start, end) of at most `room` tokens, cut at the coarsest places of `_CUTS` that fit."""
    cuts = sorted({start, end} | {start + m.end() for m in _CUTS[level].finditer(text[start:end])})
    spans: list[tuple[int, int]] = []
    a = start
    last_ok = None
    for c in cuts[1:]:
        if count(text[a:c]) <= room:
            last_ok = c
            continue
        if last_ok is not None:
            spans.append((a, last_ok))
            a = last_ok
            if count(text[a:c]) <= room:
                last_ok = c
                continue
        if level + 1 < len(_CUTS):  # the line or sentence ending at c alone exceeds the room
            spans.extend(_cut_points(text, a, c, count, room, level + 1))
        else:
            spans.extend(_hard_cut(text, a, c, count, room))
        a, last_ok = c, None
    if a < end:
        spans.append((a, end))
    return [(x, y) for x, y in _trim(text, spans) if y > x]


def _trim(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop the newline at a span's edge so chunk text starts and ends on text."""
    out = []
    for a, b in spans:
        while a < b and text[a] == "\n":
            a += 1
        while b > a and text[b - 1] == "\n":
            b -= 1
        out.append((a, b))
    return out


def _chronicle_pieces(doc: Document) -> list[_Piece]:
    """One piece per dated entry (N日 / N月N日, ※ sub-entries too) with the undated paragraphs after it; the
    block's title opens the first entry's piece."""
    pieces: list[_Piece] = []
    lead = 0
    for i, p in enumerate(doc.paragraphs):
        label = _ENTRY_RE.match(p.text)
        if label:
            pieces.append(_Piece(lead if not pieces else i, i, (label.group(0).replace(" ", "").lstrip("※"),), (), "chronicle"))
        elif pieces:
            pieces[-1].last = i
    if not pieces:
        pieces.append(_Piece(0, len(doc.paragraphs) - 1, ("大事记",), (), "chronicle"))
    return pieces


def chronicle_dates(doc: Document, pieces: list[tuple[str, ...]]) -> list[date | None]:
    """Full dates of 大事记 entries: month from the entry or the block's title; a day that falls back by more
    than ten starts the next month (a run printed without its month heading); the year is the gazette's."""
    title = patterns.CHRONICLE_TITLE_RE.match(doc.title)
    month = int(title.group(1)) if title else None
    year_m = _YEAR_RE.search(doc.gazette)
    year = int(year_m.group(1)) if year_m else None
    out: list[date | None] = []
    last_day = 0
    for path in pieces:
        m = _ENTRY_RE.match(path[0]) if path else None
        if not m or year is None:
            out.append(None)
            continue
        day = int(m.group(3))
        if m.group(2):
            month = int(m.group(2))
        elif month is not None and day < last_day - 10 and last_day >= 25:
            month = month % 12 + 1  # a new run of days without its month heading: the next month (inferred)
        last_day = day
        try:
            out.append(date(year, month, day) if month else None)
        except ValueError:
            out.append(None)
    return out


def _chunk_id(doc_id: str, path: tuple[str, ...], text: str) -> str:
    return hashlib.sha1("|".join([doc_id, "".join(path), matching_form(text)]).encode("utf-8")).hexdigest()[:20]


def _piece_id(doc_id: str, piece: _Piece, text: str) -> str:
    """A table row's id also covers its named cells (the same printed row under other column names is another row)."""
    if piece.kind == "table_row":
        return _chunk_id(doc_id, piece.path, text + "|" + render_cells(piece.cells))
    return _chunk_id(doc_id, piece.path, text)


def _block_lines(doc: Document, a: int, b: int, offsets: list[int]) -> list[BlockLine]:
    """Each line of the block's text doc.text[a:b] with the paragraph it is (part of): a block cut from a long one
    may open or end inside a paragraph."""
    out = []
    pos = a
    for part in doc.text[a:b].split("\n"):
        i = bisect.bisect_right(offsets, pos) - 1
        out.append(BlockLine(part, doc.paragraphs[i].text, pos - offsets[i]))
        pos += len(part) + 1
    return out


def _records(doc: Document, pieces: list[_Piece], offsets: list[int]) -> list[Chunk]:
    dates = chronicle_dates(doc, [p.path for p in pieces]) if doc.kind == "chronicle" else [None] * len(pieces)
    ids: list[str] = []
    seen: set[str] = set()
    spans = [_span(doc, p, offsets) for p in pieces]
    for piece, (a, b) in zip(pieces, spans, strict=False):
        cid = _piece_id(doc.doc_id, piece, doc.text[a:b])
        n = 2
        while cid in seen:  # identical text under the same path (a repeated table header): keep both, distinctly
            cid = _piece_id(doc.doc_id, replace(piece, path=(*piece.path, str(n))), doc.text[a:b])
            n += 1
        seen.add(cid)
        ids.append(cid)
    by_path = {p.path: cid for p, cid in zip(pieces, ids, strict=False) if p.kind != "table_row"}
    id_of = {id(p): cid for p, cid in zip(pieces, ids, strict=False)}
    # prev/next: clauses and blocks chain in document order as before; a table's rows chain among themselves
    chains: dict[int, list[int]] = {}
    for k, piece in enumerate(pieces):
        chains.setdefault(piece.table if piece.kind == "table_row" else -1, []).append(k)
    prev: dict[int, str] = {}
    nxt: dict[int, str] = {}
    for chain in chains.values():
        for x, y in itertools.pairwise(chain):
            nxt[x], prev[y] = ids[y], ids[x]
    chunks: list[Chunk] = []
    for k, (piece, (a, b)) in enumerate(zip(pieces, spans, strict=False)):
        text = doc.text[a:b]
        if piece.kind == "table_row":
            parent = id_of.get(id(piece.parent)) if piece.parent is not None else None
        else:
            parent = next((by_path[piece.path[:n]] for n in range(len(piece.path) - 1, 0, -1) if piece.path[:n] in by_path), None)
        paras = [p for p in doc.paragraphs[piece.first:piece.last + 1]]
        pages = [n for p in paras for n in (p.page_start, p.page_end) if n is not None]
        chunks.append(Chunk(
            chunk_id=ids[k], doc_id=doc.doc_id, ordinal=k, path=piece.path, headings=piece.headings, text=text,
            norm_text=matching_form(text), start=a, end=b,
            line_start=min(p.line_start for p in paras), line_end=max(p.line_end for p in paras),
            kind=piece.kind, event_date=dates[k], parent_id=parent, prev_id=prev.get(k), next_id=nxt.get(k),
            page_start=min(pages, default=None), page_end=max(pages, default=None), cells=piece.cells,
            layout=block_layout(_block_lines(doc, a, b, offsets)) if piece.kind == "table" else "",
        ))
    return chunks
