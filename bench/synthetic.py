"""A synthetic archive made by replicating the real corpus: copies differ in city, 文号, years and dates.

Copy 0 is the real corpus unchanged (its ids too, so gold questions still have their real answers, now among
distractors). Copy k ≥ 1 of a document renames the city (晋城/长治 → another of them or an invented city) and, when
it does, the city's counties (泽州 → 澄宁: a renamed city's documents name counties of their own, as a real other
city's would), shifts every year by a few years and renumbers every 文号 (晋市政发〔2021〕3号 → 澄市政发〔2024〕4号).
Every change keeps the text's length, so each chunk's span still indexes its document's text
(`doc.text[start:end] == chunk.text`).

Vectors: embedding 100k chunks with the real model takes hours here, so a copy's vector is its original chunk's
stored vector plus Gaussian noise (σ per dimension), re-normalised (`derived_vectors`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from index_format.places import city_places
from ingest.records import Chunk, Document, Validity
from textnorm import matching_form

REAL_CITIES = ("晋城", "长治")
INVENTED_CITIES = ("澄川", "岚溪", "霁原", "枫陵", "璃江", "棠浦", "芷林", "洺泽")  # two characters, as the real ones
CITY_POOL = REAL_CITIES + INVENTED_CITIES
YEAR_SHIFTS = (1, -1, 2, -2, 3, -3, 4, -4, 5, -5)
COUNTY_CHARS = "宁丰和兴泰康顺裕嘉禾安昌盛祥"  # after the copy city's first character: invented county names
_DOCNO = re.compile(r"([\u4e00-\u9fff]{1,8})〔((?:19|20)\d\d)〕(\d+)号")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=年|\.|）|\))")
_CITY = re.compile("|".join(REAL_CITIES))
_OWN_PREFIX = {"晋市": "晋城", "长政": "长治"}  # a city's own 文号 prefix starts with its abbreviation
_OWN_PREFIX_AT_END = re.compile(r"(晋市|长政)[\u4e00-\u9fff]{0,4}$")  # the group before 〔 also holds preceding words


@dataclass(frozen=True)
class Variant:
    """What copy `copy` changes. cities: original city → the copy's city; year_shift: years added to every year
    and date; copy 0 changes nothing."""

    copy: int
    cities: Mapping[str, str]
    year_shift: int
    places: Mapping[str, str] = field(default_factory=dict)  # a renamed city's county → the copy's county

    @classmethod
    def of(cls, copy: int, counties: Mapping[str, Sequence[str]] | None = None) -> Variant:
        """counties: each real city's county and district names (`index_format.places.city_places` without the
        city), renamed with their city."""
        if copy < 0:
            raise ValueError(f"copy must be >= 0, got {copy}")
        if copy == 0:
            return cls(0, {c: c for c in REAL_CITIES}, 0)
        first = CITY_POOL[copy % len(CITY_POOL)]
        second = CITY_POOL[(copy + 3) % len(CITY_POOL)]  # never the same city as `first`
        shift = YEAR_SHIFTS[(copy + copy // len(YEAR_SHIFTS)) % len(YEAR_SHIFTS)]
        cities = {REAL_CITIES[0]: first, REAL_CITIES[1]: second}
        places = {name: invented_county(new, i, name)
                  for real, new in cities.items() if new != real
                  for i, name in enumerate((counties or {}).get(real, ()))}
        return cls(copy, cities, shift, places)

    def renumber(self, number: str) -> str:
        """Another 文号 serial number with as many digits (so the text keeps its length)."""
        digits = len(number)
        low = 10 ** (digits - 1) if digits > 1 else 1
        span = 10 ** digits - low
        return str(low + (int(number) - low + self.copy * 37) % span)

    def rewrite(self, text: str) -> str:
        """The text as this copy says it: 文号, years and city names changed, length unchanged."""
        if self.copy == 0 or not text:
            return text

        def own(m: re.Match[str]) -> str:
            return self.cities[_OWN_PREFIX[m.group(1)]][0] + m.group(0)[1:]

        def docno(m: re.Match[str]) -> str:
            prefix = _OWN_PREFIX_AT_END.sub(own, m.group(1))
            return f"{prefix}〔{int(m.group(2)) + self.year_shift}〕{self.renumber(m.group(3))}号"

        out = _DOCNO.sub(docno, text)
        out = _YEAR.sub(lambda m: str(int(m.group(1)) + self.year_shift), out)
        out = _CITY.sub(lambda m: self.cities[m.group(0)], out)
        if self.places:
            out = re.sub("|".join(sorted(map(re.escape, self.places), key=len, reverse=True)),
                         lambda m: self.places[m.group(0)], out)
        if len(out) != len(text):  # a broken invariant would corrupt every chunk span: fail loudly
            raise AssertionError(f"copy {self.copy} changed the text length: {len(text)} → {len(out)}")
        return out

    def shift(self, day: date | None) -> date | None:
        if day is None or self.year_shift == 0:
            return day
        year = day.year + self.year_shift
        return day.replace(year=year) if not (day.month == 2 and day.day == 29) else date(year, 2, 28)


def invented_county(city: str, index: int, name: str) -> str:
    """The `index`-th county name of `city` in a copy, as long as the `name` it replaces: the city's first character,
    then characters of `COUNTY_CHARS` (泽州 → 澄宁); a name kept with its suffix (沁县: a one-character stem) keeps
    it (→ 澄县), so the copies' lists of counties still read as lists (`index_format.places`)."""
    n = len(COUNTY_CHARS)
    if len(name) == 2 and name[-1] in "县区市":
        return city[0] + name[-1]
    return city[0] + "".join(COUNTY_CHARS[(index + j * (index // n + 1)) % n] for j in range(len(name) - 1))


@dataclass
class Archive:
    """The synthetic archive. origin: chunk id → the real chunk it copies (itself for copy 0)."""

    documents: dict[str, Document]
    chunks: dict[str, Chunk]
    origin: dict[str, str]
    copies: int

    def ordered_ids(self) -> list[str]:
        """Chunk ids in index order (document, then position), as ingest writes them."""
        return [c.chunk_id for c in sorted(self.chunks.values(), key=lambda c: (c.doc_id, c.ordinal))]


def _copy_id(copy: int, original: str) -> str:
    return hashlib.sha1(f"copy{copy}|{original}".encode()).hexdigest()[:20]


def copy_document(doc: Document, chunks: Sequence[Chunk], variant: Variant) -> tuple[Document, list[Chunk]]:
    """One document and its chunks as `variant` says them, with ids of their own (copy 0: unchanged)."""
    if variant.copy == 0:
        return doc, list(chunks)
    f = variant.rewrite
    k = variant.copy
    ids = {c.chunk_id: _copy_id(k, c.chunk_id) for c in chunks}

    def doc_id(original: str | None) -> str | None:
        return f"{original}#x{k}" if original else None

    copied = replace(
        doc, doc_id=f"{doc.doc_id}#x{k}", source_file=f"x{k:03d}-{doc.source_file}",
        city=variant.cities.get(doc.city, doc.city), gazette=f(doc.gazette), title=f(doc.title), text=f(doc.text),
        paragraphs=tuple(replace(p, text=f(p.text)) for p in doc.paragraphs),
        doc_number=f(doc.doc_number) if doc.doc_number else None,
        parent_doc_number=f(doc.parent_doc_number) if doc.parent_doc_number else None,
        parent_id=doc_id(doc.parent_id), wrapper_title=f(doc.wrapper_title) if doc.wrapper_title else None,
        issuer=f(doc.issuer) if doc.issuer else None, date=variant.shift(doc.date),
        validity=Validity(variant.shift(doc.validity.effective), variant.shift(doc.validity.expires), f(doc.validity.statement)),
    )
    out = []
    for c in chunks:
        text = copied.text[c.start:c.end]
        out.append(replace(
            c, chunk_id=ids[c.chunk_id], doc_id=copied.doc_id, text=text, norm_text=matching_form(text),
            headings=tuple(f(h) for h in c.headings), event_date=variant.shift(c.event_date),
            parent_id=ids.get(c.parent_id or ""), prev_id=ids.get(c.prev_id or ""), next_id=ids.get(c.next_id or ""),
        ))
    return copied, out


def replicate(documents: Mapping[str, Document], chunks: Mapping[str, Chunk], target: int) -> Archive:
    """Whole documents, copy after copy (copy 0 first), until the archive holds at least `target` chunks."""
    if target < 1:
        raise ValueError(f"target must be >= 1 chunk, got {target}")
    by_doc: dict[str, list[Chunk]] = {}
    for c in sorted(chunks.values(), key=lambda c: (c.doc_id, c.ordinal)):
        by_doc.setdefault(c.doc_id, []).append(c)
    order = [d for d in sorted(documents) if by_doc.get(d)]
    if not order:
        raise ValueError("no document has chunks: build the real index first (`python -m ingest`)")
    counties = {city: names[1:] for city, names in city_places(documents.values()).items()}
    archive = Archive({}, {}, {}, 0)
    copy = 0
    while len(archive.chunks) < target:
        variant = Variant.of(copy, counties)
        for doc_id in order:
            doc, copied = copy_document(documents[doc_id], by_doc[doc_id], variant)
            archive.documents[doc.doc_id] = doc
            for original, c in zip(by_doc[doc_id], copied, strict=True):
                archive.chunks[c.chunk_id] = c
                archive.origin[c.chunk_id] = original.chunk_id
            if len(archive.chunks) >= target:
                break
        copy += 1
    archive.copies = copy
    return archive


def derived_vectors(ids: Sequence[str], origin: Mapping[str, str], base: Mapping[str, np.ndarray], sigma: float,
                    rng: np.random.Generator) -> np.ndarray:
    """Vectors for `ids`: a real chunk keeps its stored vector; a copy gets the original's plus N(0, σ²) noise per
    dimension, re-normalised (σ = 0.01 in 384 dimensions: cosine ≈ 0.98 to the original)."""
    rows = np.stack([np.asarray(base[origin[cid]], dtype=np.float32) for cid in ids])
    copies = np.array([origin[cid] != cid for cid in ids])
    if copies.any():
        noisy = rows[copies] + rng.normal(0.0, sigma, size=(int(copies.sum()), rows.shape[1])).astype(np.float32)
        rows[copies] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return rows

