"""What one client and the whole server may ask: question length, questions per minute per client, and how many
answers are computed at once (with a short wait line; past it the client is told the system is busy).

Each limit returns the Chinese message to show, or None; nothing here knows about gradio.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

TOO_LONG = "问题过长：请控制在{limit}字以内（当前{length}字），可以拆成几个问题分别提问。"
RATE_LIMITED = "提问过于频繁：每分钟最多{limit}个问题，请{wait}秒后再试。"
FEEDBACK_RATE_LIMITED = "评价过于频繁：每分钟最多{limit}次，请{wait}秒后再试。"
BUSY = "系统繁忙：当前提问人数较多，请稍后再试。"


@dataclass(frozen=True)
class Limits:
    """max_question_chars: longest question accepted (characters after trimming).
    per_minute: questions one client may ask in any 60 seconds; None = no limit.
    max_active: answers computed at the same time. max_waiting: questions that may wait for a free slot; a question
    arriving when that many already wait is answered "busy" at once. wait_s: longest wait before "busy"."""

    max_question_chars: int = 300
    per_minute: int | None = 10
    max_active: int = 2
    max_waiting: int = 8
    wait_s: float = 30.0

    def __post_init__(self) -> None:
        if self.max_question_chars < 1:
            raise ValueError(f"max_question_chars must be >= 1, got {self.max_question_chars}")
        if self.per_minute is not None and self.per_minute < 1:
            raise ValueError(f"per_minute must be >= 1 or None, got {self.per_minute}")
        if self.max_active < 1 or self.max_waiting < 0:
            raise ValueError(f"max_active must be >= 1 and max_waiting >= 0, got {self.max_active}, {self.max_waiting}")

    @classmethod
    def for_mode(cls, public: bool) -> Limits:
        """Public: 10 questions per minute per client. Staff (loopback, trusted users): no per-client limit."""
        return cls() if public else cls(per_minute=None, max_active=4, max_waiting=16)


def length_message(question: str, limit: int) -> str | None:
    """The message for a question longer than `limit` characters, else None."""
    length = len(question.strip())
    return TOO_LONG.format(limit=limit, length=length) if length > limit else None


class RateLimiter:
    """Sliding one-minute window per client key (an IP address). `clock` returns seconds (monotonic)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, window_s: float = 60.0,
                 message: str = RATE_LIMITED) -> None:
        self.per_minute = per_minute
        self.message = message
        self.clock = clock
        self.window_s = window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> str | None:
        """Count one question for `client`; the message to show when it is over the limit (not counted), else None."""
        wait = self.admit(client)
        return None if wait is None else self.message.format(limit=self.per_minute, wait=wait)

    def admit(self, client: str) -> int | None:
        """Count one question for `client`: None when admitted, else the whole seconds until it would be (not counted)."""
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= self.window_s:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1, int(self.window_s - (now - times[0]) + 0.999))
            times.append(now)
            if len(self._seen) > 10_000:  # forget idle clients so the table cannot grow without bound
                for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window_s]:
                    del self._seen[key]
            return None


class ConcurrencyGate:
    """At most `max_active` holders at once; up to `max_waiting` more wait (at most `wait_s`); the rest are refused."""

    def __init__(self, max_active: int, max_waiting: int, wait_s: float) -> None:
        self.max_active = max_active
        self.max_waiting = max_waiting
        self.wait_s = wait_s
        self._cond = threading.Condition()
        self.active = 0
        self.waiting = 0

    def must_wait(self) -> bool:
        """True when a question arriving now would have to wait (for a "queued" status line)."""
        with self._cond:
            return self.active >= self.max_active

    def acquire(self) -> bool:
        """Take a slot, waiting up to wait_s behind at most max_waiting others; False (nothing taken) when busy.
        Every True must be matched by one release(); `slot()` does both."""
        with self._cond:
            if self.active >= self.max_active:
                if self.waiting >= self.max_waiting:
                    return False
                self.waiting += 1
                try:
                    got = self._cond.wait_for(lambda: self.active < self.max_active, timeout=self.wait_s)
                finally:
                    self.waiting -= 1
                if not got:
                    return False
            self.active += 1
            return True

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """Yields True while holding a slot, or False when the server is busy (no slot taken)."""
        if not self.acquire():
            yield False
            return
        try:
            yield True
        finally:
            self.release()

    def release(self) -> None:
        with self._cond:
            self.active -= 1
            self._cond.notify()
