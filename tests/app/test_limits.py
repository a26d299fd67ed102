"""Question length, per-client rate and server-wide concurrency limits (app.limits)."""

from __future__ import annotations

import threading

import pytest

from app.limits import BUSY, ConcurrencyGate, Limits, RateLimiter, length_message


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_length_limit_counts_characters_after_trimming_and_says_the_limit() -> None:
    assert length_message("问" * 300, 300) is None
    assert length_message("  " + "问" * 300 + "\n", 300) is None
    message = length_message("问" * 301, 300)
    assert message is not None and "300字以内" in message and "当前301字" in message


def test_rate_limiter_allows_n_per_minute_per_client_then_says_when_to_retry() -> None:
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.check("1.2.3.4") for _ in range(3)] == [None, None, None]
    clock.now += 20
    message = limiter.check("1.2.3.4")
    assert message is not None and "每分钟最多3个问题" in message and "40秒后再试" in message
    assert limiter.check("5.6.7.8") is None  # another client is not affected


def test_rate_limiter_window_slides_so_old_questions_stop_counting() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    limiter.check("a")
    clock.now += 30
    limiter.check("a")
    clock.now += 29
    assert limiter.check("a") is not None  # both within the last minute
    clock.now += 1
    assert limiter.check("a") is None  # the first one is 60 s old now
    assert limiter.check("a") is not None  # a refused question was not counted, the one just now was


def test_limits_reject_nonsense_values_with_the_value_in_the_message() -> None:
    with pytest.raises(ValueError, match="got 0"):
        Limits(max_question_chars=0)
    assert Limits.for_mode(public=True).per_minute == 10 and Limits.for_mode(public=False).per_minute is None


def test_gate_answers_busy_when_the_wait_line_is_full() -> None:
    gate = ConcurrencyGate(max_active=1, max_waiting=0, wait_s=5)
    with gate.slot() as first:
        assert first
        with gate.slot() as second:
            assert not second
    with gate.slot() as again:
        assert again  # the slot was given back
    assert "系统繁忙" in BUSY


def test_gate_lets_a_waiting_question_in_when_a_slot_frees() -> None:
    gate = ConcurrencyGate(max_active=1, max_waiting=1, wait_s=5)
    got: list[bool] = []
    release = threading.Event()

    def holder() -> None:
        with gate.slot() as ok:
            got.append(ok)
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    while gate.active == 0:
        pass
    assert gate.must_wait()
    threading.Timer(0.2, release.set).start()
    with gate.slot() as waited:
        got.append(waited)
    t.join()
    assert got == [True, True]


def test_gate_gives_up_after_the_wait_time() -> None:
    gate = ConcurrencyGate(max_active=1, max_waiting=1, wait_s=0.05)
    with gate.slot(), gate.slot() as second:
        assert not second
