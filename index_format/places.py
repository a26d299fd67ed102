"""The place names an index's documents use: their cities, and the counties and districts each city's documents
list. Derived from the documents alone, so a third city's gazettes bring their own places without a code change.
The writer masks these names to find near-duplicate documents (`ingest.families`); the reader's place vocabulary
(`rag.places.Places`) is built on them.

A city's counties and districts are the names its own documents list together (泽州县、高平市、阳城县… —
enumerations of three or more names, at least two of them counties) that no other city's documents use as often.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from ingest.records import Document

_NAME = r"[\u4e00-\u9fff]{1,3}?(?:县|区|市)"
_LIST = re.compile(rf"(?:{_NAME}[、，]){{2,}}{_NAME}")
_MIN_COUNTIES = 2  # counties (…县) an enumeration of three or more names must hold to list a city's places
_DOMINANCE = 3.0  # a place of one city is named at least this many times as often in its documents as in others'


def _stem(name: str) -> str:
    """泽州县 → 泽州, 高平市 → 高平; a one-character stem keeps its suffix (沁县)."""
    return name[:-1] if len(name) >= 3 else name


def listed_places(documents: Iterable[Document]) -> dict[str, tuple[str, ...]]:
    """City → the counties and districts its documents enumerate and no other city's documents mention."""
    listed: dict[str, Counter[str]] = defaultdict(Counter)
    texts: dict[str, list[str]] = defaultdict(list)
    for doc in documents:
        text = re.sub(r"\s", "", doc.text)
        texts[doc.city].append(text)
        for m in _LIST.finditer(text):
            names = re.split("[、，]", m.group(0))
            if len(names) >= 3 and sum(n.endswith("县") for n in names) >= _MIN_COUNTIES:
                # the match may start inside a word (鼓励阳城县): the first name keeps a county's length (阳城县)
                listed[doc.city].update([names[0][-3:], *names[1:]])
    text_of = {city: "\n".join(parts) for city, parts in texts.items()}
    stems_of = {city: {_stem(n) for n in counted} for city, counted in listed.items()}
    # each stem counted once in each city's text (not in every other city's text again for each city)
    counts = {s: {city: text.count(s) for city, text in text_of.items()} for s in set().union(*stems_of.values())}
    out: dict[str, tuple[str, ...]] = {}
    for city, stems in stems_of.items():
        keep = {s for s in stems if counts[s][city] >= _DOMINANCE * (sum(counts[s].values()) - counts[s][city])}
        out[city] = tuple(sorted(keep, key=lambda n: (-len(n), n)))
    return out


def city_places(documents: Iterable[Document]) -> dict[str, tuple[str, ...]]:
    """Each city the documents belong to (their `city`) → its place names, the city first, then its counties."""
    docs = list(documents)
    listed = listed_places(docs)
    return {c: (c, *[p for p in listed.get(c, ()) if p != c]) for c in sorted({d.city for d in docs if d.city})}


def place_pattern(names: Iterable[str]) -> str:
    """A regex alternative of `names`, each with an optional 市/县/区 (longest first); matches nothing for none."""
    ordered = sorted(set(names), key=len, reverse=True)
    return rf"(?:{'|'.join(map(re.escape, ordered))})(?:市|县|区)?" if ordered else r"(?!)"
