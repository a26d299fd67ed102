"""How varied the top 5 of a retrieval is, in near-duplicate families (`Document.family`, ingest.families): on a
synthetic archive every document has copies that differ only in city, years and 文号, and they can crowd the top 5.

Per question with a gold 文号: distinct families in the top 5 passages; passages from a document that is not the
first of its family in the top 5 (copies); gold 文号 hit@5 (a passage of the document with the gold 文号 itself);
gold family hit@5 (a passage of that document or of one of its copies). A question that names neither the gold
document's city (or one of its counties) nor its 文号 cannot tell the document from its copies in other cities, so
gold 文号 hit@5 is also counted over the questions that name one of them (`named`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.records import Document
from rag.records import Passage

TOP = 5


def families_by_number(documents: Iterable[Document]) -> dict[str, frozenset[str]]:
    """文号 → the families of the documents that carry it."""
    out: dict[str, set[str]] = defaultdict(set)
    for doc in documents:
        if doc.doc_number:
            out[doc.doc_number].add(doc.family_id)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass
class TopFive:
    """Sums over the questions counted (`add`); `summary` gives the means and rates."""

    documents: Mapping[str, Document]
    gold_families: Mapping[str, frozenset[str]] = field(default_factory=dict)
    items: int = 0
    families: int = 0
    copies: int = 0
    docno_hits: int = 0
    family_hits: int = 0
    named_items: int = 0  # questions naming their document's city, county or 文号
    named_docno_hits: int = 0

    @classmethod
    def of(cls, documents: Mapping[str, Document]) -> TopFive:
        return cls(documents, families_by_number(documents.values()))

    def add(self, passages: Sequence[Passage], doc_numbers: Sequence[str], named: bool = False) -> None:
        """Count one question's ranked passages against its gold 文号; `named`: the question names the document's
        city, county or 文号."""
        top = passages[:TOP]
        first: dict[str, str] = {}  # family → its first document in the top 5
        for p in top:
            family = self.documents[p.doc_id].family_id
            self.copies += first.setdefault(family, p.doc_id) != p.doc_id
        gold = frozenset().union(*(self.gold_families.get(n, frozenset()) for n in doc_numbers))
        self.items += 1
        self.families += len(first)
        hit = any(p.doc_number in doc_numbers for p in top)
        self.docno_hits += hit
        self.family_hits += bool(gold & first.keys())
        self.named_items += named
        self.named_docno_hits += named and hit

    def summary(self) -> dict[str, Any]:
        n = self.items
        return {
            "questions": n,
            "families_in_top_5": round(self.families / n, 2) if n else None,
            "copies_in_top_5": round(self.copies / n, 2) if n else None,
            "gold_docno_hit_at_5": round(self.docno_hits / n, 3) if n else None,
            "gold_family_hit_at_5": round(self.family_hits / n, 3) if n else None,
            "named_questions": self.named_items,
            "gold_docno_hit_at_5_named": round(self.named_docno_hits / self.named_items, 3) if self.named_items else None,
        }
