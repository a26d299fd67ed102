"""The learned ranker: its features over a real index, its ordering, its model file, and its place in retrieval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.index import LoadedIndex
from rag.policy import relevance
from rag.ranker import FEATURES, Candidates, LinearRanker, Rankers, features, load_ranker
from rag.records import Filters
from rag.retrieve import HybridRetriever, rrf


def _only(feature: str, weight: float = 1.0) -> LinearRanker:
    """A model that scores by one raw feature (mean 0, scale 1)."""
    n = len(FEATURES)
    weights = tuple(weight if name == feature else 0.0 for name in FEATURES)
    return LinearRanker(weights, 0.0, (0.0,) * n, (1.0,) * n)


def _rows(index: LoadedIndex, question: str) -> tuple[list[str], list[list[float]]]:
    return HybridRetriever(index).ranking_candidates(question)


def test_every_row_has_every_feature_and_relative_features_peak_at_zero(small_index: LoadedIndex) -> None:
    ids, rows = _rows(small_index, "征收住宅房屋的搬迁补助费是多少？")
    assert ids and len(rows) == len(ids) and all(len(r) == len(FEATURES) for r in rows)
    for relative in ("dense_rel", "cov_rel", "cov_char_rel"):
        column = [r[FEATURES.index(relative)] for r in rows]
        assert max(column) == 0.0 and min(column) <= 0.0
    fused_rr = [r[FEATURES.index("fused_rr")] for r in rows]
    assert fused_rr == sorted(fused_rr, reverse=True) and fused_rr[0] == 1.0


def test_coverage_features_tell_the_clause_holding_the_words_from_the_others(small_index: LoadedIndex) -> None:
    ids, rows = _rows(small_index, "征收住宅房屋的搬迁补助费是多少？")
    cov = {cid: r[FEATURES.index("cov_text")] for cid, r in zip(ids, rows, strict=True)}
    holder = next(cid for cid in ids if "搬迁补助费18元" in small_index.chunks[cid].text.replace(" ", ""))
    assert cov[holder] == max(cov.values()) and min(cov.values()) < cov[holder]


@pytest.mark.parametrize(("question", "word", "shared"), [
    ("院墙被拆了怎么赔？", "围墙", "墙"),  # 院墙, a citizen's word absent from the corpus, shares no bigram with 围墙
    ("老房子倒了谁管？", "房屋", "房"),  # 房子 shares no bigram with 房屋
])
def test_character_coverage_reaches_a_clause_that_words_the_thing_otherwise(
        small_index: LoadedIndex, question: str, word: str, shared: str) -> None:
    chunks, context = small_index.chunks, small_index.context_text
    asked = set(question) - set("？了")
    holder = next(cid for cid, c in chunks.items() if word in c.text and c.kind == "clause")
    other = next(cid for cid, c in chunks.items() if not asked & set(context(c).replace(" ", "")))
    candidates = Candidates([(other, 0.02), (holder, 0.01)], {"dense": [(other, 0.9), (holder, 0.8)]})
    rows = features(small_index, question, question, candidates, [], 8)
    col = FEATURES.index
    assert shared in context(chunks[holder]) and rows[0][col("cov_char")] == 0.0
    assert rows[1][col("cov_char")] > 0.0 and rows[1][col("cov_char_rel")] == 0.0 and rows[0][col("cov_char_rel")] < 0.0
    assert rows[1][col("cov_all")] == 0.0  # no bigram of the question in the clause: only its characters reach it


def test_a_clause_naming_only_other_years_than_the_question_conflicts(small_index: LoadedIndex) -> None:
    chunks = small_index.chunks
    dated = next(cid for cid, c in chunks.items() if "2020年" in c.text and "2019" not in c.text and "2021" not in c.text)
    other = next(cid for cid, c in chunks.items() if cid != dated and not any(
        str(y) in " ".join([small_index.documents[c.doc_id].title, *c.headings, c.text]) for y in range(1990, 2031)))
    candidates = Candidates([(dated, 0.02), (other, 0.01)], {"dense": [(dated, 0.9)], "keyword": [(other, 3.0)]})
    asked_2019 = features(small_index, "2019年有什么要求", "2019年有什么要求", candidates, [], 30)
    asked_2020 = features(small_index, "2020年有什么要求", "2020年有什么要求", candidates, [], 30)
    conflict, match = FEATURES.index("year_conflict"), FEATURES.index("year_match")
    assert asked_2019[0][conflict] == 1.0 and asked_2019[0][match] == 0.0
    assert asked_2020[0][conflict] == 0.0 and asked_2020[0][match] == 1.0
    assert asked_2019[1][conflict] == 0.0  # a clause naming no year does not conflict
    # leg ranks and scores: in the dense leg only, in the keyword leg only (its score over the best keyword score)
    assert asked_2019[0][FEATURES.index("dense_rr")] == 1.0 and asked_2019[0][FEATURES.index("kw_rr")] == 0.0
    assert asked_2019[1][FEATURES.index("kw_s")] == 1.0


def test_rerank_orders_the_scored_head_and_keeps_the_tail_in_fused_order() -> None:
    fused = [("a", 0.05), ("b", 0.04), ("c", 0.03), ("d", 0.02)]
    rows = [[0.0] * len(FEATURES) for _ in range(3)]  # only a, b, c are scored (depth 3)
    rows[1][FEATURES.index("loglen")] = 5.0
    rows[2][FEATURES.index("loglen")] = 2.0
    ranked = _only("loglen").rerank(fused, rows)
    assert [cid for cid, _ in ranked] == ["b", "c", "a", "d"]
    assert all(0.0 < s < 1.0 for _, s in ranked[:3]) and ranked[3] == ("d", 0.02)


def test_equal_scores_keep_the_fused_order() -> None:
    fused = [("x", 0.3), ("y", 0.2), ("z", 0.1)]
    ranked = _only("loglen").rerank(fused, [[0.0] * len(FEATURES)] * 3)
    assert [cid for cid, _ in ranked] == ["x", "y", "z"]


def test_score_standardises_each_feature() -> None:
    n = len(FEATURES)
    model = LinearRanker((2.0,) + (0.0,) * (n - 1), 0.5, (1.0,) + (0.0,) * (n - 1), (4.0,) + (1.0,) * (n - 1))
    assert model.score([[9.0] + [7.0] * (n - 1)]) == [pytest.approx(0.5 + 2.0 * (9.0 - 1.0) / 4.0)]


def test_saved_models_load_back_equal(tmp_path: Path) -> None:
    both = Rankers(_only("kw_s", 1.5), _only("cross_rr", 2.0))
    path = tmp_path / "ranker.json"
    both.save(path)
    loaded = Rankers.load(path)
    assert loaded == both and loaded.digest() == both.digest()
    assert Rankers(_only("kw_s", 2.0), _only("cross_rr", 2.0)).digest() != both.digest()
    Rankers(_only("kw_s")).save(path)  # one language only: the other keeps the fused order
    assert Rankers.load(path) == Rankers(_only("kw_s"), None)


def test_a_model_fitted_to_other_features_names_the_file_the_language_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    Rankers(_only("kw_s"), _only("kw_s")).save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["english"]["names"] = [*data["english"]["names"][:-1], "retired_feature"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"old\.json \(english\).*missing \['tr_s'\].*retired_feature.*train-ranker"):
        Rankers.load(path)


@pytest.mark.parametrize("text", ["{not json", json.dumps({"weights": [1.0]}), json.dumps({"chinese": {"weights": [1.0]}}), "[]"])
def test_an_unreadable_model_names_the_file_and_the_fix(tmp_path: Path, text: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json.*not a ranker model.*train-ranker"):
        Rankers.load(path)


def test_weights_that_do_not_match_the_features_are_refused() -> None:
    with pytest.raises(ValueError, match="weights"):
        LinearRanker((1.0,), 0.0, (0.0,), (1.0,))


def test_the_setting_chooses_the_bundled_models_a_file_or_none(tmp_path: Path) -> None:
    assert load_ranker("off") is None and load_ranker("") is None
    bundled = load_ranker(None)
    assert bundled is not None and bundled.chinese is not None and bundled.english is not None
    assert all(m.names == FEATURES and m.trained.get("questions", 0) > 0 for m in (bundled.chinese, bundled.english))
    path = tmp_path / "mine.json"
    Rankers(_only("loglen")).save(path)
    assert load_ranker(str(path)) == Rankers(_only("loglen"))
    with pytest.raises(ValueError, match=r"missing\.json"):
        load_ranker(str(tmp_path / "missing.json"))


def test_retrieval_follows_the_ranker_for_a_chinese_question_only(small_index: LoadedIndex) -> None:
    question = "征收住宅房屋的搬迁补助费是多少？"
    plain = HybridRetriever(small_index).retrieve(question)
    longest_first = HybridRetriever(small_index, ranker=Rankers(chinese=_only("loglen", 10.0))).retrieve(question)
    assert "learned" not in plain.legs and "learned" in longest_first.legs
    head = [cid for cid, _ in longest_first.legs["learned"]]
    lengths = [len(small_index.chunks[c].text) for c in head]
    assert lengths == sorted(lengths, reverse=True)  # the model's order: longest text first
    assert longest_first.passages[0].chunk_id == head[0] != plain.passages[0].chunk_id
    english = HybridRetriever(small_index, ranker=Rankers(chinese=_only("loglen", 10.0))).retrieve("What is the relocation allowance?")
    assert "learned" not in english.legs  # the Chinese model ranks Chinese questions only
    both = Rankers(chinese=_only("loglen", 10.0), english=_only("loglen", -10.0))
    english = HybridRetriever(small_index, ranker=both).retrieve("What is the relocation allowance?")
    head = [cid for cid, _ in english.legs["learned"]]
    lengths = [len(small_index.chunks[c].text) for c in head]
    assert lengths == sorted(lengths)  # the English model's order: shortest first


def test_ranking_candidates_are_the_fused_order_of_the_whole_question(small_index: LoadedIndex) -> None:
    retriever = HybridRetriever(small_index)
    question = "中心城区土地征收的程序是什么？"
    ids, rows = retriever.ranking_candidates(question, depth=7)
    legs = retriever.legs(question, Filters(), [])
    assert ids == [cid for cid, _ in rrf(legs, retriever.weights(question), retriever.config.rrf_k)[:7]]
    assert len(rows) == 7


def test_the_dense_relevance_signal_does_not_depend_on_the_order_of_the_passages(small_index: LoadedIndex) -> None:
    question = "征收住宅房屋的搬迁补助费是多少？"
    plain = HybridRetriever(small_index).retrieve(question)
    shortest_first = HybridRetriever(small_index, ranker=Rankers(chinese=_only("loglen", -10.0))).retrieve(question)
    assert [p.chunk_id for p in plain.passages[:3]] != [p.chunk_id for p in shortest_first.passages[:3]]
    idf = small_index.bigram_idf
    best = max(score for _, score in plain.legs["dense"])
    assert relevance(question, plain, idf, 3)[1] == relevance(question, shortest_first, idf, 3)[1] == best


def test_the_english_legs_give_their_own_features(small_index: LoadedIndex) -> None:
    first, second = list(small_index.chunks)[:2]
    candidates = Candidates([(first, 0.02), (second, 0.01)],
                            {"cross": [(second, 0.4)], "translated": [(first, 0.9), (second, 0.8)]})
    rows = features(small_index, "", "", candidates, [], 8)
    col = FEATURES.index
    assert rows[1][col("cross_rr")] == 1.0 and rows[1][col("cross_s")] == 0.4 and rows[0][col("cross_rr")] == 0.0
    assert rows[0][col("tr_rr")] == 1.0 and rows[1][col("tr_rr")] == 0.5 and rows[1][col("tr_s")] == 0.8


def test_an_english_question_is_measured_by_the_chinese_terms_its_keyword_leg_searches(small_index: LoadedIndex) -> None:
    retriever = HybridRetriever(small_index)
    question = "What is the relocation allowance for expropriated housing?"
    assert retriever.keyword_query(question)  # the glossary gives Chinese terms for its phrases
    _, rows = retriever.ranking_candidates(question)
    assert max(r[FEATURES.index("cov_all")] for r in rows) > 0.3  # English words share no characters with a clause
