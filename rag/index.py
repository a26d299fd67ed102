"""The loaded index, once per process: documents, chunks and their links, the keyword index, the vector store
and the query embedder."""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from index_format.embedding import embedding_text
from index_format.generations import IndexFiles, load_state
from index_format.keyword import Idf, KeywordIndex
from index_format.keyword import bigram_idf as keyword_idf
from index_format.keyword import char_idf as character_idf
from index_format.manifest import Manifest
from index_format.protocols import Embedder, QueryEmbedder, Store
from index_format.windows import sentence_windows, window_id
from ingest.records import Chunk, Document
from rag.cells import CellIndex
from rag.places import Places
from rag.query import ordinal_heads
from settings import Settings
from textnorm import matching_form

log = logging.getLogger(__name__)

_TITLE_NOISE = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}市)?(?:人民政府)?(?:办公厅|办公室)?关于(?:印发)?|[《》“”]|[（(]试行[）)]|的通知$|通知$")
_ROW_NUMBER = re.compile(r"序号|编号")  # the column that numbers a table's rows
_SENTENCE_MARK = re.compile(r"[。；;，,：:]")
_TERM_WORDS = re.compile(r"有效期|试行期|执行期|有效至")  # a document's text states how long it applies
# a notice's list of its attachments (附件：1. X / 2. Y, or 附件：X for one), its entries, and an attachment's label
_ATTACHMENT_LIST = re.compile(r"^[-\s]*附[件表录]\s*[:：]\s*(?:(\d{1,2})\s*[.．、]\s*)?(.*)$")
_LIST_ENTRY = re.compile(r"^(\d{1,2})\s*[.．、]\s*(.+)$")
_ATTACHMENT_LABEL = re.compile(r"^附[件表录]\s*([0-9０-９]{0,2})")
_SIGNATURE = re.compile(r"人民政府|办公室|办公厅|(?:19|20)\d{2}年\d{1,2}月")
_SHARED_TITLE = 0.3  # share of a listed title's character pairs the printed attachment's title line must hold


class IndexMissing(FileNotFoundError):
    """No index for these settings; the message says how to build it."""


def _issued(d: Document) -> str:
    """What a document is issued under: a notice, the text it issues and its attachments go together — their 文号
    (the notice's for an attachment without its own), else the doc id."""
    return d.doc_number or d.parent_doc_number or d.doc_id


@dataclass
class LoadedIndex:
    """Everything retrieval reads. `store` answers dense queries (chunk_id, cosine) and `embed_query` embeds
    the question; both are injected so tests can use a fake embedder and a real or temporary store.
    `cross_store`/`embed_query_cross`: the cross-lingual dense space (`Settings.cross_lingual`), when the index
    was built with one."""

    documents: dict[str, Document]
    chunks: dict[str, Chunk]
    keyword: KeywordIndex
    store: Store
    embed_query: QueryEmbedder
    children: dict[str, list[str]] = field(default_factory=dict)
    by_doc: dict[str, list[str]] = field(default_factory=dict)
    generation: int | None = None
    cross_store: Store | None = None  # the second dense space (questions not in Chinese), same chunk ids; None: the index has none
    embed_query_cross: QueryEmbedder | None = None
    window_store: Store | None = None  # sentence windows of long clauses (`index_format.windows`), first space; None: none
    window_size: int = 0  # the windows' size in characters (the manifest's); 0: no windows

    def __post_init__(self) -> None:
        children: dict[str, list[str]] = defaultdict(list)
        by_doc: dict[str, list[str]] = defaultdict(list)
        for chunk in sorted(self.chunks.values(), key=lambda c: (c.doc_id, c.ordinal)):
            by_doc[chunk.doc_id].append(chunk.chunk_id)
            if chunk.parent_id:
                children[chunk.parent_id].append(chunk.chunk_id)
        self.children = dict(children)
        self.by_doc = dict(by_doc)

    @cached_property
    def bigram_idf(self) -> dict[str, float]:
        """Inverse document frequency of character bigrams over the chunks (rare bigrams weigh more); written by
        the ingest, computed here only for an index without it."""
        return keyword_idf([c.norm_text for c in self.chunks.values()])

    @cached_property
    def char_idf(self) -> dict[str, float]:
        """Inverse document frequency of single characters over the chunks (the rankers' character coverage);
        written by the ingest, computed here only for an index without it."""
        return character_idf([c.norm_text for c in self.chunks.values()])

    @cached_property
    def doc_numbers(self) -> frozenset[str]:
        return frozenset(d.doc_number for d in self.documents.values() if d.doc_number)

    @cached_property
    def ids_by_city(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for cid, chunk in self.chunks.items():
            out[self.documents[chunk.doc_id].city].add(cid)
        return {k: frozenset(v) for k, v in out.items()}

    @cached_property
    def ids_by_doc_number(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for cid, chunk in self.chunks.items():
            number = self.documents[chunk.doc_id].doc_number
            if number:
                out[number].add(cid)
        return {k: frozenset(v) for k, v in out.items()}

    @cached_property
    def ids_by_day(self) -> dict[tuple[int, int], list[tuple[int, str]]]:
        """The dated chunks (大事记 entries: `Chunk.event_date`) by (month, day), as (year, chunk id) by chunk id."""
        out: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
        for cid, chunk in sorted(self.chunks.items()):
            if chunk.event_date is not None:
                out[(chunk.event_date.month, chunk.event_date.day)].append((chunk.event_date.year, cid))
        return dict(out)

    @cached_property
    def cells(self) -> CellIndex:
        """The table rows by their cell values, for questions that address a row and a column (`rag.cells`)."""
        return CellIndex.of(self.chunks.values())

    @cached_property
    def places(self) -> Places:
        """The corpus's cities and their counties, and known cities it lacks (`rag.places`)."""
        return Places.of(self.documents.values())

    @cached_property
    def title_variants(self) -> list[tuple[str, str]]:
        """(title variant, 文号) of every numbered document, longest first: the title's core (without 关于印发/通知/
        （试行）) and the core without its city prefix, in matching form; a question naming one names the document."""
        found: dict[str, str] = {}
        cities = "|".join(map(re.escape, sorted(self.places.cities, key=len, reverse=True)))
        for doc in self.documents.values():
            if not doc.doc_number:
                continue
            core = matching_form(_TITLE_NOISE.sub("", doc.title))
            for variant in (core, re.sub(rf"^(?:{cities})市?", "", core) if cities else core):
                if len(variant) >= 6 and variant not in found:
                    found[variant] = doc.doc_number
        return sorted(found.items(), key=lambda kv: -len(kv[0]))

    @cached_property
    def row_numbers(self) -> dict[str, frozenset[int]]:
        """Each document's printed table-row numbers: the values of its table rows' 序号 (编号) cells."""
        out: dict[str, set[int]] = defaultdict(set)
        for chunk in self.chunks.values():
            if chunk.kind == "table_row":
                out[chunk.doc_id] |= {int(v) for col, v in chunk.cells if _ROW_NUMBER.search(col) and v.strip().isdigit()}
        return {doc: frozenset(numbers) for doc, numbers in out.items() if numbers}

    @cached_property
    def title_only(self) -> frozenset[str]:
        """The chunks of attachments that print their title and nothing else (附录1 / 晋城市…应急组织指挥体系框架图:
        the gazette printed a figure's or map's title, not the figure): an attachment document whose one chunk is its
        preamble of at most two lines (its label and its title) and no sentence. Read by `table_not_printed`."""
        chunks: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in self.chunks.values():
            chunks[chunk.doc_id].append(chunk)
        return frozenset(only.chunk_id for doc_id, (only, *more) in chunks.items()
                         if not more and only.kind == "preamble" and self.documents[doc_id].kind == "attachment"
                         and len(only.text.strip().splitlines()) <= 2 and not _SENTENCE_MARK.search(only.text))

    @cached_property
    def unprinted_attachments(self) -> dict[str, tuple[tuple[int, str], ...]]:
        """The attachments a notice lists (附件：1.… 2.…) that the gazette did not print, by document id — the
        notice's and every document issued with it (`_issued`): (number, listed title). An entry is printed when an
        attachment of that number goes with the document (附件2; 附件 alone is number 1) and prints more than its
        title (`title_only`), under a title line holding `_SHARED_TITLE` of the listed title's character pairs when
        it has one (a table printed straight after its label has no title line, and counts). Read by
        `unprinted_attachment`."""
        printed: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in self.chunks.values():
            by_doc[chunk.doc_id].append(chunk)
        for d in self.documents.values():
            label = _ATTACHMENT_LABEL.match(d.title.replace(" ", ""))
            chunks = by_doc.get(d.doc_id, [])
            if d.kind != "attachment" or label is None or all(c.chunk_id in self.title_only for c in chunks):
                continue
            lines = [line.strip() for line in d.text.splitlines() if line.strip()]
            title = d.title[label.end():].strip() or (lines[1] if len(lines) > 1 and "\t" not in lines[1] else "")
            printed[_issued(d)][int(label.group(1).translate(_FULL_WIDTH_DIGITS) or 1)].append(title)

        out: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for chunk in self.chunks.values():
            owner = _issued(self.documents[chunk.doc_id])
            for number, title in _listed_attachments(chunk.text):
                if (number, title) in out[owner]:
                    continue
                titles = printed.get(owner, {}).get(number)
                if any(title.strip("《》") in c for c in self.captions):
                    continue  # printed under a title or heading of its own (附表1：…补偿指导价 as a table)
                if titles is None or not any(not t or _shares(title, t) for t in titles):
                    out[owner].append((number, title))
        return {d.doc_id: tuple(entries) for d in self.documents.values() if (entries := out.get(_issued(d)))}

    @cached_property
    def table_rows(self) -> dict[str, dict[str, list[str]]]:
        """The printed tables' rows by 文号 (doc id for a document without one), then by a heading of the rows (the
        table's title among them), in document order: what a clause citing 《title》 points to."""
        out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for chunk in sorted(self.chunks.values(), key=lambda c: (c.doc_id, c.ordinal)):
            if chunk.kind == "table_row":
                owner = self.documents[chunk.doc_id].doc_number or chunk.doc_id
                for heading in dict.fromkeys(h.replace(" ", "") for h in chunk.headings if len(h) >= 4):
                    out[owner][heading].append(chunk.chunk_id)
        return {owner: dict(titles) for owner, titles in out.items()}

    @cached_property
    def unstated_terms(self) -> dict[str, str]:
        """The documents that state no term (no 有效期, 试行期 or 执行期 in any text of their 文号, and no expiry in
        their metadata): doc id → the sentence saying when they take effect ("" when there is none)."""
        stated = {_issued(d) for d in self.documents.values() if d.validity.expires is not None or _TERM_WORDS.search(d.text)}
        return {d.doc_id: d.validity.statement for d in self.documents.values()
                if _issued(d) not in stated and d.kind != "chronicle"}

    @cached_property
    def captions(self) -> frozenset[str]:
        """Every document title and chunk heading, in matching form: what the corpus prints content under."""
        titles = (t for d in self.documents.values() for t in (d.title, d.wrapper_title) if t)
        return frozenset(f for h in (*titles, *(h for c in self.chunks.values() for h in c.headings)) if (f := matching_form(h)))

    @cached_property
    def clause_lines(self) -> tuple[str, list[str]]:
        """Every line of every chunk in matching form: joined by newlines (for substring tests), and as a list."""
        lines = [f for c in self.chunks.values() for line in c.text.splitlines() if (f := matching_form(line))]
        return "\n".join(lines), lines

    @cached_property
    def ordinal_heads(self) -> frozenset[str]:
        """The numbered series of the corpus as each unit with the character after it (`rag.query.ordinal_heads`:
        第20次常务会议 → 次常), read by `ordinal_not_covered`, so a question does not scan the corpus."""
        return ordinal_heads(self.clause_lines[0])

    @cached_property
    def ids_by_path(self) -> dict[tuple[str, tuple[str, ...]], str]:
        """Each clause's id by (document id, path), so retrieval finds a clause's sibling numbered n (`step_lead`)
        without scanning the chunks."""
        return {(c.doc_id, c.path): cid for cid, c in self.chunks.items()}

    def warm(self) -> None:
        """Derive now, at load, what the rules and retrieval read from the index, not on the first question (about
        0.1 s on the bundled corpus, mostly `clause_lines`; it grows with the corpus)."""
        _ = (self.places, self.cells, self.clause_lines, self.ordinal_heads, self.captions, self.unstated_terms, self.ids_by_day,
             self.row_numbers, self.title_only, self.unprinted_attachments, self.table_rows, self.title_variants, self.doc_numbers, self.ids_by_city, self.ids_by_doc_number,
             self.ids_by_path)

    def window_ids(self, chunk_ids: Iterable[str]) -> list[str]:
        """The ids of the sentence windows of these clauses (`index_format.windows`, the index's window size)."""
        if not self.window_size:
            return []
        return [window_id(cid, i) for cid in chunk_ids
                for i in range(len(sentence_windows(self.chunks[cid].text, self.window_size)))]

    def context_text(self, chunk: Chunk) -> str:
        return embedding_text(self.documents[chunk.doc_id].title, chunk.headings, chunk.index_text)


def load_index(settings: Settings, embedder: Embedder | None = None, store: Store | None = None,
               embed_query: QueryEmbedder | None = None, cross_store: Store | None = None,
               embed_query_cross: QueryEmbedder | None = None, window_store: Store | None = None) -> LoadedIndex:
    """Load the published generation of the index for `settings` (the pointer is read once, so the files and
    the collection belong to the same generation); raises IndexMissing with the command that builds it.
    `embed_query` reuses an already loaded query embedder (a reload does not load the model again); likewise
    `cross_store`/`embed_query_cross` for the cross-lingual space, `window_store` for the sentence windows (opened
    when the generation's manifest says it has them)."""
    files = IndexFiles.of(settings)
    if not files.exists():
        raise IndexMissing(f"no index at {files.root.parent}: run `python -m ingest` first (or `make run`)")
    manifest, documents, chunks = load_state(files)
    keyword = KeywordIndex.load(files.keyword)
    keyword.search("预热", k=1)  # loads jieba's dictionary now, not on the first question
    if store is None:
        from index_format.store import ChunkStore

        store = ChunkStore.open(settings, files.collection)
    if embed_query is None:
        if embedder is None:
            from ingest.embedders import make_embedder

            embedder = make_embedder(settings.embedder, settings.embed_model, models_dir=settings.models_dir, side="queries")
        embed_query = embedder.embed_query
    cross_store, embed_query_cross = _cross_lingual(settings, files, manifest, cross_store, embed_query_cross)
    log.info("index loaded", extra={"chunks": len(chunks), "documents": len(documents), "root": str(files.root),
                                    "cross_lingual": manifest.cross_lingual})
    if window_store is None and manifest.windows:
        from index_format.store import ChunkStore

        window_store = ChunkStore.open(settings, files.window_collection)
    index = LoadedIndex(documents, chunks, keyword, store, embed_query, generation=files.generation,
                        cross_store=cross_store, embed_query_cross=embed_query_cross,
                        window_store=window_store if manifest.windows else None, window_size=manifest.windows)
    if chunks:
        index.store.query(embed_query("预热"), k=1)  # Chroma reads its vector index now, not on the first question
    if files.idf.exists():
        index.bigram_idf = Idf(json.loads(files.idf.read_text(encoding="utf-8")))  # fills the cached property
    if files.char_idf.exists():
        index.char_idf = Idf(json.loads(files.char_idf.read_text(encoding="utf-8")))
    index.warm()
    return index


def _cross_lingual(settings: Settings, files: IndexFiles, manifest: Manifest, store: Store | None,
                   embed_query: QueryEmbedder | None) -> tuple[Store | None, QueryEmbedder | None]:
    """The cross-lingual collection and its query embedder, when the generation's manifest says it has one (an
    index built with `RAG_CROSS_LINGUAL=off`, or by an older version, has none: English questions use e5 alone)."""
    if not manifest.cross_lingual:
        return None, None
    if embed_query is None:
        from ingest.embedders import cross_lingual_factory

        factory = cross_lingual_factory(settings.cross_lingual)
        if factory is None:
            return None, None
        embedder = factory()
        if embedder.name != manifest.cross_lingual:
            log.warning("cross-lingual vectors of another embedder: not used (run `python -m ingest`)",
                        extra={"index": manifest.cross_lingual, "embedder": embedder.name})
            return None, None
        embed_query = embedder.embed_query
    if store is None:
        from index_format.store import ChunkStore

        store = ChunkStore.open(settings, files.cross_collection)
    return store, embed_query


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _listed_attachments(text: str) -> list[tuple[int, str]]:
    """The entries of the attachment lists in a clause's text: (number, title), a title wrapped over lines joined."""
    lines = text.splitlines()
    found: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        m = _ATTACHMENT_LIST.match(line)
        if m is None:
            continue
        entries: list[list[int | str]] = [[int(m.group(1) or 1), m.group(2).strip()]] if m.group(2).strip() else []
        for following in lines[i + 1:]:
            entry = _LIST_ENTRY.match(following.strip())
            if entry and int(entry.group(1)) == (int(entries[-1][0]) + 1 if entries else 1):
                entries.append([int(entry.group(1)), entry.group(2).strip()])
            elif (entries and len(following) < 25 and not following.rstrip().endswith("。") and not _SIGNATURE.search(following)
                  and not following.lstrip().startswith("附")):
                entries[-1][1] = f"{entries[-1][1]}{following.strip()}"  # a title wrapped onto the next line
            else:
                break
        found.extend((int(n), matching_form(str(t))) for n, t in entries)
    return found


def _shares(listed: str, printed: str) -> bool:
    """Whether a printed attachment's title line holds `_SHARED_TITLE` of the listed title's character pairs."""
    pairs = {listed[i:i + 2] for i in range(len(listed) - 1)}
    printed = matching_form(printed)
    return not pairs or sum(1 for g in pairs if g in printed) >= _SHARED_TITLE * len(pairs)
