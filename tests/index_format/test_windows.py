"""Sentence windows of long clauses: where a clause is cut, what a window record keeps, how its id names its clause."""

from __future__ import annotations

from index_format.windows import owner, sentence_windows, window_chunks, window_id
from ingest.records import Chunk

CLAUSE = "第十二条 征收住宅房屋，搬迁补助费每平方米18元。实行产权调换的支付两次。选择货币补偿的支付一次。非住宅房屋依据评估确定。"


def test_a_long_clause_is_cut_into_runs_of_whole_sentences_at_most_the_size_one_from_every_sentence() -> None:
    windows = sentence_windows(CLAUSE, 30)
    assert windows == ["第十二条 征收住宅房屋，搬迁补助费每平方米18元。", "实行产权调换的支付两次。选择货币补偿的支付一次。",
                       "选择货币补偿的支付一次。非住宅房屋依据评估确定。"]
    assert all(len(w) <= 30 for w in windows)
    assert "".join(windows[:1] + windows[1:2] + [windows[2].removeprefix("选择货币补偿的支付一次。")]) == CLAUSE
    assert sentence_windows("第一句很长很长很长很长。第二句。", 6) == ["第一句很长很长很长很长。", "第二句。"]  # a longer sentence alone


def test_a_short_clause_or_a_clause_of_one_sentence_has_no_windows() -> None:
    assert sentence_windows(CLAUSE, len(CLAUSE)) == []
    assert sentence_windows("一句没有句号的很长的话" * 20, 30) == []
    assert sentence_windows(CLAUSE, 0) == []


def test_a_window_record_is_its_clause_s_record_with_the_window_s_text_and_its_id_names_the_clause() -> None:
    clause = Chunk(chunk_id="c1a2b3", doc_id="d1", ordinal=7, path=("第十二条",), headings=("第三章",), text=CLAUSE,
                   norm_text=CLAUSE, start=0, end=len(CLAUSE), line_start=10, line_end=12)
    short = Chunk(chunk_id="c9", doc_id="d1", ordinal=8, path=("第十三条",), headings=(), text="第十三条 本办法自印发之日起施行。",
                  norm_text="", start=0, end=10, line_start=13, line_end=13)
    windows = window_chunks([clause, short], 30)
    assert list(windows) == [window_id("c1a2b3", i) for i in range(3)]
    first = windows["c1a2b3~w0"]
    assert first.text == "第十二条 征收住宅房屋，搬迁补助费每平方米18元。"
    assert (first.doc_id, first.path, first.headings, first.ordinal) == ("d1", ("第十二条",), ("第三章",), 7)
    assert {owner(w) for w in windows} == {"c1a2b3"} and owner("c9") == "c9"
