"""Hybrid retrieval over a real index: fusion, filters, widening."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pytest

from rag.filters import allowed_ids
from rag.index import LoadedIndex
from rag.pipeline import Pipeline
from rag.records import Filters
from rag.retrieve import HybridRetriever, RetrievalConfig, item_label, mentioned_doc_numbers, rrf


def test_rrf_rewards_agreement_between_legs() -> None:
    fused = rrf({"dense": [("a", 0.9), ("b", 0.8)], "keyword": [("b", 5.0), ("c", 4.0)]}, {}, 60)
    assert [cid for cid, _ in fused] == ["b", "a", "c"]


def test_procedure_question_returns_the_whole_section_in_order(small_index: LoadedIndex) -> None:
    got = HybridRetriever(small_index).retrieve("中心城区土地征收的程序是什么？")
    by_id = {p.chunk_id: p for p in got.passages}
    section = [by_id[c].path for c in got.groups[0]]  # the section, in document order, for the composer
    assert section == ["二、（四）", "二、（四）1.", "二、（四）2.", "二、（四）3.", "二、（四）4.", "二、（四）5."]


def test_an_item_label_in_the_style_of_another() -> None:
    assert item_label("9.", 1) == "1."
    assert item_label("（十一）", 3) == "（三）"
    assert item_label("二、", 12) == "十二、"
    assert item_label("（2）", 5) == "（5）"
    assert item_label("第三条", 1) is None  # an article is asked by its own number, not as a step
    assert item_label("表", 1) is None


def test_a_step_asked_leads_with_that_item_of_the_procedure_even_when_the_list_has_no_parent(small_index: LoadedIndex) -> None:
    # step_lead: 晋市政办〔2018〕53号 prints its procedure as the notice's own items 1.–12. (no parent clause to widen to)
    got = HybridRetriever(small_index).retrieve("市区土地征收储备供应工作流程的第一步是什么？")
    first = got.passages[0]
    assert (first.doc_number, first.path) == ("晋市政办〔2018〕53号", "1.")
    assert "第四季度" in first.readable
    assert not first.widened


def test_ranked_passages_put_the_direct_hits_first_in_their_retrieval_order(small_index: LoadedIndex) -> None:
    got = HybridRetriever(small_index).retrieve("中心城区土地征收的程序是什么？")
    flags = [p.widened for p in got.passages]
    assert flags == sorted(flags) and any(flags)  # every direct hit before every clause widening added
    # the best-ranked hit leads; a hit that is a sibling of an earlier one follows that one's section
    assert got.passages[0].chunk_id == got.fused[0][0]
    direct = [p.chunk_id for p in got.passages if not p.widened]
    assert direct == [c for group in got.groups for c in group if c in set(direct)]


def test_city_filter_keeps_only_that_city(small_index: LoadedIndex) -> None:
    got = HybridRetriever(small_index).retrieve("道路交通安全", Filters(city="长治"))
    assert got.passages and {p.city for p in got.passages} == {"长治"}


def test_validity_filter_drops_documents_expired_on_the_day(small_index: LoadedIndex) -> None:
    allowed = allowed_ids(small_index, Filters(valid_on=date(2024, 1, 1)), [])
    assert allowed is not None
    expired = {c for c, chunk in small_index.chunks.items()
               if small_index.documents[chunk.doc_id].doc_number == "晋市政发〔2018〕23号"
               and small_index.documents[chunk.doc_id].kind == "embedded"}
    assert expired and not (expired & allowed)


def test_a_named_document_number_in_any_spelling_restricts_retrieval(small_index: LoadedIndex) -> None:
    assert mentioned_doc_numbers(small_index, "晋市政办[2018]8号讲了什么") == ["晋市政办〔2018〕8号"]
    got = HybridRetriever(small_index).retrieve("晋市政发〔2021〕4 号的有效期")
    assert got.passages and {p.doc_number for p in got.passages} == {"晋市政发〔2021〕4号"}


def test_trace_legs_hold_ranked_hits_with_scores(small_index: LoadedIndex) -> None:
    got = HybridRetriever(small_index).retrieve("搬迁补助费18元/平方米")
    assert set(got.legs) == {"dense", "keyword"}
    assert got.legs["keyword"] and got.legs["keyword"][0][1] >= got.legs["keyword"][-1][1]
    assert got.passages[0].ranks


class _PrefersTables:
    """A reranker with a checkable preference: table chunks (blocks and rows) first, then the fused order (stable)."""

    def __init__(self, index: LoadedIndex) -> None:
        self.index = index
        self.calls: list[tuple[str, list[str]]] = []

    def rerank(self, query: str, passages: Sequence[tuple[str, str]], top_n: int | None = None) -> list[tuple[str, float]]:
        self.calls.append((query, [pid for pid, _ in passages]))
        scored = [(pid, 1.0 if self.index.chunks[pid].kind.startswith("table") else 0.0) for pid, _ in passages]
        return sorted(scored, key=lambda kv: -kv[1])[:top_n]


def test_a_reranker_reorders_the_fused_candidates_and_is_in_the_trace(small_index: LoadedIndex) -> None:
    question = "征收集体土地的补偿标准"
    config = RetrievalConfig(rerank_depth=20, rows_per_table=0)  # the reranker's order alone (no cap on table rows)
    plain = HybridRetriever(small_index, config).retrieve(question, widen=False)
    reranker = _PrefersTables(small_index)
    reranked = HybridRetriever(small_index, config, reranker=reranker).retrieve(question, widen=False)
    query, candidates = reranker.calls[0]
    assert query == question and candidates == [cid for cid, _ in plain.fused[:20]]
    tables = [c for c in candidates if small_index.chunks[c].kind.startswith("table")]
    assert tables, "the question should bring table chunks among the candidates"
    top = [p.chunk_id for p in reranked.passages]
    assert top[: len(tables[:8])] == tables[:8]  # the reranker's order, not the fused one
    assert [cid for cid, _ in reranked.legs["rerank"]] == sorted(candidates, key=lambda c: not small_index.chunks[c].kind.startswith("table"))
    assert "rerank" not in plain.legs


def test_a_two_city_comparison_ranks_each_city_and_takes_turns(small_index: LoadedIndex) -> None:
    question = "在道路交通安全工作中，晋城和长治分别对定期报告时间有什么要求？"
    got = HybridRetriever(small_index).retrieve(question)
    assert [small_index.documents[small_index.chunks[c].doc_id].city for c in got.facet_leads] == ["晋城", "长治"]
    first_two = {p.city for p in got.passages[:2]}
    assert first_two == {"晋城", "长治"}
    assert set(got.legs) == {"dense", "keyword"}  # one list per leg, both sides merged


def test_an_english_two_city_comparison_ranks_each_city(small_index: LoadedIndex) -> None:
    # the words asking for each side are English ones (and, each, respectively): the same comparison
    question = "On road traffic safety, what reporting deadlines do Jincheng and Changzhi each set?"
    got = HybridRetriever(small_index).retrieve(question)
    assert [small_index.documents[small_index.chunks[c].doc_id].city for c in got.facet_leads] == ["晋城", "长治"]


def test_two_named_documents_are_each_searched(small_index: LoadedIndex) -> None:
    question = "关于安全监管执法人员轮训，晋市政发〔2021〕1号和晋市政办〔2021〕10号分别是怎么规定的？"
    got = HybridRetriever(small_index).retrieve(question)
    numbers = [small_index.documents[small_index.chunks[c].doc_id].doc_number for c in got.facet_leads]
    assert numbers == ["晋市政办〔2021〕10号", "晋市政发〔2021〕1号"] or numbers == ["晋市政发〔2021〕1号", "晋市政办〔2021〕10号"]
    assert {p.doc_number for p in got.passages[:2]} == set(numbers)


def test_an_ordinary_question_naming_one_city_is_not_a_comparison(small_index: LoadedIndex) -> None:
    got = HybridRetriever(small_index).retrieve("晋城市征收住宅房屋，搬迁补助费标准是多少？")
    assert got.facet_leads == []


def test_one_question_is_embedded_once_however_often_it_is_ranked(small_index: LoadedIndex) -> None:
    calls: list[str] = []

    def counting(text: str) -> object:
        calls.append(text)
        return small_index.embed_query(text)

    retriever = HybridRetriever(replace(small_index, embed_query=counting))
    question = "在道路交通安全工作中，晋城和长治分别对定期报告时间有什么要求？"
    retriever.retrieve(question)  # a comparison: two rankings
    retriever.retrieve(question, Filters(city="晋城"))  # the wrong-city check ranks the same text again
    assert calls == [question]


def test_the_rows_of_one_table_do_not_crowd_the_clauses_out_of_the_top(small_index: LoadedIndex) -> None:
    chunks = sorted(small_index.chunks.values(), key=lambda c: (c.doc_id, c.ordinal))
    doc = next(c.doc_id for c in chunks if c.kind == "table_row")
    rows = [c.chunk_id for c in chunks if c.kind == "table_row" and c.doc_id == doc][:5]
    other_doc_row = next(c.chunk_id for c in chunks if c.kind == "table_row" and c.doc_id != doc)
    clauses = [c.chunk_id for c in chunks if c.kind == "clause"][:2]
    hits = [(cid, 1.0) for cid in [*rows, clauses[0], other_doc_row, clauses[1]]]
    capped = HybridRetriever(small_index, RetrievalConfig(rows_per_table=3))._cap_rows(hits)
    assert [cid for cid, _ in capped] == [*rows[:3], clauses[0], other_doc_row, clauses[1], *rows[3:]]
    assert HybridRetriever(small_index, RetrievalConfig(rows_per_table=0))._cap_rows(hits) == hits
    # in a real ranking: no more than three rows of one document among the direct hits while clauses wait
    got = HybridRetriever(small_index).retrieve("长治市政府赋予高新区的建设用地审批事项由哪个部门实施？")
    direct = [small_index.chunks[p.chunk_id] for p in got.passages if not p.widened]
    for k, c in enumerate(direct):
        earlier = [d for d in direct[:k] if d.kind == "table_row" and d.doc_id == c.doc_id]
        if c.kind == "table_row" and len(earlier) >= 3:
            assert all(d.kind == "table_row" for d in direct[k:])  # only moved rows after it


def test_a_row_hit_stays_a_row_and_a_list_question_adds_its_table_block(small_index: LoadedIndex) -> None:
    retriever = HybridRetriever(small_index)
    got = retriever.retrieve("沁县还需完成多少个减速带？", widen=False)
    row = next(p for p in got.passages if p.kind == "table_row")
    assert dict(row.cells)["县(区)"] == "沁县" and "还需完成减速带数量：0" in row.readable
    assert not any(p.widened for p in got.passages)  # its sibling rows are not added
    listed = retriever.retrieve("沁县还需完成多少个减速带？", widen=True)
    group = next(g for g in listed.groups if g[0] == row.chunk_id)
    assert group == [row.chunk_id, small_index.chunks[row.chunk_id].parent_id]


def test_a_question_of_one_part_is_ranked_exactly_as_without_decomposition(small_index: LoadedIndex) -> None:
    off = HybridRetriever(small_index, RetrievalConfig(decompose=False))
    on = HybridRetriever(small_index)
    for question in ("住宅被征收后临时安置补助费怎么定？", "装配式建筑的奖补资金和容积率奖励有哪些？", "中心城区土地征收的程序是什么？"):
        got, before = on.retrieve(question), off.retrieve(question)
        assert got.parts == [] and [p.chunk_id for p in got.passages] == [p.chunk_id for p in before.passages]


def test_each_part_of_a_multi_part_question_is_retrieved_and_recorded(small_index: LoadedIndex) -> None:
    question = "住宅房屋被征收，搬迁补助费按什么标准给？临时安置补助费由谁确定？"
    got = HybridRetriever(small_index).retrieve(question)
    whole = HybridRetriever(small_index, RetrievalConfig(decompose=False)).retrieve(question)
    assert got.parts == ["搬迁补助费按什么标准给", "临时安置补助费由谁确定"]
    assert len(got.facet_leads) == 2
    # the whole question's ranking leads unchanged; each part's best clause is among the passages
    assert [p.chunk_id for p in got.passages[:5]] == [p.chunk_id for p in whole.passages[:5]]
    assert set(got.facet_leads) <= {p.chunk_id for p in got.passages}
    texts = [small_index.chunks[c].text for c in got.facet_leads]
    assert "搬迁补助费" in texts[0] and "临时安置补助费" in texts[1]


def _one_family(index: LoadedIndex, doc_ids: Sequence[str]) -> LoadedIndex:
    """The index with `doc_ids` marked as one near-duplicate family (as ingest.families marks copies of a text)."""
    first = min(doc_ids)
    documents = {k: replace(d, family=first) if k in doc_ids else d for k, d in index.documents.items()}
    return replace(index, documents=documents)


def test_the_family_cap_moves_the_hits_of_a_familys_further_documents_below_in_order(small_index: LoadedIndex) -> None:
    chunks = sorted(small_index.chunks.values(), key=lambda c: (c.doc_id, c.ordinal))
    clauses: dict[str, list[str]] = {}
    for ch in chunks:
        if ch.kind == "clause":
            clauses.setdefault(ch.doc_id, []).append(ch.chunk_id)
    a, b, c = sorted(d for d, ids in clauses.items() if len(ids) >= 3)[:3]
    of = {d: clauses[d][:3] for d in (a, b, c)}
    hits = [(cid, 1.0) for cid in [of[a][0], of[b][0], of[c][0], of[a][1], of[b][1], of[c][1], of[b][2]]]
    index = _one_family(small_index, [a, b])
    capped = HybridRetriever(index, RetrievalConfig(max_per_family=1))._cap_families(hits)
    assert [cid for cid, _ in capped] == [of[a][0], of[c][0], of[a][1], of[c][1], of[b][0], of[b][1], of[b][2]]
    assert sorted(capped) == sorted(hits)  # moved, not dropped
    assert HybridRetriever(index, RetrievalConfig(max_per_family=2))._cap_families(hits) == hits
    assert HybridRetriever(index, RetrievalConfig(max_per_family=0))._cap_families(hits) == hits
    assert HybridRetriever(small_index, RetrievalConfig(max_per_family=1))._cap_families(hits) == hits  # no families


def test_copies_of_one_text_keep_one_document_in_the_top_k_and_the_trace_names_the_moved_hits(small_index: LoadedIndex) -> None:
    question = "土地征收的补偿标准"
    uncapped = HybridRetriever(small_index, RetrievalConfig(max_per_family=0)).retrieve(question)
    docs = list(dict.fromkeys(p.doc_id for p in uncapped.direct(8)))
    assert len(docs) >= 2
    index = _one_family(small_index, docs[:2])
    got = HybridRetriever(index).retrieve(question)
    direct = got.direct(8)
    assert docs[0] in {p.doc_id for p in direct} and docs[1] not in {p.doc_id for p in direct}
    moved = [p.chunk_id for p in uncapped.direct(8) if p.doc_id == docs[1]]
    assert moved and set(moved) <= set(got.capped)
    assert not {p.chunk_id for p in got.passages} & set(got.capped)
    for hits in HybridRetriever(index).legs(question, Filters(), []).values():  # fused: the copy's hits after the others
        of_copy = [small_index.chunks[c].doc_id == docs[1] for c, _ in hits]
        assert of_copy == sorted(of_copy)
    assert HybridRetriever(small_index).retrieve(question).capped == []  # every real document is its own family
    trace = Pipeline(index, retriever=HybridRetriever(index)).answer(question).trace
    assert trace.capped == got.capped


class _ExactStore:
    """An exact cosine store over made-up vectors with a `city` metadata field; it records every query's `where`."""

    def __init__(self, vectors: dict[str, list[float]], city: dict[str, str]) -> None:
        self.vectors, self.city, self.calls = vectors, city, []  # type: ignore[var-annotated]

    def query(self, vector: object, k: int, where: dict[str, object] | None = None) -> list[tuple[str, float]]:
        self.calls.append(where)
        return [hit for hit in self._all(vector) if where is None or self.city[hit[0]] == where["city"]][:k]

    def ranked(self, vector: object, ids: list[str], k: int) -> list[tuple[str, float]]:
        self.calls.append(("ids", tuple(ids)))
        return [hit for hit in self._all(vector) if hit[0] in set(ids)][:k]

    def _all(self, vector: object) -> list[tuple[str, float]]:
        import numpy as np

        q = np.asarray(vector, dtype=float)
        scored = [(cid, float(np.dot(q, v) / (np.linalg.norm(q) * np.linalg.norm(v)))) for cid, v in self.vectors.items()]
        return sorted(scored, key=lambda h: -h[1])


def test_a_filtered_dense_leg_keeps_the_allowed_of_an_unfiltered_search_and_filters_in_the_store_only_when_short(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.retrieve import DENSE_OVERFETCH, _dense

    angles = {f"c{i:02d}": [1.0, i / 40] for i in range(40)}  # c00 nearest to [1, 0], then c01, …
    city = {cid: ("晋城" if int(cid[1:]) % 2 else "长治") for cid in angles}  # every other chunk
    store = _ExactStore(angles, city)
    allowed = {cid for cid, c in city.items() if c == "晋城"}
    exact = store.query([1.0, 0.0], k=3, where={"city": "晋城"})
    store.calls.clear()
    assert _dense(store, [1.0, 0.0], 3, {"city": "晋城"}, allowed) == exact  # c01, c03, c05 among the nearest 12
    assert store.calls == [None]  # one unfiltered search was enough
    far = _ExactStore(angles, {cid: ("晋城" if int(cid[1:]) >= 30 else "长治") for cid in angles})  # only the farthest
    narrow = {cid for cid in angles if int(cid[1:]) >= 30}
    assert [cid for cid, _ in _dense(far, [1.0, 0.0], 3, {"city": "晋城"}, narrow)] == ["c30", "c31", "c32"]
    # too few in the unfiltered search, and few allowed: their vectors ranked exactly
    assert far.calls == [None, ("ids", tuple(sorted(narrow)))] and 3 * DENSE_OVERFETCH < 30
    monkeypatch.setattr("rag.retrieve.DENSE_EXACT", 5)  # too many allowed to read: a wider unfiltered search
    far.calls.clear()
    assert [cid for cid, _ in _dense(far, [1.0, 0.0], 3, {"city": "晋城"}, narrow)] == ["c30", "c31", "c32"]
    assert far.calls == [None, None]  # 3·4·10 ≥ 40: the whole collection
    monkeypatch.setattr("rag.retrieve.DENSE_WIDER", 2)  # still too few in it: the store's filter
    far.calls.clear()
    assert [cid for cid, _ in _dense(far, [1.0, 0.0], 3, {"city": "晋城"}, narrow)] == ["c30", "c31", "c32"]
    assert far.calls == [None, None, {"city": "晋城"}]
    store.calls.clear()
    assert _dense(store, [1.0, 0.0], 3, None, None) == store.query([1.0, 0.0], k=3) and store.calls[0] is None


def _clause(index: LoadedIndex, doc_number: str, path_text: str) -> str:
    return next(cid for cid, c in index.chunks.items()
                if index.documents[c.doc_id].doc_number == doc_number and c.kind == "clause" and path_text in c.text)


def test_the_rows_a_clause_cites_are_the_ones_the_question_picks_out_or_none(small_index: LoadedIndex) -> None:
    retriever = HybridRetriever(small_index)
    cites = _clause(small_index, "晋市政发〔2018〕23号", "《晋城市房屋征收附属物补偿指导价》")
    rows = retriever._cited_rows(cites, "院墙被拆了怎么赔？")  # 院墙: the documents say 围墙
    assert [small_index.chunks[r].cells[1] for r in rows] == [("项目", "围墙"), ("项目", "围墙")]
    assert retriever._cited_rows(cites, "附属物怎么补偿？") == []  # no row matches more than the others
    other = _clause(small_index, "晋市政发〔2018〕23号", "搬迁补助费")
    assert retriever._cited_rows(other, "院墙被拆了怎么赔？") == []  # cites no printed table
    off = HybridRetriever(small_index, RetrievalConfig(cited_rows=0))
    assert off._cited_rows(cites, "院墙被拆了怎么赔？") == []


def test_a_table_block_naming_its_own_title_cites_no_rows(small_index: LoadedIndex) -> None:
    block = next(cid for cid, c in small_index.chunks.items() if c.kind == "table"
                 and "《晋城市房屋征收附属物补偿指导价》" in c.text and small_index.documents[c.doc_id].doc_number == "晋市政发〔2018〕23号")
    assert HybridRetriever(small_index)._cited_rows(block, "院墙被拆了怎么赔？") == []


def test_a_question_naming_a_day_gets_that_days_chronicle_entries_as_a_leg(small_index: LoadedIndex) -> None:
    retriever = HybridRetriever(small_index)
    legs = retriever.legs("2018年7月19日市长去了哪些地方调研？", Filters(), [])
    dated = [small_index.chunks[cid] for cid, _ in legs["dated"]]
    assert dated and all(c.event_date is not None and (c.event_date.month, c.event_date.day) == (7, 19) for c in dated)
    assert all(c.event_date is not None and c.event_date.year == 2018 for c in dated)
    assert "dated" not in retriever.legs("2017年7月19日市长去了哪里？", Filters(), [])  # no entry of that year
    assert "dated" not in retriever.legs("市长去了哪些地方调研？", Filters(), [])  # no day named: the leg does not vote
    off = HybridRetriever(small_index, RetrievalConfig(dated_weight=0))
    assert "dated" not in off.legs("2018年7月19日市长去了哪些地方调研？", Filters(), [])


def test_parts_naming_one_city_each_are_ranked_in_their_city_and_both_reach_the_top(small_index: LoadedIndex) -> None:
    # two cities, one question each and no 分别: each part is a side, ranked with its own city's filter; a part
    # answered by a document the whole question's first hits do not reach is placed among them
    question = "晋城装配式建筑有哪些奖励？另外，长治火灾隐患由谁整改？"
    got = HybridRetriever(small_index).retrieve(question)
    assert len(got.parts) == 2
    assert [small_index.documents[small_index.chunks[c].doc_id].city for c in got.facet_leads] == ["晋城", "长治"]
    top5 = [p.chunk_id for p in got.direct(5)]
    assert all(lead in top5 for lead in got.facet_leads)
    appended = HybridRetriever(small_index, RetrievalConfig(part_lead_after=-1)).retrieve(question)
    assert got.facet_leads[1] not in [p.chunk_id for p in appended.direct(5)]  # appended: below the top 5
    assert {p.chunk_id for p in appended.passages} == {p.chunk_id for p in got.passages}  # the same passages


def test_a_document_one_part_names_does_not_confine_the_other_parts(small_index: LoadedIndex) -> None:
    # the whole question names the aircraft plan, so it is ranked inside it; its first part names no document and
    # is ranked in the whole index, where the subsidy's clause is
    question = "住宅房屋被征收，搬迁补助费按什么标准给？另外，《晋城市航空应急救援服务实施方案》里直升机有几架？"
    got = HybridRetriever(small_index).retrieve(question)
    assert got.doc_numbers == ["晋市政办〔2021〕12号"] and len(got.parts) == 2
    numbers = [small_index.documents[small_index.chunks[c].doc_id].doc_number for c in got.facet_leads]
    assert numbers == ["晋市政发〔2018〕23号", "晋市政办〔2021〕12号"]
    assert got.facet_leads[0] in [p.chunk_id for p in got.direct(5)]


def test_a_question_naming_two_titles_names_both_documents_in_its_order(small_index: LoadedIndex) -> None:
    from rag.retrieve import mentioned_titles

    numbers, rest = mentioned_titles(small_index, "《晋城市航空应急救援服务实施方案》和《晋城市国有土地上房屋征收与补偿办法》分别是哪年印发的？")
    assert numbers == ["晋市政办〔2021〕12号", "晋市政发〔2018〕23号"]
    assert "航空应急救援" not in rest and "房屋征收" not in rest and "哪年印发" in rest
    one, _ = mentioned_titles(small_index, "晋城市国有土地上房屋征收与补偿办法的搬迁补助费是多少？")  # its shorter variant
    assert one == ["晋市政发〔2018〕23号"]  # (房屋征收与补偿办法 without the city) is the same document, counted once
    assert mentioned_titles(small_index, "搬迁补助费是多少？") == ([], "搬迁补助费是多少？")


def test_the_dense_leg_ranks_a_clause_by_its_closest_vector_its_own_or_a_sentence_window_s() -> None:
    from rag.retrieve import nearest

    # c1's own vector is far from the question (a long clause about many things); one of its windows is the nearest
    clauses = _ExactStore({"c1": [0.2, 1.0], "c2": [1.0, 0.3], "c3": [1.0, 0.6]}, {"c1": "晋城", "c2": "晋城", "c3": "长治"})
    windows = _ExactStore({"c1~w0": [0.0, 1.0], "c1~w1": [1.0, 0.05], "c3~w0": [1.0, 0.9]},
                          {"c1~w0": "晋城", "c1~w1": "晋城", "c3~w0": "长治"})
    question = [1.0, 0.0]
    def window_ids(ids: set[str]) -> list[str]:
        return sorted(w for w in windows.vectors if w.split("~")[0] in ids)

    alone = nearest(clauses, None, question, 3, None, None, window_ids)
    assert [cid for cid, _ in alone] == ["c2", "c3", "c1"]
    got = nearest(clauses, windows, question, 3, None, None, window_ids)
    assert [cid for cid, _ in got] == ["c1", "c2", "c3"]
    assert dict(got)["c1"] == max(s for w, s in windows.query(question, 3) if w.startswith("c1~"))
    assert dict(got)["c3"] == dict(alone)["c3"]  # its window is farther than its own vector: the own one counts
    # the filters apply to the windows as to their clauses: a window of a clause the filter leaves out never ranks it
    only = {"c1", "c2"}
    filtered = nearest(clauses, windows, question, 3, {"city": "晋城"}, only, window_ids)
    assert {cid for cid, _ in filtered} == only
