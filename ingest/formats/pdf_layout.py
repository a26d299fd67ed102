"""Reading order of a PDF page from character positions: lines, two-column bands, ruled tables as rows, running
headers, footers and page numbers, and paragraphs rebuilt from line geometry.

Pure functions over character boxes (dicts with text, x0, x1, top, bottom, size, as pdfplumber gives them), so
they are tested without a PDF. A page is read band by band from the top: a band is either a run of full-width
lines (titles, single-column text, tables) or a run of two-column lines, read left column first.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

Char = dict[str, Any]

_FURNITURE_ZONE = 0.1  # running headers, footers and page numbers sit in the top or bottom tenth of the page
_PAGE_NUMBER = re.compile(r"^[\s·•\-—–_|第页共/]*(?:\d{1,4}|[ivxlcIVXLC]{1,6})[\s·•\-—–_|第页共/]*$")
_RUNNING_HEADER = re.compile(r"人民政府公报\s*[（(]\s*\d{4}\s*[.．]\s*\d+\s*[）)]")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Line:
    """One printed line (or one table row) of a page, in reading order.

    flow: "span" (full width), "left" or "right" (a column of a two-column band); frame: the left and right edge
    of the text area the line belongs to on its page; table_row: cells joined by a tab; confidence: the mean OCR
    confidence (0–100) of its characters when the page was read by OCR, else None."""

    text: str
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    flow: str = "span"
    frame: tuple[float, float] = (0.0, 0.0)
    table_row: bool = False
    font: str = ""
    confidence: float | None = None


def _cluster_rows(chars: Sequence[Char]) -> list[list[Char]]:
    """Chars grouped into printed rows by their top edge (a tolerance of a third of the text size), left to right."""
    rows: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if rows and abs(ch["top"] - rows[-1][0]["top"]) <= 0.33 * max(ch["size"], 1.0):
            rows[-1].append(ch)
        else:
            rows.append([ch])
    return [sorted(r, key=lambda c: c["x0"]) for r in rows]


def line_text(chars: Sequence[Char]) -> str:
    """Text of chars on one row: space characters as printed; a gap of half the text size or more is a space too
    (producers that print no space glyphs), of two sizes or more a tab (cells of a table without rules). Smaller
    gaps are justification (a justified line spreads its characters), not spaces."""
    out: list[str] = []
    prev: Char | None = None
    for ch in chars:
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            size = max(ch["size"], prev["size"], 1.0)
            if gap >= 2 * size:
                out.append("\t")
            elif gap >= 0.5 * size and out and out[-1] not in " \t":
                out.append(" ")
        text = ch["text"]
        if text.isspace():
            if out and out[-1] not in " \t":
                out.append(" ")
        else:
            out.append(text)
        prev = ch
    return "".join(out).strip().replace(" \t", "\t").replace("\t ", "\t")


def _gutter(rows: list[list[Char]], x_min: float, x_max: float) -> tuple[float, float] | None:
    """The empty strip between two columns: the widest run of 1-pt bins in the middle 40 % of the text width that
    at most a quarter of the rows print into (titles cross it), at least one text size wide, with at least three
    rows printing on both sides of it. None for a single-column page."""
    if len(rows) < 6:
        return None
    width = x_max - x_min
    lo, hi = int(x_min + 0.3 * width), int(x_min + 0.7 * width)
    if hi - lo < 4:
        return None
    counts = [0] * (hi - lo)
    for row in rows:
        covered = set()
        for ch in row:
            for b in range(max(lo, int(ch["x0"])), min(hi, int(ch["x1"]) + 1)):
                covered.add(b - lo)
        for b in covered:
            counts[b] += 1
    limit = max(2, len(rows) // 4)
    best: tuple[int, int] | None = None
    start = None
    for i, c in enumerate([*counts, limit + 1]):
        if c <= limit and start is None:
            start = i
        elif c > limit and start is not None:
            if best is None or i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    size = statistics.median(ch["size"] for row in rows for ch in row)
    if best is None or best[1] - best[0] < size:
        return None
    a, b = lo + best[0], lo + best[1]
    both = sum(1 for row in rows if any(ch["x1"] <= a + 1 for ch in row) and any(ch["x0"] >= b - 1 for ch in row)
               and not any(ch["x1"] > a + 1 and ch["x0"] < b - 1 for ch in row))
    return (a, b) if both >= 3 else None


def _make_line(chars: Sequence[Char], page: int, flow: str) -> Line:
    return Line(
        text=line_text(chars), page=page, x0=min(c["x0"] for c in chars), x1=max(c["x1"] for c in chars),
        top=min(c["top"] for c in chars), bottom=max(c["bottom"] for c in chars),
        size=statistics.median(c["size"] for c in chars), flow=flow,
        font=Counter(str(c.get("fontname", "")) for c in chars).most_common(1)[0][0],
        confidence=statistics.fmean(scores) if (scores := [c["conf"] for c in chars if "conf" in c]) else None,
    )


def _with_frames(lines: list[Line], x_min: float, x_max: float, gutter: tuple[float, float] | None) -> list[Line]:
    """Each line's frame: the page's text area, or its column's part of it."""
    frames = {"span": (x_min, x_max)}
    if gutter:
        frames["left"], frames["right"] = (x_min, float(gutter[0])), (float(gutter[1]), x_max)
    return [replace(ln, frame=frames[ln.flow]) for ln in lines]


def widen_frames(pages: list[list[Line]]) -> list[list[Line]]:
    """Frames from the whole file: a page with a few short lines (a signature page) is framed like the others, so
    its lines are not taken for full lines; a page whose text all lies inside the file's left (or right) column
    (the last page of a two-column text) is read as that column. The file's text area is the median of the pages'."""
    big = [lines for lines in pages if len(lines) >= 8]
    if not big:
        return pages
    area = (statistics.median(min(ln.frame[0] for ln in lines) for lines in big),
            statistics.median(max(ln.frame[1] for ln in lines) for lines in big))
    columns: dict[str, tuple[float, float]] = {}
    for flow in ("left", "right"):
        frames = [ln.frame for lines in pages for ln in lines if ln.flow == flow]
        if frames:
            columns[flow] = (statistics.median(f[0] for f in frames), statistics.median(f[1] for f in frames))

    def widened(ln: Line) -> Line:
        a, b = ln.frame
        a = a if ln.flow == "right" else min(a, area[0])
        b = b if ln.flow == "left" else max(b, area[1])
        return replace(ln, frame=(a, b))

    out = []
    for lines in pages:
        if lines and all(ln.flow == "span" for ln in lines):
            for flow, (a, b) in columns.items():
                if all(a - ln.size <= ln.x0 and ln.x1 <= b + 1 for ln in lines if not ln.table_row):
                    lines = [ln if ln.table_row else replace(ln, flow=flow, frame=(a, b)) for ln in lines]
                    break
        out.append([widened(ln) for ln in lines])
    return out


def page_lines(chars: Sequence[Char], page: int, tables: Sequence[tuple[tuple[float, float, float, float], list[list[str]]]] = ()) -> list[Line]:
    """The printed lines of one page in reading order. `tables`: (bbox, rows of cell texts) of the ruled tables
    found on the page; their chars are read as table rows (cells joined by a tab), one line per row."""
    boxes = [t[0] for t in tables]
    gutter: tuple[float, float] | None = None
    x_min = x_max = 0.0

    def in_table(ch: Char) -> bool:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    body = [c for c in chars if c["text"] and not in_table(c) and c.get("upright", True)]
    rows = _cluster_rows([c for c in body if not c["text"].isspace()] + [c for c in body if c["text"].isspace()])
    rows = [r for r in rows if any(not c["text"].isspace() for c in r)]
    items: list[tuple[float, int, list[Line]]] = []  # (top, order, lines): bands and tables sorted by position
    for (x0, top, x1, _bottom), cells in tables:
        row_lines = []
        for k, cell_texts in enumerate(cells):
            text = "\t".join(re.sub(r"\s*\n\s*", "", cell or "").strip() for cell in cell_texts)
            if text.strip():
                row_lines.append(Line(text, page, x0, x1, top + k, top + k + 1, 0.0, table_row=True))
        items.append((top, 0, row_lines))
    if rows:
        x_min = min(c["x0"] for r in rows for c in r)
        x_max = max(c["x1"] for r in rows for c in r)
        gutter = _gutter(rows, x_min, x_max)
        band: list[list[Char]] = []

        def flush_band() -> None:
            if not band:
                return
            left = [_make_line([c for c in r if c["x1"] <= gutter[0] + 1], page, "left") for r in band if any(c["x1"] <= gutter[0] + 1 for c in r)]  # type: ignore[index]
            right = [_make_line([c for c in r if c["x0"] >= gutter[1] - 1], page, "right") for r in band if any(c["x0"] >= gutter[1] - 1 for c in r)]  # type: ignore[index]
            items.append((band[0][0]["top"], 1, left + right))
            band.clear()

        for row in rows:
            crosses = gutter is None or any(c["x1"] > gutter[0] + 1 and c["x0"] < gutter[1] - 1 for c in row)
            if crosses:
                flush_band()
                items.append((row[0]["top"], 1, [_make_line(row, page, "span")]))
            else:
                band.append(row)
        flush_band()
    items.sort(key=lambda item: (item[0], item[1]))
    lines = [ln for _, _, group in items for ln in group if ln.text]
    if not rows:
        return lines
    return _with_frames(lines, x_min, x_max, gutter)


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))


def drop_furniture(pages: list[list[Line]], heights: list[float]) -> tuple[list[list[Line]], list[str]]:
    """Drop running headers, footers and page numbers: lines in the top or bottom tenth of their page that are a
    page number, a gazette's running header, or repeat (digits aside) in that zone on at least a quarter of the
    pages (and on two): an issuer line that happens to open two pages is text, not a header. Returns the
    pages and the distinct texts dropped (the running header names the gazette issue)."""
    zone_keys: Counter[tuple[str, str]] = Counter()

    def zone(ln: Line, height: float) -> str | None:
        if ln.bottom <= _FURNITURE_ZONE * height:
            return "top"
        if ln.top >= (1 - _FURNITURE_ZONE) * height:
            return "bottom"
        return None

    for lines, height in zip(pages, heights, strict=True):
        for key in {(z, _furniture_key(ln.text)) for ln in lines if (z := zone(ln, height))}:
            zone_keys[key] += 1
    out: list[list[Line]] = []
    dropped: dict[str, None] = {}
    for lines, height in zip(pages, heights, strict=True):
        kept = []
        for ln in lines:
            z = zone(ln, height)
            repeats = zone_keys[(z, _furniture_key(ln.text))] if z else 0
            if z and (_PAGE_NUMBER.match(ln.text) or _RUNNING_HEADER.search(ln.text) or (repeats >= 2 and repeats >= len(pages) / 4)):
                if not _PAGE_NUMBER.match(ln.text):
                    dropped[ln.text] = None
                continue
            kept.append(ln)
        out.append(kept)
    return out, list(dropped)


def _is_full(ln: Line) -> bool:
    """Runs to the right edge from the left edge (a first-line indent allowed): a right-aligned signature or a
    centred title that reaches the edge is not a full line."""
    return ln.x1 >= ln.frame[1] - 1.5 * ln.size and ln.x0 <= ln.frame[0] + 2.5 * ln.size


def _is_indented(ln: Line) -> bool:
    return ln.x0 > ln.frame[0] + 0.5 * ln.size


def _is_centred(ln: Line) -> bool:
    """Short of both edges by about the same amount (an indented first line is short of the left edge only)."""
    left, right = ln.x0 - ln.frame[0], ln.frame[1] - ln.x1
    return left > 0.5 * ln.size and right > 0.5 * ln.size and abs(left - right) <= ln.size


def _continues(prev: Line, ln: Line) -> bool:
    """A full line continues into a line at the left edge; a full line without a sentence end (a wrapped title)
    continues into a centred line in the same font (the title's last line; a 文号 under a title is set in the body
    font)."""
    if prev.table_row or not _is_full(prev) or abs(prev.size - ln.size) >= 0.5:
        return False
    if not _is_indented(ln):
        return True
    return _is_centred(ln) and ln.font == prev.font and not prev.text.endswith(tuple("。；：！？:;!?"))


def paragraphs(lines: Sequence[Line]) -> list[list[Line]]:
    """Printed lines grouped into paragraphs by geometry: a line that runs to the right edge of its text area
    continues into the next line when that one starts at the left edge (not indented) in the same text size, or
    is the centred last line of a wrapped title; this holds across column and page breaks. Table rows are
    paragraphs of their own."""
    out: list[list[Line]] = []
    for ln in lines:
        if out and not ln.table_row:
            prev = out[-1][-1]
            if _continues(prev, ln):
                out[-1].append(ln)
                continue
        out.append([ln])
    return out
