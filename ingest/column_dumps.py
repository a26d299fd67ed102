"""Tables printed column by column (附表 column dumps) read back into rows where their columns align.

The text extraction of some gazettes prints a 附表 one column after another: 序号, 1, 2, …, 23, then 项 目, 围墙,
地面硬化, …, then 分 类, 砖围墙, …, 单 位, m2, …, 补偿标准（元）, 80, 200, …. The repair keeps such a run as one
paragraph of tab-separated cells, shown as printed (`ingest.repair.join.column_dump_runs`). Its rows are rebuilt
only where the column lengths allow one consistent alignment:

- the 序号 header, then the numbers 1…N; the next cell heads the column of the N named items (项目);
- the longest run of numbers after the third header is the last column (补偿标准, M values, one per printed row),
  and the M cells before its header the column beside it (单位: it repeats its values and holds no number);
- the values between the third header and the 单位 header (分类) are fewer than M (merged or absent on some rows),
  so they are aligned to rows from the top only while each shares a run of two characters with its 项目 (or with
  the next 项目, which then starts) and the 单位 stays the same within one 项目. The first value that does not
  ends the alignment; the rows after it exist only in the table block.

A dump of another shape gives no rows (it stays the printed block). Artifact: jincheng-2018-04 附表1 (晋市政发〔2018〕
23号, 附属物补偿指导价): 34 printed rows of 23 items, of which the first 9 (围墙, 地面硬化, 大门) align; 附表2
(树木, 规格 under 项目) gives none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.patterns import TABLE_LABEL_RE
from ingest.records import Document
from ingest.structure import Unit
from ingest.tables import (
    Cell,
    Field,
    TableRow,
    TableRows,
    caption_of,
    is_column_dump,
    is_number,
    numbered_run,
    split_cells,
)

_MIN_SHARED = 2  # characters a 分类 shares with its 项目 (砖围墙 / 围墙, 混凝土硬化 / 地面硬化)


def _shares(a: str, b: str) -> bool:
    return any(a[i:i + _MIN_SHARED] in b for i in range(len(a) - _MIN_SHARED + 1))


@dataclass(frozen=True)
class _Columns:
    """Cell indices of a dump's columns: the header of each and its values."""

    names: tuple[str, str, str, str, str]  # 序号, 项目, 分类, 单位, 补偿标准 (headers as printed, spaces dropped)
    numbers: list[int]
    items: list[int]
    kinds: list[int]
    units: list[int]
    amounts: list[int]


def columns_of(values: list[str]) -> _Columns | None:
    """The columns of a dump of the expected shape, or None."""
    n = numbered_run(values)
    second = 1 + n
    third = second + 1 + n
    if n < 3 or third >= len(values) or is_number(values[second]) or is_number(values[third]):
        return None
    best = (0, 0)  # the longest run of numbers after the third header
    k = third + 1
    while k < len(values):
        j = k
        while j < len(values) and is_number(values[j]):
            j += 1
        if j - k > best[1] - best[0]:
            best = (k, j)
        k = j + 1
    m = best[1] - best[0]
    unit_header = best[0] - 1 - m - 1
    if m < n or unit_header <= third or is_number(values[unit_header]) or is_number(values[best[0] - 1]):
        return None
    units = list(range(unit_header + 1, unit_header + 1 + m))
    if len({values[k] for k in units}) >= m or any(is_number(values[k]) for k in units):
        return None  # a column of units repeats its units and holds no figures: else the lengths do not line up
    names = tuple(re.sub(r"\s", "", values[k]) for k in (0, second, third, unit_header, best[0] - 1))
    return _Columns(names, list(range(1, 1 + n)), list(range(second + 1, second + 1 + n)),  # type: ignore[arg-type]
                    list(range(third + 1, unit_header)), units, list(range(*best)))


def aligned_rows(values: list[str], cols: _Columns) -> list[tuple[int, int]]:
    """(item index, kind index) of the rows aligned from the top, in row order (row r takes units[r], amounts[r])."""
    out: list[tuple[int, int]] = []
    item = 0
    for r, kind in enumerate(cols.kinds):
        value = values[kind]
        if item + 1 < len(cols.items) and out and out[-1][0] == item and not _shares(value, values[cols.items[item]]) \
                and _shares(value, values[cols.items[item + 1]]):
            item += 1
        elif not _shares(value, values[cols.items[item]]):
            break
        if out and out[-1][0] == item and values[cols.units[r]] != values[cols.units[r - 1]]:
            break  # one item, two units: a row without a 分类 sits somewhere above
        out.append((item, kind))
    return out


def row_cells(cols: _Columns, aligned: list[tuple[int, int]]) -> list[tuple[int, int, int, int, int]]:
    """The cell indices of each aligned row in column order (序号, 项目, 分类, 单位, 补偿标准): row r takes the r-th 单位
    and 补偿标准."""
    return [(cols.numbers[item], cols.items[item], kind, cols.units[r], cols.amounts[r])
            for r, (item, kind) in enumerate(aligned)]


def read_column_dumps(doc: Document, units: list[Unit], first_table_no: int = 0) -> TableRows:
    """The rows of every column dump in the table units of `doc` that can be aligned (`TableRows.tables` counts the
    dumps that gave rows)."""
    offsets = []
    pos = 0
    for p in doc.paragraphs:
        offsets.append(pos)
        pos += len(p.text) + 1
    out = TableRows()
    for unit in (u for u in units if u.kind == "table"):
        for i in range(unit.first, unit.last + 1):
            text = doc.paragraphs[i].text
            if "\t" not in text:
                continue
            cells = split_cells(text, offsets[i])
            values = [c.value for c in cells]
            cols = columns_of(values) if is_column_dump(values) else None
            aligned = aligned_rows(values, cols) if cols is not None else []
            if cols is None or not aligned:
                continue
            label = next((m.group(1) for j in range(i - 1, unit.first - 1, -1)
                          if (m := TABLE_LABEL_RE.match(doc.paragraphs[j].text.strip()))), unit.path[0])
            caption = caption_of(doc, unit, i)
            headings = unit.headings if not caption or caption in unit.headings else (*unit.headings, caption)
            out.rows.extend(_rows(i, cells, cols, aligned, headings, label, first_table_no + out.tables))
            out.tables += 1
    return out


def _rows(paragraph: int, cells: list[Cell], cols: _Columns, aligned: list[tuple[int, int]],
          headings: tuple[str, ...], label: str, table_no: int) -> list[TableRow]:
    """Table rows of the aligned (item, kind) pairs: row r takes the r-th 单位 and 补偿标准; its own printed cell (its
    span in the document) is its 分类."""

    def field(name: str, k: int) -> Field:
        return Field(name, cells[k].value, cells[k].start, cells[k].end)

    out: list[TableRow] = []
    for r, indices in enumerate(row_cells(cols, aligned)):
        fields = tuple(field(name, k) for name, k in zip(cols.names, indices, strict=True))
        kind = indices[2]
        out.append(TableRow(paragraph, cells[kind].start, cells[kind].end, f"第{r + 1}行", fields, headings, label,
                            table_no, True))
    return out
