"""One chat session's logic (app.chat.ChatService) with a scripted pipeline: streaming, follow-up history, limits,
and errors that never show internals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence

import pytest

from app.chat import ERROR, SEARCHING, ChatService, Turn, history
from app.limits import BUSY, Limits
from rag.records import Answer, Filters, Trace


def _answer(question: str, text: str) -> Answer:
    return Answer(question=question, text=text, citations=(), passages=(), refused=False,
                  trace=Trace(question=question, rewritten=question, filters={}, legs={}, fused=[], widened=[]))


class ScriptedPipeline:
    """Streams the given pieces then an Answer; records every call (question, history, filters)."""

    def __init__(self, pieces: Sequence[str] = ("第一段，", "第二段。"), fail: Exception | None = None) -> None:
        self.pieces = pieces
        self.fail = fail
        self.calls: list[tuple[str, list[str], Filters | None]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def stream(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Iterator[str | Answer]:
        self.calls.append((question, list(history), filters))
        self.entered.set()
        self.release.wait(5)
        if self.fail:
            raise self.fail
        yield from self.pieces
        yield _answer(question, "".join(self.pieces))


def test_answer_streams_status_then_each_piece_then_the_final_answer() -> None:
    updates = list(ChatService(ScriptedPipeline(), Limits(), stream_interval_s=0).ask("搬迁补助费怎么算？", []))
    last_turns = [u[-1] for u in updates]
    assert last_turns[0].status == SEARCHING and last_turns[0].answer is None
    assert [t.partial for t in last_turns[1:3]] == ["第一段，", "第一段，第二段。"]
    assert last_turns[-1].answer is not None and last_turns[-1].answer.text == "第一段，第二段。"
    assert len(updates) == 4


def test_pieces_arriving_within_the_interval_are_shown_together_and_the_answer_is_never_held() -> None:
    times = iter([0.0, 0.05, 0.1, 0.2, 0.21])
    service = ChatService(ScriptedPipeline(pieces=("一", "二", "三", "四", "五")), Limits(), stream_interval_s=0.15,
                          clock=lambda: next(times))
    updates = [u[-1] for u in service.ask("问题", [])]
    assert [t.partial for t in updates[1:-1]] == ["一", "一二三四"]  # at 0.0 and 0.2; 0.05, 0.1 and 0.21 were too soon
    final = updates[-1].answer
    assert final is not None and final.text == "一二三四五"  # the last piece came too soon but the answer is not held


def test_follow_up_passes_the_earlier_answered_questions_as_history() -> None:
    pipeline = ScriptedPipeline()
    service = ChatService(pipeline, Limits(max_question_chars=20))
    turns: list[Turn] = []
    for question in ("中心城区土地征收的程序是什么？", "问" * 21, "第二步具体要做什么？"):
        turns = list(service.ask(question, turns, Filters(city="晋城")))[-1]
    assert pipeline.calls[-1] == ("第二步具体要做什么？", ["中心城区土地征收的程序是什么？"], Filters(city="晋城"))
    assert history(turns) == ["中心城区土地征收的程序是什么？", "第二步具体要做什么？"]  # the rejected one is not history


def test_too_long_question_gets_the_message_and_never_reaches_the_pipeline() -> None:
    pipeline = ScriptedPipeline()
    updates = list(ChatService(pipeline, Limits(max_question_chars=300)).ask("长" * 301, []))
    assert len(updates) == 1 and "300字以内" in updates[0][-1].notice
    assert pipeline.calls == []


def test_rate_limited_client_gets_the_message_other_clients_do_not() -> None:
    service = ChatService(ScriptedPipeline(), Limits(per_minute=2))
    for _ in range(2):
        assert list(service.ask("问题一二三", [], client="10.0.0.1"))[-1][-1].answer is not None
    assert "提问过于频繁" in list(service.ask("问题一二三", [], client="10.0.0.1"))[-1][-1].notice
    assert list(service.ask("问题一二三", [], client="10.0.0.2"))[-1][-1].answer is not None


def test_busy_server_says_so_in_chinese_instead_of_queueing_forever() -> None:
    pipeline = ScriptedPipeline()
    pipeline.release.clear()
    service = ChatService(pipeline, Limits(max_active=1, max_waiting=0))
    first = service.ask("第一个问题", [])
    next(first)  # status shown
    runner = threading.Thread(target=lambda: list(first))
    runner.start()
    assert pipeline.entered.wait(5)
    second = list(service.ask("第二个问题", []))
    pipeline.release.set()
    runner.join(5)
    assert second[-1][-1].notice == BUSY and len(pipeline.calls) == 1


def test_pipeline_error_shows_a_generic_message_without_internals_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    pipeline = ScriptedPipeline(fail=FileNotFoundError("/work/main/.index/secret/chroma.sqlite3 missing"))
    with caplog.at_level(logging.ERROR, logger="app.chat"):
        turn = list(ChatService(pipeline, Limits()).ask("问题", []))[-1][-1]
    assert turn.notice == ERROR and turn.error and turn.answer is None
    assert "/work" not in turn.notice and "Error" not in turn.notice and "Traceback" not in turn.notice
    assert "chroma.sqlite3" in caplog.text  # the details go to the log, for the operator


def test_empty_question_changes_nothing() -> None:
    pipeline = ScriptedPipeline()
    before = [Turn("旧问题", notice="x")]
    assert list(ChatService(pipeline, Limits()).ask("   ", before)) == [before]
    assert pipeline.calls == []
