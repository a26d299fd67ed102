"""A table block holding a table printed column by column (a 附表 column dump, `ingest.column_dumps`), as a person
reads it.

The block's text stays as printed (a citation quotes it); what the answer, the source card and the document view
show is its layout: the lines before and after the dump as printed, the rows rebuilt from the dump (where its
columns align) as 列名：值；列名：值 lines — the form a table row is shown in (`ingest.records.render_cells`) —
and the rest of the dump one column per line, its cells separated by tabs as an ordinary table's printed row is.
A block holding only part of a dump (a dump longer than the chunk budget is cut between cells) shows its part one
column per line. A dump whose columns cannot be told apart (`columns_of` finds no known shape) is broken wherever
a column of figures ends. Never the dump glued into one run of characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.column_dumps import aligned_rows, columns_of, row_cells
from ingest.records import render_cells
from ingest.tables import is_column_dump, is_number

UNALIGNED_NOTE = "以下各行未能对齐，按原表逐列列出："
"""The line between a dump's rebuilt rows and the columns of the rows that could not be rebuilt."""


@dataclass(frozen=True)
class BlockLine:
    """The block's part of one paragraph it spans: `part` == `paragraph[at:at + len(part)]`."""

    part: str
    paragraph: str
    at: int = 0


def block_layout(lines: Sequence[BlockLine]) -> str:
    """The block as read, one line per printed line, rebuilt row or column; "" when none of its lines is (part of) a
    column dump (the block is shown as printed)."""
    out: list[str] = []
    dumped = False
    for line in lines:
        values = [v.strip() for v in line.paragraph.split("\t")]
        if "\t" not in line.paragraph or not is_column_dump(values):
            out.append(line.part)
            continue
        dumped = True
        if line.part == line.paragraph:
            out.extend(dump_lines(values))
        else:
            first = line.paragraph[:line.at].count("\t")
            out.extend(_broken([v.strip() for v in line.part.split("\t")], first, _breaks(values)))
    return "\n".join(out) if dumped else ""


def text_layout(text: str) -> str:
    """`block_layout` of a text whose every line is a whole paragraph."""
    return block_layout([BlockLine(line, line) for line in text.split("\n")])


def dump_lines(values: list[str]) -> list[str]:
    """The lines of one dump (its cells, in printed order): the rows that align as 列名：值 lines, then the cells no
    rebuilt row took, one column per line (the 序号 and 项目 after the last rebuilt item, the other columns after
    the rebuilt rows), then the cells after the last column, broken where a column of figures ends."""
    cols = columns_of(values)
    if cols is None:
        return _broken(values, 0, _breaks(values))
    aligned = aligned_rows(values, cols)
    rows = [render_cells(tuple((name, values[k]) for name, k in zip(cols.names, indices, strict=True)))
            for indices in row_cells(cols, aligned)]
    items = aligned[-1][0] + 1 if aligned else 0
    left = (cols.numbers[items:], cols.items[items:], cols.kinds[len(aligned):], cols.units[len(aligned):],
            cols.amounts[len(aligned):])
    columns = ["\t".join([name, *(values[k] for k in rest)]) for name, rest in zip(cols.names, left, strict=True) if rest]
    end = cols.amounts[-1] + 1
    tail = _broken(values[end:], end, _breaks(values))
    if rows and (columns or tail):
        return [*rows, UNALIGNED_NOTE, *columns, *tail]
    return [*rows, *columns, *tail]


def _breaks(values: list[str]) -> set[int]:
    """The cells of a dump that open a column: each column header where `columns_of` finds them, and (after the
    last of them, or throughout a dump of another shape) a cell that is not a figure right after one that is."""
    cols = columns_of(values)
    heads = {0} if cols is None else {0, cols.items[0] - 1, cols.items[-1] + 1, cols.units[0] - 1, cols.amounts[0] - 1}
    after = 0 if cols is None else cols.amounts[-1] + 1
    return heads | {k for k in range(max(after, 1), len(values)) if is_number(values[k - 1]) and not is_number(values[k])}


def _broken(cells: list[str], first: int, breaks: set[int]) -> list[str]:
    """`cells` (the dump's cells from index `first` on) as tab-separated lines, a new line at each break."""
    runs: list[list[str]] = []
    for k, value in enumerate(cells, start=first):
        if not runs or k in breaks:
            runs.append([])
        runs[-1].append(value)
    return ["\t".join(run) for run in runs if run]
