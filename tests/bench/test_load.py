"""The load benchmark's reading of replies and its report (no app is started here: see bench/load.py)."""

from __future__ import annotations

import pytest

from app.chat import ERROR, Turn
from app.documents import DocumentLibrary
from app.limits import BUSY
from app.render import render_transcript
from bench.load import Outcome, classify, markdown, summarize
from bench.report import markdown_table
from bench.timing import summarize_ms
from rag.records import Answer, Trace


def _answer(refused: bool) -> Answer:
    trace = Trace(question="问", rewritten="问", filters={}, legs={}, fused=[], widened=[])
    return Answer(question="问", text="未找到答案。" if refused else "好的。", citations=(), passages=(), refused=refused, trace=trace)


def _html(*turns: Turn) -> str:
    return render_transcript(list(turns), DocumentLibrary({}, {}), staff=True)


def test_classify_reads_the_last_turn_of_the_transcript_the_app_renders() -> None:
    answered, refused = Turn("问一", answer=_answer(False)), Turn("问二", answer=_answer(True))
    assert classify(_html(answered)) == ("answer", "")
    assert classify(_html(answered, refused)) == ("refusal", "")
    assert classify(_html(Turn("问", notice=BUSY), answered)) == ("answer", "")  # an earlier notice does not count
    assert classify(_html(answered, Turn("问", notice=BUSY))) == ("notice", BUSY)
    assert classify(_html(Turn("问", notice=ERROR, error=True))) == ("notice", ERROR)
    assert classify(_html(Turn("问", status="正在检索相关文件……")))[0] == "empty"  # streamed but never finished
    assert classify(None)[0] == "empty"


def test_percentiles_interpolate_between_ranks_and_are_none_when_empty() -> None:
    s = summarize_ms([float(v) for v in range(1, 101)])  # 1 … 100 ms
    assert (s["n"], s["p50"], s["p95"], s["max"], s["mean"]) == (100, 50.5, 95.05, 100.0, 50.5)
    assert summarize_ms([]) == {"n": 0, "p50": None, "p95": None, "max": None, "mean": None}


def test_summary_counts_answers_refusals_and_errors_and_times_answers_only() -> None:
    outcomes = [Outcome(0, 0.0, 100.0, "answer"), Outcome(1, 0.1, 300.0, "refusal"), Outcome(0, 0.2, 200.0, "answer"),
                Outcome(1, 0.5, 5.0, "notice", BUSY), Outcome(2, 0.6, 60000.0, "timeout", "no answer within 60 s"),
                Outcome(1, 0.7, 6.0, "notice", BUSY)]
    s = summarize(outcomes, users=3, duration_s=1.0, elapsed_s=2.0)
    assert (s["requests"], s["answered"], s["refusals"], s["errors"]) == (6, 3, 1, 3)
    assert s["throughput_per_s"] == 1.5
    assert (s["latency_ms"]["p50"], s["latency_ms"]["max"]) == (200.0, 300.0)  # the busy and timed-out ones are not latencies
    assert s["errors_by_kind"] == {"notice": 2, "timeout": 1}
    assert s["first_errors"] == [f"notice: {BUSY}", "timeout: no answer within 60 s"]  # distinct, in order


def test_markdown_report_has_one_row_per_level_run() -> None:
    level = summarize([Outcome(0, 0.0, 120.0, "answer")], users=1, duration_s=1.0, elapsed_s=1.0)
    level.update(run=1, load_average=[[1.0, 1.0, 1.0], [1.5, 1.0, 1.0]], load_generator_cpu_s=0.2,
                 app={"cpu_ms_per_answer": 80.0, "rss_mib": 400.0})
    data = {"started": "today", "machine": {"cpus": 2, "load_average": [1.0, 1.0, 1.0], "code": {"commit": "abc"}},
            "app": {"ready_s": 9.0}, "warmup_ms": [900.0, 60.0], "levels": [level, {**level, "run": 2}],
            "settings": {"duration_s": 60.0, "turns_per_chat": 5}}
    rows = [line for line in markdown(data).splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 2 and "| 120.0 |" in rows[0] and "1.0 → 1.5" in rows[0]


@pytest.mark.parametrize(("value", "cell"), [(None, "—"), (1234, "1,234"), (0.456, "0.5"), ("a|b", "a\\|b")])
def test_table_cells_are_formatted_and_pipes_escaped(value: object, cell: str) -> None:
    table = markdown_table(["x"], [[value]])
    assert table.splitlines()[2] == f"| {cell} |"
