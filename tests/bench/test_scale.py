"""The scale benchmark's building blocks at a tiny size (about 400 chunks) on the small corpus index, with the
bigram fake embedder: the synthetic copies, the derived vectors, building, loading and timing every leg."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bench.archive_index import LEGS, QueryVectors, Question, build, index_settings, load, measure, names_document
from bench.diversity import TopFive
from bench.synthetic import CITY_POOL, INVENTED_CITIES, Archive, Variant, derived_vectors, replicate
from index_format.generations import IndexFiles
from index_format.keyword import bigram_idf, char_idf
from index_format.windows import owner, window_chunks
from ingest.pipeline import _write_index_files
from ingest.records import Chunk, Document
from rag.index import LoadedIndex
from tests.fakes import BigramEmbedder

Source = tuple[dict[str, Document], dict[str, Chunk]]
SOURCE_DOCNOS = ("晋市政发〔2018〕23号", "晋市政发〔2021〕3号", "长政办发〔2020〕33号")  # about 140 chunks
TARGET = 400
QUESTIONS = (
    Question("住宅房屋被征收，搬迁补助费怎么算？", doc_numbers=("晋市政发〔2018〕23号",)),
    Question("中心城区土地征收的程序是什么？", doc_numbers=("晋市政发〔2021〕3号",)),
    Question("长治市政务公开标准化规范化工作的目标是什么？"),
    Question("第二步具体要做什么？", history=("中心城区土地征收的程序是什么？",)),
)


@pytest.fixture(scope="module")
def source(small_index: LoadedIndex) -> Source:
    docs = {k: d for k, d in small_index.documents.items() if d.doc_number in SOURCE_DOCNOS}
    chunks = {k: c for k, c in small_index.chunks.items() if c.doc_id in docs}
    assert 50 < len(chunks) < 200  # with the 26 rows of 长政办发〔2020〕33号's table
    return docs, chunks


@pytest.fixture(scope="module")
def archive(source: Source) -> Archive:
    return replicate(*source, TARGET)


@pytest.fixture(scope="module")
def base(small_index: LoadedIndex, source: Source) -> dict[str, np.ndarray]:
    """The source chunks' stored vectors and their sentence windows' (as bench.scale.prepare saves them)."""
    got = small_index.store.collection.get(ids=list(source[1]), include=["embeddings"])
    assert small_index.window_store is not None
    windows = small_index.window_store.collection.get(where={"doc_id": {"$in": list(source[0])}}, include=["embeddings"])
    vectors = np.concatenate([np.asarray(got["embeddings"]), np.asarray(windows["embeddings"])]).astype(np.float32)
    return dict(zip(got["ids"] + windows["ids"], vectors, strict=True))


def test_variant_renames_city_and_own_docno_prefix_and_shifts_years_without_changing_length() -> None:
    text = "根据晋市政发〔2021〕3号和长政办发〔2020〕33号及晋政发〔2020〕5号，晋城市2021年3月起施行（2018.4）"
    copy5 = Variant.of(5)
    assert copy5.cities == {"晋城": "枫陵", "长治": "芷林"} and copy5.year_shift == -3
    assert copy5.rewrite(text) == "根据枫市政发〔2018〕8号和芷政办发〔2017〕38号及晋政发〔2017〕1号，枫陵市2018年3月起施行（2015.4）"
    assert Variant.of(0).rewrite(text) == text
    for copy in range(1, 40):
        assert len(Variant.of(copy).rewrite(text)) == len(text)


def test_a_renamed_city_s_counties_are_renamed_with_it_and_a_kept_city_keeps_them() -> None:
    counties = {"晋城": ("泽州", "阳城"), "长治": ("潞州", "长子", "沁县")}
    text = "晋城市泽州县、阳城县，长治市潞州区、长子县、沁县"
    copy5 = Variant.of(5, counties)  # 晋城 → 枫陵, 长治 → 芷林
    assert copy5.rewrite(text) == "枫陵市枫宁县、枫丰县，芷林市芷宁区、芷丰县、芷县"  # 沁县 keeps its suffix
    names = {n for copy in range(1, 40) for n in Variant.of(copy, counties).places.values()}
    assert not names & {n for c in counties.values() for n in c} and not names & set(CITY_POOL)
    kept = Variant.of(10, counties)  # 晋城 stays 晋城 (a year-shifted copy): its counties stay too
    assert kept.cities["晋城"] == "晋城" and "泽州县" in kept.rewrite(text) and "潞州" not in kept.rewrite(text)
    for copy in range(1, 40):
        assert len(Variant.of(copy, counties).rewrite(text)) == len(text)


def test_copies_are_whole_documents_with_distinct_ids_and_resolvable_links(archive: Archive, source: Source) -> None:
    _, chunks = source
    assert TARGET <= len(archive.chunks) < TARGET + len(chunks)
    assert archive.copies == -(-TARGET // len(chunks))  # ceil: whole copies until the target is reached
    assert len(set(archive.origin)) == len(archive.chunks) and set(archive.origin.values()) == set(chunks)
    per_doc = {d: sum(1 for c in archive.chunks.values() if c.doc_id == d) for d in archive.documents}
    assert sum(per_doc.values()) == len(archive.chunks)
    for doc_id, n in per_doc.items():
        assert n == sum(1 for c in chunks.values() if c.doc_id == doc_id.split("#")[0])  # nothing cut mid-document
    for chunk in archive.chunks.values():
        assert archive.documents[chunk.doc_id].text[chunk.start:chunk.end] == chunk.text
        for link in (chunk.parent_id, chunk.prev_id, chunk.next_id):
            assert link is None or link in archive.chunks
    assert {k: archive.chunks[k] for k in chunks} == chunks  # copy 0 is the real corpus, ids and all


def test_copies_differ_in_docno_city_and_date(archive: Archive) -> None:
    land = [d for d in archive.documents.values() if d.doc_id.split("#")[0] == next(
        d.doc_id for d in archive.documents.values() if d.doc_number == "晋市政发〔2021〕3号")]
    assert len(land) >= archive.copies - 1  # every complete copy holds it (the last one may stop before it)
    numbers = [d.doc_number for d in land]
    assert len(set(numbers)) == len(numbers) and all(re.fullmatch(r"[\u4e00-\u9fff]+〔20\d\d〕\d+号", n or "") for n in numbers)
    assert len({d.date for d in land}) == len(land)
    assert {d.city for d in archive.documents.values()} & set(INVENTED_CITIES)
    for doc in land[1:]:
        assert "晋市政发〔2021〕3号" not in doc.text and doc.city in (doc.issuer or "")


def test_derived_vectors_stay_near_their_original_and_are_unit_length(archive: Archive, base: dict[str, np.ndarray]) -> None:
    ids = archive.ordered_ids()
    vectors = derived_vectors(ids, archive.origin, base, 0.01, np.random.default_rng(0))
    assert vectors.shape == (len(ids), 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    for cid, v in zip(ids, vectors, strict=True):
        cosine = float(v @ base[archive.origin[cid]])
        if archive.origin[cid] == cid:
            assert cosine == pytest.approx(1.0, abs=1e-5)
        else:
            assert 0.9 < cosine < 0.9999


def test_build_load_and_measure_count_every_chunk_and_time_every_leg(archive: Archive, base: dict[str, np.ndarray], tmp_path: Path) -> None:
    stats = build(tmp_path, archive, base, sigma=0.01)
    n = len(archive.chunks)
    assert stats["chunks"] == stats["stored"] == n and stats["documents"] == len(archive.documents)
    assert stats["families"] == len({d.doc_id.split("#")[0] for d in archive.documents.values()})  # copies are one family
    assert stats["chroma_add_per_s"] > 0 and stats["keyword_build_per_s"] > 0
    assert all(size > 0 for size in stats["disk_mib"].values())
    embedder = BigramEmbedder()
    queries = QueryVectors({q.text: embedder.embed_query(q.text) for q in QUESTIONS}, lambda: embedder)
    index = load(tmp_path, queries)
    assert len(index.chunks) == n and len(index.keyword.ids) == n and index.store.count() == n
    # every copy of a long clause has its original's windows, under its own ids, with vectors near the original's
    windows = window_chunks(archive.chunks.values(), index_settings(tmp_path).dense_windows)
    assert stats["windows"] == len(windows) > len([w for w in windows if owner(w) in base])
    assert index.window_store is not None and index.window_store.count() == len(windows)
    copy = next(w for w in windows if archive.origin[owner(w)] != owner(w))
    original = archive.origin[owner(copy)] + copy[len(owner(copy)):]
    stored = index.window_store.collection.get(ids=[copy], include=["embeddings"])["embeddings"][0]
    assert 0.9 < float(np.asarray(stored) @ base[original]) < 0.9999
    assert IndexFiles.of(index_settings(tmp_path)).exists()  # published as a generation, as ingest publishes
    run = measure(index, QUESTIONS, queries.vectors, rounds=2)
    for leg in LEGS:
        assert len(run.ms[leg]) == 2 * len(QUESTIONS) and all(ms > 0 for ms in run.ms[leg])
        assert run.cold_ms[leg] > 0
    assert run.docno_items == 2 * 2 and 0 <= run.docno_hits <= run.docno_items
    # only the rewritten follow-up was not precomputed: embedded at run time, once
    assert queries.misses and not set(queries.misses) & {q.text for q in QUESTIONS}
    assert len(queries.misses) == len(set(queries.misses))
    summary = run.summary()
    assert summary["legs_ms"]["answer"]["n"] == 8 and summary["legs_ms"]["answer"]["p95"] >= summary["legs_ms"]["answer"]["p50"]
    capped, uncapped = summary["top5"]["capped"], summary["top5"]["uncapped"]
    assert capped["questions"] == uncapped["questions"] == 2  # the questions with a gold 文号, counted on one pass
    assert capped["copies_in_top_5"] == 0 < uncapped["copies_in_top_5"]  # without the cap, copies share the top 5
    assert capped["families_in_top_5"] >= uncapped["families_in_top_5"]
    assert capped["gold_family_hit_at_5"] >= capped["gold_docno_hit_at_5"]


def test_build_writes_the_files_ingest_writes_and_load_reads_the_gate_weights(archive: Archive, base: dict[str, np.ndarray],
                                                                              tmp_path: Path) -> None:
    """The benchmark measures what the product does: its generation holds the same files as ingest's, the bigram
    IDF among them (equal weights), and loading takes the weights from that file instead of computing them."""
    build(tmp_path / "bench", archive, base, sigma=0.01)
    built = IndexFiles.of(index_settings(tmp_path / "bench"))
    ingested = IndexFiles(tmp_path / "ingest" / "g1", built.collection)
    ingested.root.mkdir(parents=True)
    _write_index_files(ingested, index_settings(tmp_path / "ingest"), {}, archive.documents, archive.chunks)
    assert sorted(p.name for p in built.root.iterdir()) == sorted(p.name for p in ingested.root.iterdir())
    assert built.documents.read_text(encoding="utf-8") == ingested.documents.read_text(encoding="utf-8")  # families too
    for weights in (built.idf, built.char_idf):  # the same weights as the ingest writes
        twin = ingested.root / weights.name
        assert json.loads(weights.read_text(encoding="utf-8")) == json.loads(twin.read_text(encoding="utf-8"))
    embedder = BigramEmbedder()
    index = load(tmp_path / "bench", QueryVectors({}, lambda: embedder))
    assert "bigram_idf" in vars(index) and "char_idf" in vars(index)  # read at load, not computed on the first question
    texts = [c.norm_text for c in index.chunks.values()]
    assert index.bigram_idf == pytest.approx(bigram_idf(texts)) and index.char_idf == pytest.approx(char_idf(texts))


def test_a_question_tells_its_document_from_the_copies_only_by_its_city_county_or_docno(small_index: LoadedIndex) -> None:
    docno = "晋市政发〔2018〕23号"
    assert names_document(small_index, Question("晋城市住宅房屋被征收，搬迁补助费怎么算？", doc_numbers=(docno,)))
    assert names_document(small_index, Question("泽州县房屋被征收，搬迁补助费怎么算？", doc_numbers=(docno,)))  # its county
    assert names_document(small_index, Question(f"{docno}的搬迁补助费怎么算？", doc_numbers=(docno,)))
    assert names_document(small_index, Question("搬迁补助费怎么算？", ("晋城的征收办法",), doc_numbers=(docno,)))
    assert not names_document(small_index, Question("住宅房屋被征收，搬迁补助费怎么算？", doc_numbers=(docno,)))
    assert not names_document(small_index, Question("长治市房屋被征收，搬迁补助费怎么算？", doc_numbers=(docno,)))


def test_gold_docno_hits_are_also_counted_over_the_questions_that_name_their_document(archive: Archive) -> None:
    top = TopFive.of(archive.documents)
    original = next(d for d in archive.documents.values() if d.doc_number == "晋市政发〔2018〕23号")
    copy = next(d for d in archive.documents.values() if d.family_id == original.family_id and d is not original)
    passage = {d.doc_id: SimpleNamespace(doc_id=d.doc_id, doc_number=d.doc_number) for d in (original, copy)}
    top.add([passage[original.doc_id]], [original.doc_number], named=True)  # type: ignore[list-item]
    top.add([passage[copy.doc_id]], [original.doc_number], named=True)  # type: ignore[list-item]
    top.add([passage[copy.doc_id]], [original.doc_number], named=False)  # type: ignore[list-item]
    summary = top.summary()
    assert summary["gold_docno_hit_at_5"] == 0.333 and summary["gold_family_hit_at_5"] == 1.0
    assert summary["named_questions"] == 2 and summary["gold_docno_hit_at_5_named"] == 0.5
