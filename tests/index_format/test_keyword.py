"""Chinese keyword index: bm25s over jieba words and character bigrams."""

from __future__ import annotations

import math
from pathlib import Path

from index_format.keyword import KeywordIndex, bigram_idf, char_idf, tokenize

TEXTS = {
    "relocation": "第十二条 搬迁补助：征收住宅房屋，搬迁补助费18元/平方米，实行产权调换期房安置的支付两次。",
    "wall": "第十一条 附属物及其他补偿：被征收人构筑物、厕所、围墙、树木等附属设施的补偿费用。",
    "air": "加强空气质量巩固提升，PM2.5浓度持续下降。",
}


def _index() -> KeywordIndex:
    return KeywordIndex.build(list(TEXTS), list(TEXTS.values()))


def test_tokens_hold_words_and_bigrams_of_the_matching_form() -> None:
    tokens = tokenize("搬迁补助费１８元／平方米")
    assert "搬迁" in tokens and "§补助" in tokens
    assert "18" in tokens  # full-width digits are normalised before tokenising


def test_literal_query_ranks_the_clause_first() -> None:
    hits = _index().search("搬迁补助费怎么算", k=3)
    assert hits[0][0] == "relocation"


def test_question_sharing_only_a_bigram_still_scores() -> None:
    hits = _index().search("院墙围墙拆了补偿吗", k=3)
    assert hits[0][0] == "wall"


def test_allowed_ids_restrict_the_search_and_unknown_words_return_nothing() -> None:
    index = _index()
    assert [h[0] for h in index.search("补偿", k=3, allowed={"air"})] == []
    assert index.search("天气预报明天", k=3) == []


def test_saved_index_loads_and_answers_the_same(tmp_path: Path) -> None:
    index = _index()
    index.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded.search("PM2.5", k=2) == index.search("PM2.5", k=2)


def test_idf_weighs_what_fewer_texts_hold() -> None:
    texts = list(TEXTS.values())
    chars, grams = char_idf(texts), bigram_idf(texts)
    assert chars["墙"] == math.log(1 + 3 / 1) and chars["第"] == math.log(1 + 3 / 2)  # 墙 in one text, 第 in two
    assert grams["围墙"] == chars["墙"] and "围" in chars and "围墙" not in chars and "墙" not in grams
