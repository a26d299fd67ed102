"""A cited passage as a person reads it, and where its verbatim quote stands in that reading.

A table row is read as its cells (列名：值；列名：值, `Passage.readable`): its printed text is a run of bare cells, and
a row rebuilt from a table printed column by column (a 附表 column dump) has for its printed span only its own cell
(its 分类) — the rest of the row is printed elsewhere in the dump. A table block printed column by column is read as
its layout (`Passage.layout`); any other passage as its text. The citation keeps the printed quote (offsets into
`Document.text`); the source card marks it in the reading (`quoted_pieces`), the API shows it as read
(`shown_quote`).
"""

from __future__ import annotations

from rag.records import Citation, Passage

Piece = tuple[str, bool]
"""A run of the text as read, and whether it is quoted (marked)."""


def shown_quote(citation: Citation, passage: Passage | None) -> str:
    """The quote as a person reads it: a table row as its cells (列名：值；…, whatever part of it is quoted: a value
    means something only beside its column names and its row), a table block printed column by column, quoted whole,
    as its layout (its rebuilt rows, the rest one column per line); any other quote as it is."""
    if passage is not None and passage.cells:
        return passage.readable
    if passage is not None and passage.layout and citation.quote == passage.text:
        return passage.layout
    return citation.quote


def quoted_pieces(passage: Passage, citation: Citation) -> tuple[Piece, ...]:
    """The passage as read (`Passage.readable`) in runs, the cited quote's runs flagged: the whole reading when the
    whole passage is quoted; in a table row the quoted part of each printed cell value; in other text the quote,
    located by offsets (`Citation.start` is in `Document.text`). A table block quoted in part, or a quote that is not
    where its offsets say, leaves the reading unmarked."""
    lo = citation.start - passage.start
    hi = lo + len(citation.quote)
    located = bool(citation.quote) and lo >= 0 and passage.text[lo:hi] == citation.quote
    if located and lo == 0 and hi == len(passage.text):
        return ((passage.readable, True),)
    if passage.cells:
        return _merged(_row_pieces(passage.cells, passage.text, lo, hi) if located else [(passage.readable, False)])
    if passage.layout or not located:
        return ((passage.readable, False),)
    text = passage.text
    return _merged([(text[:lo], False), (text[lo:hi], True), (text[hi:], False)])


def printed_spans(cells: tuple[tuple[str, str], ...], text: str) -> list[tuple[int, int] | None]:
    """For each cell, the span of its value among the printed row's tab-separated cells (`text`), matched in column
    order; None for a value the row does not print (a merged cell filled down from the row above, a cell of a column
    dump printed in another column)."""
    printed = _printed_cells(text)
    spans: list[tuple[int, int] | None] = []
    at = 0
    for _, value in cells:
        k = next((i for i in range(at, len(printed)) if value and printed[i][0] == value), None)
        spans.append(None if k is None else printed[k][1])
        at = at if k is None else k + 1
    return spans


def _printed_cells(text: str) -> list[tuple[str, tuple[int, int]]]:
    """The tab-separated cells of a printed row: each value stripped, with its span in `text`."""
    out = []
    pos = 0
    for part in text.split("\t"):
        a = pos + len(part) - len(part.lstrip())
        value = part.strip()
        out.append((value, (a, a + len(value))))
        pos += len(part) + 1
    return out


def _row_pieces(cells: tuple[tuple[str, str], ...], text: str, lo: int, hi: int) -> list[Piece]:
    """A row's cells as `ingest.records.render_cells` writes them (列名：值；…, empty values left out), the part of
    each printed value that lies in the quoted span [lo, hi) of the printed row flagged."""
    pieces: list[Piece] = []
    for (name, value), span in zip(cells, printed_spans(cells, text), strict=True):
        if not value:
            continue
        if pieces:
            pieces.append(("；", False))
        if name:
            pieces.append((f"{name}：", False))
        pieces += _value_pieces(value, span, lo, hi)
    return pieces


def _value_pieces(value: str, span: tuple[int, int] | None, lo: int, hi: int) -> list[Piece]:
    """A cell value, the part of it printed within [lo, hi) flagged (nothing flagged when it is not printed there)."""
    if span is None or span[1] <= lo or hi <= span[0]:
        return [(value, False)]
    a, b = max(lo, span[0]) - span[0], min(hi, span[1]) - span[0]
    return [(value[:a], False), (value[a:b], True), (value[b:], False)]


def _merged(pieces: list[Piece]) -> tuple[Piece, ...]:
    """The runs without empty ones, neighbours of one flag joined."""
    out: list[Piece] = []
    for text, quoted in pieces:
        if not text:
            continue
        if out and out[-1][1] == quoted:
            out[-1] = (out[-1][0] + text, quoted)
        else:
            out.append((text, quoted))
    return tuple(out)
