"""Table rows as units of their own: header, column names, alignment of short rows, fill-down, row labels.

A table is a run of tab-separated rows (one paragraph per printed row) in a table unit (`ingest.structure`).

- Header: the first row when it looks like one (two or more cells, every cell short, no sentence punctuation, no
  number). A second header row names the columns a merged header cell spans (事项名称 over 主项 | 子项 →
  事项名称（主项）, 事项名称（子项）). A header printed again after a page break starts a new segment of the table;
  so does the next table unit of the same document when it opens with the same header. A table unit that opens
  without a header, after a table with one in the same document, continues that table (same columns). A table
  with neither has unnamed columns (counted by the ingest summary).
- Alignment: a row printed with fewer cells than the header (the extraction drops the empty cells at a row's end,
  and merged cells anywhere) keeps its cells in order but may skip columns; among the placements the one whose
  cells fit their columns best wins (a value the column already holds in another row, a number in a number
  column); among equals the placement with the fewest gaps inside the row, then the leftmost (only trailing cells
  missing).
- Fill-down, conservative: an empty cell takes the value of the row above only (a) when every cell before it is
  empty too (the row-number column aside): merged cells of a hierarchy (事项类型, 主项) are printed on the first row
  of their run; or (b) in a table printed in several segments, in a column printed on the first row of (nearly)
  every segment and empty on at least half the rows (原实施部门 printed once per page); or (c) in a column printed on
  at least two thirds of the rows (a gap in a column most rows fill is a merged cell: 责任单位 printed once for
  two 试点领域). Nothing else is filled: an empty 事项限定 (mostly empty) means "no restriction", not "same as
  above". The value above is never carried across a break in the table (a heading or title line between two
  table units), nor in a table without a header.
- Row label: 序号N when the table has a 序号/编号 column and the row's cell there is a number, else 第N行 (data rows
  counted from 1 over the whole table).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from ingest import patterns
from ingest.records import Document
from ingest.structure import Unit

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")
_FIGURES = re.compile(r"[\d\s\-–—.:/()（）%]*\d[\d\s\-–—.:/()（）%]*")  # 0351-3046678, 2.5, (3)
_HEADER_PUNCT = re.compile(r"[。；;，,：:！？]")
_ROW_NUMBER_NAME = re.compile(r"序号|编号|^序$")
_MAX_HEADER_CELL = 20
_MAX_CAPTION = 60
_MIN_CAPTION = 4
_MAX_PLACEMENTS = 5000  # placements of a short row tried; beyond, its cells stay leftmost
_RESTATED_SHARE = 0.8  # of the segments' first rows (an extraction drops a cell now and then)
_FULL_SHARE = 2 / 3
_FULL_MIN_ROWS = 5
_MIN_DUMP_ITEMS = 3


@dataclass(frozen=True)
class Field:
    """One cell of a row as indexed: its column name ("" when the table has no header), its value, and the printed
    span in Document.text (None for a value filled down from the row above)."""

    name: str
    value: str
    start: int | None = None
    end: int | None = None

    @property
    def filled(self) -> bool:
        return self.start is None


@dataclass(frozen=True)
class TableRow:
    """One printed data row: paragraph index, verbatim span, label (序号12 / 第3行), the fields in column order
    (empty cells left out), the table's context (headings and caption), its table label (表 / 附表2), the table's
    number in the document and whether its columns have names (a header was detected)."""

    paragraph: int
    start: int
    end: int
    label: str
    fields: tuple[Field, ...]
    headings: tuple[str, ...]
    table: str
    table_no: int
    named: bool


@dataclass
class TableRows:
    rows: list[TableRow] = field(default_factory=list)
    tables: int = 0
    without_header: int = 0


@dataclass
class Cell:
    value: str
    start: int
    end: int


def split_cells(text: str, offset: int) -> list[Cell]:
    """The tab-separated cells of a printed row, each value stripped and its span in the document text."""
    cells: list[Cell] = []
    pos = 0
    for part in text.split("\t"):
        lead = len(part) - len(part.lstrip())
        value = part.strip()
        a = offset + pos + lead
        cells.append(Cell(value, a, a + len(value)))
        pos += len(part) + 1
    return cells


def is_number(value: str) -> bool:
    return bool(_NUMBER.fullmatch(value))


def numbered_run(values: list[str]) -> int:
    """N when the cells after the first are the numbers 1…N."""
    n = 0
    while n + 1 < len(values) and values[n + 1].strip() == str(n + 1):
        n += 1
    return n


def is_column_dump(values: list[str]) -> bool:
    """A table printed column by column in one paragraph (`ingest.column_dumps`): a header cell, the row numbers
    1…N (N ≥ 3), then more than N other cells — not a row."""
    n = numbered_run(values)
    return n >= _MIN_DUMP_ITEMS and not is_number(values[0].strip()) and len(values) > 2 * n + 2


def header_like(values: list[str]) -> bool:
    """A header row: at least two named cells, each short, no sentence punctuation, none a figure (3, 0351-3046678)."""
    named = [v for v in values if v]
    return len(named) >= 2 and all(
        len(v) <= _MAX_HEADER_CELL and not _HEADER_PUNCT.search(v) and not _FIGURES.fullmatch(v) for v in named
    )


def _trimmed(values: list[str]) -> tuple[str, ...]:
    out = list(values)
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return tuple(out)


def _merged_spans(header: list[str]) -> list[list[int]]:
    """Columns under each merged header cell (a named cell followed by empty ones): [[2, 3]] for 事项名称 over two."""
    spans: list[list[int]] = []
    i = 0
    while i < len(header):
        j = i + 1
        while j < len(header) and not header[j]:
            j += 1
        if header[i] and j - i > 1:
            spans.append(list(range(i, j)))
        i = j
    return spans


def column_names(header: list[str], sub: list[str] | None) -> list[str] | None:
    """Column names from a header row and an optional second header row; None when `sub` does not fit under the
    header (then it is not a header row)."""
    if sub is None:
        return list(header)
    if all(header):
        return None  # no merged header cell for a second row to name
    names = list(header)
    spans = _merged_spans(header)
    under = [c for span in spans for c in span]
    subs = [v for v in sub if v] if len(sub) != len(header) else None
    if subs is not None and under and len(subs) == len(under):
        for col, value in zip(under, subs, strict=True):
            parent = next(header[k] for k in range(col, -1, -1) if header[k])
            names[col] = f"{parent}（{value}）"
        return names
    if len(sub) == len(header):
        for col, value in enumerate(sub):
            if value:
                parent = next((header[k] for k in range(col, -1, -1) if header[k]), "")
                names[col] = f"{parent}（{value}）" if parent else value
        return names
    return None


@dataclass
class _Profile:
    """What a column holds over the rows aligned so far: its values and how many of them are numbers."""

    values: set[str] = field(default_factory=set)
    numbers: int = 0
    count: int = 0

    def add(self, value: str) -> None:
        if value:
            self.values.add(value)
            self.numbers += is_number(value)
            self.count += 1

    def fit(self, value: str) -> int:
        """Evidence that `value` belongs here: a value the column holds in another row (3), a number in a column of
        numbers (1). Nothing else counts, so without evidence the cells stay leftmost."""
        if not value:
            return 0
        score = 3 if value in self.values else 0
        if is_number(value) and self.numbers * 2 > self.count:
            score += 1
        return score


def align(values: list[str], profiles: list[_Profile]) -> list[int]:
    """Columns for `values` (fewer than the columns), in order: the placement with the best total fit; among equals,
    the one with the fewest gaps between its cells (merged cells sit at a row's edges more often than inside it),
    then the leftmost (the extraction drops a row's trailing empty cells)."""
    n, w = len(values), len(profiles)
    if n >= w or math.comb(w, n) > _MAX_PLACEMENTS:
        return list(range(n))
    fits = [[p.fit(v) for p in profiles] for v in values]

    def key(cols: tuple[int, ...]) -> tuple[int, int, tuple[int, ...]]:
        gaps = sum(1 for a, b in itertools.pairwise(cols) if b > a + 1)
        return (-sum(fits[i][c] for i, c in enumerate(cols)), gaps, cols)

    best = min(key(cols) for cols in itertools.combinations(range(w), n))
    return list(best[2])


@dataclass
class _Printed:
    paragraph: int
    start: int
    end: int
    cells: list[Cell]
    segment: int
    breaks: bool  # the first row after a break in the table (no value is carried down into it)
    headings: tuple[str, ...]  # the unit's headings and the table's caption


@dataclass
class _Table:
    names: list[str] | None
    label: str
    caption: str
    header_rows: set[tuple[str, ...]] = field(default_factory=set)
    printed: list[_Printed] = field(default_factory=list)
    segments: int = 0

    @property
    def width(self) -> int:
        return len(self.names) if self.names else max((len(r.cells) for r in self.printed), default=0)


def caption_of(doc: Document, unit: Unit, first_row: int) -> str:
    """The table's title: the last title line inside the unit before its first row (附表 tables), else a short
    title line just before the unit (not a bare 附件 label, not a heading already in the unit's headings)."""
    inside = [doc.paragraphs[i].text for i in range(unit.first, first_row)]
    candidates = [t for t in inside if not _bare_label(t)]
    if candidates:
        return candidates[-1].strip()
    for i in range(unit.first - 1, max(unit.first - 3, -1), -1):
        text = doc.paragraphs[i].text.strip()
        if _bare_label(text) or text in unit.headings:
            continue
        if _MIN_CAPTION <= len(text) <= _MAX_CAPTION and not patterns.has_sentence_punct(text) and "\t" not in text:
            return text
        break
    return ""


def _bare_label(text: str) -> bool:
    m = patterns.ATTACHMENT_LABEL_RE.match(text.strip())
    return m is not None and not m.group(3)


def read_tables(doc: Document, units: list[Unit]) -> TableRows:
    """Every data row of every table unit of `doc`, with column names, aligned and filled down."""
    offsets = []
    pos = 0
    for p in doc.paragraphs:
        offsets.append(pos)
        pos += len(p.text) + 1
    tables: list[_Table] = []
    for unit in (u for u in units if u.kind == "table"):
        _read_unit(doc, unit, offsets, tables)
    out = TableRows(tables=len(tables), without_header=sum(1 for t in tables if not t.names))
    for n, table in enumerate(tables):
        out.rows.extend(_rows_of(table, n))
    return out


def _read_unit(doc: Document, unit: Unit, offsets: list[int], tables: list[_Table]) -> None:
    rows = [i for i in range(unit.first, unit.last + 1)
            if "\t" in doc.paragraphs[i].text and not is_column_dump(doc.paragraphs[i].text.split("\t"))]
    if not rows:
        return
    cells = {i: split_cells(doc.paragraphs[i].text, offsets[i]) for i in rows}
    values = {i: [c.value for c in cells[i]] for i in rows}
    first = rows[0]
    previous = tables[-1] if tables else None
    names: list[str] | None = None
    header_rows: set[tuple[str, ...]] = set()
    body = rows
    if header_like(values[first]):
        sub = values[rows[1]] if len(rows) > 1 and rows[1] == first + 1 and header_like(values[rows[1]]) else None
        names = column_names(values[first], sub) if sub else None
        if names is not None:
            header_rows = {_trimmed(values[first]), _trimmed(values[rows[1]])}
            body = rows[2:]
        else:
            names = column_names(values[first], None)
            header_rows = {_trimmed(values[first])}
            body = rows[1:]
    caption = caption_of(doc, unit, first)
    continues = previous is not None and previous.label == unit.path[0] and (
        (names is not None and previous.header_rows and _trimmed(values[first]) in previous.header_rows)
        or (names is None and previous.names is not None and all(len(values[i]) <= previous.width for i in rows))
    )
    if continues and previous is not None:
        table = previous
        if not caption or caption in unit.headings:
            caption = table.caption
    else:
        table = _Table(names, unit.path[0], caption, header_rows)
        tables.append(table)
    table.segments += 1
    table.caption = table.caption or caption
    headings = unit.headings if not caption or caption in unit.headings else (*unit.headings, caption)
    new_segment = True
    broke = True
    for i in body:
        if table.header_rows and _trimmed(values[i]) in table.header_rows:
            table.segments += 1 if not new_segment else 0
            new_segment = True
            continue
        if table.printed and not new_segment and i > table.printed[-1].paragraph + 1:
            broke = True  # a line that is not a row (a title repeated at a page top) between two rows
        table.printed.append(_Printed(i, offsets[i], offsets[i] + len(doc.paragraphs[i].text), cells[i],
                                      table.segments, broke, headings))
        new_segment = broke = False


def _rows_of(table: _Table, table_no: int) -> list[TableRow]:
    width = table.width
    names = table.names or [""] * width
    # two passes: profiles from the rows that fill every column place the rows missing at most one cell; profiles
    # from those place every row (rows missing more cells never vote, so a misplaced run cannot confirm itself)
    profiles = _profiles([(list(range(width)), row.cells) for row in table.printed if len(row.cells) == width], width)
    near = [row for row in table.printed if len(row.cells) >= width - 1]
    profiles = _profiles([(align([c.value for c in row.cells], profiles), row.cells) for row in near], width)
    placed: list[dict[int, Cell]] = []
    for row in table.printed:
        cols = align([c.value for c in row.cells], profiles)
        placed.append(dict(zip(cols, row.cells, strict=True)))
    number_col = _row_number_column(names, placed)
    merged = _restated_columns(table, placed, width, number_col)
    rows: list[TableRow] = []
    above: dict[int, str] = {}
    for n, (row, cells) in enumerate(zip(table.printed, placed, strict=True), start=1):
        if row.breaks or not table.names:
            above = {}  # nothing is carried across a break, nor in a table whose columns have no names
        fields: list[Field] = []
        seen_value = False
        current: dict[int, str] = {}
        for col in range(max([width, *(c + 1 for c in cells)])):
            cell = cells.get(col)
            name = names[col] if col < len(names) else ""
            if cell is not None and cell.value:
                fields.append(Field(name, cell.value, cell.start, cell.end))
                current[col] = cell.value
                if col != number_col:
                    seen_value = True
                continue
            if col == number_col or col not in above:
                continue
            if not seen_value or col in merged:
                fields.append(Field(name, above[col]))
                current[col] = above[col]
        above = current
        number = cells.get(number_col).value if number_col is not None and number_col in cells else ""  # type: ignore[union-attr]
        label = f"序号{number}" if number and number.isdigit() else f"第{n}行"
        rows.append(TableRow(row.paragraph, row.start, row.end, label, tuple(fields), row.headings, table.label,
                             table_no, bool(table.names)))
    return rows


def _profiles(rows: list[tuple[list[int], list[Cell]]], width: int) -> list[_Profile]:
    profiles = [_Profile() for _ in range(width)]
    for cols, cells in rows:
        for col, cell in zip(cols, cells, strict=True):
            if col < width:
                profiles[col].add(cell.value)
    return profiles


def _row_number_column(names: list[str], placed: list[dict[int, Cell]]) -> int | None:
    """The 序号/编号 column, or (no header) a first column that holds a whole number on every row."""
    for col, name in enumerate(names):
        if _ROW_NUMBER_NAME.search(name):
            return col
    if not any(names) and placed and all(0 in cells and cells[0].value.isdigit() for cells in placed):
        return 0
    return None


def _restated_columns(table: _Table, placed: list[dict[int, Cell]], width: int, number_col: int | None) -> set[int]:
    """Columns whose empty cells are merged with the cell above: (b) restated after each page break — in a table of
    two or more segments, printed on the first row of (nearly: `_RESTATED_SHARE`) every segment and empty on at
    least half of all rows; (c) printed on most rows (`_FULL_SHARE`, tables of `_FULL_MIN_ROWS` rows or
    more): a column that most rows fill has no "none" value, its gaps are merged cells."""
    if not placed:
        return set()
    firsts = [k for k, row in enumerate(table.printed) if k == 0 or row.segment != table.printed[k - 1].segment]
    out: set[int] = set()
    for col in range(width):
        if col == number_col:
            continue
        printed = {k for k, cells in enumerate(placed) if col in cells and cells[col].value}
        on_firsts = sum(1 for k in firsts if k in printed)
        restated = len(firsts) >= 2 and on_firsts >= _RESTATED_SHARE * len(firsts) and len(printed) * 2 <= len(placed)
        mostly_printed = len(placed) >= _FULL_MIN_ROWS and len(printed) >= _FULL_SHARE * len(placed)
        if restated or mostly_printed:
            out.add(col)
    return out

