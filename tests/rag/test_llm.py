"""LLM mode against a real local HTTP server speaking the OpenAI chat API (scripted replies)."""

from __future__ import annotations

from datetime import date

import pytest

from rag.index import LoadedIndex
from rag.llm import LLMClient, parse_reply
from rag.pipeline import DECLINED_NOTICE, FALLBACK_NOTICE, Pipeline
from rag.policy import PolicyConfig
from rag.records import REFUSAL, Answer, Reason
from tests.openai_stub import OpenAIStub

pytestmark = pytest.mark.integration
QUESTION = "住宅房屋被征收，搬迁补助费怎么算？"


def _pipeline(index: LoadedIndex, stub: OpenAIStub, timeout_s: float = 5.0) -> Pipeline:
    client = LLMClient(stub.base_url, "stub-model", "k", timeout_s, 400, 0.0)
    return Pipeline(index, policy=PolicyConfig(min_coverage=0.3, min_dense=0.99), today=lambda: date(2026, 11, 22), llm=client)


def _key_of(answer: Answer, path: str) -> str:
    return next(p.key for p in answer.passages if p.path == path and p.doc_number == "晋市政发〔2018〕23号")


def test_reply_keys_become_citations_and_unknown_keys_are_reported(small_index: LoadedIndex) -> None:
    offline = Pipeline(small_index, policy=PolicyConfig(min_coverage=0.3, min_dense=0.99)).answer(QUESTION)
    key = _key_of(offline, "第十二条")
    reply = f"征收住宅房屋，搬迁补助费为18元/平方米[{key}]。实行产权调换期房安置的支付两次[{key}]。另有每户500元的额外补贴[S99]。"
    with OpenAIStub([{"reply": reply}]) as stub:
        answer = _pipeline(small_index, stub).answer(QUESTION)
    assert answer.mode == "llm" and not answer.refused
    assert [c.key for c in answer.citations] == [key]
    assert answer.citations[0].path == "第十二条" and "18元/平方米" in answer.citations[0].quote
    assert answer.invalid_citations == ("S99",)
    assert answer.uncited_sentences == ("另有每户500元的额外补贴[S99]。",)
    assert "有效期已于2023年7月15日届满" in answer.text  # the lapsed validity is said next to the answer


def test_prompt_carries_keyed_passages_and_the_citation_contract(small_index: LoadedIndex) -> None:
    with OpenAIStub([{"reply": "见[S1]。"}]) as stub:
        _pipeline(small_index, stub).answer(QUESTION)
    messages = stub.requests[0]["body"]["messages"]
    assert messages[0]["role"] == "system" and "[S1]" in messages[0]["content"] and REFUSAL in messages[0]["content"]
    assert "[S1] 《" in messages[1]["content"] and QUESTION in messages[1]["content"]
    assert stub.requests[0]["body"]["stream"] is True


def test_streaming_yields_pieces_then_the_answer(small_index: LoadedIndex) -> None:
    with OpenAIStub([{"reply": "搬迁补助费按18元/平方米计算[S1]。"}]) as stub:
        parts = list(_pipeline(small_index, stub).stream(QUESTION))
    pieces = [p for p in parts if isinstance(p, str)]
    assert len(pieces) > 2 and "".join(pieces).startswith("搬迁补助费按18元/平方米计算[S1]。")
    assert isinstance(parts[-1], Answer)


def test_timeout_falls_back_to_the_offline_answer_with_a_notice(small_index: LoadedIndex) -> None:
    with OpenAIStub([{"sleep": 3, "reply": "太迟了[S1]。"}]) as stub:
        answer = _pipeline(small_index, stub, timeout_s=0.5).answer(QUESTION)
    assert answer.mode == "offline" and answer.text.startswith(FALLBACK_NOTICE)
    assert answer.citations and answer.citations[0].path == "第十二条"


def test_server_error_falls_back_too(small_index: LoadedIndex) -> None:
    with OpenAIStub([{"status": 500}]) as stub:
        answer = _pipeline(small_index, stub).answer(QUESTION)
    assert FALLBACK_NOTICE in answer.notices[0] and answer.citations


def test_refusal_never_calls_the_llm(small_index: LoadedIndex) -> None:
    with OpenAIStub([{"reply": "不该被调用"}]) as stub:
        answer = _pipeline(small_index, stub).answer("明天会下雨吗？适合去爬山吗")
    assert answer.refused and stub.requests == []


@pytest.mark.parametrize("reply", [REFUSAL, "搬迁补助费另有规定[S99]。", "搬迁补助费按面积计算。"])
def test_a_model_that_declines_or_cites_nothing_valid_gets_the_clauses_shown_with_a_notice(
        small_index: LoadedIndex, reply: str) -> None:
    # the policy found the clauses, so the user sees them (the offline extract) and why, not a bare refusal
    with OpenAIStub([{"reply": reply}]) as stub:
        answer = _pipeline(small_index, stub).answer(QUESTION)
    assert not answer.refused and answer.reason == Reason.MODEL_DECLINED and answer.mode == "llm"
    assert answer.text.startswith(DECLINED_NOTICE) and "18元/平方米" in answer.text
    assert answer.citations and answer.citations[0].path == "第十二条"


def test_model_refusal_is_a_refusal() -> None:
    parsed = parse_reply(REFUSAL, [], date(2026, 1, 1))
    assert parsed.refused and parsed.citations == () and parsed.uncited_sentences == ()


def test_follow_up_is_rewritten_by_the_llm_and_the_rewrite_is_retrieved(small_index: LoadedIndex) -> None:
    rewritten = "晋城市中心城区土地征收报批程序的第二步是什么？"
    with OpenAIStub([{"reply": f"改写后的问题：{rewritten}"}, {"reply": "下达征收任务[S1]。"}]) as stub:
        answer = _pipeline(small_index, stub).answer("第二步呢？", history=["中心城区土地征收的程序是什么？"])
    condense = stub.requests[0]["body"]["messages"]
    assert "追问：第二步呢？" in condense[1]["content"] and "中心城区土地征收的程序是什么？" in condense[1]["content"]
    assert stub.requests[0]["body"].get("stream") is not True  # the rewrite is one whole reply
    assert answer.trace.rewritten == rewritten and answer.trace.rewritten_by == "llm"
    assert rewritten in stub.requests[1]["body"]["messages"][1]["content"]  # the answer prompt asks the rewrite


def test_unusable_or_failed_llm_rewrite_falls_back_to_the_offline_rewrite(small_index: LoadedIndex) -> None:
    history = ["中心城区土地征收的程序是什么？"]
    essay = "土地征收是指国家为了公共利益需要，依照法律规定的程序和权限将农民集体所有的土地转化为国有土地。" * 5
    with OpenAIStub([{"reply": essay}, {"reply": "见[S1]。"}, {"status": 500}, {"reply": "见[S1]。"}]) as stub:
        pipeline = _pipeline(small_index, stub)
        unusable = pipeline.answer("第二步呢？", history=history)
        failed = pipeline.answer("第二步呢？", history=history)
    for answer in (unusable, failed):
        assert answer.trace.rewritten.startswith("中心城区土地征收的程序是什么") and "第二步" in answer.trace.rewritten
    assert unusable.trace.rewritten_by == "offline (LLM reply unusable)"
    assert failed.trace.rewritten_by.startswith("offline (LLM ")


def test_without_history_the_llm_is_asked_only_for_the_answer(small_index: LoadedIndex) -> None:
    with OpenAIStub([{"reply": "搬迁补助费按18元/平方米计算[S1]。"}]) as stub:
        answer = _pipeline(small_index, stub).answer(QUESTION)
    assert len(stub.requests) == 1 and answer.trace.rewritten_by == "none"
