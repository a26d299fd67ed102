"""Hybrid retrieval: a dense leg (Chroma) and a keyword leg (bm25s) fused by reciprocal rank, metadata filters,
an optional cross-encoder reranking of the fused candidates, and widening from a step or item to its whole
section, in document order."""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from index_format.protocols import Store, Vector
from index_format.windows import owner
from ingest.records import Chunk
from rag.decompose import Part, split_parts
from rag.filters import allowed_ids, store_where
from rag.glossary import Glossary, calendar_terms, default_glossary
from rag.index import LoadedIndex
from rag.query import MONTH_DAY, asked_step, is_cross_lingual, named_years
from rag.ranker import Candidates, Rankers, features
from rag.records import Filters, Passage
from rag.rerank import Reranker
from textnorm import expand_docno_lists, int_to_cn, matching_form, normalize_docnos

log = logging.getLogger(__name__)

_REMEMBERED_VECTORS = 16
_COMPARE_WORDS = re.compile(r"分别|各自|和|与|及|对比|比较|区别|不同|相比|哪个"
                            r"|\b(?:and|each|respectively|both|versus|vs|compared?|differ\w*)\b", re.I)
_ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
_LIST_WORDS = re.compile(r"程序|流程|步骤|环节|哪些|哪几|包括|条件|措施|内容|职责|情形|方式|要求|任务|做什么|怎么办|如何")


@dataclass(frozen=True)
class RetrievalConfig:
    """k_leg: hits taken from each leg; rrf_k: the RRF constant; weights per leg (…_xl: of a question not in
    Chinese; cross: its cross-lingual dense leg; translated: its e5 leg over the glossary's Chinese terms, 0 = no
    such leg); places_alone_vote: a question not in Chinese whose only glossary terms are place names still gets a
    keyword leg (False: those terms are the city filter's, the leg has nothing to say); k: passages returned;
    rerank_depth: fused candidates a reranker (when one is given) re-orders before the top k are taken;
    rows_per_table: table rows of one document's tables kept in each leg's hits and in the top k (the others move
    below them), so the rows of one long table, which share its words, do not crowd out the clauses; 0 = no cap;
    decompose: rank each part of a multi-part question on its own too (`rag.decompose`); False: as one question;
    max_per_family: documents of one near-duplicate family (`Document.family`: one text copied for another city,
    year or 文号) whose hits stay in each leg's hits and in the top k, the best ranked first; the hits of its further
    documents move below every other hit, in order (`Retrieved.capped`), so copies of one text do not crowd out the
    others; 0 = no cap;
    cell_weight: the cell leg's weight (the table rows whose cell value and column name the question both names,
    `rag.cells`); 0: no cell leg;
    cited_rows: rows of a printed table the leading clause cites by its title that are added after it (the ones
    matching the question's characters best, `HybridRetriever._cited_rows`); 0: none;
    dated_weight: the dated leg's weight (the 大事记 entries of the days the question names, `HybridRetriever.dated`);
    0: no dated leg."""

    k_leg: int = 30
    rrf_k: int = 60
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    cross_weight: float = 1.0
    dense_weight_xl: float = 1.0
    keyword_weight_xl: float = 1.0
    translated_weight: float = 1.0
    places_alone_vote: bool = False
    k: int = 8
    widen_max: int = 12
    rerank_depth: int = 20
    rows_per_table: int = 3
    decompose: bool = True
    max_per_family: int = 1
    cell_weight: float = 1.0
    cited_rows: int = 3
    dated_weight: float = 1.0
    part_lead_after: int = 2  # a part's best section from a document not in the top 5 goes after at most this many hits (-1: last)


@dataclass
class Retrieved:
    passages: list[Passage]
    legs: dict[str, list[tuple[str, float]]]
    fused: list[tuple[str, float]]
    widened: list[str] = field(default_factory=list)
    doc_numbers: list[str] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)  # each hit with the section it was widened to
    facet_leads: list[str] = field(default_factory=list)  # a comparison or parts: the best chunk of each, in order
    parts: list[str] = field(default_factory=list)  # a multi-part question: its parts, in order (`rag.decompose`)
    capped: list[str] = field(default_factory=list)  # hits the near-duplicate family cap moved out of a top k
    cited_rows: dict[str, list[str]] = field(default_factory=dict)  # a clause → the rows of the table it cites, added

    def direct(self, top: int) -> list[Passage]:
        """The first `top` passages retrieval ranked directly (not added by widening), best first."""
        return [p for p in self.passages if not p.widened][:top]


# A numbered item's label: 9. and 9、, （1）, （十一）, 二、 — the styles a procedure numbers its steps in (not 第三条:
# an article is asked by its own number)
_ITEM_LABEL = re.compile(r"^(?:(\d+)([.、．])|（(\d+)）|（([一二三四五六七八九十]+)）|([一二三四五六七八九十]+)、)$")


def item_label(label: str, n: int) -> str | None:
    """The label of item n in the style of `label` (9. → 1., （十一） → （三）, 二、 → 三、); None when `label` numbers
    no item."""
    m = _ITEM_LABEL.match(label)
    if m is None or n < 1:
        return None
    if m.group(1):
        return f"{n}{m.group(2)}"
    if m.group(3):
        return f"（{n}）"
    if m.group(4):
        return f"（{int_to_cn(n)}）"
    return f"{int_to_cn(n)}、"


@dataclass
class _Ranked:
    """One ranking (of the whole question, or of one side of a comparison)."""

    label: str
    legs: dict[str, list[tuple[str, float]]]
    fused: list[tuple[str, float]]
    score: dict[str, float]
    top: list[str]
    widened: set[str]
    groups: list[list[str]]
    capped: list[str]  # hits the family cap moved out of the top k (`RetrievalConfig.max_per_family`)
    cited_rows: dict[str, list[str]] = field(default_factory=dict)  # `Retrieved.cited_rows`


def mentioned_doc_numbers(index: LoadedIndex, question: str) -> list[str]:
    """文号 of indexed documents that the question names (any spelling: [2017], spaces before 号)."""
    q = expand_docno_lists(normalize_docnos(question)).replace(" ", "")
    if "号" not in q:
        return []
    return sorted(n for n in index.doc_numbers if n in q)


def mentioned_titles(index: LoadedIndex, question: str) -> tuple[list[str], str]:
    """(文号 of documents whose titles the question names, in the order it names them; the question without them).

    A title counts as named when its core (without 关于印发/通知/（试行）) appears in the question, or the city
    prefix aside (房地产市场监管办法 for 晋城市房地产市场监管办法); longest first, each span counted once, so a
    question naming two titles (《…监管办法（试行）》和《…补偿办法》分别…) names two documents."""
    q = matching_form(question)
    found: list[tuple[int, str]] = []
    for variant, number in index.title_variants:
        at = q.find(variant)
        if at >= 0:
            if number not in (n for _, n in found):
                found.append((at, number))
            q = q.replace(variant, " " * len(variant))  # keep positions: later titles are ordered by where they are
    if not found:
        return [], question
    return [n for _, n in sorted(found)], re.sub(r" {2,}", " ", q)


def named_documents(index: LoadedIndex, text: str) -> tuple[list[str], str]:
    """(文号 of the documents a text names — by 文号, else by title —, the text without those names)."""
    numbers = mentioned_doc_numbers(index, text)
    if not numbers:
        return mentioned_titles(index, text)
    rest = normalize_docnos(text)
    for number in numbers:
        rest = rest.replace(number, " ")
    return numbers, rest


DENSE_OVERFETCH = 4
"""How many times the asked depth a filtered dense leg first fetches without the filter (`_dense`)."""
DENSE_EXACT = 300
"""At most this many allowed clauses, a filtered dense leg short of hits ranks their records exactly (`_dense`)."""
DENSE_WIDER = 10
"""Then how many times more it fetches without the filter before the store filters (`_dense`)."""


def _dense(store: Store, vector: Vector, k: int, where: dict[str, Any] | None, allowed: set[str] | None,
           clause: Callable[[str], str] = str,
           records: Callable[[set[str]], list[str]] = sorted) -> list[tuple[str, float]]:
    """The `k` nearest records the filters allow (`clause`: the clause a record id belongs to, which `allowed` names;
    `records`: the allowed clauses' record ids). A window record carries its clause's metadata, so the store's
    filter reads it as the clause's. Chroma evaluates a `where` filter over the whole collection: about 40 ms per
    query at 3k chunks, ten times its unfiltered search (150 dev questions, 2,989 chunks: median 43–46 ms filtered by
    city vs 4.0 ms), and 75–140 ms at 100k chunks whether it allows one document or a city (unfiltered: 3 ms for
    240 hits, 13 ms for 2,400). So, in turn, until one gives `k`: the unfiltered `DENSE_OVERFETCH`·k nearest, keeping
    the allowed; when at most `DENSE_EXACT` clauses are allowed (one document, one year), their records' vectors read
    by id and ranked exactly (`Store.ranked`); `DENSE_WIDER` times more unfiltered; the store's own filter. Each
    gives the same records as the filter when the search is exact (`HNSW_BUILD`: recall 1.000 on the corpus)."""
    if where is None or allowed is None:
        return store.query(vector, k=k, where=where)
    for n in (k * DENSE_OVERFETCH, k * DENSE_OVERFETCH * DENSE_WIDER):
        hits = store.query(vector, k=n)
        kept = [hit for hit in hits if clause(hit[0]) in allowed]
        if len(kept) >= k or len(hits) < n:  # enough, or the whole collection was searched
            return kept[:k]
        if len(allowed) <= DENSE_EXACT:
            return store.ranked(vector, records(allowed), k)
    return store.query(vector, k=k, where=where)


def nearest(store: Store, windows: Store | None, vector: Vector, k: int, where: dict[str, Any] | None,
            allowed: set[str] | None, window_ids: Callable[[set[str]], list[str]]) -> list[tuple[str, float]]:
    """The dense leg: the `k` clauses nearest to `vector`, each by its closest vector — its own, or one of its
    sentence windows (`index_format.windows`, `window_ids`: the windows of some clauses) when the index has them, so
    a long clause is found by the sentences that answer rather than by the average of everything it says."""
    hits = _dense(store, vector, k, where, allowed)
    if windows is None:
        return hits
    scores = dict(hits)
    for wid, score in _dense(windows, vector, k, where, allowed, clause=owner, records=window_ids):
        cid = owner(wid)
        scores[cid] = max(scores.get(cid, score), score)
    return sorted(scores.items(), key=lambda item: -item[1])[:k]


def rrf(legs: dict[str, list[tuple[str, float]]], weights: dict[str, float], k: int) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for leg, hits in legs.items():
        for rank, (cid, _) in enumerate(hits, start=1):
            scores[cid] = scores.get(cid, 0.0) + weights.get(leg, 1.0) / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def to_passage(index: LoadedIndex, chunk: Chunk, key: str, score: float, ranks: dict[str, int], widened: bool) -> Passage:
    doc = index.documents[chunk.doc_id]
    return Passage(
        key=key, chunk_id=chunk.chunk_id, text=chunk.text, doc_id=doc.doc_id, doc_title=doc.title,
        doc_number=doc.doc_number or "", wrapper_title=doc.wrapper_title or "", path=chunk.path_str,
        headings=chunk.headings, city=doc.city, doc_type=doc.doc_type, date=doc.date,
        valid_until=doc.validity.expires, source_file=doc.source_file, line_start=chunk.line_start,
        line_end=chunk.line_end, start=chunk.start, end=chunk.end, score=score, kind=chunk.kind,
        event_date=chunk.event_date, ranks=ranks, widened=widened, cells=chunk.cells, layout=chunk.layout,
    )


class HybridRetriever:
    def __init__(self, index: LoadedIndex, config: RetrievalConfig | None = None, reranker: Reranker | None = None,
                 glossary: Glossary | None = None, ranker: Rankers | None = None) -> None:
        """`ranker`: the learned rankers that re-order the fused candidates (`rag.ranker`: one for Chinese questions,
        one for questions in another language); None: the fused order stands. `reranker`: a cross-encoder that
        re-orders the candidates after them."""
        self.index = index
        self.config = config or RetrievalConfig()
        self.reranker = reranker
        self.ranker = ranker
        self.glossary = glossary if glossary is not None else default_glossary()
        self._vectors: OrderedDict[tuple[str, str], Vector] = OrderedDict()
        self._vectors_lock = threading.Lock()

    def _embed(self, query: str, space: str = "dense") -> Vector:
        """The query's embedding in one dense space (`dense`: e5, `cross`: the cross-lingual model), remembered for
        the last few queries: one question is ranked more than once (each side of a comparison, the wrong-city
        check), and embedding is most of a question's CPU time."""
        key = (space, query)
        with self._vectors_lock:
            if key in self._vectors:
                self._vectors.move_to_end(key)
                return self._vectors[key]
        embed = self.index.embed_query if space == "dense" else self.index.embed_query_cross
        assert embed is not None, f"the index has no {space} space"
        vector = embed(query)
        with self._vectors_lock:
            self._vectors[key] = vector
            while len(self._vectors) > _REMEMBERED_VECTORS:
                self._vectors.popitem(last=False)
        return vector

    def legs(self, query: str, filters: Filters, doc_numbers: list[str],
             capped: list[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """Each leg's top k_leg among the chunks the filters allow: the keyword leg masked by the allowed ids, the
        dense legs filtered inside the store by the equivalent `where` (rag.filters.store_where). The table-row and
        near-duplicate family caps apply to each leg's hits as to the top k (a leg's 30 hits can all be copies of
        one clause); the hits the family cap moves out of a leg's top k_leg are added to `capped` when given.

        A question not in Chinese (`is_cross_lingual`) is ranked by its language, not against it: the keyword leg
        searches the Chinese terms the glossary gives for its phrases (`keyword_query`; none: the leg has nothing to
        say and does not vote), e5 ranks those terms too (`translated`: Chinese words against Chinese clauses, where
        the English question itself is compared across languages), and the cross-lingual dense leg (when the index
        has one) ranks it beside e5."""
        cfg = self.config
        allowed = allowed_ids(self.index, filters, doc_numbers)
        if allowed is not None and not allowed:
            return {"dense": [], "keyword": []}
        where = store_where(self.index, filters, doc_numbers)
        depth = cfg.k_leg * 2 if cfg.rows_per_table or cfg.max_per_family else cfg.k_leg  # room for what the caps move down
        moved = capped if capped is not None else []

        def capped_leg(hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
            top, out = self._top(self._allowed(hits, allowed), cfg.k_leg)
            moved.extend(out)
            return top

        # sentence windows rank a Chinese question's clauses (an English question's ranking measured better without)
        windows = None if is_cross_lingual(query) else self.index.window_store
        legs = {"dense": capped_leg(nearest(self.index.store, windows, self._embed(query), depth, where, allowed,
                                            self.index.window_ids))}
        words = self.keyword_query(query)
        legs["keyword"] = capped_leg(self.index.keyword.search(words, k=depth, allowed=allowed)) if words else []
        dated = self._allowed(self.dated(query), allowed) if cfg.dated_weight else []
        if dated:  # a question that names no recorded day: the leg has nothing to say and does not vote
            legs["dated"] = dated
        if not is_cross_lingual(query):
            cells = capped_leg(self.index.cells.rows(query)) if cfg.cell_weight else []
            if cells:  # a question that addresses no row's cell: the leg has nothing to say and does not vote
                legs["cell"] = cells
            return legs
        if cfg.translated_weight and words:
            legs["translated"] = capped_leg(_dense(self.index.store, self._embed(words), depth, where, allowed))
        if self.index.cross_store is not None and self.index.embed_query_cross is not None:
            legs["cross"] = capped_leg(_dense(self.index.cross_store, self._embed(query, "cross"), depth, where, allowed))
        return legs

    def weights(self, query: str) -> dict[str, float]:
        """Each leg's weight in the fusion: a question not in Chinese has its own dense and keyword weights (its
        keyword leg searches glossary terms, its e5 leg compares English with Chinese)."""
        cfg = self.config
        if is_cross_lingual(query):
            return {"dense": cfg.dense_weight_xl, "keyword": cfg.keyword_weight_xl, "cross": cfg.cross_weight,
                    "translated": cfg.translated_weight, "dated": cfg.dated_weight}
        return {"dense": cfg.dense_weight, "keyword": cfg.keyword_weight, "cell": cfg.cell_weight, "dated": cfg.dated_weight}

    def dated(self, query: str) -> list[tuple[str, float]]:
        """The dated leg: the 大事记 entries of the days the question names (7月19日; an English question's 19 July),
        of the year it names when it names one, best matching the question's words first. A chronicle entry holds
        one day's events under a bare 19日, so the words of the question share little with it; its date is data."""
        text = query.replace(" ", "") + "".join(calendar_terms(query))
        years = named_years(text)
        ids = [cid for m, d in dict.fromkeys(MONTH_DAY.findall(text))
               for year, cid in self.index.ids_by_day.get((int(m), int(d)), []) if not years or year in years]
        scored = [(cid, keyword_coverage(query, self.index.context_text(self.index.chunks[cid]), self.index.bigram_idf)) for cid in ids]
        return sorted(scored, key=lambda h: -h[1])

    def keyword_query(self, query: str) -> str:
        """What the keyword leg searches: a Chinese question as it is, with the Chinese terms of any English phrase
        it holds (an English follow-up after a Chinese question: 晋城市级债务…报告？，What if it is contingent debt →
        … 或有债务); a question not in Chinese, only the Chinese terms of its phrases and the years and days it names
        (`rag.glossary.calendar_terms`) — "" when there are none, and the leg does not vote."""
        if not is_cross_lingual(query):
            english = len(_ENGLISH_WORD.findall(query)) >= 2  # not one Latin word (PM2.5, APP) in a Chinese question
            return " ".join([query, *self.glossary.keywords(query)]) if english else query
        terms = self.glossary.keywords(query)
        if not self.config.places_alone_vote and all(re.fullmatch(self.index.places.pattern, t) for t in terms):
            terms = []  # only the city or county: the filter already holds it, the leg has nothing to say
        return " ".join([*terms, *calendar_terms(query)])

    @staticmethod
    def _allowed(hits: list[tuple[str, float]], allowed: set[str] | None) -> list[tuple[str, float]]:
        """The hits the filters allow: the same set as the store's `where` by construction; a stale store cannot
        leak."""
        return hits if allowed is None else [h for h in hits if h[0] in allowed]

    def _cap_rows(self, hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """`hits` with the table rows beyond `rows_per_table` per document moved after every other hit (in order)."""
        return self._cap(hits, self.config.rows_per_table, lambda c: (c.doc_id, c.chunk_id) if c.kind == "table_row" else None)

    def _cap_families(self, hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """`hits` with the hits of documents beyond the first `max_per_family` documents of a near-duplicate family
        (in rank order) moved after every other hit (in order): a family's best-ranked copy keeps all its hits."""
        return self._cap(hits, self.config.max_per_family, lambda c: (self.index.documents[c.doc_id].family_id, c.doc_id))

    def _cap(self, hits: list[tuple[str, float]], cap: int, keys: Callable[[Chunk], tuple[str, str] | None]) -> list[tuple[str, float]]:
        """`hits` with every hit whose (group, member) `keys` names a member beyond the first `cap` members of its
        group moved after every other hit, in order (a chunk without keys is never moved; cap 0: none is)."""
        if not cap:
            return hits
        kept: list[tuple[str, float]] = []
        moved: list[tuple[str, float]] = []
        members: dict[str, set[str]] = {}
        for hit in hits:
            chunk = self.index.chunks.get(hit[0])
            key = keys(chunk) if chunk is not None else None
            if key is not None:
                seen = members.setdefault(key[0], set())
                if key[1] not in seen and len(seen) >= cap:
                    moved.append(hit)
                    continue
                seen.add(key[1])
            kept.append(hit)
        return kept + moved

    def _top(self, ranked: list[tuple[str, float]], k: int) -> tuple[list[tuple[str, float]], list[str]]:
        """(the top k hits of a ranking after the table-row and family caps, the hits the family cap moved out)."""
        rows_capped = self._cap_rows(ranked)
        top = self._cap_families(rows_capped)[:k]
        kept = {cid for cid, _ in top}
        return top, [cid for cid, _ in rows_capped[:k] if cid not in kept]

    def _named(self, query: str) -> tuple[list[str], bool]:
        """(the 文号 of the documents the question names, whether by title rather than by 文号)."""
        doc_numbers = mentioned_doc_numbers(self.index, query)
        if doc_numbers:
            return doc_numbers, False
        return mentioned_titles(self.index, query)[0], True

    def ranking_candidates(self, query: str, filters: Filters | None = None, depth: int = 8) -> tuple[list[str], list[list[float]]]:
        """The whole question's top `depth` fused candidates, in fused order, and their learned-ranker features
        (`rag.ranker.FEATURES`): what `python -m evals train-ranker` fits the rankers on."""
        doc_numbers, titled = self._named(query)
        ranking = self._ranking_query(query, titled)
        legs = self.legs(ranking, filters or Filters(), doc_numbers)
        fused = rrf(legs, self.weights(ranking), self.config.rrf_k)
        rows = self._features(ranking, Candidates(fused, legs), doc_numbers, depth)
        return [cid for cid, _ in fused[: len(rows)]], rows

    def _features(self, query: str, candidates: Candidates, doc_numbers: list[str], depth: int) -> list[list[float]]:
        """The ranker's features of the top `depth` candidates; a question not in Chinese is measured by the Chinese
        terms its keyword leg searches (`keyword_query`)."""
        wording = self.keyword_query(query) if is_cross_lingual(query) else query
        return features(self.index, wording, self.index.places.strip(wording), candidates, doc_numbers, depth)

    def retrieve(self, query: str, filters: Filters | None = None, widen: bool | None = None) -> Retrieved:
        filters = filters or Filters()
        doc_numbers, titled = self._named(query)
        wants = bool(_LIST_WORDS.search(query)) if widen is None else widen
        facets = self._facets(query, filters, doc_numbers)
        if len(facets) >= 2:
            # a comparison (晋城和长治分别…, 1号和10号…): rank each city/document on its own, then take turns
            sides = [self._rank(self._ranking_query(query, titled), f, d, wants, label) for label, f, d in facets]
            return self._retrieved([p for p in sides if p.top], doc_numbers)
        whole = self._rank(self._ranking_query(query, titled), filters, doc_numbers, wants)
        step = asked_step(query)
        if step is not None:
            whole = self._step_lead(whole, step)
        # two cities named are a comparison's sides (`_facets`), also when a city filter keeps one of them — unless
        # the question asks one thing of each in parts of its own (长治…多少公里？晋城…多长？): each part is a side
        parts = split_parts(query, self._cities_named) if self.config.decompose else ()
        if len(self.index.places.named(matching_form(query))) >= 2 and (filters.city or not self._one_city_each(parts)):
            parts = ()
        if len(parts) < 2:
            return self._retrieved([self._with_cited_rows(whole, query)], doc_numbers)
        return self._decomposed(whole, parts, filters, doc_numbers, titled, widen)

    def _step_lead(self, ranked: _Ranked, step: int) -> _Ranked:
        """Named rule `step_lead`: a question asking step n of a procedure (第一步, 第三个环节) leads with item n of
        the numbered list its best hits come from — the first top hit in the best hit's document that numbers an
        item (`item_label`), and its sibling numbered n (same parent, same style). Widening finds it only when the
        list has a parent clause and is short enough (`widen_max`); a procedure printed as the notice's own 1.–12.
        has neither."""
        if not ranked.top:
            return ranked
        chunks = self.index.chunks
        doc = chunks[ranked.top[0]].doc_id
        lead = None
        for cid in ranked.top:
            chunk = chunks[cid]
            label = item_label(chunk.path[-1], step) if chunk.doc_id == doc and chunk.path else None
            lead = self.index.ids_by_path.get((doc, (*chunk.path[:-1], label))) if label else None
            if lead is not None:
                break
        if lead is None or lead == ranked.top[0]:
            return ranked
        groups = [[lead], *([c for c in g if c != lead] for g in ranked.groups)]
        return replace(ranked, top=[lead, *(c for c in ranked.top if c != lead)], widened=ranked.widened - {lead},
                       groups=[g for g in groups if g])

    def _cities_named(self, text: str) -> list[str]:
        """The corpus cities a text names."""
        return self.index.places.named(matching_form(text))

    def _city_of(self, part: Part) -> str | None:
        """The one corpus city a part names — in its own words, else in the context it keeps (晋城住宅房屋被征收，…)."""
        for text in (part.text, part.query):
            named = self.index.places.named(matching_form(text))
            if named:
                return named[0] if len(named) == 1 else None
        return None

    def _one_city_each(self, parts: tuple[Part, ...]) -> bool:
        """Every part of a multi-part question names one corpus city (and the parts are not all about one)."""
        cities = [self._city_of(p) for p in parts]
        return len(parts) >= 2 and None not in cities and len(set(cities)) >= 2

    def _ranking_query(self, query: str, titled: bool) -> str:
        """What ranks the clauses: the question, or — when a document title in it picks the document — the rest of
        the question."""
        if not titled:
            return query
        numbers, residual = mentioned_titles(self.index, query)
        return residual if numbers and len(residual.strip()) >= 2 else query

    def _decomposed(self, whole: _Ranked, parts: tuple[Part, ...], filters: Filters, doc_numbers: list[str],
                    titled: bool, widen: bool | None) -> Retrieved:
        """A multi-part question (`rag.decompose.split_parts`): each part ranked on its own with the question's
        filters and named documents; the whole question's ranking stays as it is and each part's best section not
        already in it follows it, so the answer can lead with one section per part (`facet_leads`, `parts`).

        Measured on the dev split (93 questions that split, 76 answerable): parts taking turns in the top k (after
        the whole question's best hit or not) and RRF over the whole question and its parts all lost hit@5 (0.895 →
        0.842–0.882) and all evidence@5 (0.829 → 0.776–0.803): the whole question already ranks most evidence of
        both parts, and each turn pushes its 3rd–5th hit out of the top 5. Appended, the ranking is unchanged and
        key-fact recall rose 0.798 → 0.827.

        Except one case: a part whose best section is from a document none of the top 5 direct hits is from (two
        documents asked at once: the whole question ranks one of them) goes among the first hits: below the first
        section, after at most `part_lead_after` (2) direct hits. Parts that each name one city (长治…多少公里？
        晋城…多长？) are each ranked in their city, and a part is ranked in the documents it names itself (a title
        named by the second part confined the first part's ranking to that document too)."""
        each_city = not filters.city and self._one_city_each(parts)  # (a city filter set: `retrieve` gives no parts)
        named = [self._named(p.query) for p in parts]  # a part is ranked in the documents it names itself, if any
        ranked = [self._rank(self._ranking_query(p.query, own_titled),
                             replace(filters, city=self._city_of(p)) if each_city else filters,
                             own, bool(_LIST_WORDS.search(p.query)) if widen is None else widen, p.text)
                  for p, (own, own_titled) in zip(parts, named, strict=True)]
        ranked = [r for r in ranked if r.groups]
        if len(ranked) < 2:
            return self._retrieved([whole], doc_numbers)
        groups = [list(g) for g in whole.groups]
        seen = {c for g in groups for c in g}
        widened = set(whole.widened)
        after = self.config.part_lead_after
        for r in ranked:
            fresh = [c for c in r.groups[0] if c not in seen]
            if fresh:
                lead = self.index.chunks[r.groups[0][0]].doc_id
                top5 = [c for g in groups for c in g if c not in widened][:5]
                shown = {self.index.chunks[c].doc_id for c in top5}
                # a part answered by a document the whole question's first hits do not reach is placed among them:
                # at the last section boundary with at most `after` direct hits above it, below the first section
                # (a group is a hit with its section, and may hold several hits of one section)
                at = len(groups)
                if after >= 0 and lead not in shown:
                    hits = list(itertools.accumulate(sum(c not in widened for c in g) for g in groups))
                    at = max([1, *(i + 1 for i, n in enumerate(hits) if n <= after)])
                groups.insert(at, fresh)
                seen.update(fresh)
                widened |= r.widened & set(fresh)
        got = self._retrieved([whole, *ranked], doc_numbers, (widened, groups))
        got.facet_leads = [r.groups[0][0] for r in ranked]  # one per part, in order (parts may share one)
        got.parts = [r.label for r in ranked]
        return got

    def _facets(self, query: str, filters: Filters, doc_numbers: list[str]) -> list[tuple[str, Filters, list[str]]]:
        """The sides of a comparison: each named document when two or more are named, else each named city when
        the question names two and no city filter is set; [] for an ordinary question."""
        if len(doc_numbers) >= 2:
            return [(d, filters, [d]) for d in doc_numbers]
        if filters.city or doc_numbers:
            return []
        q = matching_form(query)
        named = self.index.places.named(q)
        if len(named) < 2 or not _COMPARE_WORDS.search(q):
            return []
        return [(city, replace(filters, city=city), []) for city in named]

    def _rank(self, query: str, filters: Filters, doc_numbers: list[str], widen: bool, label: str = "") -> _Ranked:
        cfg = self.config
        capped: list[str] = []
        legs = self.legs(query, filters, doc_numbers, capped)
        fused = rrf(legs, self.weights(query), cfg.rrf_k)
        ranked = fused
        model = self.ranker.for_language(is_cross_lingual(query)) if self.ranker is not None else None
        if model is not None and fused:
            rows = self._features(query, Candidates(fused, legs), doc_numbers, model.depth)
            ranked = model.rerank(fused, rows)
            legs = {**legs, "learned": ranked[: len(rows)]}
        score = dict(ranked)
        if self.reranker is not None and ranked:
            candidates = [cid for cid, _ in ranked[: cfg.rerank_depth]]
            reranked = self.reranker.rerank(query, [(c, self.index.context_text(self.index.chunks[c])) for c in candidates])
            legs = {**legs, "rerank": reranked}
            score = dict(reranked)
            hits, moved = self._top(reranked, cfg.k)
        else:
            hits, moved = self._top(ranked, cfg.k)
        top = [cid for cid, _ in hits]
        widened, groups = self._widen(top, widen)
        moved = [c for c in dict.fromkeys([*capped, *moved]) if c not in top]
        return _Ranked(label, legs, fused[: cfg.k_leg], score, top, widened, groups, moved)

    def _retrieved(self, parts: list[_Ranked], doc_numbers: list[str], chosen: tuple[set[str], list[list[str]]] | None = None) -> Retrieved:
        """One Retrieved from one ranking, or from several: a comparison's sides taking turns group by group, or the
        groups already chosen (`chosen`: widened ids and groups) of a multi-part question."""
        if not parts:
            return Retrieved([], {"dense": [], "keyword": []}, [], [], doc_numbers, [])
        facet_leads: list[str]
        if chosen is not None:
            groups, facet_leads = chosen[1], []
        elif len(parts) == 1:
            groups, facet_leads = parts[0].groups, []
        else:
            groups, seen = [], set()
            for turn in itertools.zip_longest(*(p.groups for p in parts)):
                for group in turn:
                    fresh = [c for c in group or () if c not in seen]
                    seen.update(fresh)
                    if fresh:
                        groups.append(fresh)
            facet_leads = [p.groups[0][0] for p in parts if p.groups]
        ranks: dict[str, dict[str, int]] = {}
        best: dict[str, dict[str, float]] = {}  # per leg, each chunk's best score over the sides
        score: dict[str, float] = {}
        for part in parts:
            for leg, hits in part.legs.items():
                scores = best.setdefault(leg, {})
                for r, (cid, value) in enumerate(hits, start=1):
                    ranks.setdefault(cid, {}).setdefault(leg, r)
                    scores[cid] = max(value, scores.get(cid, value))
            for cid, value in part.score.items():
                score.setdefault(cid, value)
        legs = {leg: sorted(scores.items(), key=lambda kv: -kv[1]) for leg, scores in best.items()}  # one list per leg
        widened = set().union(*(p.widened for p in parts)) if chosen is None else chosen[0]
        # ranked passages: the direct hits in the order retrieval ranked them, then the clauses widening added (the
        # composer still shows each section in document order, from `groups`)
        flat = [cid for group in groups for cid in group]
        ordered = [c for c in flat if c not in widened] + [c for c in flat if c in widened]
        passages = [
            to_passage(self.index, self.index.chunks[cid], f"S{i}", score.get(cid, 0.0), ranks.get(cid, {}), cid in widened)
            for i, cid in enumerate(ordered, start=1)
        ]
        fused = sorted({cid: v for p in parts for cid, v in p.fused}.items(), key=lambda kv: -kv[1])
        capped = list(dict.fromkeys(c for p in parts for c in p.capped if c not in flat))
        cited = parts[0].cited_rows if len(parts) == 1 and chosen is None else {}
        return Retrieved(passages, legs, fused, sorted(widened), doc_numbers, groups, facet_leads, capped=capped,
                         cited_rows=cited)

    def _with_cited_rows(self, ranked: _Ranked, query: str) -> _Ranked:
        """`ranked` with the rows its leading clause cites (`_cited_rows`) as a group of their own after its section
        (rows retrieved directly move there from their own groups)."""
        if not ranked.groups:
            return ranked
        lead = ranked.groups[0][0]
        rows = [r for r in self._cited_rows(lead, query) if r not in ranked.groups[0]]
        if not rows:
            return ranked
        rest = [kept for group in ranked.groups[1:] if (kept := [c for c in group if c not in rows])]  # a row hit moves up
        added = {r for r in rows if r not in ranked.top}
        return replace(ranked, widened=ranked.widened | added, groups=[ranked.groups[0], rows, *rest], cited_rows={lead: rows})

    def _cited_rows(self, clause: str, query: str) -> list[str]:
        """The rows of a table that `clause` cites by its title in book-title marks (…根据《晋城市房屋征收附属物补偿
        指导价》（附表1）确定) and that a text of the same 文号 prints as rows, that match the question's characters
        best (IDF-weighted, `keyword_coverage` of size 1) — only when some match and the others match less: a
        question that picks no row out of the table gets none (at most `RetrievalConfig.cited_rows`). A clause says
        what the table is for; the rows hold the figures a citizen asks for (院墙被拆了怎么赔？ → the 围墙 rows)."""
        index, limit = self.index, self.config.cited_rows
        chunk = index.chunks[clause]
        if not limit or chunk.kind != "clause":  # a clause cites the table; the table's own block names its title
            return []
        text = chunk.text.replace(" ", "")
        family = index.documents[chunk.doc_id].doc_number or chunk.doc_id
        rows = [cid for title, ids in index.table_rows.get(family, {}).items() if f"《{title}》" in text for cid in ids]
        if len(rows) < 2:
            return []
        wording = index.places.strip(query)
        match = {cid: keyword_coverage(wording, index.chunks[cid].text, index.char_idf, size=1) for cid in rows}
        best = max(match.values())
        if best <= 0 or best == min(match.values()):
            return []
        return [cid for cid in rows if match[cid] == best][:limit]

    def _clauses(self, parent: str) -> list[str]:
        """The children of `parent` that widening may add: its clauses and table blocks, not its table rows (a
        table block already shows them)."""
        return [c for c in self.index.children.get(parent, []) if self.index.chunks[c].kind != "table_row"]

    def _widen(self, top: list[str], wanted: bool) -> tuple[set[str], list[list[str]]]:
        """(ids added by widening, groups in order): a step/item hit is replaced by its whole section (parent +
        siblings, in document order) when the question asks for a procedure or list, or when two hits are
        siblings; a table row is followed by its table block for a list question; duplicates dropped."""
        chunks = self.index.chunks
        widened: set[str] = set()
        seen: set[str] = set()
        groups: list[list[str]] = []
        for cid in top:
            if cid in seen:
                continue
            chunk = chunks[cid]
            parent = chunk.parent_id
            siblings = self._clauses(parent) if parent else []
            sibling_hits = sum(1 for s in siblings if s in top)
            group: list[str] = [cid]
            if chunk.kind == "table_row":
                # a row stays a row (its siblings are the other rows of its table); a list question adds the table
                # block it sits in, after it
                group = [cid, parent] if wanted and parent else [cid]
            elif parent and len(siblings) > 1 and (wanted or sibling_hits >= 2) and len(siblings) <= self.config.widen_max:
                group = [parent, *siblings]
            elif wanted and self._clauses(cid) and len(self._clauses(cid)) <= self.config.widen_max:
                group = [cid, *self._clauses(cid)]
            fresh = [g for g in group if g not in seen]
            for g in fresh:
                seen.add(g)
                if g not in top:
                    widened.add(g)
            if fresh:
                groups.append(fresh)
        return widened, groups


NOT_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]")
"""What is not part of a word: punctuation, spaces, symbols."""
QUESTION_WORDS = re.compile(r"什么|怎么|多少|哪些|如何|是否|请问|规定|吗|呢|的|了|是|有")


def keyword_coverage(question: str, text: str, idf: dict[str, float] | None = None, size: int = 2) -> float:
    """Share of the question's content bigrams that occur in text (the matching forms), weighted by IDF when
    given (搬迁补助 counts more than 土地). Question words do not count; callers pass the question with its place
    names stripped (`Places.strip`): the city is a filter, not evidence of relevance. `size` 1: single characters
    instead of bigrams (with a character IDF), which reach a clause that words the thing otherwise (院墙 → 围墙)."""
    q = NOT_WORD.sub("", matching_form(question))
    q = QUESTION_WORDS.sub("", q)
    grams = {q[i:i + size] for i in range(len(q) - size + 1)}
    if not grams:
        return 0.0
    t = matching_form(text)
    if idf is None:
        return sum(1 for g in grams if g in t) / len(grams)
    default = getattr(idf, "unseen", None) or max(idf.values(), default=1.0)  # a bigram the corpus never has is as rare as can be
    weights = {g: idf.get(g, default) for g in grams}
    return sum(w for g, w in weights.items() if g in t) / sum(weights.values())
