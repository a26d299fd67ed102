"""One chat session's logic, without gradio: limits, the pipeline's stream, follow-up history and errors.

`ChatService.ask` yields the whole list of turns after every change (a status line, each streamed piece, the final
Answer), so the page can re-render as the answer arrives. A rejected question (too long, too frequent, server busy)
becomes a turn with a notice and is not used as follow-up history. Exceptions are logged with their traceback and
shown as one generic Chinese sentence: no stack trace or file path reaches the page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from app.limits import BUSY, ConcurrencyGate, Limits, RateLimiter, length_message
from rag.records import Answer, Filters

log = logging.getLogger(__name__)

SEARCHING = "正在检索相关文件……"
QUEUED = "排队中：前面还有其他问题在回答，请稍候……"
ERROR = "抱歉，系统出现错误，暂时无法回答。请稍后再试；如果问题持续出现，请联系管理员。"
_MAX_SHOWN_QUESTION = 400  # a rejected over-long question is shown cut to this many characters


class Answerer(Protocol):
    def stream(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Iterator[str | Answer]: ...


@dataclass(frozen=True)
class Turn:
    """One question and what the page shows for it.

    answer: the final Answer (None while streaming or when rejected). partial: the text streamed so far.
    status: a progress line (searching, queued). notice: why there is no answer (a limit, busy, an error)."""

    question: str
    answer: Answer | None = None
    partial: str = ""
    status: str = ""
    notice: str = ""
    error: bool = False

    @property
    def pending(self) -> bool:
        return self.answer is None and not self.notice


def history(turns: Sequence[Turn]) -> list[str]:
    """The earlier questions that got an answer (or a refusal), oldest first: the pipeline's follow-up context."""
    return [t.question for t in turns if t.answer is not None]


def last_answer(turns: Sequence[Turn]) -> Answer | None:
    return next((t.answer for t in reversed(turns) if t.answer is not None), None)


class ChatService:
    """stream_interval_s: streamed pieces arriving closer together than this are shown together (an LLM sends dozens
    a second; re-rendering the whole transcript for each would flood slow clients). The final answer is never held."""

    def __init__(self, pipeline: Answerer, limits: Limits, stream_interval_s: float = 0.15,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.pipeline = pipeline
        self.limits = limits
        self.stream_interval_s = stream_interval_s
        self.clock = clock
        self.rate = RateLimiter(limits.per_minute) if limits.per_minute else None
        self.gate = ConcurrencyGate(limits.max_active, limits.max_waiting, limits.wait_s)

    def ask(self, question: str, turns: Sequence[Turn], filters: Filters | None = None, client: str = "unknown") -> Iterator[list[Turn]]:
        """Yield the turn list after each change; the last one holds the answer or the reason there is none."""
        question = (question or "").strip()
        before = list(turns)
        if not question:
            yield before
            return
        too_long = length_message(question, self.limits.max_question_chars)
        if too_long:
            shown = question if len(question) <= _MAX_SHOWN_QUESTION else question[:_MAX_SHOWN_QUESTION] + "……"
            yield [*before, Turn(shown, notice=too_long)]
            return
        limited = self.rate.check(client) if self.rate else None
        if limited:
            yield [*before, Turn(question, notice=limited)]
            return
        turn = Turn(question, status=QUEUED if self.gate.must_wait() else SEARCHING)
        yield [*before, turn]
        with self.gate.slot() as got:
            if not got:
                yield [*before, Turn(question, notice=BUSY)]
                return
            if turn.status == QUEUED:
                turn = replace(turn, status=SEARCHING)
                yield [*before, turn]
            yield from self._answer(question, before, turn, filters)

    def _answer(self, question: str, before: list[Turn], turn: Turn, filters: Filters | None) -> Iterator[list[Turn]]:
        pieces: list[str] = []
        shown_at: float | None = None
        try:
            for part in self.pipeline.stream(question, history(before), filters):
                if isinstance(part, Answer):
                    yield [*before, Turn(question, answer=part)]
                    return
                pieces.append(part)
                now = self.clock()
                if shown_at is None or now - shown_at >= self.stream_interval_s:
                    shown_at = now
                    yield [*before, replace(turn, partial="".join(pieces), status="")]
        except Exception:
            log.exception("answering failed", extra={"question": question[:200]})
            yield [*before, Turn(question, notice=ERROR, error=True)]
            return
        log.error("the pipeline's stream ended without an Answer", extra={"question": question[:200]})
        yield [*before, Turn(question, notice=ERROR, error=True)]
