"""Table rows addressed by the question: one of the row's cell values and another cell's column name.

A question that names a row of a table by one of its values and asks for one of its columns by name ("…会启动寒潮IV级
应急响应？": the row 寒潮 of 附表3, column IV级; "网络预约出租汽车经营许可这一项的事项编码": the row of that 事项名称,
column 事项编码) asks for exactly one cell. The dense and keyword legs rank such a row by its words among many
clauses that share them (3.4 IV级应急响应 describes the response, the row states when it starts), so the cell
leg (`HybridRetriever.legs`, `RetrievalConfig.cell_weight`) ranks the rows whose value and column name the
question both contains, longest match first. It is built from the index's own table rows (`Chunk.cells`); a
question that names no such pair gets no cell leg (it does not vote).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.records import Chunk
from textnorm import matching_form

_MIN_KEY = 2  # characters of a value or a column name that can address a row (级, 号 alone cannot)
_MAX_KEY = 40  # a longer cell is a sentence, not a name a question repeats


def _key(text: str) -> str:
    return matching_form(text).lower()


def _usable(text: str) -> bool:
    return _MIN_KEY <= len(text) <= _MAX_KEY and not text.replace(".", "").isdigit()


@dataclass(frozen=True)
class CellIndex:
    """values: a cell value (matching form) → the rows holding it; columns: a row → its (column name, value) pairs
    (matching form)."""

    values: dict[str, tuple[str, ...]]
    columns: dict[str, tuple[tuple[str, str], ...]]

    @classmethod
    def of(cls, chunks: Iterable[Chunk]) -> CellIndex:
        values: dict[str, list[str]] = defaultdict(list)
        columns: dict[str, tuple[tuple[str, str], ...]] = {}
        for chunk in chunks:
            if chunk.kind != "table_row" or not chunk.cells:
                continue
            pairs = tuple((_key(name), _key(value)) for name, value in chunk.cells)
            columns[chunk.chunk_id] = pairs
            for value in {v for _, v in pairs if _usable(v)}:
                values[value].append(chunk.chunk_id)
        return cls({v: tuple(ids) for v, ids in values.items()}, columns)

    def rows(self, question: str) -> list[tuple[str, float]]:
        """The rows the question addresses: a cell value it contains and the name of another column of the same row
        it contains; scored by the characters matched (value + longest column name), best first."""
        q = _key(question)
        found: dict[str, float] = {}
        for value, ids in self.values.items():
            if value not in q:
                continue
            for cid in ids:
                named = [len(n) for n, v in self.columns[cid] if v != value and _usable(n) and n in q and n not in value]
                if named:
                    found[cid] = max(found.get(cid, 0.0), float(len(value) + max(named)))
        return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
