"""Feedback rows (app.feedback): appended as JSON lines with everything needed to judge the answer later."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.feedback import MAX_COMMENT_CHARS, FeedbackLog, default_path
from rag.records import Answer, Citation, Trace


def _answer(question: str = "搬迁补助费怎么算？") -> Answer:
    citation = Citation(key="S1", chunk_id="c1", doc_title="晋城市国有土地上房屋征收与补偿办法", doc_number="晋市政发〔2018〕23号",
                        path="第十二条", date=date(2018, 7, 16), quote="搬迁补助费18元/平方米", start=10, end=22, source_file="f.txt")
    trace = Trace(question=question, rewritten=question, filters={}, legs={}, fused=[], widened=[])
    return Answer(question=question, text="搬迁补助费18元/平方米。[S1]", citations=(citation,), passages=(), refused=False,
                  trace=trace, mode="offline")


def _log(tmp_path: Path) -> FeedbackLog:
    return FeedbackLog(tmp_path / "sub" / "feedback.jsonl", "abc123", clock=lambda: datetime(2026, 11, 22, 8, 30, tzinfo=UTC))


def test_feedback_row_has_question_answer_citations_fingerprint_and_time(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.record(_answer(), "down", "  数字不对  ")
    rows = [json.loads(line) for line in log.path.read_text(encoding="utf-8").splitlines()]
    assert rows == [{
        "time": "2026-11-22T08:30:00+00:00", "rating": "down", "comment": "数字不对", "question": "搬迁补助费怎么算？",
        "answer": "搬迁补助费18元/平方米。[S1]", "refused": False,
        "citations": [{"key": "S1", "doc_number": "晋市政发〔2018〕23号", "doc_title": "晋城市国有土地上房屋征收与补偿办法",
                       "path": "第十二条", "quote": "搬迁补助费18元/平方米", "chunk_id": "c1"}],
        "fingerprint": "abc123", "mode": "offline",
    }]
    assert "数字不对" in log.path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_feedback_appends_and_caps_the_comment(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.record(_answer("一"), "up")
    log.record(_answer("二"), "down", "长" * (MAX_COMMENT_CHARS + 50))
    rows = log.rows()
    assert [r["question"] for r in rows] == ["一", "二"] and len(rows[1]["comment"]) == MAX_COMMENT_CHARS


def test_feedback_rejects_a_rating_other_than_up_or_down(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'meh'"):
        _log(tmp_path).record(_answer(), "meh")  # type: ignore[arg-type]


def test_export_copies_the_log_or_says_there_is_none(tmp_path: Path) -> None:
    log = _log(tmp_path)
    assert log.export(tmp_path / "out") is None
    log.record(_answer(), "up")
    exported = log.export(tmp_path / "out")
    assert exported is not None and exported.name == "feedback-20261122-083000.jsonl"
    assert exported.read_text(encoding="utf-8") == log.path.read_text(encoding="utf-8")


def test_log_path_comes_from_the_env_var_else_the_index_folder(tmp_path: Path) -> None:
    assert default_path(tmp_path, {}) == tmp_path / "feedback.jsonl"
    assert default_path(tmp_path, {"RAG_FEEDBACK_LOG": "/var/log/qa.jsonl"}) == Path("/var/log/qa.jsonl")
