"""Questions not in Chinese: the glossary's keywords and the cross-lingual dense space rank them, over a real
index built with a cross-lingual collection (the translating fake stands in for the multilingual model)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pytest

from ingest.pipeline import run_ingest
from rag.filters import allowed_ids
from rag.glossary import Glossary
from rag.index import LoadedIndex, load_index
from rag.pipeline import CHINESE_SOURCES_NOTICE, Pipeline
from rag.records import Filters, Reason
from rag.retrieve import HybridRetriever
from settings import Settings
from tests.conftest import GAZETTES
from tests.fakes import BigramEmbedder, TranslatingEmbedder

WORDS = {"relocation subsidy": "搬迁补助费", "housing": "房屋", "expropriation": "征收", "reward": "奖励", "signing": "签约"}


@pytest.fixture(scope="module")
def bilingual_index(tmp_path_factory: pytest.TempPathFactory) -> LoadedIndex:
    root = tmp_path_factory.mktemp("xl-index")
    data = root / "data"
    data.mkdir()
    shutil.copy(GAZETTES / "jincheng-2018-04.txt", data / "jincheng-2018-04.txt")
    settings = Settings(data_dir=data, index_dir=root / "index", collection_prefix=f"xl-{uuid.uuid4().hex[:8]}")
    translator = TranslatingEmbedder(WORDS)
    embedder = BigramEmbedder()
    assert not run_ingest(settings, lambda: embedder, cross_lingual_factory=lambda: translator).failed
    return load_index(settings, embedder=embedder, embed_query_cross=translator.embed_query)


def test_an_english_question_is_ranked_by_the_cross_lingual_leg_and_the_glossary_keywords(bilingual_index: LoadedIndex) -> None:
    glossary = Glossary.of([("relocation subsidy", "搬迁补助费")])
    got = HybridRetriever(bilingual_index, glossary=glossary).retrieve("How much is the relocation subsidy?")
    assert set(got.legs) == {"dense", "keyword", "translated", "cross"}
    assert "搬迁补助费" in bilingual_index.chunks[got.legs["keyword"][0][0]].text  # the glossary's Chinese term
    assert _names_subsidy(bilingual_index, [cid for cid, _ in got.legs["translated"][:2]])  # e5 over that term
    assert _names_subsidy(bilingual_index, [cid for cid, _ in got.legs["cross"][:2]])
    assert _names_subsidy(bilingual_index, [p.chunk_id for p in got.passages[:3]])


def test_a_question_the_glossary_does_not_cover_gets_no_keyword_vote(bilingual_index: LoadedIndex) -> None:
    got = HybridRetriever(bilingual_index, glossary=Glossary.of([])).retrieve("How much is the relocation subsidy?")
    assert got.legs["keyword"] == []  # the English words would match nothing meaningful: the leg does not vote
    assert _names_subsidy(bilingual_index, [cid for cid, _ in got.legs["cross"][:2]])  # the cross-lingual leg still finds it


def test_a_chinese_question_does_not_use_the_cross_lingual_leg(bilingual_index: LoadedIndex) -> None:
    got = HybridRetriever(bilingual_index).retrieve("搬迁补助费是多少？")
    assert set(got.legs) == {"dense", "keyword"}


def test_filters_hold_in_the_cross_lingual_leg(bilingual_index: LoadedIndex) -> None:
    filters = Filters(valid_on=date(2024, 1, 1))  # 晋市政发〔2018〕23号's 办法 had expired by then
    got = HybridRetriever(bilingual_index, glossary=Glossary.of([])).retrieve("relocation subsidy", filters)
    allowed = allowed_ids(bilingual_index, filters, [])
    assert allowed is not None and got.legs["cross"]
    assert {cid for cid, _ in got.legs["cross"]} <= allowed
    assert len(got.legs["cross"]) == min(30, len(allowed))  # filtered inside the store: the full k


def _names_subsidy(index: LoadedIndex, ids: Sequence[str]) -> bool:
    return any("搬迁补助费" in index.chunks[cid].text for cid in ids)


def test_an_english_answer_says_the_documents_are_chinese_and_quotes_them(bilingual_index: LoadedIndex) -> None:
    retriever = HybridRetriever(bilingual_index, glossary=Glossary.of([("relocation subsidy", "搬迁补助费")]))
    answer = Pipeline(bilingual_index, retriever=retriever).answer("How much is the relocation subsidy?")
    assert not answer.refused
    assert answer.text.startswith(CHINESE_SOURCES_NOTICE) and answer.citations
    assert "cross" in answer.trace.signals  # judged in the cross-lingual space
    chinese = Pipeline(bilingual_index, retriever=retriever).answer("搬迁补助费是多少？")
    assert CHINESE_SOURCES_NOTICE not in chinese.text and "cross" not in chinese.trace.signals


def test_an_english_value_question_meets_the_same_value_rule_as_a_chinese_one(bilingual_index: LoadedIndex) -> None:
    glossary = Glossary.of([("signing", "签约"), ("reward", "奖励"), ("relocation subsidy", "搬迁补助费")])
    pipeline = Pipeline(bilingual_index, retriever=HybridRetriever(bilingual_index, glossary=glossary))
    open_value = pipeline.answer("How much is the signing reward?")  # 第十八条: 应给予一定的奖励, no figure
    assert not open_value.refused and open_value.reason == Reason.VALUE_LEFT_OPEN and "一定的奖励" in open_value.text
    stated = pipeline.answer("How much is the relocation subsidy?")  # 第十四条 states 元/平方米
    assert not stated.refused and stated.reason is None


def test_an_english_answer_picks_its_related_clauses_by_the_glossary_s_chinese_terms(bilingual_index: LoadedIndex) -> None:
    # the English words share nothing with the Chinese clauses: read by the terms its keyword leg searches (奖励 签约
    # 房屋 征收), the answer quotes the related clauses a Chinese question would get (`english_reading`)
    retriever = HybridRetriever(bilingual_index, glossary=Glossary.of(list(WORDS.items())))
    answer = Pipeline(bilingual_index, retriever=retriever).answer("What reward is given for signing in housing expropriation?")
    assert not answer.refused and "相关规定：" in answer.text and len(answer.citations) >= 2  # none without the terms
    related = answer.citations[1:]
    assert all("征收" in c.quote and ("房屋" in c.quote or "奖励" in c.quote) for c in related)


def test_the_cross_lingual_query_vector_is_remembered_like_the_e5_one(bilingual_index: LoadedIndex) -> None:
    calls: list[str] = []
    assert bilingual_index.embed_query_cross is not None
    embed = bilingual_index.embed_query_cross

    def counting(text: str) -> object:
        calls.append(text)
        return embed(text)

    retriever = HybridRetriever(replace(bilingual_index, embed_query_cross=counting), glossary=Glossary.of([]))
    first = retriever.retrieve("How much is the relocation subsidy?")
    again = retriever.retrieve("How much is the relocation subsidy?")  # the wrong-city check ranks a question twice
    assert calls == ["How much is the relocation subsidy?"] and first.legs["cross"] == again.legs["cross"]


def test_the_keyword_leg_searches_the_chinese_terms_and_days_of_an_english_question(bilingual_index: LoadedIndex) -> None:
    retriever = HybridRetriever(bilingual_index, glossary=Glossary.of([("relocation subsidy", "搬迁补助费")]))
    assert retriever.keyword_query("What was the relocation subsidy on 16 July 2018?") == "搬迁补助费 2018年 7月16日"
    assert retriever.keyword_query("What is the weather tomorrow?") == ""  # nothing to say: the leg does not vote


def test_an_english_follow_up_to_a_chinese_question_adds_its_terms_to_the_keyword_leg(bilingual_index: LoadedIndex) -> None:
    retriever = HybridRetriever(bilingual_index, glossary=Glossary.of([("relocation subsidy", "搬迁补助费")]))
    mixed = "晋城房屋征收的补偿怎么算，what about the relocation subsidy"
    assert retriever.keyword_query(mixed) == f"{mixed} 搬迁补助费"
    assert retriever.keyword_query("PM2.5浓度的目标是多少？") == "PM2.5浓度的目标是多少？"  # one Latin word: Chinese as it is


def test_questions_not_in_chinese_are_fused_with_their_own_leg_weights(bilingual_index: LoadedIndex) -> None:
    config = replace(HybridRetriever(bilingual_index).config, dense_weight_xl=0.25, keyword_weight_xl=2.0)
    retriever = HybridRetriever(bilingual_index, config)
    assert retriever.weights("How much is the relocation subsidy?")["dense"] == 0.25
    assert retriever.weights("How much is the relocation subsidy?")["keyword"] == 2.0
    assert retriever.weights("搬迁补助费是多少？") == {"dense": 1.0, "keyword": 1.0, "cell": 1.0, "dated": 1.0}


def test_without_glossary_terms_there_is_no_translated_leg_and_it_can_be_switched_off(bilingual_index: LoadedIndex) -> None:
    assert "translated" not in HybridRetriever(bilingual_index, glossary=Glossary.of([])).retrieve("relocation subsidy").legs
    config = replace(HybridRetriever(bilingual_index).config, translated_weight=0.0)
    glossary = Glossary.of([("relocation subsidy", "搬迁补助费")])
    assert "translated" not in HybridRetriever(bilingual_index, config, glossary=glossary).retrieve("relocation subsidy").legs


def test_a_place_name_alone_gives_the_keyword_leg_nothing_to_say(bilingual_index: LoadedIndex) -> None:
    glossary = Glossary.of([("jincheng", "晋城"), ("zezhou", "泽州"), ("relocation subsidy", "搬迁补助费")])
    retriever = HybridRetriever(bilingual_index, glossary=glossary)
    assert retriever.keyword_query("What does Jincheng pay when people move?") == ""  # the city is the filter's
    got = retriever.retrieve("What does Jincheng pay when people move?")
    assert got.legs["keyword"] == [] and "translated" not in got.legs
    assert retriever.keyword_query("What is the relocation subsidy in Jincheng?") == "搬迁补助费 晋城"
    assert retriever.keyword_query("What happened in Jincheng on 16 July 2018?") == "2018年 7月16日"  # days still say something
    voting = HybridRetriever(bilingual_index, replace(retriever.config, places_alone_vote=True), glossary=glossary)
    assert voting.keyword_query("What does Jincheng pay when people move?") == "晋城"
