"""The loaded index (rag.index): what it derives from the documents and chunks, and when."""

from __future__ import annotations

from rag.index import LoadedIndex


def test_loading_derives_what_the_rules_read_so_the_first_question_does_not(small_index: LoadedIndex) -> None:
    derived = ("places", "cells", "clause_lines", "captions", "unstated_terms", "ids_by_day", "row_numbers", "title_only", "table_rows",
               "title_variants", "unprinted_attachments")
    assert all(name in vars(small_index) for name in derived)  # cached_property values live in the instance dict
    lines, listed = small_index.clause_lines
    assert listed and lines.count("\n") == len(listed) - 1


def test_dated_chunks_are_found_by_their_day(small_index: LoadedIndex) -> None:
    for (month, day), dated in small_index.ids_by_day.items():
        for year, chunk_id in dated:
            when = small_index.chunks[chunk_id].event_date
            assert when is not None and (when.year, when.month, when.day) == (year, month, day)
    assert small_index.ids_by_day  # the small index holds 大事记 entries


def test_window_ids_name_exactly_the_windows_the_ingest_stored(small_index: LoadedIndex) -> None:
    assert small_index.window_store is not None and small_index.window_size > 0  # read from the manifest
    stored = small_index.window_store.collection.get(include=[])["ids"]
    assert sorted(small_index.window_ids(small_index.chunks)) == sorted(stored)
    short = next(cid for cid, c in small_index.chunks.items() if len(c.text) <= small_index.window_size)
    assert small_index.window_ids([short]) == []


def test_attachments_listed_but_not_printed_are_known_by_document_number(small_index: LoadedIndex) -> None:
    by_id = small_index.unprinted_attachments
    # keyed by document id: the notice and every document issued with it (its text, its attachments) hold its list
    unprinted = {small_index.documents[d].doc_number: entries for d, entries in by_id.items()}
    issued_with = [d for d, entries in by_id.items() if entries == unprinted["晋市政办〔2021〕8号"]]
    docs = [small_index.documents[d] for d in issued_with]
    assert len(docs) > 1 and all((d.doc_number or d.parent_doc_number) == "晋市政办〔2021〕8号" for d in docs)
    # 晋市政办〔2021〕8号 lists eight attachments and prints 2 and 4–8
    assert [n for n, _ in unprinted["晋市政办〔2021〕8号"]] == [1, 3]
    assert unprinted["晋市政办〔2021〕8号"][1] == (3, "实行告知承诺制的证明事项目录")
    # 晋市政发〔2021〕7号 prints its 附件1 as a title alone (a map's caption), and not its 附件2
    assert [n for n, _ in unprinted["晋市政发〔2021〕7号"]] == [1, 2]
    assert unprinted["晋市政发〔2021〕7号"][1][1].endswith("名单")
    # every attachment 长政发〔2020〕17号 and 长政办发〔2020〕38号 list is printed (as tables, under their labels)
    assert "长政发〔2020〕17号" not in unprinted and "长政办发〔2020〕38号" not in unprinted
