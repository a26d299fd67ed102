"""The learned rankers: re-order the fused candidates of a question by a linear model over measured features.

Reciprocal-rank fusion weighs each leg's rank alike, whatever the question: it cannot see that the keyword leg's
hit holds all of the question's rare words while the dense leg's first hit holds none, that a clause names a year the
question does not ask, or that a short heading matched but its text did not. A ranker scores each of the top `depth`
fused candidates by a logistic model over such signals (`FEATURES`, computed by `features`); one model ranks Chinese
questions, another questions in another language (their legs differ, and their wording is measured by the Chinese
terms their keyword leg searches). Both are fitted on the dev split's gold evidence by `python -m evals
train-ranker` and stored with their standardisation in `rag/ranker.json` (the models are data: a new corpus or split
is a new fit, no code change). The candidates keep their fused order below `depth` (8: the passages retrieval
returns, so the answer policy judges the same set).

Measured (candidate lists of the dev split's answerable questions, 5-fold cross-validation by question): Chinese
(395 questions) MRR@10 0.762 → 0.835, hit@1 0.656 → 0.767; English (259) MRR@10 0.603 → 0.713, hit@1 0.460 → 0.614;
`evals/out/dev/ranker.md` has the per-fold figures of the current fit. The character-coverage features (`cov_char`,
`cov_char_rel`) took the Chinese held-out MRR@10 0.824 → 0.835 and hit@1 0.747 → 0.767 (English 0.710 → 0.713).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag.index import LoadedIndex
from rag.query import named_years, years_in
from textnorm import matching_form

FEATURES: tuple[str, ...] = (
    "fused_rr",       # 1 / the candidate's fused rank
    "fused_score",    # its reciprocal-rank fusion score
    "dense_rr",       # 1 / its rank in the dense leg (0: not in the leg)
    "dense_s",        # its dense similarity
    "dense_rel",      # its dense similarity minus the best candidate's
    "kw_rr",          # 1 / its rank in the keyword leg
    "kw_s",           # its BM25 score over the best candidate's
    "cell_rr",        # 1 / its rank in the table-cell leg
    "cov_all",        # IDF-weighted share of the question's bigrams in its title, headings and text
    "cov_head",       # … in its title and headings only
    "cov_text",       # … in its text only
    "cov_rel",        # cov_all minus the best candidate's
    "cov_char",       # IDF-weighted share of the question's characters in its title, headings and text (院墙 → 围墙)
    "cov_char_rel",   # cov_char minus the best candidate's
    "loglen",         # log(1 + characters of its text)
    "row",            # a table row
    "chron",          # a 大事记 entry
    "depth",          # how many headings are above it
    "year_match",     # it names a year the question names
    "year_conflict",  # the question names years, it names others only
    "named",          # its document is named by the question (文号 or title)
    "doc_votes",      # candidates among the top 10 (at most `depth`) from its document, over 10
    "par_votes",      # … under its parent section, over 10
    "cross_rr",       # 1 / its rank in the cross-lingual leg (a question not in Chinese)
    "cross_s",        # its cross-lingual similarity
    "tr_rr",          # 1 / its rank in the leg that ranks the glossary's Chinese terms with e5
    "tr_s",           # its similarity there
)
"""The measured signals, in the model's order. Changing them needs a new fit (`python -m evals train-ranker`)."""

RETRAIN = "run `python -m evals train-ranker` (or `make train-ranker`) to fit it to the current features"


@dataclass(frozen=True)
class Candidates:
    """What the ranker sees of one ranking: the fused order and each leg's hits (chunk id, score), best first."""

    fused: Sequence[tuple[str, float]]
    legs: Mapping[str, Sequence[tuple[str, float]]]


def features(index: LoadedIndex, query: str, stripped: str, candidates: Candidates, named: Sequence[str],
             depth: int) -> list[list[float]]:
    """One row of `FEATURES` per candidate among the top `depth` fused ones. `query`: the question's Chinese wording
    (a question not in Chinese: the Chinese terms its keyword leg searches); `stripped`: that wording without place
    names (coverage, as `keyword_coverage` measures it); `named`: the 文号 of the documents it names."""
    from rag.retrieve import keyword_coverage  # rag.retrieve imports this module

    chunks, idf = index.chunks, index.bigram_idf
    ids = [cid for cid, _ in candidates.fused[:depth]]
    ranks = {leg: {cid: r for r, (cid, _) in enumerate(hits, start=1)} for leg, hits in candidates.legs.items()}
    scores = {leg: dict(hits) for leg, hits in candidates.legs.items()}
    fused = dict(candidates.fused)
    best_kw = max(scores.get("keyword", {}).values(), default=0.0) or 1.0
    asked = named_years(query)
    top_docs = [chunks[c].doc_id for c in ids[:10]]
    top_parents = [chunks[c].parent_id for c in ids[:10]]
    rows: list[list[float]] = []
    for rank, cid in enumerate(ids, start=1):
        chunk = chunks[cid]
        doc = index.documents[chunk.doc_id]
        heading = " ".join([doc.title, *chunk.headings])
        years = years_in(matching_form(f"{heading} {chunk.text}"))
        context = index.context_text(chunk)
        values = {
            "fused_rr": 1 / rank, "fused_score": fused.get(cid, 0.0),
            "dense_rr": _rr(ranks, "dense", cid), "dense_s": scores.get("dense", {}).get(cid, 0.0),
            "kw_rr": _rr(ranks, "keyword", cid), "kw_s": scores.get("keyword", {}).get(cid, 0.0) / best_kw,
            "cell_rr": _rr(ranks, "cell", cid),
            "cross_rr": _rr(ranks, "cross", cid), "cross_s": scores.get("cross", {}).get(cid, 0.0),
            "tr_rr": _rr(ranks, "translated", cid), "tr_s": scores.get("translated", {}).get(cid, 0.0),
            "cov_all": keyword_coverage(stripped, context, idf),
            "cov_head": keyword_coverage(stripped, heading, idf),
            "cov_text": keyword_coverage(stripped, chunk.text, idf),
            "cov_char": keyword_coverage(stripped, context, index.char_idf, size=1),
            "loglen": math.log1p(len(chunk.text)),
            "row": float(chunk.kind == "table_row"), "chron": float(chunk.event_date is not None),
            "depth": float(len(chunk.headings)),
            "year_match": float(bool(asked & years)), "year_conflict": float(bool(asked and years and not asked & years)),
            "named": float(bool(doc.doc_number) and doc.doc_number in named),
            "doc_votes": top_docs.count(chunk.doc_id) / 10,
            "par_votes": top_parents.count(chunk.parent_id) / 10 if chunk.parent_id else 0.0,
        }
        rows.append([values.get(name, 0.0) for name in FEATURES])
    for relative, absolute in (("dense_rel", "dense_s"), ("cov_rel", "cov_all"), ("cov_char_rel", "cov_char")):
        i, j = FEATURES.index(relative), FEATURES.index(absolute)
        top = max((row[j] for row in rows), default=0.0)
        for row in rows:
            row[i] = row[j] - top
    return rows


def _rr(ranks: Mapping[str, Mapping[str, int]], leg: str, cid: str) -> float:
    rank = ranks.get(leg, {}).get(cid)
    return 1 / rank if rank else 0.0


@dataclass(frozen=True)
class LinearRanker:
    """A fitted logistic model: score = bias + Σ weight · (feature − mean) / scale, over `FEATURES` in order.
    `depth`: how many fused candidates it re-orders; `trained`: how it was fitted (split, items, cross-validation)."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    depth: int = 8
    names: tuple[str, ...] = FEATURES
    trained: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (len(self.weights) == len(self.mean) == len(self.scale) == len(self.names)):
            raise ValueError(f"ranker: {len(self.names)} features but {len(self.weights)} weights, {len(self.mean)} "
                             f"means, {len(self.scale)} scales; {RETRAIN}")

    def score(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """The model's log-odds that each candidate (a row of `FEATURES`) holds the answer."""
        terms = list(zip(self.weights, self.mean, self.scale, strict=True))
        return [self.bias + sum(w * (x - m) / (s or 1.0) for (w, m, s), x in zip(terms, row, strict=True)) for row in rows]

    def rerank(self, fused: Sequence[tuple[str, float]], rows: Sequence[Sequence[float]]) -> list[tuple[str, float]]:
        """`fused` with its first len(rows) candidates ordered by the model (ties keep the fused order) and scored
        by its probability; the rest follow in fused order with their fused scores, below every ranked one."""
        ids = [cid for cid, _ in fused[: len(rows)]]
        scored = sorted(zip(self.score(rows), ids, strict=True), key=lambda hit: -hit[0])  # stable: ties keep order
        head = [(cid, 1 / (1 + math.exp(-min(max(s, -700.0), 700.0)))) for s, cid in scored]
        return head + list(fused[len(head):])

    def digest(self) -> str:
        """A short hash of the model, for traces and reports."""
        blob = json.dumps([self.names, self.weights, self.bias, self.mean, self.scale, self.depth])
        return hashlib.sha256(blob.encode()).hexdigest()[:10]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str) -> LinearRanker:
        """The model `data` holds (as `asdict` wrote it); a clear error naming `where` when it is not one or was
        fitted to other features than `FEATURES`."""
        try:
            names = tuple(data["names"])
            ranker = cls(tuple(map(float, data["weights"])), float(data["bias"]), tuple(map(float, data["mean"])),
                         tuple(map(float, data["scale"])), int(data.get("depth", 8)), names, dict(data.get("trained", {})))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{where}: not a ranker model ({exc}); {RETRAIN}") from exc
        if names != FEATURES:
            missing = sorted(set(FEATURES) - set(names))
            extra = sorted(set(names) - set(FEATURES))
            raise ValueError(f"{where}: fitted to other features (missing {missing or '—'}, unknown {extra or '—'}); {RETRAIN}")
        return ranker


LANGUAGES = ("chinese", "english")
"""The questions each model of a fit ranks: Chinese ones, and ones in another language (`is_cross_lingual`)."""


@dataclass(frozen=True)
class Rankers:
    """One fit: a model for Chinese questions and one for questions in another language (English questions have
    other legs — the cross-lingual one, e5 over the glossary's Chinese terms — and their wording is measured by those
    terms); either may be absent, and then that language keeps the fused order."""

    chinese: LinearRanker | None = None
    english: LinearRanker | None = None

    def for_language(self, cross_lingual: bool) -> LinearRanker | None:
        return self.english if cross_lingual else self.chinese

    def digest(self) -> str:
        """A short hash of both models, for reports."""
        parts = [m.digest() if m else "-" for m in (self.chinese, self.english)]
        return hashlib.sha256("/".join(parts).encode()).hexdigest()[:10]

    def save(self, path: Path) -> None:
        data = {lang: asdict(m) for lang, m in zip(LANGUAGES, (self.chinese, self.english), strict=True) if m is not None}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Rankers:
        """The models stored at `path`; a clear error naming the file (and the language) when it is unreadable or
        a model was fitted to other features than `FEATURES`."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a ranker model ({exc}); {RETRAIN}") from exc
        if not isinstance(data, dict) or not data or set(data) - set(LANGUAGES):
            raise ValueError(f"{path}: not a ranker model (expected an object with {' and/or '.join(LANGUAGES)}); {RETRAIN}")
        models = {lang: LinearRanker.from_dict(data[lang], f"{path} ({lang})") for lang in LANGUAGES if lang in data}
        return cls(models.get("chinese"), models.get("english"))


_LOCAL = Path(__file__).with_name("ranker.json")


def load_ranker(setting: str | None) -> Rankers | None:
    """The ranker a setting names: "" or "off" → none; unset → the bundled `rag/ranker.json` (none if absent); else a
    path to a model file."""
    if setting is not None and setting.strip().lower() in ("", "off", "none"):
        return None
    path = Path(setting) if setting else _LOCAL
    if setting is None and not path.exists():
        return None
    return Rankers.load(path)

