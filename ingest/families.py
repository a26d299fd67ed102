"""Near-duplicate families: documents that say the same thing with another city, year or 文号.

Two documents are near-duplicates when the Jaccard similarity of their character shingles (`SHINGLE` characters),
taken after masking what a copy changes — 文号, digits and Chinese numerals (years, dates, serial numbers) and the
index's place names (`index_format.places`: its cities and their counties) —, reaches the threshold
(`Settings.near_duplicate_jaccard`). A family is a set of documents joined by such pairs (single linkage); its id is
its first document id in sorted order, so it is stable while that document stays.

Measured on the bundled corpus (142 documents, masked 5-shingles): no two documents reach 0.79 (the closest are two
attachment tables of 长政办发〔2020〕33号 and 36号 at 0.78, and the short covering notices 关于印发…的通知 at 0.56–0.76),
so at the default 0.9 every real document is a family of its own; a synthetic copy (`bench.synthetic`) masks to
exactly its original's text.

Scaling: documents with the same masked shingle set share one signature bucket and are one family without a
comparison; the distinct sets go through MinHash (`PERMUTATIONS` hashes) with LSH banding (`BANDS` bands), and only
pairs that share a band and whose MinHash estimate is near the threshold are compared exactly. At 100k chunks (the
scale benchmark's archive) this is a few seconds, never all pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np

from index_format.places import city_places, place_pattern
from ingest.records import Document

SHINGLE = 5  # characters per shingle: long enough that unrelated documents share few (one clause's words)
PERMUTATIONS = 64  # MinHash hashes per document
BANDS = 16  # LSH bands of PERMUTATIONS // BANDS hashes: a pair at Jaccard 0.9 shares a band with p > 0.999
ESTIMATE_SLACK = 0.2  # a candidate pair is compared exactly when its MinHash estimate is within this of the threshold
_DOCNO_TAIL = re.compile(r"[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*第?\s*\d{1,4}\s*号")  # textnorm.DOCNO_RE after its issuer
_ISSUER = re.compile(r"[\u4e00-\u9fff]{2,12}\s*$")  # textnorm.DOCNO_RE's issuer, read back from the bracket
_NUMBERS = re.compile(r"[0-9０-９〇零一二三四五六七八九十百千]+")
_SPACE = re.compile(r"\s+")
_PRIME = np.uint64(0x100000001B3)  # the rolling hash's multiplier (FNV-1a's 64-bit prime)
_MASK_DOCNO, _MASK_PLACE, _MASK_NUMBER = "〓", "◇", "0"


def mask_docnos(text: str) -> str:
    """`text` with each 文号 (the matches of `textnorm.DOCNO_RE`: issuer, 〔year〕, number 号) replaced by one mark.
    Found from the bracket back to the issuer: the same matches as DOCNO_RE.sub, without trying every Chinese
    character as an issuer's start (4× faster on the corpus)."""
    out: list[str] = []
    done = 0
    for m in _DOCNO_TAIL.finditer(text):
        issuer = _ISSUER.search(text, max(done, m.start() - 40), m.start())
        if issuer is None:
            continue
        out += [text[done:issuer.start()], _MASK_DOCNO]
        done = m.end()
    return "".join(out) + text[done:]


def masked_text(text: str, places: re.Pattern[str]) -> str:
    """`text` without what a copy of the document changes: each 文号, place name and run of digits or Chinese
    numerals replaced by one mark; whitespace dropped."""
    out = mask_docnos(text)
    out = places.sub(_MASK_PLACE, out)
    out = _NUMBERS.sub(_MASK_NUMBER, out)
    return _SPACE.sub("", out)


def shingles(text: str) -> np.ndarray:
    """The sorted distinct 64-bit hashes of the text's SHINGLE-character shingles (a shorter text: one shingle)."""
    if not text:
        return np.zeros(0, dtype=np.uint64)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(SHINGLE, len(points))
    count = len(points) - width + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for j in range(width):  # polynomial rolling hash, wrapping modulo 2**64
        hashes = hashes * _PRIME + points[j:j + count]
    return np.unique(hashes)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted distinct hash arrays (`shingles`); 0.0 when both are empty."""
    union = len(a) + len(b)
    if not union:
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (union - common)


def _signatures(sets: list[np.ndarray]) -> np.ndarray:
    """MinHash signatures (one row per set): the minimum of `PERMUTATIONS` fixed bijections of the hashes."""
    rng = np.random.default_rng(20240601)  # fixed: the same documents give the same families on every machine
    a = rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd: a bijection modulo 2**64
    b = rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
    out = np.full((len(sets), PERMUTATIONS), np.iinfo(np.uint64).max, dtype=np.uint64)
    for i, s in enumerate(sets):
        if len(s):
            mixed = a[:, None] * s[None, :] + b[:, None]
            mixed ^= mixed >> np.uint64(31)
            out[i] = mixed.min(axis=1)
    return out


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def _similar_groups(sets: list[np.ndarray], threshold: float) -> _Union:
    """The distinct shingle sets joined where a pair's exact Jaccard reaches `threshold` (LSH candidates only)."""
    groups = _Union(len(sets))
    signatures = _signatures(sets)
    rows = PERMUTATIONS // BANDS
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = {}
        for i in range(len(sets)):
            if len(sets[i]):
                buckets.setdefault(signatures[i, band * rows:(band + 1) * rows].tobytes(), []).append(i)
        for members in buckets.values():
            for at, x in enumerate(members):
                for y in members[at + 1:]:
                    if groups.find(x) == groups.find(y):
                        continue
                    estimate = float(np.count_nonzero(signatures[x] == signatures[y])) / PERMUTATIONS
                    if estimate >= threshold - ESTIMATE_SLACK and jaccard(sets[x], sets[y]) >= threshold:
                        groups.join(x, y)
    return groups


def families(documents: Iterable[Document], threshold: float) -> dict[str, str]:
    """doc_id → its family id (the first doc_id of its near-duplicate family, sorted): documents whose masked
    shingles have Jaccard similarity >= `threshold` (0 < threshold <= 1) are in one family, and so, by single
    linkage, are documents joined through others."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
    docs = sorted(documents, key=lambda d: d.doc_id)
    places = re.compile(place_pattern(n for names in city_places(docs).values() for n in names))
    distinct: dict[str, int] = {}  # the signature bucket: one entry per distinct masked text
    sets: list[np.ndarray] = []
    set_of: list[int] = []
    for doc in docs:
        masked = masked_text(doc.text, places)
        key = masked or f"\0{doc.doc_id}"  # an empty text is like no other
        if key not in distinct:
            distinct[key] = len(sets)
            sets.append(shingles(masked))
        set_of.append(distinct[key])
    groups = _similar_groups(sets, threshold)
    first: dict[int, str] = {}
    out: dict[str, str] = {}
    for doc, i in zip(docs, set_of, strict=True):
        out[doc.doc_id] = first.setdefault(groups.find(i), doc.doc_id)
    return out


def with_families(documents: Mapping[str, Document], threshold: float) -> dict[str, Document]:
    """The documents with `Document.family` set (`families`), in the same order."""
    family = families(documents.values(), threshold)
    return {k: d if d.family == family[d.doc_id] else replace(d, family=family[d.doc_id]) for k, d in documents.items()}


def family_count(documents: Iterable[Document]) -> int:
    """How many near-duplicate families the documents form (a document without a family is one of its own)."""
    return len({d.family_id for d in documents})
